package agentgate

import "time"

// Webhook is a subscription of another system to request events. Deliveries to it are
// signed with its secret, which the API shows once; during a rotation the previous secret
// signs too, until PreviousExpiresAt.
type Webhook struct {
	ID                string     `json:"id"`
	URL               string     `json:"url"`
	Description       string     `json:"description"`
	Events            []string   `json:"events"` // event types, or "*" for all
	Enabled           bool       `json:"enabled"`
	Secret            string     `json:"-"` // "whsec_" + base64; the HMAC key is the decoded part
	PreviousSecret    string     `json:"-"`
	PreviousExpiresAt *time.Time `json:"-"`
	CreatedAt         time.Time  `json:"createdAt"`
	UpdatedAt         time.Time  `json:"updatedAt"`
}

// Secrets returns the secrets that sign a delivery at now: the current one, and the previous
// one while its rotation grace lasts.
func (w *Webhook) Secrets(now time.Time) []string {
	if w.PreviousSecret != "" && w.PreviousExpiresAt != nil && now.Before(*w.PreviousExpiresAt) {
		return []string{w.Secret, w.PreviousSecret}
	}
	return []string{w.Secret}
}
