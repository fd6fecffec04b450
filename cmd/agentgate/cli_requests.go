package main

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/url"

	"github.com/spf13/cobra"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/client"
)

// clientCommands are the command-line client: everything that talks to a server's API.
func clientCommands(getenv env, io stdio) []*cobra.Command {
	return []*cobra.Command{
		newConfigCmd(getenv, io),
		newRequestCmd(getenv, io),
		newStatusCmd(getenv, io),
		newListCmd(getenv, io),
		newDecideCmd(getenv, io, "approve", agentgate.DecisionApproved),
		newDecideCmd(getenv, io, "deny", agentgate.DecisionDenied),
		newCancelCmd(getenv, io),
		newMCPCmd(getenv, io),
	}
}

// api is what every client command shares: settings, a client and the output format.
type api struct {
	getenv env
	io     stdio
	asJSON bool
	s      settings
	c      *client.Client
}

// addJSONFlag registers --json on cmd.
func (a *api) addJSONFlag(cmd *cobra.Command) {
	cmd.Flags().BoolVar(&a.asJSON, "json", false, "print JSON instead of a table (or set outputFormat to json)")
}

// open resolves the settings and builds the client.
func (a *api) open() error {
	s, _, err := loadSettings(a.getenv)
	if err != nil {
		return err
	}
	if s.get(keyAPIKey) == "" {
		return errors.New("no API key: set AGENTGATE_API_KEY or run `agentgate config set apiKey agk_...`")
	}
	if err := checkSetting(keyServerURL, s.get(keyServerURL)); err != nil {
		return fmt.Errorf("%w (from %s)", err, s[keyServerURL].Source)
	}
	a.s = s
	a.c = client.New(s.get(keyServerURL), s.get(keyAPIKey), client.WithUserAgent("agentgate-cli/"+version))
	return nil
}

func (a *api) json() bool { return a.asJSON || a.s.get(keyOutputFormat) == "json" }

// show prints one request in the chosen format.
func (a *api) show(r *agentgate.Request) error {
	if a.json() {
		return printJSON(a.io.out, r)
	}
	return printRequest(a.io.out, r)
}

// explain turns a failed call into the line the user sees: the server's message and code,
// or which server could not be reached.
func (a *api) explain(err error) error {
	var apiErr *client.Error
	if errors.As(err, &apiErr) {
		return apiErr
	}
	var ue *url.Error
	if errors.As(err, &ue) {
		return fmt.Errorf("cannot reach AgentGate at %s: %v (set AGENTGATE_URL or `agentgate config set serverUrl URL`)", a.c.BaseURL(), ue.Err)
	}
	return err
}

// jsonObject checks a flag holds a JSON object.
func jsonObject(flag, s string) (json.RawMessage, error) {
	if s == "" {
		return nil, nil
	}
	var m map[string]any
	if err := json.Unmarshal([]byte(s), &m); err != nil || m == nil {
		return nil, fmt.Errorf("--%s must be a JSON object, such as '{\"to\": \"ops@example.com\"}'", flag)
	}
	return json.RawMessage(s), nil
}

func newStatusCmd(getenv env, io stdio) *cobra.Command {
	a := &api{getenv: getenv, io: io}
	cmd := &cobra.Command{
		Use:   "status <id>",
		Short: "Show one request",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			r, err := a.c.Get(cmd.Context(), args[0])
			if err != nil {
				return a.explain(err)
			}
			return a.show(r)
		},
	}
	a.addJSONFlag(cmd)
	return cmd
}

func newListCmd(getenv env, io stdio) *cobra.Command {
	a := &api{getenv: getenv, io: io}
	var o client.ListOptions
	var status, urgency string
	cmd := &cobra.Command{
		Use:   "list",
		Short: "List requests, newest first",
		Args:  cobra.NoArgs,
		RunE: func(cmd *cobra.Command, _ []string) error {
			if err := a.open(); err != nil {
				return err
			}
			o.Status, o.Urgency = agentgate.Status(status), agentgate.Urgency(urgency)
			p, err := a.c.List(cmd.Context(), o)
			if err != nil {
				return a.explain(err)
			}
			if a.json() {
				// A bare array, as the original CLI printed, so `jq '.[].id'` keeps working.
				return printJSON(io.out, p.Requests)
			}
			return printRequestList(io.out, p)
		},
	}
	f := cmd.Flags()
	f.StringVarP(&status, "status", "s", "", "only requests with this status: pending, approved, denied, expired or cancelled")
	f.StringVarP(&o.Action, "action", "a", "", "only requests for this action")
	f.StringVar(&urgency, "urgency", "", "only requests of this urgency: low, normal, high or critical")
	f.IntVarP(&o.Limit, "limit", "l", 20, "how many requests to show (at most 200)")
	f.IntVarP(&o.Offset, "offset", "o", 0, "how many to skip, for the next page")
	a.addJSONFlag(cmd)
	return cmd
}

func newDecideCmd(getenv env, io stdio, verb, decision string) *cobra.Command {
	a := &api{getenv: getenv, io: io}
	var reason string
	cmd := &cobra.Command{
		Use:   verb + " <id>",
		Short: map[string]string{"approve": "Approve", "deny": "Deny"}[verb] + " a pending request",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			r, err := a.c.Decide(cmd.Context(), args[0], decision, reason)
			if err != nil {
				return a.explain(err)
			}
			return a.show(r)
		},
	}
	cmd.Flags().StringVarP(&reason, "reason", "r", "", "why; shown to the agent and kept in the audit log")
	a.addJSONFlag(cmd)
	return cmd
}

func newCancelCmd(getenv env, io stdio) *cobra.Command {
	a := &api{getenv: getenv, io: io}
	var reason string
	cmd := &cobra.Command{
		Use:   "cancel <id>",
		Short: "Withdraw a pending request this key created",
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			r, err := a.c.Cancel(cmd.Context(), args[0], reason)
			if err != nil {
				return a.explain(err)
			}
			return a.show(r)
		},
	}
	cmd.Flags().StringVarP(&reason, "reason", "r", "", "why the request is withdrawn")
	a.addJSONFlag(cmd)
	return cmd
}
