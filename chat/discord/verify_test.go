package discord_test

import (
	"errors"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
)

func TestVerify(t *testing.T) {
	keys, other := discordtest.NewKeys(), discordtest.NewKeys()
	clock := &manualClock{t: t0}
	v, err := discord.NewVerifier(keys.PublicHex(), clock)
	if err != nil {
		t.Fatal(err)
	}
	body := discordtest.Ping("1")
	for _, tc := range []struct {
		name   string
		header http.Header
		body   []byte
		ok     bool
	}{
		{"signed now", keys.Sign(body, t0), body, true},
		{"signed 5 minutes ago", keys.Sign(body, t0.Add(-discord.MaxSkew)), body, true},
		{"signed 5 minutes ahead", keys.Sign(body, t0.Add(discord.MaxSkew)), body, true},
		{"stale", keys.Sign(body, t0.Add(-discord.MaxSkew-time.Second)), body, false},
		{"from the future", keys.Sign(body, t0.Add(discord.MaxSkew+time.Second)), body, false},
		{"another key", other.Sign(body, t0), body, false},
		{"body changed", keys.Sign(body, t0), append([]byte(" "), body...), false},
		{"timestamp changed", with(keys.Sign(body, t0), discord.HeaderTimestamp, "1772366401"), body, false},
		{"no signature", with(keys.Sign(body, t0), discord.HeaderSignature, ""), body, false},
		{"signature not hex", with(keys.Sign(body, t0), discord.HeaderSignature, strings.Repeat("zz", 64)), body, false},
		{"short signature", with(keys.Sign(body, t0), discord.HeaderSignature, "abcd"), body, false},
		{"no timestamp", with(keys.Sign(body, t0), discord.HeaderTimestamp, ""), body, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			err := v.Verify(tc.header, tc.body)
			if (err == nil) != tc.ok || (err != nil && !errors.Is(err, discord.ErrBadSignature)) {
				t.Fatalf("Verify = %v, want ok=%v", err, tc.ok)
			}
		})
	}
	for _, bad := range []string{"", "xyz", keys.PublicHex()[:62]} {
		if _, err := discord.NewVerifier(bad, clock); err == nil {
			t.Errorf("NewVerifier(%q) accepted a bad key", bad)
		}
	}
}

func with(h http.Header, name, value string) http.Header {
	h.Set(name, value)
	return h
}

func TestReplays(t *testing.T) {
	clock := &manualClock{t: t0}
	r := discord.NewReplays(clock)
	if r.Seen("a") || !r.Seen("a") || r.Seen("b") {
		t.Fatal("a first sighting was taken for a replay, or a replay was not")
	}
	clock.Advance(2 * discord.MaxSkew) // as long as a signed interaction stays fresh
	if !r.Seen("a") {
		t.Fatal("an id was forgotten while its interaction could still be sent again")
	}
	clock.Advance(discord.ReplayWindow)
	if r.Seen("a") {
		t.Fatal("an id was remembered past the replay window")
	}
}
