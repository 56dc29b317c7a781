package demo

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"time"

	"github.com/fazhi/fazhi/models"
)

// The demo's yearly work plans (年度工作要点) of the rule-of-law office, drawn
// from the seed report: the plan of 2021, whose tasks are the achievements
// of its part one, all done but one; the plan of 2022, whose six tasks are
// the report's plan for 2022 (part three), two of them done, two under way
// and two not started; and Xinglongtai district's draft 工作安排 that breaks
// two of them down.
var (
	// Plan2021 is the city's plan of 2021, published and not closed: its
	// last task, in progress, is the one closing the year carries into 2022.
	Plan2021 = ID(0x13001)
	// Plan2022 is the city's plan of 2022, published: 6 tasks, 4 unfinished.
	Plan2022 = ID(0x13002)
	// DraftPlan is Xinglongtai district's draft arrangement of 2022, derived
	// from Plan2022 with copies of its tasks 4 and 6.
	DraftPlan = ID(0x13003)
)

// The instants of the plans: written and published early in their year,
// the district's arrangement drafted after the city's was published.
var (
	plan2021Created   = time.Date(2021, 2, 20, 1, 0, 0, 0, time.UTC)
	plan2021Published = time.Date(2021, 3, 1, 1, 0, 0, 0, time.UTC)
	plan2022Created   = time.Date(2022, 2, 10, 1, 0, 0, 0, time.UTC)
	plan2022Published = time.Date(2022, 2, 25, 1, 0, 0, 0, time.UTC)
	draftPlanCreated  = time.Date(2022, 3, 1, 1, 0, 0, 0, time.UTC)
)

// demoTask is a task of a demo plan: its id, fields, links (city
// indicators by code) and when it was started and completed (zero: not).
type demoTask struct {
	id                  int
	number, title       string
	content, deadline   string // deadline: "" with ongoing
	ongoing, supervised bool
	lead, cooperating   []string
	indicators          []string // codes of the city's indicators
	checklists          []string
	started, completed  time.Time
	source              string // the task of the parent plan it breaks down
}

// demoPlan is a demo plan and its tasks; a zero published leaves it a draft.
type demoPlan struct {
	id, unit       string
	year           int
	title          string
	kind           models.PlanKind
	documentNumber string
	parent         string
	created        time.Time
	published      time.Time
	tasks          []demoTask
}

// day is 09:00 in China on the day.
func day(year int, month time.Month, d int) time.Time {
	return time.Date(year, month, d, 1, 0, 0, 0, time.UTC)
}

func plan2021() demoPlan {
	return demoPlan{
		id: Plan2021, unit: RuleOfLawOffice, year: 2021, title: "盘锦市2021年法治政府建设工作要点",
		kind: models.PlanKeyPoints, documentNumber: "盘法治办发〔2021〕1号",
		created: plan2021Created, published: plan2021Published,
		tasks: []demoTask{
			{id: 0x13101, number: "1", title: "深化“放管服”改革，推行证明事项告知承诺制",
				content:  "梳理证明事项清单和告知承诺制目录，涉及证明事项536项，实行告知承诺制152项。",
				deadline: "2021-06-30", lead: []string{ID(0x31)}, cooperating: []string{JusticeBureau},
				indicators: []string{"1.1", "1.2"}, started: day(2021, 3, 10), completed: day(2021, 6, 28)},
			{id: 0x13102, number: "2", title: "规范重大行政决策和行政规范性文件审查",
				content: "落实重大行政决策规则，审核重大行政决策和行政规范性文件140件，5件重大行政决策履行完整程序。",
				ongoing: true, lead: []string{CityGovernmentOffice}, cooperating: []string{JusticeBureau},
				indicators: []string{"2.2", "2.4"}, started: day(2021, 3, 10), completed: day(2021, 12, 24)},
			{id: 0x13103, number: "3", title: "推行柔性执法机制",
				content:  "制定《盘锦市柔性执法事项清单》，涵盖24个执法部门共计854项，推行“721”工作模式。",
				deadline: "2021-07-31", lead: []string{JusticeBureau}, cooperating: []string{ID(0x20), ID(0x26), ID(0x23)},
				indicators: []string{"3.1", "3.2"}, checklists: []string{FlexibleList},
				started: day(2021, 3, 15), completed: day(2021, 7, 30)},
			{id: 0x13104, number: "4", title: "严格执行涉企行政执法检查计划",
				content:  "执行《2021年度涉企行政执法检查计划》，17家市（省）直部门77个执法检查项目通过审核。",
				deadline: "2021-12-31", lead: []string{JusticeBureau}, cooperating: []string{ID(0x31)},
				indicators: []string{"3.7", "3.8"}, started: day(2021, 3, 15), completed: day(2021, 12, 20)},
			{id: 0x13105, number: "5", title: "加强矛盾纠纷预防化解",
				content: "283个村、242个社区全部建成评理说事点，全年调解矛盾纠纷6000余件，调解成功率99%。",
				ongoing: true, lead: []string{JusticeBureau}, cooperating: []string{ID(0x3a)},
				indicators: []string{"4.1", "4.2", "4.9", "4.10"}, started: day(2021, 3, 10), completed: day(2021, 12, 28)},
			{id: 0x13106, number: "6", title: "深化行政复议体制改革",
				content:  "整合行政复议职责，印发行政复议体制改革实施方案，市本级审理行政复议案件100件。",
				deadline: "2021-12-31", lead: []string{JusticeBureau},
				indicators: []string{"4.11"}, started: day(2021, 4, 1), completed: day(2021, 12, 15)},
			{id: 0x13107, number: "7", title: "提升公共法律服务水平",
				content:  "完成实体、热线、网络三大平台融合，办理法律援助案件2001件，法律援助经济困难标准由730元调整为1610元。",
				deadline: "2021-12-31", lead: []string{JusticeBureau}, cooperating: []string{LegalAidCentre},
				indicators: []string{"5.7", "5.8", "5.9"}, started: day(2021, 3, 10), completed: day(2021, 12, 28)},
			{id: 0x13108, number: "8", title: "推进法治乡村建设", content: "开展民主法治示范村（社区）创建。",
				deadline: "2021-12-31", lead: []string{JusticeBureau}, started: day(2021, 4, 15)},
		},
	}
}

func plan2022() demoPlan {
	return demoPlan{
		id: Plan2022, unit: RuleOfLawOffice, year: 2022, title: "盘锦市2022年法治政府建设工作要点",
		kind: models.PlanKeyPoints, documentNumber: "盘法治办发〔2022〕1号",
		created: plan2022Created, published: plan2022Published,
		tasks: []demoTask{
			{id: 0x13201, number: "1", title: "强化法治建设组织保障",
				content: "发挥市委法治建设委员会牵头抓总作用，研究解决全面依法治市中的重大问题。",
				ongoing: true, lead: []string{RuleOfLawOffice}, started: day(2022, 3, 1), completed: day(2022, 6, 30)},
			{id: 0x13202, number: "2", title: "履行推进法治建设第一责任人职责",
				content: "完善党政主要负责人述法工作机制，与年度考核、述职述廉同时评议。",
				ongoing: true, lead: []string{RuleOfLawOffice}, started: day(2022, 3, 1), completed: day(2022, 7, 15)},
			{id: 0x13203, number: "3", title: "持续优化法治化营商环境",
				content:  "对标省营商环境评价指标体系，开展法治化营商环境评价。",
				deadline: "2022-10-31", supervised: true, lead: []string{ID(0x31)}, cooperating: []string{ID(0x21)},
				started: day(2022, 4, 1)},
			{id: 0x13204, number: "4", title: "推行柔性执法工作机制",
				content:  "建立柔性执法评价机制，完善柔性执法事项清单、行政执法事项清单、行政执法责任清单和721工作清单。",
				deadline: "2022-06-30", lead: []string{JusticeBureau}, cooperating: []string{CityGovernmentOffice},
				checklists: []string{FlexibleList}, started: day(2022, 3, 15)},
			{id: 0x13205, number: "5", title: "加强法治工作队伍建设",
				content:  "加强法治专门队伍和法律服务队伍建设，开展行政执法人员培训。",
				deadline: "2022-12-31", lead: []string{JusticeBureau}, cooperating: []string{ID(0x2c)}},
			{id: 0x13206, number: "6", title: "做好法治建设督察和自查",
				content:  "按照中央和省统一安排，开展法治政府建设督察和年度自查。",
				deadline: "2022-11-30", lead: []string{RuleOfLawOffice}, checklists: []string{SelfInspectionList}},
		},
	}
}

// draftPlan is the district's arrangement: copies of the 2022 plan's tasks
// 4 and 6, as deriving makes them, not started.
func draftPlan() demoPlan {
	city := plan2022()
	p := demoPlan{
		id: DraftPlan, unit: Xinglongtai, year: 2022, title: "兴隆台区2022年法治政府建设工作安排",
		kind: models.PlanArrangement, parent: Plan2022, created: draftPlanCreated,
	}
	for i, src := range []demoTask{city.tasks[3], city.tasks[5]} {
		c := src
		c.id, c.source = 0x13301+i, ID(src.id)
		c.started, c.completed = time.Time{}, time.Time{}
		p.tasks = append(p.tasks, c)
	}
	return p
}

func demoPlans() []demoPlan { return []demoPlan{plan2021(), plan2022(), draftPlan()} }

// PlanRecords is how many records seedPlans and seedProgress add to an
// empty database: the three plans and their tasks, the progress reports and
// the problems.
func PlanRecords() int {
	n := ProgressRecords() + ReportRecords()
	for _, p := range demoPlans() {
		n += 1 + len(p.tasks)
	}
	return n
}

// PlanEvents is the audit events of seedPlans and seedProgress: each plan
// and task created, each plan published, each task started and completed,
// and ProgressEvents.
func PlanEvents() int {
	n := ProgressEvents() + ReportEvents()
	for _, p := range demoPlans() {
		n += 1 + len(p.tasks)
		if !p.published.IsZero() {
			n++
		}
		for _, t := range p.tasks {
			if !t.started.IsZero() {
				n++
			}
			if !t.completed.IsZero() {
				n++
			}
		}
	}
	return n
}

// task is the task as CreatePlanTask takes it, its indicators named by id.
func (t demoTask) task(planID string, indicators map[string]string) *models.PlanTask {
	pt := models.NewPlanTask(ID(t.id), planID)
	pt.Number, pt.Title, pt.Content, pt.Ongoing, pt.Supervised = t.number, t.title, t.content, t.ongoing, t.supervised
	if t.deadline != "" {
		pt.Deadline = ptr(t.deadline)
	}
	pt.LeadUnitIDs, pt.CooperatingUnitIDs = append([]string{}, t.lead...), append([]string{}, t.cooperating...)
	pt.ChecklistIDs = append([]string{}, t.checklists...)
	pt.IndicatorIDs = []string{}
	for _, code := range t.indicators {
		pt.IndicatorIDs = append(pt.IndicatorIDs, indicators[code])
	}
	if t.source != "" {
		pt.SourceTaskID = ptr(t.source)
	}
	return pt
}

// cityIndicatorIDs are the ids of the city's indicators by code.
func cityIndicatorIDs() map[string]string {
	_, inds := CityIndicators()
	ids := make(map[string]string, len(inds))
	for _, ind := range inds {
		ids[ind.Code] = ind.ID
	}
	return ids
}

// seedPlans adds the demo plans, each unless it is there: written with its
// tasks, published, and its tasks started and completed, each at the
// instant the demo tells (when the store lets its clock be set). The links
// need the city's indicator system and both checklists published first.
func seedPlans(ctx context.Context, s Store) (int, error) {
	n := 0
	indicators := cityIndicatorIDs()
	admin := models.UserActor(AdminUser)
	for _, dp := range demoPlans() {
		switch _, err := s.GetPlan(ctx, dp.id); {
		case err == nil:
			continue
		case !errors.Is(err, models.ErrNotFound):
			return n, fmt.Errorf("seed demo plan: %w", err)
		}
		p := models.NewPlan(dp.id, dp.unit, dp.year, dp.title, dp.kind, admin)
		p.SampleData = true
		if dp.documentNumber != "" {
			p.DocumentNumber = ptr(dp.documentNumber)
		}
		if dp.parent != "" {
			p.ParentPlanID = ptr(dp.parent)
		}
		err := at(s, dp.created, func() error {
			if err := s.CreatePlan(ctx, p); err != nil {
				return err
			}
			n++
			for _, t := range dp.tasks {
				if err := s.CreatePlanTask(ctx, t.task(dp.id, indicators)); err != nil {
					return fmt.Errorf("task %s: %w", t.number, err)
				}
				n++
			}
			return nil
		})
		if err != nil {
			return n, fmt.Errorf("seed demo plan %s: %w", dp.title, err)
		}
		if dp.published.IsZero() {
			continue
		}
		err = at(s, dp.published, func() error {
			_, err := s.PublishPlan(ctx, dp.id, nil, admin)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("publish demo plan %s: %w", dp.title, err)
		}
		if err := moveTasks(ctx, s, dp.tasks, admin); err != nil {
			return n, fmt.Errorf("seed demo plan %s: %w", dp.title, err)
		}
	}
	return n, nil
}

// moveTasks starts and completes the tasks of a published plan, as the
// demo tells, in the order of the instants.
func moveTasks(ctx context.Context, s Store, tasks []demoTask, by models.Actor) error {
	type move struct {
		when   time.Time
		task   demoTask
		finish bool
	}
	var moves []move
	for _, t := range tasks {
		if !t.started.IsZero() {
			moves = append(moves, move{t.started, t, false})
		}
		if !t.completed.IsZero() {
			moves = append(moves, move{t.completed, t, true})
		}
	}
	slices.SortStableFunc(moves, func(a, b move) int { return a.when.Compare(b.when) })
	for _, m := range moves {
		apply := func(pt *models.PlanTask, _ time.Time) error { return pt.Start() }
		if m.finish {
			apply = func(pt *models.PlanTask, at time.Time) error { return pt.Complete(by, at) }
		}
		err := at(s, m.when, func() error {
			_, err := s.MovePlanTask(ctx, ID(m.task.id), apply)
			return err
		})
		if err != nil {
			return fmt.Errorf("task %s: %w", m.task.number, err)
		}
	}
	return nil
}
