package agentgate

// emailTargets returns the addresses a change to r is emailed to: one outbox delivery
// each. Email goes only about requests routed to people, when
//
//   - the outcome's channels name email: a bare "email" reaches the approvers' addresses
//     (people and groups resolved, bare addresses as they are; APPROVER_EMAILS when the
//     rule names no approvers), and "email:<address>" that address; or
//   - the outcome names no channel at all and APPROVER_EMAILS is set, which makes email the
//     default channel: the default route and rules silent about channels reach the
//     approvers' addresses, or APPROVER_EMAILS.
//
// It reads only the directory snapshot, so routing costs the gate check no query; a
// request nobody is emailed about costs a comparison. Gate.outbox turns each address into
// a delivery of the change's event: the request email on request.created, a follow-up on
// request.approved, request.denied, request.expired and request.cancelled.
func (g *Gate) emailTargets(r *Request) []string {
	o := &r.PolicyDecision
	if o.Decision != RouteToHuman {
		return nil
	}
	defaults := g.people.defaults
	if len(o.Channels) == 0 {
		if len(defaults) == 0 {
			return nil
		}
		return g.Directory().EmailAddresses(o.Approvers, defaults)
	}
	var out []string
	for _, ch := range o.ChannelTargets() {
		switch {
		case ch.Kind != ChannelEmail:
		case ch.Target == "":
			out = uniqueAddresses(out, g.Directory().EmailAddresses(o.Approvers, defaults)...)
		default:
			out = uniqueAddresses(out, ch.Target)
		}
	}
	return out
}
