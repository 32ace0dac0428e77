package main

import (
	"context"
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
