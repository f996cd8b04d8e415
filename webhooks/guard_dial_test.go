package webhooks_test

import (
	"context"
	"errors"
	"net"
	"net/http"
	"net/http/httptest"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/webhooks"
)

func TestDialControl(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			c.Close()
		}
	}()

	ctx, cancel := context.WithTimeout(context.Background(), 5*time.Second)
	defer cancel()

	d := net.Dialer{Control: webhooks.URLPolicy{}.DialControl()}
	conn, err := d.DialContext(ctx, "tcp", ln.Addr().String())
	if err == nil {
		conn.Close()
		t.Fatal("dial to 127.0.0.1 succeeded, want refusal")
	}
	var be *webhooks.BlockedAddressError
	if !errors.As(err, &be) || be.IP != netip.MustParseAddr("127.0.0.1") {
		t.Fatalf("dial error = %v, want *BlockedAddressError for 127.0.0.1", err)
	}

	d = net.Dialer{Control: webhooks.URLPolicy{AllowPrivate: true}.DialControl()}
	conn, err = d.DialContext(ctx, "tcp", ln.Addr().String())
	if err != nil {
		t.Fatalf("AllowPrivate dial = %v", err)
	}
	conn.Close()

	// Called directly, as the dialer does, with the addresses it would pass.
	control := webhooks.URLPolicy{}.DialControl()
	for addr, wantErr := range map[string]bool{
		"127.0.0.1:443":             true,
		"[::1]:443":                 true,
		"[::ffff:10.0.0.1]:443":     true,
		"[fe80::1%eth0]:443":        true,
		"169.254.169.254:80":        true,
		"93.184.215.14:443":         false,
		"[2606:4700::1]:443":        false,
		"not-an-address":            true,
		"[64:ff9b::7f00:1]:443":     true,
		"[::ffff:93.184.215.14]:80": false,
	} {
		if err := control("tcp", addr, nil); (err != nil) != wantErr {
			t.Errorf("control(%s) = %v, want error %v", addr, err, wantErr)
		}
	}
}

// The way the dispatcher is meant to use the guard: an http.Client whose
// dialer refuses blocked addresses, so a name that passed CheckURL and now
// resolves to loopback (DNS rebinding) still cannot be reached.
func TestDialControlHTTPClient(t *testing.T) {
	var hits atomic.Int32
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		w.WriteHeader(http.StatusNoContent)
	}))
	defer srv.Close()

	client := func(p webhooks.URLPolicy) *http.Client {
		d := &net.Dialer{Timeout: 5 * time.Second, Control: p.DialControl()}
		return &http.Client{
			Timeout:   5 * time.Second,
			Transport: &http.Transport{Proxy: nil, DialContext: d.DialContext},
		}
	}

	_, err := client(webhooks.URLPolicy{}).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if !errors.Is(err, webhooks.ErrBlockedAddress) {
		t.Fatalf("POST to loopback receiver = %v, want ErrBlockedAddress", err)
	}
	if hits.Load() != 0 {
		t.Fatal("the receiver was reached")
	}

	resp, err := client(webhooks.URLPolicy{AllowPrivate: true}).Post(srv.URL, "application/json", strings.NewReader("{}"))
	if err != nil {
		t.Fatalf("AllowPrivate POST = %v", err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusNoContent || hits.Load() != 1 {
		t.Fatalf("AllowPrivate POST: status %d, hits %d", resp.StatusCode, hits.Load())
	}
}
