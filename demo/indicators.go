package demo

import (
	"time"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
)

// Fixed ids of the demo indicator system.
var CitySystem = ID(0x3001)

// cityAreas are the level-1 indicators of the city's system: the sections of
// part one of the seed report that carry figures.
var cityAreas = []struct{ code, name string }{
	{"1", "依法全面履行政府职能"},
	{"2", "提高政府立法质量，依法民主决策"},
	{"3", "严格规范公正文明执法"},
	{"4", "预防和化解行政纠纷"},
	{"5", "全面提升公共法律服务水平"},
}

// figure is one figure of the seed report: the indicator that measures it and
// what the city reported for 2021, with the qualifier and the words the report
// used (rawText is quoted from the report verbatim).
type figure struct {
	area                    int
	code, name, measureUnit string
	valueType               models.ValueType
	value                   string
	qualifier               models.Qualifier
	rawText                 string
}

// cityFigures are every figure of Panjin's 2021 report (DOMAIN.md's table, and
// the figures it leaves out), as the approved 2021 values of the city.
var cityFigures = []figure{
	{1, "1.1", "证明事项", "项", "number", "536", "exact", "证明事项536项"},
	{1, "1.2", "实行告知承诺制的证明事项", "项", "number", "152", "exact", "实行告知承诺证明事项152项"},
	{1, "1.3", "暂不实行告知承诺制的证明事项", "项", "number", "384", "exact", "暂不实行的384项"},
	{1, "1.4", "压缩审批时限的工程建设项目类别", "类", "number", "14", "exact", "将14类工程建设项目审批时限全部压缩"},
	{1, "1.5", "工程建设项目审批最长时限", "工作日", "number", "60", "at_most", "60个工作日以内"},
	{1, "1.6", "工程建设项目审批最短时限", "工作日", "number", "5", "minimum", "最短5个工作日"},
	{1, "1.7", "依申请类和公共服务事项即办率", "%", "percent", "50", "at_least", "即办率提高至50%以上"},
	{1, "1.8", "全程网办率", "%", "percent", "70", "at_least", "全程网办率提高至70%以上"},
	{1, "1.9", "政务服务一窗进驻比例", "%", "percent", "80", "at_least", "一窗进驻比例达80%以上"},
	{1, "1.10", "辽事通APP实名注册率", "%", "percent", "58.10", "exact", "实名注册率达58.10%"},
	{1, "1.11", "完成好差评系统对接的政务服务窗口单位", "家", "number", "689", "exact", "689家政务服务窗口单位"},
	{1, "1.12", "联办一件事", "个", "number", "121", "exact", "上线121个"},
	{1, "1.13", "单个事项一件事", "个", "number", "600", "exact", "600个单个事项"},
	{1, "1.14", "可一次办好的重点民生一件事", "类", "number", "10", "exact", "等10类重点民生"},
	{1, "1.15", "信用分级分类监管制度", "个", "number", "15", "exact", "出台了15个信用分级分类监管制度"},
	{1, "1.16", "信用场景应用", "个", "number", "10", "exact", "创新10个信用场景应用"},
	{1, "1.17", "征集信用数据", "条", "number", "40000000", "more_than", "共征集信用数据4000余万条"},
	{1, "1.18", "发布信用动态", "条", "number", "2933", "exact", "发布信用动态2933条"},
	{1, "1.19", "发布政策法规", "条", "number", "382", "exact", "政策法规382条"},
	{1, "1.20", "发布红黑名单", "个", "number", "1046", "exact", "红黑名单1046个"},
	{1, "1.21", "累计公示行政许可", "条", "number", "28911", "exact", "累计公示行政许可28911条"},
	{1, "1.22", "公示行政处罚", "条", "number", "614", "exact", "行政处罚614条"},
	{1, "1.23", "信用报告", "个", "number", "464", "exact", "信用报告464个"},
	{1, "1.24", "完成信用修复申请初审的企业", "家", "number", "29", "exact", "完成29家企业的信用修复申请初审工作"},
	{1, "1.25", "全国信用状况监测评价排名提升", "位", "number", "10", "exact", "全国信用状况监测评价排名提升10位"},
	{2, "2.1", "立法计划", "项", "number", "2", "exact", "2项立法计划"},
	{2, "2.2", "审核重大行政决策和行政规范性文件", "件", "number", "140", "exact", "行政规范性文件审核140件"},
	{2, "2.3", "法规、规章和规范性文件清理", "轮", "number", "5", "exact", "开展5轮地方性法规"},
	{2, "2.4", "履行完整程序的重大行政决策", "件", "number", "5", "exact", "全市5件重大行政决策"},
	{3, "3.1", "制定柔性执法事项清单的执法部门", "个", "number", "24", "exact", "等24个执法部门"},
	{3, "3.2", "柔性执法事项", "项", "number", "854", "exact", "共计854项"},
	{3, "3.3", "适用免罚清单不予处罚的案件", "件", "number", "2848", "exact", "不予处罚2848个案件"},
	{3, "3.4", "因此受益的法人", "家", "number", "65", "exact", "65家法人"},
	{3, "3.5", "因此受益的自然人", "位", "number", "3923", "exact", "3923位自然人"},
	{3, "3.6", "累计减免罚金额", "万元", "number", "119.47", "exact", "累计减免罚金额119.47万元"},
	{3, "3.7", "涉企行政执法检查计划的市（省）直部门", "家", "number", "17", "exact", "17家市(省)直部门"},
	{3, "3.8", "通过审核的执法检查项目", "个", "number", "77", "exact", "77个执法检查项目"},
	{3, "3.9", "评查的2020年行政执法案卷", "卷", "number", "568", "exact", "共568卷案卷"},
	{4, "4.1", "建成评理说事点的村", "个", "number", "283", "exact", "全市283个村"},
	{4, "4.2", "建成评理说事点的社区", "个", "number", "242", "exact", "242个社区"},
	{4, "4.3", "评理说事点调处矛盾纠纷", "件", "number", "1500", "more_than", "共调处矛盾纠纷1500余件"},
	{4, "4.4", "评理说事点收集群众信息", "件", "number", "3000", "more_than", "收集群众信息3000余件"},
	{4, "4.5", "评理说事点开展普法宣传", "件次", "number", "600", "more_than", "开展普法宣传600余件次"},
	{4, "4.6", "评理说事点提供法律服务", "件", "number", "2000", "more_than", "为群众提供法律服务2000余件"},
	{4, "4.7", "开展矛盾纠纷排查", "次", "number", "10000", "more_than", "共开展矛盾纠纷排查1万余次"},
	{4, "4.8", "预防民转刑案件", "件", "number", "400", "more_than", "预防“民转刑”案件400余件"},
	{4, "4.9", "调解各类矛盾纠纷", "件", "number", "6000", "more_than", "调解各类矛盾纠纷6000余件"},
	{4, "4.10", "矛盾纠纷调解成功率", "%", "percent", "99", "exact", "成功率达99%"},
	{4, "4.11", "市本级审理行政复议案件", "件", "number", "100", "exact", "市本级共审理行政复议案件100件"},
	{5, "5.1", "接待来访法律咨询", "人次", "number", "2869", "exact", "共接待来访法律咨询2869人次"},
	{5, "5.2", "12348电话咨询", "次", "number", "9431", "exact", "12348电话咨询9431次"},
	{5, "5.3", "仲裁受理案件", "件", "number", "45", "exact", "仲裁受理案件45件"},
	{5, "5.4", "仲裁争议标的额", "亿元", "number", "1.32", "exact", "争议标的额1.32亿元"},
	{5, "5.5", "法律援助专项普法活动", "次", "number", "37", "exact", "开展专项普法活动37次"},
	{5, "5.6", "发放宣传材料和宣传品", "份", "number", "40000", "more_than", "发放宣传材料和宣传品4万余份"},
	{5, "5.7", "办理法律援助案件", "件", "number", "2001", "exact", "共计办理法律援助案件2001件"},
	{5, "5.8", "法律援助经济困难审核标准（调整前）", "元", "number", "730", "exact", "最低生活保障标准730元"},
	{5, "5.9", "法律援助经济困难审核标准（调整后）", "元", "number", "1610", "exact", "最低工资标准1610元"},
	{5, "5.10", "通过云端联网集中向宪法宣誓", "名", "number", "10000", "more_than", "全市1万余名党员干部"},
	{5, "5.11", "民法典等法治宣传教育系列活动", "场次", "number", "800", "more_than", "系列活动800余场次"},
	{5, "5.12", "专题宣传的地方性法规", "部", "number", "10", "exact", "公布的10部地方性法规"},
}

// CityIndicators returns the city's system "盘锦市2021年法治政府建设主要指标":
// five areas of 20 points and one indicator per figure, the area's points
// shared out so that they add up exactly.
func CityIndicators() (*models.IndicatorSystem, []*models.Indicator) {
	s := &models.IndicatorSystem{
		ID: CitySystem, Name: "盘锦市2021年法治政府建设主要指标", IssuingUnitID: RuleOfLawOffice,
		Edition: "2021年版", YearFrom: 2021, YearTo: 2021, TotalPoints: exact.FromInt(100),
	}
	var inds []*models.Indicator
	areaIDs := map[int]string{}
	for i, a := range cityAreas {
		ind := &models.Indicator{
			ID: ID(0x3100 + i + 1), SystemID: s.ID, Code: a.code, Name: a.name, Points: exact.FromInt(20),
			ValueType: "evidence_only", Direction: "target", Aggregation: "none", Frequency: "year", SortOrder: i + 1,
		}
		areaIDs[i+1] = ind.ID
		inds = append(inds, ind)
	}
	count := map[int]int{}
	for _, f := range cityFigures {
		count[f.area]++
	}
	seen := map[int]int{}
	for i, f := range cityFigures {
		seen[f.area]++
		parent := areaIDs[f.area]
		unit := f.measureUnit
		aggregation := models.Aggregation("sum")
		if f.valueType == "percent" {
			aggregation = "average"
		}
		inds = append(inds, &models.Indicator{
			ID: ID(0x3200 + i + 1), SystemID: s.ID, ParentID: &parent, Code: f.code, Name: f.name, Level: 2,
			Points: share(exact.FromInt(20), count[f.area], seen[f.area]), MeasureUnit: &unit,
			ValueType: f.valueType, Direction: "higher_better", Aggregation: aggregation, Frequency: "year",
			SortOrder: seen[f.area],
		})
	}
	return s, inds
}

// share is the n-th of count shares of total, to one decimal, the last taking
// what is left so that the shares add up to total exactly.
func share(total exact.Decimal, count, n int) exact.Decimal {
	each, err := total.Quo(exact.FromInt(int64(count)), 1)
	if err != nil {
		panic(err) // count is never zero
	}
	if n < count {
		return each
	}
	return total.Sub(each.Mul(exact.FromInt(int64(count - 1))))
}

// CityValues returns the city's approved 2021 value of every figure.
func CityValues() []*models.IndicatorValue {
	asOf := time.Date(2021, 12, 31, 0, 0, 0, 0, time.UTC) // 截至12月底
	var out []*models.IndicatorValue
	for i, f := range cityFigures {
		v := exact.MustParse(f.value)
		raw := f.rawText
		out = append(out, &models.IndicatorValue{
			ID: ID(0x5000 + i + 1), IndicatorID: ID(0x3200 + i + 1), SystemID: CitySystem, UnitID: PanjinCity,
			Period: "2021", Year: 2021, Value: &v, Qualifier: f.qualifier, RawText: &raw, AsOf: &asOf,
			Status: models.ValueApproved, Flags: []string{},
		})
	}
	return out
}
