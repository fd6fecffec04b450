package mcp

import "encoding/json"

// The tools' output schemas describe the structuredContent of their results: the same JSON
// the HTTP API answers. They are written out rather than inferred from the Go types, whose
// params and context are raw JSON, and they leave room for fields added later (no
// additionalProperties: false), so a newer server never fails an older schema.

const timeSchema = `{"type": "string", "format": "date-time"}`

const paginationSchema = `{
  "type": "object",
  "properties": {
    "total": {"type": "integer", "description": "How many match in all."},
    "limit": {"type": "integer"},
    "offset": {"type": "integer"},
    "hasMore": {"type": "boolean", "description": "Whether another page follows."}
  },
  "required": ["total", "limit", "offset", "hasMore"]
}`

const requestObjectSchema = `{
  "type": "object",
  "properties": {
    "id": {"type": "string", "description": "The request's id (req_...)."},
    "action": {"type": "string"},
    "params": {"type": "object"},
    "context": {"type": "object"},
    "urgency": {"type": "string", "enum": ["low", "normal", "high", "critical"]},
    "status": {"type": "string", "enum": ["pending", "approved", "denied", "expired", "cancelled"],
      "description": "approved: go ahead. denied, expired, cancelled: do not. pending: a person has not decided yet."},
    "createdBy": {"type": "string", "description": "The API key that asked."},
    "createdAt": ` + timeSchema + `,
    "updatedAt": ` + timeSchema + `,
    "decidedAt": {"type": ["string", "null"], "format": "date-time"},
    "decidedBy": {"type": "string", "description": "Who decided: a person, an API key's name, or \"policy\"."},
    "decisionReason": {"type": "string", "description": "Why it was decided so; tell the user when it was denied."},
    "expiresAt": ` + timeSchema + `,
    "policyDecision": {"type": "object", "description": "What the policies said: decision, policyId, policyName, ruleIndex, owasp."},
    "requiredApprovals": {"type": "integer"},
    "votes": {"type": ["array", "null"], "items": {"type": "object"}}
  },
  "required": ["id", "action", "status", "urgency", "createdAt", "expiresAt", "policyDecision"]
}`

const policyObjectSchema = `{
  "type": "object",
  "properties": {
    "id": {"type": "string", "description": "The policy's id (pol_...)."},
    "name": {"type": "string"},
    "description": {"type": "string"},
    "priority": {"type": "integer", "description": "Lower is tried first."},
    "enabled": {"type": "boolean"},
    "rules": {"type": "array", "items": {"type": "object"}},
    "createdAt": ` + timeSchema + `,
    "updatedAt": ` + timeSchema + `
  },
  "required": ["id", "name", "priority", "enabled", "rules"]
}`

const auditEventSchema = `{
  "type": "object",
  "properties": {
    "id": {"type": "string"},
    "requestId": {"type": "string"},
    "action": {"type": "string"},
    "eventType": {"type": "string", "description": "Such as request.created, request.approved, policy.updated."},
    "actor": {"type": "string"},
    "actorType": {"type": "string"},
    "owasp": {"type": "string"},
    "details": {"type": "object"},
    "createdAt": ` + timeSchema + `
  },
  "required": ["id", "eventType", "actor", "createdAt"]
}`

var (
	requestOutput     = json.RawMessage(requestObjectSchema)
	requestListOutput = json.RawMessage(`{"type": "object", "properties": {"requests": {"type": "array", "items": ` +
		requestObjectSchema + `}, "pagination": ` + paginationSchema + `}, "required": ["requests", "pagination"]}`)
	policyOutput     = json.RawMessage(policyObjectSchema)
	policyListOutput = json.RawMessage(`{"type": "object", "properties": {"policies": {"type": "array", "items": ` +
		policyObjectSchema + `, "description": "In the order they are tried."}}, "required": ["policies"]}`)
	deletedOutput = json.RawMessage(`{"type": "object", "properties": {"deleted": {"type": "boolean"}, "id": {"type": "string"}},
  "required": ["deleted", "id"]}`)
	auditPageOutput = json.RawMessage(`{"type": "object", "properties": {"entries": {"type": "array", "items": ` +
		auditEventSchema + `, "description": "Newest first."}, "pagination": ` + paginationSchema + `}, "required": ["entries", "pagination"]}`)
	actorsOutput = json.RawMessage(`{"type": "object", "properties": {"actors": {"type": "array", "items": {"type": "string"}}},
  "required": ["actors"]}`)
)
