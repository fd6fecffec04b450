package main

import (
	"bufio"
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"strings"
	"testing"
)

// There is no Docker engine where the tests run, so the tests build the binary they run
// with the Dockerfile's own go build line (TestMain), and check the rest of the file here.

// testVersion is the VERSION build argument the tests build with.
const testVersion = "v0.0.0-test"

// dockerfilePath is the Dockerfile, from this package's directory.
var dockerfilePath = filepath.Join("..", "..", "Dockerfile")

// instruction is one Dockerfile instruction, continuation lines joined.
type instruction struct {
	cmd  string // FROM, RUN, ... upper-cased
	args string
}

// readDockerfile returns the file's instructions; comments and blank lines are dropped.
func readDockerfile(path string) ([]instruction, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, err
	}
	defer f.Close()
	var out []instruction
	var cur strings.Builder
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line := strings.TrimSpace(sc.Text())
		if line == "" || strings.HasPrefix(line, "#") {
			continue
		}
		if more, ok := strings.CutSuffix(line, `\`); ok {
			cur.WriteString(more + " ")
			continue
		}
		cur.WriteString(line)
		cmd, args, _ := strings.Cut(cur.String(), " ")
		out = append(out, instruction{strings.ToUpper(cmd), strings.TrimSpace(args)})
		cur.Reset()
	}
	return out, sc.Err()
}

// dockerfileBuild returns the Dockerfile's go build command, run from the module's root
// with the same environment and flags, writing the binary to out instead of /out; env is
// what the line itself sets.
func dockerfileBuild(out, version string) (cmd *exec.Cmd, env []string, err error) {
	ins, err := readDockerfile(dockerfilePath)
	if err != nil {
		return nil, nil, err
	}
	for _, in := range ins {
		if in.cmd != "RUN" || !strings.Contains(in.args, "go build") {
			continue
		}
		words, err := shellWords(in.args, map[string]string{"VERSION": version})
		if err != nil {
			return nil, nil, fmt.Errorf("Dockerfile: RUN %s: %w", in.args, err)
		}
		for len(words) > 0 && strings.Contains(words[0], "=") {
			env, words = append(env, words[0]), words[1:]
		}
		o := slices.Index(words, "-o")
		if len(words) < 2 || words[0] != "go" || words[1] != "build" || o < 0 || o+1 >= len(words) {
			return nil, nil, fmt.Errorf("Dockerfile: RUN %s: want [NAME=value ...] go build ... -o FILE ...", in.args)
		}
		words[o+1] = out
		cmd = exec.Command(words[0], words[1:]...)
		cmd.Dir = filepath.Dir(dockerfilePath)
		cmd.Env = append(os.Environ(), env...)
		return cmd, env, nil
	}
	return nil, nil, errors.New("Dockerfile: no RUN ... go build line")
}

// shellWords splits a shell command line into words as sh does for the simple lines a
// Dockerfile's RUN holds: quotes, and ${NAME} or $NAME from vars (an unknown one is an
// error, so that a new build argument is noticed here).
func shellWords(s string, vars map[string]string) ([]string, error) {
	var words []string
	var w strings.Builder
	inWord := false
	var quote rune
	rs := []rune(s)
	for i := 0; i < len(rs); i++ {
		r := rs[i]
		switch {
		case quote == 0 && (r == ' ' || r == '\t'):
			if inWord {
				words, inWord = append(words, w.String()), false
				w.Reset()
			}
			continue
		case r == '\'' && quote != '"', r == '"' && quote != '\'':
			if quote == 0 {
				quote = r
			} else {
				quote = 0
			}
		case r == '$' && quote != '\'':
			name, n := varName(rs[i+1:])
			v, ok := vars[name]
			if !ok {
				return nil, fmt.Errorf("unknown variable $%s", name)
			}
			w.WriteString(v)
			i += n
		default:
			w.WriteRune(r)
		}
		inWord = true
	}
	if quote != 0 {
		return nil, errors.New("unterminated quote")
	}
	if inWord {
		words = append(words, w.String())
	}
	return words, nil
}

// varName reads the name after a $: {NAME} or NAME; n is how many runes it took.
func varName(rs []rune) (name string, n int) {
	if len(rs) > 0 && rs[0] == '{' {
		end := slices.Index(rs, '}')
		if end < 0 {
			return string(rs), len(rs)
		}
		return string(rs[1:end]), end + 1
	}
	for n < len(rs) && (rs[n] == '_' || rs[n] >= 'A' && rs[n] <= 'Z' || rs[n] >= 'a' && rs[n] <= 'z' || rs[n] >= '0' && rs[n] <= '9') {
		n++
	}
	return string(rs[:n]), n
}

// TestDockerfileBuild checks that the binary every test here runs came from the
// Dockerfile's build line, with cgo (SQLite) and the version stamped.
func TestDockerfileBuild(t *testing.T) {
	cmd, env, err := dockerfileBuild("agentgate-out", testVersion)
	if err != nil {
		t.Fatal(err)
	}
	line := strings.Join(cmd.Args, " ")
	if !slices.Contains(env, "CGO_ENABLED=1") || !strings.Contains(line, "-trimpath") ||
		!strings.Contains(line, "-X main.version="+testVersion) || !strings.HasSuffix(line, "./cmd/agentgate") {
		t.Errorf("build line %v %q: want CGO_ENABLED=1, -trimpath, -X main.version=${VERSION}, ./cmd/agentgate", env, line)
	}
	for _, args := range [][]string{{"--version"}, {"version"}} {
		out, err := exec.Command(binary, args...).Output()
		if err != nil || string(out) != "agentgate "+testVersion+"\n" {
			t.Errorf("agentgate %s = %q, %v; want the version the Dockerfile stamps", args[0], out, err)
		}
	}
}

// TestDockerfileImage checks what the image promises: a slim Debian runtime with CA
// certificates and time zones, a numeric non-root user, data in a /data volume, and a
// health check that runs the binary itself.
func TestDockerfileImage(t *testing.T) {
	ins, err := readDockerfile(dockerfilePath)
	if err != nil {
		t.Fatal(err)
	}
	var froms, runtime []instruction
	for _, in := range ins {
		if in.cmd == "FROM" {
			froms = append(froms, in)
			runtime = nil
		}
		runtime = append(runtime, in)
	}
	if len(froms) != 2 || froms[0].args != "golang:1.26-bookworm AS build" || froms[1].args != "debian:bookworm-slim" {
		t.Fatalf("stages = %v; want golang:1.26-bookworm AS build, then debian:bookworm-slim", froms)
	}
	want := map[string]func(string) bool{
		"RUN": func(a string) bool {
			return strings.Contains(a, "--no-install-recommends ca-certificates tzdata") && strings.Contains(a, "rm -rf /var/lib/apt/lists/*")
		},
		"COPY":        func(a string) bool { return a == "--from=build /out/agentgate /usr/local/bin/agentgate" },
		"USER":        func(a string) bool { return a == "10001:10001" },
		"VOLUME":      func(a string) bool { return a == `["/data"]` },
		"ENV":         func(a string) bool { return strings.Contains(a, "DATABASE_URL=/data/agentgate.db") },
		"HEALTHCHECK": func(a string) bool { return strings.HasSuffix(a, `CMD ["agentgate", "healthcheck"]`) },
		"ENTRYPOINT":  func(a string) bool { return a == `["agentgate"]` },
	}
	for _, in := range runtime {
		if ok, checked := want[in.cmd]; checked && ok(in.args) {
			delete(want, in.cmd)
		}
	}
	for cmd := range want {
		t.Errorf("the runtime stage has no %s as expected", cmd)
	}
}
