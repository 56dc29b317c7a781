package demo

import "github.com/fazhi/fazhi/models"

// unitRow is one demo unit: its number (for its fixed id), its parent's number
// (0 for the root) and its fields.
type unitRow struct {
	n, parent int
	code      string
	name      string
	short     string
	kind      models.UnitKind
}

// Panjin (盤錦市) as the seed report shows it: the city, its three districts and
// county, its economic zones (縣區、經濟區), the city government, the rule-of-law
// office in the Justice Bureau, the departments that enforce the law or appear
// in the report, and a few towns, villages and communities as samples.
//
// Codes: the administrative division codes of the areas; towns and villages
// follow the 9- and 12-digit statistical form (sample values); economic zones and
// departments, which have no division code, take the city's or district's code
// and a sequence number.
var unitRows = []unitRow{
	{0x01, 0, "211100", "盤錦市", "盤錦", models.UnitCity},
	{0x02, 0x01, "211102", "雙台子區", "", models.UnitDistrict},
	{0x03, 0x01, "211103", "興隆台區", "", models.UnitDistrict},
	{0x04, 0x01, "211104", "大窪區", "", models.UnitDistrict},
	{0x05, 0x01, "211122", "盤山縣", "", models.UnitCounty},
	{0x06, 0x01, "211100-J01", "遼東灣新區", "", models.UnitEconomicZone},
	{0x07, 0x01, "211100-J02", "盤錦高新技術產業開發區", "高新區", models.UnitEconomicZone},
	{0x08, 0x01, "211100-J03", "遼河口生態經濟區", "遼河口經濟區", models.UnitEconomicZone},
	{0x09, 0x01, "211100-000", "盤錦市人民政府", "市政府", models.UnitOffice},
	{0x0a, 0x09, "211100-099", "盤錦市人民政府辦公室", "市政府辦", models.UnitOffice},

	{0x10, 0x01, "211100-001", "盤錦市司法局", "市司法局", models.UnitDepartment},
	{0x11, 0x10, "211100-002", "中共盤錦市委全面依法治市委員會辦公室", "市依法治市辦", models.UnitOffice},
	{0x12, 0x10, "211100-003", "盤錦市法律援助中心", "市法律援助中心", models.UnitOffice},
	{0x13, 0x10, "211100-004", "盤錦仲裁委員會", "盤錦仲裁委", models.UnitOffice},

	{0x20, 0x01, "211100-010", "盤錦市公安局", "市公安局", models.UnitDepartment},
	{0x21, 0x01, "211100-011", "盤錦市市場監督管理局", "市市場監管局", models.UnitDepartment},
	{0x22, 0x01, "211100-012", "盤錦市生態環境局", "市生態環境局", models.UnitDepartment},
	{0x23, 0x01, "211100-013", "盤錦市交通運輸局", "市交通運輸局", models.UnitDepartment},
	{0x24, 0x01, "211100-014", "盤錦市自然資源局", "市自然資源局", models.UnitDepartment},
	{0x25, 0x01, "211100-015", "盤錦市住房和城鄉建設局", "市住建局", models.UnitDepartment},
	{0x26, 0x01, "211100-016", "盤錦市城市管理綜合行政執法局", "市城管執法局", models.UnitDepartment},
	{0x27, 0x01, "211100-017", "盤錦市應急管理局", "市應急局", models.UnitDepartment},
	{0x28, 0x01, "211100-018", "盤錦市衛生健康委員會", "市衛健委", models.UnitDepartment},
	{0x29, 0x01, "211100-019", "盤錦市文化旅遊和廣播電視局", "市文旅廣電局", models.UnitDepartment},
	{0x2a, 0x01, "211100-020", "盤錦市農業農村局", "市農業農村局", models.UnitDepartment},
	{0x2b, 0x01, "211100-021", "盤錦市水利局", "市水利局", models.UnitDepartment},
	{0x2c, 0x01, "211100-022", "盤錦市人力資源和社會保障局", "市人社局", models.UnitDepartment},
	{0x2d, 0x01, "211100-023", "盤錦市教育局", "市教育局", models.UnitDepartment},
	{0x2e, 0x01, "211100-024", "盤錦市民政局", "市民政局", models.UnitDepartment},
	{0x2f, 0x01, "211100-025", "盤錦市財政局", "市財政局", models.UnitDepartment},
	{0x30, 0x01, "211100-026", "盤錦市發展和改革委員會", "市發改委", models.UnitDepartment},
	{0x31, 0x01, "211100-027", "盤錦市營商環境建設局", "市營商局", models.UnitDepartment},
	{0x32, 0x01, "211100-028", "盤錦市商務局", "市商務局", models.UnitDepartment},
	{0x33, 0x01, "211100-029", "盤錦市工業和信息化局", "市工信局", models.UnitDepartment},
	{0x34, 0x01, "211100-030", "盤錦市醫療保障局", "市醫保局", models.UnitDepartment},
	{0x35, 0x01, "211100-031", "盤錦市退役軍人事務局", "市退役軍人局", models.UnitDepartment},
	{0x36, 0x01, "211100-032", "盤錦市統計局", "市統計局", models.UnitDepartment},
	{0x37, 0x01, "211100-033", "盤錦市審計局", "市審計局", models.UnitDepartment},
	{0x38, 0x01, "211100-034", "盤錦市消防救援支隊", "市消防支隊", models.UnitDepartment},
	{0x39, 0x01, "211100-035", "國家稅務總局盤錦市稅務局", "市稅務局", models.UnitDepartment},
	{0x3a, 0x01, "211100-036", "盤錦市信訪局", "市信訪局", models.UnitDepartment},
	{0x3b, 0x01, "211100-037", "盤錦市林業和草原局", "市林草局", models.UnitDepartment},

	{0x40, 0x02, "211102-001", "雙台子區司法局", "", models.UnitDepartment},
	{0x41, 0x03, "211103-001", "興隆台區司法局", "", models.UnitDepartment},
	{0x42, 0x04, "211104-001", "大窪區司法局", "", models.UnitDepartment},
	{0x43, 0x05, "211122-001", "盤山縣司法局", "", models.UnitDepartment},
	{0x44, 0x03, "211103-002", "興隆台區市場監督管理局", "", models.UnitDepartment},

	{0x50, 0x02, "211102001", "紅旗街道", "", models.UnitTown},
	{0x51, 0x03, "211103001", "興隆街道", "", models.UnitTown},
	{0x52, 0x51, "211103001001", "興盛社區", "", models.UnitCommunity},
	{0x53, 0x04, "211104001", "田家街道", "", models.UnitTown},
	{0x54, 0x05, "211122101", "太平鎮", "", models.UnitTown},
	{0x55, 0x54, "211122101201", "太平村", "", models.UnitVillage},
	{0x56, 0x54, "211122101202", "坨子村", "", models.UnitVillage},
}

// Units returns the demo units, parents before children, with ids, levels and
// paths filled in.
func Units() []*models.Unit {
	byNum := map[int]*models.Unit{}
	out := make([]*models.Unit, 0, len(unitRows))
	for _, r := range unitRows {
		u := &models.Unit{
			ID: ID(r.n), Code: r.code, Name: r.name, Kind: r.kind,
			Level: 1, Path: models.UnitPath("", ID(r.n)),
			Version: 1, CreatedAt: seededAt, UpdatedAt: seededAt,
		}
		if r.short != "" {
			u.ShortName = &r.short
		}
		if p := byNum[r.parent]; p != nil {
			u.ParentID = &p.ID
			u.Level = p.Level + 1
			u.Path = models.UnitPath(p.Path, u.ID)
		}
		byNum[r.n] = u
		out = append(out, u)
	}
	return out
}
