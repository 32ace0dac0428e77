module boxscope/quick

go 1.26.0
