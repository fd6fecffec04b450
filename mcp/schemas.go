package mcp

import "encoding/json"

// The tools' input schemas keep the original AgentGate MCP server's property names, types,
// enums and required lists, so prompts and configurations written for it keep working.
// agentgate_request adds the optional waitSeconds.

var requestSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "action": {"type": "string", "description": "What you want to do, as a short snake_case verb phrase, e.g. \"send_email\", \"delete_file\", \"deploy\"."},
    "params": {"type": "object", "description": "The exact arguments of the action, e.g. {\"to\": \"ana@example.com\", \"subject\": \"Invoice\"}. Policies match on these and the approver sees them, so include everything that matters."},
    "context": {"type": "object", "description": "Why you want to do it and anything else that helps a person decide, e.g. {\"reason\": \"customer asked for a copy\", \"conversation\": \"...\"}."},
    "urgency": {"type": "string", "enum": ["low", "normal", "high", "critical"], "description": "How soon a person should look at it. Default normal."},
    "waitSeconds": {"type": "number", "minimum": 0, "maximum": 3600, "description": "If set, wait up to this many seconds for the decision and return the decided request. Omit (or 0) to return at once with the request pending."}
  },
  "required": ["action"]
}`)

var idSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "id": {"type": "string", "description": "The request's id, as returned by agentgate_request (req_...)."}
  },
  "required": ["id"]
}`)

var listSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "status": {"type": "string", "enum": ["pending", "approved", "denied", "expired"], "description": "Only requests with this status."},
    "limit": {"type": "number", "description": "How many requests to return, newest first (default 10, at most 100)."}
  }
}`)

var decideSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "id": {"type": "string", "description": "The id of the pending request (req_...)."},
    "decision": {"type": "string", "enum": ["approved", "denied"], "description": "Your decision."},
    "reason": {"type": "string", "description": "Why; shown to the requester and kept in the audit log. Some policies require one."},
    "decidedBy": {"type": "string", "description": "Accepted for compatibility and ignored: AgentGate records the API key's name as the decider."}
  },
  "required": ["id", "decision"]
}`)

var emptySchema = json.RawMessage(`{"type": "object", "properties": {}}`)

var createPolicySchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "name": {"type": "string", "description": "A name people will recognise, e.g. \"Auto-approve internal email\"."},
    "rules": {"type": "array", "items": {"type": "object"}, "description": "Rules tried in order; the first match decides. Each rule is {\"match\": {...}, \"decision\": \"auto_approve\" | \"auto_deny\" | \"route_to_human\"} with optional approvers, channels, requireReason and requiredApprovals. match maps action, urgency, params.<path> or context.<path> to a literal or to operators such as {\"$in\": [...]}, {\"$gt\": 100}, {\"$regex\": \"...\"}, {\"$glob\": \"*@example.com\"}."},
    "priority": {"type": "number", "description": "Lower runs first (default 100)."},
    "enabled": {"type": "boolean", "description": "Whether the policy applies (default true)."}
  },
  "required": ["name", "rules"]
}`)

var updatePolicySchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "id": {"type": "string", "description": "The policy's id (pol_...)."},
    "name": {"type": "string", "description": "The policy's name."},
    "rules": {"type": "array", "items": {"type": "object"}, "description": "The complete new list of rules, replacing the old one (same shape as in agentgate_create_policy)."},
    "priority": {"type": "number", "description": "Lower runs first; omit to keep the current priority."},
    "enabled": {"type": "boolean", "description": "Whether the policy applies; omit to keep the current setting."}
  },
  "required": ["id", "name", "rules"]
}`)

var deletePolicySchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "id": {"type": "string", "description": "The policy's id (pol_...)."}
  },
  "required": ["id"]
}`)

var auditSchema = json.RawMessage(`{
  "type": "object",
  "properties": {
    "action": {"type": "string", "description": "Only events about requests for this action."},
    "status": {"type": "string", "enum": ["pending", "approved", "denied", "expired"], "description": "Only events that put a request into this status (pending means created). Ignored when eventType is given."},
    "eventType": {"type": "string", "enum": ["created", "approved", "denied", "expired", "viewed"], "description": "Only events of this type."},
    "actor": {"type": "string", "description": "Only events by this actor: an API key's name, a person's email, \"policy\" or \"system\". agentgate_get_audit_actors lists them."},
    "from": {"type": "string", "description": "Only events at or after this time (RFC 3339, or a date such as 2026-01-31)."},
    "to": {"type": "string", "description": "Only events before this time (RFC 3339), or up to the end of this date."},
    "requestId": {"type": "string", "description": "Only events about this request."},
    "limit": {"type": "number", "description": "How many events to return, newest first (default 50, at most 100)."},
    "offset": {"type": "number", "description": "How many to skip, for the next page."}
  }
}`)
