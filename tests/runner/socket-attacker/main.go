// The attacker box of tests/runner/socket-isolation.test.ts: it tries to
// remove, replace or listen on every OTLP socket path it can name (its own,
// the old shared one, any other box's) and prints what it managed, so the
// test can assert it managed nothing. Built static (CGO_ENABLED=0) into a
// FROM-scratch image.
package main

import (
	"bufio"
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
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
	forge()
	fmt.Println("attacker ready")
	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)
	<-stop
}

// forge sends, with this box's own token over its own socket, a boot span
// and a parentless span into the trace named by ATTACK_TRACE (another box's).
func forge() {
	trace := os.Getenv("ATTACK_TRACE")
	token := strings.TrimPrefix(os.Getenv("OTEL_EXPORTER_OTLP_HEADERS"), "box-auth-token=")
	if trace == "" {
		return
	}
	client := &http.Client{Transport: &http.Transport{DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
		return (&net.Dialer{}).DialContext(ctx, "unix", "/.boxlite/run/otlp.sock")
	}}}
	span := func(id, name string) string {
		return fmt.Sprintf(`{"traceId":%q,"spanId":%q,"name":%q,"kind":1,"startTimeUnixNano":"1795000000000000000","endTimeUnixNano":"1795000001000000000"}`, trace, id, name)
	}
	body := `{"resourceSpans":[{"resource":{"attributes":[{"key":"service.name","value":{"stringValue":"boxlite-daemon"}}]},"scopeSpans":[{"spans":[` +
		span("00000000000000f1", "sandbox.boot") + "," + span("00000000000000f2", "forged.root") + `]}]}]}`
	req, _ := http.NewRequest("POST", "http://box/v1/traces", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("box-auth-token", token)
	res, err := client.Do(req)
	if err != nil {
		fmt.Printf("forge: no answer (%v)\n", err)
		return
	}
	answer, _ := io.ReadAll(res.Body)
	res.Body.Close()
	fmt.Printf("forge: %d %s\n", res.StatusCode, answer)
}
