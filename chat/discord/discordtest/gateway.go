package discordtest

import (
	"context"
	"encoding/json"
	"net/http"
	"strconv"
	"strings"
	"sync"

	"github.com/coder/websocket"
)

// GatewayState is what the fake Gateway has seen.
type GatewayState struct {
	Connected  bool   // a client is connected and identified or resumed
	Identifies int    // IDENTIFY frames received
	Resumes    int    // RESUME frames received
	Heartbeats int    // heartbeats received
	Intents    int    // the intents of the last IDENTIFY
	ResumedSeq int64  // the sequence number of the last RESUME
	SessionID  string // the session of the last READY
}

type gateway struct {
	s        *Server
	ctx      context.Context
	cancel   context.CancelFunc
	wg       sync.WaitGroup
	conn     *websocket.Conn // the connected client; guarded by s.mu
	seq      int64           // guarded by s.mu
	state    GatewayState    // guarded by s.mu
	interval int             // heartbeat_interval in ms; guarded by s.mu
}

func newGateway(s *Server) *gateway {
	ctx, cancel := context.WithCancel(context.Background())
	return &gateway{s: s, ctx: ctx, cancel: cancel, interval: 45000}
}

func (g *gateway) stop() {
	g.cancel()
	g.wg.Wait()
}

// SetHeartbeatInterval sets the interval the next HELLO asks for, in milliseconds.
func (s *Server) SetHeartbeatInterval(ms int) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.gateway.interval = ms
}

// Gateway returns what the fake Gateway has seen.
func (s *Server) Gateway() GatewayState {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.gateway.state
}

// Dispatch sends the connected client an event (op 0) of type t with data d.
func (s *Server) Dispatch(t string, d any) error {
	s.mu.Lock()
	conn := s.gateway.conn
	s.gateway.seq++
	seq := s.gateway.seq
	s.mu.Unlock()
	if conn == nil {
		return websocket.CloseError{Code: websocket.StatusGoingAway, Reason: "no client is connected"}
	}
	return send(conn, map[string]any{"op": 0, "t": t, "s": seq, "d": d})
}

// Interact sends the connected client an interaction, as Discord does for an app with no
// Interactions Endpoint URL.
func (s *Server) Interact(interaction []byte) error {
	return s.Dispatch("INTERACTION_CREATE", json.RawMessage(interaction))
}

// Reconnect asks the connected client to reconnect and resume (op 7).
func (s *Server) Reconnect() error {
	s.mu.Lock()
	conn := s.gateway.conn
	s.mu.Unlock()
	return send(conn, map[string]any{"op": 7, "d": nil})
}

// CloseGateway closes the client's connection with a close code, as Discord does.
func (s *Server) CloseGateway(code int) {
	s.mu.Lock()
	conn := s.gateway.conn
	s.mu.Unlock()
	if conn != nil {
		_ = conn.Close(websocket.StatusCode(code), "closed by the test")
	}
}

func send(conn *websocket.Conn, v any) error {
	b, err := json.Marshal(v)
	if err != nil {
		return err
	}
	return conn.Write(context.Background(), websocket.MessageText, b)
}

// serve runs one client connection: HELLO, then IDENTIFY or RESUME, then heartbeats.
func (g *gateway) serve(w http.ResponseWriter, r *http.Request) {
	if r.URL.Query().Get("v") != "10" || r.URL.Query().Get("encoding") != "json" {
		http.Error(w, "v=10 and encoding=json are required", http.StatusBadRequest)
		return
	}
	conn, err := websocket.Accept(w, r, nil)
	if err != nil {
		return
	}
	g.wg.Add(1)
	defer g.wg.Done()
	defer conn.CloseNow()
	s := g.s
	s.mu.Lock()
	interval := g.interval
	s.mu.Unlock()
	if send(conn, map[string]any{"op": 10, "d": map[string]int{"heartbeat_interval": interval}}) != nil {
		return
	}
	for {
		_, b, err := conn.Read(g.ctx)
		if err != nil {
			s.mu.Lock()
			if g.conn == conn {
				g.conn, g.state.Connected = nil, false
			}
			s.changedLocked()
			s.mu.Unlock()
			return
		}
		reply, closeCode := g.receive(b)
		switch {
		case closeCode != 0:
			_ = conn.Close(websocket.StatusCode(closeCode), "Authentication failed.")
			return
		case reply != nil && send(conn, reply) != nil:
			return
		}
		g.answered(conn, reply)
	}
}

// answered marks conn as the connected client once it has its READY or RESUMED, so that
// a test's dispatches come after it.
func (g *gateway) answered(conn *websocket.Conn, reply map[string]any) {
	if t, _ := reply["t"].(string); t == "READY" || t == "RESUMED" {
		g.s.mu.Lock()
		g.conn, g.state.Connected = conn, true
		g.s.changedLocked()
		g.s.mu.Unlock()
	}
}

// receive handles one frame from the client and returns the reply to send, or a close
// code to end the connection with.
func (g *gateway) receive(b []byte) (map[string]any, int) {
	var f struct {
		Op int `json:"op"`
		D  struct {
			Token     string `json:"token"`
			Intents   int    `json:"intents"`
			SessionID string `json:"session_id"`
			Seq       int64  `json:"seq"`
		} `json:"d"`
	}
	_ = json.Unmarshal(b, &f)
	s := g.s
	s.mu.Lock()
	defer s.mu.Unlock()
	defer s.changedLocked()
	switch f.Op {
	case 1:
		g.state.Heartbeats++
		return map[string]any{"op": 11}, 0
	case 2, 6:
		if f.D.Token != s.Token {
			return nil, 4004
		}
		if f.Op == 6 && f.D.SessionID == g.state.SessionID {
			g.state.Resumes++
			g.state.ResumedSeq = f.D.Seq
			return map[string]any{"op": 0, "t": "RESUMED", "s": g.seq, "d": nil}, 0
		}
		if f.Op == 6 { // an unknown session cannot resume
			return map[string]any{"op": 9, "d": false}, 0
		}
		g.state.Identifies++
		g.state.Intents = f.D.Intents
		g.state.SessionID = "session-" + strconv.Itoa(g.state.Identifies)
		g.seq = 1
		resume := "ws" + strings.TrimPrefix(s.URL, "http") + "/gateway"
		return map[string]any{"op": 0, "t": "READY", "s": 1,
			"d": map[string]any{"v": 10, "session_id": g.state.SessionID, "resume_gateway_url": resume}}, 0
	}
	return nil, 0
}
