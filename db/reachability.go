package db

import (
	"context"
	"database/sql"
	"database/sql/driver"
	"errors"
	"log/slog"
	"net"
	"sync/atomic"
	"time"

	"github.com/lib/pq"
	"github.com/lib/pq/pqerror"
	"github.com/mattn/go-sqlite3"

	"github.com/agentgate/agentgate"
)

// errUnavailableMessage is what a caller is told while the database cannot be reached.
const errUnavailableMessage = "the database cannot be reached; try again in a few seconds"

// unreachable reports whether err means the database could not be reached or stopped
// answering, rather than that it refused this one statement: a refused or reset connection,
// a connection the driver gave up on, PostgreSQL shutting down, starting up or out of
// connections, or a SQLite file that cannot be opened, read or written.
func unreachable(err error) bool {
	if errors.Is(err, context.Canceled) || errors.Is(err, context.DeadlineExceeded) {
		return false // the caller gave up; that says nothing about the database
	}
	if errors.Is(err, driver.ErrBadConn) {
		return true
	}
	var op *net.OpError
	if errors.As(err, &op) {
		return true
	}
	if pe := pq.As(err); pe != nil {
		switch pe.Code {
		case pqerror.AdminShutdown, pqerror.CrashShutdown, pqerror.CannotConnectNow, pqerror.TooManyConnections:
			return true
		}
		return pe.Code.Class() == pqerror.ClassConnectionException
	}
	var se sqlite3.Error
	if errors.As(err, &se) {
		return se.Code == sqlite3.ErrCantOpen || se.Code == sqlite3.ErrIoErr || se.Code == sqlite3.ErrFull
	}
	return false
}

// reachability classifies the outcome of every database call and notices when the
// database goes away and comes back. It logs each change once, however many calls fail in
// between: an outage is one line when it starts and one when it ends, not one per request.
// Checking a success while the database is up is one atomic load.
type reachability struct {
	log       *slog.Logger
	down      atomic.Bool
	downSince atomic.Int64 // Unix nanoseconds, for the length of the outage in the log
}

// check returns err, or for a sign that the database cannot be reached an *agentgate.Error
// of KindUnavailable (code database_unavailable, a 503) wrapping it. A success, or an
// answer that a row is missing, after such failures ends the outage.
func (r *reachability) check(err error) error {
	if err == nil || errors.Is(err, sql.ErrNoRows) {
		if r.down.Load() && r.down.CompareAndSwap(true, false) {
			outage := time.Duration(time.Now().UnixNano() - r.downSince.Load())
			r.log.Info("Database is reachable again.", "outage_seconds", outage.Round(time.Millisecond).Seconds())
		}
		return err
	}
	if errors.Is(err, ErrClosed) {
		return unavailable(err) // shutting down: refused, but not an outage
	}
	if agentgate.ErrorKind(err) == agentgate.KindUnavailable || !unreachable(err) {
		return err
	}
	if r.down.CompareAndSwap(false, true) {
		r.downSince.Store(time.Now().UnixNano())
		r.log.Error("Database is unreachable.", "err", err)
	}
	return unavailable(err)
}

func unavailable(err error) error {
	return &agentgate.Error{Kind: agentgate.KindUnavailable, Code: "database_unavailable", Message: errUnavailableMessage, Err: err}
}
