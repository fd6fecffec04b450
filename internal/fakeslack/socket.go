package fakeslack

import (
	"encoding/json"
	"net/http"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/gorilla/websocket"
)

// socket is the Socket Mode WebSocket end of the server: one connection at a time, as a
// single app instance holds.
type socket struct {
	mu      sync.Mutex
	changed *sync.Cond
	conn    *websocket.Conn
	writeMu sync.Mutex
	acks    map[string]json.RawMessage // envelope id → the ack's payload ("null" when none)
	next    int
	closed  bool
}

func newSocket() *socket {
	s := &socket{acks: map[string]json.RawMessage{}}
	s.changed = sync.NewCond(&s.mu)
	return s
}

var upgrader = websocket.Upgrader{CheckOrigin: func(*http.Request) bool { return true }}

// serve takes a Socket Mode connection: hello, pings so the client knows the line is
// alive, and every ack read back.
func (s *socket) serve(w http.ResponseWriter, r *http.Request) {
	conn, err := upgrader.Upgrade(w, r, nil)
	if err != nil {
		return
	}
	s.mu.Lock()
	if s.closed {
		s.mu.Unlock()
		conn.Close()
		return
	}
	s.conn = conn
	s.changed.Broadcast()
	s.mu.Unlock()
	_ = s.write(conn, map[string]any{"type": "hello", "num_connections": 1})
	done := make(chan struct{})
	defer close(done)
	go func() {
		t := time.NewTicker(2 * time.Second)
		defer t.Stop()
		for {
			select {
			case <-done:
				return
			case <-t.C:
				s.writeMu.Lock()
				_ = conn.WriteControl(websocket.PingMessage, []byte("ping"), time.Now().Add(time.Second))
				s.writeMu.Unlock()
			}
		}
	}()
	for {
		var ack struct {
			EnvelopeID string          `json:"envelope_id"`
			Payload    json.RawMessage `json:"payload"`
		}
		if err := conn.ReadJSON(&ack); err != nil {
			break
		}
		if ack.Payload == nil {
			ack.Payload = json.RawMessage("null")
		}
		s.mu.Lock()
		s.acks[ack.EnvelopeID] = ack.Payload
		s.changed.Broadcast()
		s.mu.Unlock()
	}
	s.mu.Lock()
	if s.conn == conn {
		s.conn = nil
	}
	s.mu.Unlock()
	conn.Close()
}

func (s *socket) write(conn *websocket.Conn, v any) error {
	s.writeMu.Lock()
	defer s.writeMu.Unlock()
	return conn.WriteJSON(v)
}

func (s *socket) close() {
	s.mu.Lock()
	s.closed = true
	if s.conn != nil {
		s.conn.Close()
	}
	s.changed.Broadcast()
	s.mu.Unlock()
}

// Interact sends payload as an interactive Socket Mode envelope, once a client is
// connected, and returns the payload of the client's ack (nil when it acked with none).
// After a minute without a connection or an ack the test fails.
func (s *Server) Interact(t testing.TB, payload []byte) json.RawMessage {
	t.Helper()
	k := s.socket
	timedOut := false
	stop := time.AfterFunc(time.Minute, func() { k.mu.Lock(); timedOut = true; k.changed.Broadcast(); k.mu.Unlock() })
	defer stop.Stop()
	k.mu.Lock()
	for k.conn == nil && !timedOut {
		k.changed.Wait()
	}
	conn := k.conn
	k.next++
	id := "env-" + strconv.Itoa(k.next)
	k.mu.Unlock()
	if conn == nil {
		t.Fatal("fakeslack: no Socket Mode client connected within a minute")
	}
	env := map[string]any{"envelope_id": id, "type": "interactive", "payload": json.RawMessage(payload), "accepts_response_payload": true}
	if err := k.write(conn, env); err != nil {
		t.Fatalf("fakeslack: send the envelope: %v", err)
	}
	k.mu.Lock()
	defer k.mu.Unlock()
	for {
		if ack, ok := k.acks[id]; ok {
			if string(ack) == "null" {
				return nil
			}
			return ack
		}
		if timedOut {
			t.Fatalf("fakeslack: envelope %s was not acknowledged within a minute", id)
		}
		k.changed.Wait()
	}
}
