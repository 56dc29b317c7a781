package main

// A city that is not Panjin installs fazhi: the real binary on an empty
// production database, `fazhi init` from a password file, its unit tree and
// accounts imported from spreadsheets, and its people signing in.

import (
	"bytes"
	"encoding/csv"
	"encoding/json"
	"fmt"
	"math/rand/v2"
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/fazhi/fazhi/sheet"
)

// writeXLSX writes a workbook of one sheet, headers as given, every cell text.
func writeXLSX(t *testing.T, path, name string, header []string, rows [][]string) {
	t.Helper()
	cols := make([]sheet.OutColumn, len(header))
	for i, h := range header {
		cols[i] = sheet.OutColumn{Key: fmt.Sprint(i), Header: h, Text: true}
	}
	var b bytes.Buffer
	if err := sheet.WriteXLSX(&b, []sheet.SheetData{{Name: name, Title: "锦州市法治政府建设" + name + "名单", Columns: cols, Rows: rows}}); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(path, b.Bytes(), 0o600); err != nil {
		t.Fatal(err)
	}
}

// cityTree is a city's 300 units below its root 210700: 5 districts with 10
// towns of 4 villages each (255 areas) and 45 departments, shuffled, so that
// many a child comes before its parent.
func cityTree() [][]string {
	var rows [][]string
	for d := 1; d <= 5; d++ {
		district := fmt.Sprintf("2107%02d", d)
		rows = append(rows, []string{district, fmt.Sprintf("第%d区", d), "区", "210700"})
		for tw := 1; tw <= 10; tw++ {
			town := fmt.Sprintf("%s%03d", district, tw)
			rows = append(rows, []string{town, fmt.Sprintf("第%d区第%d街道", d, tw), "街道", district})
			for v := 1; v <= 4; v++ {
				rows = append(rows, []string{fmt.Sprintf("%s%03d", town, 200+v), fmt.Sprintf("第%d街道第%d村", tw, v), "村", town})
			}
		}
	}
	for i := 1; i <= 45; i++ {
		rows = append(rows, []string{fmt.Sprintf("210700-%03d", i), fmt.Sprintf("市第%d局", i), "部门", "210700"})
	}
	r := rand.New(rand.NewPCG(7, 21))
	r.Shuffle(len(rows), func(i, j int) { rows[i], rows[j] = rows[j], rows[i] })
	return rows
}

func TestProcessNewCity(t *testing.T) {
	eachDatabase(t, func(t *testing.T, databaseURL string) {
		dir := t.TempDir()
		env := map[string]string{"DATABASE_URL": databaseURL, "FAZHI_ENV": "production", "FAZHI_DATA_DIR": dir, "FAZHI_ADDR": "127.0.0.1:0"}

		// An empty production database: the server says once how to start it.
		srv := startFazhi(t, "fazhi serve", env)
		base, _ := srv.listen()
		if r, _ := srv.find("the database has no users: nobody can sign in. Create the root unit and the first administrator with: " +
			"fazhi init --unit-code CODE --unit-name NAME --username NAME --password-file FILE (or the password on standard input)"); r == nil {
			t.Errorf("no line says how to run init:\n%s", srv.stderr())
		}

		secret := filepath.Join(dir, "admin-password")
		if err := os.WriteFile(secret, []byte("Jinzhou-Admin-2022\n"), 0o600); err != nil {
			t.Fatal(err)
		}
		initArgs := []string{"init", "--unit-code", "210700", "--unit-name", "锦州市", "--unit-kind", "市",
			"--username", "jz.admin", "--display-name", "锦州市依法治市办", "--password-file", secret}
		if code, out, errOut := runOnce(t, env, initArgs...); code != 0 || !strings.Contains(out, "jz.admin") {
			t.Fatalf("init: exit %d\n%s\n%s", code, out, errOut)
		}
		if code, _, errOut := runOnce(t, env, initArgs...); code == 0 || !strings.Contains(errOut, "init only starts an empty one") {
			t.Errorf("a second init: exit %d, %s", code, errOut)
		}
		if code, out, _ := runOnce(t, env, append(initArgs, "--if-empty")...); code != 0 || !strings.Contains(out, "initialised already") {
			t.Errorf("init --if-empty on an initialised database: exit %d, %s", code, out)
		}

		unitHeader := []string{"单位代码", "单位名称", "单位类型", "上级单位代码"}
		units := filepath.Join(dir, "units.xlsx")
		writeXLSX(t, units, "单位", unitHeader, cityTree())
		if code, out, errOut := runOnce(t, env, "import", "units", units); code != 0 || !strings.Contains(out, "created 300 units") {
			t.Fatalf("import units: exit %d\n%s\n%s", code, out, errOut)
		}

		userHeader := []string{"用户名", "姓名", "单位代码", "角色", "初始密码"}
		var users [][]string
		for i := 1; i <= 50; i++ {
			role, code := "填报员", fmt.Sprintf("2107%02d%03d", 1+i%5, 1+i%10)
			switch i % 10 {
			case 0:
				role, code = "审核员", fmt.Sprintf("2107%02d", 1+i%5)
			case 5:
				role, code = "查看员、填报员", fmt.Sprintf("210700-%03d", i)
			}
			users = append(users, []string{fmt.Sprintf("jz%02d.user", i), fmt.Sprintf("用户%02d", i), code, role, ""})
		}
		accounts := filepath.Join(dir, "users.xlsx")
		writeXLSX(t, accounts, "用户", userHeader, users)
		creds := filepath.Join(dir, "initial-passwords.csv")
		if code, out, errOut := runOnce(t, env, "import", "users", accounts, "--credentials", creds); code != 0 || !strings.Contains(out, "created 50 users") {
			t.Fatalf("import users: exit %d\n%s\n%s", code, out, errOut)
		}
		if fi, err := os.Stat(creds); err != nil || fi.Mode().Perm() != 0o600 {
			t.Errorf("credentials file: %v, %v", fi, err)
		}
		initial := readCredentials(t, creds)

		// A file with three bad rows is refused whole, each row reported.
		bad := filepath.Join(dir, "more-units.xlsx")
		writeXLSX(t, bad, "单位", unitHeader, [][]string{
			{"210706", "第6区", "区", "210700"},
			{"210701", "又一个第1区", "区", "210700"},    // row 4 below the title: the code exists
			{"2107061", "代码不对的街道", "街道", "210706"}, // row 5: not a town's code
			{"210707", "没有上级的区", "区", "219999"},    // row 6: no such parent
		})
		code, out, _ := runOnce(t, env, "import", "units", bad)
		if code == 0 {
			t.Fatalf("a file with three bad rows was imported:\n%s", out)
		}
		for _, want := range []string{"单位!A4 (code): a unit with code 210701 exists", "单位!A5 (code): a town's code is 9 digits",
			"单位!D6 (parent_code): no unit has the code 219999"} {
			if !strings.Contains(out, want) {
				t.Errorf("the refusal does not say %q:\n%s", want, out)
			}
		}
		if strings.Count(out, "\n") != 3 {
			t.Errorf("the refusal lists more than the three bad rows:\n%s", out)
		}

		// The administrator signs in; an imported reporter must change the
		// password first.
		if status, token := signIn(t, base, "jz.admin", "Jinzhou-Admin-2022"); status != http.StatusOK || token == "" {
			t.Fatalf("the administrator signs in: %d", status)
		}
		reporter := "jz01.user"
		status, token := signIn(t, base, reporter, initial[reporter])
		if status != http.StatusOK {
			t.Fatalf("the imported reporter signs in: %d", status)
		}
		units200 := apiCall{method: http.MethodGet, url: base + "/api/v1/units?q=" + "第2区", token: token}
		if reply, err := units200.do(); err != nil || reply.status != http.StatusForbidden || !strings.Contains(string(reply.body), "password_change_required") {
			t.Errorf("before changing the password: %d %s (%v)", reply.status, reply.body, err)
		}
		change := apiCall{method: http.MethodPost, url: base + "/api/v1/me/password", token: token,
			body: map[string]string{"currentPassword": initial[reporter], "newPassword": "Chosen-By-Reporter-1"}}
		if reply, err := change.do(); err != nil || reply.status != http.StatusNoContent {
			t.Fatalf("change the password: %d %s (%v)", reply.status, reply.body, err)
		}
		reply, err := units200.do()
		if err != nil || reply.status != http.StatusOK {
			t.Fatalf("after changing the password: %d %s (%v)", reply.status, reply.body, err)
		}
		var page struct {
			Items []struct {
				Code string `json:"code"`
			} `json:"items"`
		}
		if err := json.Unmarshal(reply.body, &page); err != nil || len(page.Items) == 0 {
			t.Errorf("units named 第2区: %s (%v)", reply.body, err)
		}
		srv.stop()
	})
}

// readCredentials reads the initial passwords an import of accounts wrote.
func readCredentials(t *testing.T, path string) map[string]string {
	t.Helper()
	f, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	records, err := csv.NewReader(f).ReadAll()
	if err != nil {
		t.Fatal(err)
	}
	out := map[string]string{}
	for _, r := range records[1:] {
		out[r[0]] = r[1]
	}
	if len(out) != 50 {
		t.Errorf("%d initial passwords, want 50", len(out))
	}
	return out
}

// serveApart starts fazhi serve with setting (an address variable) on a
// port of its own, and returns the server, the API's base URL and the base
// URL of that address, which the server logs with message.
func serveApart(t *testing.T, setting, message string) (*proc, string, string) {
	t.Helper()
	env := map[string]string{"DATABASE_URL": "sqlite://" + filepath.Join(t.TempDir(), "fazhi.db"), "FAZHI_DEMO": "never",
		"FAZHI_DATA_DIR": t.TempDir(), "FAZHI_ADDR": "127.0.0.1:0", setting: "127.0.0.1:0"}
	srv := startFazhi(t, "fazhi serve", env)
	base, _ := srv.listen()
	return srv, base, "http://" + srv.waitLog(message, startTimeout).str("addr")
}

// TestProcessProfiler: with FAZHI_PPROF_ADDR, Go's profiler answers there,
// and only there.
func TestProcessProfiler(t *testing.T) {
	srv, base, profiler := serveApart(t, "FAZHI_PPROF_ADDR", "profiler listening")
	getOK(t, base+"/healthz")
	if resp, _ := get(t, base+"/debug/pprof/"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the profiler on the API's port: %s, want 404", resp.Status)
	}
	if _, body := getOK(t, profiler+"/debug/pprof/heap?debug=1"); !strings.Contains(string(body), "heap profile") {
		t.Errorf("the heap profile:\n%.300s", body)
	}
	if resp, _ := get(t, profiler+"/healthz"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the profiler's address serves more than the profiler: /healthz %s", resp.Status)
	}
	srv.stop()
}

// TestProcessMetricsApart: with FAZHI_METRICS_ADDR, /metrics answers there
// and not on the API's port.
func TestProcessMetricsApart(t *testing.T) {
	srv, base, metrics := serveApart(t, "FAZHI_METRICS_ADDR", "metrics listening")
	if resp, _ := get(t, base+"/metrics"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("/metrics on the API's port: %s, want 404", resp.Status)
	}
	getOK(t, base+"/healthz")
	if _, body := getOK(t, metrics+"/metrics"); !strings.Contains(string(body), "fazhi_http_requests_total") {
		t.Errorf("/metrics on its own address:\n%.500s", body)
	}
	if resp, _ := get(t, metrics+"/healthz"); resp.StatusCode != http.StatusNotFound {
		t.Errorf("the metrics address serves more than /metrics: /healthz %s", resp.Status)
	}
	srv.stop()
}
