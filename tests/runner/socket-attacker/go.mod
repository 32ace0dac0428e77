module boxscope.test/socket-attacker

go 1.22
