package agentgate

import "context"

// chatIdentity is who a chat user acts as: the person in the directory with that Slack or
// Discord user id, else the person with the address the platform gives for the user (asked
// only when the directory has people), else the chat user itself (chatActor). A person
// acts as themselves on every channel, so a click in Slack and a link in an email by the
// same person are one vote.
func (g *Gate) chatIdentity(ctx context.Context, u ChatUser) Actor {
	dir := g.Directory()
	if p := dir.ByChatID(u.Platform, u.ID); p != nil {
		return p.Actor()
	}
	if u.Email != nil && dir.Len() > 0 {
		addr, err := u.Email(ctx)
		if err != nil {
			g.log.Warn("Could not look up a chat user's email address; they act as the chat user.",
				"platform", string(u.Platform), "user_id", u.ID, "err", err)
		} else if p := dir.ByEmail(addr); p != nil {
			return p.Actor()
		}
	}
	return chatActor(u)
}

// chatMayDecide reports whether a chat actor may decide r. A rule that names no approvers
// lets anyone who can see the request's message decide (as in the original AgentGate);
// one that names approvers lets only the people they name, whom the chat user must be in
// the directory: a chat user known by nothing but their platform id matches no entry.
func (g *Gate) chatMayDecide(r *Request, actor Actor) bool {
	if len(r.PolicyDecision.Approvers) == 0 {
		return true
	}
	return isPersonID(actor.ID) && g.Directory().MayDecide(r.PolicyDecision.Approvers, actor)
}
