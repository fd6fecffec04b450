// Package static holds the dashboard's stylesheet, script, icon and vendored htmx, embedded
// in the binary. Every URL carries a hash of the file's content, so browsers may keep a
// file for a year and still never run a stale one.
package static

import (
	"bytes"
	"compress/gzip"
	"crypto/sha256"
	"embed"
	"encoding/hex"
	"io/fs"
	"net/http"
	"path"
	"strings"
	"sync"
	"time"
)

//go:embed app.css pages.css desk.css app.js desk.js favicon.svg vendor
var files embed.FS

// Prefix is the URL path the files are served under.
const Prefix = "/static/"

// Names of the files pages load.
const (
	CSS   = "app.css"
	Pages = "pages.css"
	JS    = "app.js"
	Icon  = "favicon.svg"
	HTMX  = "vendor/htmx-2.0.11.min.js"
)

// Names of the approver's desk's files: the request page, the queue, keyboard triage.
const (
	Desk   = "desk.css"
	DeskJS = "desk.js"
)

// Files serves the embedded files and makes their cache-busting URLs.
type Files struct {
	byName map[string]*file
}

type file struct {
	body  []byte
	hash  string
	ctype string
	// gz is the gzipped body, made on first request so that starting the server stays
	// fast; nil when compressing is not worth it.
	gzOnce sync.Once
	gz     []byte
}

// contentTypes names the types of the files we embed. A fixed table, because asking the
// mime package would load the system's whole MIME database at start-up.
var contentTypes = map[string]string{
	".css": "text/css; charset=utf-8",
	".js":  "text/javascript; charset=utf-8",
	".svg": "image/svg+xml",
	".txt": "text/plain; charset=utf-8",
}

func (e *file) gzipped() []byte {
	e.gzOnce.Do(func() {
		if len(e.body) <= 1024 {
			return
		}
		var z bytes.Buffer
		w, _ := gzip.NewWriterLevel(&z, gzip.BestCompression)
		_, _ = w.Write(e.body)
		_ = w.Close()
		e.gz = z.Bytes()
	})
	return e.gz
}

// New reads and hashes every embedded file.
func New() *Files {
	f := &Files{byName: map[string]*file{}}
	_ = fs.WalkDir(files, ".", func(name string, d fs.DirEntry, err error) error {
		if err != nil || d.IsDir() {
			return err
		}
		b, err := files.ReadFile(name)
		if err != nil {
			return err
		}
		sum := sha256.Sum256(b)
		ctype, ok := contentTypes[path.Ext(name)]
		if !ok {
			ctype = "application/octet-stream"
		}
		f.byName[name] = &file{body: b, hash: hex.EncodeToString(sum[:6]), ctype: ctype}
		return nil
	})
	return f
}

// URL returns the cache-busted URL of a file: /static/<name>?v=<content hash>.
func (f *Files) URL(name string) string {
	e := f.byName[name]
	if e == nil {
		return Prefix + name
	}
	return Prefix + name + "?v=" + e.hash
}

// ServeHTTP serves one file. A request naming the current hash may keep it for a year;
// any other is told to check again.
func (f *Files) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimPrefix(r.URL.Path, Prefix)
	e := f.byName[name]
	if e == nil || (r.Method != http.MethodGet && r.Method != http.MethodHead) {
		http.NotFound(w, r)
		return
	}
	h := w.Header()
	h.Set("Content-Type", e.ctype)
	h.Set("X-Content-Type-Options", "nosniff")
	h.Set("ETag", `"`+e.hash+`"`)
	h.Add("Vary", "Accept-Encoding")
	if r.URL.Query().Get("v") == e.hash {
		h.Set("Cache-Control", "public, max-age=31536000, immutable")
	} else {
		h.Set("Cache-Control", "no-cache")
	}
	body := e.body
	if strings.Contains(r.Header.Get("Accept-Encoding"), "gzip") {
		if gz := e.gzipped(); gz != nil {
			h.Set("Content-Encoding", "gzip")
			body = gz
		}
	}
	http.ServeContent(w, r, "", time.Time{}, bytes.NewReader(body))
}
