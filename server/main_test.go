package server_test

import (
	"bytes"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"log/slog"
	"net/http"
	"net/url"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"github.com/labstack/echo/v4"

	"github.com/fazhi/fazhi/blob"
	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
	"github.com/fazhi/fazhi/store"
)

func TestMain(m *testing.M) {
	dir, err := os.MkdirTemp("", "fazhi-server-test-")
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	attachmentRoot = dir
	code := dbtest.Run(m)
	_ = os.RemoveAll(dir)
	contract, err := server.LoadContract()
	if err != nil {
		fmt.Println(err)
		os.Exit(1)
	}
	os.Exit(apitest.CoverageGate(contract, code))
}

// testBodyLimit and testAttachmentLimit (also the sheet limit) are small so
// that tests reach them cheaply.
const (
	testBodyLimit       = "16K"
	testAttachmentLimit = 64 << 10
)

// attachmentRoot holds a blob directory per test database (see fixturesFor).
var attachmentRoot string

// harness is a server on a test database with its captured logs.
type harness struct {
	*apitest.Client
	db   *dbtest.DB
	echo *echo.Echo
	logs *apitest.Logs
	fx   *fixtures
}

// newHarness serves the API on db; its client signs requests as the fixture
// administrator.
func newHarness(t *testing.T, db *dbtest.DB, cfg server.Config) *harness {
	t.Helper()
	if cfg.BodyLimit == "" {
		cfg.BodyLimit = testBodyLimit
	}
	if cfg.PasswordParams == nil {
		cfg.PasswordParams = password.Fast
	}
	if cfg.AttachmentLimit == 0 {
		cfg.AttachmentLimit = testAttachmentLimit
	}
	if cfg.SheetLimit == 0 {
		cfg.SheetLimit = testAttachmentLimit
	}
	fx := fixturesFor(t, db)
	if cfg.AttachmentDir == "" {
		cfg.AttachmentDir = fx.blobDir // where the fixture attachment's file is
	}
	logs := &apitest.Logs{}
	log := slog.New(slog.NewJSONHandler(logs, nil))
	e, err := server.New(cfg, db, log)
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{Client: apitest.New(t, e), db: db, echo: e, logs: logs, fx: fx}
	h.Header.Set("Authorization", "Bearer "+h.fx.tokens["admin"])
	fx.publishEvaluation.Do(func() {
		// Published through the API, which scores it: the store alone
		// cannot make the results.
		resp := h.Post("/api/v1/evaluations/"+fx.evaluation+"/publish", nil, map[string]string{"If-Match": `"1"`})
		if resp.Status != http.StatusOK {
			t.Fatalf("publish the fixture evaluation: %d %s", resp.Status, resp.Body)
		}
	})
	return h
}

// fixtures are callers of every kind on a unit tree of their own, made once per
// database: a city with a district and a town below it, a user of each role,
// and an API key of each scope.
type fixtures struct {
	city, district, town, other string // unit ids; other is outside the city
	justice                     string // a department of the city, sibling of the district: the city-wide reviewer's unit
	system, indicator, target   string // a draft indicator system with one indicator and its target
	value                       string // a draft value of the town, of a published system's indicator
	attachment                  string // a PDF attached to value, its file in blobDir
	evaluation                  string // a published evaluation of the published system's 2021 for the town
	checklist, checklistItem    string // a published checklist issued by the town (noPenalty) and its one item
	checklistApplication        string // a case of the town applying checklistItem
	round, sheet, answer        string // a round of checklist assigned by the city to the town and the district, the town's sheet, pending, and its answer to checklistItem
	submittedSheet, evidence    string // the district's sheet, submitted by the reviewer; a PDF of evidence of answer, its file in blobDir
	draftChecklist              string // a draft checklist of the town without items, for uploads (imports)
	plan, planTask              string // the city's published 2022 plan and its task 1, led by the town, not started
	draftPlan, closablePlan     string // the district's draft 2022 plan with one task; the city's published 2021 plan, all done
	report, submittedReport     string // the town's progress reports on planTask: a draft for 2022-Q1 at version 2, one for 2022-Q2 at 0% submitted by the reporter
	problem, rectifyingProblem  string // problems of the town recorded by the reporter: open at version 2, and being rectified
	problemEvidence             string // a PDF of evidence of rectifyingProblem, its file in blobDir
	annualReport                string // the town's draft annual report of 2021, at version 2
	submittedReport2021         string // the district's annual report of 2021, submitted
	blobDir                     string // the attachment directory of the database's harnesses
	publishedSystem             string
	publishedIndicator          string
	users                       map[string]*models.User
	tokens                      map[string]string // role or "key:<scope>" -> bearer token
	keys                        map[string]*models.APIKey
	publishEvaluation           sync.Once
}

var (
	fixturesMu sync.Mutex
	fixtureSet = map[string]*fixtures{}
)

// fixturePassword is the password of every fixture user.
const fixturePassword = "Fixture-Pass-2021"

func fixturesFor(t testing.TB, db *dbtest.DB) *fixtures {
	t.Helper()
	fixturesMu.Lock()
	defer fixturesMu.Unlock()
	if fx, ok := fixtureSet[db.Name]; ok {
		return fx
	}
	ctx := t.Context()
	p := "fx" + dbtest.RandomSuffix()
	unit := func(code, name string, kind models.UnitKind, parent *string) string {
		u := &models.Unit{Code: code, Name: name, Kind: kind, ParentID: parent}
		if err := db.CreateUnit(ctx, u); err != nil {
			t.Fatal(err)
		}
		return u.ID
	}
	fx := &fixtures{users: map[string]*models.User{}, tokens: map[string]string{}, keys: map[string]*models.APIKey{}}
	districtCode := areaCode()
	fx.city = unit(areaCode(), "测试市", models.UnitCity, nil)
	fx.district = unit(districtCode, "测试区", models.UnitDistrict, &fx.city)
	fx.town = unit(districtCode+"001", "测试街道", models.UnitTown, &fx.district)
	fx.justice = unit(districtCode+"-002", "测试市司法局", models.UnitDepartment, &fx.city)
	fx.other = unit(areaCode(), "别的市", models.UnitCity, nil)
	hash, err := (&password.Hasher{Params: password.Fast}).Hash(fixturePassword)
	if err != nil {
		t.Fatal(err)
	}
	// admin in the city; reviewer over the district; reporter and viewer in
	// the town; the city-wide reviewer in the justice bureau, a sibling of
	// the district.
	for role, unitID := range map[models.Role]string{
		models.RoleAdmin: fx.city, models.RoleReviewer: fx.district, models.RoleReporter: fx.town, models.RoleViewer: fx.town,
		models.RoleCityReviewer: fx.justice,
	} {
		u := &models.User{Username: p + "." + strings.ToLower(string(role)), DisplayName: string(role), UnitID: unitID,
			Roles: []models.Role{role}, PasswordHash: hash}
		if err := db.CreateUser(ctx, u); err != nil {
			t.Fatal(err)
		}
		token, tokenHash := password.NewToken("fzs_")
		if _, err := db.CreateSession(ctx, u, tokenHash, time.Hour); err != nil {
			t.Fatal(err)
		}
		fx.users[string(role)], fx.tokens[string(role)] = u, token
	}
	for _, scope := range models.Scopes {
		k := &models.APIKey{Name: "key " + string(scope), Prefix: password.NewKeyPrefix(), Scopes: []models.Scope{scope},
			CreatedBy: fx.users["admin"].ID}
		secret, _ := password.NewToken(k.Prefix + "_")
		k.SecretHash = password.HashToken(secret)
		if err := db.CreateAPIKey(ctx, k); err != nil {
			t.Fatal(err)
		}
		fx.keys[string(scope)], fx.tokens["key:"+string(scope)] = k, secret
	}
	sys := &models.IndicatorSystem{Name: "测试指标体系 " + p, IssuingUnitID: fx.city, Edition: "2021年版",
		YearFrom: 2021, YearTo: 2021, TotalPoints: exact.MustParse("100")}
	if err := db.CreateIndicatorSystem(ctx, sys); err != nil {
		t.Fatal(err)
	}
	ind := &models.Indicator{Code: "1", Name: "测试指标", Points: exact.MustParse("100"), ValueType: "number",
		Direction: "higher_better", Aggregation: "sum", Frequency: "year"}
	if err := db.CreateIndicator(ctx, sys.ID, ind); err != nil {
		t.Fatal(err)
	}
	target := &models.Target{IndicatorID: ind.ID, Year: 2022, Comparator: models.AtLeast, Value: exact.MustParse("60"), Sample: true}
	if err := db.CreateTarget(ctx, target); err != nil {
		t.Fatal(err)
	}
	fx.system, fx.indicator, fx.target = sys.ID, ind.ID, target.ID
	pub := &models.IndicatorSystem{Name: "已发布指标体系 " + p, IssuingUnitID: fx.city, Edition: "2021年版",
		YearFrom: 2021, YearTo: 2021, TotalPoints: exact.MustParse("10")}
	if err := db.CreateIndicatorSystem(ctx, pub); err != nil {
		t.Fatal(err)
	}
	pubInd := &models.Indicator{Code: "1", Name: "已发布指标", Points: exact.MustParse("10"), ValueType: "number",
		Direction: "higher_better", Aggregation: "sum", Frequency: "year"}
	if err := db.CreateIndicator(ctx, pub.ID, pubInd); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishIndicatorSystem(ctx, pub.ID); err != nil {
		t.Fatal(err)
	}
	value := &models.IndicatorValue{IndicatorID: pubInd.ID, UnitID: fx.town, Period: "2021", Value: ptrTo(exact.MustParse("58.10"))}
	if err := db.CreateValue(ctx, value); err != nil {
		t.Fatal(err)
	}
	fx.publishedSystem, fx.publishedIndicator, fx.value = pub.ID, pubInd.ID, value.ID
	fx.blobDir = filepath.Join(attachmentRoot, db.Name)
	blobs, err := blob.NewDir(fx.blobDir)
	if err != nil {
		t.Fatal(err)
	}
	sum := sha256.Sum256(fixturePDF)
	a := &models.Attachment{ID: store.NewID(), ValueID: value.ID, Filename: "辽事通注册统计.pdf", ContentType: "application/pdf",
		Size: int64(len(fixturePDF)), SHA256: hex.EncodeToString(sum[:]), CreatedBy: "user:" + fx.users["reporter"].ID}
	a.BlobKey = a.ID
	if err := blobs.Put(ctx, a.BlobKey, bytes.NewReader(fixturePDF)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateAttachment(ctx, a); err != nil {
		t.Fatal(err)
	}
	fx.attachment = a.ID
	ev := &models.Evaluation{SystemID: pub.ID, Year: 2021, UnitIDs: []string{fx.town}}
	if err := db.CreateEvaluation(ctx, ev); err != nil {
		t.Fatal(err)
	}
	fx.evaluation = ev.ID
	// A published list of the town with one item: submitted by its
	// reporter, published by the city-wide reviewer, as the review goes.
	cl, err := db.CreateChecklist(ctx, models.Checklist{KindKey: "noPenalty", Title: "测试街道不予处罚事项清单 " + p,
		IssuingUnitID: fx.town, Year: 2021})
	if err != nil {
		t.Fatal(err)
	}
	item := &models.ChecklistItem{Name: "首次未按规定携带道路运输证", ImplementingUnitID: &fx.town, Category: "道路运输",
		LegalBasis: "《中华人民共和国行政处罚法》第三十三条第一款", Attributes: map[string]string{
			"violatedProvision": "《中华人民共和国道路运输条例》第三十四条",
			"penaltyProvision":  "《中华人民共和国道路运输条例》第六十八条",
			"conditions":        "首次违法，及时改正，未造成危害后果",
		}}
	if err := db.CreateChecklistItem(ctx, cl.ID, item); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitChecklist(ctx, cl.ID, nil, models.UserActor(fx.users["reporter"].ID)); err != nil {
		t.Fatal(err)
	}
	if _, err := db.PublishChecklist(ctx, cl.ID, nil, models.UserActor(fx.users["cityReviewer"].ID), "经合法性审查，同意发布。"); err != nil {
		t.Fatal(err)
	}
	fx.checklist, fx.checklistItem = cl.ID, item.ID
	app := &models.ChecklistApplication{ItemID: item.ID, UnitID: fx.town, CaseNumber: ptrTo("测试不罚〔2021〕1号" + p), CaseDate: "2021-09-01",
		NaturalPersons: 1, AmountFen: 20000, CreatedBy: "user:" + fx.users["reporter"].ID}
	if err := db.CreateChecklistApplication(ctx, app); err != nil {
		t.Fatal(err)
	}
	fx.checklistApplication = app.ID
	round := &models.InspectionRound{ChecklistID: cl.ID, Title: "测试自查 " + p, AssigningUnitID: fx.city, Deadline: "2021-11-30",
		CreatedBy: "user:" + fx.users["admin"].ID}
	sheets, err := db.CreateInspectionRound(ctx, round, []string{fx.town, fx.district})
	if err != nil {
		t.Fatal(err)
	}
	answer := &models.InspectionAnswer{ItemID: item.ID, Result: models.ResultComplies, AnsweredBy: "user:" + fx.users["reporter"].ID}
	if _, err := db.AnswerInspectionItem(ctx, sheets[0].ID, answer, nil); err != nil {
		t.Fatal(err)
	}
	districtAnswer := &models.InspectionAnswer{ItemID: item.ID, Result: models.ResultNotApplicable, AnsweredBy: "user:" + fx.users["reviewer"].ID}
	if _, err := db.AnswerInspectionItem(ctx, sheets[1].ID, districtAnswer, nil); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitInspectionSheet(ctx, sheets[1].ID, nil, models.UserActor(fx.users["reviewer"].ID)); err != nil {
		t.Fatal(err)
	}
	proof := &models.InspectionEvidence{ID: store.NewID(), AnswerID: answer.ID, Filename: "自查佐证.pdf", ContentType: "application/pdf",
		Size: int64(len(fixturePDF)), SHA256: a.SHA256, CreatedBy: "user:" + fx.users["reporter"].ID}
	proof.BlobKey = proof.ID
	if err := blobs.Put(ctx, proof.BlobKey, bytes.NewReader(fixturePDF)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateInspectionEvidence(ctx, proof); err != nil {
		t.Fatal(err)
	}
	fx.round, fx.sheet, fx.answer, fx.submittedSheet, fx.evidence = round.ID, sheets[0].ID, answer.ID, sheets[1].ID, proof.ID
	draft, err := db.CreateChecklist(ctx, models.Checklist{KindKey: "noPenalty", Title: "测试街道清单草稿 " + p, IssuingUnitID: fx.town, Year: 2022})
	if err != nil {
		t.Fatal(err)
	}
	fx.draftChecklist = draft.ID
	fx.plan, fx.planTask, fx.draftPlan, fx.closablePlan = fixturePlans(t, db, fx, p)
	fixtureProgress(t, db, fx, blobs, a.SHA256)
	fixtureSet[db.Name] = fx
	return fx
}

// fixtureProgress writes the progress reports and problems of the
// fixtures. Each record the contract tests may delete or change with the
// examples' If-Match "1" is at version 2, so that they leave it as it is.
func fixtureProgress(t testing.TB, db *dbtest.DB, fx *fixtures, blobs *blob.Dir, sha string) {
	t.Helper()
	ctx := t.Context()
	reporter := models.UserActor(fx.users["reporter"].ID)
	draft := models.NewProgressReport("", fx.planTask, fx.town, "2022-Q1", reporter)
	draft.Content, draft.Percent = "完成任务分解", 10
	if err := db.CreateProgressReport(ctx, draft); err != nil {
		t.Fatal(err)
	}
	if _, err := db.UpdateProgressReport(ctx, draft.ID, nil, models.ProgressPatch{NextSteps: ptrTo("下季度推进")}); err != nil {
		t.Fatal(err)
	}
	// 0%: accepting it leaves the task not started.
	submitted := models.NewProgressReport("", fx.planTask, fx.town, "2022-Q2", reporter)
	submitted.Content = "尚未开展"
	if err := db.CreateProgressReport(ctx, submitted); err != nil {
		t.Fatal(err)
	}
	if _, err := db.SubmitProgressReport(ctx, submitted.ID, reporter); err != nil {
		t.Fatal(err)
	}
	open := models.NewProblem("", fx.town, 2021, models.SourceSelfInspection, "测试问题", reporter)
	if err := db.CreateProblem(ctx, open); err != nil {
		t.Fatal(err)
	}
	edit := func(p *models.Problem, _ time.Time, _ int) error {
		return p.Apply(models.ProblemPatch{Category: ptrTo("测试")})
	}
	if _, err := db.ChangeProblem(ctx, open.ID, nil, edit); err != nil {
		t.Fatal(err)
	}
	rectifying := models.NewProblem("", fx.town, 2021, models.SourceSupervision, "整改中的测试问题", reporter)
	rectifying.Measures = "整改措施"
	if err := db.CreateProblem(ctx, rectifying); err != nil {
		t.Fatal(err)
	}
	rectify := func(p *models.Problem, at time.Time, _ int) error { return p.Rectify(at, nil, nil) }
	if _, err := db.ChangeProblem(ctx, rectifying.ID, nil, rectify); err != nil {
		t.Fatal(err)
	}
	proof := &models.Evidence{ID: store.NewID(), RecordType: models.EvidenceOfProblem, RecordID: rectifying.ID, Filename: "整改佐证.pdf",
		ContentType: "application/pdf", Size: int64(len(fixturePDF)), SHA256: sha, CreatedBy: string(reporter)}
	proof.BlobKey = proof.ID
	if err := blobs.Put(ctx, proof.BlobKey, bytes.NewReader(fixturePDF)); err != nil {
		t.Fatal(err)
	}
	if err := db.CreateEvidence(ctx, proof); err != nil {
		t.Fatal(err)
	}
	fx.report, fx.submittedReport, fx.problem, fx.rectifyingProblem, fx.problemEvidence = draft.ID, submitted.ID, open.ID, rectifying.ID, proof.ID

	admin := models.UserActor(fx.users["admin"].ID)
	town, err := db.DraftAnnualReport(ctx, models.ReportToDraft{UnitID: fx.town, Year: 2021}, admin)
	if err != nil {
		t.Fatal(err)
	}
	text := []models.ReportParagraph{{Sentences: []models.ReportSentence{{Text: "街道主要负责人履行第一责任人职责。"}}}}
	if _, err := db.EditAnnualReport(ctx, town.ID, nil, models.ReportPartLeaders, text, admin); err != nil {
		t.Fatal(err)
	}
	district, err := db.DraftAnnualReport(ctx, models.ReportToDraft{UnitID: fx.district, Year: 2021}, admin)
	if err != nil {
		t.Fatal(err)
	}
	for _, move := range []func(r *models.AnnualReport, at time.Time) error{
		func(r *models.AnnualReport, at time.Time) error { return r.SignOff(admin, at, false) },
		func(r *models.AnnualReport, at time.Time) error { return r.Submit(admin, at) },
	} {
		if _, err := db.MoveAnnualReport(ctx, district.ID, move); err != nil {
			t.Fatal(err)
		}
	}
	fx.annualReport, fx.submittedReport2021 = town.ID, district.ID
}

// fixturePDF is the fixture attachment's file, and what the contract tests upload.
var fixturePDF = []byte("%PDF-1.4\n% 佐证材料\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")

// as returns a header map that signs a request as the given fixture caller.
func (h *harness) as(who string) map[string]string {
	return map[string]string{"Authorization": "Bearer " + h.fx.tokens[who]}
}

func discardLogger() *slog.Logger { return slog.New(slog.DiscardHandler) }

func ptrTo[T any](v T) *T { return &v }

// listAll reads every page of the list at path with query, as who (nil: the
// harness's administrator), limit items at a time, and fails the test when a
// page is over the limit or the paging does not end.
func listAll[T any](t *testing.T, h *harness, path string, who map[string]string, query url.Values, limit int) []T {
	t.Helper()
	q := url.Values{}
	for k, v := range query {
		q[k] = v
	}
	q.Set("limit", fmt.Sprint(limit))
	var out []T
	for pages := 0; ; pages++ {
		if pages > 100 {
			t.Fatal("paging does not end")
		}
		resp := h.Get(path+"?"+q.Encode(), who)
		expect(t, resp, http.StatusOK, "")
		var page struct {
			Items      []T     `json:"items"`
			NextCursor *string `json:"nextCursor"`
		}
		resp.JSON(t, &page)
		if len(page.Items) > limit {
			t.Fatalf("page of %d items, limit %d", len(page.Items), limit)
		}
		out = append(out, page.Items...)
		if page.NextCursor == nil {
			return out
		}
		q.Set("cursor", *page.NextCursor)
	}
}

// getOK reads the record at path as who (nil: the harness's administrator),
// failing the test unless it answers 200.
func getOK[T any](t *testing.T, h *harness, path string, who map[string]string) (T, *apitest.Response) {
	t.Helper()
	resp := h.Get(path, who)
	expect(t, resp, http.StatusOK, "")
	var v T
	resp.JSON(t, &v)
	return v, resp
}

// fixturePlans makes the fixtures' plans: the city's published 2022 plan
// with a task the town leads, the district's draft with one task, and the
// city's 2021 plan, published with its one task completed, to close.
func fixturePlans(t testing.TB, db *dbtest.DB, fx *fixtures, suffix string) (plan, task, draft, closable string) {
	t.Helper()
	ctx := t.Context()
	admin := models.UserActor(fx.users["admin"].ID)
	newPlan := func(unit string, year int, number string, lead string) (*models.Plan, *models.PlanTask) {
		p := models.NewPlan("", unit, year, fmt.Sprintf("测试%d年工作要点 %s", year, suffix), models.PlanKeyPoints, admin)
		if err := db.CreatePlan(ctx, p); err != nil {
			t.Fatal(err)
		}
		task := models.NewPlanTask("", p.ID)
		task.Number, task.Title, task.Deadline, task.LeadUnitIDs = number, "测试任务", ptrTo(fmt.Sprintf("%d-10-31", year)), []string{lead}
		if err := db.CreatePlanTask(ctx, task); err != nil {
			t.Fatal(err)
		}
		return p, task
	}
	city, cityTask := newPlan(fx.city, 2022, "1", fx.town)
	if _, err := db.PublishPlan(ctx, city.ID, nil, admin); err != nil {
		t.Fatal(err)
	}
	district, _ := newPlan(fx.district, 2022, "1", fx.town)
	old, oldTask := newPlan(fx.city, 2021, "1", fx.district)
	if _, err := db.PublishPlan(ctx, old.ID, nil, admin); err != nil {
		t.Fatal(err)
	}
	if _, err := db.MovePlanTask(ctx, oldTask.ID, func(t *models.PlanTask, at time.Time) error { return t.Complete(admin, at) }); err != nil {
		t.Fatal(err)
	}
	return city.ID, cityTask.ID, district.ID, old.ID
}
