package agentgate

import (
	"context"
	"strings"
	"unicode"
	"unicode/utf8"
)

// ChatUser is someone who clicked a button in a chat app, as the platform names them. Only
// UserID identifies them, and only to look them up; Name is for the record.
type ChatUser struct {
	Platform ChannelKind // ChannelSlack or ChannelDiscord
	UserID   string      // the platform's user id: U0123ABC on Slack, a snowflake on Discord
	Name     string      // the display name the platform sent, which its user chooses
}

// MaxChatNameLen bounds the display name a chat decision records, in characters.
const MaxChatNameLen = 80

// DecideInChat records the decision a chat user made with a button or a form: who may
// decide is checked before the reason, so that a user who may not decide is not asked for
// one. The errors are Decide's (reason_required when the rule wants a reason and none was
// given, already_decided, already_voted, request_expired, not_an_approver), for the chat
// package to answer in the platform's words.
func (g *Gate) DecideInChat(ctx context.Context, requestID string, u ChatUser, decision, reason string) (*Request, error) {
	via, err := chatChannel(u)
	if err != nil {
		return nil, err
	}
	r, err := g.Get(ctx, requestID)
	if err != nil {
		return nil, err
	}
	if r.Status != StatusPending {
		return nil, r.alreadyDecided()
	}
	actor := chatActor(u)
	if !chatApprover(r, actor) {
		return nil, Errorf(KindForbidden, "not_an_approver", "%s is not one of the approvers this request's policy names", actor.Name)
	}
	return g.Decide(ctx, requestID, Decide{Decision: decision, Reason: reason, Actor: actor, Channel: via})
}

// chatChannel is where a chat user's decision is made, or why u cannot decide at all.
func chatChannel(u ChatUser) (string, error) {
	if u.UserID == "" || !Storable(u.UserID) || len(u.UserID) > 64 {
		return "", Errorf(KindInvalid, "invalid_chat_user", "the chat platform sent no usable user id")
	}
	switch u.Platform {
	case ChannelSlack:
		return DecidedViaSlack, nil
	case ChannelDiscord:
		return DecidedViaDiscord, nil
	}
	return "", Errorf(KindInvalid, "invalid_chat_user", "%q is not a chat platform", u.Platform)
}

// chatActor is the identity a chat user decides as: "discord:123" by id, so that one
// user casts one vote however their display name changes, and named "Alice
// (discord:123)" so that the audit log shows both.
//
// TODO(people): until the people directory lands, a chat user is no person; the lead
// switches this to the directory's lookup by Slack or Discord user id.
func chatActor(u ChatUser) Actor {
	id := string(u.Platform) + ":" + u.UserID
	name := id
	if n := chatName(u.Name); n != "" {
		name = n + " (" + id + ")"
	}
	return Actor{ID: id, Name: name, Type: ActorChat}
}

// chatApprover reports whether actor may decide r. Without the directory a chat user is
// none of the approvers a rule names, so only requests whose rule names none are open to
// them: anyone who can see the message may decide those, as in the original.
func chatApprover(r *Request, actor Actor) bool {
	return len(r.PolicyDecision.Approvers) == 0
}

// chatName makes a display name fit for the record: valid UTF-8 without control or format
// characters (no NUL for PostgreSQL, no bidirectional overrides), single-spaced, and at
// most MaxChatNameLen characters.
func chatName(s string) string {
	s = strings.Map(func(r rune) rune {
		switch {
		case unicode.IsSpace(r):
			return ' '
		case unicode.IsControl(r) || unicode.Is(unicode.Cf, r):
			return -1
		}
		return r
	}, strings.ToValidUTF8(s, ""))
	s = strings.Join(strings.Fields(s), " ")
	if utf8.RuneCountInString(s) > MaxChatNameLen {
		s = strings.TrimSpace(string([]rune(s)[:MaxChatNameLen]))
	}
	return s
}
