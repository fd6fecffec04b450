package webhook_test

import (
	"errors"
	"net/netip"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/webhook"
)

// refusal is what CheckAddr should say of an address: refused with or without
// WEBHOOK_ALLOW_PRIVATE, and the words naming why.
type refusal int

const (
	allowed refusal = iota // public: always reachable
	local                  // refused, unless private targets are allowed
	never                  // refused even then
)

func TestCheckAddr(t *testing.T) {
	tests := []struct {
		addr   string
		want   refusal
		reason string
	}{
		// Public addresses, including the first and last outside each refused IPv4 block.
		{"8.8.8.8", allowed, ""},
		{"1.0.0.0", allowed, ""},
		{"9.255.255.255", allowed, ""},
		{"11.0.0.0", allowed, ""},
		{"100.63.255.255", allowed, ""},
		{"100.128.0.0", allowed, ""},
		{"126.255.255.255", allowed, ""},
		{"128.0.0.0", allowed, ""},
		{"169.253.255.255", allowed, ""},
		{"169.255.0.0", allowed, ""},
		{"172.15.255.255", allowed, ""},
		{"172.32.0.0", allowed, ""},
		{"192.167.255.255", allowed, ""},
		{"192.169.0.0", allowed, ""},
		{"223.255.255.255", allowed, ""},
		{"2606:4700:4700::1111", allowed, ""},
		{"64:ff9b::808:808", allowed, ""}, // NAT64 of 8.8.8.8
		{"::ffff:8.8.8.8", allowed, ""},

		// IPv4.
		{"0.0.0.0", never, `"this network"`},
		{"0.255.255.255", never, `"this network"`},
		{"10.0.0.5", local, "a private address"},
		{"10.255.255.255", local, "a private address"},
		{"100.64.0.1", local, "CGNAT"},
		{"100.127.255.255", local, "CGNAT"},
		{"127.0.0.1", local, "loopback"},
		{"127.255.255.254", local, "loopback"},
		{"169.254.0.1", local, "link-local"},
		{"172.16.0.1", local, "a private address"},
		{"172.31.255.255", local, "a private address"},
		{"192.0.0.8", local, "IETF protocol"},
		{"192.168.1.1", local, "a private address"},
		{"198.18.0.1", local, "benchmarking"},
		{"224.0.0.1", never, "multicast"},
		{"239.255.255.250", never, "multicast"},
		{"240.0.0.1", never, "reserved"},
		{"255.255.255.255", never, "broadcast"},

		// Cloud metadata: never, whatever the form.
		{"169.254.169.254", never, "cloud metadata"},
		{"169.254.170.2", never, "cloud metadata"},
		{"169.254.170.23", never, "cloud metadata"},
		{"100.100.100.200", never, "cloud metadata"},
		{"168.63.129.16", never, "cloud metadata"},
		{"192.0.0.192", never, "cloud metadata"},
		{"fd00:ec2::254", never, "cloud metadata"},
		{"fd00:ec2::23", never, "cloud metadata"},
		{"::ffff:169.254.169.254", never, "cloud metadata"},
		{"::ffff:a9fe:a9fe", never, "cloud metadata"},
		{"64:ff9b::a9fe:a9fe", never, "NAT64 form of 169.254.169.254, a cloud metadata address"},

		// IPv4-mapped and NAT64 forms are judged as the IPv4 address they reach.
		{"::ffff:127.0.0.1", local, "loopback"},
		{"::ffff:10.0.0.5", local, "a private address"},
		{"::ffff:0.0.0.0", never, `"this network"`},
		{"64:ff9b::7f00:1", local, "NAT64 form of 127.0.0.1, a loopback address"},
		{"64:ff9b::a00:5", local, "NAT64 form of 10.0.0.5"},

		// IPv6.
		{"::", never, "unspecified"},
		{"::1", local, "loopback"},
		{"::127.0.0.1", never, "IPv4-compatible"},
		{"64:ff9b:1::1", local, "local-use NAT64"},
		{"100::1", never, "discard-only"},
		{"2001::1", never, "Teredo"},
		{"2001:db8::1", never, "documentation"},
		{"2002:a00:5::1", never, "6to4"},
		{"fc00::1", local, "ULA"},
		{"fd12:3456::1", local, "ULA"},
		{"fe80::1", local, "link-local"},
		{"fe80::1%eth0", local, "link-local"},
		{"febf:ffff::1", local, "link-local"},
		{"fec0::1", local, "site-local"},
		{"ff02::1", never, "multicast"},
		{"4000::1", never, "reserved"}, // outside 2000::/3
		{"::2", never, "IPv4-compatible"},
	}
	for _, tt := range tests {
		a := netip.MustParseAddr(tt.addr)
		strict, lenient := webhook.CheckAddr(a, false), webhook.CheckAddr(a, true)
		if (strict == nil) != (tt.want == allowed) || (lenient == nil) != (tt.want != never) {
			t.Errorf("CheckAddr(%s): strict %v, allowing private %v; want %v", tt.addr, strict, lenient, tt.want)
			continue
		}
		var e *webhook.AddrError
		if tt.want != allowed && (!errors.As(strict, &e) || !strings.Contains(e.Error(), tt.reason)) {
			t.Errorf("CheckAddr(%s) = %v, want it to say %q", tt.addr, strict, tt.reason)
		}
	}
}

func TestAddrErrorSaysWhatToDo(t *testing.T) {
	for _, tt := range []struct{ addr, want string }{
		{"10.0.0.5", "10.0.0.5 is a private address; set WEBHOOK_ALLOW_PRIVATE=true for local targets"},
		{"::ffff:169.254.169.254", "169.254.169.254 is a cloud metadata address, which a webhook may never reach"},
	} {
		if err := webhook.CheckAddr(netip.MustParseAddr(tt.addr), false); err == nil || err.Error() != tt.want {
			t.Errorf("CheckAddr(%s) = %v, want %q", tt.addr, err, tt.want)
		}
	}
}
