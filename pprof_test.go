package main

import (
	"bytes"
	"context"
	"io"
	"log/slog"
	"net"
	"net/http"
	"strings"
	"testing"
	"time"
)

// The profiler answers on its own address while the context lives, and stops with it.
func TestPprofListener(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	addr := ln.Addr().String()
	ln.Close()
	ctx, cancel := context.WithCancel(context.Background())
	done := make(chan struct{})
	var logs bytes.Buffer
	go func() {
		defer close(done)
		servePprof(ctx, addr, slog.New(slog.NewJSONHandler(&logs, nil)))
	}()
	var body string
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); time.Sleep(20 * time.Millisecond) {
		res, err := http.Get("http://" + addr + "/debug/pprof/cmdline")
		if err != nil {
			continue
		}
		b, _ := io.ReadAll(res.Body)
		res.Body.Close()
		body = string(b)
		break
	}
	if !strings.Contains(body, ".test") {
		t.Fatalf("cmdline = %q, want the test binary's command line", body)
	}
	cancel()
	select {
	case <-done:
	case <-time.After(5 * time.Second):
		t.Fatal("the profiler's listener outlived its context")
	}
	if _, err := http.Get("http://" + addr + "/debug/pprof/cmdline"); err == nil {
		t.Fatal("the profiler still answers after its context ended")
	}
	if !strings.Contains(logs.String(), "serving the profiler") {
		t.Fatalf("no warning logged: %s", logs.String())
	}
}
