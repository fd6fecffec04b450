package discordtest

import (
	"encoding/json"
	"io"
	"net/http"
	"strings"
	"unicode/utf8"

	"github.com/agentgate/agentgate/chat/discord"
)

// Discord's error codes the fake answers with.
const (
	codeUnknownChannel = 10003
	codeUnknownMessage = 10008
	codeInvalidForm    = 50035
)

// MissingChannel is a channel id the fake answers "Unknown Channel" for.
const MissingChannel = "404"

// accept reads a message create or edit, answering it instead when the test scripted an
// answer or the call is one Discord would refuse.
func (s *Server) accept(w http.ResponseWriter, r *http.Request) (discord.Message, bool) {
	if a, ok := s.begin(r.Method); ok {
		reply(w, a)
		return discord.Message{}, false
	}
	if !s.authorized(w, r) {
		return discord.Message{}, false
	}
	if r.PathValue("channel") == MissingChannel {
		refuse(w, http.StatusNotFound, codeUnknownChannel, "Unknown Channel")
		return discord.Message{}, false
	}
	return readMessage(w, r)
}

func (s *Server) create(w http.ResponseWriter, r *http.Request) {
	m, ok := s.accept(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.changedLocked()
	if id, ok := s.nonces[m.Nonce]; ok && m.EnforceNonce && m.Nonce != "" {
		if old, ok := s.messages[id]; ok {
			writeMessage(w, old)
			return
		}
	}
	id := s.newID()
	s.messages[id] = &Message{ID: id, ChannelID: r.PathValue("channel"), Body: m}
	s.order = append(s.order, id)
	if m.Nonce != "" {
		s.nonces[m.Nonce] = id
	}
	writeMessage(w, s.messages[id])
}

func (s *Server) edit(w http.ResponseWriter, r *http.Request) {
	m, ok := s.accept(w, r)
	if !ok {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.changedLocked()
	old, ok := s.messages[r.PathValue("message")]
	if !ok || old.ChannelID != r.PathValue("channel") {
		refuse(w, http.StatusNotFound, codeUnknownMessage, "Unknown Message")
		return
	}
	old.Body.Content, old.Body.Embeds, old.Body.Components = m.Content, m.Embeds, m.Components
	old.Edits++
	writeMessage(w, old)
}

func (s *Server) callback(w http.ResponseWriter, r *http.Request) {
	if a, ok := s.begin(r.Method); ok {
		reply(w, a)
		return
	}
	b, err := io.ReadAll(r.Body)
	var resp discord.Response
	if err != nil || json.Unmarshal(b, &resp) != nil || resp.Type == 0 {
		refuse(w, http.StatusBadRequest, codeInvalidForm, "Invalid Form Body")
		return
	}
	s.mu.Lock()
	s.callbacks = append(s.callbacks, Callback{InteractionID: r.PathValue("id"), Token: r.PathValue("token"), Response: b})
	s.changedLocked()
	s.mu.Unlock()
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) gatewayBot(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	writeJSON(w, map[string]any{"url": "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway", "shards": 1})
}

// BotName is the user name of the bot the fake's token belongs to.
const BotName = "agentgate-test-bot"

// me answers GET /users/@me: the bot user the token belongs to.
func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if !s.authorized(w, r) {
		return
	}
	writeJSON(w, map[string]any{"id": "1100000000000000001", "username": BotName, "bot": true})
}

// readMessage reads a message body and checks it against Discord's documented limits,
// refusing it with a 400 as Discord would.
func readMessage(w http.ResponseWriter, r *http.Request) (discord.Message, bool) {
	var m discord.Message
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(&m); err != nil || !withinLimits(m) {
		refuse(w, http.StatusBadRequest, codeInvalidForm, "Invalid Form Body")
		return m, false
	}
	return m, true
}

func withinLimits(m discord.Message) bool {
	n := func(s string) int { return utf8.RuneCountInString(strings.TrimSpace(s)) }
	if n(m.Content) > 2000 || len(m.Embeds) > 10 || len(m.Nonce) > 25 {
		return false
	}
	total := 0
	for _, e := range m.Embeds {
		if n(e.Title) > 256 || n(e.Description) > 4096 || len(e.Fields) > 25 {
			return false
		}
		total += n(e.Title) + n(e.Description)
		if e.Footer != nil {
			total += n(e.Footer.Text)
		}
		for _, f := range e.Fields {
			if n(f.Name) == 0 || n(f.Name) > 256 || n(f.Value) == 0 || n(f.Value) > 1024 {
				return false
			}
			total += n(f.Name) + n(f.Value)
		}
	}
	return total <= 6000
}

// writeMessage answers with the message, as far as a bot reads it.
func writeMessage(w http.ResponseWriter, m *Message) {
	writeJSON(w, map[string]string{"id": m.ID, "channel_id": m.ChannelID})
}

func writeJSON(w http.ResponseWriter, v any) {
	w.Header().Set("Content-Type", "application/json")
	_ = json.NewEncoder(w).Encode(v)
}
