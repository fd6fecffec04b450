package agentgate

import (
	"context"
	"errors"
	"log/slog"
	"sync"
)

// Outage is what a Sender knows of a problem with its channel as a whole (the SMTP server
// down, a Slack token revoked), as opposed to one delivery's: each distinct problem is
// logged once, however many deliveries meet it, and so is its end. The zero value is not
// usable: set Log and the two messages.
type Outage struct {
	Log       *slog.Logger
	Down, Up  string // logged when a problem starts ("Email cannot be sent; ...") and ends
	mu        sync.Mutex
	lastCause string
}

// Report logs reason at level unless it is the problem logged last, and returns it as the
// error of an attempt to retry.
func (o *Outage) Report(level slog.Level, reason string) (SendResult, error) {
	o.mu.Lock()
	fresh := reason != o.lastCause
	o.lastCause = reason
	o.mu.Unlock()
	if fresh {
		o.Log.Log(context.Background(), level, o.Down, "reason", reason)
	}
	return SendResult{}, errors.New(reason)
}

// Recovered notes an attempt that worked, so that the next problem is logged again.
func (o *Outage) Recovered() {
	o.mu.Lock()
	was := o.lastCause
	o.lastCause = ""
	o.mu.Unlock()
	if was != "" {
		o.Log.Info(o.Up, "after", was)
	}
}
