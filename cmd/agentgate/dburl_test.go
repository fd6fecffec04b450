package main

import (
	"os"
	"os/exec"
	"strings"
	"testing"
)

// TestBadDatabaseURLStopsEveryCommand: serve, migrate and bootstrap refuse a DATABASE_URL
// that names no database AgentGate can use, with one line, before creating anything.
func TestBadDatabaseURLStopsEveryCommand(t *testing.T) {
	for _, url := range []string{"garbage", "mysql://x"} {
		for _, command := range []string{"serve", "migrate", "bootstrap"} {
			dir := t.TempDir()
			cmd := exec.Command(binary, command)
			cmd.Dir = dir
			cmd.Env = []string{"HOME=" + dir, "PORT=0", "DATABASE_URL=" + url}
			var stderr strings.Builder
			cmd.Stderr = &stderr
			err := cmd.Run()
			msg := stderr.String()
			if err == nil || !strings.HasPrefix(msg, "agentgate: DATABASE_URL: ") || strings.Count(msg, "\n") != 1 ||
				!strings.Contains(msg, "postgres://") {
				t.Errorf("%s with DATABASE_URL=%s: %v, %q; want exit 1 and one line naming the accepted forms", command, url, err, msg)
			}
			if entries, _ := os.ReadDir(dir); len(entries) != 0 {
				t.Errorf("%s with DATABASE_URL=%s left %v behind", command, url, entries)
			}
		}
	}
}
