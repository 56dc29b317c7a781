package demodb

// Upload is the file a tester picks for an upload operation on the demo
// data, by its operationId: a reporting sheet with one figure of 兴隆台区 for
// the demo city system, the organisation's sheets, one new item for the
// 2022 draft of the flexible-enforcement list, a ledger of one case of the
// 2021 list, or evidence (a PDF) for any other upload. The request-example test sends it, and the browser test
// picks it in Swagger UI.
func Upload(operationID string) (name string, content []byte) {
	switch operationID {
	case "importIndicatorValues":
		return "数值填报.csv", []byte("单位代码,指标编码,数值,原文表述\n211103,1.10,58.10,实名注册率达58.10%\n")
	case "importUnits":
		return "单位.csv", []byte("单位代码,单位名称,单位类型,上级单位代码\n211103002,振兴街道,街道,211103\n211103002001,振兴社区,社区,211103002\n")
	case "importUsers":
		return "用户.csv", []byte("用户名,姓名,单位代码,角色\nzxjd.reporter,振兴街道填报员,211103001,填报员\n")
	case "importChecklistItems":
		return "柔性执法事项.csv", []byte("违法行为,实施机关,违法依据,处罚依据,适用条件\n" +
			"首次未按规定办理电动自行车登记,盘锦市交通运输局,《辽宁省电动自行车管理条例》第十条,《辽宁省电动自行车管理条例》第三十条,初次违法且危害后果轻微并及时改正\n")
	case "importChecklistApplications":
		return "适用台账.csv", []byte("事项序号,事项名称,执法单位,案件编号,案件日期,受益法人数,受益自然人数,减免金额（元）\n" +
			"1,首次未按规定登记住宿旅客身份信息,盘锦市公安局,盘公（治）不罚决字〔2022〕2号,2022-01-10,0,1,200\n")
	}
	return "佐证材料.pdf", []byte("%PDF-1.4\n% 佐证材料\n1 0 obj << /Type /Catalog >> endobj\ntrailer << /Root 1 0 R >>\n%%EOF\n")
}
