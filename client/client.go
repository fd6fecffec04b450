package client

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"time"
)

// DefaultUserAgent is sent when no WithUserAgent option is given.
const DefaultUserAgent = "agentgate-go-client"

// Client talks to one AgentGate server with one API key. It is safe for concurrent use.
type Client struct {
	base      *url.URL
	baseErr   error
	apiKey    string
	http      *http.Client
	userAgent string
	backoff   Backoff
	pollWait  time.Duration
}

// Option configures a Client.
type Option func(*Client)

// WithHTTPClient makes the client send its requests through h (for proxies, TLS settings or
// tests). Leave h's Timeout at zero: long-polls last up to a minute, and every call already
// ends with its context.
func WithHTTPClient(h *http.Client) Option {
	return func(c *Client) {
		if h != nil {
			c.http = h
		}
	}
}

// WithUserAgent sets the User-Agent header, so server logs can tell agents apart.
func WithUserAgent(ua string) Option {
	return func(c *Client) {
		if ua != "" {
			c.userAgent = ua
		}
	}
}

// Backoff bounds the delays WaitForDecision sleeps between attempts after the server could
// not be reached: the first retry waits about Min, each next one twice as long, never more
// than Max, with random jitter so many agents do not retry in step.
type Backoff struct {
	Min time.Duration
	Max time.Duration
}

// DefaultBackoff is the retry schedule used unless WithRetry says otherwise.
var DefaultBackoff = Backoff{Min: 200 * time.Millisecond, Max: 10 * time.Second}

// WithRetry sets the backoff WaitForDecision uses while the server is unreachable, restarting
// or rate-limiting, and Request between its few attempts.
func WithRetry(b Backoff) Option {
	return func(c *Client) {
		if b.Min > 0 {
			c.backoff.Min = b.Min
		}
		if b.Max >= c.backoff.Min {
			c.backoff.Max = b.Max
		}
	}
}

// WithPollWait sets how long each long-poll of WaitForDecision asks the server to hold the
// request (default 30s; the server caps it at its own maximum).
func WithPollWait(d time.Duration) Option {
	return func(c *Client) {
		if d > 0 {
			c.pollWait = d
		}
	}
}

// New returns a client for the server at baseURL (such as "http://localhost:3000")
// authenticating with apiKey. A malformed baseURL is reported by the first call.
func New(baseURL, apiKey string, opts ...Option) *Client {
	c := &Client{
		apiKey:    apiKey,
		http:      &http.Client{},
		userAgent: DefaultUserAgent,
		backoff:   DefaultBackoff,
		pollWait:  30 * time.Second,
	}
	c.base, c.baseErr = parseBase(baseURL)
	for _, o := range opts {
		o(c)
	}
	return c
}

func parseBase(s string) (*url.URL, error) {
	u, err := url.Parse(strings.TrimRight(strings.TrimSpace(s), "/"))
	if err != nil || (u.Scheme != "http" && u.Scheme != "https") || u.Host == "" {
		return nil, fmt.Errorf("agentgate client: server URL %q is not an http(s) URL such as http://localhost:3000", s)
	}
	return u, nil
}

// BaseURL returns the server URL the client talks to.
func (c *Client) BaseURL() string {
	if c.base == nil {
		return ""
	}
	return c.base.String()
}

// call sends one API request. body, if not nil, is sent as JSON; a 2xx response is decoded
// into out (if not nil); any other status becomes an *Error.
func (c *Client) call(ctx context.Context, method, path string, query url.Values, body, out any) error {
	return c.send(ctx, method, path, query, nil, body, out)
}

// send is call with extra request headers.
func (c *Client) send(ctx context.Context, method, path string, query url.Values, header http.Header, body, out any) error {
	if c.baseErr != nil {
		return c.baseErr
	}
	u := *c.base
	u.Path = strings.TrimRight(u.Path, "/") + path
	u.RawQuery = query.Encode()
	var rd io.Reader
	if body != nil {
		b, err := json.Marshal(body)
		if err != nil {
			return fmt.Errorf("agentgate client: encode request body: %w", err)
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, u.String(), rd)
	if err != nil {
		return fmt.Errorf("agentgate client: %w", err)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if c.apiKey != "" {
		req.Header.Set("Authorization", "Bearer "+c.apiKey)
	}
	for name, values := range header {
		req.Header[name] = values
	}
	resp, err := c.http.Do(req)
	if err != nil {
		return err
	}
	defer resp.Body.Close()
	if resp.StatusCode < 200 || resp.StatusCode > 299 {
		return errorFromResponse(resp)
	}
	if out == nil || resp.StatusCode == http.StatusNoContent {
		_, _ = io.Copy(io.Discard, resp.Body)
		return nil
	}
	if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
		return fmt.Errorf("agentgate client: decode %s %s response: %w", method, path, err)
	}
	return nil
}

// Pagination describes where a page sits in a list.
type Pagination struct {
	Total   int  `json:"total"`
	Limit   int  `json:"limit"`
	Offset  int  `json:"offset"`
	HasMore bool `json:"hasMore"`
}

// pageQuery adds limit and offset to q when they are set.
func pageQuery(q url.Values, limit, offset int) url.Values {
	if limit > 0 {
		q.Set("limit", fmt.Sprint(limit))
	}
	if offset > 0 {
		q.Set("offset", fmt.Sprint(offset))
	}
	return q
}

// setTime adds a time parameter in RFC 3339 when t is set.
func setTime(q url.Values, name string, t time.Time) {
	if !t.IsZero() {
		q.Set(name, t.UTC().Format(time.RFC3339))
	}
}

// escape makes an id safe as one path segment.
func escape(id string) string { return url.PathEscape(id) }
