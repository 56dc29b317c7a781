package models

import "time"

// builtInAt is when the built-in kinds came with the product. It is fixed so
// that every installation holds the same records and a restart rewrites
// nothing.
var builtInAt = time.Date(2021, 1, 1, 0, 0, 0, 0, time.UTC)

// BuiltInKinds returns the checklist kinds that come with the product, one
// for each kind of list a city publishes, in the order the domain lists
// them. Each call returns new values: a caller may change them freely.
//
// A kind's columns are only what its items carry besides the common fields
// (ChecklistItem), so a list's own headers map to common fields where the
// meaning is the same: the item's name is 证明名称 in a certificate list and
// 违法行为 in a penalty-exemption list; its implementing unit is the 实施机关,
// 责任部门 or 执法机关; its legal basis is the one basis that sets the item up
// (设定依据, 执法依据, 检查依据). A column holds an authority as text where
// lists name it generically rather than as one unit of the tree (执法主体
// "县级以上市场监督管理部门", a utility company that connects water).
func BuiltInKinds() []ChecklistKind {
	kinds := []ChecklistKind{
		certificatesKind(),
		flexibleEnforcementKind("noPenalty", "不予处罚事项清单",
			"列明依法不予行政处罚的违法行为及其违法依据、处罚依据和适用条件，如初次违法且危害后果轻微并及时改正的情形。",
			"penaltyProvision", "处罚依据"),
		flexibleEnforcementKind("lighterPenalty", "从轻处罚事项清单",
			"列明依法从轻行政处罚的违法行为及其违法依据、处罚依据和适用条件。",
			"penaltyProvision", "处罚依据"),
		flexibleEnforcementKind("mitigatedPenalty", "减轻处罚事项清单",
			"列明依法减轻行政处罚的违法行为及其违法依据、处罚依据和适用条件。",
			"penaltyProvision", "处罚依据"),
		flexibleEnforcementKind("noCoercion", "免予行政强制事项清单",
			"列明依法可以不采取行政强制措施的违法行为及其违法依据、行政强制依据和适用条件。",
			"coercionProvision", "行政强制依据"),
		enforcementMattersKind(),
		enforcementDutiesKind(),
		work721Kind(),
		enterpriseInspectionPlanKind(),
	}
	kinds = append(kinds, projectApprovalKinds()...)
	kinds = append(kinds,
		inspectionKind("selfInspection", "自查清单",
			"列明各单位对照法治政府建设要求逐项自查的检查要点、检查方法和分值，各单位逐项作答符合、不符合或不适用并附佐证材料。"),
		inspectionKind("supervision", "督察清单",
			"列明法治政府建设督察的检查要点、检查方法、分值和评分标准，督察组据此逐项检查被督察单位。"),
	)
	for i := range kinds {
		kinds[i].BuiltIn = true
		kinds[i].Version = 1
		kinds[i].CreatedAt = builtInAt
		kinds[i].UpdatedAt = builtInAt
	}
	return kinds
}

// BuiltInKind returns the built-in kind with this key.
func BuiltInKind(key string) (ChecklistKind, bool) {
	for _, k := range BuiltInKinds() {
		if k.Key == key {
			return k, true
		}
	}
	return ChecklistKind{}, false
}

// levelValues are the levels of government that exercise a matter (行使层级):
// 省, 市, 县 and 乡. Lists often give one matter several levels ("市、县"), so
// the values are the single levels and then every combination of them, each
// in the order of the hierarchy.
func levelValues() []string {
	return []string{
		"省", "市", "县", "乡",
		"省、市", "省、县", "省、乡", "市、县", "市、乡", "县、乡",
		"省、市、县", "省、市、乡", "省、县、乡", "市、县、乡",
		"省、市、县、乡",
	}
}

// certificatesKind is the list of certificates (证明事项清单) that the public
// must produce to get something done. The item's name is 证明名称 and its
// legal basis the 设定依据, the law or regulation that requires the
// certificate; the article itself is a column of its own. 索要单位 is text:
// lists name the authorities that ask for a certificate generically and
// often several at once.
func certificatesKind() ChecklistKind {
	return ChecklistKind{
		Key:         "certificates",
		Name:        "证明事项清单",
		Description: "列明群众和企业办事时须提交的证明材料，以及每项证明的用途、设定依据、索要单位、开具单位和是否实行告知承诺。",
		Columns: []KindColumn{
			{Key: "purpose", Label: "证明用途", Type: ColumnText, Required: true, Searchable: true},
			{Key: "basisArticle", Label: "依据条文", Type: ColumnLegalRef, Searchable: true},
			{Key: "requestingUnit", Label: "索要单位", Type: ColumnText, Searchable: true},
			{Key: "issuingUnit", Label: "开具单位", Type: ColumnText, Required: true, Searchable: true},
			{Key: "level", Label: "行使层级", Type: ColumnEnum, Values: levelValues()},
			{Key: "matterType", Label: "事项类型", Type: ColumnText},
			// Every certificate is either under notify-and-promise or not:
			// the city counts both (Panjin 2021: 152 and 384 of 536).
			{Key: "notifyPromise", Label: "是否实行告知承诺", Type: ColumnEnum, Values: []string{"是", "否"}, Required: true},
			{Key: "noPromiseReason", Label: "不实行告知承诺的理由", Type: ColumnLongText},
		},
	}
}

// flexibleEnforcementKind is one of the four lists of flexible enforcement
// (不予处罚, 从轻处罚, 减轻处罚, 免予行政强制), which share their columns but the
// basis of the measure waived: a penalty, or for 免予行政强制 a coercive
// measure.
//
// The item's name is the 违法行为 and its implementing unit the 实施机关. Its
// legal basis is what allows the leniency itself (《行政处罚法》第三十三条,
// 《行政强制法》第十六条), which lists often print beside the conditions;
// the rule broken and the sanction waived are columns of their own. The
// 监管领域 (市场监管, 生态环境 …) is the item's category: lists group their
// items by it, and a category is what a list is filtered and summed by.
func flexibleEnforcementKind(key, name, description, sanctionKey, sanctionLabel string) ChecklistKind {
	return ChecklistKind{
		Key:         key,
		Name:        name,
		Description: description,
		Columns: []KindColumn{
			{Key: "violatedProvision", Label: "违法依据", Type: ColumnLegalRef, Required: true, Searchable: true},
			{Key: sanctionKey, Label: sanctionLabel, Type: ColumnLegalRef, Required: true, Searchable: true},
			// The conditions are the point of the list ("首违不罚"), and what
			// a person searches for.
			{Key: "conditions", Label: "适用条件", Type: ColumnLongText, Required: true, Searchable: true},
		},
	}
}

// enforcementMattersKind is the list of administrative enforcement matters
// (行政执法事项清单). The item's name is the 项目名称 and its legal basis the
// 执法依据. The 执法主体 is a column beside the implementing unit because the
// list states it as the law does, for every level at once ("县级以上人民政府
// 交通运输主管部门"); the implementing unit is the city's own.
func enforcementMattersKind() ChecklistKind {
	return ChecklistKind{
		Key:         "enforcementMatters",
		Name:        "行政执法事项清单",
		Description: "列明行政执法机关依法实施的许可、处罚、强制、检查等执法事项，以及每个事项的执法类别、执法主体、承办机构、执法依据和行使层级。",
		Columns: []KindColumn{
			{Key: "itemCode", Label: "项目编码", Type: ColumnText, Required: true, Searchable: true},
			{Key: "enforcementType", Label: "执法类别", Type: ColumnEnum, Required: true,
				Values: []string{"许可", "确认", "给付", "奖励", "征收", "检查", "处罚", "强制", "裁决", "其他"}},
			{Key: "enforcementBody", Label: "执法主体", Type: ColumnText, Required: true, Searchable: true},
			{Key: "handlingOffice", Label: "承办机构", Type: ColumnText, Searchable: true},
			{Key: "level", Label: "行使层级", Type: ColumnEnum, Values: levelValues(), Required: true},
		},
	}
}

// enforcementDutiesKind is the list of enforcement responsibilities
// (行政执法责任清单): for each power (the item's name is the 职权名称), what
// the unit answers for at each stage of a case, and when someone is held
// accountable. The stages are those of a penalty case; a power whose
// procedure differs fills the ones that apply and 其他责任, so none is
// required.
func enforcementDutiesKind() ChecklistKind {
	return ChecklistKind{
		Key:         "enforcementDuties",
		Name:        "行政执法责任清单",
		Description: "列明行政执法职权在立案、调查取证、审理、告知、决定、送达、执行各环节的责任事项和追责情形。",
		Columns: []KindColumn{
			// The ten kinds of power of the power lists (权力清单).
			{Key: "powerType", Label: "职权类型", Type: ColumnEnum, Required: true,
				Values: []string{"行政许可", "行政确认", "行政给付", "行政奖励", "行政征收", "行政检查", "行政处罚", "行政强制", "行政裁决", "其他行政权力"}},
			{Key: "powerCode", Label: "职权编码", Type: ColumnText, Searchable: true},
			{Key: "legalSubject", Label: "法定主体", Type: ColumnText, Required: true, Searchable: true},
			{Key: "filingDuty", Label: "立案责任", Type: ColumnLongText},
			{Key: "investigationDuty", Label: "调查取证责任", Type: ColumnLongText},
			{Key: "hearingDuty", Label: "审理责任", Type: ColumnLongText},
			{Key: "noticeDuty", Label: "告知责任", Type: ColumnLongText},
			{Key: "decisionDuty", Label: "决定责任", Type: ColumnLongText},
			{Key: "serviceDuty", Label: "送达责任", Type: ColumnLongText},
			{Key: "executionDuty", Label: "执行责任", Type: ColumnLongText},
			{Key: "otherDuty", Label: "其他责任", Type: ColumnLongText},
			{Key: "accountability", Label: "追责情形", Type: ColumnLongText},
		},
	}
}

// work721Kind is the 721 work list: for each matter (the item's name is the
// 事项, its implementing unit the 责任部门), the measures of service,
// management and enforcement by which 70, 20 and 10 percent of problems are
// solved.
func work721Kind() ChecklistKind {
	return ChecklistKind{
		Key:         "work721",
		Name:        "721工作清单",
		Description: "按照“70%的问题用服务手段解决、20%的问题用管理手段解决、10%的问题用执法手段解决”的要求，列明每个事项的服务措施、管理措施和执法措施。",
		Columns: []KindColumn{
			{Key: "serviceMeasures", Label: "服务措施", Type: ColumnLongText},
			{Key: "managementMeasures", Label: "管理措施", Type: ColumnLongText},
			{Key: "enforcementMeasures", Label: "执法措施", Type: ColumnLongText},
		},
	}
}

// enterpriseInspectionPlanKind is the year's plan of enforcement inspections
// of enterprises (涉企行政执法检查计划). The item's name is the inspection, its
// implementing unit the 执法机关 and its legal basis the 检查依据. 检查时间 is
// text, not a date: plans give a month, a quarter or a span ("6月至9月").
func enterpriseInspectionPlanKind() ChecklistKind {
	return ChecklistKind{
		Key:         "enterpriseInspectionPlan",
		Name:        "涉企行政执法检查计划",
		Description: "列明行政执法机关本年度对企业开展行政执法检查的检查对象、检查内容、检查依据、检查时间和检查方式。",
		Columns: []KindColumn{
			{Key: "inspectedParty", Label: "检查对象", Type: ColumnText, Required: true, Searchable: true},
			{Key: "inspectionContent", Label: "检查内容", Type: ColumnLongText, Required: true},
			{Key: "inspectionTime", Label: "检查时间", Type: ColumnText, Required: true},
			{Key: "inspectionMethod", Label: "检查方式", Type: ColumnText},
		},
	}
}

// projectApprovalKinds are the lists of the reform of construction project
// approval (工程建设项目审批制度改革): approval services, public utility
// services, intermediary services, acceptance with materials to follow
// (容缺受理) and approval under notify-and-promise (告知承诺制).
//
// They are five kinds rather than one kind with a column 清单类别, because
// they are five lists with columns of their own: an intermediary service
// has the approval it serves, the agency's qualification and a fee; a 容缺
// item the materials that may follow and the time to bring them; a 告知承诺
// item what the applicant promises and how that is checked. One kind would
// carry all of these, each empty in most of its items, and could require
// none of them. Columns that mean the same in several lists (审批阶段, the
// time limits, 收费标准) have the same key in each, so that items compare
// across lists.
func projectApprovalKinds() []ChecklistKind {
	// stage is the phase of the approval process (国办发〔2019〕11号); matters
	// outside the four phases run beside them (并行推进).
	stage := func(required bool) KindColumn {
		return KindColumn{Key: "stage", Label: "审批阶段", Type: ColumnEnum, Required: required,
			Values: []string{"立项用地规划许可", "工程建设许可", "施工许可", "竣工验收", "并行推进"}}
	}
	return []ChecklistKind{
		{
			// The item is the approval matter, its implementing unit the
			// approving department, its legal basis the 设定依据.
			Key:         "projectApproval",
			Name:        "工程建设项目审批服务事项清单",
			Description: "列明工程建设项目从立项到竣工验收各审批阶段的审批服务事项，以及每个事项的事项类型、行使层级和办理时限。",
			Columns: []KindColumn{
				stage(true),
				{Key: "matterType", Label: "事项类型", Type: ColumnText},
				{Key: "level", Label: "行使层级", Type: ColumnEnum, Values: levelValues()},
				{Key: "statutoryDays", Label: "法定时限（工作日）", Type: ColumnNumber},
				{Key: "promisedDays", Label: "承诺时限（工作日）", Type: ColumnNumber},
			},
		},
		{
			// Water, power, gas, heat, drainage and telecoms are connected by
			// companies, not by units of the tree: the provider is text.
			Key:         "projectPublicServices",
			Name:        "工程建设项目公共服务事项清单",
			Description: "列明工程建设项目供水、供电、燃气、热力、排水、通信等市政公用服务事项，以及每个事项的服务单位、办理时限和收费标准。",
			Columns: []KindColumn{
				stage(false),
				{Key: "provider", Label: "服务单位", Type: ColumnText, Required: true, Searchable: true},
				{Key: "promisedDays", Label: "承诺时限（工作日）", Type: ColumnNumber},
				{Key: "fee", Label: "收费标准", Type: ColumnText},
			},
		},
		{
			Key:         "projectIntermediaries",
			Name:        "工程建设项目中介服务事项清单",
			Description: "列明工程建设项目审批所需的中介服务事项，以及每个事项对应的审批事项、中介机构资质要求、服务时限和收费标准。",
			Columns: []KindColumn{
				stage(false),
				{Key: "relatedApproval", Label: "对应审批事项", Type: ColumnText, Required: true, Searchable: true},
				{Key: "agencyQualification", Label: "中介机构资质要求", Type: ColumnLongText},
				{Key: "promisedDays", Label: "服务时限（工作日）", Type: ColumnNumber},
				{Key: "fee", Label: "收费标准", Type: ColumnText},
			},
		},
		{
			Key:         "projectDeferredMaterials",
			Name:        "工程建设项目容缺受理事项清单",
			Description: "列明工程建设项目审批中主要申请材料齐全、次要材料暂缺时可以先行受理的事项，以及每个事项的可容缺材料、容缺受理条件和补正时限。",
			Columns: []KindColumn{
				stage(false),
				{Key: "deferrableMaterials", Label: "可容缺材料", Type: ColumnLongText, Required: true, Searchable: true},
				{Key: "conditions", Label: "容缺受理条件", Type: ColumnLongText},
				{Key: "supplementDays", Label: "补正时限（工作日）", Type: ColumnNumber},
			},
		},
		{
			Key:         "projectNotifyPromise",
			Name:        "工程建设项目告知承诺制审批事项清单",
			Description: "列明工程建设项目审批中实行告知承诺制的事项，以及申请人须承诺的内容、事中事后核查方式和违反承诺的处理。",
			Columns: []KindColumn{
				stage(false),
				{Key: "promiseContent", Label: "承诺内容", Type: ColumnLongText, Required: true},
				{Key: "verification", Label: "核查方式", Type: ColumnLongText},
				{Key: "breachHandling", Label: "违反承诺的处理", Type: ColumnLongText},
			},
		},
	}
}

// inspectionKind is a checklist that units answer item by item: the
// self-inspection list (自查清单) each unit works through, or the checklist of
// a supervision (督察清单) by which the inspectors check a unit. Their items
// are the same (the item's name is the 检查项目, its category the section of
// the list); the answers — complies, does not, not applicable, with evidence
// and a comment — are records of their own, per item and unit.
func inspectionKind(key, name, description string) ChecklistKind {
	return ChecklistKind{
		Key:         key,
		Name:        name,
		Description: description,
		Columns: []KindColumn{
			{Key: "keyPoints", Label: "检查要点", Type: ColumnLongText, Required: true, Searchable: true},
			{Key: "method", Label: "检查方法", Type: ColumnText},
			{Key: "points", Label: "分值", Type: ColumnNumber},
			{Key: "scoringCriteria", Label: "评分标准", Type: ColumnLongText},
			{Key: "evidence", Label: "佐证材料", Type: ColumnLongText},
		},
	}
}
