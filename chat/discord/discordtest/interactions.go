package discordtest

import (
	"crypto/ed25519"
	"crypto/rand"
	"encoding/hex"
	"encoding/json"
	"net/http"
	"strconv"
	"time"

	"github.com/agentgate/agentgate/chat/discord"
)

// Keys are an app's Ed25519 key pair: the public key goes in DISCORD_PUBLIC_KEY, the
// private key signs interactions as Discord would.
type Keys struct {
	Public  ed25519.PublicKey
	private ed25519.PrivateKey
}

// NewKeys generates a key pair.
func NewKeys() Keys {
	pub, priv, err := ed25519.GenerateKey(rand.Reader)
	if err != nil {
		panic(err)
	}
	return Keys{Public: pub, private: priv}
}

// PublicHex is the public key as Discord shows it: 64 hex digits.
func (k Keys) PublicHex() string { return hex.EncodeToString(k.Public) }

// Sign returns the headers Discord sends with body at time at.
func (k Keys) Sign(body []byte, at time.Time) http.Header {
	ts := strconv.FormatInt(at.Unix(), 10)
	sig := ed25519.Sign(k.private, append([]byte(ts), body...))
	h := http.Header{}
	h.Set(discord.HeaderSignature, hex.EncodeToString(sig))
	h.Set(discord.HeaderTimestamp, ts)
	h.Set("Content-Type", "application/json")
	return h
}

// User is who clicks.
type User struct {
	ID       string
	Username string
	Nick     string // the server nickname, if any
}

// Ping is the interaction Discord sends to check an endpoint.
func Ping(appID string) []byte {
	return mustJSON(map[string]any{"id": "1", "application_id": appID, "type": discord.InteractionPing, "token": "t", "version": 1})
}

// Click is a click on the button with customID (e.g. "approve:req_…") by u, in a server.
func Click(id, appID, customID string, u User) []byte {
	return interaction(id, appID, discord.InteractionComponent, map[string]any{"custom_id": customID, "component_type": discord.ComponentButton}, u)
}

// Submit is the submission of the form with customID with reason typed in, by u.
func Submit(id, appID, customID, reason string, u User) []byte {
	input := map[string]any{"type": discord.ComponentTextInput, "id": 2, "custom_id": "reason", "value": reason}
	return interaction(id, appID, discord.InteractionModalSubmit, map[string]any{"custom_id": customID,
		"components": []any{map[string]any{"type": discord.ComponentLabel, "id": 1, "component": input}}}, u)
}

func interaction(id, appID string, typ int, data map[string]any, u User) []byte {
	member := map[string]any{"nick": u.Nick, "user": map[string]any{"id": u.ID, "username": u.Username, "global_name": nil}}
	return mustJSON(map[string]any{
		"id": id, "application_id": appID, "type": typ, "data": data, "guild_id": "613425648685547541",
		"channel_id": "1100000000000000000", "member": member, "token": "token-" + id, "version": 1,
		"message": map[string]any{"id": "1100000000000000001", "channel_id": "1100000000000000000"},
	})
}

func mustJSON(v any) []byte {
	b, err := json.Marshal(v)
	if err != nil {
		panic(err)
	}
	return b
}
