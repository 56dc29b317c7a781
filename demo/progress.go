package demo

import (
	"context"
	"errors"
	"fmt"
	"time"

	"github.com/fazhi/fazhi/models"
)

// The demo's progress on the city's 2022 plan, and the four problems of the
// seed report's part two (二、存在问题), recorded by the office early in 2022
// and three of them under rectification by tasks of the 2022 plan.

// demoReport is a unit's progress report on a task of the 2022 plan: who
// wrote it and when, and when (zero: not) it was submitted and accepted.
type demoReport struct {
	id                 int
	task               int
	unit, period       string
	percent            int
	content, next      string
	by, reviewer       string // user ids
	created, submitted time.Time
	accepted           time.Time
}

func demoReports() []demoReport {
	return []demoReport{
		{id: 0x13401, task: 0x13203, unit: ID(0x31), period: "2022-Q2", percent: 40,
			content: "对标省营商环境评价指标体系，完成法治化营商环境评价方案制定。", next: "三季度开展评价并通报结果。",
			by: AdminUser, reviewer: LegalityReviewerUser,
			created: day(2022, 7, 4), submitted: day(2022, 7, 5), accepted: day(2022, 7, 8)},
		{id: 0x13402, task: 0x13204, unit: JusticeBureau, period: "2022-Q2", percent: 60,
			content: "印发柔性执法评价办法，完成柔性执法事项清单动态调整。", next: "完善行政执法责任清单和721工作清单。",
			by: ReviewerUser, reviewer: AdminUser,
			created: day(2022, 7, 4), submitted: day(2022, 7, 5), accepted: day(2022, 7, 8)},
		// With the office: the demo's example of accepting and returning.
		{id: 0x13403, task: 0x13205, unit: JusticeBureau, period: "2022-Q2", percent: 20,
			content: "制定年度行政执法人员培训计划，完成首期培训。", next: "下半年完成全员轮训。",
			by: ReviewerUser, created: day(2022, 7, 5), submitted: day(2022, 7, 5)},
		// A cooperating unit's draft.
		{id: 0x13404, task: 0x13204, unit: CityGovernmentOffice, period: "2022-Q2", percent: 50,
			content: "配合梳理市政府部门柔性执法事项。", by: AdminUser, created: day(2022, 7, 6)},
	}
}

// demoProblem is one of the seed's four problems of 2021, recorded by the
// office, and when (zero: not) its rectification started by which task.
type demoProblem struct {
	id                      int
	title, detail, category string
	indicators              []string // codes of the city's indicators
	tasks                   []int
	measures                string
	rectifiedBy             int
	rectifying              time.Time
}

// problemsRecorded is when the office recorded the year's problems, as it
// drew up its report of 2021.
var problemsRecorded = day(2022, 1, 20)

func demoProblems() []demoProblem {
	return []demoProblem{
		{id: 0x13501, title: "法治意识还需要提高", category: "法治意识",
			detail: "有的单位依法决策、依法执法意识没有树牢，个别领导对法治政府建设重视程度不高，履行第一责任人职责不到位，一些基层干部不懂法、不依法的问题突出。" +
				"被诉行政机关负责人出庭应诉率较低，各级政府及部门领导班子成员也未完全按要求参加旁听庭审活动。"},
		{id: 0x13502, title: "法治工作队伍还很薄弱", category: "队伍建设",
			detail:   "基层法治建设机构不健全、队伍不稳定、法律人才匮乏问题比较普遍。基层执法监督力量较为薄弱，乡镇一级的执法监督体系建设亟需完善。",
			measures: "加强法治专门队伍建设，开展行政执法人员培训，完善乡镇执法监督体系。", rectifiedBy: 0x13205, rectifying: day(2022, 3, 1)},
		{id: 0x13503, title: "服务保障民营经济发展的措施还需进一步加强", category: "营商环境",
			detail: "在解决民营企业融资难融资贵、劳动争议、“僵尸企业”出清等环节中，还需要持续改进工作，降低民营企业维权成本的方式方法有待拓展，" +
				"司法服务便利化的各项措施的落实力度还需要进一步加大。",
			measures: "开展法治化营商环境评价，拓展民营企业维权渠道。", rectifiedBy: 0x13203, rectifying: day(2022, 4, 1)},
		{id: 0x13504, title: "推进柔性执法自觉性不高、规范性不足", category: "行政执法",
			detail: "部分县区推进速度较慢，办理柔性执法案件数量较少；有的行政执法部门柔性执法免罚清单范围小、事项少，且执行清单不严格，落实情况较差；" +
				"大部分行政执法部门在开展柔性执法工作时，只是单纯不作出行政处罚，忽视了教育引导过程，不能达到以“教育引导”替代“处罚惩戒”的目的。",
			indicators: []string{"3.1"}, tasks: []int{0x13103},
			measures: "建立柔性执法评价机制，完善柔性执法事项清单。", rectifiedBy: 0x13204, rectifying: day(2022, 3, 15)},
	}
}

// ProgressRecords is how many records seedProgress adds to an empty
// database: the reports and the problems.
func ProgressRecords() int { return len(demoReports()) + len(demoProblems()) }

// ProgressEvents is the audit events of seedProgress: each report written,
// submitted and accepted, each problem recorded and its rectification
// started.
func ProgressEvents() int {
	n := 0
	for _, r := range demoReports() {
		n++
		if !r.submitted.IsZero() {
			n++
		}
		if !r.accepted.IsZero() {
			n++
		}
	}
	for _, p := range demoProblems() {
		n++
		if !p.rectifying.IsZero() {
			n++
		}
	}
	return n
}

// seedProgress adds the demo's reports and problems, each unless it is
// there, at the instants the demo tells.
func seedProgress(ctx context.Context, s Store) (int, error) {
	n := 0
	for _, dr := range demoReports() {
		switch _, _, _, err := s.GetProgressReport(ctx, ID(dr.id)); {
		case err == nil:
			continue
		case !errors.Is(err, models.ErrNotFound):
			return n, fmt.Errorf("seed demo progress report: %w", err)
		}
		if err := dr.seed(ctx, s); err != nil {
			return n, fmt.Errorf("seed demo progress report %s: %w", dr.period, err)
		}
		n++
	}
	indicators := cityIndicatorIDs()
	for _, dp := range demoProblems() {
		switch _, err := s.GetProblem(ctx, ID(dp.id)); {
		case err == nil:
			continue
		case !errors.Is(err, models.ErrNotFound):
			return n, fmt.Errorf("seed demo problem: %w", err)
		}
		if err := dp.seed(ctx, s, indicators); err != nil {
			return n, fmt.Errorf("seed demo problem %s: %w", dp.title, err)
		}
		n++
	}
	return n, nil
}

func (dr demoReport) seed(ctx context.Context, s Store) error {
	r := models.NewProgressReport(ID(dr.id), ID(dr.task), dr.unit, dr.period, models.UserActor(dr.by))
	r.Content, r.Percent, r.NextSteps, r.SampleData = dr.content, dr.percent, dr.next, true
	if err := at(s, dr.created, func() error { return s.CreateProgressReport(ctx, r) }); err != nil {
		return err
	}
	if dr.submitted.IsZero() {
		return nil
	}
	err := at(s, dr.submitted, func() error {
		_, err := s.SubmitProgressReport(ctx, r.ID, models.UserActor(dr.by))
		return err
	})
	if err != nil || dr.accepted.IsZero() {
		return err
	}
	return at(s, dr.accepted, func() error {
		_, err := s.ReviewProgressReport(ctx, r.ID, func(r *models.ProgressReport, at time.Time) error {
			return r.Accept(models.UserActor(dr.reviewer), at)
		})
		return err
	})
}

func (dp demoProblem) seed(ctx context.Context, s Store, indicators map[string]string) error {
	p := models.NewProblem(ID(dp.id), RuleOfLawOffice, 2021, models.SourceAnnualReview, dp.title, models.UserActor(AdminUser))
	p.Detail, p.Category, p.SampleData = dp.detail, dp.category, true
	for _, code := range dp.indicators {
		p.IndicatorIDs = append(p.IndicatorIDs, indicators[code])
	}
	for _, t := range dp.tasks {
		p.TaskIDs = append(p.TaskIDs, ID(t))
	}
	if err := at(s, problemsRecorded, func() error { return s.CreateProblem(ctx, p) }); err != nil {
		return err
	}
	if dp.rectifying.IsZero() {
		return nil
	}
	return at(s, dp.rectifying, func() error {
		_, err := s.ChangeProblem(ctx, p.ID, nil, func(p *models.Problem, at time.Time, _ int) error {
			return p.Rectify(at, &dp.measures, ptr(ID(dp.rectifiedBy)))
		})
		return err
	})
}
