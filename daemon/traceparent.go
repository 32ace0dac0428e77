package main

import (
	"context"
	"io"
	"os"
	"strings"

	"go.opentelemetry.io/otel/propagation"
)

// Why the boot span starts a new trace instead of continuing the runner's.
const (
	rootReasonMissing = "missing"
	rootReasonInvalid = "invalid"
)

// w3cVersion00Len is the exact length of a version-00 traceparent: W3C forbids
// anything after the flags for that version.
const w3cVersion00Len = 55

// parentFromEnv continues the runner's trace from BOXLITE_TRACEPARENT and
// BOXLITE_TRACESTATE. It returns ctx unchanged and a reason when the value is
// missing or malformed, so the caller starts a new root and says why.
func parentFromEnv(ctx context.Context, traceparent, tracestate string) (context.Context, string) {
	if traceparent == "" {
		return ctx, rootReasonMissing
	}
	// The Go propagator accepts "00-<trace>-<span>-<flags>-" (a trailing
	// delimiter with nothing after it) for version 00, which W3C rejects.
	if strings.HasPrefix(traceparent, "00-") && len(traceparent) != w3cVersion00Len {
		return ctx, rootReasonInvalid
	}
	carrier := propagation.MapCarrier{"traceparent": traceparent}
	if tracestate != "" {
		carrier["tracestate"] = tracestate
	}
	out := propagation.TraceContext{}.Extract(ctx, carrier)
	if out == ctx {
		return ctx, rootReasonInvalid
	}
	return out, ""
}

// traceparentFile is where the runner writes the trace context of the span
// that contains this boot (its daemon.wait), before every start of the box:
// BOXLITE_TRACEPARENT is fixed at create and names the create span, which has
// ended long before a later start (see docs/CONTRACTS.md, "Box lifecycle").
var traceparentFile = "/.boxlite/run/traceparent"

// maxTraceparentFile bounds the read: a traceparent and a tracestate line.
const maxTraceparentFile = 512

// readTraceparentFile returns the file's first line (the traceparent) and
// second line (the tracestate, optional), reading at most 512 bytes.
// ok is false when the file is missing, empty or too long.
func readTraceparentFile(path string) (traceparent, tracestate string, ok bool) {
	// A regular file only: opening a FIFO would block the boot.
	if st, err := os.Lstat(path); err != nil || !st.Mode().IsRegular() {
		return "", "", false
	}
	f, err := os.Open(path)
	if err != nil {
		return "", "", false
	}
	defer f.Close()
	buf := make([]byte, maxTraceparentFile+1)
	n, _ := io.ReadFull(f, buf)
	if n == 0 || n > maxTraceparentFile {
		return "", "", false
	}
	lines := strings.SplitN(string(buf[:n]), "\n", 3)
	traceparent = strings.TrimSpace(lines[0])
	if len(lines) > 1 {
		tracestate = strings.TrimSpace(lines[1])
	}
	return traceparent, tracestate, traceparent != ""
}

// bootParent is the context the boot span continues: the run dir's
// traceparent file when it holds a valid traceparent, else
// BOXLITE_TRACEPARENT (with a warning when that one is malformed).
func bootParent(ctx context.Context, file string, getenv func(string) string, warn func(string)) (context.Context, string) {
	if tp, ts, ok := readTraceparentFile(file); ok {
		if out, reason := parentFromEnv(ctx, tp, ts); reason == "" {
			return out, ""
		}
		warn(file + " does not hold a valid W3C traceparent; using " + envTraceparent)
	}
	parent, reason := parentFromEnv(ctx, getenv(envTraceparent), getenv(envTracestate))
	if reason == rootReasonInvalid {
		warn(envTraceparent + " is not a valid W3C traceparent; the boot is recorded in a new trace")
	}
	return parent, reason
}
