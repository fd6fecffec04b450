package db

import (
	"fmt"
	"strconv"
	"strings"
)

// On PostgreSQL every statement is a round trip of a writer lane, and on a busy machine
// each round trip waits for the database's process to be scheduled. So a batch's first
// attempt (the one without savepoints) collects the rows its operations insert, its
// request count changes and its notifications, and writes them all in one statement just
// before the commit. A batch of gate checks, which do nothing else, does not even open a
// transaction: the one statement is its own, one round trip and one flush to disk. Should
// the statement fail, the batch runs again the careful way, each operation in its own
// savepoint and writing its rows itself, so that a failing operation still fails alone
// and with its own error. SQLite has no round trips to save and always writes at once.

// bulkInsert is an INSERT whose rows a batch may collect and write together.
type bulkInsert struct {
	single string   // the one-row statement, run when rows are not collected
	table  string   // INSERT INTO table (cols)
	cols   string   // the column list
	types  []string // each column's PostgreSQL type, in the order of a row's values
}

func newBulkInsert(table, cols string, types ...string) *bulkInsert {
	if n := strings.Count(cols, ",") + 1; n != len(types) {
		panic(fmt.Sprintf("db: %s: %d columns, %d types", table, n, len(types)))
	}
	values := "(?" + strings.Repeat(", ?", len(types)-1) + ")"
	return &bulkInsert{single: `INSERT INTO ` + table + ` (` + cols + `) VALUES ` + values,
		table: table, cols: cols, types: types}
}

// collectedRow is one row an operation asked to insert.
type collectedRow struct {
	ins  *bulkInsert
	args []any
}

// bulkOrder lists what a batch collects rows of.
var bulkOrder = []*bulkInsert{requestInserts, auditInserts}

// flushSQL writes everything a batch collected: one array parameter per column of each
// table (unnest turns the arrays back into rows), the request and audit event count
// changes of the writer lane, and the notifications. Data-modifying WITH clauses run
// whether or not the final SELECT reads them; empty arrays write nothing.
var flushSQL = func() string {
	var b strings.Builder
	b.WriteString("WITH ")
	for i, ins := range bulkOrder {
		fmt.Fprintf(&b, "i%d AS (INSERT INTO %s (%s) SELECT * FROM unnest(", i, ins.table, ins.cols)
		for j, t := range ins.types {
			if j > 0 {
				b.WriteString(", ")
			}
			b.WriteString("?::" + t + "[]")
		}
		b.WriteString(")), ")
	}
	b.WriteString(`c AS (INSERT INTO request_counts (status, urgency, lane, n, events)
		SELECT s, u, ?::smallint, d, e FROM unnest(?::text[], ?::text[], ?::bigint[], ?::bigint[]) AS x(s, u, d, e)
		ON CONFLICT (status, urgency, lane) DO UPDATE
		SET n = request_counts.n + excluded.n, events = request_counts.events + excluded.events)
		SELECT pg_notify(` + notifyChannelSQL + `, p) FROM unnest(?::text[]) AS p`)
	return b.String()
}()

// insertRow inserts one row of ins. In a batch that collects rows, the row is written
// just before the commit, so it must be a row no later operation of the batch reads (a
// new request's id is unknown until its create returns; audit events are never read back
// by a write). A failure then surfaces at the flush, which runs the batch again without
// collecting.
func (t *writeTx) insertRow(ins *bulkInsert, args []any) error {
	if !t.collecting {
		_, err := t.exec(ins.single, args...)
		return err
	}
	t.opRows = append(t.opRows, collectedRow{ins, args})
	return nil
}

// keepCollected moves the running operation's rows and notifications to the batch if it
// succeeded, else drops them.
func (t *writeTx) keepCollected(ok bool) {
	if ok {
		t.batchRows = append(t.batchRows, t.opRows...)
		t.batchNotes = append(t.batchNotes, t.opNotes...)
	}
	clear(t.opRows)
	t.opRows, t.opNotes = t.opRows[:0], t.opNotes[:0]
}

// flushCollected writes what the batch collected and its count changes in one statement:
// in the batch's transaction if an operation opened one, else as a transaction of its own.
func (t *writeTx) flushCollected() error {
	args := t.flat[:0]
	for _, ins := range bulkOrder {
		for col := range ins.types {
			args = append(args, t.arrayOf(ins, col))
		}
	}
	status, urgency, delta, events := t.sortedCounts()
	args = append(args, t.countLane, textArray(status), textArray(urgency), intArray(delta),
		intArray(events), textArray(t.batchNotes))
	var err error
	if t.tx != nil {
		_, err = t.exec(flushSQL, args...)
	} else if st, perr := t.stmts.get(t.ctx, flushSQL); perr != nil {
		err = perr
	} else {
		_, err = st.ExecContext(t.ctx, args...)
	}
	clear(args)
	t.flat = args[:0]
	if err != nil {
		return fmt.Errorf("write the batch's rows: %w", err)
	}
	clear(t.batchCounts)
	t.dropCollected()
	return nil
}

// arrayOf returns column col of the batch's rows of ins as a PostgreSQL array literal.
func (t *writeTx) arrayOf(ins *bulkInsert, col int) string {
	b := append(t.arrayBuf[:0], '{')
	n := 0
	for _, r := range t.batchRows {
		if r.ins != ins {
			continue
		}
		if n++; n > 1 {
			b = append(b, ',')
		}
		b = appendArrayElem(b, r.args[col])
	}
	b = append(b, '}')
	t.arrayBuf = b
	return string(b)
}

// appendArrayElem appends one array element: NULL, a number, or a quoted string with its
// quotes and backslashes escaped. Collected rows hold only these (see insertRequestArgs).
func appendArrayElem(b []byte, v any) []byte {
	switch v := v.(type) {
	case nil:
		return append(b, "NULL"...)
	case int64:
		return strconv.AppendInt(b, v, 10)
	case string:
		b = append(b, '"')
		for i := 0; i < len(v); i++ {
			if c := v[i]; c == '"' || c == '\\' {
				b = append(b, '\\')
			}
			b = append(b, v[i])
		}
		return append(b, '"')
	default:
		panic(fmt.Sprintf("db: cannot collect a %T", v))
	}
}

func textArray(vs []string) string {
	b := []byte{'{'}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = appendArrayElem(b, v)
	}
	return string(append(b, '}'))
}

func intArray(vs []int64) string {
	b := []byte{'{'}
	for i, v := range vs {
		if i > 0 {
			b = append(b, ',')
		}
		b = strconv.AppendInt(b, v, 10)
	}
	return string(append(b, '}'))
}

// dropCollected forgets what the batch collected.
func (t *writeTx) dropCollected() {
	clear(t.opRows)
	clear(t.batchRows)
	t.opRows, t.batchRows = t.opRows[:0], t.batchRows[:0]
	t.opNotes, t.batchNotes = t.opNotes[:0], t.batchNotes[:0]
}
