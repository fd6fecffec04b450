package main

import (
	"context"
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
		newCallCmd(getenv, io, "status", "Show one request", "",
			func(c *client.Client, ctx context.Context, id, _ string) (*agentgate.Request, error) {
				return c.Get(ctx, id)
			}),
		newListCmd(getenv, io),
		newCallCmd(getenv, io, "approve", "Approve a pending request", decideReason, (*client.Client).Approve),
		newCallCmd(getenv, io, "deny", "Deny a pending request", decideReason, (*client.Client).Deny),
		newCallCmd(getenv, io, "cancel", "Withdraw a pending request this key created", "why the request is withdrawn",
			(*client.Client).Cancel),
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
func (a *api) open() (err error) {
	a.s, a.c, err = newClient(a.getenv, "agentgate-cli", "set AGENTGATE_API_KEY or run `agentgate config set apiKey agk_...`")
	return err
}

// newClient resolves the settings and builds a client that names itself agent/version to
// the server. noKey tells the user where to set the API key, which differs between the CLI
// and the MCP server.
func newClient(getenv env, agent, noKey string) (settings, *client.Client, error) {
	s, _, err := loadSettings(getenv)
	if err != nil {
		return nil, nil, err
	}
	if s.get(keyAPIKey) == "" {
		return nil, nil, errors.New("no API key: " + noKey)
	}
	if err := checkSetting(keyServerURL, s.get(keyServerURL)); err != nil {
		return nil, nil, fmt.Errorf("%w (from %s)", err, s[keyServerURL].Source)
	}
	return s, client.New(s.get(keyServerURL), s.get(keyAPIKey), client.WithUserAgent(agent+"/"+version)), nil
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

// decideReason is the help of approve's and deny's --reason.
const decideReason = "why; shown to the agent and kept in the audit log"

// newCallCmd is a command that makes one call about one request and shows the request it
// returns: status, approve, deny and cancel. reasonHelp, if set, adds --reason.
func newCallCmd(getenv env, io stdio, use, short, reasonHelp string,
	call func(c *client.Client, ctx context.Context, id, reason string) (*agentgate.Request, error)) *cobra.Command {
	a := &api{getenv: getenv, io: io}
	var reason string
	cmd := &cobra.Command{
		Use:   use + " <id>",
		Short: short,
		Args:  cobra.ExactArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if err := a.open(); err != nil {
				return err
			}
			r, err := call(a.c, cmd.Context(), args[0], reason)
			if err != nil {
				return a.explain(err)
			}
			return a.show(r)
		},
	}
	if reasonHelp != "" {
		cmd.Flags().StringVarP(&reason, "reason", "r", "", reasonHelp)
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
