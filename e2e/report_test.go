package e2e_test

import (
	"context"
	"io"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"github.com/chromedp/chromedp"

	"github.com/fazhi/fazhi/demo"
	"github.com/fazhi/fazhi/models"
)

// TestAnnualReportPage opens the print-ready HTML of the demo city's 2021
// report in headless Chromium: the five statutory parts are there in their
// order, the chart of indicator attainment is an inline SVG with a bar per
// indicator counted in per cent, and traced figures link to their records.
// It saves a screenshot of the page (FAZHI_E2E_ARTIFACTS, or a temporary
// directory the log names).
func TestAnnualReportPage(t *testing.T) {
	if _, err := os.Stat(chromiumPath); err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatalf("%s is missing: with CI=true the browser test must run (.ci/install-chromium installs Debian's chromium)", chromiumPath)
		}
		t.Skipf("%s is missing: skipping the browser test (run .ci/install-chromium to install Debian's chromium)", chromiumPath)
	}
	site := startDemoSite(t)
	token := signIn(t, site.URL, "fzb.admin")
	req, err := http.NewRequest(http.MethodGet, site.URL+"/api/v1/annual-reports/"+demo.CityReport2021+"/export?format=html", nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	html, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != http.StatusOK {
		t.Fatalf("export: %d %v", resp.StatusCode, err)
	}

	// The page as a browser gets it when the report is saved and opened:
	// served as it was exported.
	page := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, _ *http.Request) {
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		w.Write(html)
	}))
	t.Cleanup(page.Close)

	tab, exceptions := openBrowser(t)
	ctx, cancel := context.WithTimeout(tab, 60*time.Second)
	defer cancel()
	if err := chromedp.Do(ctx, chromedp.Navigate(page.URL), chromedp.WaitVisible(chromedp.CSS("section#part-5 h2"))); err != nil {
		t.Fatalf("open the report: %v (exceptions: %s)", err, exceptions)
	}
	parts, err := chromedp.Run(ctx, chromedp.Evaluate[[]string](`[...document.querySelectorAll("section.part > h2")].map(h => h.textContent)`))
	if err != nil {
		t.Fatal(err)
	}
	bars, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("svg.chart rect.bar").length`))
	if err != nil {
		t.Fatal(err)
	}
	links, err := chromedp.Run(ctx, chromedp.Evaluate[int](`document.querySelectorAll("a.figure[data-source-type=indicator_value]").length`))
	if err != nil {
		t.Fatal(err)
	}
	shot, err := chromedp.Run(ctx, chromedp.FullScreenshot(100))
	if err != nil {
		t.Fatal(err)
	}
	want := []string{models.ReportPartTitles[1], models.ReportPartTitles[2], models.ReportPartTitles[3], models.ReportPartTitles[4], models.ReportPartTitles[5]}
	if !slices.Equal(parts, want) {
		t.Errorf("the page's parts %q, want %q", parts, want)
	}
	if bars != 5 { // 即办率, 全程网办率, 一窗进驻比例, 实名注册率, 调解成功率
		t.Errorf("the chart has %d bars, want the 5 indicators counted in per cent", bars)
	}
	if links < 60 {
		t.Errorf("%d figures link to their values, want every one of the seed's", links)
	}
	dir := os.Getenv("FAZHI_E2E_ARTIFACTS")
	if dir == "" {
		dir = os.TempDir()
	}
	path := filepath.Join(dir, "annual-report-2021.png")
	if err := os.WriteFile(path, shot, 0o644); err != nil {
		t.Fatal(err)
	}
	t.Logf("screenshot of the report: %s", path)
}
