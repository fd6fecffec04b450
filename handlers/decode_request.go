package handlers

import ag "github.com/agentgate/agentgate"

// parseNewRequest reads a plain gate-check body without reflection (ag.ParseNewRequest);
// false sends the body to unmarshalStrict, which decodes anything else and words any
// error. FuzzParseNewRequest holds the two to the same result.
func parseNewRequest(b []byte) (ag.NewRequest, bool) { return ag.ParseNewRequest(b) }
