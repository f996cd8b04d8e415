package webhooks_test

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"strings"
	"testing"

	"github.com/dianshubao/dianshubao/webhooks"
)

func TestBlockedIP(t *testing.T) {
	blocked := []string{
		"0.0.0.0", "0.1.2.3", "10.0.0.1", "10.255.255.255", "100.64.0.1", "100.127.255.254",
		"127.0.0.1", "127.255.255.254", "169.254.169.254", "172.16.0.1", "172.31.255.255",
		"192.0.0.8", "192.0.2.1", "192.88.99.1", "192.168.1.1", "198.18.0.1", "198.19.255.255",
		"198.51.100.7", "203.0.113.9", "224.0.0.1", "239.255.255.250", "240.0.0.1", "255.255.255.255",
		"::", "::1", "::127.0.0.1", "100::1", "2001::1", "2001:2::1", "2001:db8::1",
		"fc00::1", "fd12:3456::1", "fe80::1", "fe80::1%eth0", "febf::1", "fec0::1", "ff02::1", "ff0e::1",
		"::ffff:127.0.0.1", "::ffff:10.0.0.1", "::ffff:169.254.169.254", "::ffff:0.0.0.0",
		"64:ff9b::10.0.0.1", "64:ff9b::127.0.0.1", "64:ff9b:1::1", "2002:7f00:1::1", "2002:a00:1::1",
	}
	allowed := []string{
		"1.1.1.1", "8.8.8.8", "93.184.215.14", "100.63.255.255", "100.128.0.0", "172.15.255.255",
		"172.32.0.0", "192.169.0.1", "198.17.255.255", "198.20.0.0", "223.255.255.255",
		"2606:4700::1", "2400:cb00::1", "::ffff:93.184.215.14", "64:ff9b::8.8.8.8", "2002:808:808::1",
	}
	for _, s := range blocked {
		if !webhooks.BlockedIP(netip.MustParseAddr(s)) {
			t.Errorf("BlockedIP(%s) = false, want true", s)
		}
	}
	for _, s := range allowed {
		if webhooks.BlockedIP(netip.MustParseAddr(s)) {
			t.Errorf("BlockedIP(%s) = true, want false", s)
		}
	}
	if !webhooks.BlockedIP(netip.Addr{}) {
		t.Error("BlockedIP(zero Addr) = false, want true")
	}
}

func TestCheckURLBlockedRanges(t *testing.T) {
	urls := map[string]string{
		"loopback v4":         "https://127.0.0.1/hook",
		"loopback v4 high":    "https://127.10.20.30:8443/",
		"loopback v6":         "https://[::1]/",
		"unspecified v4":      "https://0.0.0.0/",
		"this network":        "https://0.1.2.3/",
		"unspecified v6":      "https://[::]/",
		"private 10/8":        "https://10.1.2.3/",
		"private 172.16/12":   "https://172.20.0.5/",
		"private 192.168/16":  "https://192.168.0.10/",
		"unique local fc00/7": "https://[fd00::1]/",
		"link-local v4":       "https://169.254.169.254/latest/meta-data/",
		"link-local v6":       "https://[fe80::1]/",
		"multicast v4":        "https://224.0.0.251/",
		"multicast v6":        "https://[ff02::1]/",
		"CGNAT":               "https://100.64.0.1/",
		"broadcast":           "https://255.255.255.255/",
		"reserved 240/4":      "https://240.1.2.3/",
		"TEST-NET-1":          "https://192.0.2.10/",
		"TEST-NET-2":          "https://198.51.100.10/",
		"TEST-NET-3":          "https://203.0.113.10/",
		"benchmarking":        "https://198.18.0.1/",
		"documentation v6":    "https://[2001:db8::1]/",
		"mapped loopback":     "https://[::ffff:127.0.0.1]/",
		"mapped private":      "https://[::ffff:10.0.0.1]/",
		"mapped metadata":     "https://[::ffff:169.254.169.254]/",
		"mapped hex form":     "https://[::ffff:7f00:1]/",
		"NAT64 of loopback":   "https://[64:ff9b::7f00:1]/",
		"NAT64 of private":    "https://[64:ff9b::192.168.1.1]/",
		"6to4 of loopback":    "https://[2002:7f00:1::1]/",
	}
	for name, raw := range urls {
		t.Run(name, func(t *testing.T) {
			err := webhooks.URLPolicy{}.CheckURL(context.Background(), raw, failingResolver(t))
			var be *webhooks.BlockedAddressError
			if !errors.As(err, &be) || !errors.Is(err, webhooks.ErrBlockedAddress) {
				t.Fatalf("CheckURL(%s) = %v, want *BlockedAddressError", raw, err)
			}
			if !be.IP.IsValid() || !webhooks.BlockedIP(be.IP) {
				t.Fatalf("BlockedAddressError.IP = %v", be.IP)
			}
			if !strings.Contains(err.Error(), be.IP.String()) {
				t.Errorf("message %q does not name the address", err)
			}
			// AllowPrivate lets the same URL through.
			if err := (webhooks.URLPolicy{AllowPrivate: true}).CheckURL(context.Background(), raw, failingResolver(t)); err != nil {
				t.Errorf("AllowPrivate: CheckURL(%s) = %v", raw, err)
			}
		})
	}
}

func TestCheckURLPublicAllowed(t *testing.T) {
	for _, raw := range []string{
		"https://93.184.215.14/",
		"https://93.184.215.14:8443/webhooks?x=1",
		"https://[2606:4700::1]/",
		"https://[2606:4700::1]:443/hooks",
		"https://[::ffff:93.184.215.14]/",
		"https://[64:ff9b::808:808]/",
		"HTTPS://93.184.215.14/upper-case-scheme",
		"https://93.184.215.14/path#fragment",
	} {
		if err := (webhooks.URLPolicy{}).CheckURL(context.Background(), raw, failingResolver(t)); err != nil {
			t.Errorf("CheckURL(%s) = %v, want nil", raw, err)
		}
	}
}

func TestCheckURLSyntax(t *testing.T) {
	long := "https://93.184.215.14/" + strings.Repeat("a", webhooks.MaxURLLength)
	tests := []struct {
		name   string
		policy webhooks.URLPolicy
		raw    string
		want   error
	}{
		{"http refused", webhooks.URLPolicy{}, "http://93.184.215.14/", webhooks.ErrInsecureURL},
		{"http refused even when private allowed", webhooks.URLPolicy{AllowPrivate: true}, "http://127.0.0.1/", webhooks.ErrInsecureURL},
		{"http allowed when insecure", webhooks.URLPolicy{AllowInsecure: true}, "http://93.184.215.14/", nil},
		{"http private still blocked when insecure", webhooks.URLPolicy{AllowInsecure: true}, "http://127.0.0.1/", webhooks.ErrBlockedAddress},
		{"both allowed", webhooks.URLPolicy{AllowInsecure: true, AllowPrivate: true}, "http://127.0.0.1:8080/", nil},
		{"user and password", webhooks.URLPolicy{}, "https://user:pass@93.184.215.14/", webhooks.ErrCredentialsInURL},
		{"user only", webhooks.URLPolicy{}, "https://user@93.184.215.14/", webhooks.ErrCredentialsInURL},
		{"empty userinfo", webhooks.URLPolicy{}, "https://@93.184.215.14/", webhooks.ErrCredentialsInURL},
		{"ftp", webhooks.URLPolicy{}, "ftp://93.184.215.14/", webhooks.ErrUnsupportedScheme},
		{"javascript", webhooks.URLPolicy{AllowInsecure: true}, "javascript:alert(1)", webhooks.ErrInvalidURL},
		{"javascript with slashes", webhooks.URLPolicy{}, "javascript://93.184.215.14/%0aalert(1)", webhooks.ErrUnsupportedScheme},
		{"file", webhooks.URLPolicy{AllowPrivate: true}, "file:///etc/passwd", webhooks.ErrUnsupportedScheme},
		{"gopher", webhooks.URLPolicy{}, "gopher://93.184.215.14/", webhooks.ErrUnsupportedScheme},
		{"relative path", webhooks.URLPolicy{}, "/webhooks", webhooks.ErrInvalidURL},
		{"scheme-relative", webhooks.URLPolicy{}, "//93.184.215.14/hook", webhooks.ErrInvalidURL},
		{"bare host", webhooks.URLPolicy{}, "example.com/hook", webhooks.ErrInvalidURL},
		{"empty", webhooks.URLPolicy{}, "", webhooks.ErrInvalidURL},
		{"spaces around", webhooks.URLPolicy{}, " https://93.184.215.14/ ", webhooks.ErrInvalidURL},
		{"control character", webhooks.URLPolicy{}, "https://93.184.215.14/\n", webhooks.ErrInvalidURL},
		{"opaque", webhooks.URLPolicy{}, "https:93.184.215.14", webhooks.ErrInvalidURL},
		{"empty host", webhooks.URLPolicy{}, "https:///path", webhooks.ErrMissingHost},
		{"port only", webhooks.URLPolicy{}, "https://:443/", webhooks.ErrMissingHost},
		{"port 0", webhooks.URLPolicy{}, "https://93.184.215.14:0/", webhooks.ErrInvalidPort},
		{"port 65536", webhooks.URLPolicy{}, "https://93.184.215.14:65536/", webhooks.ErrInvalidPort},
		{"port huge", webhooks.URLPolicy{}, "https://93.184.215.14:99999999999999999999/", webhooks.ErrInvalidPort},
		{"empty port", webhooks.URLPolicy{}, "https://93.184.215.14:/", webhooks.ErrInvalidPort},
		{"non-numeric port", webhooks.URLPolicy{}, "https://93.184.215.14:https/", webhooks.ErrInvalidURL},
		{"port 65535", webhooks.URLPolicy{}, "https://93.184.215.14:65535/", nil},
		{"port 1", webhooks.URLPolicy{}, "https://93.184.215.14:1/", nil},
		{"percent-encoded host", webhooks.URLPolicy{}, "https://%31%32%37.0.0.1/", webhooks.ErrInvalidURL},
		{"decimal IPv4", webhooks.URLPolicy{}, "https://2130706433/", webhooks.ErrInvalidHost},
		{"short IPv4", webhooks.URLPolicy{}, "https://127.1/", webhooks.ErrInvalidHost},
		{"octal IPv4", webhooks.URLPolicy{}, "https://0177.0.0.1/", webhooks.ErrInvalidHost},
		{"hex IPv4", webhooks.URLPolicy{}, "https://0x7f.0x0.0x0.0x1/", webhooks.ErrInvalidHost},
		{"IPv6 zone", webhooks.URLPolicy{}, "https://[fe80::1%25eth0]/", webhooks.ErrInvalidHost},
		{"localhost", webhooks.URLPolicy{}, "https://localhost/", webhooks.ErrBlockedAddress},
		{"localhost with dot", webhooks.URLPolicy{}, "https://LocalHost./", webhooks.ErrBlockedAddress},
		{"sub.localhost", webhooks.URLPolicy{}, "https://api.localhost:8080/", webhooks.ErrBlockedAddress},
		{"too long", webhooks.URLPolicy{}, long, webhooks.ErrURLTooLong},
		{"exactly max length", webhooks.URLPolicy{}, long[:webhooks.MaxURLLength], nil},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			err := tt.policy.CheckURL(context.Background(), tt.raw, failingResolver(t))
			if tt.want == nil && err != nil {
				t.Fatalf("CheckURL(%q) = %v, want nil", tt.raw, err)
			}
			if tt.want != nil && !errors.Is(err, tt.want) {
				t.Fatalf("CheckURL(%q) = %v, want %v", tt.raw, err, tt.want)
			}
		})
	}
}

// failingResolver fails the test if it is used: IP-literal URLs, syntax errors
// and AllowPrivate must be decided without DNS.
func failingResolver(t *testing.T) *net.Resolver {
	return &net.Resolver{
		PreferGo: true,
		Dial: func(ctx context.Context, network, address string) (net.Conn, error) {
			t.Errorf("unexpected DNS lookup via %s %s", network, address)
			return nil, errors.New("no DNS in this test")
		},
	}
}
