// Command otelapp stands in for a user's instrumented program inside a box:
// it continues the trace it is handed in TRACEPARENT/TRACESTATE and exports
// one span with the OpenTelemetry Go SDK, configured only from the standard
// OTEL_EXPORTER_OTLP_* environment, as any app would be. Integration tests use
// it to prove that such a program lands in the box's trace.
//
//	otelapp                       export, then run until SIGTERM/SIGINT (exit 0)
//	otelapp -exit-when F -code N  export, then exit with N once file F exists
package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"os/signal"
	"syscall"
	"time"

	"go.opentelemetry.io/otel/attribute"
	"go.opentelemetry.io/otel/exporters/otlp/otlptrace/otlptracehttp"
	"go.opentelemetry.io/otel/propagation"
	"go.opentelemetry.io/otel/sdk/resource"
	sdktrace "go.opentelemetry.io/otel/sdk/trace"
	semconv "go.opentelemetry.io/otel/semconv/v1.40.0"
)

func main() {
	exitWhen := flag.String("exit-when", "", "exit once this file exists")
	code := flag.Int("code", 0, "exit code used with -exit-when")
	flag.Parse()

	stop := make(chan os.Signal, 1)
	signal.Notify(stop, syscall.SIGTERM, syscall.SIGINT)

	if err := work(); err != nil {
		fmt.Fprintln(os.Stderr, "otelapp: export failed:", err)
	} else {
		fmt.Println("otelapp: app.work exported")
	}

	if *exitWhen == "" {
		<-stop
		os.Exit(0)
	}
	tick := time.NewTicker(50 * time.Millisecond)
	defer tick.Stop()
	for {
		select {
		case <-stop:
			os.Exit(0)
		case <-tick.C:
			if _, err := os.Stat(*exitWhen); err == nil {
				os.Exit(*code)
			}
		}
	}
}

func work() error {
	carrier := propagation.MapCarrier{}
	if v := os.Getenv("TRACEPARENT"); v != "" {
		carrier.Set("traceparent", v)
	}
	if v := os.Getenv("TRACESTATE"); v != "" {
		carrier.Set("tracestate", v)
	}
	ctx := propagation.TraceContext{}.Extract(context.Background(), carrier)

	// No endpoint or header options: the exporter must find the box's relay
	// and token through OTEL_EXPORTER_OTLP_ENDPOINT / _HEADERS alone.
	exp, err := otlptracehttp.New(ctx)
	if err != nil {
		return err
	}
	tp := sdktrace.NewTracerProvider(
		sdktrace.WithBatcher(exp),
		sdktrace.WithResource(resource.NewWithAttributes(semconv.SchemaURL, semconv.ServiceName("box-app"))),
	)
	_, span := tp.Tracer("boxscope/otelapp").Start(ctx, "app.work")
	span.SetAttributes(attribute.String("app.step", "compute"))
	span.End()

	flushCtx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	return tp.Shutdown(flushCtx)
}
