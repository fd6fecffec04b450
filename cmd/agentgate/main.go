// Command agentgate is the AgentGate server and its command-line client in one binary.
package main

import (
	"context"
	"errors"
	"fmt"
	"io"
	"os"
	"os/signal"
	"syscall"

	"github.com/spf13/cobra"
)

// version is set at build time with -ldflags "-X main.version=...".
var version = "dev"

func main() {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	err := run(ctx, os.Args[1:], os.LookupEnv, os.Stdin, os.Stdout, os.Stderr)
	stop()
	if err != nil {
		var ex exitError
		if errors.As(err, &ex) {
			if ex.err != nil {
				fmt.Fprintln(os.Stderr, "agentgate:", ex.err)
			}
			os.Exit(ex.code)
		}
		fmt.Fprintln(os.Stderr, "agentgate:", err)
		os.Exit(1)
	}
}

// exitError carries a specific exit code out of a command; err, if any, is printed.
type exitError struct {
	code int
	err  error
}

func (e exitError) Error() string {
	if e.err == nil {
		return fmt.Sprintf("exit status %d", e.code)
	}
	return e.err.Error()
}

// io bundles a command's standard streams.
type stdio struct {
	in       io.Reader
	out, err io.Writer
}

// run executes the command line args with the given environment and streams.
func run(ctx context.Context, args []string, getenv env, stdin io.Reader, stdout, stderr io.Writer) error {
	root := newRootCmd(getenv, stdio{in: stdin, out: stdout, err: stderr})
	root.SetArgs(args)
	root.SetIn(stdin)
	root.SetOut(stdout)
	root.SetErr(stderr)
	return root.ExecuteContext(ctx)
}

func newRootCmd(getenv env, io stdio) *cobra.Command {
	root := &cobra.Command{
		Use:           "agentgate",
		Short:         "Approval gateway for AI agents: server and command-line client",
		SilenceUsage:  true,
		SilenceErrors: true,
		Version:       version, // --version, printed as `agentgate version` prints it
	}
	root.SetVersionTemplate("agentgate {{.Version}}\n")
	root.AddCommand(
		newServeCmd(getenv, io),
		newMigrateCmd(getenv, io),
		newBootstrapCmd(getenv, io),
		newVersionCmd(io),
		newHealthcheckCmd(getenv),
		newBackupCmd(getenv, io),
		newDemoCmd(getenv, io),
		newDoctorCmd(getenv, io),
	)
	root.AddCommand(clientCommands(getenv, io)...)
	return root
}

func newVersionCmd(io stdio) *cobra.Command {
	return &cobra.Command{
		Use:   "version",
		Short: "Print the version",
		Args:  cobra.NoArgs,
		RunE: func(*cobra.Command, []string) error {
			_, err := fmt.Fprintln(io.out, "agentgate", version)
			return err
		},
	}
}
