package main

import (
	"bufio"
	"bytes"
	"encoding/hex"
	"io"
	"net"
	"net/http"
	"os"
	"os/exec"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	commonpb "go.opentelemetry.io/proto/otlp/common/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

// asDaemonEnv makes the test binary run the daemon's main, so the tests drive
// a real process: real signals, exit codes, stdio and sockets.
const asDaemonEnv = "BOXSCOPE_DAEMON_TEST_AS_DAEMON"

func TestMain(m *testing.M) {
	if os.Getenv(asDaemonEnv) == "1" {
		main()
	}
	os.Exit(m.Run())
}

// daemon is one run of the daemon as a subprocess.
type daemon struct {
	cmd    *exec.Cmd
	stdin  io.WriteCloser
	stdout *lineReader
	stderr *lockedBuffer
	start  time.Time
}

// startDaemon runs the daemon with a clean env plus env (KEY=VALUE) and args.
func startDaemon(t *testing.T, env []string, args ...string) *daemon {
	t.Helper()
	exe, err := os.Executable()
	if err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command(exe, args...)
	cmd.Env = append([]string{asDaemonEnv + "=1", "PATH=" + os.Getenv("PATH")}, env...)
	// Its own process group, so a failed test can end the daemon's child too;
	// WaitDelay, so a child that outlives the daemon cannot hang Wait on stderr.
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	cmd.WaitDelay = 2 * time.Second
	stdin, err := cmd.StdinPipe()
	if err != nil {
		t.Fatal(err)
	}
	out, err := cmd.StdoutPipe()
	if err != nil {
		t.Fatal(err)
	}
	d := &daemon{cmd: cmd, stdin: stdin, stderr: &lockedBuffer{}}
	cmd.Stderr = d.stderr
	d.start = time.Now()
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	d.stdout = newLineReader(out)
	t.Cleanup(func() {
		_ = syscall.Kill(-cmd.Process.Pid, syscall.SIGKILL)
		if cmd.ProcessState == nil {
			_ = cmd.Wait()
		}
	})
	return d
}

// wait returns the daemon's exit code, failing the test if it takes longer than limit.
func (d *daemon) wait(t *testing.T, limit time.Duration) int {
	t.Helper()
	done := make(chan error, 1)
	go func() { done <- d.cmd.Wait() }()
	select {
	case <-done:
	case <-time.After(limit):
		_ = syscall.Kill(-d.cmd.Process.Pid, syscall.SIGKILL)
		<-done
		t.Fatalf("daemon still running after %s; stderr: %s", limit, d.stderr.String())
	}
	return d.cmd.ProcessState.ExitCode()
}

// lockedBuffer collects stderr while the test reads it.
type lockedBuffer struct {
	mu  sync.Mutex
	buf bytes.Buffer
}

func (l *lockedBuffer) Write(p []byte) (int, error) {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.Write(p)
}

func (l *lockedBuffer) String() string {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.buf.String()
}

// lineReader collects a process's stdout lines as they come.
type lineReader struct {
	lines chan string
}

func newLineReader(r io.Reader) *lineReader {
	l := &lineReader{lines: make(chan string, 64)}
	go func() {
		s := bufio.NewScanner(r)
		for s.Scan() {
			l.lines <- s.Text()
		}
		close(l.lines)
	}()
	return l
}

// expect waits for a line with prefix and returns it.
func (l *lineReader) expect(t *testing.T, prefix string) string {
	t.Helper()
	timeout := time.After(10 * time.Second)
	for {
		select {
		case line, ok := <-l.lines:
			if !ok {
				t.Fatalf("stdout closed before a line starting with %q", prefix)
			}
			if strings.HasPrefix(line, prefix) {
				return line
			}
		case <-timeout:
			t.Fatalf("no line starting with %q", prefix)
		}
	}
}

// receivedRequest is one OTLP export as the receiver saw it.
type receivedRequest struct {
	path    string
	headers http.Header
	raw     []byte
	req     *coltracepb.ExportTraceServiceRequest
}

// otlpReceiver is an OTLP/HTTP protobuf receiver on a unix socket, standing in
// for the app's receiver at the other end of the bind mount.
type otlpReceiver struct {
	socket string
	mu     sync.Mutex
	reqs   []receivedRequest
	notify chan struct{}
	// unavailable answers this many requests with 503 before accepting any.
	unavailable int
	refused     int
}

func newReceiver(t testing.TB) *otlpReceiver {
	t.Helper()
	r := &otlpReceiver{socket: tempSocketPath(t), notify: make(chan struct{}, 1)}
	r.listen(t)
	return r
}

func tempSocketPath(t testing.TB) string {
	t.Helper()
	dir, err := os.MkdirTemp("", "bxd-")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { _ = os.RemoveAll(dir) })
	return dir + "/otlp.sock"
}

func (r *otlpReceiver) listen(t testing.TB) {
	t.Helper()
	ln, err := net.Listen("unix", r.socket)
	if err != nil {
		t.Error(err)
		return
	}
	srv := &http.Server{Handler: http.HandlerFunc(r.serve)}
	go func() { _ = srv.Serve(ln) }()
	t.Cleanup(func() { _ = srv.Close() })
}

func (r *otlpReceiver) endpoint() string { return "unix://" + r.socket }

func (r *otlpReceiver) serve(w http.ResponseWriter, req *http.Request) {
	raw, err := io.ReadAll(req.Body)
	if err != nil {
		w.WriteHeader(http.StatusBadRequest)
		return
	}
	r.mu.Lock()
	refuse := r.refused < r.unavailable
	if refuse {
		r.refused++
	}
	r.mu.Unlock()
	if refuse {
		w.WriteHeader(http.StatusServiceUnavailable)
		return
	}
	// JSON bodies (a box's own programs may send them) are kept raw.
	var msg *coltracepb.ExportTraceServiceRequest
	if req.Header.Get("Content-Type") == "application/x-protobuf" {
		msg = &coltracepb.ExportTraceServiceRequest{}
		if err := proto.Unmarshal(raw, msg); err != nil {
			w.WriteHeader(http.StatusBadRequest)
			return
		}
	}
	r.mu.Lock()
	r.reqs = append(r.reqs, receivedRequest{path: req.URL.Path, headers: req.Header.Clone(), raw: raw, req: msg})
	r.mu.Unlock()
	select {
	case r.notify <- struct{}{}:
	default:
	}
	w.Header().Set("Content-Type", "application/x-protobuf")
	out, _ := proto.Marshal(&coltracepb.ExportTraceServiceResponse{})
	_, _ = w.Write(out)
}

func (r *otlpReceiver) requests() []receivedRequest {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]receivedRequest(nil), r.reqs...)
}

// receivedSpan is a span with the request and resource it came in.
type receivedSpan struct {
	span     *tracepb.Span
	resource []*commonpb.KeyValue
	request  receivedRequest
}

func (r *otlpReceiver) spans() map[string]receivedSpan {
	out := map[string]receivedSpan{}
	for _, rq := range r.requests() {
		for _, rs := range rq.req.GetResourceSpans() {
			for _, ss := range rs.ScopeSpans {
				for _, s := range ss.Spans {
					out[s.Name] = receivedSpan{span: s, resource: rs.GetResource().GetAttributes(), request: rq}
				}
			}
		}
	}
	return out
}

// waitSpan waits until a span with that name has arrived.
func (r *otlpReceiver) waitSpan(t *testing.T, name string) receivedSpan {
	t.Helper()
	deadline := time.After(10 * time.Second)
	for {
		if s, ok := r.spans()[name]; ok {
			return s
		}
		select {
		case <-r.notify:
		case <-time.After(20 * time.Millisecond):
		case <-deadline:
			t.Fatalf("span %q never arrived; got %d requests", name, len(r.requests()))
		}
	}
}

func attr(kvs []*commonpb.KeyValue, key string) *commonpb.AnyValue {
	for _, kv := range kvs {
		if kv.Key == key {
			return kv.Value
		}
	}
	return nil
}

func strAttr(kvs []*commonpb.KeyValue, key string) string {
	return attr(kvs, key).GetStringValue()
}

func hexID(b []byte) string { return hex.EncodeToString(b) }

// freePort returns a loopback port nobody listens on right now.
func freePort(t *testing.T) int {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	return ln.Addr().(*net.TCPAddr).Port
}
