package discord_test

import (
	"context"
	"encoding/json"
	"errors"
	"testing"
	"time"

	"github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/chat/discord"
	"github.com/agentgate/agentgate/chat/discord/discordtest"
)

// runGateway runs a Gateway client against the fake until the test ends or stop is
// called, and returns what Run returned, once it returns; stop returns once Run has.
func runGateway(t *testing.T, e *env) (done <-chan error, stop func()) {
	t.Helper()
	e.cfg.PublicKey = "" // no endpoint: clicks come over the Gateway
	g, err := discord.NewGateway(e.cfg, e.responder(), discord.Options{Logger: quiet})
	if err != nil {
		t.Fatal(err)
	}
	g.Backoff = [2]time.Duration{time.Millisecond, 10 * time.Millisecond}
	ctx, cancel := context.WithCancel(context.Background())
	result, stopped := make(chan error, 1), make(chan struct{})
	go func() {
		result <- g.Run(ctx)
		close(stopped)
	}()
	stop = func() {
		cancel()
		<-stopped
	}
	t.Cleanup(stop)
	return result, stop
}

func connected(e *env) func() bool { return func() bool { return e.discord.Gateway().Connected } }

func TestGatewayDecides(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, stop := runGateway(t, e)
		e.discord.Wait(t, "the client to identify", connected(e))
		if st := e.discord.Gateway(); st.Identifies != 1 || st.Intents != 0 || st.Resumes != 0 {
			t.Fatalf("gateway saw %+v; want one IDENTIFY with no intents", st)
		}

		r, other := e.submit(t, "deploy"), e.submit(t, "deploy")
		click := discordtest.Click("3001", appID, "approve:"+r.ID, carol)
		for _, in := range [][]byte{click, click, discordtest.Click("3002", appID, "deny:"+other.ID, carol)} {
			if err := e.discord.Interact(in); err != nil {
				t.Fatal(err)
			}
		}
		e.discord.Wait(t, "two answers", func() bool { return len(e.discord.Callbacks()) == 2 })
		stop() // Run returns once every answer under way is sent
		answers := map[string]int{}
		for _, cb := range e.discord.Callbacks() {
			answers[cb.InteractionID]++
			var resp struct{ Type int }
			_ = json.Unmarshal(cb.Response, &resp)
			if cb.InteractionID == "3001" && (resp.Type != discord.ResponseUpdateMessage || cb.Token != "token-3001") {
				t.Fatalf("the click was answered with %s", cb.Response)
			}
		}
		if answers["3001"] != 1 || answers["3002"] != 1 {
			t.Fatalf("answers per interaction: %v; a repeated interaction must be ignored", answers)
		}
		got, _ := e.gate.Get(bg, r.ID)
		if got.Status != agentgate.StatusApproved || got.Votes[0].Channel != agentgate.DecidedViaDiscord {
			t.Fatalf("request %s, votes %+v", got.Status, got.Votes)
		}
	})
}

func TestGatewayHeartbeats(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		e.discord.SetHeartbeatInterval(5) // ms: heartbeats at once, to see them
		_, _ = runGateway(t, e)
		e.discord.Wait(t, "heartbeats", func() bool { return e.discord.Gateway().Heartbeats >= 3 })
	})
}

func TestGatewayResumes(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		_, _ = runGateway(t, e)
		e.discord.Wait(t, "the client to identify", connected(e))
		if err := e.discord.Dispatch("TYPING_START", map[string]any{}); err != nil { // seq 2
			t.Fatal(err)
		}
		if err := e.discord.Reconnect(); err != nil {
			t.Fatal(err)
		}
		e.discord.Wait(t, "a resume", func() bool { return e.discord.Gateway().Resumes == 1 && e.discord.Gateway().Connected })
		if st := e.discord.Gateway(); st.Identifies != 1 || st.ResumedSeq != 2 {
			t.Fatalf("gateway saw %+v; want the session resumed from seq 2", st)
		}
		e.discord.CloseGateway(4009) // session timed out: identify afresh
		e.discord.Wait(t, "a new session", func() bool { return e.discord.Gateway().Identifies == 2 && e.discord.Gateway().Connected })

		// Interactions still arrive after all that.
		r := e.submit(t, "deploy")
		if err := e.discord.Interact(discordtest.Click("4001", appID, "deny:"+r.ID, carol)); err != nil {
			t.Fatal(err)
		}
		e.discord.Wait(t, "an answer", func() bool { return len(e.discord.Callbacks()) == 1 })
	})
}

func TestGatewayStopsWhenTheTokenIsRefused(t *testing.T) {
	eachEnv(t, func(t *testing.T, e *env) {
		stops := func(done <-chan error) {
			t.Helper()
			select {
			case err := <-done:
				if !errors.Is(err, discord.ErrTokenRefused) {
					t.Fatalf("Run = %v; want ErrTokenRefused", err)
				}
			case <-time.After(20 * time.Second):
				t.Fatal("Run kept going with a refused token")
			}
		}
		done, _ := runGateway(t, e) // refused on the Gateway itself
		e.discord.Wait(t, "the client to identify", connected(e))
		e.discord.CloseGateway(4004)
		stops(done)

		e.cfg.BotToken = "wrong" // refused by the REST API, before connecting
		done, _ = runGateway(t, e)
		stops(done)
	})
}
