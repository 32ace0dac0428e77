package main

import (
	"archive/tar"
	"bytes"
	"context"
	"crypto/rand"
	"encoding/hex"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
	"time"
)

const e2eImage = "boxscope-daemon-test/busybox:1"

// TestDockerEndToEnd runs the static daemon in a real box the way the runner
// does: bind-mounted read-only as the entrypoint, network none, the socket
// directory bind-mounted. Skipped without an engine unless
// BOXSCOPE_REQUIRE_DOCKER=1 (then a missing engine fails the test).
func TestDockerEndToEnd(t *testing.T) {
	t.Parallel()
	requireDocker(t)
	bin := buildStatic(t)
	ensureImage(t)

	rcv := newReceiver(t)
	name := "bxd-e2e-" + randomHex(4)
	t.Cleanup(func() { _ = exec.Command("docker", "rm", "-f", name).Run() })
	script := `echo box-up; ` +
		`busybox wget -q -O /dev/null --header 'Content-Type: application/json' ` +
		`--header "box-auth-token: ${OTEL_EXPORTER_OTLP_HEADERS#box-auth-token=}" ` +
		`--post-data '{"resourceSpans":[{"scopeSpans":[{"spans":[{"name":"box.app.span"}]}]}]}' ` +
		`http://127.0.0.1:4318/v1/traces && echo relayed; exit 4`
	ctx, cancel := context.WithTimeout(context.Background(), 90*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, "docker", "run", "--rm", "--name", name, "--network", "none",
		"-v", bin+":/.boxlite/boxlite-daemon:ro",
		"-v", filepath.Dir(rcv.socket)+":/.boxlite/run",
		"-e", envBoxID+"=box-e2e",
		"-e", envTraceparent+"="+injected(),
		"-e", envEndpoint+"=unix:///.boxlite/run/otlp.sock",
		"-e", envOTLPHeaders+"=box-auth-token="+boxToken,
		"-e", envOTLPEndpoint+"=http://127.0.0.1:4318",
		"--entrypoint", "/.boxlite/boxlite-daemon",
		e2eImage, "--", "sh", "-c", script)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	if cmd.ProcessState == nil || cmd.ProcessState.ExitCode() != 4 {
		t.Fatalf("docker run: %v; stdout %q; stderr %q", err, stdout.String(), stderr.String())
	}
	if !strings.Contains(stdout.String(), "box-up") || !strings.Contains(stdout.String(), "relayed") {
		t.Fatalf("box output %q; stderr %q", stdout.String(), stderr.String())
	}

	boot := rcv.waitSpan(t, "sandbox.boot")
	if hexID(boot.span.TraceId) != injectedTrace || hexID(boot.span.ParentSpanId) != injectedSpan {
		t.Fatalf("sandbox.boot trace/parent %s/%s", hexID(boot.span.TraceId), hexID(boot.span.ParentSpanId))
	}
	if boot.request.headers.Get("box-auth-token") != boxToken {
		t.Fatalf("box-auth-token not sent")
	}
	if code := attr(rcv.waitSpan(t, "process.exit").span.Attributes, "process.exit.code").GetIntValue(); code != 4 {
		t.Fatalf("process.exit.code %d", code)
	}
	relayed := false
	for _, rq := range rcv.requests() {
		if bytes.Contains(rq.raw, []byte("box.app.span")) {
			relayed = rq.path == "/v1/traces" && rq.headers.Get("box-auth-token") == boxToken
		}
	}
	if !relayed {
		t.Fatal("the box's own export did not reach the socket through the relay with its token")
	}
	t.Logf("sandbox.boot in a box: %s", time.Duration(boot.span.EndTimeUnixNano-boot.span.StartTimeUnixNano))
}

func requireDocker(t *testing.T) {
	t.Helper()
	skip := func(why string) {
		if os.Getenv("BOXSCOPE_REQUIRE_DOCKER") == "1" {
			t.Fatal(why)
		}
		t.Skip(why)
	}
	if runtime.GOOS != "linux" {
		skip("needs a local Linux engine")
	}
	if _, err := exec.LookPath("docker"); err != nil {
		skip("docker CLI not installed")
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	if err := exec.CommandContext(ctx, "docker", "version", "--format", "{{.Server.Version}}").Run(); err != nil {
		skip("Docker engine not reachable")
	}
}

// buildStatic builds the daemon as the build script does, for this machine's
// architecture, sharing its build cache.
func buildStatic(t *testing.T) string {
	t.Helper()
	out := filepath.Join(t.TempDir(), "boxlite-daemon")
	cmd := exec.Command("go", "build", "-trimpath", "-ldflags", "-s -w", "-o", out, ".")
	cmd.Env = append(os.Environ(), "CGO_ENABLED=0", "GOOS=linux", "GOFLAGS=-mod=readonly -buildvcs=false")
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("go build: %v\n%s", err, b)
	}
	return out
}

// ensureImage imports a one-binary busybox image (no registry needed).
func ensureImage(t *testing.T) {
	t.Helper()
	if exec.Command("docker", "image", "inspect", e2eImage).Run() == nil {
		return
	}
	busybox, err := os.ReadFile("/bin/busybox")
	if err != nil {
		if os.Getenv("BOXSCOPE_REQUIRE_DOCKER") == "1" {
			t.Fatal("busybox-static is not installed")
		}
		t.Skip("busybox-static is not installed")
	}
	var buf bytes.Buffer
	tw := tar.NewWriter(&buf)
	_ = tw.WriteHeader(&tar.Header{Name: "bin/", Typeflag: tar.TypeDir, Mode: 0o755})
	_ = tw.WriteHeader(&tar.Header{Name: "bin/busybox", Mode: 0o755, Size: int64(len(busybox))})
	_, _ = tw.Write(busybox)
	_ = tw.WriteHeader(&tar.Header{Name: "bin/sh", Typeflag: tar.TypeSymlink, Linkname: "busybox"})
	_ = tw.WriteHeader(&tar.Header{Name: "tmp/", Typeflag: tar.TypeDir, Mode: 0o1777})
	if err := tw.Close(); err != nil {
		t.Fatal(err)
	}
	cmd := exec.Command("docker", "import", "-", e2eImage)
	cmd.Stdin = &buf
	if b, err := cmd.CombinedOutput(); err != nil {
		t.Fatalf("docker import: %v\n%s", err, b)
	}
}

func randomHex(n int) string {
	b := make([]byte, n)
	_, _ = rand.Read(b)
	return hex.EncodeToString(b)
}
