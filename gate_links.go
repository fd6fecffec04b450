package agentgate

import (
	"context"
	"errors"
	"fmt"
	"strings"
	"time"
)

// linkSecretSetting names the stored secret decision link tokens are made with.
const linkSecretSetting = "decision_link_secret"

// linkSecret returns the key of decision link tokens: generated once and kept in the
// database, so that every instance, and the process after a restart, makes and accepts the
// same tokens.
func (g *Gate) linkSecret(ctx context.Context) ([]byte, error) {
	if p := g.people.linkSecret.Load(); p != nil {
		return *p, nil
	}
	v, err := g.store.EnsureSetting(ctx, linkSecretSetting, randomToken()+randomToken())
	if err != nil {
		return nil, fmt.Errorf("decision link secret: %w", err)
	}
	b := []byte(v)
	g.people.linkSecret.Store(&b)
	return b, nil
}

// EmailLinks is what an approval email needs from the gate beyond its delivery.
type EmailLinks struct {
	Name    string // the recipient's name in the directory; "" when the address is no one's
	Approve string // the token of the link that approves; "" in a follow-up
	Deny    string // the token of the link that denies; "" in a follow-up
}

// EmailLinks returns, for an email delivery, the recipient's name and, in the message
// that asks for a decision (request.created), the tokens of its Approve and Deny links.
// The links are made when the email is sent, never on the gate check, and are the same
// for every retry of the delivery. A request that no longer waits, or a recipient who may
// no longer decide it, is KindNotFound: the email is not needed, and the delivery ends.
func (g *Gate) EmailLinks(ctx context.Context, d Delivery) (EmailLinks, error) {
	dir := g.Directory()
	var out EmailLinks
	if p := dir.ByEmail(d.Target); p != nil {
		out.Name = p.Name
	}
	if d.Event != EventRequestCreated {
		return out, nil
	}
	r, err := g.Get(ctx, d.RequestID)
	if err != nil {
		return out, err
	}
	now := g.clock.Now()
	if r.Status != StatusPending || !now.Before(r.ExpiresAt) {
		return out, Errorf(KindNotFound, "request_settled", "request %s no longer waits for a decision, so its approval email is not sent", r.ID)
	}
	actor := dir.EmailActor(d.Target)
	if !dir.MayDecide(r.PolicyDecision.Approvers, actor) {
		return out, Errorf(KindNotFound, "not_an_approver", "%s may no longer decide request %s, so its approval email is not sent", d.Target, r.ID)
	}
	secret, err := g.linkSecret(ctx)
	if err != nil {
		return out, err
	}
	expires := now.Add(g.people.linkTTL)
	if r.ExpiresAt.Before(expires) {
		expires = r.ExpiresAt
	}
	personID := ""
	if isPersonID(actor.ID) {
		personID = actor.ID
	}
	links := make([]DecisionLink, 0, 2)
	for _, decision := range []string{DecisionApproved, DecisionDenied} {
		token := linkToken(secret, d.ID, d.Target, decision)
		if decision == DecisionApproved {
			out.Approve = token
		} else {
			out.Deny = token
		}
		links = append(links, DecisionLink{ID: NewID("dln", now), RequestID: r.ID, DeliveryID: d.ID,
			Recipient: strings.ToLower(d.Target), PersonID: personID, Decision: decision, TokenHash: HashKey(token),
			CreatedAt: now, ExpiresAt: expires})
	}
	if err := g.store.SaveDecisionLinks(ctx, links); err != nil {
		return EmailLinks{}, fmt.Errorf("store decision links: %w", err)
	}
	return out, nil
}

// OpenLink returns what the page of a decision link shows, and changes nothing: any
// number of GETs, HEADs and prefetches decide nothing. With the page, when the link is
// known, it returns why the link cannot decide, if it cannot: link_used and link_expired
// (KindGone), already_decided (KindConflict), link_recipient_changed and not_an_approver
// (KindForbidden). An unknown link is link_unknown (KindNotFound) and no page.
func (g *Gate) OpenLink(ctx context.Context, token string) (*LinkPage, error) {
	if !wellFormedToken(token) {
		return nil, errLinkUnknown
	}
	l, err := g.store.DecisionLinkByHash(ctx, HashKey(token))
	if errors.Is(err, ErrNotFound) {
		return nil, errLinkUnknown
	} else if err != nil {
		return nil, fmt.Errorf("look up decision link: %w", err)
	}
	r, err := g.Get(ctx, l.RequestID)
	if ErrorKind(err) == KindNotFound {
		return nil, errLinkUnknown
	} else if err != nil {
		return nil, err
	}
	dir := g.Directory()
	p := &LinkPage{Link: *l, Request: r, Actor: dir.EmailActor(l.Recipient)}
	return p, p.usable(dir, g.clock.Now())
}

// usable says why the link cannot decide now, or nil. A used link says so first: its
// holder has decided, which is what they most need to hear.
func (p *LinkPage) usable(dir *Directory, now time.Time) error {
	switch {
	case p.Link.UsedAt != nil:
		return errLinkUsed
	case p.Request.Status != StatusPending:
		return p.Request.alreadyDecided()
	case !now.Before(p.Link.ExpiresAt):
		return errLinkExpired
	case p.Link.PersonID != "" && p.Actor.ID != p.Link.PersonID:
		return errLinkRecipient
	case !dir.MayDecide(p.Request.PolicyDecision.Approvers, p.Actor):
		return notAnApprover(p.Actor)
	}
	return nil
}

// DecideByLink decides the link's request its way, as the link's recipient, through the
// same Decide as every other surface (approvers, quorum, expiry, audit with channel
// email), and spends every link of that request for that recipient. It returns the page
// as after the decision, or the reason the link could not decide (see OpenLink).
func (g *Gate) DecideByLink(ctx context.Context, token, reason string) (*LinkPage, error) {
	p, err := g.OpenLink(ctx, token)
	if err != nil {
		return p, err
	}
	r, err := g.Decide(ctx, p.Request.ID, Decide{Decision: p.Link.Decision, Reason: reason, Actor: p.Actor, Channel: DecidedViaEmail})
	if ErrorCode(err) == "already_voted" { // the same link, or its twin, posted twice at once
		g.spendLinks(ctx, p.Link)
		return p, errLinkUsed
	}
	if err != nil {
		if latest, gerr := g.Get(ctx, p.Request.ID); gerr == nil {
			p.Request = latest
		}
		return p, err
	}
	p.Request = r
	g.spendLinks(ctx, p.Link)
	return p, nil
}

// spendLinks marks the recipient's links of the request used. The decision is already
// recorded, and a second one by the same person is refused anyway, so a failure here is
// logged rather than undoing anything.
func (g *Gate) spendLinks(ctx context.Context, l DecisionLink) {
	if _, err := g.store.SpendDecisionLinks(ctx, l.RequestID, l.Recipient, g.clock.Now()); err != nil {
		g.log.Error("Could not mark decision links used.", "request_id", l.RequestID, "err", err)
	}
}

// decisionLinkRetention is how long links are kept after they expire, so that following
// one says "expired" rather than "unknown" for a while.
const decisionLinkRetention = 7 * 24 * time.Hour

// ForgetDecisionLinks deletes links that expired more than a week ago, or longer ago than a
// shorter retention period (RETENTION_DAYS bounds how long anything of the kind is kept).
func (g *Gate) ForgetDecisionLinks(ctx context.Context) {
	keep := decisionLinkRetention
	if g.retention > 0 {
		keep = min(keep, g.retention)
	}
	before := g.clock.Now().Add(-keep)
	for {
		n, err := g.store.DeleteDecisionLinksBefore(ctx, before, 1000)
		if err != nil {
			if ctx.Err() == nil && ErrorKind(err) != KindUnavailable {
				g.log.Error("Could not delete old decision links.", "err", err)
			}
			return
		}
		if n < 1000 {
			return
		}
	}
}

func notAnApprover(a Actor) *Error {
	return Errorf(KindForbidden, "not_an_approver", "%s is not one of the approvers this request's policy names", a.Name)
}
