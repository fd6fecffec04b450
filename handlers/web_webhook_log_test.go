package handlers_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"strings"
	"testing"
	"time"

	"github.com/PuerkitoBio/goquery"

	ag "github.com/agentgate/agentgate"
)

// receiver is a webhook receiver that answers each delivery with the next status the test
// hands it, and waits until it has one: so the test decides when an attempt ends.
type receiver struct {
	srv     *httptest.Server
	answers chan int
}

// receiverBody is what the receiver says; its markup must reach the page as text.
const receiverBody = `{"error":"<b>gone</b>"}`

func newReceiver(t testing.TB) *receiver {
	r := &receiver{answers: make(chan int, 4)}
	r.srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, req *http.Request) {
		_, _ = io.Copy(io.Discard, req.Body)
		select {
		case status := <-r.answers:
			w.WriteHeader(status)
			_, _ = io.WriteString(w, receiverBody)
		case <-req.Context().Done():
		}
	}))
	t.Cleanup(r.srv.Close)
	return r
}

// within waits for the next attempt the dispatcher records; the limit only guards
// against a hung test.
func within(t testing.TB, attempted <-chan string) string {
	t.Helper()
	select {
	case id := <-attempted:
		return id
	case <-time.After(15 * time.Second):
		t.Fatal("no delivery attempt was recorded")
		return ""
	}
}

func TestWebhookDeliveryLog(t *testing.T) {
	eachWeb(t, envOptions{}, func(t *testing.T, e *webEnv) {
		ctx := context.Background()
		attempted := make(chan string, 16)
		runDispatcher(t, e.gate, func(id string) { attempted <- id })
		rcv := newReceiver(t)
		w, _, err := e.gate.CreateWebhook(ctx, ag.SystemActor, ag.WebhookInput{URL: &rcv.srv.URL, Events: []string{"*"}})
		if err != nil {
			t.Fatal(err)
		}
		hook := "/settings/webhooks/" + w.ID
		b := e.login(e.admin)

		// A test waits for its attempt and shows it, open: refused, the answer as text, and
		// the health beside the log updated.
		rcv.answers <- http.StatusGone
		res, p := b.post(hook+"/test", nil, true)
		wantStatus(t, res, http.StatusOK)
		dlv := within(t, attempted)
		if got := text(p.must(t, "test-result", 1)); !strings.Contains(got, "Test failed") || !strings.Contains(got, "410") {
			t.Errorf("test result %q", got)
		}
		row := p.must(t, "delivery", 1)
		if row.AttrOr("data-delivery-id", "") != dlv || row.AttrOr("data-status", "") != "failed" || row.Find("details[open]").Length() != 1 {
			t.Fatalf("test row %q", text(row))
		}
		if got := p.must(t, "attempt-response", 1).Text(); got != receiverBody || strings.Contains(p.body, "<b>gone") {
			t.Errorf("response excerpt %q is not shown as escaped text", got)
		}
		health := p.doc.Find(`#webhook-health[hx-swap-oob="true"]`)
		if got := text(health); !strings.Contains(got, "Failing") || !strings.Contains(got, "1 of 1 attempt failed in 24 h") {
			t.Errorf("health after the test %q", got)
		}
		p.must(t, "replay", 1)

		// Replay: the row answers at once, pending, and fetches itself until the attempt
		// is in; then it is delivered, with both attempts, newest first.
		res, p = b.post(hook+"/deliveries/"+dlv+"/replay", nil, true)
		wantStatus(t, res, http.StatusOK)
		row = p.must(t, "delivery", 1)
		follow := row.AttrOr("hx-get", "")
		if row.AttrOr("data-status", "") != "pending" || follow != hook+"/deliveries/"+dlv+"?follow=1" || p.byTestID("delivery-notice").Length() != 1 {
			t.Fatalf("replayed row: status %q, follows %q", row.AttrOr("data-status", ""), follow)
		}
		p.must(t, "replay", 0)
		rcv.answers <- http.StatusOK
		within(t, attempted)
		res, p = b.get(follow, true)
		wantStatus(t, res, http.StatusOK)
		row = p.must(t, "delivery", 1)
		if row.AttrOr("data-status", "") != "delivered" || row.AttrOr("hx-get", "") != "" {
			t.Errorf("followed row: status %q, still follows %q", row.AttrOr("data-status", ""), row.AttrOr("hx-get", ""))
		}
		var results []string
		p.byTestID("attempt-result").Each(func(_ int, s *goquery.Selection) { results = append(results, text(s)) })
		if strings.Join(results, ", ") != "HTTP 200 OK, HTTP 410 Gone" {
			t.Errorf("attempts %q", results)
		}
		p.must(t, "replay", 1)

		// A delivery whose retry is later stays pending, and cannot be replayed yet.
		rcv.answers <- http.StatusServiceUnavailable
		_, p = b.post(hook+"/test", nil, true)
		within(t, attempted)
		if got := text(p.must(t, "test-result", 1)); !strings.Contains(got, "not delivered yet") {
			t.Errorf("test of a 503 receiver %q", got)
		}
		pending := p.doc.Find(`[data-testid="delivery"][data-status="pending"]`)
		if pending.Length() != 1 || pending.Find(`[data-testid="replay"]`).Length() != 0 {
			t.Fatalf("pending row %q", text(pending))
		}
		res, p = b.post(hook+"/deliveries/"+pending.AttrOr("data-delivery-id", "")+"/replay", nil, true)
		wantStatus(t, res, http.StatusConflict)
		if got := text(p.must(t, "error-toast", 1)); !strings.Contains(got, "still pending") {
			t.Errorf("replaying a pending delivery %q", got)
		}

		// Tabs and pages: the status filter and the pager stay in the URL.
		for _, tc := range []struct {
			query string
			rows  int
			pager string
		}{{"", 2, "1–2 of 2 deliveries"}, {"?status=delivered", 1, "1–1 of 1 delivery"}, {"?status=failed", 0, "No deliveries"},
			{"?status=pending", 1, "1–1 of 1 delivery"}, {"?limit=1", 1, "1–1 of 2 deliveries"}} {
			res, p = b.get(hook+tc.query, true)
			wantStatus(t, res, http.StatusOK)
			p.must(t, "delivery", tc.rows)
			p.must(t, "delivery-tabs", 1)
			p.must(t, "webhook-form", 0)
			if got := text(p.must(t, "pager-summary", 1)); got != tc.pager {
				t.Errorf("%q: pager %q, want %q", tc.query, got, tc.pager)
			}
		}
		res, _ = b.get(hook+"?status=lost", false)
		wantStatus(t, res, http.StatusBadRequest)

		// Without htmx a test leads to its delivery's own page.
		rcv.answers <- http.StatusOK
		res, _ = b.post(hook+"/test", nil, false)
		wantStatus(t, res, http.StatusSeeOther)
		loc := res.Header.Get("Location")
		if !strings.HasPrefix(loc, hook+"/deliveries/dlv_") {
			t.Fatalf("test without htmx went to %q", loc)
		}
		res, p = b.get(loc, false)
		wantStatus(t, res, http.StatusOK)
		if p.must(t, "delivery", 1).AttrOr("data-status", "") != "delivered" || p.doc.Find("nav.crumbs").Length() != 1 {
			t.Errorf("delivery page %q", text(p.byTestID("delivery")))
		}

		// Another webhook's delivery is not found under this one; a disabled webhook
		// neither tests nor replays.
		other, _, _ := e.gate.CreateWebhook(ctx, ag.SystemActor, ag.WebhookInput{URL: &rcv.srv.URL, Events: []string{"*"}, Enabled: ptr(false)})
		res, _ = b.get("/settings/webhooks/"+other.ID+"/deliveries/"+dlv, true)
		wantStatus(t, res, http.StatusNotFound)
		if _, err := e.gate.UpdateWebhook(ctx, ag.SystemActor, w.ID, ag.WebhookInput{Enabled: ptr(false)}); err != nil {
			t.Fatal(err)
		}
		_, p = b.get(hook+"/deliveries/"+dlv, true)
		p.must(t, "replay", 0)
		for _, path := range []string{hook + "/test", hook + "/deliveries/" + dlv + "/replay"} {
			res, p = b.post(path, nil, true)
			wantStatus(t, res, http.StatusConflict)
			if got := text(p.must(t, "error-toast", 1)); !strings.Contains(got, "disabled") {
				t.Errorf("%s on a disabled webhook: %q", path, got)
			}
		}
	})
}
