// Package mail sends AgentGate's approval emails over SMTP.
//
// When a policy routes a request to people, each approver with an address gets one email
// (one outbox delivery each): what the agent asks, how urgent it is, its params and
// context, who asked, when it expires and how many approvals it still needs, with Approve
// and Deny links and a link to the request in the dashboard. When the request is decided,
// expires or is cancelled, the same people get a short follow-up in the same thread,
// unless Config.NoFollowUps is set.
//
// Build is a pure function from a Message to the email's subject, headers and bodies, so
// its output is held to golden files in testdata. Every text from the agent passes
// through internal/reveal, so that bidi controls and zero-width characters show as
// ⟨U+…⟩ marks, and the message says so at the top. Message-IDs derive from the request,
// the recipient and the kind of message, so nothing is stored to thread a follow-up, and a
// retried delivery repeats its Message-ID.
//
// Sender is the agentgate.Sender for agentgate.ChannelEmail. It reads the request from a
// delivery's payload, asks a MessageSource for the recipient's name and links, builds the
// message and sends it with go-mail over one SMTP connection, mapping the server's answer
// to what the outbox does next: a 5xx refusal of the recipient or of the message is
// permanent; a 4xx, an unreachable server, a refused login or a TLS failure is retried,
// and the server-wide problems are logged once per distinct reason.
package mail
