package webhooks_test

import (
	"context"
	"encoding/binary"
	"errors"
	"net"
	"net/netip"
	"strings"
	"sync/atomic"
	"testing"
	"time"

	"github.com/dianshubao/dianshubao/webhooks"
)

func TestCheckURLResolvesNames(t *testing.T) {
	dns := startFakeDNS(t, map[string][]string{
		"evil.test":      {"10.0.0.1"},
		"good.test":      {"93.184.215.14"},
		"good6.test":     {"2606:4700::1"},
		"both.test":      {"93.184.215.14", "2606:4700::1"},
		"mixed.test":     {"93.184.215.14", "::1"},
		"metadata.test":  {"169.254.169.254"},
		"mapped.test":    {"::ffff:127.0.0.1"},
		"rebind.test":    {"93.184.215.14", "127.0.0.1"},
		"nodata.test":    {},
		"evil6.test":     {"fd00::1"},
		"www.good.test":  {"93.184.215.14"},
		"xn--fsq.test":   {"93.184.215.14"},
		"trailing.test":  {"192.168.1.1"},
		"cgnat.test":     {"100.100.100.100"},
		"sub.evil.test":  {"172.16.5.4"},
		"port.good.test": {"93.184.215.14"},
	})
	tests := []struct {
		raw     string
		want    error
		blocked string // the refused address, when want is ErrBlockedAddress
	}{
		{"https://evil.test/hook", webhooks.ErrBlockedAddress, "10.0.0.1"},
		{"https://EVIL.test/hook", webhooks.ErrBlockedAddress, "10.0.0.1"},
		{"https://sub.evil.test/", webhooks.ErrBlockedAddress, "172.16.5.4"},
		{"https://evil6.test/", webhooks.ErrBlockedAddress, "fd00::1"},
		{"https://mixed.test/", webhooks.ErrBlockedAddress, "::1"},
		{"https://rebind.test/", webhooks.ErrBlockedAddress, "127.0.0.1"},
		{"https://metadata.test/", webhooks.ErrBlockedAddress, "169.254.169.254"},
		{"https://mapped.test/", webhooks.ErrBlockedAddress, "127.0.0.1"},
		{"https://trailing.test./", webhooks.ErrBlockedAddress, "192.168.1.1"},
		{"https://cgnat.test/", webhooks.ErrBlockedAddress, "100.100.100.100"},
		{"https://good.test/hook", nil, ""},
		{"https://good6.test/", nil, ""},
		{"https://both.test/", nil, ""},
		{"https://www.good.test/", nil, ""},
		{"https://port.good.test:8443/x", nil, ""},
		{"https://xn--fsq.test/", nil, ""},
		{"https://nodata.test/", webhooks.ErrUnresolvableHost, ""},
		{"https://unknown.test/", webhooks.ErrUnresolvableHost, ""},
	}
	ctx, cancel := context.WithTimeout(context.Background(), 10*time.Second)
	defer cancel()
	for _, tt := range tests {
		t.Run(tt.raw, func(t *testing.T) {
			err := webhooks.URLPolicy{}.CheckURL(ctx, tt.raw, dns.resolver)
			if tt.want == nil {
				if err != nil {
					t.Fatalf("CheckURL = %v, want nil", err)
				}
				return
			}
			if !errors.Is(err, tt.want) {
				t.Fatalf("CheckURL = %v, want %v", err, tt.want)
			}
			if tt.blocked != "" {
				var be *webhooks.BlockedAddressError
				if !errors.As(err, &be) || be.IP.String() != tt.blocked {
					t.Fatalf("CheckURL = %#v, want blocked %s", err, tt.blocked)
				}
				if !strings.Contains(err.Error(), be.Host) || !strings.Contains(err.Error(), tt.blocked) {
					t.Errorf("message %q should name host and address", err)
				}
			}
		})
	}
	if dns.queries.Load() == 0 {
		t.Fatal("the fake DNS server was never asked: the test resolved elsewhere")
	}

	// AllowPrivate skips resolution altogether.
	before := dns.queries.Load()
	if err := (webhooks.URLPolicy{AllowPrivate: true}).CheckURL(ctx, "https://evil.test/", dns.resolver); err != nil {
		t.Fatalf("AllowPrivate: %v", err)
	}
	if dns.queries.Load() != before {
		t.Error("AllowPrivate still resolved the host")
	}
}

// fakeDNS is an in-process DNS server on 127.0.0.1 answering A and AAAA
// queries from a fixed table (NXDOMAIN for names not in it); resolver sends
// every query there, whatever /etc/resolv.conf says.
type fakeDNS struct {
	records  map[string][]netip.Addr
	resolver *net.Resolver
	queries  atomic.Int64
}

func startFakeDNS(t *testing.T, table map[string][]string) *fakeDNS {
	t.Helper()
	s := &fakeDNS{records: make(map[string][]netip.Addr)}
	for name, addrs := range table {
		s.records[name] = []netip.Addr{}
		for _, a := range addrs {
			s.records[name] = append(s.records[name], netip.MustParseAddr(a))
		}
	}
	pc, err := net.ListenPacket("udp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { pc.Close() })
	go func() {
		buf := make([]byte, 1500)
		for {
			n, from, err := pc.ReadFrom(buf)
			if err != nil {
				return
			}
			if resp := s.answer(buf[:n]); resp != nil {
				pc.WriteTo(resp, from)
			}
		}
	}()
	server := pc.LocalAddr().String()
	s.resolver = &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, _, _ string) (net.Conn, error) {
			var d net.Dialer
			return d.DialContext(ctx, "udp", server)
		},
	}
	return s
}

const (
	dnsTypeA    = 1
	dnsTypeAAAA = 28
	dnsClassIN  = 1
)

// answer builds the response to one query message (RFC 1035 section 4).
func (s *fakeDNS) answer(q []byte) []byte {
	if len(q) < 12 || binary.BigEndian.Uint16(q[4:6]) != 1 {
		return nil
	}
	s.queries.Add(1)
	off := 12
	var labels []string
	for {
		if off >= len(q) {
			return nil
		}
		l := int(q[off])
		off++
		if l == 0 {
			break
		}
		if l > 63 || off+l > len(q) {
			return nil
		}
		labels = append(labels, string(q[off:off+l]))
		off += l
	}
	if off+4 > len(q) {
		return nil
	}
	qtype := binary.BigEndian.Uint16(q[off : off+2])
	question := q[12 : off+4]
	name := strings.ToLower(strings.Join(labels, "."))

	addrs, known := s.records[name]
	var rdatas [][]byte
	for _, a := range addrs {
		switch {
		case qtype == dnsTypeA && a.Is4():
			b := a.As4()
			rdatas = append(rdatas, b[:])
		case qtype == dnsTypeAAAA && !a.Is4():
			b := a.As16()
			rdatas = append(rdatas, b[:])
		}
	}

	flags := uint16(0x8000 | 0x0400 | 0x0080) // response, authoritative, recursion available
	flags |= uint16(q[2]&0x01) << 8           // echo recursion desired
	if !known {
		flags |= 3 // NXDOMAIN
	}
	resp := make([]byte, 12, 512)
	copy(resp[0:2], q[0:2])
	binary.BigEndian.PutUint16(resp[2:4], flags)
	binary.BigEndian.PutUint16(resp[4:6], 1)
	binary.BigEndian.PutUint16(resp[6:8], uint16(len(rdatas)))
	resp = append(resp, question...)
	for _, rd := range rdatas {
		resp = append(resp, 0xC0, 12) // pointer to the question name
		resp = binary.BigEndian.AppendUint16(resp, qtype)
		resp = binary.BigEndian.AppendUint16(resp, dnsClassIN)
		resp = binary.BigEndian.AppendUint32(resp, 60)
		resp = binary.BigEndian.AppendUint16(resp, uint16(len(rd)))
		resp = append(resp, rd...)
	}
	return resp
}
