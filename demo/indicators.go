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
	{"1", "依法全面履行政府職能"},
	{"2", "提高政府立法質量，依法民主決策"},
	{"3", "嚴格規范公正文明執法"},
	{"4", "預防和化解行政糾紛"},
	{"5", "全面提升公共法律服務水平"},
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
	{1, "1.1", "證明事項", "項", "number", "536", "exact", "證明事項536項"},
	{1, "1.2", "實行告知承諾制的證明事項", "項", "number", "152", "exact", "實行告知承諾證明事項152項"},
	{1, "1.3", "暫不實行告知承諾制的證明事項", "項", "number", "384", "exact", "暫不實行的384項"},
	{1, "1.4", "壓縮審批時限的工程建設項目類別", "類", "number", "14", "exact", "將14類工程建設項目審批時限全部壓縮"},
	{1, "1.5", "工程建設項目審批最長時限", "工作日", "number", "60", "at_most", "60個工作日以內"},
	{1, "1.6", "工程建設項目審批最短時限", "工作日", "number", "5", "minimum", "最短5個工作日"},
	{1, "1.7", "依申請類和公共服務事項即辦率", "%", "percent", "50", "at_least", "即辦率提高至50%以上"},
	{1, "1.8", "全程網辦率", "%", "percent", "70", "at_least", "全程網辦率提高至70%以上"},
	{1, "1.9", "政務服務一窗進駐比例", "%", "percent", "80", "at_least", "一窗進駐比例達80%以上"},
	{1, "1.10", "遼事通APP實名注冊率", "%", "percent", "58.10", "exact", "實名注冊率達58.10%"},
	{1, "1.11", "完成好差評系統對接的政務服務窗口單位", "家", "number", "689", "exact", "689家政務服務窗口單位"},
	{1, "1.12", "聯辦一件事", "個", "number", "121", "exact", "上線121個"},
	{1, "1.13", "單個事項一件事", "個", "number", "600", "exact", "600個單個事項"},
	{1, "1.14", "可一次辦好的重點民生一件事", "類", "number", "10", "exact", "等10類重點民生"},
	{1, "1.15", "信用分級分類監管制度", "個", "number", "15", "exact", "出臺了15個信用分級分類監管制度"},
	{1, "1.16", "信用場景應用", "個", "number", "10", "exact", "創新10個信用場景應用"},
	{1, "1.17", "征集信用數據", "條", "number", "40000000", "more_than", "共征集信用數據4000余萬條"},
	{1, "1.18", "發布信用動態", "條", "number", "2933", "exact", "發布信用動態2933條"},
	{1, "1.19", "發布政策法規", "條", "number", "382", "exact", "政策法規382條"},
	{1, "1.20", "發布紅黑名單", "個", "number", "1046", "exact", "紅黑名單1046個"},
	{1, "1.21", "累計公示行政許可", "條", "number", "28911", "exact", "累計公示行政許可28911條"},
	{1, "1.22", "公示行政處罰", "條", "number", "614", "exact", "行政處罰614條"},
	{1, "1.23", "信用報告", "個", "number", "464", "exact", "信用報告464個"},
	{1, "1.24", "完成信用修復申請初審的企業", "家", "number", "29", "exact", "完成29家企業的信用修復申請初審工作"},
	{1, "1.25", "全國信用狀況監測評價排名提升", "位", "number", "10", "exact", "全國信用狀況監測評價排名提升10位"},
	{2, "2.1", "立法計劃", "項", "number", "2", "exact", "2項立法計劃"},
	{2, "2.2", "審核重大行政決策和行政規范性文件", "件", "number", "140", "exact", "行政規范性文件審核140件"},
	{2, "2.3", "法規、規章和規范性文件清理", "輪", "number", "5", "exact", "開展5輪地方性法規"},
	{2, "2.4", "履行完整程序的重大行政決策", "件", "number", "5", "exact", "全市5件重大行政決策"},
	{3, "3.1", "制定柔性執法事項清單的執法部門", "個", "number", "24", "exact", "等24個執法部門"},
	{3, "3.2", "柔性執法事項", "項", "number", "854", "exact", "共計854項"},
	{3, "3.3", "適用免罰清單不予處罰的案件", "件", "number", "2848", "exact", "不予處罰2848個案件"},
	{3, "3.4", "因此受益的法人", "家", "number", "65", "exact", "65家法人"},
	{3, "3.5", "因此受益的自然人", "位", "number", "3923", "exact", "3923位自然人"},
	{3, "3.6", "累計減免罰金額", "萬元", "number", "119.47", "exact", "累計減免罰金額119.47萬元"},
	{3, "3.7", "涉企行政執法檢查計劃的市（省）直部門", "家", "number", "17", "exact", "17家市(省)直部門"},
	{3, "3.8", "通過審核的執法檢查項目", "個", "number", "77", "exact", "77個執法檢查項目"},
	{3, "3.9", "評查的2020年行政執法案卷", "卷", "number", "568", "exact", "共568卷案卷"},
	{4, "4.1", "建成評理說事點的村", "個", "number", "283", "exact", "全市283個村"},
	{4, "4.2", "建成評理說事點的社區", "個", "number", "242", "exact", "242個社區"},
	{4, "4.3", "評理說事點調處矛盾糾紛", "件", "number", "1500", "more_than", "共調處矛盾糾紛1500余件"},
	{4, "4.4", "評理說事點收集群眾信息", "件", "number", "3000", "more_than", "收集群眾信息3000余件"},
	{4, "4.5", "評理說事點開展普法宣傳", "件次", "number", "600", "more_than", "開展普法宣傳600余件次"},
	{4, "4.6", "評理說事點提供法律服務", "件", "number", "2000", "more_than", "為群眾提供法律服務2000余件"},
	{4, "4.7", "開展矛盾糾紛排查", "次", "number", "10000", "more_than", "共開展矛盾糾紛排查1萬余次"},
	{4, "4.8", "預防民轉刑案件", "件", "number", "400", "more_than", "預防“民轉刑”案件400余件"},
	{4, "4.9", "調解各類矛盾糾紛", "件", "number", "6000", "more_than", "調解各類矛盾糾紛6000余件"},
	{4, "4.10", "矛盾糾紛調解成功率", "%", "percent", "99", "exact", "成功率達99%"},
	{4, "4.11", "市本級審理行政復議案件", "件", "number", "100", "exact", "市本級共審理行政復議案件100件"},
	{5, "5.1", "接待來訪法律咨詢", "人次", "number", "2869", "exact", "共接待來訪法律咨詢2869人次"},
	{5, "5.2", "12348電話咨詢", "次", "number", "9431", "exact", "12348電話咨詢9431次"},
	{5, "5.3", "仲裁受理案件", "件", "number", "45", "exact", "仲裁受理案件45件"},
	{5, "5.4", "仲裁爭議標的額", "億元", "number", "1.32", "exact", "爭議標的額1.32億元"},
	{5, "5.5", "法律援助專項普法活動", "次", "number", "37", "exact", "開展專項普法活動37次"},
	{5, "5.6", "發放宣傳材料和宣傳品", "份", "number", "40000", "more_than", "發放宣傳材料和宣傳品4萬余份"},
	{5, "5.7", "辦理法律援助案件", "件", "number", "2001", "exact", "共計辦理法律援助案件2001件"},
	{5, "5.8", "法律援助經濟困難審核標準（調整前）", "元", "number", "730", "exact", "最低生活保障標準730元"},
	{5, "5.9", "法律援助經濟困難審核標準（調整后）", "元", "number", "1610", "exact", "最低工資標準1610元"},
	{5, "5.10", "通過云端聯網集中向憲法宣誓", "名", "number", "10000", "more_than", "全市1萬余名黨員干部"},
	{5, "5.11", "民法典等法治宣傳教育系列活動", "場次", "number", "800", "more_than", "系列活動800余場次"},
	{5, "5.12", "專題宣傳的地方性法規", "部", "number", "10", "exact", "公布的10部地方性法規"},
}

// CityIndicators returns the city's system "盤錦市2021年法治政府建設主要指標":
// five areas of 20 points and one indicator per figure, the area's points
// shared out so that they add up exactly.
func CityIndicators() (*models.IndicatorSystem, []*models.Indicator) {
	s := &models.IndicatorSystem{
		ID: CitySystem, Name: "盤錦市2021年法治政府建設主要指標", IssuingUnitID: RuleOfLawOffice,
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
