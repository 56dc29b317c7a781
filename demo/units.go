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

// Panjin (盘锦市) as the seed report shows it: the city, its three districts and
// county, its economic zones (县区、经济区), the city government, the rule-of-law
// office in the Justice Bureau, the departments that enforce the law or appear
// in the report, and a few towns, villages and communities as samples.
//
// Codes: the administrative division codes of the areas; towns and villages
// follow the 9- and 12-digit statistical form (sample values); economic zones and
// departments, which have no division code, take the city's or district's code
// and a sequence number.
var unitRows = []unitRow{
	{0x01, 0, "211100", "盘锦市", "盘锦", models.UnitCity},
	{0x02, 0x01, "211102", "双台子区", "", models.UnitDistrict},
	{0x03, 0x01, "211103", "兴隆台区", "", models.UnitDistrict},
	{0x04, 0x01, "211104", "大洼区", "", models.UnitDistrict},
	{0x05, 0x01, "211122", "盘山县", "", models.UnitCounty},
	{0x06, 0x01, "211100-J01", "辽东湾新区", "", models.UnitEconomicZone},
	{0x07, 0x01, "211100-J02", "盘锦高新技术产业开发区", "高新区", models.UnitEconomicZone},
	{0x08, 0x01, "211100-J03", "辽河口生态经济区", "辽河口经济区", models.UnitEconomicZone},
	{0x09, 0x01, "211100-000", "盘锦市人民政府", "市政府", models.UnitOffice},
	{0x0a, 0x09, "211100-099", "盘锦市人民政府办公室", "市政府办", models.UnitOffice},

	{0x10, 0x01, "211100-001", "盘锦市司法局", "市司法局", models.UnitDepartment},
	{0x11, 0x10, "211100-002", "中共盘锦市委全面依法治市委员会办公室", "市依法治市办", models.UnitOffice},
	{0x12, 0x10, "211100-003", "盘锦市法律援助中心", "市法律援助中心", models.UnitOffice},
	{0x13, 0x10, "211100-004", "盘锦仲裁委员会", "盘锦仲裁委", models.UnitOffice},

	{0x20, 0x01, "211100-010", "盘锦市公安局", "市公安局", models.UnitDepartment},
	{0x21, 0x01, "211100-011", "盘锦市市场监督管理局", "市市场监管局", models.UnitDepartment},
	{0x22, 0x01, "211100-012", "盘锦市生态环境局", "市生态环境局", models.UnitDepartment},
	{0x23, 0x01, "211100-013", "盘锦市交通运输局", "市交通运输局", models.UnitDepartment},
	{0x24, 0x01, "211100-014", "盘锦市自然资源局", "市自然资源局", models.UnitDepartment},
	{0x25, 0x01, "211100-015", "盘锦市住房和城乡建设局", "市住建局", models.UnitDepartment},
	{0x26, 0x01, "211100-016", "盘锦市城市管理综合行政执法局", "市城管执法局", models.UnitDepartment},
	{0x27, 0x01, "211100-017", "盘锦市应急管理局", "市应急局", models.UnitDepartment},
	{0x28, 0x01, "211100-018", "盘锦市卫生健康委员会", "市卫健委", models.UnitDepartment},
	{0x29, 0x01, "211100-019", "盘锦市文化旅游和广播电视局", "市文旅广电局", models.UnitDepartment},
	{0x2a, 0x01, "211100-020", "盘锦市农业农村局", "市农业农村局", models.UnitDepartment},
	{0x2b, 0x01, "211100-021", "盘锦市水利局", "市水利局", models.UnitDepartment},
	{0x2c, 0x01, "211100-022", "盘锦市人力资源和社会保障局", "市人社局", models.UnitDepartment},
	{0x2d, 0x01, "211100-023", "盘锦市教育局", "市教育局", models.UnitDepartment},
	{0x2e, 0x01, "211100-024", "盘锦市民政局", "市民政局", models.UnitDepartment},
	{0x2f, 0x01, "211100-025", "盘锦市财政局", "市财政局", models.UnitDepartment},
	{0x30, 0x01, "211100-026", "盘锦市发展和改革委员会", "市发改委", models.UnitDepartment},
	{0x31, 0x01, "211100-027", "盘锦市营商环境建设局", "市营商局", models.UnitDepartment},
	{0x32, 0x01, "211100-028", "盘锦市商务局", "市商务局", models.UnitDepartment},
	{0x33, 0x01, "211100-029", "盘锦市工业和信息化局", "市工信局", models.UnitDepartment},
	{0x34, 0x01, "211100-030", "盘锦市医疗保障局", "市医保局", models.UnitDepartment},
	{0x35, 0x01, "211100-031", "盘锦市退役军人事务局", "市退役军人局", models.UnitDepartment},
	{0x36, 0x01, "211100-032", "盘锦市统计局", "市统计局", models.UnitDepartment},
	{0x37, 0x01, "211100-033", "盘锦市审计局", "市审计局", models.UnitDepartment},
	{0x38, 0x01, "211100-034", "盘锦市消防救援支队", "市消防支队", models.UnitDepartment},
	{0x39, 0x01, "211100-035", "国家税务总局盘锦市税务局", "市税务局", models.UnitDepartment},
	{0x3a, 0x01, "211100-036", "盘锦市信访局", "市信访局", models.UnitDepartment},
	{0x3b, 0x01, "211100-037", "盘锦市林业和草原局", "市林草局", models.UnitDepartment},

	{0x40, 0x02, "211102-001", "双台子区司法局", "", models.UnitDepartment},
	{0x41, 0x03, "211103-001", "兴隆台区司法局", "", models.UnitDepartment},
	{0x42, 0x04, "211104-001", "大洼区司法局", "", models.UnitDepartment},
	{0x43, 0x05, "211122-001", "盘山县司法局", "", models.UnitDepartment},
	{0x44, 0x03, "211103-002", "兴隆台区市场监督管理局", "", models.UnitDepartment},

	{0x50, 0x02, "211102001", "红旗街道", "", models.UnitTown},
	{0x51, 0x03, "211103001", "兴隆街道", "", models.UnitTown},
	{0x52, 0x51, "211103001001", "兴盛社区", "", models.UnitCommunity},
	{0x53, 0x04, "211104001", "田家街道", "", models.UnitTown},
	{0x54, 0x05, "211122101", "太平镇", "", models.UnitTown},
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
