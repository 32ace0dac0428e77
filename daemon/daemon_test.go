package main

import (
	"bytes"
	"fmt"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
)

const (
	injectedTrace = "0af7651916cd43dd8448eb211c80319c"
	injectedSpan  = "b7ad6b7169203331"
	boxToken      = "tok-5f1e2d"
)

func injected() string { return "00-" + injectedTrace + "-" + injectedSpan + "-01" }

// TestExportOverUnixSocket runs the daemon against a receiver on a real unix
// socket and checks the whole contract of its spans.
func TestExportOverUnixSocket(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	d := startDaemon(t, []string{
		envBoxID + "=box-42",
		envTraceparent + "=" + injected(),
		envTracestate + "=boxscope=r1",
		envEndpoint + "=" + rcv.endpoint(),
		envOTLPHeaders + "=box-auth-token=" + boxToken,
		// Meant for programs in the box: must not redirect the daemon's export.
		"OTEL_EXPORTER_OTLP_TRACES_ENDPOINT=http://127.0.0.1:9/v1/traces",
		"OTEL_EXPORTER_OTLP_PROTOCOL=http/json",
		"SECRET_ENV_VALUE=env-value-must-not-leak",
	}, "--no-relay", "--", "sh", "-c", `echo "tp=$TRACEPARENT"; read line; exit 3`, "sh", "arg-value-must-not-leak")

	childTP := d.stdout.expect(t, "tp=")
	// The child blocks on stdin, so sandbox.boot arriving now proves it is
	// exported while the child runs, not at exit.
	boot := rcv.waitSpan(t, "sandbox.boot")
	_, _ = d.stdin.Write([]byte("go\n"))
	if code := d.wait(t, 15*time.Second); code != 3 {
		t.Fatalf("exit code %d, want 3; stderr: %s", code, d.stderr.String())
	}
	exit := rcv.waitSpan(t, "process.exit")
	start := rcv.waitSpan(t, "process.start")

	b := boot.span
	if hexID(b.TraceId) != injectedTrace || hexID(b.ParentSpanId) != injectedSpan {
		t.Fatalf("sandbox.boot trace/parent = %s/%s, want %s/%s", hexID(b.TraceId), hexID(b.ParentSpanId), injectedTrace, injectedSpan)
	}
	if b.TraceState != "boxscope=r1" {
		t.Errorf("tracestate %q not carried", b.TraceState)
	}
	if got := boot.request.headers.Get("box-auth-token"); got != boxToken {
		t.Errorf("box-auth-token header = %q", got)
	}
	if boot.request.path != "/v1/traces" {
		t.Errorf("path = %q", boot.request.path)
	}
	if got := strAttr(boot.resource, "service.name"); got != "boxlite-daemon" {
		t.Errorf("service.name = %q", got)
	}
	if attr(b.Attributes, attrRootReason) != nil {
		t.Errorf("continued trace marked as a new root")
	}
	for _, s := range []receivedSpan{boot, start, exit} {
		if got := strAttr(s.span.Attributes, attrBoxID); got != "box-42" {
			t.Errorf("%s: boxlite.box.id = %q", s.span.Name, got)
		}
		if hexID(s.span.TraceId) != injectedTrace {
			t.Errorf("%s: trace id %s", s.span.Name, hexID(s.span.TraceId))
		}
	}
	if !bytes.Equal(start.span.ParentSpanId, b.SpanId) || !bytes.Equal(exit.span.ParentSpanId, b.SpanId) {
		t.Errorf("process spans are not children of sandbox.boot")
	}
	if p := strAttr(start.span.Attributes, "process.executable.path"); !strings.HasSuffix(p, "/sh") {
		t.Errorf("process.executable.path = %q", p)
	}
	if got := attr(exit.span.Attributes, "process.exit.code").GetIntValue(); got != 3 {
		t.Errorf("process.exit.code = %d", got)
	}
	if exit.span.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || strAttr(exit.span.Attributes, "error.type") != "3" {
		t.Errorf("process.exit status %v error.type %q", exit.span.Status, strAttr(exit.span.Attributes, "error.type"))
	}
	if len(exit.span.Events) == 0 || strAttr(exit.span.Events[0].Attributes, "exception.type") != "exit_code" {
		t.Errorf("process.exit exception %v", exit.span.Events)
	}
	if b.Status.GetCode() == tracepb.Status_STATUS_CODE_ERROR {
		t.Errorf("sandbox.boot failed for a child that started")
	}
	if want := fmt.Sprintf("tp=00-%s-%s-01", injectedTrace, hexID(start.span.SpanId)); childTP != want {
		t.Errorf("child TRACEPARENT %q, want %q", childTP, want)
	}
	for _, rq := range rcv.requests() {
		for _, secret := range []string{"env-value-must-not-leak", "arg-value-must-not-leak"} {
			if bytes.Contains(rq.raw, []byte(secret)) {
				t.Errorf("export carries %q", secret)
			}
		}
	}
	t.Logf("sandbox.boot (daemon start to child started): %s", time.Duration(b.EndTimeUnixNano-b.StartTimeUnixNano))
}

func TestNewRootWhenTraceparentMissingOrMalformed(t *testing.T) {
	t.Parallel()
	cases := []struct{ name, tp, reason string }{
		{"missing", "", rootReasonMissing},
		{"version ff", "ff-" + injectedTrace + "-" + injectedSpan + "-01", rootReasonInvalid},
		{"zero trace id", "00-00000000000000000000000000000000-" + injectedSpan + "-01", rootReasonInvalid},
		{"uppercase", "00-" + strings.ToUpper(injectedTrace) + "-" + injectedSpan + "-01", rootReasonInvalid},
		{"garbage", "not-a-traceparent", rootReasonInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t)
			env := []string{envBoxID + "=box-root", envEndpoint + "=" + rcv.endpoint()}
			if c.tp != "" {
				env = append(env, envTraceparent+"="+c.tp)
			}
			d := startDaemon(t, env, "--no-relay", "--", "true")
			if code := d.wait(t, 15*time.Second); code != 0 {
				t.Fatalf("exit code %d; stderr: %s", code, d.stderr.String())
			}
			boot := rcv.waitSpan(t, "sandbox.boot").span
			if len(boot.ParentSpanId) != 0 || hexID(boot.TraceId) == injectedTrace {
				t.Fatalf("expected a new root, got parent %s in trace %s", hexID(boot.ParentSpanId), hexID(boot.TraceId))
			}
			if got := strAttr(boot.Attributes, attrRootReason); got != c.reason {
				t.Fatalf("root reason %q, want %q", got, c.reason)
			}
			warned := strings.Contains(d.stderr.String(), "BOXLITE_TRACEPARENT is not a valid")
			if warned != (c.reason == rootReasonInvalid) {
				t.Fatalf("stderr %q", d.stderr.String())
			}
		})
	}
}

func TestExitCodes(t *testing.T) {
	t.Parallel()
	cases := []struct {
		script string
		code   int
	}{
		{"exit 0", 0},
		{"exit 3", 3},
		{"exit 255", 255},
		{"kill -TERM $$", 128 + int(syscall.SIGTERM)},
		{"kill -KILL $$", 128 + int(syscall.SIGKILL)},
	}
	for _, c := range cases {
		t.Run(c.script, func(t *testing.T) {
			t.Parallel()
			d := startDaemon(t, nil, "--", "sh", "-c", c.script)
			if code := d.wait(t, 10*time.Second); code != c.code {
				t.Fatalf("exit code %d, want %d; stderr: %s", code, c.code, d.stderr.String())
			}
		})
	}
}

func TestSignalSpanAttributes(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	d := startDaemon(t, []string{envEndpoint + "=" + rcv.endpoint(), envTraceparent + "=" + injected()}, "--no-relay", "sh", "-c", "kill -KILL $$")
	if code := d.wait(t, 10*time.Second); code != 137 {
		t.Fatalf("exit code %d", code)
	}
	exit := rcv.waitSpan(t, "process.exit").span
	if strAttr(exit.Attributes, attrSignal) != "SIGKILL" || strAttr(exit.Attributes, "error.type") != "SIGKILL" {
		t.Fatalf("attributes %v", exit.Attributes)
	}
	if exit.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || len(exit.Events) == 0 || exit.Events[0].Name != "exception" {
		t.Fatalf("status %v events %v", exit.Status, exit.Events)
	}
	if got := strAttr(exit.Events[0].Attributes, "exception.type"); got != "signal" {
		t.Fatalf("exception.type %q", got)
	}
	start := rcv.waitSpan(t, "process.start").span
	pid := attr(exit.Attributes, "process.pid").GetIntValue()
	if pid <= 0 || pid != attr(start.Attributes, "process.pid").GetIntValue() {
		t.Fatalf("process.exit pid %d, process.start pid %d", pid, attr(start.Attributes, "process.pid").GetIntValue())
	}
}

func TestStartFailures(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	noExec := filepath.Join(dir, "not-executable")
	if err := os.WriteFile(noExec, []byte("#!/bin/sh\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	cases := []struct {
		name    string
		args    []string
		code    int
		errType string
	}{
		{"not found in PATH", []string{"--", "no-such-command-xyz"}, 127, "command_not_found"},
		{"missing path", []string{"--", "/no/such/file"}, 127, "command_not_found"},
		{"not executable", []string{"--", noExec}, 126, "permission_denied"},
		{"directory", []string{"--", dir}, 126, "is_a_directory"},
		{"no command", []string{"--"}, 127, "no_command"},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			rcv := newReceiver(t)
			d := startDaemon(t, []string{envEndpoint + "=" + rcv.endpoint(), envTraceparent + "=" + injected()}, append([]string{"--no-relay"}, c.args...)...)
			if code := d.wait(t, 10*time.Second); code != c.code {
				t.Fatalf("exit code %d, want %d", code, c.code)
			}
			lines := strings.Split(strings.TrimSpace(d.stderr.String()), "\n")
			if len(lines) != 1 || !strings.HasPrefix(lines[0], "boxlite-daemon: ") {
				t.Fatalf("stderr should be one clear line, got %q", d.stderr.String())
			}
			exit := rcv.waitSpan(t, "process.exit").span
			if exit.Status.GetCode() != tracepb.Status_STATUS_CODE_ERROR || strAttr(exit.Attributes, "error.type") != c.errType {
				t.Fatalf("process.exit status %v error.type %q", exit.Status, strAttr(exit.Attributes, "error.type"))
			}
			if len(exit.Events) == 0 || strAttr(exit.Events[0].Attributes, "exception.type") != c.errType {
				t.Fatalf("process.exit exception %v", exit.Events)
			}
			if hexID(rcv.waitSpan(t, "sandbox.boot").span.ParentSpanId) != injectedSpan {
				t.Fatalf("sandbox.boot lost its parent")
			}
		})
	}
}

func TestSignalsAreForwarded(t *testing.T) {
	t.Parallel()
	for _, name := range []string{"TERM", "INT", "HUP", "QUIT", "USR1", "USR2"} {
		t.Run(name, func(t *testing.T) {
			t.Parallel()
			script := fmt.Sprintf(`trap 'echo got-%[1]s; exit 7' %[1]s; echo ready; while :; do sleep 0.05; done`, name)
			d := startDaemon(t, nil, "--", "sh", "-c", script)
			d.stdout.expect(t, "ready")
			sig := map[string]syscall.Signal{"TERM": syscall.SIGTERM, "INT": syscall.SIGINT, "HUP": syscall.SIGHUP,
				"QUIT": syscall.SIGQUIT, "USR1": syscall.SIGUSR1, "USR2": syscall.SIGUSR2}[name]
			if err := d.cmd.Process.Signal(sig); err != nil {
				t.Fatal(err)
			}
			d.stdout.expect(t, "got-"+name)
			if code := d.wait(t, 10*time.Second); code != 7 {
				t.Fatalf("exit code %d, want 7 (the child's trap); stderr: %s", code, d.stderr.String())
			}
		})
	}
	t.Run("unhandled TERM kills the child", func(t *testing.T) {
		t.Parallel()
		d := startDaemon(t, nil, "--", "sh", "-c", "echo ready; exec sleep 30")
		d.stdout.expect(t, "ready")
		time.Sleep(50 * time.Millisecond) // let sh exec sleep
		_ = d.cmd.Process.Signal(syscall.SIGTERM)
		if code := d.wait(t, 10*time.Second); code != 143 {
			t.Fatalf("exit code %d, want 143", code)
		}
	})
}

// TestReapsOrphans leaves a grandchild orphaned: it is re-parented to the
// daemon (a subreaper, as PID 1 would be) and must not stay a zombie.
func TestReapsOrphans(t *testing.T) {
	t.Parallel()
	d := startDaemon(t, nil, "--", "sh", "-c", `(sleep 1 &) ; echo ready; read line`)
	d.stdout.expect(t, "ready")
	daemonPid := d.cmd.Process.Pid

	sawOrphan := false
	deadline := time.Now().Add(10 * time.Second)
	for time.Now().Before(deadline) {
		kids := childrenOf(daemonPid)
		orphans, zombies := 0, 0
		for _, k := range kids {
			if k.comm == "sleep" {
				orphans++
				if k.state == "Z" {
					zombies++
				}
			}
		}
		if orphans > 0 {
			sawOrphan = true
		}
		if sawOrphan && orphans == 0 {
			break
		}
		time.Sleep(20 * time.Millisecond)
	}
	if !sawOrphan {
		t.Fatal("the orphan was never re-parented to the daemon")
	}
	for _, k := range childrenOf(daemonPid) {
		if k.state == "Z" {
			t.Fatalf("zombie %d (%s) left under the daemon", k.pid, k.comm)
		}
	}
	_, _ = d.stdin.Write([]byte("done\n"))
	if code := d.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

type procInfo struct {
	pid   int
	comm  string
	state string
}

func childrenOf(ppid int) []procInfo {
	var out []procInfo
	entries, _ := os.ReadDir("/proc")
	for _, e := range entries {
		raw, err := os.ReadFile("/proc/" + e.Name() + "/stat")
		if err != nil {
			continue
		}
		s := string(raw)
		open, close := strings.IndexByte(s, '('), strings.LastIndexByte(s, ')')
		if open < 0 || close < open {
			continue
		}
		var pid, parent int
		var state string
		fmt.Sscan(s[:open], &pid)
		if _, err := fmt.Sscan(s[close+1:], &state, &parent); err != nil || parent != ppid {
			continue
		}
		out = append(out, procInfo{pid: pid, comm: s[open+1 : close], state: state})
	}
	return out
}

// TestRelayForwardsToSocket posts as a program in the box would, to the
// standard loopback endpoint, and checks the request reaches the socket intact.
func TestRelayForwardsToSocket(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	port := freePort(t)
	d := startDaemon(t, []string{
		envEndpoint + "=" + rcv.endpoint(),
		envTraceparent + "=" + injected(),
		envOTLPHeaders + "=box-auth-token=" + boxToken,
		envOTLPEndpoint + fmt.Sprintf("=http://127.0.0.1:%d", port),
	}, "--", "sh", "-c", "echo ready; read line")
	d.stdout.expect(t, "ready")

	body := encodeRequest(t, "app.work")
	url := fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port)
	for _, token := range []string{"app-own-token", ""} {
		req, _ := http.NewRequest(http.MethodPost, url, bytes.NewReader(body))
		req.Header.Set("Content-Type", "application/x-protobuf")
		if token != "" {
			req.Header.Set("box-auth-token", token)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusOK {
			t.Fatalf("relay answered %d", resp.StatusCode)
		}
	}
	var tokens []string
	for _, rq := range rcv.requests() {
		for _, rs := range rq.req.GetResourceSpans() {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					if s.Name == "app.work" {
						if rq.path != "/v1/traces" || !bytes.Equal(rq.raw, body) {
							t.Errorf("relayed request changed: path %q", rq.path)
						}
						tokens = append(tokens, rq.headers.Get("box-auth-token"))
					}
				}
			}
		}
	}
	// The relay passes the caller's token and never adds the daemon's own.
	if strings.Join(tokens, ",") != "app-own-token," {
		t.Fatalf("tokens seen by the receiver: %v", tokens)
	}
	_, _ = d.stdin.Write([]byte("done\n"))
	if code := d.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}

func TestRelaySkippedWhenPortTaken(t *testing.T) {
	t.Parallel()
	rcv := newReceiver(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	d := startDaemon(t, []string{
		envEndpoint + "=" + rcv.endpoint(),
		envOTLPEndpoint + "=http://" + ln.Addr().String(),
	}, "--", "sh", "-c", "echo ran")
	d.stdout.expect(t, "ran")
	if code := d.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d; stderr %s", code, d.stderr.String())
	}
	rcv.waitSpan(t, "process.exit")
}

// TestUnreachableReceiverDoesNotHoldTheChild: a missing socket and a receiver
// that accepts but never answers. The child runs at once, the failure is one
// line on stderr, and the daemon exits with the child's code after a bounded
// flush — a short one once the boot export has already failed.
func TestUnreachableReceiverDoesNotHoldTheChild(t *testing.T) {
	t.Parallel()
	dir, err := os.MkdirTemp("", "bxd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	silent := filepath.Join(dir, "silent.sock")
	ln, err := net.Listen("unix", silent)
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			defer c.Close()
		}
	}()
	cases := []struct {
		name, socket   string
		waitForFailure bool
	}{
		{"missing socket, child exits at once", filepath.Join(dir, "none.sock"), false},
		{"silent receiver, child exits at once", silent, false},
		{"missing socket, child exits after the failed boot export", filepath.Join(dir, "none.sock"), true},
		{"silent receiver, child exits after the failed boot export", silent, true},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			script := "echo started; exit 5"
			if c.waitForFailure {
				script = "echo started; read line; exit 5"
			}
			d := startDaemon(t, []string{envEndpoint + "=unix://" + c.socket, envTraceparent + "=" + injected()},
				"--no-relay", "--", "sh", "-c", script)
			d.stdout.expect(t, "started")
			childRan := time.Since(d.start)
			released := time.Now()
			if c.waitForFailure {
				deadline := time.Now().Add(10 * time.Second)
				for !strings.Contains(d.stderr.String(), "trace export failed") && time.Now().Before(deadline) {
					time.Sleep(20 * time.Millisecond)
				}
				released = time.Now()
				_, _ = d.stdin.Write([]byte("go\n"))
			}
			// exitFlushFor bounds the wait; the margin covers process start-up on a loaded machine.
			if code := d.wait(t, exitFlushFor+6*time.Second); code != 5 {
				t.Fatalf("exit code %d, want 5", code)
			}
			if n := strings.Count(d.stderr.String(), "trace export failed"); n != 1 {
				t.Fatalf("want one line about the failed export, got %d: %q", n, d.stderr.String())
			}
			t.Logf("child output after %s; daemon exited %s after the child could end", childRan, time.Since(released))
		})
	}
}

// TestTerminalForeground runs the daemon on a pseudo-terminal (as with
// docker run -t): the child must own the terminal's foreground process group.
func TestTerminalForeground(t *testing.T) {
	t.Parallel()
	scriptBin, err := exec.LookPath("script")
	if err != nil {
		t.Skip("script (util-linux) not installed")
	}
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	child := `set -- $(cat /proc/$$/stat); echo "pid=$1 pgrp=$5 tpgid=$8"`
	cmdline := fmt.Sprintf("'%s' --no-relay -- sh -c '%s'", exe, strings.ReplaceAll(child, "'", `'\''`))
	cmd := exec.Command(scriptBin, "-qec", cmdline, "/dev/null")
	cmd.Env = []string{asDaemonEnv + "=1", "PATH=" + os.Getenv("PATH")}
	cmd.WaitDelay = 2 * time.Second
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("%v: %s", err, out)
	}
	var pid, pgrp, tpgid int
	line := strings.TrimSpace(string(out))
	if _, err := fmt.Sscanf(line[strings.Index(line, "pid="):], "pid=%d pgrp=%d tpgid=%d", &pid, &pgrp, &tpgid); err != nil {
		t.Fatalf("child said %q: %v", line, err)
	}
	if pgrp != pid || tpgid != pid {
		t.Fatalf("child %d: process group %d, terminal foreground group %d", pid, pgrp, tpgid)
	}
}

// TestExportRetries: a receiver that comes up after the daemon, and one that
// is briefly unavailable, both still get sandbox.boot while the child runs.
func TestExportRetries(t *testing.T) {
	t.Parallel()
	t.Run("socket appears late", func(t *testing.T) {
		t.Parallel()
		rcv := &otlpReceiver{socket: tempSocketPath(t), notify: make(chan struct{}, 1)}
		d := startDaemon(t, []string{envEndpoint + "=" + rcv.endpoint(), envTraceparent + "=" + injected()},
			"--no-relay", "--", "sh", "-c", "echo up; read line")
		d.stdout.expect(t, "up")
		time.Sleep(300 * time.Millisecond)
		rcv.listen(t)
		rcv.waitSpan(t, "sandbox.boot")
		_, _ = d.stdin.Write([]byte("done\n"))
		if code := d.wait(t, 10*time.Second); code != 0 {
			t.Fatalf("exit code %d", code)
		}
	})
	t.Run("503 then accepted", func(t *testing.T) {
		t.Parallel()
		rcv := &otlpReceiver{socket: tempSocketPath(t), notify: make(chan struct{}, 1), unavailable: 2}
		rcv.listen(t)
		d := startDaemon(t, []string{envEndpoint + "=" + rcv.endpoint(), envTraceparent + "=" + injected()},
			"--no-relay", "--", "sh", "-c", "echo up; read line")
		d.stdout.expect(t, "up")
		rcv.waitSpan(t, "sandbox.boot")
		_, _ = d.stdin.Write([]byte("done\n"))
		if code := d.wait(t, 10*time.Second); code != 0 {
			t.Fatalf("exit code %d", code)
		}
		rcv.waitSpan(t, "process.exit")
	})
}

// TestExportOverTCP: a receiver reached over TCP (host.docker.internal in a
// bridged box), for the daemon's own spans and for the relay.
func TestExportOverTCP(t *testing.T) {
	t.Parallel()
	rcv := &otlpReceiver{notify: make(chan struct{}, 1)}
	srv := httptest.NewServer(http.HandlerFunc(rcv.serve))
	defer srv.Close()
	port := freePort(t)
	d := startDaemon(t, []string{
		envEndpoint + "=" + srv.URL,
		envTraceparent + "=" + injected(),
		envOTLPHeaders + "=box-auth-token=" + boxToken,
		envOTLPEndpoint + fmt.Sprintf("=http://localhost:%d", port),
	}, "--", "sh", "-c", "echo ready; read line")
	d.stdout.expect(t, "ready")
	boot := rcv.waitSpan(t, "sandbox.boot")
	if hexID(boot.span.ParentSpanId) != injectedSpan || boot.request.headers.Get("box-auth-token") != boxToken {
		t.Fatalf("boot parent %s, token %q", hexID(boot.span.ParentSpanId), boot.request.headers.Get("box-auth-token"))
	}
	req, _ := http.NewRequest(http.MethodPost, fmt.Sprintf("http://127.0.0.1:%d/v1/traces", port), bytes.NewReader(encodeRequest(t, "app.tcp")))
	req.Header.Set("Content-Type", "application/x-protobuf")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		t.Fatalf("relay answered %d", resp.StatusCode)
	}
	rcv.waitSpan(t, "app.tcp")
	_, _ = d.stdin.Write([]byte("done\n"))
	if code := d.wait(t, 10*time.Second); code != 0 {
		t.Fatalf("exit code %d", code)
	}
}
