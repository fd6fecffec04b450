package main

import (
	"bytes"
	"context"
	"errors"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/agentgate/agentgate/internal/testserver"
)

var update = flag.Bool("update", false, "rewrite testdata/*.golden from the current output")

// binary is the agentgate command built once for the whole test run.
var binary string

func TestMain(m *testing.M) {
	flag.Parse()
	dir, err := os.MkdirTemp("", "agentgate-cli-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	binary = filepath.Join(dir, "agentgate")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	// Built as the Dockerfile builds it, so the tests also test the image's binary.
	build, _, err := dockerfileBuild(binary, testVersion)
	if err == nil {
		err = likeTestBuild(build, dir)
	}
	if err == nil {
		build.Stdout, build.Stderr = os.Stdout, os.Stderr
		err = build.Run()
	}
	if err != nil {
		fmt.Fprintln(os.Stderr, "build agentgate:", err)
		os.RemoveAll(dir)
		os.Exit(1)
	}
	code := m.Run()
	if err := mergeChildCoverage(); err != nil {
		fmt.Fprintln(os.Stderr, "add the child processes' coverage:", err)
		code = 1
	}
	os.RemoveAll(dir)
	os.Exit(code)
}

// cli runs the built binary with a temporary HOME and only the environment it is given.
type cli struct {
	t    *testing.T
	home string
	env  map[string]string
}

func newCLI(t *testing.T, env map[string]string) *cli {
	t.Helper()
	home := t.TempDir()
	if env == nil {
		env = map[string]string{}
	}
	return &cli{t: t, home: home, env: env}
}

// forServer is a CLI configured through the environment to talk to srv with key.
func forServer(t *testing.T, srv *testserver.Server, key string) *cli {
	return newCLI(t, map[string]string{"AGENTGATE_URL": srv.URL, "AGENTGATE_API_KEY": key})
}

func (c *cli) command(ctx context.Context, args ...string) (*exec.Cmd, *bytes.Buffer, *bytes.Buffer) {
	cmd := exec.CommandContext(ctx, binary, args...)
	cmd.Env = []string{"HOME=" + c.home}
	for k, v := range c.env {
		cmd.Env = append(cmd.Env, k+"="+v)
	}
	cmd.Env = childEnv(cmd.Env...)
	var stdout, stderr bytes.Buffer
	cmd.Stdout, cmd.Stderr = &stdout, &stderr
	return cmd, &stdout, &stderr
}

// result is what one run printed and how it exited.
type result struct {
	stdout, stderr string
	code           int
}

func (c *cli) run(args ...string) result {
	c.t.Helper()
	cmd, stdout, stderr := c.command(c.t.Context(), args...)
	return finish(c.t, cmd.Run(), stdout, stderr)
}

func finish(t *testing.T, err error, stdout, stderr *bytes.Buffer) result {
	t.Helper()
	res := result{stdout: stdout.String(), stderr: stderr.String()}
	var exit *exec.ExitError
	switch {
	case errors.As(err, &exit):
		res.code = exit.ExitCode()
	case err != nil:
		t.Fatalf("run agentgate: %v", err)
	}
	if strings.Contains(res.stderr, "goroutine ") || strings.Contains(res.stderr, "panic:") {
		t.Errorf("stderr has a stack trace:\n%s", res.stderr)
	}
	return res
}

// ok runs args, expects exit 0 and returns stdout.
func (c *cli) ok(args ...string) string {
	c.t.Helper()
	res := c.run(args...)
	if res.code != 0 {
		c.t.Fatalf("agentgate %s: exit %d\nstdout: %s\nstderr: %s", strings.Join(args, " "), res.code, res.stdout, res.stderr)
	}
	return res.stdout
}

var (
	idPattern       = regexp.MustCompile(`\b(req|pol|key|evt)_[0-9A-HJKMNP-TV-Z]{26}\b`)
	jsonTimePattern = regexp.MustCompile(`"\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d(\.\d+)?Z"`)
	timePattern     = regexp.MustCompile(`\d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ`)
)

// normalize replaces ids and times with stable placeholders of the same width, so tables
// stay aligned: ids are numbered in order of first appearance.
func normalize(s string) string {
	seen := map[string]string{}
	s = idPattern.ReplaceAllStringFunc(s, func(id string) string {
		if p, ok := seen[id]; ok {
			return p
		}
		prefix := id[:strings.IndexByte(id, '_')+1]
		p := prefix + fmt.Sprintf("%026d", len(seen)+1)
		seen[id] = p
		return p
	})
	s = jsonTimePattern.ReplaceAllString(s, `"<time>"`)
	return timePattern.ReplaceAllString(s, "YYYY-MM-DDThh:mm:ssZ")
}

// golden compares got, normalized, with testdata/name.golden (rewritten with -update).
func golden(t *testing.T, name, got string) {
	t.Helper()
	got = normalize(got)
	path := filepath.Join("testdata", name+".golden")
	if *update {
		if err := os.MkdirAll("testdata", 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(got), 0o644); err != nil {
			t.Fatal(err)
		}
		return
	}
	want, err := os.ReadFile(path)
	if err != nil {
		t.Fatalf("%v (run go test -update to create it)", err)
	}
	if got != string(want) {
		t.Errorf("%s differs from %s:\n--- got\n%s\n--- want\n%s", name, path, got, want)
	}
}
