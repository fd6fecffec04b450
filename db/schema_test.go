package db_test

import (
	"os"
	"path/filepath"
	"regexp"
	"slices"
	"strings"
	"testing"

	"github.com/jmoiron/sqlx"

	"github.com/agentgate/agentgate/db"
	"github.com/agentgate/agentgate/db/dbtest"
)

// TestMigrationsMatchAcrossDialects applies every migration of both dialects and compares
// the schemas they leave: tables, columns (type, nullability, default), primary keys,
// unique constraints, and indexes by name with their columns, uniqueness and condition.
// The two folders are written by hand; this is what keeps them in step. PostgreSQL takes
// part when AGENTGATE_TEST_POSTGRES_URL is set, as it is in CI.
func TestMigrationsMatchAcrossDialects(t *testing.T) {
	lite := sqliteSchema(t, db.Reader(dbtest.Open(t, db.DialectSQLite)))
	if len(lite) == 0 {
		t.Fatal("the SQLite migrations left no schema")
	}
	pg := postgresSchema(t, db.Reader(dbtest.Open(t, db.DialectPostgres)))
	onlyLite, onlyPG := difference(lite, pg), difference(pg, lite)
	if len(onlyLite)+len(onlyPG) > 0 {
		t.Errorf("the migrations leave different schemas (types as SQLite's: TEXT, INTEGER, REAL, BLOB).\n"+
			"Only in SQLite:\n\t%s\nOnly in PostgreSQL:\n\t%s",
			strings.Join(orNone(onlyLite), "\n\t"), strings.Join(orNone(onlyPG), "\n\t"))
	}
}

// Both folders hold the same migration versions, so that one version means one change.
func TestMigrationVersionsMatchAcrossDialects(t *testing.T) {
	versions := func(dialect string) []string {
		files, err := os.ReadDir(filepath.Join("migrations", dialect))
		if err != nil {
			t.Fatal(err)
		}
		var out []string
		for _, f := range files {
			if v, _, ok := strings.Cut(f.Name(), "_"); ok && strings.HasSuffix(f.Name(), ".sql") {
				out = append(out, v)
			}
		}
		return out
	}
	lite, pg := versions(db.DialectSQLite), versions(db.DialectPostgres)
	if len(lite) == 0 || !slices.Equal(lite, pg) {
		t.Errorf("migration versions differ:\n  sqlite:   %v\n  postgres: %v", lite, pg)
	}
}

// A schema is a set of lines, one per fact, in the same words for both dialects:
//
//	column requests.params TEXT NOT NULL DEFAULT '{}'
//	primary key requests (id)
//	unique api_keys (hash)
//	index requests.requests_pending_expires (status, expires_at) WHERE status = 'pending'
type schema map[string]bool

func (s schema) add(format ...string) { s[strings.Join(format, " ")] = true }

func difference(a, b schema) []string {
	var out []string
	for line := range a {
		if !b[line] {
			out = append(out, line)
		}
	}
	slices.Sort(out)
	return out
}

func orNone(lines []string) []string {
	if len(lines) == 0 {
		return []string{"(nothing)"}
	}
	return lines
}

// column words one column: its type class, NOT NULL, and its default.
func column(table, name, typ string, notNull bool, dflt *string) string {
	s := "column " + table + "." + name + " " + typ
	if notNull {
		s += " NOT NULL"
	}
	if dflt != nil {
		s += " DEFAULT " + normalizeSQL(*dflt)
	}
	return s
}

func index(table, name string, unique bool, columns []string, where string) string {
	s := "index " + table + "." + name
	if unique {
		s = "unique " + s
	}
	s += " (" + strings.Join(columns, ", ") + ")"
	if where != "" {
		s += " WHERE " + normalizeSQL(where)
	}
	return s
}

var (
	pgCast      = regexp.MustCompile(`::[a-z ]+`)
	sqliteWhere = regexp.MustCompile(`(?is)\sWHERE\s(.*)$`)
	spaces      = regexp.MustCompile(`\s+`)
	pgTypes     = map[string]string{
		"text": "TEXT", "character varying": "TEXT", "character": "TEXT", "jsonb": "TEXT", "json": "TEXT", "uuid": "TEXT",
		"bigint": "INTEGER", "integer": "INTEGER", "smallint": "INTEGER", "boolean": "INTEGER",
		"double precision": "REAL", "real": "REAL", "numeric": "REAL",
		"bytea": "BLOB",
	}
)

// normalizeSQL writes a default or an index condition the same way whichever database
// printed it: without PostgreSQL's casts and parentheses, booleans as SQLite's numbers.
func normalizeSQL(s string) string {
	s = pgCast.ReplaceAllString(s, "")
	s = strings.NewReplacer("(", "", ")", "").Replace(s)
	switch s {
	case "false":
		s = "0"
	case "true":
		s = "1"
	}
	return strings.TrimSpace(spaces.ReplaceAllString(s, " "))
}

func sqliteSchema(t *testing.T, x *sqlx.DB) schema {
	t.Helper()
	s := schema{}
	var tables []string
	must(t, x.Select(&tables, `SELECT name FROM sqlite_schema WHERE type = 'table'
		AND name NOT LIKE 'sqlite\_%' ESCAPE '\' AND name <> 'goose_db_version' ORDER BY name`))
	for _, tbl := range tables {
		var cols []struct {
			CID     int     `db:"cid"`
			Name    string  `db:"name"`
			Type    string  `db:"type"`
			NotNull bool    `db:"notnull"`
			Default *string `db:"dflt_value"`
			PK      int     `db:"pk"`
		}
		must(t, x.Select(&cols, `SELECT cid, name, type, "notnull", dflt_value, pk FROM pragma_table_info(?)`, tbl))
		pk := map[int]string{}
		for _, c := range cols {
			typ := strings.ToUpper(c.Type)
			if typ == "INT" {
				typ = "INTEGER"
			}
			s.add(column(tbl, c.Name, typ, c.NotNull || c.PK > 0, c.Default))
			if c.PK > 0 {
				pk[c.PK] = c.Name
			}
		}
		if len(pk) > 0 {
			var names []string
			for i := 1; i <= len(pk); i++ {
				names = append(names, pk[i])
			}
			s.add("primary key", tbl, "("+strings.Join(names, ", ")+")")
		}
		var idxs []struct {
			Name    string `db:"name"`
			Unique  bool   `db:"unique"`
			Origin  string `db:"origin"`
			Partial bool   `db:"partial"`
		}
		must(t, x.Select(&idxs, `SELECT name, "unique", origin, partial FROM pragma_index_list(?)`, tbl))
		for _, ix := range idxs {
			var keys []struct {
				Name *string `db:"name"`
				Desc bool    `db:"desc"`
			}
			must(t, x.Select(&keys, `SELECT name, "desc" FROM pragma_index_xinfo(?) WHERE key = 1 ORDER BY seqno`, ix.Name))
			var cols []string
			for _, k := range keys {
				c := "<expression>"
				if k.Name != nil {
					c = *k.Name
				}
				if k.Desc {
					c += " DESC"
				}
				cols = append(cols, c)
			}
			switch ix.Origin {
			case "pk": // described with the columns
			case "u":
				s.add("unique", tbl, "("+strings.Join(cols, ", ")+")")
			default:
				var where string
				if ix.Partial {
					var sql string
					must(t, x.Get(&sql, `SELECT sql FROM sqlite_schema WHERE type = 'index' AND name = ?`, ix.Name))
					if m := sqliteWhere.FindStringSubmatch(sql); m != nil {
						where = m[1]
					}
				}
				s.add(index(tbl, ix.Name, ix.Unique, cols, where))
			}
		}
	}
	return s
}

func postgresSchema(t *testing.T, x *sqlx.DB) schema {
	t.Helper()
	s := schema{}
	var cols []struct {
		Table    string  `db:"table_name"`
		Name     string  `db:"column_name"`
		Type     string  `db:"data_type"`
		Nullable string  `db:"is_nullable"`
		Default  *string `db:"column_default"`
	}
	must(t, x.Select(&cols, `SELECT table_name, column_name, data_type, is_nullable, column_default
		FROM information_schema.columns WHERE table_schema = current_schema() AND table_name <> 'goose_db_version'`))
	for _, c := range cols {
		typ, ok := pgTypes[c.Type]
		if !ok {
			typ = "postgres:" + c.Type // no mapping: shows as a difference naming the type
		}
		s.add(column(c.Table, c.Name, typ, c.Nullable == "NO", c.Default))
	}
	var idxs []struct {
		Table      string  `db:"table_name"`
		Name       string  `db:"index_name"`
		Unique     bool    `db:"is_unique"`
		Constraint *string `db:"constraint_type"`
		Columns    string  `db:"columns"`
		Where      *string `db:"predicate"`
	}
	// Each key column's name, with DESC when its sort option says so (bit 1 of indoption).
	must(t, x.Select(&idxs, `SELECT t.relname AS table_name, i.relname AS index_name, ix.indisunique AS is_unique,
			c.contype::text AS constraint_type, pg_get_expr(ix.indpred, ix.indrelid) AS predicate,
			(SELECT string_agg(COALESCE(a.attname, '<expression>') || CASE WHEN ix.indoption[k.n - 1] & 1 = 1 THEN ' DESC' ELSE '' END, ', ' ORDER BY k.n)
			   FROM unnest(ix.indkey) WITH ORDINALITY AS k(attnum, n)
			   LEFT JOIN pg_attribute a ON a.attrelid = ix.indrelid AND a.attnum = k.attnum
			  WHERE k.n <= ix.indnkeyatts) AS columns
		FROM pg_index ix
		JOIN pg_class i ON i.oid = ix.indexrelid
		JOIN pg_class t ON t.oid = ix.indrelid
		JOIN pg_namespace n ON n.oid = t.relnamespace
		LEFT JOIN pg_constraint c ON c.conindid = ix.indexrelid
		WHERE n.nspname = current_schema() AND t.relname <> 'goose_db_version'`))
	for _, ix := range idxs {
		switch {
		case ix.Constraint != nil && *ix.Constraint == "p":
			s.add("primary key", ix.Table, "("+ix.Columns+")")
		case ix.Constraint != nil && *ix.Constraint == "u":
			s.add("unique", ix.Table, "("+ix.Columns+")")
		default:
			where := ""
			if ix.Where != nil {
				where = *ix.Where
			}
			s.add(index(ix.Table, ix.Name, ix.Unique, strings.Split(ix.Columns, ", "), where))
		}
	}
	return s
}

func must(t *testing.T, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}
