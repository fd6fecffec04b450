package webhook

import (
	"fmt"
	"net/netip"
)

// AddrError says why a webhook may not reach an address. Local errors go away with
// WEBHOOK_ALLOW_PRIVATE=true; the others (metadata, 0.0.0.0/8, multicast, reserved and
// tunnelling ranges) never do.
type AddrError struct {
	Addr   netip.Addr // the address as dialled or resolved, IPv4-mapped forms unmapped
	Reason string     // what it is, e.g. "a private address"
	Local  bool       // a loopback, private, link-local or similar address
}

// Error says what the address is and whether WEBHOOK_ALLOW_PRIVATE would admit it.
func (e *AddrError) Error() string { return e.Addr.String() + " is " + e.Reason + e.hint() }

// describe is "10.0.0.5, a private address; set ..." for sentences that say how it was met.
func (e *AddrError) describe() string { return e.Addr.String() + ", " + e.Reason + e.hint() }

func (e *AddrError) hint() string {
	if e.Local {
		return "; set WEBHOOK_ALLOW_PRIVATE=true for local targets"
	}
	return ", which a webhook may never reach"
}

// addrRange is a block of addresses a webhook is refused, and what to call it.
type addrRange struct {
	prefix netip.Prefix
	reason string
	local  bool // WEBHOOK_ALLOW_PRIVATE lifts the refusal
}

// metadataAddrs answer cloud instance-metadata and credential requests: reaching them
// from a webhook hands the host's cloud credentials to whoever wrote the URL.
var metadataAddrs = map[netip.Addr]bool{
	netip.MustParseAddr("169.254.169.254"): true, // AWS, GCP, Azure, OCI, DigitalOcean, ...
	netip.MustParseAddr("169.254.170.2"):   true, // AWS ECS task credentials
	netip.MustParseAddr("169.254.170.23"):  true, // AWS EKS Pod Identity
	netip.MustParseAddr("fd00:ec2::254"):   true, // AWS IMDS over IPv6
	netip.MustParseAddr("fd00:ec2::23"):    true, // AWS EKS Pod Identity over IPv6
	netip.MustParseAddr("100.100.100.200"): true, // Alibaba Cloud
	netip.MustParseAddr("168.63.129.16"):   true, // Azure WireServer
	netip.MustParseAddr("192.0.0.192"):     true, // Oracle Cloud (classic)
}

// refusedRanges are tried in order; the first that holds the address names it. IPv6
// addresses outside 2000::/3 (global unicast) that no entry names are refused as reserved.
var refusedRanges = []addrRange{
	{netip.MustParsePrefix("0.0.0.0/8"), `a "this network" address`, false}, // 0.0.0.0 reaches the host itself
	{netip.MustParsePrefix("10.0.0.0/8"), "a private address", true},
	{netip.MustParsePrefix("100.64.0.0/10"), "a shared (CGNAT) address", true},
	{netip.MustParsePrefix("127.0.0.0/8"), "a loopback address", true},
	{netip.MustParsePrefix("169.254.0.0/16"), "a link-local address", true},
	{netip.MustParsePrefix("172.16.0.0/12"), "a private address", true},
	{netip.MustParsePrefix("192.0.0.0/24"), "an IETF protocol address", true},
	{netip.MustParsePrefix("192.168.0.0/16"), "a private address", true},
	{netip.MustParsePrefix("198.18.0.0/15"), "a benchmarking address", true},
	{netip.MustParsePrefix("224.0.0.0/4"), "a multicast address", false},
	{netip.MustParsePrefix("240.0.0.0/4"), "a reserved or broadcast address", false},

	{netip.MustParsePrefix("::/128"), "the unspecified address", false},
	{netip.MustParsePrefix("::1/128"), "a loopback address", true},
	{netip.MustParsePrefix("::/96"), "an IPv4-compatible address (deprecated)", false},
	{netip.MustParsePrefix("64:ff9b:1::/48"), "a local-use NAT64 address", true},
	{netip.MustParsePrefix("100::/64"), "a discard-only address", false},
	{netip.MustParsePrefix("2001::/32"), "a Teredo tunnel address", false},
	{netip.MustParsePrefix("2001:db8::/32"), "a documentation address", false},
	{netip.MustParsePrefix("2002::/16"), "a 6to4 tunnel address", false},
	{netip.MustParsePrefix("fc00::/7"), "a unique local (ULA) address", true},
	{netip.MustParsePrefix("fe80::/10"), "a link-local address", true},
	{netip.MustParsePrefix("fec0::/10"), "a site-local address", true},
	{netip.MustParsePrefix("ff00::/8"), "a multicast address", false},
}

var (
	globalUnicast = netip.MustParsePrefix("2000::/3")
	nat64         = netip.MustParsePrefix("64:ff9b::/96") // DNS64 maps every IPv4 host here
)

// CheckAddr reports whether a webhook may connect to a, as an *AddrError when not.
// IPv4-mapped IPv6 addresses are judged as the IPv4 address they carry, and a NAT64
// address as the IPv4 address it translates to. allowPrivate admits the Local ranges.
func CheckAddr(a netip.Addr, allowPrivate bool) error {
	e := classify(a.WithZone("").Unmap())
	if e == nil || (e.Local && allowPrivate) {
		return nil
	}
	return e
}

func classify(a netip.Addr) *AddrError {
	if !a.IsValid() {
		return &AddrError{Addr: a, Reason: "not an IP address"}
	}
	if metadataAddrs[a] {
		return &AddrError{Addr: a, Reason: "a cloud metadata address"}
	}
	if nat64.Contains(a) {
		b := a.As16()
		inner := classify(netip.AddrFrom4([4]byte(b[12:])))
		if inner == nil {
			return nil
		}
		return &AddrError{Addr: a, Reason: fmt.Sprintf("the NAT64 form of %s, %s", inner.Addr, inner.Reason), Local: inner.Local}
	}
	for _, r := range refusedRanges {
		if r.prefix.Contains(a) {
			return &AddrError{Addr: a, Reason: r.reason, Local: r.local}
		}
	}
	if a.Is6() && !globalUnicast.Contains(a) {
		return &AddrError{Addr: a, Reason: "a reserved address"}
	}
	return nil
}
