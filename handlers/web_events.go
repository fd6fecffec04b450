package handlers

import (
	"io"
	"net/http"
	"strings"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// eventsPath is the live queue's stream of server-sent events.
const eventsPath = "/events"

// Stream timing: a comment keeps proxies from closing an idle stream; the session is
// checked again now and then, so logout and key revocation end open streams too.
const (
	sseHeartbeat = 25 * time.Second
	sseRecheck   = 30 * time.Second
	sseMaxIDs    = 50
)

// webEvents streams "change" events naming the requests created or changed, so open
// pages refresh what they show. It ends when the client goes, the server shuts down, or
// the session ends (then it says "signout" first).
func (s *Server) webEvents(c echo.Context) error {
	ctx := c.Request().Context()
	token := s.web.readToken(c.Request())
	changes, stop := s.gate.Broker().Watch()
	defer stop()

	w := c.Response()
	h := w.Header()
	h.Set(echo.HeaderContentType, "text/event-stream")
	h.Set(echo.HeaderCacheControl, "no-store")
	h.Set("X-Accel-Buffering", "no")
	w.WriteHeader(http.StatusOK)
	rc := http.NewResponseController(w)
	send := func(s string) bool {
		if _, err := io.WriteString(w, s); err != nil {
			return false
		}
		return rc.Flush() == nil
	}
	if !send("retry: 3000\n: connected\n\n") {
		return nil
	}
	beat := time.NewTicker(sseHeartbeat)
	defer beat.Stop()
	recheck := time.NewTicker(sseRecheck)
	defer recheck.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-s.web.stopping:
			return nil
		case id := <-changes:
			if !send("event: change\ndata: " + batchIDs(id, changes) + "\n\n") {
				return nil
			}
		case <-beat.C:
			if !send(": ping\n\n") {
				return nil
			}
		case <-recheck.C:
			if _, _, err := s.gate.SessionKey(ctx, token); ag.ErrorKind(err) == ag.KindUnauthorized {
				send("event: signout\ndata: ended\n\n")
				return nil
			}
		}
	}
}

// batchIDs joins id with whatever else is already queued, so a burst is one event; a very
// large burst is "*", refresh everything.
func batchIDs(id string, more <-chan string) string {
	ids := []string{id}
	for {
		select {
		case next := <-more:
			if len(ids) >= sseMaxIDs {
				return "*"
			}
			ids = append(ids, next)
		default:
			return strings.Join(ids, " ")
		}
	}
}
