package main

import (
	"net"
	"net/http"
	"net/http/httputil"
	"net/url"
	"strings"
	"time"
)

const defaultRelayAddr = "127.0.0.1:4318"

// relayAddr is the loopback address the box's programs were told to export to
// (OTEL_EXPORTER_OTLP_ENDPOINT); it is empty when that points off the box.
func relayAddr(otlpEndpoint string) string {
	if otlpEndpoint == "" {
		return defaultRelayAddr
	}
	u, err := url.Parse(otlpEndpoint)
	if err != nil || u.Scheme != "http" {
		return ""
	}
	host, port := u.Hostname(), u.Port()
	if port == "" {
		port = "80"
	}
	switch host {
	case "127.0.0.1", "localhost":
		return net.JoinHostPort("127.0.0.1", port)
	case "::1":
		return net.JoinHostPort("::1", port)
	}
	return ""
}

// startRelay lets programs in a box without a network export with the standard
// OTLP endpoint: every request is passed as is (path, headers, body) to the
// daemon's receiver. If the port is taken — e.g. with host networking, where
// the app or the receiver itself listens there — the relay is simply skipped.
// It adds no credential of its own: with host networking anything on the host
// could reach it, so each request must carry its box-auth-token itself.
func startRelay(addr string, rcv receiver) (net.Listener, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	proxy := &httputil.ReverseProxy{
		Rewrite: func(r *httputil.ProxyRequest) {
			r.Out.URL.Scheme = rcv.scheme
			r.Out.URL.Host = rcv.host
			r.Out.Host = rcv.host
			if rcv.socket == "" {
				r.Out.URL.Path = strings.TrimSuffix(rcv.path, tracesPath) + r.In.URL.Path
				r.Out.URL.RawPath = ""
			}
		},
		Transport: rcv.transport(30 * time.Second),
		ErrorHandler: func(w http.ResponseWriter, _ *http.Request, _ error) {
			w.Header().Set("Retry-After", "1")
			w.WriteHeader(http.StatusServiceUnavailable)
		},
	}
	srv := &http.Server{Handler: proxy, ReadHeaderTimeout: 10 * time.Second}
	go func() { _ = srv.Serve(ln) }()
	return ln, nil
}
