package agentgate

import (
	"context"
	"strings"
	"unicode/utf8"
)

// ChatUser is the person behind a button click in a chat app, as the platform names them.
// Only the platform's own verified payload fills it; nothing in it is taken from a request
// body an agent could write.
type ChatUser struct {
	Platform ChannelKind // ChannelSlack or ChannelDiscord
	ID       string      // the platform's user id, such as U0123ABCD
	Name     string      // the platform's user name, for the audit log; may be empty
	// Email looks the user's address up at the platform, for finding a person in the
	// directory who has no chat user id recorded; nil when the platform cannot tell. A
	// failed lookup makes nobody an approver.
	Email func(ctx context.Context) (string, error)
}

// maxChatNameLen bounds the part of a chat user's name that the audit log keeps.
const maxChatNameLen = 80

// DecideInChat records the decision (or quorum vote) of a chat user who clicked Approve or
// Deny on a request's message, or submitted its reason dialog. The clicker must be allowed
// to decide the request: otherwise the answer is not_an_approver and nothing changes.
// Everything else is Decide's: already_decided, request_expired, reason_required (the
// platform then asks for one), already_voted.
func (g *Gate) DecideInChat(ctx context.Context, requestID string, u ChatUser, decision, reason string) (*Request, error) {
	channel, ok := chatChannels[u.Platform]
	if !ok || u.ID == "" {
		return nil, Errorf(KindInvalid, "invalid_chat_user", "a chat decision needs the platform (slack or discord) and the user's id")
	}
	r, err := g.Get(ctx, requestID)
	if err != nil {
		return nil, err
	}
	actor := g.chatIdentity(ctx, u)
	// A request already settled says so to anyone; only a pending one asks who is clicking,
	// before any reason dialog opens for someone who may not decide anyway.
	if r.Status == StatusPending && !g.chatMayDecide(r, actor) {
		return nil, Errorf(KindForbidden, "not_an_approver", "%s is not one of the approvers this request's policy names", actor.Name)
	}
	return g.Decide(ctx, requestID, Decide{Decision: decision, Reason: reason, Actor: actor, Channel: channel})
}

// chatChannels maps a chat platform to the channel its decisions are recorded under.
var chatChannels = map[ChannelKind]string{ChannelSlack: DecidedViaSlack, ChannelDiscord: DecidedViaDiscord}

// chatActor is the identity a chat user who is no one in the directory acts as (see
// chatIdentity): the platform and user id, which stays the same when the user is renamed,
// so that one user casts one vote.
func chatActor(u ChatUser) Actor {
	id := string(u.Platform) + ":" + u.ID
	name := strings.Join(strings.Fields(u.Name), " ")
	if len(name) > maxChatNameLen {
		cut := maxChatNameLen
		for cut > 0 && !utf8.RuneStart(name[cut]) {
			cut--
		}
		name = name[:cut] + "…"
	}
	if name == "" || !Storable(name) {
		return Actor{ID: id, Name: id, Type: ActorChat}
	}
	return Actor{ID: id, Name: name + " (" + id + ")", Type: ActorChat}
}
