package demo

import (
	"context"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"time"

	"github.com/fazhi/fazhi/models"
)

// The city's flexible-enforcement list (《盘锦市柔性执法事项清单》): the seed
// report says it was drawn up with the implementation plan of flexible
// enforcement (《关于在行政执法中推行柔性执法机制的实施方案》) and "涵盖公安、
// 城市管理、交通等24个执法部门共计854项". The demo holds it as a published
// 不予处罚事项清单 of 2021 issued by the city government's office, with exactly
// 854 items of 24 departments, and its 2022 revision in draft.
//
// The items are generated sample data, not the city's real items: each is a
// minor violation of its department's field with a plausible violated rule
// and penalty provision, under one of the three grounds of 《行政处罚法》第三十
// 三条 for not imposing a penalty. The list is marked SampleData, and every
// item says so in its remark. The document number is a sample too.

// FlexibleList is the id of the flexible-enforcement list: of its first
// version, the 2021 list, which every later version shares as its list id.
var FlexibleList = ID(0xc001)

// FlexibleList2022 is the id of its 2022 revision, a draft.
var FlexibleList2022 = ID(0xc002)

// Fixed ids and item keys of the list's items: the n-th item of 2021 has the
// key c100+n; its id is d800+n in 2021 and d100+n in the 2022 draft, where
// the draft writes it itself (its tail: revisionPlan; the store gives its
// copies of the other items ids of its own). An item the draft adds has
// e000+i as its key and its id.
const (
	flexItemKeys   = 0xc100 // + n: the key of the n-th item of 2021 (1..854)
	flexItemIDs    = 0xd800 // + n: the id of the n-th item of 2021
	flexRevisedIDs = 0xd100 // + n: the id in the 2022 draft of the item with the key c100+n
	flexNewKeys    = 0xe000 // + i: the key and id of the i-th item the 2022 draft adds
)

// The instants of the list's life: drafted and filled for the city
// government's office, submitted for legality review by the demo's reporter
// account, published by the demo's legality reviewer of the Justice Bureau
// (a different account, as the review requires), in force from 1 August
// 2021, when the revised 《行政处罚法》 and its 第三十三条 (in force since 15
// July 2021) apply; revised in March 2022. The store stamps them only when
// it lets the seed set its clock (Clock).
var (
	flexDrafted   = time.Date(2021, 7, 5, 1, 30, 0, 0, time.UTC)
	flexSubmitted = time.Date(2021, 7, 16, 2, 0, 0, 0, time.UTC)
	flexPublished = time.Date(2021, 7, 26, 7, 0, 0, 0, time.UTC)
	flexRevised   = time.Date(2022, 3, 1, 1, 30, 0, 0, time.UTC)
	flexEdited    = time.Date(2022, 3, 8, 2, 0, 0, 0, time.UTC)
)

// flexRemark is every generated item's remark.
const flexRemark = "演示用示例数据：本事项由系统生成，并非盘锦市公布的清单原文。"

// flexReviewComment is the legality review's comment on publishing.
const flexReviewComment = "经合法性审查，同意发布。本清单为演示用示例数据，清单事项由系统生成，并非盘锦市公布的清单原文。"

// Laws and regulations the items cite.
const (
	lawPenalty       = "《中华人民共和国行政处罚法》"
	lawPublicOrder   = "《中华人民共和国治安管理处罚法》"
	lawRoadTraffic   = "《中华人民共和国道路交通安全法》"
	lawRoadTrafficRg = "《中华人民共和国道路交通安全法实施条例》"
	lawEntryExit     = "《中华人民共和国出境入境管理法》"
	lawHotels        = "《旅馆业治安管理办法》"
	lawInternetCafes = "《互联网上网服务营业场所管理条例》"
	lawEntertainment = "《娱乐场所管理条例》"
	lawHazardousChem = "《危险化学品安全管理条例》"
	lawFireworks     = "《烟花爆竹安全管理条例》"
	lawCityAppear    = "《城市市容和环境卫生管理条例》"
	lawCityRoads     = "《城市道路管理条例》"
	lawCityGreen     = "《城市绿化条例》"
	lawDrainage      = "《城镇排水与污水处理条例》"
	lawCityWaste     = "《城市生活垃圾管理办法》"
	lawBuildWaste    = "《城市建筑垃圾管理规定》"
	lawRoadTransport = "《中华人民共和国道路运输条例》"
	lawHighway       = "《中华人民共和国公路法》"
	lawHighwaySafety = "《公路安全保护条例》"
	lawCompanyReg    = "《中华人民共和国公司登记管理条例》"
	lawMarketReg     = "《中华人民共和国市场主体登记管理条例》"
	lawAdvertising   = "《中华人民共和国广告法》"
	lawFoodSafety    = "《中华人民共和国食品安全法》"
	lawPrice         = "《中华人民共和国价格法》"
	lawMetrology     = "《中华人民共和国计量法实施细则》"
	lawProductQual   = "《中华人民共和国产品质量法》"
	lawSpecialEquip  = "《中华人民共和国特种设备安全法》"
	lawECommerce     = "《中华人民共和国电子商务法》"
	lawAirPollution  = "《中华人民共和国大气污染防治法》"
	lawWaterPollut   = "《中华人民共和国水污染防治法》"
	lawSolidWaste    = "《中华人民共和国固体废物污染环境防治法》"
	lawNoiseOld      = "《中华人民共和国环境噪声污染防治法》"
	lawNoise         = "《中华人民共和国噪声污染防治法》"
	lawPollutPermit  = "《排污许可管理条例》"
	lawSafety        = "《中华人民共和国安全生产法》"
	lawFire          = "《中华人民共和国消防法》"
	lawAccounting    = "《中华人民共和国会计法》"
	lawStatistics    = "《中华人民共和国统计法》"
	lawTaxAdmin      = "《中华人民共和国税收征收管理法》"
	lawInvoices      = "《中华人民共和国发票管理办法》"
	lawMedicalFund   = "《医疗保障基金使用监督管理条例》"
	lawEnergy        = "《中华人民共和国节约能源法》"
	lawAgriProducts  = "《中华人民共和国农产品质量安全法》"
	lawPesticides    = "《农药管理条例》"
	lawLabourContr   = "《中华人民共和国劳动合同法》"
	lawOccDisease    = "《中华人民共和国职业病防治法》"
	lawPublicPlaces  = "《公共场所卫生管理条例实施细则》"
	lawMedWaste      = "《医疗废物管理条例》"
	lawMedInstit     = "《医疗机构管理条例》"
)

// act is one minor violation (违法行为) of a list, worded without its
// circumstances, with the rule it breaks (违法依据) and the provision that
// would punish it (处罚依据).
type act struct{ name, violated, penalty string }

// field is a field of supervision (监管领域), an item's category, with its
// violations.
type field struct {
	name string
	acts []act
}

// enforcer is one of the 24 departments with items in the list: its unit's
// number, how many items it has, and its fields.
type enforcer struct {
	unit   int
	items  int
	fields []field
}

// ground is one of the three grounds of 《行政处罚法》第三十三条 on which a
// violation goes unpunished: the list words the item after it, and gives it
// as the item's legal basis and conditions.
type ground struct {
	name       func(act string) string
	legalBasis string
	conditions string
}

// firstTime words a violation as a first offence: "首次" before a violation
// worded from its act (未按规定…, 在…, 擅自…), "（首次违法）" after one worded
// from who commits it (娱乐场所未按规定…), where "首次" would read wrong.
func firstTime(a string) string {
	for _, verb := range []string{"未", "不", "在", "违反", "擅自", "随地", "以", "迟报", "经催报", "提供", "埋压", "拆本", "跨", "将", "驾驶", "占用", "损坏", "制造", "使用", "展示", "调运"} {
		if strings.HasPrefix(a, verb) {
			return "首次" + a
		}
	}
	return a + "（首次违法）"
}

// educate is what every ground adds: 《行政处罚法》第三十三条第三款, and the
// seed report's complaint that departments skipped it.
const educate = "执法机关应当对当事人进行教育，并做好记录。"

var grounds = []ground{
	{ // 首违不罚
		name:       firstTime,
		legalBasis: lawPenalty + "第三十三条第一款",
		conditions: "初次违法且危害后果轻微，并在执法机关责令改正的期限内改正的，可以不予行政处罚。" + educate,
	},
	{ // 轻微不罚
		name:       func(a string) string { return a + "（情节轻微并及时改正）" },
		legalBasis: lawPenalty + "第三十三条第一款",
		conditions: "违法行为轻微并及时改正，没有造成危害后果的，不予行政处罚。" + educate,
	},
	{ // 无过错不罚
		name:       func(a string) string { return a + "（无主观过错）" },
		legalBasis: lawPenalty + "第三十三条第二款",
		conditions: "当事人有证据足以证明没有主观过错的，不予行政处罚；法律、行政法规另有规定的，从其规定。" + educate,
	},
}

// enforcers are the list's departments in the list's order: the three the
// seed report names first, the market regulator last, its registration
// items last of all (where the 2022 revision changes the list:
// flexibleRevision). Their items add up to 854.
var enforcers = []enforcer{
	{0x20, 66, []field{ // 市公安局
		{"治安管理", []act{
			{"未按规定登记住宿旅客身份信息", lawHotels + "第六条", lawPublicOrder + "第五十六条第一款"},
			{"出租房屋未按规定登记承租人身份信息", lawPublicOrder + "第五十七条第一款", lawPublicOrder + "第五十七条第一款"},
			{"制造社会生活噪声干扰他人正常生活", lawPublicOrder + "第五十八条", lawPublicOrder + "第五十八条"},
			{"饲养动物干扰他人正常生活", lawPublicOrder + "第七十五条第一款", lawPublicOrder + "第七十五条第一款"},
			{"未按规定核对、登记上网消费者有效身份证件", lawInternetCafes + "第二十三条", lawInternetCafes + "第三十二条"},
			{"娱乐场所未按规定建立从业人员名簿、营业日志", lawEntertainment + "第二十五条", lawEntertainment + "第五十条"},
			{"保安服务公司未按规定办理备案", "《保安服务管理条例》第十二条", "《保安服务管理条例》第四十二条"},
			{"承修机动车未按规定如实登记", "《机动车修理业、报废机动车回收业治安管理办法》第九条", "《机动车修理业、报废机动车回收业治安管理办法》第十九条"},
			{"收购生产性废旧金属未如实登记", "《废旧金属收购业治安管理办法》第八条", "《废旧金属收购业治安管理办法》第十四条"},
			{"典当业务未按规定查验、登记当户身份", "《典当管理办法》第三十五条", "《典当管理办法》第六十六条"},
		}},
		{"出入境管理", []act{
			{"外国人未按规定办理住宿登记", lawEntryExit + "第三十九条第二款", lawEntryExit + "第七十六条第一款"},
			{"未按规定向公安机关报送外国人住宿登记信息", lawEntryExit + "第三十九条第一款", lawEntryExit + "第七十六条第二款"},
		}},
		{"危险物品管理", []act{
			{"在禁止燃放的时间、地点燃放烟花爆竹", lawFireworks + "第三十条", lawFireworks + "第四十二条第二款"},
			{"销售剧毒化学品未按规定如实记录购买单位信息", lawHazardousChem + "第四十一条第一款", lawHazardousChem + "第八十一条第一款"},
			{"易制爆危险化学品购买单位未按规定备案", lawHazardousChem + "第四十一条第二款", lawHazardousChem + "第八十一条第一款"},
		}},
		{"道路交通安全", []act{
			{"驾驶机动车未随车携带行驶证、驾驶证", lawRoadTraffic + "第十一条第一款、第十九条第四款", lawRoadTraffic + "第九十五条第一款"},
			{"机动车未按规定放置检验合格标志、保险标志", lawRoadTraffic + "第十一条第一款", lawRoadTraffic + "第九十五条第一款"},
			{"违反规定停放、临时停车且驾驶人在现场", lawRoadTraffic + "第五十六条", lawRoadTraffic + "第九十三条第一款"},
			{"驾驶摩托车未按规定佩戴安全头盔", lawRoadTraffic + "第五十一条", lawRoadTraffic + "第九十条"},
			{"驾驶机动车未按规定使用安全带", lawRoadTraffic + "第五十一条", lawRoadTraffic + "第九十条"},
			{"驾驶非机动车违反道路通行规定", lawRoadTraffic + "第三十八条", lawRoadTraffic + "第八十九条"},
			{"行人违反道路通行规定", lawRoadTraffic + "第六十一条", lawRoadTraffic + "第八十九条"},
			{"机动车号牌不清晰、不完整", lawRoadTrafficRg + "第十三条第一款", lawRoadTraffic + "第九十条"},
		}},
	}},
	{0x26, 66, []field{ // 市城管执法局
		{"市容环境卫生", []act{
			{"随地吐痰、便溺，乱扔果皮、纸屑和烟头等废弃物", lawCityAppear + "第十条", lawCityAppear + "第三十四条第（一）项"},
			{"在城市建筑物、设施以及树木上涂写、刻画", lawCityAppear + "第十七条第一款", lawCityAppear + "第三十四条第（二）项"},
			{"未经批准在城市建筑物、设施以及树木上张挂、张贴宣传品", lawCityAppear + "第十七条第二款", lawCityAppear + "第三十四条第（三）项"},
			{"在临街建筑物的阳台和窗外堆放、吊挂有碍市容的物品", lawCityAppear + "第十条", lawCityAppear + "第三十四条第（四）项"},
			{"不按规定的时间、地点、方式倾倒垃圾", lawCityAppear + "第二十八条", lawCityAppear + "第三十四条第（五）项"},
			{"不履行卫生责任区清扫保洁义务", lawCityAppear + "第九条", lawCityAppear + "第三十四条第（六）项"},
			{"运输散装货物未作密封、覆盖造成遗撒", lawCityAppear + "第十五条", lawCityAppear + "第三十四条第（七）项"},
			{"临街工地未设置护栏或者未作遮挡", lawCityAppear + "第十六条", lawCityAppear + "第三十四条第（八）项"},
			{"未经批准擅自设置户外广告设施", lawCityAppear + "第十一条", lawCityAppear + "第三十六条"},
			{"未经批准在街道两侧和公共场地堆放物料", lawCityAppear + "第十四条", lawCityAppear + "第三十六条第（二）项"},
			{"在街道两侧和公共场地擅自摆摊设点", lawCityAppear + "第十四条", lawCityAppear + "第三十六条"},
			{"饲养家禽家畜影响市容和环境卫生", lawCityAppear + "第二十七条", lawCityAppear + "第三十五条"},
		}},
		{"市政设施", []act{
			{"占用城市道路施工未设置明显标志和安全防围设施", lawCityRoads + "第二十四条", lawCityRoads + "第四十二条"},
			{"擅自占用城市道路从事经营活动", lawCityRoads + "第三十一条", lawCityRoads + "第四十二条"},
			{"占用城市道路期满未及时清理现场", lawCityRoads + "第三十三条", lawCityRoads + "第四十二条"},
			{"在城市桥梁上或者非指定的城市道路上试刹车", lawCityRoads + "第二十七条", lawCityRoads + "第四十二条"},
		}},
		{"园林绿化", []act{
			{"损坏城市树木花草", lawCityGreen + "第二十六条", lawCityGreen + "第二十七条第（一）项"},
			{"擅自修剪城市树木", lawCityGreen + "第二十一条", lawCityGreen + "第二十七条"},
		}},
		{"城镇排水", []act{
			{"未取得排水许可证向城镇排水设施排放污水", lawDrainage + "第二十一条", lawDrainage + "第五十条第一款"},
			{"未按照排水许可证的要求排放污水", lawDrainage + "第二十一条", lawDrainage + "第五十条第二款"},
		}},
		{"生活垃圾和建筑垃圾", []act{
			{"未按规定分类投放生活垃圾", lawCityWaste + "第十六条", lawCityWaste + "第四十二条"},
			{"运输生活垃圾途中丢弃、遗撒", lawCityWaste + "第二十条", lawCityWaste + "第四十三条"},
			{"未及时清运工程施工过程中产生的建筑垃圾", lawBuildWaste + "第十二条", lawBuildWaste + "第二十二条"},
			{"运输建筑垃圾途中丢弃、遗撒", lawBuildWaste + "第十四条", lawBuildWaste + "第二十三条"},
		}},
	}},
	{0x23, 58, []field{ // 市交通运输局
		{"道路运输", []act{
			{"客运车辆未随车携带道路运输证", lawRoadTransport + "第三十四条", lawRoadTransport + "第六十八条"},
			{"货运车辆未随车携带道路运输证", lawRoadTransport + "第三十四条", lawRoadTransport + "第六十八条"},
			{"机动车维修经营者未按规定建立维修档案", "《机动车维修管理规定》第三十七条", "《机动车维修管理规定》第五十二条"},
			{"机动车维修经营者未按规定公示维修工时定额和收费标准", "《机动车维修管理规定》第二十四条", "《机动车维修管理规定》第五十三条"},
			{"巡游出租汽车驾驶员未按规定使用计程计价设备", "《巡游出租汽车经营服务管理规定》第三十四条", "《巡游出租汽车经营服务管理规定》第四十九条"},
			{"巡游出租汽车未按规定放置服务监督卡", "《巡游出租汽车经营服务管理规定》第二十三条", "《巡游出租汽车经营服务管理规定》第四十八条"},
			{"网约车平台公司未按规定公示计程计价方式和标准", "《网络预约出租汽车经营服务管理暂行办法》第十九条", "《网络预约出租汽车经营服务管理暂行办法》第三十五条"},
			{"网约车未按规定随车携带网络预约出租汽车运输证", "《网络预约出租汽车经营服务管理暂行办法》第十七条", "《网络预约出租汽车经营服务管理暂行办法》第三十四条"},
			{"客运班车未按核定的站点停靠", "《道路旅客运输及客运站管理规定》第三十五条", "《道路旅客运输及客运站管理规定》第八十八条"},
			{"客运站未按规定公布票价和班次", "《道路旅客运输及客运站管理规定》第六十一条", "《道路旅客运输及客运站管理规定》第九十条"},
			{"驾驶员培训机构未按规定建立学员培训档案", "《机动车驾驶员培训管理规定》第二十四条", "《机动车驾驶员培训管理规定》第五十条"},
			{"驾驶员培训机构未按规定公示收费标准", "《机动车驾驶员培训管理规定》第二十条", "《机动车驾驶员培训管理规定》第五十条"},
			{"危险货物运输车辆未按规定随车携带安全卡", "《道路危险货物运输管理规定》第四十三条", "《道路危险货物运输管理规定》第六十三条"},
			{"出租汽车驾驶员未按规定携带从业资格证", "《出租汽车驾驶员从业资格管理规定》第三十一条", "《出租汽车驾驶员从业资格管理规定》第四十二条"},
			{"城市公共汽电车驾驶员未按规定报站", "《城市公共汽车和电车客运管理规定》第三十五条", "《城市公共汽车和电车客运管理规定》第六十四条"},
			{"港口经营人未按规定公布经营服务项目和收费标准", "《港口经营管理规定》第十八条", "《港口经营管理规定》第四十五条"},
		}},
		{"公路路政", []act{
			{"未经许可在公路用地范围内设置非公路标志", lawHighway + "第五十四条", lawHighway + "第七十九条"},
			{"在公路两侧建筑控制区内堆放物品", lawHighway + "第五十六条", lawHighway + "第八十一条"},
			{"在公路上及公路用地范围内摆摊设点", lawHighway + "第四十六条", lawHighway + "第七十七条"},
			{"车辆装载物掉落、遗洒影响公路安全", lawHighwaySafety + "第四十五条", lawHighwaySafety + "第六十九条"},
		}},
	}},
	{0x22, 46, []field{ // 市生态环境局
		{"大气污染防治", []act{
			{"未按规定设置大气污染物排放口", lawAirPollution + "第二十条", lawAirPollution + "第一百条第（五）项"},
			{"未按规定对排放的工业废气进行监测并保存原始监测记录", lawAirPollution + "第二十四条", lawAirPollution + "第一百条第（二）项"},
			{"贮存易产生扬尘的物料未采取密闭或者防尘措施", lawAirPollution + "第七十二条", lawAirPollution + "第一百一十七条第（一）项"},
			{"餐饮服务未按规定安装油烟净化设施", lawAirPollution + "第八十一条", lawAirPollution + "第一百一十八条第一款"},
		}},
		{"排污许可", []act{
			{"排污单位未按规定公开污染物排放信息", lawPollutPermit + "第二十三条", lawPollutPermit + "第三十六条"},
			{"排污单位未按规定建立环境管理台账记录制度", lawPollutPermit + "第二十一条", lawPollutPermit + "第三十七条第（一）项"},
			{"排污单位未按规定提交排污许可证执行报告", lawPollutPermit + "第二十二条", lawPollutPermit + "第三十七条第（二）项"},
		}},
		{"水污染防治", []act{
			{"重点排污单位未按规定安装水污染物排放自动监测设备", lawWaterPollut + "第二十三条", lawWaterPollut + "第八十二条第（二）项"},
			{"未按规定对所排放的水污染物自行监测", lawWaterPollut + "第二十三条", lawWaterPollut + "第八十二条第（一）项"},
		}},
		{"固体废物污染防治", []act{
			{"未按规定设置危险废物识别标志", lawSolidWaste + "第七十七条", lawSolidWaste + "第一百一十二条第一款第（一）项"},
			{"未按规定制定危险废物管理计划或者申报危险废物有关资料", lawSolidWaste + "第七十八条", lawSolidWaste + "第一百一十二条第一款第（二）项"},
			{"产生工业固体废物的单位未建立固体废物管理台账", lawSolidWaste + "第三十六条", lawSolidWaste + "第一百零二条第一款第（六）项"},
		}},
		{"环境影响评价", []act{
			{"建设项目环境影响登记表未依法备案", "《中华人民共和国环境影响评价法》第二十二条第三款", "《中华人民共和国环境影响评价法》第三十一条第三款"},
			{"未依法公开建设项目环境保护设施验收报告", "《建设项目环境保护管理条例》第十七条", "《建设项目环境保护管理条例》第二十三条"},
		}},
		{"噪声污染防治", []act{
			{"在城市市区噪声敏感建筑物集中区域内夜间进行建筑施工作业未取得证明", lawNoiseOld + "第三十条", lawNoiseOld + "第五十六条"},
			{"未按规定对工业噪声开展监测", lawNoiseOld + "第二十四条", lawNoiseOld + "第四十九条"},
		}},
	}},
	{0x25, 44, []field{ // 市住建局
		{"房地产市场", []act{
			{"房地产经纪机构未按规定公示服务项目和收费标准", "《房地产经纪管理办法》第十八条", "《房地产经纪管理办法》第三十四条"},
			{"房地产经纪机构未按规定保存房地产经纪服务合同", "《房地产经纪管理办法》第二十二条", "《房地产经纪管理办法》第三十五条"},
			{"商品房销售现场未按规定公示有关信息", "《商品房销售管理办法》第二十四条", "《商品房销售管理办法》第四十二条"},
			{"物业服务企业未按规定移交有关资料", "《物业管理条例》第三十八条", "《物业管理条例》第五十八条"},
			{"销售商品房未按规定明示所售商品房的能源消耗指标", "《民用建筑节能条例》第二十二条", "《民用建筑节能条例》第四十二条"},
		}},
		{"建筑市场和工程质量安全", []act{
			{"建设单位未按规定办理工程质量监督手续", "《建设工程质量管理条例》第十三条", "《建设工程质量管理条例》第五十六条第（六）项"},
			{"施工现场危险部位未设置明显的安全警示标志", "《建设工程安全生产管理条例》第二十八条第一款", "《建设工程安全生产管理条例》第六十二条"},
			{"施工现场未按规定设置工程概况牌", "《建设工程安全生产管理条例》第三十条", "《建设工程安全生产管理条例》第六十四条"},
			{"施工单位未按规定对进场建筑材料进行检验", "《建设工程质量管理条例》第二十九条", "《建设工程质量管理条例》第六十五条"},
			{"建筑业企业未按规定及时办理资质证书变更手续", "《建筑业企业资质管理规定》第二十条", "《建筑业企业资质管理规定》第三十八条"},
			{"施工现场未按规定公示施工许可证", "《建筑工程施工许可管理办法》第八条", "《建筑工程施工许可管理办法》第十二条"},
			{"工程监理单位未按规定填写监理日志", "《建设工程监理规范》第三条", "《建设工程质量管理条例》第六十七条"},
		}},
		{"住宅装修和燃气", []act{
			{"住宅室内装饰装修未按规定申报登记", "《住宅室内装饰装修管理办法》第十三条", "《住宅室内装饰装修管理办法》第三十五条"},
			{"燃气经营者未按规定进行安全用气宣传", "《城镇燃气管理条例》第十九条", "《城镇燃气管理条例》第四十六条"},
			{"燃气用户未按规定安装、使用燃气燃烧器具", "《城镇燃气管理条例》第二十八条", "《城镇燃气管理条例》第四十九条"},
		}},
	}},
	{0x24, 30, []field{ // 市自然资源局
		{"测绘地理信息", []act{
			{"测绘单位未按规定汇交测绘成果资料", "《中华人民共和国测绘法》第三十三条", "《中华人民共和国测绘法》第六十五条"},
			{"测绘单位未按规定对测绘成果进行质量检查", "《中华人民共和国测绘法》第三十九条", "《中华人民共和国测绘法》第六十三条"},
			{"展示、登载地图未按规定送审", "《地图管理条例》第十五条", "《地图管理条例》第四十九条"},
			{"互联网地图服务单位未按规定备案", "《地图管理条例》第三十四条", "《地图管理条例》第五十二条"},
		}},
		{"土地矿产", []act{
			{"临时使用土地期满未按规定恢复种植条件", "《中华人民共和国土地管理法》第五十七条", "《中华人民共和国土地管理法实施条例》第四十四条"},
			{"采矿权人未按规定提交年度报告", "《矿产资源开采登记管理办法》第十四条", "《矿产资源开采登记管理办法》第十八条"},
			{"探矿权人未按规定完成最低勘查投入", "《矿产资源勘查区块登记管理办法》第十七条", "《矿产资源勘查区块登记管理办法》第二十七条"},
			{"未按规定进行地质灾害危险性评估备案", "《地质灾害防治条例》第二十一条", "《地质灾害防治条例》第四十一条"},
		}},
		{"城乡规划", []act{
			{"施工现场未按规定公示建设工程规划许可内容", "《中华人民共和国城乡规划法》第四十条", "《辽宁省城乡规划条例》第六十二条"},
			{"建设单位未按规定报送有关竣工验收资料", "《中华人民共和国城乡规划法》第四十五条", "《中华人民共和国城乡规划法》第六十七条"},
		}},
	}},
	{0x2a, 42, []field{ // 市农业农村局
		{"农业投入品", []act{
			{"农药经营者未按规定建立采购、销售台账", lawPesticides + "第二十四条", lawPesticides + "第五十八条"},
			{"卫生用农药未与其他商品分柜销售", lawPesticides + "第二十七条", lawPesticides + "第五十七条"},
			{"兽药经营企业未按规定建立购销记录", "《兽药管理条例》第二十五条", "《兽药管理条例》第五十九条"},
			{"饲料经营者未按规定建立产品购销台账", "《饲料和饲料添加剂管理条例》第二十七条", "《饲料和饲料添加剂管理条例》第四十四条"},
			{"销售的种子未按规定附有标签和使用说明", "《中华人民共和国种子法》第四十一条", "《中华人民共和国种子法》第八十条"},
			{"种子生产经营者未按规定建立、保存生产经营档案", "《中华人民共和国种子法》第三十六条", "《中华人民共和国种子法》第八十条"},
		}},
		{"农产品质量安全", []act{
			{"农产品生产企业未按规定建立、保存农产品生产记录", lawAgriProducts + "第二十四条", lawAgriProducts + "第四十七条"},
			{"销售的农产品未按规定进行包装或者附加标识", lawAgriProducts + "第二十八条", lawAgriProducts + "第四十八条"},
		}},
		{"动物防疫和屠宰", []act{
			{"未按规定申报动物检疫", "《中华人民共和国动物防疫法》第四十九条", "《中华人民共和国动物防疫法》第一百条"},
			{"未按规定对饲养的犬只进行狂犬病免疫接种", "《中华人民共和国动物防疫法》第三十条", "《中华人民共和国动物防疫法》第九十二条"},
			{"生猪定点屠宰厂未按规定记录生猪来源和产品流向", "《生猪屠宰管理条例》第十五条", "《生猪屠宰管理条例》第三十二条"},
		}},
		{"渔业和农机", []act{
			{"渔业船舶未按规定携带船舶证书", "《渔业港航监督行政处罚规定》第十条", "《渔业港航监督行政处罚规定》第十八条"},
			{"未按规定填写渔捞日志", "《渔业捕捞许可管理规定》第三十九条", "《渔业捕捞许可管理规定》第五十条"},
			{"拖拉机、联合收割机未按规定悬挂号牌", "《农业机械安全监督管理条例》第二十一条", "《农业机械安全监督管理条例》第五十条"},
		}},
	}},
	{0x2b, 26, []field{ // 市水利局
		{"水资源管理", []act{
			{"取水单位未按规定安装取水计量设施", "《取水许可和水资源费征收管理条例》第四十三条", "《取水许可和水资源费征收管理条例》第五十三条"},
			{"取水计量设施运行不正常", "《取水许可和水资源费征收管理条例》第四十三条", "《取水许可和水资源费征收管理条例》第五十三条"},
			{"取水单位未按规定报送年度取水情况", "《取水许可和水资源费征收管理条例》第四十一条", "《取水许可和水资源费征收管理条例》第五十二条"},
		}},
		{"河道和水工程管理", []act{
			{"在河道管理范围内弃置、堆放阻碍行洪的物体", "《中华人民共和国河道管理条例》第二十四条", "《中华人民共和国河道管理条例》第四十四条"},
			{"在堤防和护堤地上放牧、垦种", "《中华人民共和国河道管理条例》第二十四条", "《中华人民共和国河道管理条例》第四十四条"},
			{"在河道管理范围内种植阻碍行洪的高秆作物", "《中华人民共和国防洪法》第二十二条", "《中华人民共和国防洪法》第五十五条第（三）项"},
			{"在水工程保护范围内从事影响工程运行的活动", "《中华人民共和国水法》第四十三条", "《中华人民共和国水法》第六十九条"},
		}},
		{"水土保持", []act{
			{"生产建设单位未按规定报告水土保持监测情况", "《中华人民共和国水土保持法》第四十一条", "《中华人民共和国水土保持法》第五十五条"},
			{"未按规定在生产建设活动中采取水土流失预防措施", "《中华人民共和国水土保持法》第三十八条", "《中华人民共和国水土保持法》第五十五条"},
		}},
	}},
	{0x3b, 24, []field{ // 市林草局
		{"林业和草原", []act{
			{"森林防火期内未经批准在森林防火区野外用火", "《森林防火条例》第二十五条", "《森林防火条例》第五十条"},
			{"森林防火期内进入森林防火区的机动车辆未安装防火装置", "《森林防火条例》第二十六条", "《森林防火条例》第五十二条"},
			{"擅自移动或者损坏林业保护标志", "《中华人民共和国森林法》第二十九条", "《中华人民共和国森林法实施条例》第四十二条"},
			{"调运植物和植物产品未按规定办理植物检疫证书", "《植物检疫条例》第七条", "《植物检疫条例》第十八条"},
			{"未按规定报告林业有害生物发生情况", "《森林病虫害防治条例》第十四条", "《森林病虫害防治条例》第二十二条"},
			{"出售、利用非国家重点保护野生动物未提供合法来源证明", "《中华人民共和国野生动物保护法》第二十二条", "《中华人民共和国野生动物保护法》第四十八条"},
			{"在湿地保护范围内擅自放牧", "《辽宁省湿地保护条例》第二十三条", "《辽宁省湿地保护条例》第三十五条"},
			{"在林地内擅自建设临时设施", "《中华人民共和国森林法》第三十八条", "《中华人民共和国森林法》第七十三条"},
		}},
	}},
	{0x29, 36, []field{ // 市文旅广电局
		{"文化市场", []act{
			{"娱乐场所未按规定悬挂未成年人禁入或者限入标志", lawEntertainment + "第三十条", lawEntertainment + "第五十一条"},
			{"上网服务营业场所未按规定悬挂未成年人禁入标志", lawInternetCafes + "第二十一条", lawInternetCafes + "第三十一条"},
			{"上网服务营业场所未按规定悬挂经营许可证", lawInternetCafes + "第二十二条", lawInternetCafes + "第三十一条"},
			{"营业性演出变更演出内容未按规定备案", "《营业性演出管理条例》第十五条", "《营业性演出管理条例》第四十五条"},
			{"艺术品经营单位未按规定明示艺术品真实信息", "《艺术品经营管理办法》第九条", "《艺术品经营管理办法》第二十三条"},
			{"印刷企业未按规定建立承印验证制度", "《印刷业管理条例》第十七条", "《印刷业管理条例》第三十八条"},
			{"未经批准擅自安装卫星电视广播地面接收设施", "《卫星电视广播地面接收设施管理规定》第八条", "《卫星电视广播地面接收设施管理规定》第十条"},
		}},
		{"旅游市场", []act{
			{"旅行社未按规定在经营场所公示业务经营许可证", "《旅行社条例实施细则》第二十二条", "《旅行社条例实施细则》第五十六条"},
			{"旅行社未按规定与旅游者签订旅游合同", "《旅行社条例》第二十八条", "《旅行社条例》第五十五条"},
			{"导游人员进行导游活动时未佩戴导游证", "《导游人员管理条例》第八条", "《导游人员管理条例》第二十一条"},
			{"景区未按规定公布游客最大承载量", "《中华人民共和国旅游法》第四十五条", "《中华人民共和国旅游法》第一百零五条"},
			{"旅游经营者未按规定向旅游者提示安全风险", "《中华人民共和国旅游法》第八十条", "《中华人民共和国旅游法》第九十七条"},
		}},
	}},
	{0x28, 40, []field{ // 市卫健委
		{"医疗卫生", []act{
			{"医疗机构未按规定悬挂执业许可证、诊疗科目和收费标准", lawMedInstit + "第二十六条", "《医疗机构管理条例实施细则》第七十八条"},
			{"医疗机构未按规定校验执业许可证", lawMedInstit + "第二十二条", lawMedInstit + "第四十五条"},
			{"医师变更执业地点未按规定办理变更注册", "《中华人民共和国执业医师法》第十七条", "《中华人民共和国执业医师法》第三十七条"},
			{"医疗机构未按规定书写、保管病历资料", "《医疗机构病历管理规定》第五条", "《医疗纠纷预防和处理条例》第四十七条"},
			{"医疗机构未按规定对医疗废物进行登记", lawMedWaste + "第十二条", lawMedWaste + "第四十五条"},
			{"医疗废物暂时贮存设施未按规定设置警示标识", lawMedWaste + "第十七条", lawMedWaste + "第四十六条"},
			{"未按规定为放射工作人员佩戴个人剂量计", "《放射诊疗管理规定》第二十三条", "《放射诊疗管理规定》第四十一条"},
		}},
		{"公共卫生", []act{
			{"公共场所经营者未按规定建立卫生管理档案", lawPublicPlaces + "第八条", lawPublicPlaces + "第三十六条第（一）项"},
			{"公共场所未按规定设置禁止吸烟警语和标志", lawPublicPlaces + "第十八条", lawPublicPlaces + "第三十六条第（七）项"},
			{"公共场所经营者未按规定公示卫生检测结果", lawPublicPlaces + "第二十条", lawPublicPlaces + "第三十六条"},
			{"公共场所从业人员未按规定取得有效健康合格证明", lawPublicPlaces + "第十条", lawPublicPlaces + "第三十八条"},
			{"供水单位未按规定对生活饮用水进行水质检测", "《生活饮用水卫生监督管理办法》第九条", "《生活饮用水卫生监督管理办法》第二十六条"},
		}},
		{"职业卫生", []act{
			{"用人单位未按规定公布职业病防治规章制度和操作规程", lawOccDisease + "第二十四条", lawOccDisease + "第七十条第（三）项"},
			{"用人单位未按规定组织劳动者进行职业卫生培训", lawOccDisease + "第三十四条", lawOccDisease + "第七十条第（四）项"},
		}},
	}},
	{0x27, 38, []field{ // 市应急局
		{"安全生产", []act{
			{"未如实记录安全生产教育和培训情况", lawSafety + "第二十五条第四款", lawSafety + "第九十四条第（三）项"},
			{"未将事故隐患排查治理情况如实记录或者向从业人员通报", lawSafety + "第三十八条第一款", lawSafety + "第九十四条第（五）项"},
			{"未按规定组织生产安全事故应急救援预案演练", lawSafety + "第七十八条", lawSafety + "第九十四条第（六）项"},
			{"未在有较大危险因素的场所和设备上设置明显的安全警示标志", lawSafety + "第三十二条", lawSafety + "第九十六条第（一）项"},
			{"未对安全设备进行经常性维护、保养和定期检测", lawSafety + "第三十三条第二款", lawSafety + "第九十六条第（三）项"},
			{"未为从业人员提供符合标准的劳动防护用品", lawSafety + "第四十二条", lawSafety + "第九十六条第（四）项"},
			{"未按规定对生产安全事故应急预案进行备案", "《生产安全事故应急预案管理办法》第二十六条", "《生产安全事故应急预案管理办法》第四十五条"},
			{"未按规定建立事故隐患排查治理制度", "《安全生产事故隐患排查治理暂行规定》第四条", "《安全生产事故隐患排查治理暂行规定》第二十六条"},
			{"未按规定对特种作业人员操作资格证书登记建档", "《特种作业人员安全技术培训考核管理规定》第三十七条", "《特种作业人员安全技术培训考核管理规定》第三十九条"},
			{"有限空间作业场所未设置明显的安全警示标志", "《工贸企业有限空间作业安全管理与监督暂行规定》第十九条", "《工贸企业有限空间作业安全管理与监督暂行规定》第二十九条"},
		}},
		{"危险化学品和烟花爆竹", []act{
			{"危险化学品作业场所未按规定设置通信、报警装置", lawHazardousChem + "第二十条", lawHazardousChem + "第七十八条第一款"},
			{"未按规定提供化学品安全技术说明书", lawHazardousChem + "第十五条", lawHazardousChem + "第七十八条第一款"},
			{"烟花爆竹零售经营场所未按规定设置安全警示标志", "《烟花爆竹经营许可实施办法》第十八条", "《烟花爆竹经营许可实施办法》第三十五条"},
		}},
	}},
	{0x38, 34, []field{ // 市消防支队
		{"消防安全", []act{
			{"消防设施、器材或者消防安全标志未保持完好有效", lawFire + "第十六条第一款第（二）项", lawFire + "第六十条第一款第（一）项"},
			{"单位占用、堵塞、封闭疏散通道、安全出口", lawFire + "第二十八条", lawFire + "第六十条第一款第（三）项"},
			{"个人占用、堵塞、封闭疏散通道、安全出口", lawFire + "第二十八条", lawFire + "第六十条第二款"},
			{"个人损坏、挪用消防设施、器材", lawFire + "第二十八条", lawFire + "第六十条第二款"},
			{"埋压、圈占、遮挡消火栓", lawFire + "第二十八条", lawFire + "第六十条第一款第（四）项"},
			{"占用、堵塞、封闭消防车通道", lawFire + "第二十八条", lawFire + "第六十条第一款第（五）项"},
			{"人员密集场所在门窗上设置影响逃生和灭火救援的障碍物", lawFire + "第二十八条", lawFire + "第六十条第一款第（六）项"},
			{"电器产品、燃气用具的安装、使用不符合消防技术标准", lawFire + "第二十七条", lawFire + "第六十六条"},
			{"违反规定使用明火作业", lawFire + "第二十一条", lawFire + "第六十三条第（二）项"},
			{"单位未按规定组织防火检查", lawFire + "第十六条第一款第（四）项", lawFire + "第六十七条"},
			{"单位未按规定组织消防安全培训和疏散演练", lawFire + "第十六条第一款第（五）项", lawFire + "第六十七条"},
			{"消防技术服务机构未按规定在书面结论文件上签名盖章", "《社会消防技术服务管理规定》第二十六条", "《社会消防技术服务管理规定》第四十七条"},
		}},
	}},
	{0x2d, 20, []field{ // 市教育局
		{"教育", []act{
			{"民办学校未按规定公示办学许可证", "《中华人民共和国民办教育促进法实施条例》第十三条", "《中华人民共和国民办教育促进法实施条例》第六十三条"},
			{"民办学校发布未经备案的招生简章和广告", "《中华人民共和国民办教育促进法》第四十二条", "《中华人民共和国民办教育促进法》第六十二条"},
			{"校外培训机构未按规定公示收费项目和标准", "《辽宁省校外培训机构管理办法》第二十条", "《辽宁省校外培训机构管理办法》第三十五条"},
			{"民办学校未按规定报送年度检查材料", "《中华人民共和国民办教育促进法实施条例》第四十一条", "《中华人民共和国民办教育促进法实施条例》第六十三条"},
			{"民办学校未按规定建立学生档案", "《中华人民共和国民办教育促进法实施条例》第三十七条", "《中华人民共和国民办教育促进法实施条例》第六十三条"},
			{"民办学校修改章程未按规定备案", "《中华人民共和国民办教育促进法》第二十一条", "《中华人民共和国民办教育促进法》第六十二条"},
			{"校外培训机构未按规定与学员签订培训服务合同", "《辽宁省校外培训机构管理办法》第二十一条", "《辽宁省校外培训机构管理办法》第三十五条"},
		}},
	}},
	{0x2c, 28, []field{ // 市人社局
		{"劳动保障", []act{
			{"用人单位未按规定建立职工名册", lawLabourContr + "第七条", "《中华人民共和国劳动合同法实施条例》第三十三条"},
			{"未按规定向劳动者出具解除或者终止劳动合同的证明", lawLabourContr + "第五十条", lawLabourContr + "第八十九条"},
			{"用人单位未按规定办理社会保险登记", "《中华人民共和国社会保险法》第五十七条", "《中华人民共和国社会保险法》第八十四条"},
			{"未按规定编制工资支付台账并依法保存", "《保障农民工工资支付条例》第十五条", "《保障农民工工资支付条例》第五十四条"},
			{"施工现场未按规定设立维权信息告示牌", "《保障农民工工资支付条例》第三十四条", "《保障农民工工资支付条例》第五十六条"},
			{"用人单位未按规定办理劳动用工备案", "《辽宁省劳动保障监察条例》第十五条", "《辽宁省劳动保障监察条例》第四十条"},
		}},
		{"人力资源市场", []act{
			{"人力资源服务机构未按规定在服务场所明示有关事项", "《人力资源市场暂行条例》第三十条", "《人力资源市场暂行条例》第四十四条"},
			{"人力资源服务机构未按规定建立服务台账", "《人力资源市场暂行条例》第三十一条", "《人力资源市场暂行条例》第四十三条"},
			{"经营性人力资源服务机构未按规定报告业务开展情况", "《人力资源市场暂行条例》第二十一条", "《人力资源市场暂行条例》第四十三条"},
			{"职业培训机构未按规定公示培训项目和收费标准", "《民办职业培训学校设置标准》第十条", "《中华人民共和国民办教育促进法》第六十二条"},
		}},
	}},
	{0x2e, 22, []field{ // 市民政局
		{"社会组织", []act{
			{"社会团体未按规定参加年度检查", "《社会团体登记管理条例》第二十八条", "《社会团体登记管理条例》第三十条"},
			{"社会团体未按规定办理变更登记", "《社会团体登记管理条例》第十八条", "《社会团体登记管理条例》第三十条"},
			{"民办非企业单位未按规定参加年度检查", "《民办非企业单位登记管理暂行条例》第二十三条", "《民办非企业单位登记管理暂行条例》第二十五条"},
			{"慈善组织未按规定公开年度工作报告和财务会计报告", "《中华人民共和国慈善法》第七十二条", "《中华人民共和国慈善法》第九十九条"},
		}},
		{"社会事务", []act{
			{"养老机构未按规定公示服务项目和收费标准", "《养老机构管理办法》第二十四条", "《养老机构管理办法》第四十六条"},
			{"养老机构未按规定建立入住老年人档案", "《养老机构管理办法》第十九条", "《养老机构管理办法》第四十六条"},
			{"未经批准擅自命名、更名地名", "《地名管理条例》第六条", "《地名管理条例实施细则》第三十条"},
			{"殡葬服务单位未按规定公示服务项目和收费标准", "《殡葬管理条例》第十七条", "《殡葬管理条例》第二十二条"},
		}},
	}},
	{0x34, 22, []field{ // 市医保局
		{"医疗保障", []act{
			{"未建立医疗保障基金使用内部管理制度", lawMedicalFund + "第十四条", lawMedicalFund + "第三十九条第（一）项"},
			{"未按规定保管财务账目、会计凭证、处方、病历等资料", lawMedicalFund + "第十五条", lawMedicalFund + "第三十九条第（二）项"},
			{"未按规定通过医疗保障信息系统传送基金使用数据", lawMedicalFund + "第十五条", lawMedicalFund + "第三十九条第（三）项"},
			{"未按规定报告医疗保障基金使用监督管理所需信息", lawMedicalFund + "第十七条", lawMedicalFund + "第三十九条第（四）项"},
			{"未按规定向社会公开医药费用、费用结构等信息", lawMedicalFund + "第十六条", lawMedicalFund + "第三十九条第（五）项"},
			{"未经参保人员同意提供基金支付范围以外的医药服务", lawMedicalFund + "第十八条", lawMedicalFund + "第三十九条第（六）项"},
			{"定点零售药店未按规定悬挂定点医药机构标识", "《零售药店医疗保障定点管理暂行办法》第二十五条", "《零售药店医疗保障定点管理暂行办法》第三十九条"},
			{"参保人员将本人医疗保障凭证交由他人使用", lawMedicalFund + "第十九条", lawMedicalFund + "第四十一条第一款"},
		}},
	}},
	{0x32, 24, []field{ // 市商务局
		{"商贸流通", []act{
			{"发卡企业未按规定办理单用途预付卡备案", "《单用途商业预付卡管理办法（试行）》第七条", "《单用途商业预付卡管理办法（试行）》第三十六条"},
			{"发卡企业未按规定执行购卡实名登记制度", "《单用途商业预付卡管理办法（试行）》第十四条", "《单用途商业预付卡管理办法（试行）》第三十七条"},
			{"特许人未按规定向商务主管部门备案", "《商业特许经营管理条例》第八条", "《商业特许经营管理条例》第二十五条"},
			{"特许人未按规定报告上一年度订立特许经营合同情况", "《商业特许经营管理条例》第十八条", "《商业特许经营管理条例》第二十六条"},
			{"再生资源回收经营者未按规定备案", "《再生资源回收管理办法》第七条", "《再生资源回收管理办法》第二十三条"},
			{"二手车交易市场经营者未按规定备案", "《二手车流通管理办法》第十四条", "《二手车流通管理办法》第三十三条"},
			{"零售商开展促销活动未按规定明示促销内容", "《零售商促销行为管理办法》第六条", "《零售商促销行为管理办法》第二十三条"},
			{"洗染经营者未按规定明示服务项目和收费标准", "《洗染业管理办法》第十条", "《洗染业管理办法》第二十二条"},
			{"美容美发经营者未按规定明示服务项目和收费标准", "《美容美发业管理暂行办法》第十一条", "《美容美发业管理暂行办法》第十九条"},
		}},
	}},
	{0x33, 18, []field{ // 市工信局
		{"工业和信息化", []act{
			{"重点用能单位未按规定报送能源利用状况报告", lawEnergy + "第五十三条", lawEnergy + "第八十二条"},
			{"重点用能单位未按规定设立能源管理岗位", lawEnergy + "第五十五条", lawEnergy + "第八十四条"},
			{"无线电台（站）未按规定发射识别信号", "《中华人民共和国无线电管理条例》第三十二条", "《中华人民共和国无线电管理条例》第七十二条"},
			{"监控化学品使用单位未按规定报告使用情况", "《中华人民共和国监控化学品管理条例》第九条", "《中华人民共和国监控化学品管理条例》第二十一条"},
			{"实施清洁生产审核的企业未按规定报告审核结果", "《中华人民共和国清洁生产促进法》第二十七条", "《中华人民共和国清洁生产促进法》第三十九条"},
			{"民用爆炸物品生产企业未按规定建立出入库登记制度", "《民用爆炸物品安全管理条例》第十五条", "《民用爆炸物品安全管理条例》第四十六条"},
		}},
	}},
	{0x30, 16, []field{ // 市发改委
		{"投资和粮食流通", []act{
			{"未按规定通过在线平台报送项目建设基本信息", "《企业投资项目核准和备案管理条例》第十四条", "《企业投资项目核准和备案管理条例》第十九条"},
			{"备案项目信息发生较大变更未按规定告知备案机关", "《企业投资项目核准和备案管理条例》第十四条", "《企业投资项目核准和备案管理条例》第十八条"},
			{"招标人未按规定在指定媒介发布招标公告", "《中华人民共和国招标投标法实施条例》第十五条", "《中华人民共和国招标投标法实施条例》第六十三条"},
			{"粮食经营者未按规定建立粮食经营台账", "《粮食流通管理条例》第十六条", "《粮食流通管理条例》第四十四条"},
			{"粮食经营者未按规定报送粮食购进、销售、储存等基本数据", "《粮食流通管理条例》第十六条", "《粮食流通管理条例》第四十四条"},
			{"粮食收购者未按规定告知售粮者收购粮食的质量标准和价格", "《粮食流通管理条例》第十二条", "《粮食流通管理条例》第四十二条"},
		}},
	}},
	{0x2f, 18, []field{ // 市财政局
		{"会计和政府采购", []act{
			{"未按规定设置会计账簿", lawAccounting + "第三条", lawAccounting + "第四十二条第一款第（一）项"},
			{"未按规定填制、取得原始凭证", lawAccounting + "第十四条", lawAccounting + "第四十二条第一款第（三）项"},
			{"以未经审核的会计凭证为依据登记会计账簿", lawAccounting + "第十五条", lawAccounting + "第四十二条第一款第（四）项"},
			{"未按规定使用会计记录文字或者记账本位币", lawAccounting + "第二十二条", lawAccounting + "第四十二条第一款第（七）项"},
			{"代理记账机构未按规定报送相关信息", "《代理记账管理办法》第二十条", "《代理记账管理办法》第二十三条"},
			{"采购人未按规定公告政府采购合同", "《中华人民共和国政府采购法实施条例》第五十条", "《中华人民共和国政府采购法实施条例》第六十七条"},
		}},
	}},
	{0x36, 16, []field{ // 市统计局
		{"统计", []act{
			{"迟报统计资料", lawStatistics + "第七条", lawStatistics + "第四十二条第一款"},
			{"未按规定设置原始记录、统计台账", lawStatistics + "第二十一条", lawStatistics + "第四十二条第一款"},
			{"经催报后仍未按时提供统计资料", lawStatistics + "第七条", lawStatistics + "第四十一条第一款第（一）项"},
			{"提供不完整的统计资料", lawStatistics + "第七条", lawStatistics + "第四十一条第一款第（二）项"},
			{"个体工商户迟报统计资料", lawStatistics + "第七条", lawStatistics + "第四十三条"},
			{"未按规定填报统计调查表", "《中华人民共和国统计法实施条例》第十八条", lawStatistics + "第四十二条第一款"},
		}},
	}},
	{0x39, 40, []field{ // 市税务局
		{"税收征管", []act{
			{"未按规定将全部银行账号向税务机关报告", lawTaxAdmin + "第十七条", lawTaxAdmin + "第六十条第一款第（四）项"},
			{"未按规定设置、保管账簿或者保管记账凭证和有关资料", lawTaxAdmin + "第十九条", lawTaxAdmin + "第六十条第一款第（二）项"},
			{"未按规定期限办理纳税申报和报送纳税资料", lawTaxAdmin + "第二十五条", lawTaxAdmin + "第六十二条"},
			{"未按规定期限报送代扣代缴、代收代缴税款有关资料", lawTaxAdmin + "第二十五条第二款", lawTaxAdmin + "第六十二条"},
			{"未按规定设置、保管代扣代缴、代收代缴税款账簿", lawTaxAdmin + "第十九条", lawTaxAdmin + "第六十一条"},
			{"未按规定期限申报办理变更税务登记", lawTaxAdmin + "第十六条", lawTaxAdmin + "第六十条第一款第（一）项"},
			{"未按规定开具税收票证", "《税收票证管理办法》第十九条", "《税收票证管理办法》第五十三条"},
			{"向非居民发包工程作业或劳务项目未按规定报告有关事项", "《非居民承包工程作业和劳务税收管理暂行办法》第五条", "《非居民承包工程作业和劳务税收管理暂行办法》第二十二条"},
		}},
		{"发票管理", []act{
			{"使用税控装置开具发票未按期报送开具发票的数据且没有违法所得", lawInvoices + "第二十三条", lawInvoices + "第三十五条第（二）项"},
			{"以其他凭证代替发票使用且没有违法所得", lawInvoices + "第二十条", lawInvoices + "第三十五条第（六）项"},
			{"未按规定缴销发票且没有违法所得", lawInvoices + "第二十八条", lawInvoices + "第三十五条第（八）项"},
			{"未按规定存放和保管发票且没有违法所得", lawInvoices + "第二十九条", lawInvoices + "第三十五条第（九）项"},
			{"拆本使用发票且没有违法所得", lawInvoices + "第二十四条第（二）项", lawInvoices + "第三十五条第（四）项"},
			{"跨规定区域开具发票且没有违法所得", lawInvoices + "第二十五条", lawInvoices + "第三十五条第（七）项"},
		}},
	}},
	{0x21, 80, []field{ // 市市场监管局
		{"广告", []act{
			{"在广告中使用“国家级”“最高级”“最佳”等用语", lawAdvertising + "第九条第（三）项", lawAdvertising + "第五十七条第（一）项"},
			{"广告未显著、清晰地标明“广告”", lawAdvertising + "第十四条", lawAdvertising + "第五十九条第三款"},
			{"广告中使用的数据、统计资料未表明出处", lawAdvertising + "第十一条第二款", lawAdvertising + "第五十九条第一款第（二）项"},
		}},
		{"食品安全", []act{
			{"未按规定在经营场所显著位置悬挂食品经营许可证", "《食品经营许可管理办法》第二十六条", "《食品经营许可管理办法》第四十九条"},
			{"食品经营者未按规定建立并遵守进货查验记录制度", lawFoodSafety + "第五十三条", lawFoodSafety + "第一百二十六条第一款第（三）项"},
			{"食品经营者未按规定定期检查库存食品", lawFoodSafety + "第五十四条", lawFoodSafety + "第一百二十六条第一款第（五）项"},
			{"餐饮服务提供者未按规定公示食品安全信息", "《餐饮服务食品安全监督管理办法》第十二条", "《餐饮服务食品安全监督管理办法》第三十九条"},
			{"销售标签瑕疵但不影响食品安全的预包装食品", lawFoodSafety + "第六十七条", lawFoodSafety + "第一百二十五条第二款"},
			{"集中交易市场开办者未按规定建立入场销售者档案", lawFoodSafety + "第六十一条", lawFoodSafety + "第一百三十条第一款"},
		}},
		{"价格", []act{
			{"销售商品未按规定明码标价", lawPrice + "第十三条", lawPrice + "第四十二条"},
			{"商品标价签未按规定标明品名、产地、规格等内容", "《关于商品和服务实行明码标价的规定》第七条", "《关于商品和服务实行明码标价的规定》第二十一条"},
		}},
		{"计量", []act{
			{"使用未经检定或者超过检定周期的计量器具", "《中华人民共和国计量法》第九条", lawMetrology + "第四十三条"},
		}},
		{"产品质量", []act{
			{"产品未按规定附有产品质量检验合格证明", lawProductQual + "第二十七条第一款第（一）项", lawProductQual + "第五十四条"},
			{"产品标识未用中文标明产品名称、生产厂厂名和厂址", lawProductQual + "第二十七条第一款第（二）项", lawProductQual + "第五十四条"},
			{"企业未按规定公开其执行的企业标准编号和名称", "《中华人民共和国标准化法》第二十七条", "《中华人民共和国标准化法》第三十八条"},
			{"获证产品未按规定使用强制性产品认证标志", "《强制性产品认证管理规定》第三十一条", "《强制性产品认证管理规定》第五十九条"},
		}},
		{"特种设备", []act{
			{"特种设备使用单位未按规定办理使用登记", lawSpecialEquip + "第三十三条", lawSpecialEquip + "第八十三条第（一）项"},
			{"特种设备使用单位未按规定建立安全技术档案", lawSpecialEquip + "第三十五条", lawSpecialEquip + "第八十三条第（二）项"},
			{"未将电梯安全注意事项和警示标志置于显著位置", lawSpecialEquip + "第四十二条", lawSpecialEquip + "第八十三条第（三）项"},
		}},
		{"药品医疗器械化妆品", []act{
			{"医疗器械经营企业未按规定建立进货查验记录制度", "《医疗器械监督管理条例》第四十五条", "《医疗器械监督管理条例》第八十九条"},
			{"化妆品经营者未按规定建立进货查验记录制度", "《化妆品监督管理条例》第三十八条", "《化妆品监督管理条例》第六十二条第一款"},
		}},
		{"网络交易和消费者权益保护", []act{
			{"电子商务经营者未在首页显著位置持续公示营业执照信息", lawECommerce + "第十五条", lawECommerce + "第七十六条第一款第（一）项"},
			{"电子商务经营者未明示用户信息查询、更正、删除以及注销的方式", lawECommerce + "第二十四条", lawECommerce + "第七十六条第一款第（三）项"},
			{"将未经注册的商标冒充注册商标使用", "《中华人民共和国商标法》第五十二条", "《中华人民共和国商标法》第五十二条"},
			{"经营者未按规定出具购货凭证或者服务单据", "《中华人民共和国消费者权益保护法》第二十二条", "《中华人民共和国消费者权益保护法》第五十六条"},
		}},
		{"市场主体登记", []act{
			{"未将营业执照置于住所或者经营场所的醒目位置", lawCompanyReg + "第五十八条", lawCompanyReg + "第七十二条"},
			{"变更住所未按规定办理变更登记", lawCompanyReg + "第二十九条", lawCompanyReg + "第六十九条"},
		}},
	}},
}

// flexItem is an item with the act and ground it was made of.
type flexItem struct {
	item   *models.ChecklistItem
	act    string
	ground int
}

// flexibleItems makes the 2021 items, in the list's order: each department's
// items share themselves out over its violations, the first ones taking one
// more ground where they do not share evenly. It panics when a department
// has too few violations for its items, which a test catches.
func flexibleItems() []flexItem {
	var out []flexItem
	for _, e := range enforcers {
		var acts []act
		categories := map[string]string{}
		for _, f := range e.fields {
			for _, a := range f.acts {
				acts = append(acts, a)
				categories[a.name] = f.name
			}
		}
		each, extra := e.items/len(acts), e.items%len(acts)
		if each+min(extra, 1) > len(grounds) || each == 0 {
			panic(fmt.Sprintf("demo: unit %#x has %d violations for %d items", e.unit, len(acts), e.items))
		}
		unit := ID(e.unit)
		for i, a := range acts {
			n := each
			if i < extra {
				n++
			}
			for g := range n {
				seq := len(out) + 1
				gr := grounds[g]
				out = append(out, flexItem{act: a.name, ground: g, item: &models.ChecklistItem{
					ID: ID(flexItemIDs + seq), ItemKey: ID(flexItemKeys + seq), Sequence: seq,
					Name: gr.name(a.name), ImplementingUnitID: &unit, LegalBasis: gr.legalBasis,
					Remark: flexRemark, Category: categories[a.name],
					Attributes: map[string]string{"violatedProvision": a.violated, "penaltyProvision": a.penalty, "conditions": gr.conditions},
				}})
			}
		}
	}
	return out
}

// FlexibleList2021 returns the published list of 2021 as CreateChecklist
// takes it, and its 854 items, new values at each call.
func FlexibleList2021() (*models.Checklist, []*models.ChecklistItem) {
	effective := "2021-08-01"
	c := &models.Checklist{
		ID: FlexibleList, KindKey: "noPenalty", Title: "盘锦市柔性执法事项清单",
		IssuingUnitID: CityGovernmentOffice, DocumentNumber: "盘政办发〔2021〕31号",
		Year: 2021, EffectiveDate: &effective, SampleData: true,
	}
	made := flexibleItems()
	items := make([]*models.ChecklistItem, len(made))
	for i, m := range made {
		items[i] = m.item
	}
	return c, items
}

// revisionPlan is how the 2022 draft differs from the 2021 list: the edit
// of its fields, the keys of the items it drops, and its tail: the items
// from the first one it changes, moves or adds on, written anew with fixed
// ids in their new order and places, under their keys of 2021 or, for the
// items added, new ones.
//
// The changes lie in a tail because of what a seed can do through Store:
// the demo names no store type, so it cannot patch an item
// (models.ChecklistItemPatch), and the store renumbers a draft's items when
// one is deleted but not when items are added. So the seed deletes the
// store's copies of the dropped items and of the tail, which leaves the
// other copies numbered 1…n, and adds the tail after them.
type revisionPlan struct {
	patch   models.ChecklistPatch
	removed []string
	tail    []*models.ChecklistItem
}

// flexibleRevision is the 2022 draft's changes, for reasons a 2022 revision
// has. The market regulator's registration items, last in the list, follow
// 《市场主体登记管理条例》, in force from 1 March 2022: the business-licence
// items are reworded and cite it (changed), the registration-change items
// trade places (moved), and the filings the regulation introduces get items
// of their own (added). Elsewhere, fireworks in prohibited places (which the
// public security bureau no longer counts as minor) and the laundries'
// price notices leave the list (removed).
func flexibleRevision(made []flexItem) revisionPlan {
	year, none := 2022, ""
	plan := revisionPlan{patch: models.ChecklistPatch{Year: &year, DocumentNumber: &none, EffectiveDate: &none}}
	byAct := func(name string) []flexItem {
		var out []flexItem
		for _, m := range made {
			if m.act == name {
				out = append(out, m)
			}
		}
		if len(out) == 0 {
			panic("demo: no flexible-enforcement item of " + name)
		}
		return out
	}
	for _, act := range []string{"在禁止燃放的时间、地点燃放烟花爆竹", "洗染经营者未按规定明示服务项目和收费标准"} {
		for _, m := range byAct(act) {
			plan.removed = append(plan.removed, m.item.ItemKey)
		}
	}

	licence, change := byAct("未将营业执照置于住所或者经营场所的醒目位置"), byAct("变更住所未按规定办理变更登记")
	if tail := len(licence) + len(change); made[len(made)-tail].act != licence[0].act {
		panic("demo: the registration items are not the last of the list")
	}
	for _, m := range licence {
		it := cloneItem(m.item)
		it.Name = grounds[m.ground].name("未将营业执照置于住所或者主要经营场所的醒目位置")
		it.Attributes["violatedProvision"], it.Attributes["penaltyProvision"] = lawMarketReg+"第三十六条", lawMarketReg+"第四十八条第一款"
		plan.tail = append(plan.tail, it)
	}
	for _, i := range []int{1, 0} { // the item of the second ground now comes first
		plan.tail = append(plan.tail, cloneItem(change[i].item))
	}
	last := made[len(made)-1].item
	for i, a := range []act{
		{"未按规定办理章程、经营期限、联络员等事项备案", lawMarketReg + "第九条", lawMarketReg + "第四十七条"},
		{"未按规定办理歇业备案", lawMarketReg + "第三十条", lawMarketReg + "第四十七条"},
		{"未按规定公示市场主体登记相关信息", lawMarketReg + "第三十五条", "《企业信息公示暂行条例》第十八条"},
	} {
		g := grounds[0]
		plan.tail = append(plan.tail, &models.ChecklistItem{
			ItemKey: ID(flexNewKeys + i + 1), Name: g.name(a.name), ImplementingUnitID: last.ImplementingUnitID,
			LegalBasis: g.legalBasis, Remark: flexRemark, Category: last.Category,
			Attributes: map[string]string{"violatedProvision": a.violated, "penaltyProvision": a.penalty, "conditions": g.conditions},
		})
	}
	// The tail follows the copies the draft keeps, numbered from 1.
	kept := len(made) - len(plan.removed) - len(licence) - len(change)
	for i, it := range plan.tail {
		it.ID, it.Sequence = revisedID(it.ItemKey), kept+i+1
	}
	return plan
}

// revisedID is the id in the 2022 draft of the item with the key: d100+n for
// the key c100+n of the n-th item of 2021, the key itself for an item the
// draft adds.
func revisedID(key string) string {
	var n int
	if _, err := fmt.Sscanf(key[len(key)-12:], "%x", &n); err != nil {
		panic("demo: item key " + key)
	}
	if n > flexItemKeys && n <= flexItemKeys+0xfff {
		return ID(flexRevisedIDs + n - flexItemKeys)
	}
	return key
}

func cloneItem(it *models.ChecklistItem) *models.ChecklistItem {
	c := *it
	c.Attributes = maps.Clone(it.Attributes)
	if it.ImplementingUnitID != nil {
		u := *it.ImplementingUnitID
		c.ImplementingUnitID = &u
	}
	return &c
}

// FlexibleRevision2022 returns the edit that makes the revision a 2022 draft
// (year 2022, no document number or effective date until it is issued) and
// the items the draft holds, in sequence order, numbered from 1: the 2021
// items it keeps as they were, without an id (the store gives its copies
// theirs), then its tail with fixed ids. New values at each call.
func FlexibleRevision2022() (models.ChecklistPatch, []*models.ChecklistItem) {
	made := flexibleItems()
	plan := flexibleRevision(made)
	dropped := map[string]bool{}
	for _, key := range plan.removed {
		dropped[key] = true
	}
	for _, it := range plan.tail {
		dropped[it.ItemKey] = true
	}
	var items []*models.ChecklistItem
	for _, m := range made {
		if !dropped[m.item.ItemKey] {
			it := cloneItem(m.item)
			it.ID, it.Sequence = "", len(items)+1
			items = append(items, it)
		}
	}
	return plan.patch, append(items, plan.tail...)
}

// Clock is what a Store may offer besides Store for the demo's records to
// carry the instants the demo tells (the flexible-enforcement list submitted
// and published in July 2021, revised in March 2022): SetClock makes the
// store's clock read now until restore is called. Seeding runs before the
// store serves anyone. A store without it stamps those records with the
// time of seeding.
type Clock interface {
	SetClock(now func() time.Time) (restore func())
}

// at runs fn with the store's clock at t, when the store lets its clock be set.
func at(s Store, t time.Time, fn func() error) error {
	if c, ok := s.(Clock); ok {
		restore := c.SetClock(func() time.Time { return t })
		defer restore()
	}
	return fn()
}

// seedChecklists adds the flexible-enforcement list: the 2021 version with
// its items, submitted by the demo reporter and published by the demo
// legality reviewer, and its 2022 revision in draft. Each step runs only when the
// list has not passed it, so an interrupted seed resumes and a complete one
// changes nothing; a 2022 draft that has its written items is left as it is,
// whatever a user did to it since.
func seedChecklists(ctx context.Context, s Store) (int, error) {
	content, items := FlexibleList2021()
	n := 0
	c, err := s.GetChecklist(ctx, content.ID)
	if errors.Is(err, models.ErrNotFound) {
		err = at(s, flexDrafted, func() error {
			c, err = s.CreateChecklist(ctx, *content)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("seed demo checklist: %w", err)
		}
		n++
	} else if err != nil {
		return n, fmt.Errorf("seed demo checklist: %w", err)
	}
	if c.Status == models.ChecklistDraft {
		existing, err := s.AllChecklistItems(ctx, c.ID)
		if err != nil {
			return n, fmt.Errorf("seed demo checklist items: %w", err)
		}
		if len(existing) == 0 {
			if err := at(s, flexDrafted, func() error { return s.AddChecklistItems(ctx, c.ID, items) }); err != nil {
				return n, fmt.Errorf("seed demo checklist items: %w", err)
			}
			n += len(items)
		}
		err = at(s, flexSubmitted, func() error {
			c, err = s.SubmitChecklist(ctx, c.ID, &c.Version, models.UserActor(ReporterUser))
			return err
		})
		if err != nil {
			return n, fmt.Errorf("submit demo checklist: %w", err)
		}
	}
	if c.Status == models.ChecklistInReview {
		err = at(s, flexPublished, func() error {
			c, err = s.PublishChecklist(ctx, c.ID, &c.Version, models.UserActor(LegalityReviewerUser), flexReviewComment)
			return err
		})
		if err != nil {
			return n, fmt.Errorf("publish demo checklist: %w", err)
		}
	}
	m, err := seedApplications(ctx, s)
	n += m
	if err != nil {
		return n, err
	}
	m, err = seedRevision(ctx, s, c)
	return n + m, err
}

// seedRevision adds the 2022 draft of the published list c: a revision
// (whose copies of the items the store makes), edited to 2022, without the
// copies of the items it drops and of its tail, and with its tail added
// (revisionPlan), with fixed ids (FlexibleList2022, revisedID). It counts the records it added less those it deleted: in
// one run, the version and the items it holds.
func seedRevision(ctx context.Context, s Store, c *models.Checklist) (int, error) {
	versions, err := s.ChecklistVersions(ctx, c.ID)
	if err != nil {
		return 0, fmt.Errorf("seed demo checklist revision: %w", err)
	}
	plan := flexibleRevision(flexibleItems())
	written := map[string]bool{}
	replaced := map[string]bool{}
	for _, key := range plan.removed {
		replaced[key] = true
	}
	for _, it := range plan.tail {
		written[it.ID], replaced[it.ItemKey] = true, true
	}
	// The copies the seed replaces get new ids: the fixed ones are the
	// replacements'.
	ids := models.RevisionIDs{Version: FlexibleList2022, Item: func(key string) string {
		if replaced[key] {
			return ""
		}
		return revisedID(key)
	}}
	n := 0
	i := slices.IndexFunc(versions, func(v models.Checklist) bool { return v.VersionNo == 2 })
	var draft *models.Checklist
	switch {
	case i >= 0 && versions[i].Status != models.ChecklistDraft:
		return 0, nil // in review or published since: it is the users' now
	case i >= 0:
		draft = &versions[i]
	case c.Status != models.ChecklistPublished || len(versions) > 1:
		return 0, nil
	default:
		err = at(s, flexRevised, func() error {
			draft, err = s.ReviseChecklist(ctx, c.ID, &c.Version, ids)
			return err
		})
		if err != nil {
			return 0, fmt.Errorf("revise demo checklist: %w", err)
		}
		n++
	}
	items, err := s.AllChecklistItems(ctx, draft.ID)
	if err != nil {
		return n, fmt.Errorf("seed demo checklist revision: %w", err)
	}
	if n == 1 {
		n += len(items) // the store's copies
	}
	if slices.ContainsFunc(items, func(it models.ChecklistItem) bool { return written[it.ID] }) {
		return n, nil // done: its items are the users' now
	}
	err = at(s, flexEdited, func() error {
		if draft.Year != *plan.patch.Year || draft.DocumentNumber != "" || draft.EffectiveDate != nil {
			if draft, err = s.EditChecklist(ctx, draft.ID, draft.Version, plan.patch); err != nil {
				return err
			}
		}
		// Last first: deleting an item renumbers, and so changes, the ones after it.
		for _, it := range slices.Backward(items) {
			if !replaced[it.ItemKey] {
				continue
			}
			if err := s.DeleteChecklistItem(ctx, it.ID, it.Version); err != nil {
				return err
			}
			n--
		}
		if err := s.AddChecklistItems(ctx, draft.ID, plan.tail); err != nil {
			return err
		}
		n += len(plan.tail)
		return nil
	})
	if err != nil {
		return n, fmt.Errorf("seed demo checklist revision: %w", err)
	}
	return n, nil
}
