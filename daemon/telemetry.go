package main

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/http"
	"net/url"
	"strings"
	"sync"
	"sync/atomic"
	"time"

	"go.opentelemetry.io/otel"
	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

// Export budgets. The boot flush runs beside the child; the exit flush is the
// only wait the daemon adds after the child has ended.
const (
	// A busy receiver may take a while to answer; the flush deadlines, not
	// this, bound the total wait.
	attemptTimeout = 2 * time.Second
	dialRetryFor   = 1500 * time.Millisecond
	retryFor       = 2 * time.Second
	bootFlushFor   = 3 * time.Second
	exitFlushFor   = 2 * time.Second
	// When the boot flush already failed the receiver is likely gone (the
	// app was closed): one short try, so the box's exit is not held for it.
	exitFlushAfterFailure = 250 * time.Millisecond
	tracesPath            = "/v1/traces"
)

// receiver is where the daemon sends its spans (BOXLITE_OTEL_ENDPOINT).
type receiver struct {
	socket string // unix socket path; empty for TCP
	scheme string // http or https
	host   string // host:port for TCP, "localhost" for the socket
	path   string
}

func (r receiver) String() string {
	if r.socket != "" {
		return "unix://" + r.socket
	}
	return r.scheme + "://" + r.host + r.path
}

// parseReceiver accepts unix:///abs/path.sock and http(s)://host:port[/path].
// A TCP base URL gets /v1/traces appended, as OTLP base endpoints do.
func parseReceiver(raw string) (receiver, error) {
	u, err := url.Parse(raw)
	if err != nil {
		return receiver{}, fmt.Errorf("not a URL")
	}
	switch u.Scheme {
	case "unix":
		if u.Host != "" || !strings.HasPrefix(u.Path, "/") {
			return receiver{}, fmt.Errorf("a unix endpoint needs an absolute socket path (unix:///path)")
		}
		return receiver{socket: u.Path, scheme: "http", host: "localhost", path: tracesPath}, nil
	case "http", "https":
		if u.Host == "" {
			return receiver{}, fmt.Errorf("missing host")
		}
		p := strings.TrimSuffix(u.Path, "/")
		if !strings.HasSuffix(p, tracesPath) {
			p += tracesPath
		}
		return receiver{scheme: u.Scheme, host: u.Host, path: p}, nil
	}
	return receiver{}, fmt.Errorf("unsupported scheme %q (use unix, http or https)", u.Scheme)
}

// transport dials the receiver, retrying refused or missing sockets for a
// bounded time: the exporter itself only retries errors it deems temporary,
// and a receiver that is restarting looks like neither.
func (r receiver) transport(responseTimeout time.Duration) *http.Transport {
	d := &net.Dialer{Timeout: time.Second}
	network, addr := "tcp", r.host
	if r.socket != "" {
		network, addr = "unix", r.socket
	}
	return &http.Transport{
		Proxy: nil, // a proxy meant for the box's programs must not carry the daemon's spans
		DialContext: func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialWithRetry(ctx, d, network, addr, dialRetryFor)
		},
		MaxIdleConns:          4,
		IdleConnTimeout:       30 * time.Second,
		ResponseHeaderTimeout: responseTimeout,
		ForceAttemptHTTP2:     false,
	}
}

func dialWithRetry(ctx context.Context, d *net.Dialer, network, addr string, budget time.Duration) (net.Conn, error) {
	deadline := time.Now().Add(budget)
	wait := 25 * time.Millisecond
	for {
		c, err := d.DialContext(ctx, network, addr)
		if err == nil {
			return c, nil
		}
		if time.Now().Add(wait).After(deadline) {
			return nil, err
		}
		t := time.NewTimer(wait)
		select {
		case <-ctx.Done():
			t.Stop()
			return nil, errors.Join(err, ctx.Err())
		case <-t.C:
		}
		wait = min(wait*2, 250*time.Millisecond)
	}
}

// parseOTLPHeaders reads OTEL_EXPORTER_OTLP_HEADERS (key=value pairs separated
// by commas, values percent-encoded), so the box-auth-token goes on every export.
func parseOTLPHeaders(raw string) map[string]string {
	h := map[string]string{}
	for _, pair := range strings.Split(raw, ",") {
		k, v, ok := strings.Cut(pair, "=")
		k = strings.TrimSpace(k)
		if !ok || k == "" {
			continue
		}
		if dec, err := url.PathUnescape(strings.TrimSpace(v)); err == nil {
			v = dec
		}
		h[k] = strings.TrimSpace(v)
	}
	return h
}

// telemetry owns the tracer provider; with no receiver it still records spans
// (so the child's TRACEPARENT stays meaningful) but exports nothing.
type telemetry struct {
	tp         *sdktrace.TracerProvider
	exporter   bool
	bootFailed atomic.Bool
	failed     otel.ErrorHandlerFunc
}

func newTelemetry(rcv *receiver, headers map[string]string, boxID string, warn func(string)) (*telemetry, error) {
	res := resource.NewWithAttributes(semconv.SchemaURL,
		semconv.ServiceName(serviceName),
		semconv.ServiceVersion(version),
		attribute.String(attrBoxID, boxID),
	)
	opts := []sdktrace.TracerProviderOption{
		sdktrace.WithResource(res),
		// The boot span is the runner's readiness signal, so it is recorded
		// whatever the caller's sampling flag says.
		sdktrace.WithSampler(sdktrace.AlwaysSample()),
	}
	t := &telemetry{}
	if rcv != nil {
		expOpts := []otlptracehttp.Option{
			otlptracehttp.WithHTTPClient(&http.Client{Transport: rcv.transport(attemptTimeout), Timeout: attemptTimeout + dialRetryFor}),
			otlptracehttp.WithEndpoint(rcv.host),
			otlptracehttp.WithURLPath(rcv.path),
			otlptracehttp.WithEncoding(otlptracehttp.EncodingProtobuf),
			otlptracehttp.WithCompression(otlptracehttp.NoCompression),
			otlptracehttp.WithHeaders(headers),
			otlptracehttp.WithRetry(otlptracehttp.RetryConfig{
				Enabled:         true,
				InitialInterval: 100 * time.Millisecond,
				MaxInterval:     500 * time.Millisecond,
				MaxElapsedTime:  retryFor,
			}),
		}
		if rcv.scheme != "https" {
			expOpts = append(expOpts, otlptracehttp.WithInsecure())
		}
		exp, err := otlptracehttp.New(context.Background(), expOpts...)
		if err != nil {
			return nil, err
		}
		opts = append(opts, sdktrace.WithBatcher(exp,
			sdktrace.WithBatchTimeout(time.Second),
			sdktrace.WithExportTimeout(bootFlushFor),
		))
		t.exporter = true
	}
	t.failed = onceErrorHandler(warn)
	otel.SetErrorHandler(t.failed)
	t.tp = sdktrace.NewTracerProvider(opts...)
	return t, nil
}

// onceErrorHandler keeps export failures to one line on the box's stderr,
// which belongs to the box's own program.
func onceErrorHandler(warn func(string)) otel.ErrorHandlerFunc {
	var once sync.Once
	return func(err error) {
		once.Do(func() { warn("trace export failed (spans may be missing): " + oneLine(err.Error())) })
	}
}

func oneLine(s string) string {
	return strings.Join(strings.Fields(s), " ")
}

// flushBoot exports what has ended so far (the boot spans) and remembers a failure.
func (t *telemetry) flushBoot() {
	ctx, cancel := context.WithTimeout(context.Background(), bootFlushFor)
	defer cancel()
	if err := t.tp.ForceFlush(ctx); err != nil {
		t.bootFailed.Store(true)
		t.failed(err)
	}
}

// shutdown exports the rest within the exit budget.
func (t *telemetry) shutdown() {
	d := exitFlushFor
	if t.bootFailed.Load() {
		d = exitFlushAfterFailure
	}
	ctx, cancel := context.WithTimeout(context.Background(), d)
	defer cancel()
	if err := t.tp.Shutdown(ctx); err != nil && t.exporter {
		t.failed(err)
	}
}
