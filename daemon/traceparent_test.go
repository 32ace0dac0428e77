package main

import (
	"context"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"go.opentelemetry.io/otel/trace"
)

const (
	tpTrace = "4bf92f3577b34da6a3ce929d0e0e4736"
	tpSpan  = "00f067aa0ba902b7"
)

func TestParentFromEnv(t *testing.T) {
	t.Parallel()
	cases := []struct {
		name, traceparent, tracestate string
		reason                        string
		sampled                       bool
		state                         string
	}{
		{name: "valid sampled", traceparent: "00-" + tpTrace + "-" + tpSpan + "-01", sampled: true},
		{name: "valid not sampled", traceparent: "00-" + tpTrace + "-" + tpSpan + "-00"},
		{name: "valid with tracestate", traceparent: "00-" + tpTrace + "-" + tpSpan + "-01", tracestate: "boxlite=1,rojo=00f067aa0ba902b7", sampled: true, state: "boxlite=1,rojo=00f067aa0ba902b7"},
		{name: "malformed tracestate keeps parent", traceparent: "00-" + tpTrace + "-" + tpSpan + "-01", tracestate: "not a=valid=state", sampled: true},
		{name: "future version with extra fields", traceparent: "01-" + tpTrace + "-" + tpSpan + "-01-what-the-future-holds", sampled: true},
		{name: "future version plain", traceparent: "cc-" + tpTrace + "-" + tpSpan + "-01", sampled: true},
		{name: "future version unknown flags", traceparent: "01-" + tpTrace + "-" + tpSpan + "-09", sampled: true},
		{name: "version 00 random flag", traceparent: "00-" + tpTrace + "-" + tpSpan + "-03", sampled: true},
		// The Go propagator refuses reserved flag bits for version 00, where
		// W3C only says senders must not set them; runners never send them.
		{name: "version 00 reserved flags", traceparent: "00-" + tpTrace + "-" + tpSpan + "-09", reason: rootReasonInvalid},
		{name: "missing", traceparent: "", reason: rootReasonMissing},
		{name: "version ff", traceparent: "ff-" + tpTrace + "-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "all-zero trace id", traceparent: "00-00000000000000000000000000000000-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "all-zero span id", traceparent: "00-" + tpTrace + "-0000000000000000-01", reason: rootReasonInvalid},
		{name: "short trace id", traceparent: "00-" + tpTrace[:31] + "-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "long span id", traceparent: "00-" + tpTrace + "-" + tpSpan + "0-01", reason: rootReasonInvalid},
		{name: "short flags", traceparent: "00-" + tpTrace + "-" + tpSpan + "-1", reason: rootReasonInvalid},
		{name: "one-digit version", traceparent: "0-" + tpTrace + "-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "uppercase trace id", traceparent: "00-4BF92F3577B34DA6A3CE929D0E0E4736-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "uppercase span id", traceparent: "00-" + tpTrace + "-00F067AA0BA902B7-01", reason: rootReasonInvalid},
		{name: "uppercase version", traceparent: "0A-" + tpTrace + "-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "non-hex", traceparent: "00-" + tpTrace[:31] + "g-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "version 00 with extra fields", traceparent: "00-" + tpTrace + "-" + tpSpan + "-01-extra", reason: rootReasonInvalid},
		{name: "version 00 trailing delimiter", traceparent: "00-" + tpTrace + "-" + tpSpan + "-01-", reason: rootReasonInvalid},
		{name: "future version glued extra", traceparent: "01-" + tpTrace + "-" + tpSpan + "-01extra", reason: rootReasonInvalid},
		{name: "wrong delimiter", traceparent: "00_" + tpTrace + "_" + tpSpan + "_01", reason: rootReasonInvalid},
		{name: "leading space", traceparent: " 00-" + tpTrace + "-" + tpSpan + "-01", reason: rootReasonInvalid},
		{name: "garbage", traceparent: "hello world", reason: rootReasonInvalid},
		{name: "only delimiters", traceparent: "---", reason: rootReasonInvalid},
		{name: "binary", traceparent: "\x00\xff\xfe-" + tpTrace, reason: rootReasonInvalid},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			base := context.Background()
			ctx, reason := parentFromEnv(base, c.traceparent, c.tracestate)
			if reason != c.reason {
				t.Fatalf("reason = %q, want %q", reason, c.reason)
			}
			sc := trace.SpanContextFromContext(ctx)
			if c.reason != "" {
				if sc.IsValid() || ctx != base {
					t.Fatalf("expected no parent, got %v", sc)
				}
				return
			}
			if !sc.IsRemote() || sc.TraceID().String() != tpTrace || sc.SpanID().String() != tpSpan {
				t.Fatalf("parent = %s/%s remote=%v", sc.TraceID(), sc.SpanID(), sc.IsRemote())
			}
			if sc.IsSampled() != c.sampled {
				t.Fatalf("sampled = %v, want %v", sc.IsSampled(), c.sampled)
			}
			if got := sc.TraceState().String(); got != c.state {
				t.Fatalf("tracestate = %q, want %q", got, c.state)
			}
		})
	}
}

func TestBootParentPrefersTheFile(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	const envSpan = "1111111111111111"
	envTP := "00-" + tpTrace + "-" + envSpan + "-01"
	getenv := func(k string) string {
		if k == envTraceparent {
			return envTP
		}
		return ""
	}
	write := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	cases := []struct {
		name, file, wantSpan string
		warns                bool
	}{
		{name: "file wins", file: write("ok", "00-"+tpTrace+"-"+tpSpan+"-01\n"), wantSpan: tpSpan},
		{name: "file with tracestate", file: write("ts", "00-"+tpTrace+"-"+tpSpan+"-01\nboxlite=1\n"), wantSpan: tpSpan},
		{name: "missing file", file: filepath.Join(dir, "none"), wantSpan: envSpan},
		{name: "empty file", file: write("empty", ""), wantSpan: envSpan},
		{name: "garbage file", file: write("bad", "not a traceparent\n"), wantSpan: envSpan, warns: true},
		{name: "oversized file", file: write("big", "00-"+tpTrace+"-"+tpSpan+"-01\n"+strings.Repeat("x", 600)), wantSpan: envSpan},
		{name: "directory", file: dir, wantSpan: envSpan},
	}
	for _, c := range cases {
		var warned []string
		ctx, reason := bootParent(context.Background(), c.file, getenv, func(s string) { warned = append(warned, s) })
		sc := trace.SpanContextFromContext(ctx)
		if reason != "" || sc.SpanID().String() != c.wantSpan {
			t.Errorf("%s: span %s reason %q, want %s", c.name, sc.SpanID(), reason, c.wantSpan)
		}
		if (len(warned) > 0) != c.warns {
			t.Errorf("%s: warnings %q", c.name, warned)
		}
	}
	if _, ts, ok := readTraceparentFile(filepath.Join(dir, "ts")); !ok || ts != "boxlite=1" {
		t.Errorf("tracestate line %q", ts)
	}
}
