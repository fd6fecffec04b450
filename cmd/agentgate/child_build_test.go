package main

import (
	"bufio"
	"flag"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"runtime/debug"
	"slices"
	"strings"
	"testing"
)

// childCoverDir is where instrumented children write their coverage counters (GOCOVERDIR),
// or "" when the test run does not collect coverage.
var childCoverDir string

// likeTestBuild makes cmd, a go build command, compile as this test binary was compiled,
// so that the packages the test build compiled come from the build cache instead of
// being compiled a second time: with the same race detector, -trimpath, build tags and
// compiler flags, read from the test binary's build information. When the run collects
// coverage, it also instruments the binary in the test's mode (every package of the
// module, go build -cover's default) and makes a directory under dir for the children's
// counters.
func likeTestBuild(cmd *exec.Cmd, dir string) error {
	var flags []string
	trimpath := false
	if info, ok := debug.ReadBuildInfo(); ok {
		for _, s := range info.Settings {
			switch s.Key {
			case "-race", "-msan", "-asan":
				if s.Value == "true" {
					flags = append(flags, s.Key)
				}
			case "-trimpath":
				trimpath = s.Value == "true"
			case "-tags", "-gcflags", "-asmflags":
				flags = append(flags, s.Key+"="+s.Value)
			}
		}
	}
	if trimpath {
		flags = append(flags, "-trimpath")
	}
	if mode := testing.CoverMode(); mode != "" {
		childCoverDir = filepath.Join(dir, "cover")
		if err := os.Mkdir(childCoverDir, 0o755); err != nil {
			return err
		}
		flags = append(flags, "-cover", "-covermode="+mode)
	}
	// cmd.Args is go build [flags] [packages]; a -trimpath there that the test build did not
	// use would compile every package again, for paths nobody reads.
	rest := slices.DeleteFunc(slices.Clone(cmd.Args[2:]), func(a string) bool { return a == "-trimpath" })
	cmd.Args = slices.Concat(cmd.Args[:2], flags, rest)
	return nil
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
	if childCoverDir == "" || profile == "" {
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
