package discord

import (
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"math/rand/v2"
	"runtime"
	"sync/atomic"
	"time"

	"github.com/coder/websocket"
)

// Close codes: the ones after which Discord refuses to go on (a bad token, a bad
// setting), and the one AgentGate closes with to resume later (any but 1000 and 1001,
// which end the session).
const (
	closeAuthFailed   = 4004
	closeInvalidSeq   = 4007
	closeTimedOut     = 4009
	closeToResume     = 4000
	closeFirstRefusal = 4010 // 4010 to 4014: shards, version, intents
	closeLastRefusal  = 4014
)

// connect runs one connection: HELLO, IDENTIFY (or RESUME when s holds a session), then
// events until the connection ends. It reports whether the connection got as far as READY
// or RESUMED, and why it ended.
func (g *Gateway) connect(ctx context.Context, url string, s *session) (bool, error) {
	if s.id != "" && s.resumeURL != "" {
		url = s.resumeURL
	}
	dctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	conn, _, err := websocket.Dial(dctx, url+"?v=10&encoding=json", nil)
	cancel()
	if err != nil {
		return false, fmt.Errorf("discord: connecting to the Gateway: %w", err)
	}
	defer conn.CloseNow()
	conn.SetReadLimit(maxFrame)

	hello, err := readFrame(ctx, conn)
	var h struct {
		Interval int64 `json:"heartbeat_interval"`
	}
	if err == nil && (hello.Op != opHello || json.Unmarshal(hello.D, &h) != nil || h.Interval <= 0) {
		err = fmt.Errorf("discord: the Gateway sent op %d, not HELLO", hello.Op)
	}
	if err != nil {
		return false, g.closed(err, s)
	}
	cctx, stop := context.WithCancel(ctx)
	defer stop()
	var seq atomic.Int64
	seq.Store(s.seq)
	beat := &heart{conn: conn, seq: &seq}
	go beat.run(cctx, time.Duration(h.Interval)*time.Millisecond)
	if err := g.greet(ctx, conn, s); err != nil {
		return false, err
	}
	ready := false
	for {
		f, err := readFrame(cctx, conn)
		if err != nil {
			s.seq = seq.Load()
			return ready, g.closed(err, s)
		}
		if f.S != nil {
			seq.Store(*f.S)
		}
		switch f.Op {
		case opDispatch:
			ready = g.event(ctx, f, s) || ready
		case opHeartbeat:
			beat.send(cctx)
		case opHeartbeatAck:
			beat.acked.Store(true)
		case opReconnect, opInvalidSession:
			var resumable bool
			_ = json.Unmarshal(f.D, &resumable)
			s.seq = seq.Load()
			if f.Op == opInvalidSession && !resumable {
				*s = session{}
			}
			_ = conn.Close(closeToResume, "reconnecting")
			return ready, fmt.Errorf("discord: the Gateway asked to reconnect (op %d)", f.Op)
		}
	}
}

// greet identifies, or resumes the session s holds.
func (g *Gateway) greet(ctx context.Context, conn *websocket.Conn, s *session) error {
	if s.id != "" {
		return writeFrame(ctx, conn, opResume, map[string]any{"token": g.token, "session_id": s.id, "seq": s.seq})
	}
	return writeFrame(ctx, conn, opIdentify, map[string]any{
		"token": g.token, "intents": 0, // interactions come without any intent
		"properties": map[string]string{"os": runtime.GOOS, "browser": "agentgate", "device": "agentgate"},
	})
}

// event handles a dispatch and reports whether it completed the handshake.
func (g *Gateway) event(ctx context.Context, f frame, s *session) bool {
	switch f.T {
	case "READY":
		var r struct {
			SessionID string `json:"session_id"`
			ResumeURL string `json:"resume_gateway_url"`
		}
		_ = json.Unmarshal(f.D, &r)
		s.id, s.resumeURL = r.SessionID, r.ResumeURL
		g.log.Info("Connected to the Discord Gateway.")
		return true
	case "RESUMED":
		return true
	case "INTERACTION_CREATE":
		g.interaction(ctx, f.D)
	}
	return false
}

// closed says why a connection ended, and forgets the session when it cannot resume.
func (g *Gateway) closed(err error, s *session) error {
	switch code := websocket.CloseStatus(err); {
	case code == closeAuthFailed:
		return fmt.Errorf("%w: DISCORD_BOT_TOKEN was refused (close code %d)", ErrTokenRefused, code)
	case code >= closeFirstRefusal && code <= closeLastRefusal:
		return fmt.Errorf("%w: close code %d", ErrTokenRefused, code)
	case code == closeInvalidSeq || code == closeTimedOut:
		*s = session{}
	}
	return err
}

// heart sends heartbeats, and closes a connection whose last one Discord did not
// acknowledge, so that a dead connection is replaced rather than waited on.
type heart struct {
	conn  *websocket.Conn
	seq   *atomic.Int64
	acked atomic.Bool
}

func (h *heart) run(ctx context.Context, interval time.Duration) {
	h.acked.Store(true)
	t := time.NewTimer(time.Duration(rand.Float64() * float64(interval))) // the first beat is jittered
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return
		case <-t.C:
		}
		if !h.acked.Swap(false) {
			_ = h.conn.Close(closeToResume, "no heartbeat acknowledgement")
			return
		}
		h.send(ctx)
		t.Reset(interval)
	}
}

func (h *heart) send(ctx context.Context) {
	var d any
	if n := h.seq.Load(); n > 0 {
		d = n
	}
	_ = writeFrame(ctx, h.conn, opHeartbeat, d)
}

func readFrame(ctx context.Context, conn *websocket.Conn) (frame, error) {
	var f frame
	typ, b, err := conn.Read(ctx)
	if err != nil {
		return f, err
	}
	if typ != websocket.MessageText || json.Unmarshal(b, &f) != nil {
		return f, errors.New("discord: the Gateway sent a frame that is not JSON")
	}
	return f, nil
}

func writeFrame(ctx context.Context, conn *websocket.Conn, op int, d any) error {
	b, err := json.Marshal(map[string]any{"op": op, "d": d})
	if err != nil {
		return err
	}
	return conn.Write(ctx, websocket.MessageText, b)
}
