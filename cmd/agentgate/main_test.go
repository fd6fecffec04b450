package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"testing"
)

// binary is the agentgate command built once for the whole test run; the CLI, serve and
// MCP tests run it as a child process.
var binary string

// childCoverDir is where instrumented children write their coverage counters (GOCOVERDIR),
// or "" when the test run does not collect coverage.
var childCoverDir string

func TestMain(m *testing.M) {
	flag.Parse()
	os.Exit(runTests(m))
}

func runTests(m *testing.M) int {
	dir, err := os.MkdirTemp("", "agentgate-cli-*")
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		return 1
	}
	defer os.RemoveAll(dir)
	if testing.CoverMode() != "" {
		childCoverDir = filepath.Join(dir, "cover")
		if err := os.Mkdir(childCoverDir, 0o755); err != nil {
			fmt.Fprintln(os.Stderr, err)
			return 1
		}
	}
	binary = filepath.Join(dir, "agentgate")
	if runtime.GOOS == "windows" {
		binary += ".exe"
	}
	build := exec.Command("go", buildArgs(binary)...)
	build.Stdout, build.Stderr = os.Stdout, os.Stderr
	if err := build.Run(); err != nil {
		fmt.Fprintln(os.Stderr, "build agentgate:", err)
		return 1
	}
	code := m.Run() // writes this binary's own coverage profile on its way out
	if childCoverDir != "" {
		if err := mergeChildCoverage(); err != nil {
			fmt.Fprintln(os.Stderr, "merge the child processes' coverage:", err)
			return 1
		}
	}
	return code
}

// buildArgs builds the binary as the test binary was built, so that the packages the
// test build compiled come from the build cache instead of being compiled again: with
// the race detector if it is on, and, when the run collects coverage, instrumented in
// the same mode (every package of the module, go build -cover's default).
func buildArgs(out string) []string {
	args := []string{"build", "-o", out}
	if raceEnabled {
		args = append(args, "-race")
	}
	if mode := testing.CoverMode(); mode != "" {
		args = append(args, "-cover", "-covermode="+mode)
	}
	return append(args, ".")
}

// childEnv is env for a child process, with GOCOVERDIR when the run collects coverage:
// an instrumented binary writes its counters there when it exits, and warns on stderr
// if it has nowhere to write them.
func childEnv(env ...string) []string {
	if childCoverDir != "" {
		env = append(env, "GOCOVERDIR="+childCoverDir)
	}
	return env
}

// mergeChildCoverage adds what the child processes covered to this test binary's coverage
// profile (-coverprofile), so that the figure counts the code the tests ran in children,
// and prints the figure with them. Only blocks of files already in the profile are added:
// the figure stays about the packages the run measures.
func mergeChildCoverage() error {
	profile := flag.Lookup("test.coverprofile").Value.String()
	if profile == "" {
		return nil // only a percentage was asked for; it cannot include the children
	}
	if !filepath.IsAbs(profile) {
		if out := flag.Lookup("test.outputdir").Value.String(); out != "" {
			profile = filepath.Join(out, profile)
		}
	}
	own, err := os.ReadFile(profile)
	if err != nil {
		return err
	}
	text := filepath.Join(filepath.Dir(childCoverDir), "children.txt")
	if out, err := exec.Command("go", "tool", "covdata", "textfmt", "-i="+childCoverDir, "-o="+text).CombinedOutput(); err != nil {
		return fmt.Errorf("go tool covdata: %v: %s", err, out)
	}
	children, err := os.ReadFile(text)
	if err != nil {
		return err
	}
	measured := map[string]bool{}
	for _, line := range profileBlocks(own) {
		measured[blockFile(line)] = true
	}
	var add strings.Builder
	for _, line := range profileBlocks(children) {
		if measured[blockFile(line)] {
			add.WriteString(line + "\n")
		}
	}
	f, err := os.OpenFile(profile, os.O_APPEND|os.O_WRONLY, 0)
	if err != nil {
		return err
	}
	if _, err := f.WriteString(add.String()); err != nil {
		f.Close()
		return err
	}
	if err := f.Close(); err != nil {
		return err
	}
	merged, err := os.ReadFile(profile)
	if err != nil {
		return err
	}
	fmt.Printf("coverage with the child processes: %.1f%% of statements\n", coveredPercent(merged))
	return nil
}

// profileBlocks returns the block lines of a text coverage profile, without its mode line.
func profileBlocks(profile []byte) []string {
	var out []string
	sc := bufio.NewScanner(strings.NewReader(string(profile)))
	for sc.Scan() {
		if line := sc.Text(); line != "" && !strings.HasPrefix(line, "mode:") {
			out = append(out, line)
		}
	}
	return out
}

// blockFile is the file of a profile line "file.go:1.2,3.4 statements count".
func blockFile(line string) string {
	file, _, _ := strings.Cut(line, ":")
	return file
}

// coveredPercent is the share of statements in profile that ran, each block counted once
// however many processes report it, as go tool cover counts.
func coveredPercent(profile []byte) float64 {
	type block struct {
		statements int
		covered    bool
	}
	blocks := map[string]*block{}
	for _, line := range profileBlocks(profile) {
		fields := strings.Fields(line)
		if len(fields) != 3 {
			continue
		}
		var stmts int
		fmt.Sscan(fields[1], &stmts)
		b := blocks[fields[0]]
		if b == nil {
			b = &block{statements: stmts}
			blocks[fields[0]] = b
		}
		b.covered = b.covered || fields[2] != "0"
	}
	total, covered := 0, 0
	for _, b := range blocks {
		total += b.statements
		if b.covered {
			covered += b.statements
		}
	}
	if total == 0 {
		return 0
	}
	return 100 * float64(covered) / float64(total)
}
