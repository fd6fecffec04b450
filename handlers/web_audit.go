package handlers

import (
	"encoding/csv"
	"encoding/json"
	"fmt"
	"net/http"
	"time"

	"github.com/labstack/echo/v4"

	ag "github.com/agentgate/agentgate"
	"github.com/agentgate/agentgate/views"
)

// auditPageSize is the dashboard's page of audit events.
const auditPageSize = 50

// webAudit is the audit log with its filters, all in the query.
func (s *Server) webAudit(c echo.Context) error {
	q := c.QueryParams()
	f, err := auditFilter(q, auditPageSize)
	if err != nil {
		return err
	}
	full := !isHTMX(c)
	v, err := s.gate.AuditPage(c.Request().Context(), f, full)
	if err != nil {
		return err
	}
	p := views.AuditPage{
		Shell: s.shell(c, views.SectionAudit, "Audit log"), Query: q, Filter: f, Rows: v.Events,
		Actors: v.Actors, Actions: v.Actions,
		Pager: views.Pager{Path: "/audit", Query: q, Total: v.Total, Offset: f.Page.Offset, Limit: f.Page.Limit, Target: "#audit"},
	}
	return s.render(c, http.StatusOK, views.Audit(p), views.AuditRegion(p))
}

// exportName names a download after the moment it was taken.
func (s *Server) exportName(ext string) string {
	return "agentgate-audit-" + s.now().Format("20060102-150405") + "." + ext
}

// startExport writes the headers of an audit export in contentType, saved as a file with
// the extension ext and never cached; the body follows.
func (s *Server) startExport(c echo.Context, contentType, ext string) {
	h := c.Response().Header()
	h.Set(echo.HeaderContentType, contentType)
	h.Set(echo.HeaderContentDisposition, `attachment; filename="`+s.exportName(ext)+`"`)
	h.Set(echo.HeaderCacheControl, "no-store")
	c.Response().WriteHeader(http.StatusOK)
}

// webAuditCSV downloads every event the filters match (not just one page) as CSV.
func (s *Server) webAuditCSV(c echo.Context) error {
	f, err := auditFilter(c.QueryParams(), auditPageSize)
	if err != nil {
		return err
	}
	s.startExport(c, "text/csv; charset=utf-8", "csv")
	w := csv.NewWriter(c.Response())
	_ = w.Write([]string{"id", "createdAt", "eventType", "actor", "actorType", "requestId", "action", "owasp", "details"})
	err = s.gate.ExportAudit(c.Request().Context(), f, func(e ag.AuditEvent) error {
		return w.Write([]string{e.ID, e.CreatedAt.UTC().Format(time.RFC3339Nano), e.EventType, csvSafe(e.Actor),
			string(e.ActorType), e.RequestID, csvSafe(e.Action), e.OWASP, csvSafe(string(e.Details))})
	})
	w.Flush()
	if err != nil {
		s.logger(c).Error("Audit export stopped.", "err", err)
	}
	return nil
}

// csvSafe keeps a spreadsheet from reading a cell as a formula.
func csvSafe(s string) string {
	if s != "" && (s[0] == '=' || s[0] == '+' || s[0] == '-' || s[0] == '@' || s[0] == '\t' || s[0] == '\r') {
		return "'" + s
	}
	return s
}

// webAuditJSON downloads every event the filters match as {"entries": [...]}, streamed.
func (s *Server) webAuditJSON(c echo.Context) error {
	f, err := auditFilter(c.QueryParams(), auditPageSize)
	if err != nil {
		return err
	}
	s.startExport(c, echo.MIMEApplicationJSONCharsetUTF8, "json")
	w := c.Response()
	_, _ = fmt.Fprint(w, `{"entries":[`)
	n := 0
	err = s.gate.ExportAudit(c.Request().Context(), f, func(e ag.AuditEvent) error {
		b, err := json.Marshal(e)
		if err != nil {
			return err
		}
		if n > 0 {
			if _, err := w.Write([]byte{','}); err != nil {
				return err
			}
		}
		n++
		_, err = w.Write(b)
		return err
	})
	_, _ = fmt.Fprint(w, "]}\n")
	if err != nil {
		s.logger(c).Error("Audit export stopped.", "err", err)
	}
	return nil
}
