package main

import (
	"os"
	"os/exec"
	"testing"
)

// BenchmarkChildStart compares running /bin/true directly with running it
// under the daemon (no receiver, then with one), for the daemon's overhead
// per box start. Run: go test -run '^$' -bench ChildStart .
func BenchmarkChildStart(b *testing.B) {
	exe, err := os.Executable()
	if err != nil {
		b.Fatal(err)
	}
	rcv := newReceiver(b)
	variants := []struct {
		name string
		cmd  func() *exec.Cmd
	}{
		{"direct", func() *exec.Cmd { return exec.Command("/bin/true") }},
		{"daemon", func() *exec.Cmd {
			c := exec.Command(exe, "--no-relay", "--", "/bin/true")
			c.Env = []string{asDaemonEnv + "=1"}
			return c
		}},
		{"daemon+export", func() *exec.Cmd {
			c := exec.Command(exe, "--no-relay", "--", "/bin/true")
			c.Env = []string{asDaemonEnv + "=1", envEndpoint + "=" + rcv.endpoint(), envTraceparent + "=" + injected()}
			return c
		}},
	}
	for _, v := range variants {
		b.Run(v.name, func(b *testing.B) {
			for b.Loop() {
				if err := v.cmd().Run(); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
