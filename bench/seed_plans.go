package main

import (
	"context"
	"fmt"
	"time"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/store"
)

// planSections are the parts of the benchmark's annual plan, as a city's
// 法治政府建设工作要点 divides its tasks.
var planSections = []string{
	"加强党对法治政府建设的领导", "依法全面履行政府职能", "健全依法行政制度体系", "推进行政决策科学化民主化法治化",
	"深化行政执法体制改革", "严格规范公正文明执法", "强化行政权力制约和监督", "依法预防化解社会矛盾纠纷",
	"加强公共法律服务体系建设", "全面提升法治思维和依法行政能力",
}

// planTopics are the tasks' subjects; each task names its lead district.
var planTopics = []string{
	"落实行政执法“三项制度”", "推行证明事项告知承诺制", "开展行政规范性文件清理", "规范重大行政决策程序",
	"推进柔性执法工作机制", "加强涉企行政执法检查监督", "深化“放管服”改革", "完善行政复议案件审理机制",
	"推进行政机关负责人出庭应诉", "开展法治化营商环境评价", "推进法治乡村建设", "加强法治工作队伍建设",
	"开展行政执法人员培训", "完善矛盾纠纷多元化解机制", "提升公共法律服务平台效能", "推进政务公开标准化规范化",
	"落实“谁执法谁普法”普法责任制", "加强合法性审核工作", "开展法治政府建设示范创建", "做好法治建设督察和自查",
}

// seedPlan writes the city's annual plan of this year (in China), as the
// product does, through the store: s.Tasks tasks, ten sections and the
// tasks numbered under them, each led by a district with the next one
// cooperating; deadlines on the 15th or the last day of a month of the
// year (every 25th task ongoing), so that the tasks due before today are
// overdue unless finished. Once published, every 8th task is completed,
// every 16th has its lead district's accepted report (which starts it),
// every 16th more is started and every 40th cancelled. It returns the
// plan's id.
func seedPlan(ctx context.Context, db *store.DB, s scale, city *models.Unit, districts []*models.Unit,
	indicators []*models.Indicator, admin *models.User) (string, error) {
	year := time.Now().In(models.ChinaTime).Year()
	by := models.UserActor(admin.ID)
	p := models.NewPlan(store.NewID(), city.ID, year, fmt.Sprintf("基准市%d年法治政府建设工作要点", year), models.PlanKeyPoints, by)
	p.DocumentNumber = new(fmt.Sprintf("基准法治办发〔%d〕1号", year))
	if err := db.CreatePlan(ctx, p); err != nil {
		return "", fmt.Errorf("plan: %w", err)
	}
	for i, title := range planSections {
		t := models.NewPlanTask(store.NewID(), p.ID)
		t.Number, t.Title = fmt.Sprint(i+1), title
		if err := db.CreatePlanTask(ctx, t); err != nil {
			return "", fmt.Errorf("section %s: %w", t.Number, err)
		}
	}
	var tasks []*models.PlanTask
	for i := range s.Tasks - len(planSections) {
		lead, next := districts[i%len(districts)], districts[(i+1)%len(districts)]
		t := models.NewPlanTask(store.NewID(), p.ID)
		t.Number = fmt.Sprintf("%d.%d", i%len(planSections)+1, i/len(planSections)+1)
		t.Title = fmt.Sprintf("%s%s", lead.Name, planTopics[i%len(planTopics)])
		t.Content = fmt.Sprintf("%s牵头，%s配合，按季度报送工作进展，年底前形成工作总结。", lead.Name, next.Name)
		t.Supervised = i%7 == 0
		if i%25 == 24 {
			t.Ongoing = true
		} else {
			month := time.Month(i%12 + 1)
			d := time.Date(year, month, 15, 0, 0, 0, 0, time.UTC)
			if i%2 == 1 {
				d = time.Date(year, month+1, 0, 0, 0, 0, 0, time.UTC) // the month's last day
			}
			t.Deadline = new(d.Format(time.DateOnly))
		}
		t.LeadUnitIDs, t.CooperatingUnitIDs = []string{lead.ID}, []string{}
		if next != lead {
			t.CooperatingUnitIDs = []string{next.ID}
		}
		if i%5 == 0 {
			t.IndicatorIDs = []string{indicators[i%len(indicators)].ID}
		}
		if err := db.CreatePlanTask(ctx, t); err != nil {
			return "", fmt.Errorf("task %s: %w", t.Number, err)
		}
		tasks = append(tasks, t)
	}
	if _, err := db.PublishPlan(ctx, p.ID, nil, by); err != nil {
		return "", fmt.Errorf("publish the plan: %w", err)
	}

	// A report is accepted by someone other than who submitted it.
	hash, err := (&password.Hasher{Params: password.Fast}).Hash(password.NewInitial())
	if err != nil {
		return "", err
	}
	reviewer := &models.User{Username: "bench.reviewer", DisplayName: "基准审核员", UnitID: city.ID,
		Roles: []models.Role{models.RoleReviewer}, PasswordHash: hash}
	if err := db.CreateUser(ctx, reviewer); err != nil {
		return "", fmt.Errorf("reviewer: %w", err)
	}
	for i, t := range tasks {
		var apply func(t *models.PlanTask, at time.Time) error
		switch {
		case i%8 == 0:
			apply = func(t *models.PlanTask, at time.Time) error { return t.Complete(by, at) }
		case i%16 == 1:
			r := models.NewProgressReport(store.NewID(), t.ID, t.LeadUnitIDs[0], fmt.Sprintf("%d-Q%d", year, i%4+1), by)
			r.Content, r.Percent = "已制定工作方案，明确责任分工，按计划推进。", 20+i*7%70
			if err := db.CreateProgressReport(ctx, r); err != nil {
				return "", fmt.Errorf("report on task %s: %w", t.Number, err)
			}
			if _, err := db.SubmitProgressReport(ctx, r.ID, by); err != nil {
				return "", fmt.Errorf("submit the report on task %s: %w", t.Number, err)
			}
			_, err := db.ReviewProgressReport(ctx, r.ID, func(r *models.ProgressReport, at time.Time) error {
				return r.Accept(models.UserActor(reviewer.ID), at)
			})
			if err != nil {
				return "", fmt.Errorf("accept the report on task %s: %w", t.Number, err)
			}
			continue
		case i%16 == 3:
			apply = func(t *models.PlanTask, _ time.Time) error { return t.Start() }
		case i%40 == 5:
			apply = func(t *models.PlanTask, _ time.Time) error {
				return t.Cancel("职能调整，任务并入其他工作。")
			}
		default:
			continue
		}
		if _, err := db.MovePlanTask(ctx, t.ID, apply); err != nil {
			return "", fmt.Errorf("move task %s: %w", t.Number, err)
		}
	}
	return p.ID, nil
}
