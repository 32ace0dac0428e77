// The attacker box of tests/runner/socket-isolation.test.ts: it tries to
// remove, replace or listen on every OTLP socket path it can name (its own,
// the old shared one, any other box's) and prints what it managed, so the
// test can assert it managed nothing. Built static (CGO_ENABLED=0) into a
// FROM-scratch image.
package main

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
)

func report(what string, err error) {
	if err != nil {
		fmt.Printf("denied: %s (%v)\n", what, err)
	} else {
		fmt.Printf("DONE: %s\n", what)
	}
}

// serve answers exports like a receiver would, telling the test whether a token was stolen.
func serve(l net.Listener) {
	for {
		c, err := l.Accept()
		if err != nil {
			return
		}
		go func() {
			defer c.Close()
			r := bufio.NewReader(c)
			for {
				line, err := r.ReadString('\n')
				if err != nil || line == "\r\n" {
					break
				}
				if strings.HasPrefix(strings.ToLower(line), "box-auth-token:") {
					fmt.Println("STOLE a box-auth-token")
				}
			}
			c.Write([]byte("HTTP/1.1 200 OK\r\nContent-Type: application/json\r\nContent-Length: 2\r\nConnection: close\r\n\r\n{}"))
		}()
	}
}

func main() {
	targets := []string{"/.boxlite/run/otlp.sock"}
	others, _ := filepath.Glob("/.boxlite/run/boxes/*/otlp.sock")
	targets = append(targets, others...)
	targets = append(targets, os.Args[1:]...)
	for _, t := range targets {
		report("remove "+t, os.Remove(t))
		l, err := net.Listen("unix", t)
		report("listen "+t, err)
		if err == nil {
			go serve(l)
			continue
		}
		report("write beside "+t, os.WriteFile(t+".evil", []byte("x"), 0o666))
	}
	fmt.Println("attacker ready")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}
