package fakeslack

import (
	"encoding/json"
	"fmt"
	"net/http"
)

// method answers a successful call as Slack does, changing the messages it holds.
func (s *Server) method(r *http.Request, c Call) map[string]any {
	f := c.Form
	switch c.Method {
	case "auth.test":
		return map[string]any{"ok": true, "url": "https://fake.slack.com/", "team": "Fake Workspace", "user": "agentgate",
			"team_id": "T0FAKE", "user_id": "U0BOT", "bot_id": "B0BOT"}
	case "chat.postMessage":
		if f.Get("channel") == "" {
			return map[string]any{"ok": false, "error": "channel_not_found"}
		}
		s.mu.Lock()
		s.nextTS++
		m := &Message{Channel: ChannelID(f.Get("channel")), TS: fmt.Sprintf("1700000000.%06d", s.nextTS)}
		m.set(f)
		k := m.Channel + " " + m.TS
		s.messages[k], s.order = m, append(s.order, k)
		s.mu.Unlock()
		return map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS}
	case "chat.update":
		s.mu.Lock()
		defer s.mu.Unlock()
		m, ok := s.messages[f.Get("channel")+" "+f.Get("ts")]
		if !ok {
			return map[string]any{"ok": false, "error": "message_not_found"}
		}
		m.set(f)
		m.Updates++
		return map[string]any{"ok": true, "channel": m.Channel, "ts": m.TS, "text": m.Text}
	case "chat.delete":
		s.mu.Lock()
		defer s.mu.Unlock()
		k := f.Get("channel") + " " + f.Get("ts")
		if _, ok := s.messages[k]; !ok {
			return map[string]any{"ok": false, "error": "message_not_found"}
		}
		delete(s.messages, k)
		return map[string]any{"ok": true, "channel": f.Get("channel"), "ts": f.Get("ts")}
	case "chat.postEphemeral":
		return map[string]any{"ok": true, "message_ts": "1700000001.000001"}
	case "views.open":
		var v struct {
			TriggerID string `json:"trigger_id"`
		}
		if json.Unmarshal(c.JSON, &v) != nil || v.TriggerID == "" {
			return map[string]any{"ok": false, "error": "invalid_trigger_id"}
		}
		return map[string]any{"ok": true, "view": map[string]any{"id": "V0FAKE"}}
	case "users.info":
		s.mu.Lock()
		u, ok := s.users[f.Get("user")]
		s.mu.Unlock()
		if !ok {
			return map[string]any{"ok": false, "error": "user_not_found"}
		}
		return map[string]any{"ok": true, "user": map[string]any{"id": u.ID, "name": u.Name,
			"profile": map[string]any{"email": u.Email, "real_name": u.Name}}}
	case "apps.connections.open":
		return map[string]any{"ok": true, "url": "ws://" + r.Host + "/socket"}
	}
	return map[string]any{"ok": false, "error": "unknown_method"}
}

// set takes a message's content from a chat.postMessage or chat.update call.
func (m *Message) set(f map[string][]string) {
	get := func(k string) string {
		if v := f[k]; len(v) > 0 {
			return v[0]
		}
		return ""
	}
	m.Text, m.Blocks, m.Attachments = get("text"), json.RawMessage(get("blocks")), json.RawMessage(get("attachments"))
}
