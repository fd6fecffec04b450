package slack_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	chatslack "github.com/agentgate/agentgate/chat/slack"
)

// The request-signing example from Slack's documentation (TEST-VECTORS.md): its timestamp
// is from 2018, so the check runs at that time.
const (
	vectorSecret    = "8f742231b10e8888abcd99yyyzzz85a5"
	vectorTimestamp = "1531420618"
	vectorSignature = "v0=a2114d57b48eac39b9ad189dd8316235a7b4a8d21a10bd27519666489c69b503"
	vectorBody      = "token=xyzz0WbapA4vBCDEFasx0q6G&team_id=T1DC2JH3J&team_domain=testteamnow&channel_id=G8PSS9T3V&channel_name=foobar&user_id=U2CERLKJA&user_name=roadrunner&command=%2Fwebhook-collect&text=&response_url=https%3A%2F%2Fhooks.slack.com%2Fcommands%2FT1DC2JH3J%2F397700885554%2F96rGlfmibIGlgcZRskXaIFfN&trigger_id=398738663015.47445629121.803a0bc887a14d10d2c447fce8b6703c"
)

var vectorTime = time.Unix(1531420618, 0)

func vectorHeaders(sig, ts string) http.Header {
	h := http.Header{}
	h.Set("X-Slack-Signature", sig)
	h.Set("X-Slack-Request-Timestamp", ts)
	return h
}

func TestVerify(t *testing.T) {
	flipped := []byte(vectorSignature)
	flipped[len(flipped)-1] = '8'
	for _, tc := range []struct {
		name   string
		secret string
		h      http.Header
		body   string
		now    time.Time
		want   error
	}{
		{"Slack's own example", vectorSecret, vectorHeaders(vectorSignature, vectorTimestamp), vectorBody, vectorTime, nil},
		{"4m59s late", vectorSecret, vectorHeaders(vectorSignature, vectorTimestamp), vectorBody, vectorTime.Add(5*time.Minute - time.Second), nil},
		{"5m1s late", vectorSecret, vectorHeaders(vectorSignature, vectorTimestamp), vectorBody, vectorTime.Add(5*time.Minute + time.Second), chatslack.ErrStale},
		{"from the future", vectorSecret, vectorHeaders(vectorSignature, vectorTimestamp), vectorBody, vectorTime.Add(-6 * time.Minute), chatslack.ErrStale},
		{"today (the real clock)", vectorSecret, vectorHeaders(vectorSignature, vectorTimestamp), vectorBody, time.Now(), chatslack.ErrStale},
		{"another secret", vectorSecret + "x", vectorHeaders(vectorSignature, vectorTimestamp), vectorBody, vectorTime, chatslack.ErrBadSignature},
		{"a changed body", vectorSecret, vectorHeaders(vectorSignature, vectorTimestamp), strings.Replace(vectorBody, "roadrunner", "coyote", 1), vectorTime, chatslack.ErrBadSignature},
		{"a changed timestamp", vectorSecret, vectorHeaders(vectorSignature, "1531420619"), vectorBody, vectorTime, chatslack.ErrBadSignature},
		{"one digit off", vectorSecret, vectorHeaders(string(flipped), vectorTimestamp), vectorBody, vectorTime, chatslack.ErrBadSignature},
		{"no v0= prefix", vectorSecret, vectorHeaders(strings.TrimPrefix(vectorSignature, "v0="), vectorTimestamp), vectorBody, vectorTime, chatslack.ErrBadSignature},
		{"v1 scheme", vectorSecret, vectorHeaders("v1="+strings.TrimPrefix(vectorSignature, "v0="), vectorTimestamp), vectorBody, vectorTime, chatslack.ErrBadSignature},
		{"not hex", vectorSecret, vectorHeaders("v0=zz", vectorTimestamp), vectorBody, vectorTime, chatslack.ErrBadSignature},
		{"no signature", vectorSecret, vectorHeaders("", vectorTimestamp), vectorBody, vectorTime, chatslack.ErrUnsigned},
		{"no timestamp", vectorSecret, vectorHeaders(vectorSignature, ""), vectorBody, vectorTime, chatslack.ErrUnsigned},
		{"a timestamp that is not a number", vectorSecret, vectorHeaders(vectorSignature, "1531420618.5"), vectorBody, vectorTime, chatslack.ErrStale},
		{"no secret configured", "", vectorHeaders(vectorSignature, vectorTimestamp), vectorBody, vectorTime, chatslack.ErrUnsigned},
	} {
		t.Run(tc.name, func(t *testing.T) {
			if err := chatslack.Verify(tc.secret, tc.h, []byte(tc.body), tc.now); !errors.Is(err, tc.want) {
				t.Errorf("Verify = %v, want %v", err, tc.want)
			}
		})
	}
}

// TestSignatureHeadersVerify: what the tests sign with is what Verify accepts.
func TestSignatureHeadersVerify(t *testing.T) {
	h := chatslack.SignatureHeaders(vectorSecret, []byte(vectorBody), vectorTime)
	if got := h.Get("X-Slack-Signature"); got != vectorSignature {
		t.Errorf("signature %s, want Slack's %s", got, vectorSignature)
	}
}
