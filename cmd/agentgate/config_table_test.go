package main

import (
	"bufio"
	"context"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"
)

// tableDefaults are the variables of envVars with their defaults.
func tableDefaults() map[string]string {
	out := map[string]string{}
	for _, v := range envVars {
		out[v.name] = v.def
	}
	return out
}

// sameVariables reports how listed (a document's variables and defaults) differs from the
// table's, one line each.
func sameVariables(t *testing.T, doc string, listed map[string]string) {
	t.Helper()
	want := tableDefaults()
	for name, def := range want {
		got, ok := listed[name]
		switch {
		case !ok:
			t.Errorf("%s does not list %s (default %q)", doc, name, def)
		case got != def:
			t.Errorf("%s gives %s the default %q; the table says %q", doc, name, got, def)
		}
	}
	for name := range listed {
		if _, ok := want[name]; !ok {
			t.Errorf("%s lists %s, which the server does not read", doc, name)
		}
	}
}

var envLine = regexp.MustCompile(`^#?([A-Z][A-Z0-9_]*)=(.*)$`)

// TestEnvExampleListsTheTable: .env.example names every variable the server reads, with
// its default, and nothing else (but for its compose-only section, which compose reads).
func TestEnvExampleListsTheTable(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", ".env.example"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	listed := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() && !strings.HasPrefix(sc.Text(), "# --- Compose only") {
		if m := envLine.FindStringSubmatch(sc.Text()); m != nil {
			listed[m[1]] = m[2]
		}
	}
	sameVariables(t, ".env.example", listed)
}

var (
	readmeRow  = regexp.MustCompile("^\\| (`[A-Z][A-Z0-9_]*`(?:, `[A-Z][A-Z0-9_]*`)*) \\|([^|]*)\\|")
	readmeName = regexp.MustCompile("`([A-Z][A-Z0-9_]*)`")
)

// TestReadmeListsTheTable: the README's configuration table names every variable with its
// default. A row may name several variables that have no default.
func TestReadmeListsTheTable(t *testing.T) {
	b, err := os.ReadFile(filepath.Join("..", "..", "README.md"))
	if err != nil {
		t.Fatal(err)
	}
	_, section, ok := strings.Cut(string(b), "\n## Configuration\n")
	if !ok {
		t.Fatal("the README has no Configuration section")
	}
	section, _, _ = strings.Cut(section, "\n## ")
	listed := map[string]string{}
	for _, line := range strings.Split(section, "\n") {
		m := readmeRow.FindStringSubmatch(line)
		if m == nil {
			continue
		}
		names := readmeName.FindAllStringSubmatch(m[1], -1)
		def := strings.Trim(strings.TrimSpace(m[2]), "`")
		if len(names) > 1 && def != "" {
			t.Errorf("README row %q gives several variables one default", line)
		}
		for _, n := range names {
			listed[n[1]] = def
		}
	}
	sameVariables(t, "the README's configuration table", listed)
}

// TestServeHelpListsTheTable: serve --help names every variable with its default.
func TestServeHelpListsTheTable(t *testing.T) {
	var out strings.Builder
	if err := run(context.Background(), []string{"serve", "--help"}, mapEnv(nil), strings.NewReader(""), &out, &out); err != nil {
		t.Fatal(err)
	}
	listed := map[string]string{}
	for _, line := range strings.Split(out.String(), "\n") {
		if f := strings.Fields(line); len(f) > 1 {
			if m := envLine.FindStringSubmatch(f[0]); m != nil {
				listed[m[1]] = m[2]
			}
		}
	}
	sameVariables(t, "serve --help", listed)
}

// TestUnreadableFileStopsTheStart: for every variable, a NAME_FILE that cannot be read
// stops the start with one line naming it, rather than falling back to the default.
func TestUnreadableFileStopsTheStart(t *testing.T) {
	missing := filepath.Join(t.TempDir(), "missing")
	for _, v := range envVars {
		_, err := loadConfig(mapEnv(map[string]string{v.name + "_FILE": missing}))
		if err == nil || !strings.HasPrefix(err.Error(), v.name+"_FILE: ") || strings.Contains(err.Error(), "\n") {
			t.Errorf("%s_FILE unreadable: %v; want one line starting with %s_FILE:", v.name, err, v.name)
		}
	}
	// The plain variable wins, so its file is not read at all.
	if _, err := loadConfig(mapEnv(map[string]string{"PORT": "3001", "PORT_FILE": missing})); err != nil {
		t.Errorf("PORT set beside an unreadable PORT_FILE: %v", err)
	}
}

// TestServeStopsOnAnUnreadableDatabaseFile: serve with DATABASE_URL_FILE naming a file it
// cannot read exits 1 with one line, and creates no SQLite database in its stead.
func TestServeStopsOnAnUnreadableDatabaseFile(t *testing.T) {
	dir := t.TempDir()
	ctx, cancel := context.WithTimeout(t.Context(), time.Minute) // a serve that starts is killed
	defer cancel()
	cmd := exec.CommandContext(ctx, binary, "serve")
	cmd.Dir = dir
	cmd.Env = childEnv("HOME="+dir, "PORT=0", "DATABASE_URL_FILE="+filepath.Join(dir, "secrets", "database_url"))
	var stdout, stderr strings.Builder
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	err := cmd.Run()
	lines := strings.Split(strings.TrimSpace(stderr.String()), "\n")
	if err == nil || len(lines) != 1 || !strings.HasPrefix(lines[0], "agentgate: DATABASE_URL_FILE: ") {
		t.Fatalf("serve: %v; stderr %q", err, stderr.String())
	}
	if _, err := os.Stat(filepath.Join(dir, "data")); !os.IsNotExist(err) {
		t.Fatalf("serve made ./data anyway (%v)", err)
	}
}
