// Command boxlite-daemon is the in-box entrypoint wrapper: it records the
// box's boot as a child of the runner's span, runs the image's own command as
// its child, forwards signals, reaps zombies and exits with the child's code.
package main

import (
	"context"
	"fmt"
	"io"
	"os"
	"runtime"
	"strings"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/codes"
	"go.opentelemetry.io/otel/propagation"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
	"go.opentelemetry.io/otel/trace"
)

// version is replaced at build time when a release stamps it.
var version = "0.1.0"

const (
	serviceName    = "boxlite-daemon"
	attrBoxID      = "boxlite.box.id"
	attrRootReason = "boxlite.trace.root_reason"
	attrSignal     = "process.exit.signal"
	// Set on sandbox.boot when the child ended before childSettle: the launch reports it as exited at once.
	attrExitedAtOnce = "boxlite.process.exited_at_once"
)

// How long the child must live before the daemon sends sandbox.boot: an exit
// at once (a bad config, a missing file) happens well within it.
const childSettle = 30 * time.Millisecond

const (
	envBoxID        = "BOXLITE_BOX_ID"
	envTraceparent  = "BOXLITE_TRACEPARENT"
	envTracestate   = "BOXLITE_TRACESTATE"
	envEndpoint     = "BOXLITE_OTEL_ENDPOINT"
	envOTLPHeaders  = "OTEL_EXPORTER_OTLP_HEADERS"
	envOTLPEndpoint = "OTEL_EXPORTER_OTLP_ENDPOINT"
)

const usage = `usage: boxlite-daemon [--no-relay] [--] COMMAND [ARG...]
       boxlite-daemon --version

Runs COMMAND as its child, records sandbox.boot / process.start / process.exit
spans and exits with COMMAND's exit code (128+n when killed by signal n).
Reads BOXLITE_BOX_ID, BOXLITE_TRACEPARENT, BOXLITE_TRACESTATE,
BOXLITE_OTEL_ENDPOINT (unix:///path.sock or http(s)://host:port) and
OTEL_EXPORTER_OTLP_HEADERS.

  --no-relay   do not relay OTLP from the box's loopback to the receiver
`

func main() {
	started := time.Now()
	os.Exit(run(started, os.Args[1:], os.Getenv, os.Stdout, os.Stderr))
}

type options struct {
	command []string
	noRelay bool
}

// parseArgs reads the daemon's own flags up to "--"; everything after it (or
// from the first non-flag word) is the child's command, untouched.
func parseArgs(args []string) (opts options, exit int, msg string) {
	for i := 0; i < len(args); i++ {
		switch a := args[i]; {
		case a == "--":
			opts.command = args[i+1:]
			return opts, -1, ""
		case a == "--version" || a == "-version":
			return opts, 0, fmt.Sprintf("boxlite-daemon %s (%s/%s, %s)\n", version, runtime.GOOS, runtime.GOARCH, runtime.Version())
		case a == "--help" || a == "-h":
			return opts, 0, usage
		case a == "--no-relay":
			opts.noRelay = true
		case strings.HasPrefix(a, "-"):
			return opts, 2, fmt.Sprintf("boxlite-daemon: unknown flag %s\n%s", a, usage)
		default:
			opts.command = args[i:]
			return opts, -1, ""
		}
	}
	return opts, -1, ""
}

func run(started time.Time, args []string, getenv func(string) string, stdout, stderr io.Writer) int {
	opts, code, msg := parseArgs(args)
	if code >= 0 {
		out := stdout
		if code != 0 {
			out = stderr
		}
		_, _ = io.WriteString(out, msg)
		return code
	}
	warn := func(s string) { _, _ = fmt.Fprintf(stderr, "boxlite-daemon: %s\n", s) }
	// First, so that a signal sent while the daemon sets up is queued for the child.
	sup := newSupervisor()

	boxID := getenv(envBoxID)
	rcv, tel := setupTelemetry(getenv, boxID, warn)
	parent, rootReason := bootParent(context.Background(), traceparentFile, getenv, warn)
	box := attribute.String(attrBoxID, boxID)
	tracer := tel.tp.Tracer("boxscope/daemon", trace.WithInstrumentationVersion(version))
	bootAttrs := []attribute.KeyValue{box}
	if rootReason != "" {
		bootAttrs = append(bootAttrs, attribute.String(attrRootReason, rootReason))
	}
	ctx, boot := tracer.Start(parent, "sandbox.boot", trace.WithTimestamp(started), trace.WithAttributes(bootAttrs...))

	if rcv != nil && !opts.noRelay {
		if addr := relayAddr(getenv(envOTLPEndpoint)); addr != "" {
			if ln, err := startRelay(addr, *rcv); err == nil {
				defer ln.Close()
			}
		}
	}

	_, startSpan := tracer.Start(ctx, "process.start", trace.WithAttributes(box))
	name := ""
	if len(opts.command) > 0 {
		name = opts.command[0]
	}
	path, serr := resolve(name, getenv("PATH"))
	var child *os.Process
	if serr == nil {
		startSpan.SetAttributes(semconv.ProcessExecutablePath(path))
		child, serr = sup.start(path, opts.command, childEnv(os.Environ(), startSpan.SpanContext(), tel.exporter))
	}
	if serr != nil {
		warn(serr.Error())
		for _, span := range []trace.Span{startSpan, boot} {
			fail(span, serr.kind, serr.kind, serr)
		}
		startSpan.End()
		_, exit := tracer.Start(ctx, "process.exit", trace.WithAttributes(box, semconv.ProcessExitCode(serr.code)))
		fail(exit, serr.kind, serr.kind, serr)
		exit.End()
		boot.End()
		tel.shutdown()
		return serr.code
	}
	startSpan.SetAttributes(semconv.ProcessPID(child.Pid))
	startSpan.End()

	// The boot span is sent once the child has lived through its first moments
	// (or has already exited, then together with its process.exit), so the
	// runner can call a box running as soon as the boot arrives, without
	// waiting for the engine's slower verdict on an exit at once.
	exited := make(chan syscall.WaitStatus, 1)
	go func() { exited <- sup.wait(child) }()
	var ws syscall.WaitStatus
	select {
	case ws = <-exited:
		boot.SetAttributes(attribute.Bool(attrExitedAtOnce, true))
		boot.End()
	case <-time.After(childSettle):
		boot.End()
		if tel.exporter {
			go tel.flushBoot()
		}
		ws = <-exited
	}
	// Release resets Pid to -1: the exit span keeps the pid the child had.
	pid := child.Pid
	_ = child.Release()
	code = exitCode(ws)
	_, exit := tracer.Start(ctx, "process.exit", trace.WithAttributes(exitAttributes(box, pid, ws)...))
	switch {
	case ws.Signaled():
		fail(exit, signalName(ws.Signal()), exceptionSignal, fmt.Errorf("process killed by %s", signalName(ws.Signal())))
	case code != 0:
		fail(exit, fmt.Sprint(code), exceptionExitCode, fmt.Errorf("process exited with code %d", code))
	}
	exit.End()
	tel.shutdown()
	sup.reapOrphans()
	return code
}

// setupTelemetry reads the receiver and headers from the box env; a receiver
// it cannot use costs the spans, never the box.
func setupTelemetry(getenv func(string) string, boxID string, warn func(string)) (*receiver, *telemetry) {
	headers := parseOTLPHeaders(getenv(envOTLPHeaders))
	var rcv *receiver
	if raw := getenv(envEndpoint); raw != "" {
		r, err := parseReceiver(raw)
		if err != nil {
			warn(fmt.Sprintf("%s is not usable (%v); spans will not be exported", envEndpoint, err))
		} else {
			rcv = &r
		}
	}
	tel, err := newTelemetry(rcv, headers, boxID, warn)
	if err != nil {
		warn("spans will not be exported: " + oneLine(err.Error()))
		tel, _ = newTelemetry(nil, nil, boxID, warn)
		rcv = nil
	}
	return rcv, tel
}

func exitAttributes(box attribute.KeyValue, pid int, ws syscall.WaitStatus) []attribute.KeyValue {
	attrs := []attribute.KeyValue{box, semconv.ProcessPID(pid), semconv.ProcessExitCode(exitCode(ws))}
	if ws.Signaled() {
		attrs = append(attrs, attribute.String(attrSignal, signalName(ws.Signal())))
	}
	return attrs
}

// exception.type of a child's end: a Go error type (*errors.errorString) says nothing to a reader.
const (
	exceptionExitCode = "exit_code"
	exceptionSignal   = "signal"
)

// fail marks span as failed: errType is its error.type (the exit code, the
// signal's name or the start failure's kind), excType its exception's type.
func fail(span trace.Span, errType, excType string, err error) {
	span.RecordError(err, trace.WithAttributes(semconv.ExceptionType(excType)))
	span.SetStatus(codes.Error, err.Error())
	span.SetAttributes(semconv.ErrorTypeKey.String(errType))
}

// childEnv hands the child the daemon's own span as TRACEPARENT, so that an
// instrumented program's spans nest under its process.start. Without an
// exporter the daemon's spans never land, so the runner's value is kept.
func childEnv(env []string, sc trace.SpanContext, exporting bool) []string {
	if !exporting || !sc.IsValid() {
		return env
	}
	carrier := propagation.MapCarrier{}
	propagation.TraceContext{}.Inject(trace.ContextWithSpanContext(context.Background(), sc), carrier)
	out := make([]string, 0, len(env)+2)
	for _, kv := range env {
		if strings.HasPrefix(kv, "TRACEPARENT=") || strings.HasPrefix(kv, "TRACESTATE=") {
			continue
		}
		out = append(out, kv)
	}
	out = append(out, "TRACEPARENT="+carrier.Get("traceparent"))
	if ts := carrier.Get("tracestate"); ts != "" {
		out = append(out, "TRACESTATE="+ts)
	}
	return out
}
