package mail_test

import (
	"context"
	"os"
	"path/filepath"
	"testing"
	"time"

	"github.com/chromedp/cdproto/cdp"
	"github.com/chromedp/cdproto/emulation"
	"github.com/chromedp/chromedp"

	"github.com/agentgate/agentgate/internal/testenv"
	"github.com/agentgate/agentgate/mail"
)

// TestHTMLInBrowser opens the HTML part of every golden case in Chromium as a 375 px phone, in light
// and dark mode: nothing may overflow sideways, and in dark mode the text must turn light
// while the coloured boxes keep their own white text. AGENTGATE_MAIL_SCREENSHOTS=<dir>
// also saves a picture of each, to look at.
func TestHTMLInBrowser(t *testing.T) {
	path := testenv.Chromium(t)
	alloc, cancel := chromedp.NewExecAllocator(context.Background(), chromedp.ExecPath(path),
		chromedp.Headless, chromedp.NoSandbox, chromedp.DisableGPU, chromedp.NoFirstRun,
		chromedp.UserDataDir(t.TempDir()), chromedp.Flag("hide-scrollbars", true),
		chromedp.Flag("disable-dev-shm-usage", true), chromedp.Flag("force-color-profile", "srgb"))
	defer cancel()
	browser, cancel := chromedp.NewContext(alloc)
	defer cancel()
	if err := chromedp.Do(browser); err != nil { // starts it, bound to the whole test
		t.Fatalf("start Chromium: %v", err)
	}
	shots := os.Getenv("AGENTGATE_MAIL_SCREENSHOTS")
	dir := t.TempDir()

	for _, scheme := range []string{"light", "dark"} {
		for name, m := range goldenCases() {
			b, err := mail.Build(m)
			if err != nil {
				t.Fatal(err)
			}
			page := filepath.Join(dir, name+".html")
			if err := os.WriteFile(page, []byte(b.HTML), 0o644); err != nil {
				t.Fatal(err)
			}
			ctx, cancel := context.WithTimeout(browser, 30*time.Second) // guards a hung browser only
			err = chromedp.Do(ctx, chromedp.EmulateViewport(375, 800, chromedp.EmulateMobile),
				colourScheme(scheme), chromedp.Navigate("file://"+page))
			var got renderedEmail
			if err == nil {
				got, err = chromedp.Run(ctx, chromedp.Evaluate[renderedEmail](inspectEmail))
			}
			if err != nil {
				cancel()
				t.Fatalf("%s (%s): %v", name, scheme, err)
			}
			if got.Overflow > 0 {
				t.Errorf("%s (%s): %d px wider than a 375 px phone", name, scheme, got.Overflow)
			}
			if got.Dark != (scheme == "dark") || (scheme == "dark") != (got.Text > 0.5) {
				t.Errorf("%s (%s): text luminance %.2f with dark=%v; the text must follow the scheme", name, scheme, got.Text, got.Dark)
			}
			if !got.BadgeWhite {
				t.Errorf("%s (%s): the urgency badge lost its white text", name, scheme)
			}
			if shots != "" {
				png, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
				if err == nil {
					err = os.WriteFile(filepath.Join(shots, name+"-"+scheme+".png"), png, 0o644)
				}
				if err != nil {
					t.Error(err)
				}
			}
			cancel()
		}
	}
}

// renderedEmail is what inspectEmail reports about a rendered message.
type renderedEmail struct {
	Overflow   int     `json:"overflow"`   // pixels wider than the window
	Dark       bool    `json:"dark"`       // the page sees a dark colour scheme
	Text       float64 `json:"text"`       // the body text's luminance, 0 black to 1 white
	BadgeWhite bool    `json:"badgeWhite"` // the urgency badge kept its white text
}

const inspectEmail = `(() => {
	const lum = c => { const [r, g, b] = c.match(/\d+/g).map(Number); return (0.2126*r + 0.7152*g + 0.0722*b) / 255; };
	const badge = [...document.querySelectorAll("span")].find(s => /URGENCY/.test(s.textContent));
	return {
		overflow: document.documentElement.scrollWidth - window.innerWidth,
		dark: matchMedia("(prefers-color-scheme: dark)").matches,
		text: lum(getComputedStyle(document.body).color),
		badgeWhite: getComputedStyle(badge).color === "rgb(255, 255, 255)",
	};
})()`

// colourScheme emulates a system set to a light or dark colour scheme.
func colourScheme(scheme string) chromedp.Action[chromedp.Void] {
	return chromedp.Func(func(ctx context.Context, t *chromedp.Target) error {
		_, err := cdp.Call(ctx, t, emulation.SetEmulatedMedia, emulation.SetEmulatedMediaParams{
			Features: []*emulation.MediaFeature{{Name: "prefers-color-scheme", Value: scheme}}})
		return err
	})
}
