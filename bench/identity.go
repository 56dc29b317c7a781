package main

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"strings"
	"time"

	vegeta "github.com/tsenart/vegeta/v12/lib"

	"github.com/fazhi/fazhi/models"
)

// answer is what a server said, as far as the comparison goes.
type answer struct {
	Status      int
	ContentType string
	ETag        string
	Body        []byte
}

func (a answer) String() string {
	return fmt.Sprintf("%d %s ETag %s, %d bytes", a.Status, a.ContentType, a.ETag, len(a.Body))
}

func same(a, b answer) bool {
	return a.Status == b.Status && a.ContentType == b.ContentType && a.ETag == b.ETag && bytes.Equal(a.Body, b.Body)
}

// call makes one request as the fixture's administrator.
func call(f *fixture, method, url, ifMatch, body string) (answer, error) {
	req, err := http.NewRequest(method, url, strings.NewReader(body))
	if err != nil {
		return answer{}, err
	}
	req.Header.Set("Authorization", "Bearer "+f.Token)
	if ifMatch != "" {
		req.Header.Set("If-Match", ifMatch)
		req.Header.Set("Content-Type", "application/merge-patch+json")
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return answer{}, err
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil {
		return answer{}, err
	}
	return answer{Status: resp.StatusCode, ContentType: resp.Header.Get("Content-Type"), ETag: resp.Header.Get("ETag"), Body: b}, nil
}

// identical checks that both servers answer each benchmarked request with
// the same status, Content-Type, ETag and body bytes. A PATCH cannot be sent
// twice to the same version, so each server renames a town and the other
// server's GET of it must be byte-identical to that PATCH's answer. It
// returns one line per check.
func identical(f *fixture, base, fz *server, cs []benchCase, p *patcher) ([]string, error) {
	var lines []string
	for _, c := range cs {
		if c.observe != nil {
			continue
		}
		t1, t2 := targetOf(c, base), targetOf(c, fz)
		var a, b answer
		// Tasks are overdue, and cursors pinned, as of the day in China:
		// the pair is asked again if that day turned between them.
		for day := ""; day != chinaDay(); {
			day = chinaDay()
			var err error
			if a, err = call(f, t1.Method, t1.URL, "", ""); err != nil {
				return nil, err
			}
			if b, err = call(f, t2.Method, t2.URL, "", ""); err != nil {
				return nil, err
			}
		}
		if a.Status != http.StatusOK || !same(a, b) {
			return nil, fmt.Errorf("%s %s: baseline %s, fazhi %s:\n%s\n%s", c.Key, c.Title, a, b, clip(a.Body), clip(b.Body))
		}
		lines = append(lines, fmt.Sprintf("%s %-45s identical: %s", c.Key, c.Title, a))
	}
	for i, pair := range [][2]*server{{base, fz}, {fz, base}} {
		writer, reader := pair[0], pair[1]
		town := f.Towns[len(f.Towns)-1-i]
		url := "/api/v1/units/" + town
		before, err := call(f, http.MethodGet, fz.URL+url, "", "")
		if err != nil {
			return nil, err
		}
		patched, err := call(f, http.MethodPatch, writer.URL+url, before.ETag, fmt.Sprintf(`{"name":"%s改名"}`, writer.Name))
		if err != nil {
			return nil, err
		}
		read, err := call(f, http.MethodGet, reader.URL+url, "", "")
		if err != nil {
			return nil, err
		}
		if patched.Status != http.StatusOK || !same(patched, read) {
			return nil, fmt.Errorf("e: %s's PATCH %s, %s's GET %s:\n%s\n%s", writer.Name, patched, reader.Name, read,
				clip(patched.Body), clip(read.Body))
		}
		p.remember(town, patched.ETag)
		lines = append(lines, fmt.Sprintf("e %-45s identical: %s's PATCH answer = %s's GET after it: %s",
			"PATCH /units/{id} If-Match + audit", writer.Name, reader.Name, patched))
	}
	return lines, nil
}

// chinaDay is the day it is in China, which fazhi's answers may depend on.
func chinaDay() string { return time.Now().In(models.ChinaTime).Format(time.DateOnly) }

// targetOf is the request a case sends to a server.
func targetOf(c benchCase, s *server) vegeta.Target {
	var t vegeta.Target
	_ = c.target(s)(&t) // the cases' targeters never fail
	return t
}

func clip(b []byte) string {
	if len(b) > 600 {
		return string(b[:600]) + "…"
	}
	return string(b)
}

// deepCursor walks the list of all units, 50 a page, to the page after
// nine in ten of them, and returns its cursor: case c's position.
func deepCursor(f *fixture, fz *server, units int) (string, error) {
	cursor := ""
	for range units * 9 / 10 / 50 {
		url := fz.URL + "/api/v1/units?limit=50"
		if cursor != "" {
			url += "&cursor=" + cursor
		}
		a, err := call(f, http.MethodGet, url, "", "")
		if err != nil {
			return "", err
		}
		var page struct {
			NextCursor string `json:"nextCursor"`
		}
		if err := json.Unmarshal(a.Body, &page); err != nil || page.NextCursor == "" {
			return "", fmt.Errorf("walking the unit list: %s (%v)", a, err)
		}
		cursor = page.NextCursor
	}
	return cursor, nil
}

// verifyAudit asks fazhi to check the audit chain both servers wrote into.
func verifyAudit(f *fixture, fz *server) (string, error) {
	a, err := call(f, http.MethodGet, fz.URL+"/api/v1/audit-events/verify", "", "")
	if err != nil {
		return "", err
	}
	var v struct {
		OK      bool  `json:"ok"`
		Checked int64 `json:"checked"`
	}
	if err := json.Unmarshal(a.Body, &v); err != nil || a.Status != http.StatusOK || !v.OK {
		return "", fmt.Errorf("the audit chain does not verify: %s %s", a, clip(a.Body))
	}
	return fmt.Sprintf("the audit chain verifies: %d events, linked by both servers' sequencers", v.Checked), nil
}
