package demo

import "github.com/fazhi/fazhi/models"

// Password is the password of every demo account. It is documented in the
// README; demo accounts are refused in production.
const Password = "Fazhi-Demo-2021"

// Fixed ids of the demo accounts.
var (
	AdminUser    = ID(0x1001)
	ReviewerUser = ID(0x1002)
	ReporterUser = ID(0x1003)
	ViewerUser   = ID(0x1004)
	// LegalityReviewerUser is the Justice Bureau's legality reviewer
	// (合法性审查), who reviews every unit's lists city-wide.
	LegalityReviewerUser = ID(0x1005)
)

// Users returns one demo account per role, on units where such a person
// works: the administrator in the rule-of-law office, a reviewer in the
// Justice Bureau, a reporter in the legal-aid centre below it, a viewer in
// a district, and the Justice Bureau's legality reviewer, who reviews the
// lists of every department and district. PasswordHash is left for the seeder to fill.
func Users() []*models.User {
	return []*models.User{
		{ID: AdminUser, Username: "fzb.admin", DisplayName: "市依法治市办管理员", UnitID: RuleOfLawOffice, Roles: []models.Role{models.RoleAdmin}, Demo: true},
		{ID: ReviewerUser, Username: "sfj.reviewer", DisplayName: "市司法局审核员", UnitID: JusticeBureau, Roles: []models.Role{models.RoleReviewer}, Demo: true},
		{ID: ReporterUser, Username: "flyz.reporter", DisplayName: "市法律援助中心填报员", UnitID: LegalAidCentre, Roles: []models.Role{models.RoleReporter}, Demo: true},
		{ID: ViewerUser, Username: "xlt.viewer", DisplayName: "兴隆台区查看员", UnitID: Xinglongtai, Roles: []models.Role{models.RoleViewer}, Demo: true},
		{ID: LegalityReviewerUser, Username: "sfj.legal", DisplayName: "市司法局合法性审查员", UnitID: JusticeBureau, Roles: []models.Role{models.RoleCityReviewer}, Demo: true},
	}
}
