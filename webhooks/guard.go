package webhooks

import (
	"context"
	"errors"
	"fmt"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"
	"syscall"
)

// MaxURLLength is the longest endpoint URL accepted, in bytes.
const MaxURLLength = 2048

// Errors returned by URLPolicy.CheckURL. Their messages are written to be shown
// to the platform as the reason its endpoint "url" was refused. A refused
// address is reported as a *BlockedAddressError, which also matches
// errors.Is(err, ErrBlockedAddress).
var (
	ErrInvalidURL        = errors.New("url must be an absolute URL such as https://example.com/webhooks")
	ErrURLTooLong        = fmt.Errorf("url must be at most %d characters", MaxURLLength)
	ErrUnsupportedScheme = errors.New("url scheme must be https")
	ErrInsecureURL       = errors.New("url must use https; http:// is not allowed on this server")
	ErrCredentialsInURL  = errors.New("url must not contain a user name or password")
	ErrMissingHost       = errors.New("url must contain a host")
	ErrInvalidHost       = errors.New("url host must be a DNS name or an IP address")
	ErrInvalidPort       = errors.New("url port must be a number from 1 to 65535")
	ErrUnresolvableHost  = errors.New("url host could not be resolved")
	ErrBlockedAddress    = errors.New("url must not point to a loopback, private, link-local or reserved address")
)

// BlockedAddressError reports a destination refused by the guard: Host is the
// host name of the URL (or the dialled address at connect time) and IP the
// refused address; IP is the zero Addr for names that are local by definition
// ("localhost").
type BlockedAddressError struct {
	Host string
	IP   netip.Addr
}

func (e *BlockedAddressError) Error() string {
	if !e.IP.IsValid() {
		return fmt.Sprintf("url host %q is a local name; %s", e.Host, ErrBlockedAddress)
	}
	if e.Host == "" || e.Host == e.IP.String() {
		return fmt.Sprintf("address %s is refused: %s", e.IP, ErrBlockedAddress)
	}
	return fmt.Sprintf("url host %q resolves to %s: %s", e.Host, e.IP, ErrBlockedAddress)
}

// Is makes errors.Is(err, ErrBlockedAddress) true.
func (e *BlockedAddressError) Is(target error) bool { return target == ErrBlockedAddress }

// URLPolicy decides which webhook endpoint URLs may be used. The zero value is
// the safe default: https only, public addresses only.
type URLPolicy struct {
	// AllowPrivate turns off the address checks (DSB_WEBHOOK_ALLOW_PRIVATE),
	// for development and tests with receivers on localhost.
	AllowPrivate bool
	// AllowInsecure accepts http:// as well as https:// (DSB_WEBHOOK_ALLOW_INSECURE).
	AllowInsecure bool
}

// CheckURL validates an endpoint URL when it is created or changed. It requires
// an absolute URL of at most MaxURLLength bytes with scheme https (or http when
// AllowInsecure), a host, no user:password, and a port, if any, from 1 to
// 65535. Unless AllowPrivate, it then resolves the host with resolver
// (net.DefaultResolver when nil; IP literals are used as they are) and refuses
// the URL if ANY address is blocked (see BlockedIP). A name that does not
// resolve is refused with ErrUnresolvableHost.
//
// Resolution can change after this check (DNS rebinding): the sender must also
// dial through DialControl.
func (p URLPolicy) CheckURL(ctx context.Context, raw string, resolver *net.Resolver) error {
	if len(raw) > MaxURLLength {
		return ErrURLTooLong
	}
	if raw == "" || strings.TrimSpace(raw) != raw {
		return ErrInvalidURL
	}
	u, err := url.Parse(raw)
	if err != nil || !u.IsAbs() || u.Opaque != "" {
		return ErrInvalidURL
	}
	switch u.Scheme {
	case "https":
	case "http":
		if !p.AllowInsecure {
			return ErrInsecureURL
		}
	default:
		return ErrUnsupportedScheme
	}
	if u.User != nil {
		return ErrCredentialsInURL
	}
	host := u.Hostname()
	if host == "" {
		return ErrMissingHost
	}
	if strings.HasSuffix(u.Host, ":") {
		return ErrInvalidPort
	}
	if port := u.Port(); port != "" {
		n, err := strconv.Atoi(port)
		if err != nil || n < 1 || n > 65535 {
			return ErrInvalidPort
		}
	}

	addr, isIP, err := parseHost(host)
	if err != nil {
		return err
	}
	if p.AllowPrivate {
		return nil
	}
	if isIP {
		if BlockedIP(addr) {
			return &BlockedAddressError{Host: host, IP: addr}
		}
		return nil
	}
	if isLocalName(host) {
		return &BlockedAddressError{Host: host}
	}
	if resolver == nil {
		resolver = net.DefaultResolver
	}
	addrs, err := resolver.LookupNetIP(ctx, "ip", host)
	if err != nil {
		return fmt.Errorf("%w: %q: %v", ErrUnresolvableHost, host, err)
	}
	if len(addrs) == 0 {
		return fmt.Errorf("%w: %q has no addresses", ErrUnresolvableHost, host)
	}
	for _, a := range addrs {
		if BlockedIP(a) {
			return &BlockedAddressError{Host: host, IP: a.Unmap()}
		}
	}
	return nil
}

// DialControl returns a function for net.Dialer.Control that refuses to
// connect to a blocked address (see BlockedIP). It runs after name resolution,
// on the address actually dialled, so a name that resolved to a public address
// at CheckURL time and to a private one now (DNS rebinding) is still refused.
// With AllowPrivate it allows everything.
//
// The HTTP transport using this dialer must not use a proxy (Proxy: nil), or
// only the proxy's address would be checked.
func (p URLPolicy) DialControl() func(network, address string, c syscall.RawConn) error {
	if p.AllowPrivate {
		return func(string, string, syscall.RawConn) error { return nil }
	}
	return func(network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return &BlockedAddressError{Host: address}
		}
		if ip := ap.Addr().WithZone("").Unmap(); BlockedIP(ip) {
			return &BlockedAddressError{Host: ip.String(), IP: ip}
		}
		return nil
	}
}

// parseHost returns the address of an IP-literal host; for a name it checks
// that it cannot be mistaken for one of the numeric IPv4 spellings that some
// resolvers accept (2130706433, 0x7f.1, 127.1, 0177.0.0.1).
func parseHost(host string) (addr netip.Addr, isIP bool, err error) {
	if a, err := netip.ParseAddr(host); err == nil {
		if a.Zone() != "" {
			return netip.Addr{}, false, ErrInvalidHost
		}
		return a, true, nil
	}
	if strings.ContainsAny(host, ":%[] /\\") {
		return netip.Addr{}, false, ErrInvalidHost
	}
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	last := strings.ToLower(labels[len(labels)-1])
	if last == "" || isNumericLabel(last) {
		return netip.Addr{}, false, ErrInvalidHost
	}
	return netip.Addr{}, false, nil
}

// isNumericLabel reports whether s reads as a number in the WHATWG URL IPv4
// parser (decimal, or hex with 0x): no top-level domain looks like that.
func isNumericLabel(s string) bool {
	if rest, ok := strings.CutPrefix(s, "0x"); ok {
		for _, c := range rest {
			if !strings.ContainsRune("0123456789abcdef", c) {
				return false
			}
		}
		return true
	}
	for _, c := range s {
		if c < '0' || c > '9' {
			return false
		}
	}
	return true
}

// isLocalName: "localhost" and its subdomains always mean this machine (RFC 6761).
func isLocalName(host string) bool {
	h := strings.ToLower(strings.TrimSuffix(host, "."))
	return h == "localhost" || strings.HasSuffix(h, ".localhost")
}

var (
	blockedV4 = mustPrefixes(
		"0.0.0.0/8",          // "this network", includes the unspecified 0.0.0.0
		"10.0.0.0/8",         // private
		"100.64.0.0/10",      // carrier-grade NAT (shared address space)
		"127.0.0.0/8",        // loopback
		"169.254.0.0/16",     // link-local, includes cloud metadata 169.254.169.254
		"172.16.0.0/12",      // private
		"192.0.0.0/24",       // IETF protocol assignments
		"192.0.2.0/24",       // documentation TEST-NET-1
		"192.88.99.0/24",     // 6to4 relay anycast (deprecated)
		"192.168.0.0/16",     // private
		"198.18.0.0/15",      // benchmarking
		"198.51.100.0/24",    // documentation TEST-NET-2
		"203.0.113.0/24",     // documentation TEST-NET-3
		"224.0.0.0/4",        // multicast
		"240.0.0.0/4",        // reserved, includes broadcast 255.255.255.255
		"255.255.255.255/32", // limited broadcast (inside 240/4; listed for clarity)
	)
	blockedV6 = mustPrefixes(
		"::/96",          // unspecified ::, loopback ::1 and deprecated IPv4-compatible addresses
		"100::/64",       // discard-only
		"2001::/32",      // Teredo
		"2001:2::/48",    // benchmarking
		"2001:db8::/32",  // documentation
		"64:ff9b:1::/48", // local-use NAT64
		"fc00::/7",       // unique local (private)
		"fe80::/10",      // link-local
		"fec0::/10",      // site-local (deprecated)
		"ff00::/8",       // multicast
	)
	nat64  = netip.MustParsePrefix("64:ff9b::/96")
	sixTo4 = netip.MustParsePrefix("2002::/16")
)

func mustPrefixes(ss ...string) []netip.Prefix {
	ps := make([]netip.Prefix, len(ss))
	for i, s := range ss {
		ps[i] = netip.MustParsePrefix(s)
	}
	return ps
}

// BlockedIP reports whether a webhook must not be sent to ip. Blocked are
// invalid addresses and:
//
//   - IPv4: 0.0.0.0/8 ("this network", unspecified), 10.0.0.0/8, 172.16.0.0/12,
//     192.168.0.0/16 (private), 100.64.0.0/10 (carrier-grade NAT), 127.0.0.0/8
//     (loopback), 169.254.0.0/16 (link-local, cloud metadata), 192.0.0.0/24
//     (IETF protocol assignments), 192.0.2.0/24, 198.51.100.0/24, 203.0.113.0/24
//     (documentation), 192.88.99.0/24 (6to4 relay), 198.18.0.0/15
//     (benchmarking), 224.0.0.0/4 (multicast), 240.0.0.0/4 (reserved) and
//     255.255.255.255 (broadcast);
//   - IPv6: :: (unspecified), ::1 (loopback), ::/96 (IPv4-compatible),
//     100::/64 (discard), 2001::/32 (Teredo), 2001:2::/48 (benchmarking),
//     2001:db8::/32 (documentation), 64:ff9b:1::/48 (local-use NAT64),
//     fc00::/7 (unique local), fe80::/10 (link-local), fec0::/10 (site-local),
//     ff00::/8 (multicast);
//   - IPv6 addresses embedding a blocked IPv4 address: IPv4-mapped
//     ::ffff:a.b.c.d (checked as a.b.c.d), NAT64 64:ff9b::a.b.c.d and 6to4
//     2002:AABB:CCDD::/48.
//
// The zone of a scoped address is ignored.
func BlockedIP(ip netip.Addr) bool {
	if !ip.IsValid() {
		return true
	}
	ip = ip.WithZone("").Unmap()
	if ip.IsLoopback() || ip.IsPrivate() || ip.IsUnspecified() || ip.IsMulticast() ||
		ip.IsLinkLocalUnicast() || ip.IsLinkLocalMulticast() || ip.IsInterfaceLocalMulticast() {
		return true
	}
	if ip.Is4() {
		return inAny(ip, blockedV4)
	}
	if inAny(ip, blockedV6) {
		return true
	}
	b := ip.As16()
	switch {
	case nat64.Contains(ip):
		return BlockedIP(netip.AddrFrom4([4]byte(b[12:16])))
	case sixTo4.Contains(ip):
		return BlockedIP(netip.AddrFrom4([4]byte(b[2:6])))
	}
	return false
}

func inAny(ip netip.Addr, ps []netip.Prefix) bool {
	for _, p := range ps {
		if p.Contains(ip) {
			return true
		}
	}
	return false
}
