// Command boxscope-quick starts `boxscope launch` without starting Node when a
// core that stays up (`boxscope serve`) runs for this data dir: it hands the
// command, as typed, to that core over the Unix socket run/cli.sock and prints
// what the core's run of it prints (docs/CLI-SPEED.md). Any other command, no
// such core, or a core that declines (its launch settings differ from this
// environment's) runs the Node CLI instead, with the same arguments.
package main

import (
	"bufio"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"os"
	"os/exec"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"
	"time"
)

// socketName is the quick launcher's socket in the data dir's run/ (electron/cli/quick-server.ts).
const socketName = "cli.sock"

type request struct {
	V    int               `json:"v"`
	Argv []string          `json:"argv"`
	Cwd  string            `json:"cwd"`
	Env  map[string]string `json:"env"`
	TTY  bool              `json:"tty"`
}

type message struct {
	Started  bool    `json:"started"`
	Fallback *string `json:"fallback"`
	Out      *string `json:"out"`
	Err      *string `json:"err"`
	Exit     *int    `json:"exit"`
}

func main() {
	args := os.Args[1:]
	if len(args) > 0 && args[0] == "launch" && os.Getenv("BOXSCOPE_QUICK") != "0" {
		if code, handled := viaCore(args); handled {
			os.Exit(code)
		}
	}
	os.Exit(runNode(args))
}

// home is the data dir as the Node side resolves it (electron/core/config.ts, resolveHome).
func home() (string, error) {
	if h := os.Getenv("BOXSCOPE_HOME"); strings.TrimSpace(h) != "" {
		return filepath.Abs(h)
	}
	if x := os.Getenv("XDG_DATA_HOME"); x != "" {
		return filepath.Join(x, "boxscope"), nil
	}
	u, err := os.UserHomeDir()
	if err != nil {
		return "", err
	}
	return filepath.Join(u, ".boxscope"), nil
}

func debugf(format string, a ...any) {
	if os.Getenv("BOXSCOPE_DEBUG") != "" {
		fmt.Fprintf(os.Stderr, "boxscope: "+format+"\n", a...)
	}
}

func isTerminal(f *os.File) bool {
	fi, err := f.Stat()
	return err == nil && fi.Mode()&os.ModeCharDevice != 0
}

// viaCore runs the launch in the running core. handled is false when nothing was run there, so
// the caller may run it itself; once the core has said it started, the answer is the core's.
func viaCore(args []string) (code int, handled bool) {
	h, err := home()
	if err != nil {
		debugf("no data dir (%v): launching in this process", err)
		return 0, false
	}
	sock := filepath.Join(h, "run", socketName)
	conn, err := net.DialTimeout("unix", sock, 500*time.Millisecond)
	if err != nil {
		debugf("no running core for %s: launching in this process", h)
		return 0, false
	}
	defer conn.Close()
	cwd, err := os.Getwd()
	if err != nil {
		return 0, false
	}
	env := map[string]string{}
	for _, kv := range os.Environ() {
		if k, v, ok := strings.Cut(kv, "="); ok && k != "" {
			env[k] = v
		}
	}
	line, err := json.Marshal(request{V: 1, Argv: args, Cwd: cwd, Env: env, TTY: isTerminal(os.Stderr)})
	if err != nil {
		return 0, false
	}
	if _, err := conn.Write(append(line, '\n')); err != nil {
		debugf("the running core did not take the launch (%v): launching in this process", err)
		return 0, false
	}

	// Ctrl-C (or a TERM) cancels the launch in the core, which then reports it as this process would;
	// a second one leaves at once.
	sigs := make(chan os.Signal, 2)
	signal.Notify(sigs, os.Interrupt, syscall.SIGTERM)
	go func() {
		n := 0
		for range sigs {
			if n++; n > 1 {
				os.Exit(130)
			}
			_, _ = conn.Write([]byte("{\"cancel\":true}\n"))
		}
	}()

	started := false
	dec := json.NewDecoder(bufio.NewReader(conn))
	for {
		var m message
		if err := dec.Decode(&m); err != nil {
			if !started {
				debugf("the running core closed before starting the launch: launching in this process")
				return 0, false
			}
			if errors.Is(err, io.EOF) || errors.Is(err, net.ErrClosed) || errors.Is(err, syscall.ECONNRESET) {
				fmt.Fprintln(os.Stderr, "boxscope: the running Boxscope core (boxscope serve) went away during the launch; `boxscope boxes` shows what it left")
			} else {
				fmt.Fprintf(os.Stderr, "boxscope: unreadable answer from the running Boxscope core: %v\n", err)
			}
			return 1, true
		}
		switch {
		case m.Fallback != nil && !started:
			debugf("the running core declined (%s): launching in this process", *m.Fallback)
			return 0, false
		case m.Started:
			started = true
			debugf("launching through the running core (%s)", sock)
		case m.Out != nil:
			_, _ = os.Stdout.WriteString(*m.Out)
		case m.Err != nil:
			_, _ = os.Stderr.WriteString(*m.Err)
		case m.Exit != nil:
			return *m.Exit, true
		}
	}
}

// runNode runs the Node CLI (bin/boxscope.mjs beside this binary's dist/) with the same arguments.
func runNode(args []string) int {
	self, err := os.Executable()
	if err == nil {
		self, err = filepath.EvalSymlinks(self)
	}
	if err != nil {
		fmt.Fprintf(os.Stderr, "boxscope: cannot find the CLI beside this program: %v\n", err)
		return 1
	}
	script := filepath.Join(filepath.Dir(filepath.Dir(self)), "bin", "boxscope.mjs")
	node := os.Getenv("BOXSCOPE_NODE")
	if node == "" {
		if node, err = exec.LookPath("node"); err != nil {
			fmt.Fprintln(os.Stderr, "boxscope: node is not on PATH (the CLI needs Node.js 20 or later)")
			return 1
		}
	}
	err = syscall.Exec(node, append([]string{node, script}, args...), os.Environ())
	fmt.Fprintf(os.Stderr, "boxscope: could not run %s: %v\n", node, err)
	return 1
}
