package db

import (
	"errors"
	"strconv"
	"strings"
	"sync/atomic"

	"github.com/agentgate/agentgate"
)

// SQLite hands the list page's rows over packed: each row's columns joined into one text by
// concat_ws, which the store splits. The driver then copies one value a row instead of
// eighteen (each column its own string, boxed, and copied again by database/sql): 1,000
// fewer allocations a page of 50, and about a sixth less CPU per page than the columns.
//
// The separator is the unit separator, U+001F. JSON holds no raw control character, so
// params, context, policy decision and votes never contain it; the other text columns
// could. A row is therefore split only if it holds exactly as many separators as the
// packing put in: every column's bytes are then its own. Any other row is unpackable,
// and the page is read again by columns (ListRequests). decided_at, the only column that
// may be NULL, is packed as empty text for NULL; as an INTEGER of a STRICT table it is
// never empty otherwise. Integers come as decimal text, which the store parses back.
const (
	packedRequestColumns = `concat_ws(char(31), created_at, updated_at, ifnull(decided_at, ''),
	expires_at, required_approvals, version, id, action, urgency, status, created_by,
	decided_by, decision_reason, created_by_id, policy_decision, votes, params, context)`
	packedRequestFields = 18
	packedSeparator     = "\x1f"

	listRequestsPackedSQL = `SELECT ` + packedRequestColumns + ` FROM requests`
)

// errUnpackable is a packed row that cannot be split safely: a text column holds the
// separator.
var errUnpackable = errors.New("a request's text holds the packing separator")

// unpackedPages counts the pages read again by columns, for tests.
var unpackedPages atomic.Int64

// packedRequestRow scans rows of packedRequestColumns. Params, context and policy
// decision of successive rows are carved out of one shared buffer (each slice capped, so
// that an append to one copies rather than overwrites its neighbour).
type packedRequestRow struct {
	packed string
	buf    []byte
}

// packedBufSize is the size of the buffer shared by successive rows: about twenty rows of
// the load test's requests.
const packedBufSize = 4096

// bytes returns a new slice of n bytes from w's shared buffer, empty.
func (w *packedRequestRow) bytes(n int) []byte {
	if cap(w.buf)-len(w.buf) < n {
		w.buf = make([]byte, 0, max(n, packedBufSize))
	}
	b := w.buf[len(w.buf) : len(w.buf) : len(w.buf)+n]
	w.buf = w.buf[:len(w.buf)+n]
	return b
}

func (w *packedRequestRow) scan(sc scanner) (agentgate.Request, error) {
	if err := sc.Scan(&w.packed); err != nil {
		return agentgate.Request{}, err
	}
	s := w.packed
	if strings.Count(s, packedSeparator) != packedRequestFields-1 {
		return agentgate.Request{}, errUnpackable
	}
	var f [packedRequestFields]string
	for i := range packedRequestFields - 1 {
		j := strings.IndexByte(s, packedSeparator[0])
		f[i], s = s[:j], s[j+1:]
	}
	f[packedRequestFields-1] = s

	var n [6]int64 // created_at, updated_at, decided_at, expires_at, required_approvals, version
	for i := range n {
		if i == 2 && f[i] == "" { // decided_at is NULL
			continue
		}
		var err error
		if n[i], err = parseInt(f[i]); err != nil {
			return agentgate.Request{}, errors.New("a packed request's integer: " + err.Error())
		}
	}
	// The strings are the packed value's own bytes, not copies: a request holds its row.
	r := agentgate.Request{ID: f[6], Action: f[7], Urgency: agentgate.Urgency(f[8]),
		Status: agentgate.Status(f[9]), CreatedBy: f[10], DecidedBy: f[11], DecisionReason: f[12],
		CreatedByID: f[13], CreatedAt: fromMicros(n[0]), UpdatedAt: fromMicros(n[1]),
		ExpiresAt: fromMicros(n[3]), RequiredApprovals: int(n[4]), Version: int(n[5])}
	if f[2] != "" {
		t := fromMicros(n[2])
		r.DecidedAt = &t
	}
	r.Params = append(w.bytes(len(f[16])), f[16]...)
	r.Context = append(w.bytes(len(f[17])), f[17]...)
	pd := append(w.bytes(len(f[14])), f[14]...)
	return r, decodeRequestJSON(&r, pd, f[15])
}

// parseInt parses a decimal int64 as SQLite writes one, without strconv's generality for
// the usual lengths.
func parseInt(s string) (int64, error) {
	d := s
	if len(d) > 0 && d[0] == '-' {
		d = d[1:]
	}
	if len(d) == 0 || len(d) > 18 {
		return strconv.ParseInt(s, 10, 64)
	}
	var v int64
	for i := 0; i < len(d); i++ {
		c := d[i]
		if c < '0' || c > '9' {
			return strconv.ParseInt(s, 10, 64)
		}
		v = v*10 + int64(c-'0')
	}
	if len(d) < len(s) {
		v = -v
	}
	return v, nil
}
