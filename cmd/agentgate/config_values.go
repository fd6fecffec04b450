package main

import (
	"fmt"
	"net/netip"
	"strconv"
	"strings"
	"time"
)

// The readers of the settings' values. Each gets the value as set, or the setting's
// default when it is unset, and says what is wrong in words that follow "NAME: ".

// prefixesVar reads a comma-separated list of CIDRs ("10.0.0.0/8") and single addresses
// (taken as /32 or /128).
func prefixesVar(s string) ([]netip.Prefix, error) {
	var out []netip.Prefix
	for _, f := range listVar(s) {
		p, err := netip.ParsePrefix(f)
		if err != nil {
			a, aerr := netip.ParseAddr(f)
			if aerr != nil {
				return nil, fmt.Errorf("%q is not an IP address or CIDR such as 10.0.0.0/8", f)
			}
			p = netip.PrefixFrom(a, a.BitLen())
		}
		out = append(out, p.Masked())
	}
	return out, nil
}

// listVar reads a comma-separated list, its items trimmed and the empty ones dropped.
func listVar(s string) []string {
	var out []string
	for _, f := range strings.Split(s, ",") {
		if f = strings.TrimSpace(f); f != "" {
			out = append(out, f)
		}
	}
	return out
}

func orDefault(s, def string) string {
	if s == "" {
		return def
	}
	return s
}

// intVar reads a whole number from lo to hi; empty is 0, for a setting whose default
// depends on others (SMTP_PORT).
func intVar(s string, lo, hi int) (int, error) {
	if s == "" {
		return 0, nil
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < lo || n > hi {
		return 0, fmt.Errorf("%q is not a whole number from %d to %d", s, lo, hi)
	}
	return n, nil
}

// boolVar reads true or false (also 1 or 0, in any case).
func boolVar(s string) (bool, error) {
	switch strings.ToLower(s) {
	case "false", "0":
		return false, nil
	case "true", "1":
		return true, nil
	}
	return false, fmt.Errorf("%q is not true or false", s)
}

// durationVar reads a Go duration ("90m", "24h") or whole seconds.
func durationVar(s string) (time.Duration, error) {
	if n, err := strconv.Atoi(s); err == nil && n > 0 {
		return time.Duration(n) * time.Second, nil
	}
	d, err := time.ParseDuration(s)
	if err != nil || d <= 0 {
		return 0, fmt.Errorf("%q is not a positive duration such as 30m or 24h", s)
	}
	return d, nil
}
