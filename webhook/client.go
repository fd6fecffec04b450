package webhook

import (
	"context"
	"fmt"
	"net"
	"net/http"
	"net/netip"
	"syscall"
	"time"

	"github.com/agentgate/agentgate"
)

// Options configure the webhook client and Sender. The zero value is the safe default.
type Options struct {
	// AllowPrivate lets webhooks reach loopback, private, shared, link-local and ULA
	// addresses (WEBHOOK_ALLOW_PRIVATE), for local use and tests; never metadata addresses.
	AllowPrivate   bool
	Clock          agentgate.Clock // times the signatures; nil is the system clock
	Timeout        time.Duration   // one whole attempt, connect to last byte read; 0 is 15 s
	ConnectTimeout time.Duration   // TCP connect, and TLS handshake; 0 is 5 s
	Version        string          // the server's version, for the User-Agent; may be empty
}

const (
	defaultTimeout        = 15 * time.Second
	defaultConnectTimeout = 5 * time.Second
	maxResponseHeader     = 16 << 10 // a receiver's headers, beyond which the attempt fails
	maxResponseRead       = 64 << 10 // read so the connection can be reused, then dropped
	maxExcerpt            = 1 << 10  // kept for the delivery log
)

// NewClient returns the HTTP client deliveries go through. Every address it connects to is
// checked by CheckAddr at dial time, after DNS resolution, so a name that resolved to a
// public address when the webhook was created and to a private one now (DNS rebinding) is
// still refused. It takes no proxy from the environment, follows no redirect (the 3xx is
// returned as the answer), and bounds the connect, the whole exchange and the headers.
func NewClient(opts Options) *http.Client {
	connect := positiveOr(opts.ConnectTimeout, defaultConnectTimeout)
	dialer := &net.Dialer{
		Timeout:        connect,
		KeepAlive:      30 * time.Second,
		ControlContext: dialControl(opts.AllowPrivate),
	}
	transport := &http.Transport{
		Proxy:                  nil, // HTTP_PROXY would move the connection, and its check, elsewhere
		DialContext:            dialer.DialContext,
		ForceAttemptHTTP2:      true,
		TLSHandshakeTimeout:    connect,
		MaxIdleConns:           100,
		MaxIdleConnsPerHost:    16, // the dispatcher's workers often post to one receiver
		IdleConnTimeout:        90 * time.Second,
		MaxResponseHeaderBytes: maxResponseHeader,
	}
	return &http.Client{
		Transport: transport,
		Timeout:   positiveOr(opts.Timeout, defaultTimeout),
		CheckRedirect: func(*http.Request, []*http.Request) error {
			return http.ErrUseLastResponse
		},
	}
}

// dialControl runs after resolution and before connect(2), with the exact address about to
// be connected to; refusing there means not one packet goes to a refused address.
func dialControl(allowPrivate bool) func(ctx context.Context, network, address string, c syscall.RawConn) error {
	return func(_ context.Context, network, address string, _ syscall.RawConn) error {
		ap, err := netip.ParseAddrPort(address)
		if err != nil {
			return fmt.Errorf("webhook: cannot check the %s address %q, so not connecting: %w", network, address, err)
		}
		return CheckAddr(ap.Addr(), allowPrivate)
	}
}

func positiveOr(d, def time.Duration) time.Duration {
	if d > 0 {
		return d
	}
	return def
}
