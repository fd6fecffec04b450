package webhook_test

import (
	"context"
	"strings"
	"testing"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/webhook"
)

func TestCheckURL(t *testing.T) {
	const privateHint = "; set WEBHOOK_ALLOW_PRIVATE=true for local targets"
	tests := []struct {
		url          string
		allowPrivate bool
		want         string // "" when accepted, else a part of the message
	}{
		{"https://93.184.215.14/hooks/agentgate", false, ""},
		{"http://93.184.215.14:8080/hook?token=x", false, ""},
		{"https://[2606:4700:4700::1111]/hook", false, ""},
		{"http://localhost:8080/hook", true, ""},
		{"http://127.0.0.1:8080/hook", true, ""},
		{"http://[::1]:8080/hook", true, ""},
		{"http://10.0.0.5/hook", true, ""},

		// Refused ranges, as literals. The message is the one the API shows.
		{"http://10.0.0.5/hook", false, "the webhook URL's host is 10.0.0.5, a private address" + privateHint},
		{"http://127.0.0.1/", false, "127.0.0.1, a loopback address" + privateHint},
		{"http://[::1]/", false, "::1, a loopback address"},
		{"http://[fe80::1%25eth0]/", false, "fe80::1, a link-local address"},
		{"http://[fd12::1]/", false, "a unique local (ULA) address"},
		{"http://100.64.0.1/", false, "a shared (CGNAT) address"},
		{"http://0.0.0.0:3000/", true, `0.0.0.0, a "this network" address, which a webhook may never reach`},
		{"http://224.0.0.1/", true, "a multicast address"},
		{"http://169.254.169.254/latest/meta-data/", true, "169.254.169.254, a cloud metadata address, which a webhook may never reach"},
		{"http://[::ffff:169.254.169.254]/", true, "169.254.169.254, a cloud metadata address"},
		{"http://[::ffff:a9fe:a9fe]/", true, "169.254.169.254, a cloud metadata address"},
		{"http://[fd00:ec2::254]/", true, "fd00:ec2::254, a cloud metadata address"},

		// A name is judged by what it resolves to.
		{"http://localhost:8080/hook", false, "the webhook URL's host localhost resolves to 127.0.0.1, a loopback address" + privateHint},

		// IPv4 written as browsers and C resolvers read it, never as Go does: refused, spelled out.
		{"http://2130706433/", false, "2130706433 is an unusual way to write 127.0.0.1; write 127.0.0.1"},
		{"http://0177.0.0.1/", false, "0177.0.0.1 is an unusual way to write 127.0.0.1"},
		{"http://0x7f.0.0.1/", false, "0x7f.0.0.1 is an unusual way to write 127.0.0.1"},
		{"http://0x7f000001/", false, "0x7f000001 is an unusual way to write 127.0.0.1"},
		{"http://127.1/", false, "127.1 is an unusual way to write 127.0.0.1"},
		{"http://0251.0376.0251.0376/", true, "is an unusual way to write 169.254.169.254"},
		{"http://3232235777/", true, "is an unusual way to write 192.168.1.1"},
		{"http://010.0.0.5/", false, "010.0.0.5 is an unusual way to write 8.0.0.5"}, // octal: not 10.0.0.5
		{"http://0x08080808/", false, "is an unusual way to write 8.8.8.8"},          // even public ones
		{"http://1.2.3.4.5/", false, "ends in a number but is not an IP address"},
		{"http://example.0x/", false, "ends in a number but is not an IP address"},
		{"http://example.08/", false, "ends in a number but is not an IP address"}, // 8 is no octal digit
		{"http://4294967296/", false, "ends in a number but is not an IP address"},

		// Not a webhook URL at all.
		{"ftp://93.184.215.14/", false, "must start with http:// or https://"},
		{"file:///etc/passwd", false, "must start with http:// or https://"},
		{"javascript:alert(1)", false, "must start with http:// or https://"},
		{"/relative/hook", false, "must start with http:// or https://"},
		{"http:opaque", false, "has no host"},
		{"http:///path", false, "has no host"},
		{"http://user:pass@93.184.215.14/", false, "must not carry a user name or password"},
		{"http://93.184.215.14:0/", false, "port 0 is not between 1 and 65535"},
		{"http://93.184.215.14:65536/", false, "port 65536 is not between 1 and 65535"},
		{"http://bad host/", false, "does not parse"},
		{"https://93.184.215.14/" + strings.Repeat("a", 2048), false, "longer than 2048 characters"},
	}
	for _, tt := range tests {
		err := webhook.CheckURL(context.Background(), tt.url, tt.allowPrivate)
		switch {
		case tt.want == "" && err != nil:
			t.Errorf("CheckURL(%q, allowPrivate=%v) = %v, want nil", tt.url, tt.allowPrivate, err)
		case tt.want != "" && (err == nil || !strings.Contains(err.Error(), tt.want)):
			t.Errorf("CheckURL(%q, allowPrivate=%v) = %v, want %q", tt.url, tt.allowPrivate, err, tt.want)
		case err != nil && (agentgate.ErrorKind(err) != agentgate.KindInvalid || agentgate.ErrorCode(err) != "invalid_webhook_url"):
			t.Errorf("CheckURL(%q) = %v: want KindInvalid, invalid_webhook_url (a 400)", tt.url, err)
		}
	}
}

// TestCheckURLNameThatDoesNotResolve uses a reserved name (RFC 6761), which never resolves.
func TestCheckURLNameThatDoesNotResolve(t *testing.T) {
	err := webhook.CheckURL(context.Background(), "https://hooks.agentgate.invalid/x", false)
	if err == nil {
		t.Fatal("CheckURL accepted a name that does not resolve")
	}
	switch agentgate.ErrorCode(err) {
	case "invalid_webhook_url":
		if !strings.Contains(err.Error(), "does not resolve") {
			t.Errorf("message %q does not say the name does not resolve", err)
		}
	case "webhook_url_unresolved": // no resolver reachable here: refused all the same
		if agentgate.ErrorKind(err) != agentgate.KindUnavailable {
			t.Errorf("kind of %v is not KindUnavailable", err)
		}
	default:
		t.Errorf("CheckURL = %v (code %s)", err, agentgate.ErrorCode(err))
	}
}
