// Package discord posts AgentGate's approval requests to Discord and takes the decisions
// made with their buttons.
//
// Build is a pure function from a request to the message that shows it: an embed coloured
// by urgency with what the agent asks, who asked, when it expires, the votes so far, its
// params and context in code blocks cut to fit, and Approve and Deny buttons while it
// waits; the outcome, who and when once it is closed. Its output is held to golden files
// in testdata, byte for byte what Discord is sent. Every text others chose is revealed
// (internal/reveal) and markdown-escaped, and no message mentions anyone.
//
// Sender is the agentgate.Sender for agentgate.ChannelDiscord: on request.created it posts
// to the delivery's channel (or the default channel) and records the message; on every
// later event of the request it edits every message recorded for it, showing the request
// as it then is.
//
// Clicks arrive as interactions: at the HTTP endpoint, signed with Ed25519 (Verifier), or
// over the bot's Gateway connection when the app has no endpoint (Gateway). Either way
// Respond turns one into the gate's decision and Discord's answer: the updated message,
// a form asking for the reason the rule requires, or a note only the clicker sees.
package discord
