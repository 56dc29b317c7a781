package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fazhi/fazhi/models"
)

// The demo's self-inspection: the rule-of-law office's checklist of 2021
// (自查清单, eight points the seed report's work covers) and a round of it
// assigned to three units, one accepted, one submitted and one still
// answering past the deadline.
var (
	SelfInspectionList = ID(0xc003)
	InspectionRound    = ID(0x12001)
	// The sheets of the round: the public security bureau's, accepted; the
	// market regulator's, submitted; the legal aid centre's, pending and
	// overdue, which the demo reporter (of the legal aid centre) answers.
	AcceptedSheet  = ID(0x12101)
	SubmittedSheet = ID(0x12102)
	PendingSheet   = ID(0x12103)
)

const (
	selfInspectionItemKeys = 0xc700  // + n: the key of the n-th item
	selfInspectionItemIDs  = 0xd700  // + n: its id
	answerIDs              = 0x12200 // + 0x10·sheet + n: the id of sheet's answer to the n-th item
)

// The instants of the round: the list published in October 2021, the
// round assigned on 1 November with a deadline of 30 November, the
// answers, submissions and the acceptance in late November.
var (
	inspectionDrafted   = time.Date(2021, 10, 8, 1, 0, 0, 0, time.UTC)
	inspectionSubmitted = time.Date(2021, 10, 12, 1, 0, 0, 0, time.UTC)
	inspectionPublished = time.Date(2021, 10, 15, 1, 0, 0, 0, time.UTC)
	roundAssigned       = time.Date(2021, 11, 1, 1, 0, 0, 0, time.UTC)
	sheetsAnswered      = time.Date(2021, 11, 20, 2, 0, 0, 0, time.UTC)
	firstSubmitted      = time.Date(2021, 11, 25, 2, 0, 0, 0, time.UTC)
	firstAccepted       = time.Date(2021, 11, 28, 2, 0, 0, 0, time.UTC)
	secondSubmitted     = time.Date(2021, 11, 29, 2, 0, 0, 0, time.UTC)
)

// selfInspectionPoints are the list's items: the point, what to check, how
// and the points it is worth.
var selfInspectionPoints = []struct{ name, keyPoints, method, points string }{
	{"法治政府建设年度报告按时公开", "每年3月底前向本级党委、政府和上一级主管部门报告上一年度法治政府建设情况，并通过门户网站向社会公开", "查阅报告及公开页面", "10"},
	{"重大行政决策合法性审查", "重大行政决策事项目录公开，决策前经合法性审查，履行公众参与、专家论证、风险评估、集体讨论决定程序", "抽查决策卷宗", "15"},
	{"行政规范性文件备案审查", "行政规范性文件经合法性审核、集体审议后公布，按规定报送备案", "查阅备案登记", "10"},
	{"行政执法“三项制度”落实", "执法公示、执法全过程记录、重大执法决定法制审核制度全面落实", "抽查执法案卷", "15"},
	{"柔性执法清单适用", "按柔性执法事项清单对轻微违法行为不予处罚、从轻或减轻处罚，适用情况按月统计", "核对适用台账", "10"},
	{"行政复议和行政应诉", "行政复议决定依法作出并履行，行政机关负责人出庭应诉", "查阅复议、应诉台账", "15"},
	{"法治宣传教育", "落实“谁执法谁普法”普法责任制，开展领导干部学法和执法人员培训", "查阅学法记录", "10"},
	{"法治督察问题整改", "上一年度法治督察发现的问题按期整改销号", "核对整改台账", "15"},
}

// SelfInspectionList2021 returns the published self-inspection list as
// CreateChecklist takes it, and its items, new values at each call.
func SelfInspectionList2021() (*models.Checklist, []*models.ChecklistItem) {
	c := &models.Checklist{ID: SelfInspectionList, KindKey: "selfInspection", Title: "盘锦市2021年度法治政府建设自查清单",
		IssuingUnitID: RuleOfLawOffice, DocumentNumber: "盘法治办发〔2021〕5号", Year: 2021, SampleData: true}
	items := make([]*models.ChecklistItem, len(selfInspectionPoints))
	for i, p := range selfInspectionPoints {
		n := i + 1
		items[i] = &models.ChecklistItem{ID: ID(selfInspectionItemIDs + n), ItemKey: ID(selfInspectionItemKeys + n), Sequence: n,
			Name: p.name, ImplementingUnitID: ptr(RuleOfLawOffice), Category: "法治政府建设",
			Attributes: map[string]string{"keyPoints": p.keyPoints, "method": p.method, "points": p.points},
			Remark:     "示例数据，非真实清单"}
	}
	return c, items
}

// demoSheet is one unit's part of the demo round: the results of its
// answers in item order (fewer than the items: not all answered), with a
// comment for each that does not comply.
type demoSheet struct {
	id, unit string
	results  []models.InspectionResult
	comments map[int]string
}

func demoSheets() []demoSheet {
	ok, bad, na := models.ResultComplies, models.ResultDoesNotComply, models.ResultNotApplicable
	return []demoSheet{
		{AcceptedSheet, ID(0x20), []models.InspectionResult{ok, ok, ok, ok, ok, ok, bad, na},
			map[int]string{7: "部分执法人员未完成年度学法培训"}},
		{SubmittedSheet, ID(0x21), []models.InspectionResult{ok, ok, ok, ok, ok, ok, ok, ok}, nil},
		{PendingSheet, LegalAidCentre, []models.InspectionResult{bad, ok, ok}, map[int]string{1: "年度报告未在3月底前公开"}},
	}
}

// InspectionRecords is how many records seedInspections adds to an empty
// database, and InspectionEvents how many audit events: the list (created,
// its items, submitted and published), the round with its sheets, the
// answers, two submissions and an acceptance.
func InspectionRecords() int {
	n := 1 + len(selfInspectionPoints) + 1
	for _, s := range demoSheets() {
		n += 1 + len(s.results)
	}
	return n
}

// InspectionEvents is the audit events of seedInspections.
func InspectionEvents() int {
	answers := 0
	for _, s := range demoSheets() {
		answers += len(s.results)
	}
	return 1 + len(selfInspectionPoints) + 2 + 1 + len(demoSheets()) + answers + 3
}

// seedInspections adds the self-inspection list and its round, each unless
// it is there.
func seedInspections(ctx context.Context, s Store) (int, error) {
	n := 0
	content, items := SelfInspectionList2021()
	switch _, err := s.GetChecklist(ctx, content.ID); {
	case errors.Is(err, models.ErrNotFound):
		var c *models.Checklist
		err := at(s, inspectionDrafted, func() error {
			if c, err = s.CreateChecklist(ctx, *content); err != nil {
				return err
			}
			return s.AddChecklistItems(ctx, c.ID, items)
		})
		if err == nil {
			err = at(s, inspectionSubmitted, func() error {
				_, err := s.SubmitChecklist(ctx, c.ID, nil, models.UserActor(AdminUser))
				return err
			})
		}
		if err == nil {
			err = at(s, inspectionPublished, func() error {
				_, err := s.PublishChecklist(ctx, c.ID, nil, models.UserActor(LegalityReviewerUser), "经合法性审查，同意印发。")
				return err
			})
		}
		if err != nil {
			return n, fmt.Errorf("seed demo self-inspection list: %w", err)
		}
		n += 1 + len(items)
	case err != nil:
		return n, fmt.Errorf("seed demo self-inspection list: %w", err)
	}

	switch _, _, err := s.GetInspectionRound(ctx, InspectionRound); {
	case err == nil:
		return n, nil
	case !errors.Is(err, models.ErrNotFound):
		return n, fmt.Errorf("seed demo inspection round: %w", err)
	}
	sheets := demoSheets()
	units, ids := make([]string, len(sheets)), make([]string, len(sheets))
	for i, sh := range sheets {
		units[i], ids[i] = sh.unit, sh.id
	}
	round := &models.InspectionRound{ID: InspectionRound, ChecklistID: SelfInspectionList, Title: "2021年度法治政府建设自查",
		AssigningUnitID: RuleOfLawOffice, Deadline: "2021-11-30", CreatedBy: string(models.UserActor(AdminUser)), SampleData: true}
	err := at(s, roundAssigned, func() error {
		_, err := s.CreateInspectionRound(ctx, round, units, ids...)
		return err
	})
	if err != nil {
		return n, fmt.Errorf("seed demo inspection round: %w", err)
	}
	n += 1 + len(sheets)
	for si, sh := range sheets {
		for k, result := range sh.results {
			a := &models.InspectionAnswer{ID: ID(answerIDs + 0x10*(si+1) + k + 1), ItemID: items[k].ID, Result: result,
				Comment: sh.comments[k+1], AnsweredBy: string(models.UserActor(ReporterUser))}
			err := at(s, sheetsAnswered, func() error {
				_, err := s.AnswerInspectionItem(ctx, sh.id, a, nil)
				return err
			})
			if err != nil {
				return n, fmt.Errorf("seed demo inspection answers: %w", err)
			}
			n++
		}
	}
	steps := []struct {
		when time.Time
		do   func() error
	}{
		{firstSubmitted, func() error {
			_, err := s.SubmitInspectionSheet(ctx, AcceptedSheet, nil, models.UserActor(ReporterUser))
			return err
		}},
		{firstAccepted, func() error {
			_, err := s.AcceptInspectionSheet(ctx, AcceptedSheet, nil, models.UserActor(LegalityReviewerUser))
			return err
		}},
		{secondSubmitted, func() error {
			_, err := s.SubmitInspectionSheet(ctx, SubmittedSheet, nil, models.UserActor(ReporterUser))
			return err
		}},
	}
	for _, step := range steps {
		if err := at(s, step.when, step.do); err != nil {
			return n, fmt.Errorf("seed demo inspection sheets: %w", err)
		}
	}
	return n, nil
}
