// Package slack puts AgentGate's approval requests in Slack and takes decisions from it.
//
// When a policy routes a request to Slack, the outbox hands the Sender a delivery per
// target: it posts a Block Kit message (what the agent asks, urgency as the colour of the
// bar, who asked, params, expiry, who may decide, Approve and Deny buttons and a link to
// the dashboard) and keeps the message's channel and ts. Every later change of the
// request (a vote, the decision wherever it was made, expiry, cancellation) has a delivery
// too, which rewrites every kept message to show the request as it then is: the buttons
// go, the outcome, who and when appear. Build is a pure function from the request to the
// message, held to golden files in testdata.
//
// Interactions answers the clicks, which Slack posts to /integrations/slack/interactions
// (signed with the signing secret, checked by Verify) or, with SLACK_APP_TOKEN, sends over
// Socket Mode (RunSocketMode). A click decides through the gate as the Slack user who
// clicked; when the rule requires a reason it opens a dialog that asks for one first; a
// click that changes nothing (not an approver, already decided, expired) is answered
// with a message only the clicker sees. The message itself changes through the outbox,
// like every other copy of it.
package slack
