package db

import (
	"fmt"
	neturl "net/url"
	"path/filepath"
	"regexp"
	"strings"
)

// acceptedURLs names the forms ParseURL takes, for its error messages.
const acceptedURLs = "use a file path (./data/agentgate.db, /data/agentgate.db, agentgate.db), " +
	"file:PATH, sqlite:PATH, or a postgres:// or postgresql:// URL"

// schemePrefix matches a URI scheme and its colon (RFC 3986).
var schemePrefix = regexp.MustCompile(`^[a-zA-Z][a-zA-Z0-9+.-]*:`)

// ParseURL says which database a DATABASE_URL names, without touching it.
//
//   - postgres://... and postgresql://... select PostgreSQL; source is the URL.
//   - file:PATH and sqlite:PATH select SQLite; source is PATH. The //-forms follow the file
//     URI scheme (RFC 8089): sqlite:///data/x.db is /data/x.db. Query parameters are
//     refused: AgentGate sets SQLite's options itself.
//   - Anything else with a scheme (mysql://x, redis:) is refused.
//   - A plain path selects SQLite if it has a directory part (./x, data/x, /data/x) or its
//     file name has an extension (agentgate.db). A bare word such as "garbage" is refused:
//     it is far more often a mistyped URL than a wanted file in the working directory,
//     and ./garbage says the latter.
//
// The error is one line that names the accepted forms.
func ParseURL(url string) (dialect, source string, err error) {
	if strings.TrimSpace(url) == "" {
		return "", "", fmt.Errorf("no database given; %s", acceptedURLs)
	}
	scheme := strings.TrimSuffix(schemePrefix.FindString(url), ":")
	switch strings.ToLower(scheme) {
	case "":
		if url == ":memory:" {
			return "", "", fmt.Errorf("an in-memory database loses everything when the process ends; %s", acceptedURLs)
		}
		if !strings.ContainsAny(url, `/\`) && len(filepath.Ext(url)) < 2 {
			return "", "", fmt.Errorf("%q is a bare name, not a database path or URL (for a file here, write ./%s); %s", url, url, acceptedURLs)
		}
		return DialectSQLite, url, nil
	case "postgres", "postgresql":
		if !strings.HasPrefix(url[len(scheme)+1:], "//") {
			return "", "", fmt.Errorf("%q is not a postgres:// URL; %s", redact(url), acceptedURLs)
		}
		return DialectPostgres, url, nil
	case "file", "sqlite":
		path, err := fileURIPath(url[len(scheme)+1:])
		if err != nil {
			return "", "", fmt.Errorf("%q: %v; %s", url, err, acceptedURLs)
		}
		return DialectSQLite, path, nil
	default:
		return "", "", fmt.Errorf("%q: AgentGate does not support %s databases; %s", redact(url), scheme, acceptedURLs)
	}
}

// fileURIPath returns the path of a file: or sqlite: URI given without its scheme.
func fileURIPath(rest string) (string, error) {
	if strings.ContainsAny(rest, "?#") {
		return "", fmt.Errorf("query parameters are not supported (AgentGate sets SQLite's options itself)")
	}
	path := rest
	if strings.HasPrefix(rest, "//") {
		u, err := neturl.Parse("file:" + rest)
		if err != nil {
			return "", fmt.Errorf("not a valid URI")
		}
		if u.Host != "" && u.Host != "localhost" {
			return "", fmt.Errorf("names the host %q; a SQLite file must be local (sqlite:///abs/path or sqlite:rel/path)", u.Host)
		}
		path = u.Path
	} else if p, err := neturl.PathUnescape(rest); err == nil {
		path = p
	} else {
		return "", fmt.Errorf("not a valid URI")
	}
	if path == "" {
		return "", fmt.Errorf("no file path")
	}
	return path, nil
}

// redact hides the password of a URL shown in an error, as the URL may be a mistyped
// PostgreSQL URL with real credentials.
func redact(url string) string {
	if u, err := neturl.Parse(url); err == nil && u.User != nil {
		return u.Redacted()
	}
	return url
}
