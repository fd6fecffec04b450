package discord

import (
	"bytes"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"math"
	"net/http"
	"net/url"
	"strconv"
	"strings"
	"time"

	"github.com/agentgate/agentgate"
)

// userAgent is the User-Agent Discord asks bots to send: "DiscordBot (url, version)".
const userAgent = "DiscordBot (https://github.com/agentgate/agentgate, 1)"

// maxAnswer bounds how much of an answer is read.
const maxAnswer = 1 << 20

// api calls Discord's REST API with the bot token.
type api struct {
	base  string
	token string
	http  *http.Client
}

// answer is what Discord said to one call.
type answer struct {
	status int
	body   []byte
	header http.Header
}

// call sends body (nil for none) as JSON and reads the answer. An error means no answer
// came: the network, a timeout, or a cancelled context.
func (a *api) call(ctx context.Context, method, path string, body any, auth bool) (answer, error) {
	var rd io.Reader
	if body != nil {
		b, err := Encode(body)
		if err != nil {
			return answer{}, err
		}
		rd = bytes.NewReader(b)
	}
	req, err := http.NewRequestWithContext(ctx, method, a.base+path, rd)
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("User-Agent", userAgent)
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	if auth {
		req.Header.Set("Authorization", "Bot "+a.token)
	}
	res, err := a.http.Do(req)
	if err != nil {
		return answer{}, fmt.Errorf("discord: %s %s: %w", method, redact(path), err)
	}
	defer res.Body.Close()
	b, err := io.ReadAll(io.LimitReader(res.Body, maxAnswer))
	if err != nil {
		return answer{}, fmt.Errorf("discord: reading the answer to %s %s: %w", method, redact(path), err)
	}
	return answer{status: res.StatusCode, body: b, header: res.Header}, nil
}

// redact leaves an interaction's token, a credential for 15 minutes, out of a path.
func redact(path string) string {
	if rest, ok := strings.CutPrefix(path, "/interactions/"); ok {
		if id, _, ok := strings.Cut(rest, "/"); ok {
			return "/interactions/" + id + "/…/callback"
		}
	}
	return path
}

// discordError is the body of Discord's refusals.
type discordError struct {
	Code       int     `json:"code"`
	Message    string  `json:"message"`
	RetryAfter float64 `json:"retry_after"` // 429 only, in seconds
}

// Discord's error codes for a message or channel that is gone.
const (
	codeUnknownChannel = 10003
	codeUnknownMessage = 10008
)

// outcome maps an answer to what the outbox does next: a 2xx delivered; 429 retried no
// sooner than Discord asks; 408 and 5xx retried; any other 4xx (a bad token, a missing
// permission, an unknown channel) refused for good.
func (ans answer) outcome(what string) (agentgate.SendResult, error) {
	res := agentgate.SendResult{StatusCode: ans.status, Response: excerpt(ans.status, ans.body)}
	if ans.status >= 200 && ans.status < 300 {
		return res, nil
	}
	var de discordError
	_ = json.Unmarshal(ans.body, &de)
	err := fmt.Errorf("discord: %s: %d %s", what, ans.status, describe(de, ans.status))
	switch {
	case ans.status == http.StatusTooManyRequests:
		res.RetryAfter = retryAfter(ans.header, de.RetryAfter)
	case ans.status == http.StatusRequestTimeout || ans.status >= 500:
	default:
		res.Permanent = true
	}
	return res, err
}

// gone reports whether the answer says the message or its channel no longer exists.
func (ans answer) gone() bool {
	var de discordError
	_ = json.Unmarshal(ans.body, &de)
	return ans.status == http.StatusNotFound && (de.Code == codeUnknownMessage || de.Code == codeUnknownChannel)
}

func describe(de discordError, status int) string {
	msg := de.Message
	if msg == "" {
		msg = http.StatusText(status)
	}
	if de.Code != 0 {
		msg += " (Discord code " + strconv.Itoa(de.Code) + ")"
	}
	return msg
}

// retryAfter is how long Discord asked to wait: the body's retry_after (fractional
// seconds), else the Retry-After header, rounded up to whole seconds.
func retryAfter(h http.Header, fromBody float64) time.Duration {
	secs := fromBody
	if secs <= 0 {
		secs, _ = strconv.ParseFloat(h.Get("Retry-After"), 64)
	}
	if secs <= 0 || math.IsNaN(secs) || secs > 86400 {
		return 0
	}
	return time.Duration(math.Ceil(secs)) * time.Second
}

// excerpt bounds an answer for the delivery log.
func excerpt(status int, body []byte) string {
	s := strconv.Itoa(status) + " " + strings.TrimSpace(string(body))
	if len(s) > 300 {
		s = strings.ToValidUTF8(s[:300], "") + "…"
	}
	return s
}

// posted is the part of a created message AgentGate keeps.
type posted struct {
	ID        string `json:"id"`
	ChannelID string `json:"channel_id"`
}

// post creates a message in a channel.
func (a *api) post(ctx context.Context, channel string, m Message) (posted, answer, error) {
	ans, err := a.call(ctx, http.MethodPost, "/channels/"+channel+"/messages", m, true)
	var p posted
	if err == nil && ans.status/100 == 2 {
		if json.Unmarshal(ans.body, &p) != nil || p.ID == "" {
			return p, ans, errors.New("discord: the created message has no id")
		}
	}
	return p, ans, err
}

// edit replaces a message's content, embeds and components.
func (a *api) edit(ctx context.Context, channel, message string, m Message) (answer, error) {
	return a.call(ctx, http.MethodPatch, "/channels/"+channel+"/messages/"+url.PathEscape(message), m, true)
}

// callback answers an interaction that came over the Gateway.
func (a *api) callback(ctx context.Context, id, token string, r Response) (answer, error) {
	return a.call(ctx, http.MethodPost, "/interactions/"+url.PathEscape(id)+"/"+url.PathEscape(token)+"/callback", r, false)
}
