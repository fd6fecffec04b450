package handlers

import (
	"math"
	"net/http"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

func (s *Server) createRequest(c echo.Context) error {
	body, err := readJSON(c)
	if err != nil {
		return err
	}
	in, ok := parseNewRequest(body)
	if !ok {
		if err := unmarshalStrict(body, &in); err != nil {
			return err
		}
	}
	if idem, ok := c.Request().Header[idempotencyKeyHeader]; ok {
		return s.createRequestOnce(c, idem, in)
	}
	r, err := s.gate.Submit(c.Request().Context(), key(c).Actor(), in)
	if err != nil {
		return err
	}
	return requestJSON(c, http.StatusCreated, r)
}

// Idempotency headers: the client's key for one logical request, and the answer's mark
// that it repeats an earlier one.
const (
	idempotencyKeyHeader     = "Idempotency-Key"
	idempotentReplayedHeader = "Idempotent-Replayed"
)

// createRequestOnce creates a request under an Idempotency-Key: a retry of the same body
// gets the request the first call created, with the same status and Idempotent-Replayed.
func (s *Server) createRequestOnce(c echo.Context, values []string, in ag.NewRequest) error {
	if len(values) != 1 {
		return ag.Errorf(ag.KindInvalid, "invalid_idempotency_key", "send one Idempotency-Key header, not %d", len(values))
	}
	r, replayed, err := s.gate.SubmitIdempotent(c.Request().Context(), key(c).Actor(), values[0], in)
	if err != nil {
		return err
	}
	if replayed {
		c.Response().Header().Set(idempotentReplayedHeader, "true")
	}
	return requestJSON(c, http.StatusCreated, r)
}

func (s *Server) listRequests(c echo.Context) error {
	f, err := requestFilter(c.QueryParams(), defaultLimit)
	if err != nil {
		return err
	}
	rs, total, err := s.gate.List(c.Request().Context(), f)
	if err != nil {
		return err
	}
	return requestsJSON(c, rs, paginate(f.Page, total))
}

// getRequest returns a request; with ?wait=30s (or 30) it holds until the request is
// decided or the wait ends, whichever is first.
func (s *Server) getRequest(c echo.Context) error {
	id := c.Param("id")
	wait, err := parseWait(c.QueryParam("wait"))
	if err != nil {
		return err
	}
	if wait == 0 {
		r, err := s.gate.Get(c.Request().Context(), id)
		if err != nil {
			return err
		}
		return requestJSON(c, http.StatusOK, r)
	}
	r, err := s.gate.Wait(c.Request().Context(), id, wait)
	if err != nil {
		return err
	}
	return requestJSON(c, http.StatusOK, r)
}

// parseWait reads a Go duration ("30s", "2m") or whole seconds ("30").
func parseWait(s string) (time.Duration, error) {
	s = strings.TrimSpace(s)
	if s == "" {
		return 0, nil
	}
	if n, err := strconv.Atoi(s); err == nil && n >= 0 {
		// Cap before multiplying: a huge count would overflow into a negative wait, which
		// returns at once instead of being clamped to the maximum.
		return time.Duration(min(n, int(math.MaxInt64/time.Second))) * time.Second, nil
	}
	if d, err := time.ParseDuration(s); err == nil && d >= 0 {
		return d, nil
	}
	return 0, ag.Errorf(ag.KindInvalid, "invalid_query", "query parameter wait must be a duration such as 30s or 2m, or whole seconds").
		WithDetails(map[string]any{"param": "wait"})
}

type decideBody struct {
	Decision string `json:"decision"`
	Reason   string `json:"reason"`
	// DecidedBy is the original API's field, accepted so its clients keep working; the
	// decider is the key's identity, and a different name is audited as claimedBy.
	DecidedBy string `json:"decidedBy"`
}

func (s *Server) decideRequest(c echo.Context) error {
	var in decideBody
	if err := decodeJSON(c, &in); err != nil {
		return err
	}
	if in.Decision == "" {
		return ag.Errorf(ag.KindInvalid, "missing_field", "decision is required: \"approved\" or \"denied\"")
	}
	r, err := s.gate.Decide(c.Request().Context(), c.Param("id"), ag.Decide{Decision: in.Decision, Reason: in.Reason, Actor: key(c).Actor(), ClaimedBy: in.DecidedBy, Channel: ag.DecidedViaAPI})
	if err != nil {
		return err
	}
	return requestJSON(c, http.StatusOK, r)
}

type cancelBody struct {
	Reason string `json:"reason"`
}

func (s *Server) cancelRequest(c echo.Context) error {
	var in cancelBody
	if c.Request().ContentLength != 0 {
		if err := decodeJSON(c, &in); err != nil {
			return err
		}
	}
	k := key(c)
	r, err := s.gate.Cancel(c.Request().Context(), c.Param("id"), k.Actor(), in.Reason, k.Has(ag.ScopeAdmin))
	if err != nil {
		return err
	}
	return requestJSON(c, http.StatusOK, r)
}

func (s *Server) requestAudit(c echo.Context) error {
	es, err := s.gate.RequestAudit(c.Request().Context(), c.Param("id"))
	if err != nil {
		return err
	}
	return c.JSON(http.StatusOK, map[string]any{"entries": nonNil(es)})
}

// nonNil makes an empty list encode as [] rather than null.
func nonNil[T any](s []T) []T {
	if s == nil {
		return []T{}
	}
	return s
}

// requestsJSON answers with a page of requests: what c.JSON would send for
// {"requests": rs, "pagination": p}, written by hand, as requestJSON writes one request.
func requestsJSON(c echo.Context, rs []ag.Request, p pagination) error {
	if c.Request().URL.RawQuery != "" && c.QueryParams().Has("pretty") {
		return c.JSON(http.StatusOK, map[string]any{"requests": nonNil(rs), "pagination": p})
	}
	bp := listBuffers.Get().(*[]byte)
	defer func() {
		if cap(*bp) <= maxPooledList { // a page of large requests is not kept for the next
			listBuffers.Put(bp)
		}
	}()
	b := (*bp)[:0]
	b = strconv.AppendInt(append(b, `{"pagination":{"total":`...), int64(p.Total), 10)
	b = strconv.AppendInt(append(b, `,"limit":`...), int64(p.Limit), 10)
	b = strconv.AppendInt(append(b, `,"offset":`...), int64(p.Offset), 10)
	b = strconv.AppendBool(append(b, `,"hasMore":`...), p.HasMore)
	b = append(b, `},"requests":[`...)
	for i := range rs {
		if i > 0 {
			b = append(b, ',')
		}
		var err error
		if b, err = rs[i].AppendJSON(b); err != nil {
			return err
		}
	}
	b = append(b, "]}\n"...)
	*bp = b
	// With its length known, net/http sends the page in one write instead of in chunks.
	c.Response().Header().Set(echo.HeaderContentLength, strconv.Itoa(len(b)))
	return c.JSONBlob(http.StatusOK, b)
}

// listBuffers keeps the buffers list pages are written in; maxPooledList bounds what one
// may keep between pages.
var listBuffers = sync.Pool{New: func() any { b := make([]byte, 0, 64<<10); return &b }}

const maxPooledList = 1 << 20

// requestJSON answers with one request. It is what c.JSON would send, encoded without
// reflection and without a second pass to check the encoder's output: the gate check
// answers with a request every time.
func requestJSON(c echo.Context, status int, r *ag.Request) error {
	if c.Request().URL.RawQuery != "" && c.QueryParams().Has("pretty") {
		return c.JSON(status, r)
	}
	b, err := r.AppendJSON(make([]byte, 0, 1024))
	if err != nil {
		return err
	}
	return c.JSONBlob(status, append(b, '\n'))
}
