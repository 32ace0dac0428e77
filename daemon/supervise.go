package main

import (
	"errors"
	"fmt"
	"io/fs"
	"os"
	"os/signal"
	"path/filepath"
	"strings"
	"syscall"

	"golang.org/x/sys/unix"
)

// forwardedSignals are passed on to the child; the rest keep their default
// meaning for the daemon.
var forwardedSignals = []os.Signal{
	syscall.SIGTERM, syscall.SIGINT, syscall.SIGHUP, syscall.SIGQUIT,
	syscall.SIGUSR1, syscall.SIGUSR2, syscall.SIGWINCH,
}

// defaultPath is what a shell would search when the image sets no PATH.
const defaultPath = "/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin"

type supervisor struct {
	chld chan os.Signal
	fwd  chan os.Signal
}

// newSupervisor subscribes to signals before the child exists, so none sent
// during start-up is lost, and becomes a subreaper so orphans are reaped even
// when the daemon is not PID 1.
func newSupervisor() *supervisor {
	_ = unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0)
	s := &supervisor{chld: make(chan os.Signal, 1), fwd: make(chan os.Signal, 32)}
	signal.Notify(s.chld, syscall.SIGCHLD)
	signal.Notify(s.fwd, forwardedSignals...)
	return s
}

// startError is a child that could not be started, with the shell's exit code.
type startError struct {
	code int
	kind string // error.type
	err  error
}

func (e *startError) Error() string { return e.err.Error() }

// resolve finds the executable the way execvp would, with a default PATH.
func resolve(name, pathEnv string) (string, *startError) {
	if name == "" {
		return "", &startError{code: 127, kind: "no_command", err: errors.New("no command to run (expected: boxlite-daemon -- COMMAND [ARG...])")}
	}
	if strings.Contains(name, "/") {
		return name, checkExecutable(name)
	}
	if pathEnv == "" {
		pathEnv = defaultPath
	}
	var denied *startError
	for _, dir := range filepath.SplitList(pathEnv) {
		if dir == "" {
			dir = "."
		}
		p := filepath.Join(dir, name)
		err := checkExecutable(p)
		if err == nil {
			return p, nil
		}
		if err.code == 126 && denied == nil {
			denied = err
		}
	}
	if denied != nil {
		return "", denied
	}
	return "", &startError{code: 127, kind: "command_not_found", err: errors.New("cannot start " + name + ": command not found")}
}

func checkExecutable(p string) *startError {
	st, err := os.Stat(p)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return &startError{code: 127, kind: "command_not_found", err: errors.New("cannot start " + p + ": no such file or directory")}
	case err != nil:
		return &startError{code: 126, kind: "permission_denied", err: errors.New("cannot start " + p + ": " + errors.Unwrap(err).Error())}
	case st.IsDir():
		return &startError{code: 126, kind: "is_a_directory", err: errors.New("cannot start " + p + ": is a directory")}
	case unix.Access(p, unix.X_OK) != nil:
		return &startError{code: 126, kind: "permission_denied", err: errors.New("cannot start " + p + ": permission denied")}
	}
	return nil
}

// start runs the child with the daemon's stdio. The kernel has the last word
// (exec format, a missing interpreter), mapped to 126/127 like a shell does.
func (s *supervisor) start(path string, argv, env []string) (*os.Process, *startError) {
	attr := &os.ProcAttr{Env: env, Files: []*os.File{os.Stdin, os.Stdout, os.Stderr}}
	if stdinIsTerminal() {
		// With a terminal (docker run -t) the child gets its own foreground
		// process group, so Ctrl-C reaches it once, from the terminal, and
		// not a second time through the daemon.
		attr.Sys = &syscall.SysProcAttr{Foreground: true, Ctty: 0}
		if p, err := os.StartProcess(path, argv, attr); err == nil {
			return p, nil
		}
		attr.Sys = nil // not our controlling terminal: start it as without one
	}
	p, err := os.StartProcess(path, argv, attr)
	if err == nil {
		return p, nil
	}
	var errno syscall.Errno
	if errors.As(err, &errno) && errno == syscall.ENOENT {
		return nil, &startError{code: 127, kind: "command_not_found", err: errors.New("cannot start " + path + ": no such file or directory")}
	}
	if errors.As(err, &errno) {
		return nil, &startError{code: 126, kind: "exec_failed", err: errors.New("cannot start " + path + ": " + errno.Error())}
	}
	return nil, &startError{code: 126, kind: "exec_failed", err: fmt.Errorf("cannot start %s: %w", path, err)}
}

// wait forwards signals to the child and reaps every child that exits (orphans
// re-parented to the daemon included) until the child itself has exited.
func (s *supervisor) wait(p *os.Process) syscall.WaitStatus {
	for {
		if ws, done := reap(p.Pid); done {
			return ws
		}
		select {
		case <-s.chld:
		case sig := <-s.fwd:
			_ = p.Signal(sig)
		}
	}
}

// reapOrphans collects zombies left when the daemon is about to exit.
func (s *supervisor) reapOrphans() { reap(-1) }

func reap(pid int) (syscall.WaitStatus, bool) {
	var found syscall.WaitStatus
	done := false
	for {
		var ws syscall.WaitStatus
		got, err := syscall.Wait4(-1, &ws, syscall.WNOHANG, nil)
		if errors.Is(err, syscall.EINTR) {
			continue
		}
		if err != nil || got <= 0 {
			return found, done
		}
		if got == pid {
			found, done = ws, true
		}
	}
}

// exitCode follows the shell convention: 128+n for a child killed by signal n.
func exitCode(ws syscall.WaitStatus) int {
	if ws.Signaled() {
		return 128 + int(ws.Signal())
	}
	return ws.ExitStatus()
}

func signalName(sig syscall.Signal) string {
	if n := unix.SignalName(sig); n != "" {
		return n
	}
	return "signal " + sig.String()
}

func stdinIsTerminal() bool {
	_, err := unix.IoctlGetTermios(0, unix.TCGETS)
	return err == nil
}
