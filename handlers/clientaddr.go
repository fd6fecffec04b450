package handlers

import (
	"net"
	"net/netip"
	"strings"

	"github.com/labstack/echo/v4"
)

// clientAddr returns how the server learns a caller's address (c.RealIP), for the
// sign-in backoff and the logs. By default it is the connection's peer: a header is
// anyone's to write. Behind reverse proxies listed in trusted, it is the nearest address
// in X-Forwarded-For that is not a trusted proxy, read from the right, so a client cannot
// pose as another by sending the header itself: its own entry is left of what its proxy
// appended. Echo's private, loopback and link-local defaults are turned off, so only what
// TRUSTED_PROXIES names is trusted.
func clientAddr(trusted []netip.Prefix) echo.IPExtractor {
	if len(trusted) == 0 {
		return echo.ExtractIPDirect()
	}
	opts := []echo.TrustOption{echo.TrustLoopback(false), echo.TrustLinkLocal(false), echo.TrustPrivateNet(false)}
	for _, p := range trusted {
		p = p.Masked()
		bits := 128
		if p.Addr().Is4() {
			bits = 32
		}
		opts = append(opts, echo.TrustIPRange(&net.IPNet{IP: p.Addr().AsSlice(), Mask: net.CIDRMask(p.Bits(), bits)}))
	}
	return echo.ExtractIPFromXFFHeader(opts...)
}

// backoffKey is the unit an address is counted in: an IPv4 address, or an IPv6 address's
// /64, since one host commonly holds a whole /64 and could otherwise step through it.
func backoffKey(addr string) string {
	if !strings.Contains(addr, ":") {
		return addr
	}
	ip, err := netip.ParseAddr(addr)
	if err != nil || ip.Is4In6() {
		return addr
	}
	p, err := ip.Prefix(64)
	if err != nil {
		return addr
	}
	return p.String()
}
