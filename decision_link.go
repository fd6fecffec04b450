package agentgate

import (
	"crypto/hmac"
	"crypto/sha256"
	"encoding/base64"
	"strings"
	"time"
)

// DecisionLink is one signed link in an approval email: it decides one request one way
// (approve or deny), for one recipient, once, until it expires. Only its token's hash is
// stored. Opening it shows a page and changes nothing; only the form on that page decides,
// so mail scanners and link previews that follow links decide nothing.
type DecisionLink struct {
	ID         string // "dln_" + ULID
	RequestID  string
	DeliveryID string // the email delivery it was made for; a retry re-sends the same link
	Recipient  string // the address the email went to, lowercase
	PersonID   string // the recipient's person when the link was made; "" for none
	Decision   string // DecisionApproved or DecisionDenied
	TokenHash  string // hex SHA-256 of the token (HashKey)
	CreatedAt  time.Time
	ExpiresAt  time.Time
	UsedAt     *time.Time
}

// DecisionLinkPath is where decision links point: BASE_URL + DecisionLinkPath + "/" + token.
const DecisionLinkPath = "/decide"

// DefaultDecisionLinkTTL is how long a decision link works when DECISION_LINK_TTL is unset.
const DefaultDecisionLinkTTL = 24 * time.Hour

// linkTokenLen is the length of a token: 32 bytes of HMAC-SHA256 in unpadded base64url.
const linkTokenLen = 43

// linkToken derives the token of the link that decides one way for one email delivery:
// the HMAC of the delivery, recipient and decision under the server's link secret. A
// retried delivery gets the same token, so the links it re-sends work; without the secret
// no token can be made or guessed (256 bits).
func linkToken(secret []byte, deliveryID, recipient, decision string) string {
	m := hmac.New(sha256.New, secret)
	m.Write([]byte("agentgate decision link v1\x00" + deliveryID + "\x00" + strings.ToLower(recipient) + "\x00" + decision))
	return base64.RawURLEncoding.EncodeToString(m.Sum(nil))
}

// wellFormedToken reports whether s could be a token at all, so that junk is refused
// before it is hashed and looked up.
func wellFormedToken(s string) bool {
	if len(s) != linkTokenLen {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// Errors a decision link answers with, each with its own page.
var (
	errLinkUnknown = Errorf(KindNotFound, "link_unknown",
		"this decision link is not one we sent: it may be cut off or mistyped. Open the request from the email's dashboard link instead")
	errLinkUsed = Errorf(KindGone, "link_used",
		"this decision link has already been used: each link works once, and your decision on this request is recorded")
	errLinkExpired = Errorf(KindGone, "link_expired",
		"this decision link has expired. If the request still waits for a decision, open it in the dashboard")
	errLinkRecipient = Errorf(KindForbidden, "link_recipient_changed",
		"this decision link was made for a person who no longer has this email address, so it decides nothing")
)

// LinkPage is what a decision link's page shows: the link, its request, and who would
// decide by it.
type LinkPage struct {
	Link    DecisionLink
	Request *Request
	Actor   Actor
}
