package main

import (
	"strings"
	"testing"

	coltracepb "go.opentelemetry.io/proto/otlp/collector/trace/v1"
	tracepb "go.opentelemetry.io/proto/otlp/trace/v1"
	"google.golang.org/protobuf/proto"
)

func TestParseReceiver(t *testing.T) {
	t.Parallel()
	cases := []struct{ in, want, err string }{
		{in: "unix:///.boxlite/run/otlp.sock", want: "unix:///.boxlite/run/otlp.sock"},
		{in: "http://host.docker.internal:4318", want: "http://host.docker.internal:4318/v1/traces"},
		{in: "http://127.0.0.1:4318/", want: "http://127.0.0.1:4318/v1/traces"},
		{in: "https://collector.example:4318/v1/traces", want: "https://collector.example:4318/v1/traces"},
		{in: "http://h:1/prefix", want: "http://h:1/prefix/v1/traces"},
		{in: "unix://relative/otlp.sock", err: "absolute"},
		{in: "grpc://h:4317", err: "unsupported scheme"},
		{in: "http://", err: "missing host"},
		{in: "::::", err: "not a URL"},
	}
	for _, c := range cases {
		r, err := parseReceiver(c.in)
		if c.err != "" {
			if err == nil || !strings.Contains(err.Error(), c.err) {
				t.Errorf("%q: error %v, want %q", c.in, err, c.err)
			}
			continue
		}
		if err != nil || r.String() != c.want {
			t.Errorf("%q: got %q, %v; want %q", c.in, r.String(), err, c.want)
		}
	}
}

func TestParseOTLPHeaders(t *testing.T) {
	t.Parallel()
	h := parseOTLPHeaders(" box-auth-token = abc%3D%3D , x-other=1,broken, =nokey")
	if len(h) != 2 || h["box-auth-token"] != "abc==" || h["x-other"] != "1" {
		t.Fatalf("parsed %v", h)
	}
}

func TestRelayAddr(t *testing.T) {
	t.Parallel()
	cases := map[string]string{
		"":                                 defaultRelayAddr,
		"http://127.0.0.1:4318":            "127.0.0.1:4318",
		"http://localhost:5000/":           "127.0.0.1:5000",
		"http://[::1]:4318":                "[::1]:4318",
		"http://host.docker.internal:4318": "",
		"https://127.0.0.1:4318":           "",
		"unix:///x.sock":                   "",
	}
	for in, want := range cases {
		if got := relayAddr(in); got != want {
			t.Errorf("%q: %q, want %q", in, got, want)
		}
	}
}

func TestParseArgs(t *testing.T) {
	t.Parallel()
	o, code, _ := parseArgs([]string{"--no-relay", "--", "sh", "--version"})
	if code != -1 || !o.noRelay || strings.Join(o.command, " ") != "sh --version" {
		t.Fatalf("%v %d", o, code)
	}
	o, code, _ = parseArgs([]string{"nginx", "-g", "daemon off;"})
	if code != -1 || len(o.command) != 3 {
		t.Fatalf("%v %d", o, code)
	}
	if _, code, msg := parseArgs([]string{"--version"}); code != 0 || !strings.HasPrefix(msg, "boxlite-daemon ") {
		t.Fatalf("%d %q", code, msg)
	}
	if _, code, _ := parseArgs([]string{"--frobnicate"}); code != 2 {
		t.Fatalf("unknown flag gave %d", code)
	}
}

func encodeRequest(t *testing.T, spanName string) []byte {
	t.Helper()
	req := &coltracepb.ExportTraceServiceRequest{ResourceSpans: []*tracepb.ResourceSpans{{
		ScopeSpans: []*tracepb.ScopeSpans{{Spans: []*tracepb.Span{{
			TraceId: []byte("0123456789abcdef"), SpanId: []byte("01234567"), Name: spanName,
			StartTimeUnixNano: 1, EndTimeUnixNano: 2,
		}}}},
	}}}
	b, err := proto.Marshal(req)
	if err != nil {
		t.Fatal(err)
	}
	return b
}
