package main

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

// Exit codes of `request --wait`, so a script can gate a command on the decision:
//
//	agentgate request deploy --wait 10m && ./deploy.sh
const (
	exitApproved = 0
	exitDenied   = 2
	exitNoDecide = 3 // expired, cancelled, or no decision within --wait
)

func newRequestCmd(getenv env, io stdio) *cobra.Command {
	a := &api{getenv: getenv, io: io}
	var params, reqContext, urgency, idemKey string
	var wait time.Duration
	cmd := &cobra.Command{
		Use:   "request <action>",
		Short: "Ask for approval of an action, and optionally wait for the decision",
		Long: "Ask for approval of an action. A policy may decide at once; otherwise a person decides.\n\n" +
			"With --wait, wait up to that long for the decision and exit 0 if approved, 2 if denied,\n" +
			"3 if it expired, was cancelled or no decision came in time:\n\n" +
			"  agentgate request deploy --params '{\"env\":\"prod\"}' --wait 10m && ./deploy.sh",
		Args: cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			in := client.RequestInput{Action: args[0], Urgency: agentgate.Urgency(urgency), IdempotencyKey: idemKey}
			var err error
			if in.Params, err = jsonObject("params", params); err != nil {
				return err
			}
			if in.Context, err = jsonObject("context", reqContext); err != nil {
				return err
			}
			if wait < 0 {
				return errors.New("--wait must be a positive duration such as 30s or 10m")
			}
			if err := a.open(); err != nil {
				return err
			}
			r, err := a.c.Request(cmd.Context(), in)
			if err != nil {
				return a.explain(err)
			}
			if wait == 0 {
				return a.show(r)
			}
			return a.waitAndReport(cmd.Context(), r, wait)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&params, "params", "p", "", "the action's parameters as a JSON object")
	f.StringVarP(&reqContext, "context", "c", "", "context for the approver as a JSON object")
	f.StringVarP(&urgency, "urgency", "u", "", "low, normal (default), high or critical")
	f.DurationVarP(&wait, "wait", "w", 0, "wait up to this long for the decision (such as 30s or 10m) and exit by it")
	f.StringVar(&idemKey, "idempotency-key", "", "names this request, so running the command again within 24 h returns it instead of a new one (default: a new key, reused on retries)")
	a.addJSONFlag(cmd)
	return cmd
}

// waitAndReport waits for r's decision, prints the request and exits by its status.
func (a *api) waitAndReport(ctx context.Context, r *agentgate.Request, wait time.Duration) error {
	if r.Status == agentgate.StatusPending {
		fmt.Fprintf(a.io.err, "Waiting up to %s for a decision on %s ...\n", wait, r.ID)
		wctx, cancel := context.WithTimeout(ctx, wait)
		defer cancel()
		decided, err := a.c.WaitForDecision(wctx, r.ID)
		if decided != nil {
			r = decided
		}
		if err != nil {
			if ctx.Err() != nil {
				return exitError{code: exitNoDecide, err: fmt.Errorf("interrupted while waiting for a decision on %s", r.ID)}
			}
			if errors.Is(err, context.DeadlineExceeded) {
				if perr := a.show(r); perr != nil {
					return perr
				}
				return exitError{code: exitNoDecide, err: fmt.Errorf("no decision on %s within %s; it is still pending", r.ID, wait)}
			}
			return a.explain(err)
		}
	}
	if err := a.show(r); err != nil {
		return err
	}
	switch r.Status {
	case agentgate.StatusApproved:
		return nil
	case agentgate.StatusDenied:
		return exitError{code: exitDenied, err: fmt.Errorf("request %s was denied by %s%s", r.ID, r.DecidedBy, because(r.DecisionReason))}
	default:
		return exitError{code: exitNoDecide, err: fmt.Errorf("request %s was %s%s", r.ID, r.Status, because(r.DecisionReason))}
	}
}

func because(reason string) string {
	if reason == "" {
		return ""
	}
	return ": " + reason
}
