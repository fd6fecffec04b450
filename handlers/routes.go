package handlers

import (
	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/static"
	"github.com/agentgate/agentgate/views"
)

// routes is the one route table, read top to bottom, grouped by resource.
func (s *Server) routes(e *echo.Echo) {
	e.Use(s.requestContext, s.recoverPanic)

	e.GET("/health", s.health)
	e.GET("/ready", s.ready)
	e.GET("/metrics", s.metrics.handler(), s.metricsAuth)
	// Discord and Slack post their users' clicks here; the signature is the credential (no
	// key, no CSRF).
	e.POST("/integrations/discord/interactions", s.discordInteractions, s.bodyLimit)
	e.POST("/integrations/slack/interactions", s.slackInteractions, s.bodyLimit)

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

	api.GET("/people", s.listPeople, need(ag.ScopeAdmin))
	api.POST("/people", s.createPerson, need(ag.ScopeAdmin))
	api.GET("/people/:id", s.getPerson, need(ag.ScopeAdmin))
	api.PATCH("/people/:id", s.updatePerson, need(ag.ScopeAdmin))
	api.DELETE("/people/:id", s.deletePerson, need(ag.ScopeAdmin))
	api.GET("/webhooks", s.listWebhooks, need(ag.ScopeWebhookManage))
	api.POST("/webhooks", s.createWebhook, need(ag.ScopeWebhookManage))
	api.GET("/webhooks/:id", s.getWebhook, need(ag.ScopeWebhookManage))
	api.PATCH("/webhooks/:id", s.updateWebhook, need(ag.ScopeWebhookManage))
	api.DELETE("/webhooks/:id", s.deleteWebhook, need(ag.ScopeWebhookManage))
	api.POST("/webhooks/:id/rotate-secret", s.rotateWebhookSecret, need(ag.ScopeWebhookManage))
	api.POST("/webhooks/:id/test", s.testWebhook, need(ag.ScopeWebhookManage))
	api.GET("/webhooks/:id/deliveries", s.listWebhookDeliveries, need(ag.ScopeWebhookManage))
	api.POST("/webhooks/:id/deliveries/:delivery/replay", s.replayWebhookDelivery, need(ag.ScopeWebhookManage))

	api.GET("/audit", s.listAudit, need(ag.ScopeAuditRead))
	api.GET("/audit/actors", s.auditActors, need(ag.ScopeAuditRead))
	api.GET("/audit/actions", s.auditActions, need(ag.ScopeAuditRead))

	api.POST("/mcp/authorize", s.authorizeTool, need(ag.ScopeRequestCreate))

	api.POST("/channels/:type/test", s.apiTestChannel, need(ag.ScopeAdmin))
	api.RouteNotFound("/*", s.apiRouteNotFound)

	// Dashboard (HTML): web_*.go over views/. Pages carry the CSP and framing headers, and
	// every unsafe method passes the cross-origin check; app pages need a signed-in session,
	// whose key's scopes are checked exactly as the API checks a caller's.
	e.GET(static.Prefix+"*", s.staticFile)
	page := e.Group("", s.pageHeaders, s.crossOrigin, s.bodyLimit)
	page.GET("/login", s.webLoginPage)
	page.POST("/login", s.webLogin)
	page.POST("/logout", s.webLogout)
	// Decision links from approval emails: no session; the token is the credential. GET and
	// HEAD only show; the page's form POSTs (cross-origin checked like every form).
	page.GET(decidePath+"/:token", s.webLink)
	page.HEAD(decidePath+"/:token", s.webLink)
	page.POST(decidePath+"/:token", s.webLinkDecide)

	app := page.Group("", s.session)
	app.GET("/", s.webOverview)
	app.GET(eventsPath, s.webEvents, need(ag.ScopeRequestRead))

	app.GET("/requests", s.webRequests, need(ag.ScopeRequestRead))
	app.POST("/requests/decide", s.webDecideBatch, s.rateLimit, need(ag.ScopeRequestDecide))
	app.GET("/requests/:id", s.webRequest, need(ag.ScopeRequestRead))
	app.GET("/requests/:id/teach", s.webTeach, need(ag.ScopeRequestRead), need(ag.ScopePolicyWrite))
	app.GET("/requests/:id/params.json", s.webRequestParams, need(ag.ScopeRequestRead))
	app.GET("/requests/:id/context.json", s.webRequestContext, need(ag.ScopeRequestRead))
	app.POST("/requests/:id/decide", s.webDecide, s.rateLimit, need(ag.ScopeRequestDecide)) // the key's limit, as on the API

	app.GET("/audit", s.webAudit, need(ag.ScopeAuditRead))
	app.GET("/audit/export.csv", s.webAuditCSV, need(ag.ScopeAuditRead))
	app.GET("/audit/export.json", s.webAuditJSON, need(ag.ScopeAuditRead))

	app.GET("/policies", s.webPolicies, need(ag.ScopePolicyRead))
	app.GET("/policies/new", s.webNewPolicy, need(ag.ScopePolicyWrite))
	app.POST("/policies", s.webCreatePolicy, need(ag.ScopePolicyWrite))
	app.POST("/policies/validate", s.webValidateRules, need(ag.ScopePolicyRead))
	app.POST("/policies/simulate", s.webSimulate, need(ag.ScopePolicyRead))
	app.GET("/policies/:id", s.webPolicy, need(ag.ScopePolicyRead))
	app.POST("/policies/:id", s.webUpdatePolicy, need(ag.ScopePolicyWrite))
	app.POST("/policies/:id/enabled", s.webTogglePolicy, need(ag.ScopePolicyWrite))
	app.POST("/policies/:id/delete", s.webDeletePolicy, need(ag.ScopePolicyWrite))
	app.POST("/policies/:id/dry-run", s.webDryRun, need(ag.ScopePolicyRead))

	app.GET(keysPath, s.webKeys, need(ag.ScopeAdmin))
	app.POST(keysPath, s.webCreateKey, need(ag.ScopeAdmin))
	app.GET(keysPath+"/:id", s.webKey, need(ag.ScopeAdmin))
	app.POST(keysPath+"/:id", s.webUpdateKey, need(ag.ScopeAdmin))
	app.POST(keysPath+"/:id/revoke", s.webRevokeKey, need(ag.ScopeAdmin))

	app.GET(peoplePath, s.webPeople, need(ag.ScopeAdmin))
	app.POST(peoplePath, s.webCreatePerson, need(ag.ScopeAdmin))
	app.GET(peoplePath+"/:id", s.webPerson, need(ag.ScopeAdmin))
	app.POST(peoplePath+"/:id", s.webUpdatePerson, need(ag.ScopeAdmin))
	app.POST(peoplePath+"/:id/delete", s.webDeletePerson, need(ag.ScopeAdmin))

	app.GET(views.WebhooksPath, s.webWebhooks, need(ag.ScopeWebhookManage))
	app.POST(views.WebhooksPath, s.webCreateWebhook, need(ag.ScopeWebhookManage))
	app.GET(views.WebhooksPath+"/:id", s.webWebhook, need(ag.ScopeWebhookManage))
	app.POST(views.WebhooksPath+"/:id", s.webUpdateWebhook, need(ag.ScopeWebhookManage))
	app.POST(views.WebhooksPath+"/:id/enabled", s.webToggleWebhook, need(ag.ScopeWebhookManage))
	app.POST(views.WebhooksPath+"/:id/rotate-secret", s.webRotateWebhookSecret, need(ag.ScopeWebhookManage))
	app.POST(views.WebhooksPath+"/:id/delete", s.webDeleteWebhook, need(ag.ScopeWebhookManage))
	app.POST(views.WebhooksPath+"/:id/test", s.webTestWebhook, need(ag.ScopeWebhookManage))
	app.GET(views.WebhooksPath+"/:id/deliveries/:delivery", s.webDelivery, need(ag.ScopeWebhookManage))
	app.POST(views.WebhooksPath+"/:id/deliveries/:delivery/replay", s.webReplayDelivery, need(ag.ScopeWebhookManage))

	app.GET(views.ChannelsPath, s.webChannels, need(ag.ScopeAdmin))
	app.POST(views.ChannelsPath+"/:type/test", s.webTestChannel, need(ag.ScopeAdmin))
}
