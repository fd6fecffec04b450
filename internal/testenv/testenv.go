// Package testenv holds what tests need beyond Go: a Chromium for the browser tests (make
// test says in one line when it has none; PostgreSQL is db/dbtest's), and the process CPU
// time that benchmarks report.
package testenv

import (
	"os"
	"testing"
)

// ChromiumEnv names the variable holding the Chromium binary the browser tests drive.
const ChromiumEnv = "AGENTGATE_TEST_CHROMIUM"

// Chromium returns the browser to drive: $AGENTGATE_TEST_CHROMIUM, else Debian's
// /usr/bin/chromium; without either it skips the test.
func Chromium(t testing.TB) string {
	t.Helper()
	if p := os.Getenv(ChromiumEnv); p != "" {
		return p
	}
	if _, err := os.Stat("/usr/bin/chromium"); err == nil {
		return "/usr/bin/chromium"
	}
	t.Skip("no Chromium: install it or set " + ChromiumEnv)
	return ""
}
