package handlers

import (
	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
)

// routes is the one route table, read top to bottom, grouped by resource.
func (s *Server) routes(e *echo.Echo) {
	e.Use(s.requestContext, s.recoverPanic)

	e.GET("/health", s.health)
	e.GET("/ready", s.ready)
	e.GET("/metrics", s.metrics.handler())

	api := e.Group("/api", s.cors, s.bodyLimit, s.authenticateKey, s.rateLimit)

	api.POST("/requests", s.createRequest, need(ag.ScopeRequestCreate))
	api.GET("/requests", s.listRequests, need(ag.ScopeRequestRead))
	api.GET("/requests/:id", s.getRequest, need(ag.ScopeRequestRead))
	api.POST("/requests/:id/decide", s.decideRequest, need(ag.ScopeRequestDecide))
	api.POST("/requests/:id/cancel", s.cancelRequest, need(ag.ScopeRequestCreate))
	api.GET("/requests/:id/audit", s.requestAudit, need(ag.ScopeRequestRead))

	api.GET("/policies", s.listPolicies, need(ag.ScopePolicyRead))
	api.POST("/policies", s.createPolicy, need(ag.ScopePolicyWrite))
	api.POST("/policies/simulate", s.simulatePolicy, need(ag.ScopePolicyRead))
	api.GET("/policies/:id", s.getPolicy, need(ag.ScopePolicyRead))
	api.PUT("/policies/:id", s.updatePolicy, need(ag.ScopePolicyWrite))
	api.DELETE("/policies/:id", s.deletePolicy, need(ag.ScopePolicyWrite))
	api.POST("/policies/:id/dry-run", s.dryRunPolicy, need(ag.ScopePolicyRead))

	api.GET("/api-keys", s.listKeys, need(ag.ScopeAdmin))
	api.POST("/api-keys", s.createKey, need(ag.ScopeAdmin))
	api.GET("/api-keys/:id", s.getKey, need(ag.ScopeAdmin))
	api.PATCH("/api-keys/:id", s.updateKey, need(ag.ScopeAdmin))
	api.DELETE("/api-keys/:id", s.revokeKey, need(ag.ScopeAdmin))

	api.GET("/audit", s.listAudit, need(ag.ScopeAuditRead))
	api.GET("/audit/actors", s.auditActors, need(ag.ScopeAuditRead))
	api.GET("/audit/actions", s.auditActions, need(ag.ScopeAuditRead))
}
