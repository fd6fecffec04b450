package webhook

import (
	"context"
	"errors"
	"net"
	"net/netip"
	"net/url"
	"strconv"
	"strings"

	"github.com/agentgate/agentgate"
)

const maxURLLength = 2048

// CheckURL reports whether a webhook may be created for rawURL: an absolute http or https
// URL without user info, whose host is a canonical IP address or a name that resolves, and
// every address of which a webhook may reach (see CheckAddr). The error is an
// *agentgate.Error: invalid_webhook_url (400) saying why, or webhook_url_unresolved (503)
// when the resolver could not answer, since the gateway cannot tell then and refuses.
//
// This check is for the person creating the webhook. It does not make delivery safe by
// itself: DNS can change after it; the client made by NewClient checks again every
// address it dials.
func CheckURL(ctx context.Context, rawURL string, allowPrivate bool) error {
	u, err := parseTarget(rawURL)
	if err != nil {
		return err
	}
	host := u.Hostname()
	if a, err := netip.ParseAddr(host); err == nil {
		var refused *AddrError
		if errors.As(CheckAddr(a, allowPrivate), &refused) {
			return invalidURL("the webhook URL's host is %s", refused.describe())
		}
		return nil
	}
	addrs, err := net.DefaultResolver.LookupNetIP(ctx, "ip", host)
	var dnsErr *net.DNSError
	switch {
	case errors.As(err, &dnsErr) && dnsErr.IsNotFound, err == nil && len(addrs) == 0:
		return invalidURL("the webhook URL's host %s does not resolve", host)
	case err != nil:
		return agentgate.Errorf(agentgate.KindUnavailable, "webhook_url_unresolved",
			"could not resolve %s to check where the webhook would go; try again", host).
			WithDetails(map[string]any{"field": "url"})
	}
	for _, a := range addrs {
		var refused *AddrError
		if errors.As(CheckAddr(a, allowPrivate), &refused) {
			return invalidURL("the webhook URL's host %s resolves to %s", host, refused.describe())
		}
	}
	return nil
}

// parseTarget checks what can be checked of a webhook URL without the network.
func parseTarget(rawURL string) (*url.URL, error) {
	if len(rawURL) > maxURLLength {
		return nil, invalidURL("the webhook URL is longer than %d characters", maxURLLength)
	}
	u, err := url.Parse(rawURL)
	if err != nil {
		return nil, invalidURL("the webhook URL does not parse: %s", strings.TrimPrefix(err.Error(), "parse "))
	}
	if u.Scheme != "http" && u.Scheme != "https" {
		return nil, invalidURL("the webhook URL must start with http:// or https://")
	}
	if u.Opaque != "" || u.Hostname() == "" {
		return nil, invalidURL("the webhook URL has no host")
	}
	if u.User != nil {
		return nil, invalidURL("the webhook URL must not carry a user name or password; deliveries are signed instead")
	}
	if p := u.Port(); p != "" {
		if n, err := strconv.Atoi(p); err != nil || n < 1 || n > 65535 {
			return nil, invalidURL("the webhook URL's port %s is not between 1 and 65535", p)
		}
	}
	if err := checkNumericHost(u.Hostname()); err != nil {
		return nil, err
	}
	return u, nil
}

// checkNumericHost refuses a host that ends in a number but is not a canonical IP address.
// Browsers and C resolvers read such names as IPv4 (2130706433, 0177.0.0.1, 0x7f.1 and 127.1
// all mean 127.0.0.1) while Go's resolver does not, so whatever they mean, they are refused
// with the address written out.
func checkNumericHost(host string) error {
	labels := strings.Split(strings.TrimSuffix(host, "."), ".")
	if _, err := netip.ParseAddr(host); err == nil || !isNumberLabel(labels[len(labels)-1]) {
		return nil
	}
	if a, ok := parseLooseIPv4(labels); ok {
		return invalidURL("the webhook URL's host %s is an unusual way to write %s; write %s", host, a, a)
	}
	return invalidURL("the webhook URL's host %s ends in a number but is not an IP address", host)
}

// parseLooseIPv4 reads an IPv4 address as inet_aton and URL parsers do: one to four parts,
// each decimal, octal (leading 0) or hexadecimal (0x), the last filling the remaining bytes.
func parseLooseIPv4(parts []string) (netip.Addr, bool) {
	if len(parts) > 4 {
		return netip.Addr{}, false
	}
	var v uint64
	for i, p := range parts {
		n, ok := parseIPv4Part(p)
		last := i == len(parts)-1
		if !ok || (!last && n > 255) || (last && n >= 1<<(8*(5-len(parts)))) {
			return netip.Addr{}, false
		}
		if last {
			v = v<<(8*(5-len(parts))) | n
		} else {
			v = v<<8 | n
		}
	}
	return netip.AddrFrom4([4]byte{byte(v >> 24), byte(v >> 16), byte(v >> 8), byte(v)}), true
}

// isNumberLabel is the URL standard's test for a host that ends in a number: all digits, or
// 0x and hexadecimal digits.
func isNumberLabel(label string) bool {
	if len(label) >= 2 && (label[:2] == "0x" || label[:2] == "0X") {
		return strings.Trim(label[2:], "0123456789abcdefABCDEF") == ""
	}
	return label != "" && strings.Trim(label, "0123456789") == ""
}

func parseIPv4Part(p string) (uint64, bool) {
	base := 10
	switch {
	case len(p) > 2 && (p[:2] == "0x" || p[:2] == "0X"):
		p, base = p[2:], 16
	case len(p) > 1 && p[0] == '0':
		p, base = p[1:], 8
	}
	if p == "" {
		return 0, false
	}
	n, err := strconv.ParseUint(p, base, 64)
	return n, err == nil
}

func invalidURL(format string, args ...any) error {
	return agentgate.Errorf(agentgate.KindInvalid, "invalid_webhook_url", format, args...).
		WithDetails(map[string]any{"field": "url"})
}
