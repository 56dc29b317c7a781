// Package orgsheet imports a city's organisation from the spreadsheets it is
// kept in: its unit tree (单位), 40 to 400 rows of codes, names, kinds and
// parents, and its accounts (用户), a few per unit. Nobody types those in one
// at a time.
//
// An import is judged whole before anything is written: every bad cell is
// reported by sheet, row and column, and the records are created, in one
// transaction, only when no row has a problem. A dry run judges and reports
// without writing. Accounts are made with a password their owners must
// change at the first sign-in: the one the sheet gives, or one made up here
// and handed back once.
//
// The package knows neither HTTP nor SQL: the command line and the API both
// run it on their Store.
package orgsheet

import (
	"context"
	"fmt"
	"slices"
	"strings"

	"github.com/google/uuid"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/sheet"
	"github.com/fazhi/fazhi/textsearch"
)

// Store is what an import needs of the database.
type Store interface {
	UnitsByCodes(ctx context.Context, codes []string) ([]models.Unit, error)
	CreateUnits(ctx context.Context, units []*models.Unit) error
	UsersByUsernames(ctx context.Context, usernames []string) ([]models.User, error)
	CreateUsers(ctx context.Context, users []*models.User) error
}

// MaxRows bounds the rows of one import: a province's units, or its accounts.
const MaxRows = 20000

// Report is what an import found and did.
type Report struct {
	Sheet    string
	Rows     int // data rows read, blank ones left out
	Created  int // records created; 0 for a dry run or when there are problems
	Problems sheet.Problems
	// Credentials are the initial passwords made up for accounts the sheet
	// gave none, shown once: hand each to its owner, who must change it.
	Credentials []Credential
}

// Credential is an account's initial password.
type Credential struct {
	Username, Password string
}

// Keys of the unit sheet's columns.
const (
	ColCode       = "code"
	ColName       = "name"
	ColShortName  = "short_name"
	ColKind       = "kind"
	ColParentCode = "parent_code"
)

// UnitColumns are the unit sheet's columns, by the headers they are found
// under (in either script: headers are folded).
func UnitColumns() []sheet.Column {
	return []sheet.Column{
		{Key: ColCode, Headers: []string{"单位代码", "单位编码", "代码", "code"}, Required: true},
		{Key: ColName, Headers: []string{"单位名称", "名称", "name"}, Required: true},
		{Key: ColShortName, Headers: []string{"简称", "单位简称", "short name"}},
		{Key: ColKind, Headers: []string{"单位类型", "类型", "kind"}, Required: true},
		{Key: ColParentCode, Headers: []string{"上级单位代码", "上级代码", "上级单位编码", "parent code"}},
	}
}

// kindWords are the words a unit sheet writes a kind with, besides the
// contract's own names.
var kindWords = map[string]models.UnitKind{
	"省": models.UnitProvince, "省级": models.UnitProvince, "自治区": models.UnitProvince, "直辖市": models.UnitProvince,
	"市": models.UnitCity, "地级市": models.UnitCity, "州": models.UnitCity, "盟": models.UnitCity, "设区的市": models.UnitCity,
	"区": models.UnitDistrict, "市辖区": models.UnitDistrict,
	"县": models.UnitCounty, "县级市": models.UnitCounty, "旗": models.UnitCounty, "自治县": models.UnitCounty,
	"经济区": models.UnitEconomicZone, "开发区": models.UnitEconomicZone, "新区": models.UnitEconomicZone,
	"高新区": models.UnitEconomicZone, "园区": models.UnitEconomicZone, "功能区": models.UnitEconomicZone,
	"乡镇": models.UnitTown, "镇街": models.UnitTown, "街道": models.UnitTown, "镇": models.UnitTown, "乡": models.UnitTown,
	"村": models.UnitVillage, "行政村": models.UnitVillage, "嘎查": models.UnitVillage,
	"社区": models.UnitCommunity, "居委会": models.UnitCommunity,
	"部门": models.UnitDepartment, "委办局": models.UnitDepartment, "单位": models.UnitDepartment,
	"机关": models.UnitOffice, "办公室": models.UnitOffice, "办事机构": models.UnitOffice,
}

// ParseKind reads a kind as a sheet writes it: the contract's name
// (economic_zone) or a Chinese word (经济区, 街道), in either script.
func ParseKind(text string) (models.UnitKind, bool) {
	w := textsearch.Fold(strings.TrimSpace(text))
	if k := models.UnitKind(w); k.Valid() {
		return k, true
	}
	k, ok := kindWords[w]
	return k, ok
}

// unitRow is a row of the unit sheet, judged.
type unitRow struct {
	row    sheet.Row
	unit   *models.Unit
	parent string // the parent's code, empty for a root
}

// ImportUnits judges a unit sheet and, when no row has a problem and it is no
// dry run, creates every unit it lists, parents before children. A row's
// parent is a unit of the sheet or one that exists; a code is new.
func ImportUnits(ctx context.Context, st Store, tab *sheet.Table, dryRun bool) (Report, error) {
	r := Report{Sheet: tab.Sheet}
	var rows []unitRow
	byCode := map[string]*unitRow{}
	var codes []string
	for _, row := range tab.Rows {
		if blankRow(row) {
			continue
		}
		r.Rows++
		u := &models.Unit{ID: uuid.Must(uuid.NewV7()).String()}
		u.Code = strings.TrimSpace(row.Text(ColCode))
		u.Name = strings.TrimSpace(row.Text(ColName))
		if s := strings.TrimSpace(row.Text(ColShortName)); s != "" {
			u.ShortName = &s
		}
		probs := textProblems(row, ColCode, ColName, ColShortName, ColParentCode)
		kindCell := row.Cells[ColKind]
		if k, ok := ParseKind(kindCell.Text); ok {
			u.Kind = k
		} else if !kindCell.Blank() {
			probs = append(probs, kindCell.Problem("unknown kind %q: write one of %s", kindCell.Text, kindNames()))
		}
		probs = addNew(probs, cellProblems(row, u.Validate(), map[string]string{
			"/code": ColCode, "/name": ColName, "/kind": ColKind, "/shortName": ColShortName}))
		r.Problems = append(r.Problems, probs...)
		ur := unitRow{row: row, unit: u, parent: strings.TrimSpace(row.Text(ColParentCode))}
		if u.Code != "" {
			if first, ok := byCode[u.Code]; ok {
				r.Problems = append(r.Problems, row.Cells[ColCode].Problem("code %s is given twice: also on row %d", u.Code, first.row.Number))
				continue
			}
			codes = append(codes, u.Code)
		}
		rows = append(rows, ur)
		byCode[u.Code] = &rows[len(rows)-1]
		if ur.parent != "" {
			codes = append(codes, ur.parent)
		}
	}
	// rows grew while byCode pointed into it: point again.
	for i := range rows {
		byCode[rows[i].unit.Code] = &rows[i]
	}
	existing, err := st.UnitsByCodes(ctx, compact(codes))
	if err != nil {
		return r, err
	}
	exists := make(map[string]*models.Unit, len(existing))
	for i := range existing {
		exists[existing[i].Code] = &existing[i]
	}
	for _, ur := range rows {
		if u := exists[ur.unit.Code]; u != nil && ur.unit.Code != "" {
			r.Problems = append(r.Problems, ur.row.Cells[ColCode].Problem("a unit with code %s exists: %s", u.Code, u.Name))
		}
		if ur.parent != "" && byCode[ur.parent] == nil && exists[ur.parent] == nil {
			r.Problems = append(r.Problems, ur.row.Cells[ColParentCode].Problem("no unit has the code %s, in this sheet or in the system", ur.parent))
		}
	}
	ordered, treeProblems := placeUnits(rows, byCode, exists)
	r.Problems = append(r.Problems, treeProblems...)
	r.Problems.Sort()
	if len(r.Problems) > 0 {
		return r, nil
	}
	if dryRun {
		r.Created = len(ordered) // what the import would create
		return r, nil
	}
	if err := st.CreateUnits(ctx, ordered); err != nil {
		return r, err
	}
	r.Created = len(ordered)
	return r, nil
}

// placeUnits sets each unit's parent, level and path, and orders them parents
// first; a parent chain that loops or goes too deep is a problem at the
// parent's cell.
func placeUnits(rows []unitRow, byCode map[string]*unitRow, exists map[string]*models.Unit) ([]*models.Unit, sheet.Problems) {
	var probs sheet.Problems
	var ordered []*models.Unit
	state := map[string]int{} // 0 unvisited, 1 placing, 2 placed, 3 failed
	var place func(ur *unitRow) bool
	place = func(ur *unitRow) bool {
		code := ur.unit.Code
		switch state[code] {
		case 2:
			return true
		case 1, 3:
			return false
		}
		state[code] = 1
		parentPath, level := "", 0
		switch {
		case ur.parent == "":
		case byCode[ur.parent] != nil:
			p := byCode[ur.parent]
			if state[p.unit.Code] == 1 { // the chain of parents came back
				probs = append(probs, ur.row.Cells[ColParentCode].Problem("unit %s is its own ancestor: the parent codes loop back to it", code))
				state[code] = 3
				return false
			}
			if !place(p) {
				probs = append(probs, ur.row.Cells[ColParentCode].Problem("unit %s cannot be placed: its parent %s is in a loop or cannot be placed", code, ur.parent))
				state[code] = 3
				return false
			}
			parentPath, level = p.unit.Path, p.unit.Level
			ur.unit.ParentID = &p.unit.ID
		case exists[ur.parent] != nil:
			p := exists[ur.parent]
			parentPath, level = p.Path, p.Level
			ur.unit.ParentID = &p.ID
		default:
			state[code] = 3 // reported already: no such parent
			return false
		}
		if level+1 > models.MaxUnitLevel {
			probs = append(probs, ur.row.Cells[ColParentCode].Problem("unit %s would be at level %d: the tree has at most %d levels", code, level+1, models.MaxUnitLevel))
			state[code] = 3
			return false
		}
		ur.unit.Level = level + 1
		ur.unit.Path = models.UnitPath(parentPath, ur.unit.ID)
		ordered = append(ordered, ur.unit)
		state[code] = 2
		return true
	}
	for i := range rows {
		if rows[i].unit.Code != "" && state[rows[i].unit.Code] == 0 {
			place(&rows[i])
		}
	}
	return ordered, probs
}

func kindNames() string {
	names := make([]string, len(models.UnitKinds))
	for i, k := range models.UnitKinds {
		names[i] = string(k)
	}
	return strings.Join(names, ", ") + " (or 市, 区, 县, 经济区, 街道, 乡镇, 村, 社区, 部门 …)"
}

// Keys of the user sheet's columns.
const (
	ColUsername    = "username"
	ColDisplayName = "display_name"
	ColUnitCode    = "unit_code"
	ColRoles       = "roles"
	ColPassword    = "password"
)

// UserColumns are the user sheet's columns.
func UserColumns() []sheet.Column {
	return []sheet.Column{
		{Key: ColUsername, Headers: []string{"用户名", "账号", "登录名", "username"}, Required: true},
		{Key: ColDisplayName, Headers: []string{"姓名", "显示名称", "名称", "display name"}, Required: true},
		{Key: ColUnitCode, Headers: []string{"单位代码", "所在单位代码", "单位编码", "unit code"}, Required: true},
		{Key: ColRoles, Headers: []string{"角色", "roles"}, Required: true},
		{Key: ColPassword, Headers: []string{"初始密码", "密码", "password"}},
	}
}

// roleWords are the words a user sheet writes a role with, besides the
// contract's own names.
var roleWords = map[string]models.Role{
	"管理员": models.RoleAdmin, "审核员": models.RoleReviewer, "审核": models.RoleReviewer,
	"填报员": models.RoleReporter, "填报": models.RoleReporter, "查看员": models.RoleViewer, "查看": models.RoleViewer,
	"合法性审查员": models.RoleCityReviewer, "合法性审查": models.RoleCityReviewer,
}

// ParseRoles reads the roles of a cell: names or Chinese words, separated by
// commas, semicolons, 、 or spaces.
func ParseRoles(text string) ([]models.Role, error) {
	var roles []models.Role
	for _, w := range strings.FieldsFunc(textsearch.Fold(text), func(r rune) bool { return strings.ContainsRune(",;、 \t", r) }) {
		role := models.Role(w)
		if !role.Valid() {
			var ok bool
			if role, ok = roleWords[w]; !ok {
				return nil, fmt.Errorf("unknown role %q: write admin, reviewer, reporter, viewer or cityReviewer (管理员, 审核员, 填报员, 查看员, 合法性审查员)", w)
			}
		}
		if slices.Contains(roles, role) {
			return nil, fmt.Errorf("role %s is given twice", role)
		}
		roles = append(roles, role)
	}
	if len(roles) == 0 {
		return nil, fmt.Errorf("no role: write admin, reviewer, reporter, viewer or cityReviewer (管理员, 审核员, 填报员, 查看员, 合法性审查员)")
	}
	return roles, nil
}

// ImportUsers judges a user sheet and, when no row has a problem and it is
// no dry run, creates every account it lists, each with a password its owner
// must change at the first sign-in: the sheet's, or one made up by
// newPassword and reported in Credentials. hash turns a password into what
// is stored.
func ImportUsers(ctx context.Context, st Store, tab *sheet.Table, newPassword func() string, hash func(string) (string, error), dryRun bool) (Report, error) {
	r := Report{Sheet: tab.Sheet}
	type userRow struct {
		row      sheet.Row
		user     *models.User
		unitCode string
		password string
	}
	var rows []userRow
	seen := map[string]int{}
	var names, unitCodes []string
	for _, row := range tab.Rows {
		if blankRow(row) {
			continue
		}
		r.Rows++
		u := &models.User{ID: uuid.Must(uuid.NewV7()).String(), MustChangePassword: true,
			Username: strings.TrimSpace(row.Text(ColUsername)), DisplayName: strings.TrimSpace(row.Text(ColDisplayName))}
		probs := textProblems(row, ColUsername, ColDisplayName, ColUnitCode, ColRoles)
		if u.Username != "" && !models.ValidUsername(u.Username) {
			probs = append(probs, row.Cells[ColUsername].Problem("a username has 3 to 64 lower-case letters, digits, dots, dashes and underscores, not %q", u.Username))
		}
		rolesCell := row.Cells[ColRoles]
		if !rolesCell.Blank() {
			roles, err := ParseRoles(rolesCell.Text)
			if err != nil {
				probs = append(probs, rolesCell.Problem("%v", err))
			}
			u.Roles = roles
		}
		probs = addNew(probs, cellProblems(row, u.Validate(), map[string]string{
			"/username": ColUsername, "/displayName": ColDisplayName, "/roles": ColRoles}))
		pw := row.Text(ColPassword)
		if pw != "" {
			if err := models.CheckPassword(u.Username, pw); err != nil {
				probs = append(probs, row.Cells[ColPassword].Problem("%v", err))
			}
		}
		r.Problems = append(r.Problems, probs...)
		if u.Username != "" {
			if first, ok := seen[u.Username]; ok {
				r.Problems = append(r.Problems, row.Cells[ColUsername].Problem("username %s is given twice: also on row %d", u.Username, first))
			}
			seen[u.Username] = row.Number
			names = append(names, u.Username)
		}
		code := strings.TrimSpace(row.Text(ColUnitCode))
		if code != "" {
			unitCodes = append(unitCodes, code)
		}
		rows = append(rows, userRow{row: row, user: u, unitCode: code, password: pw})
	}
	taken, err := st.UsersByUsernames(ctx, compact(names))
	if err != nil {
		return r, err
	}
	isTaken := map[string]bool{}
	for _, u := range taken {
		isTaken[u.Username] = true
	}
	units, err := st.UnitsByCodes(ctx, compact(unitCodes))
	if err != nil {
		return r, err
	}
	unitByCode := map[string]*models.Unit{}
	for i := range units {
		unitByCode[units[i].Code] = &units[i]
	}
	for _, ur := range rows {
		if isTaken[ur.user.Username] {
			r.Problems = append(r.Problems, ur.row.Cells[ColUsername].Problem("the username %s is taken", ur.user.Username))
		}
		if ur.unitCode == "" {
			continue
		}
		if u := unitByCode[ur.unitCode]; u != nil {
			ur.user.UnitID = u.ID
		} else {
			r.Problems = append(r.Problems, ur.row.Cells[ColUnitCode].Problem("no unit has the code %s: import the units first", ur.unitCode))
		}
	}
	r.Problems.Sort()
	if len(r.Problems) > 0 {
		return r, nil
	}
	if dryRun {
		r.Created = len(rows) // what the import would create
		return r, nil
	}
	users := make([]*models.User, len(rows))
	for i, ur := range rows {
		pw := ur.password
		if pw == "" {
			pw = newPassword()
			r.Credentials = append(r.Credentials, Credential{Username: ur.user.Username, Password: pw})
		}
		if ur.user.PasswordHash, err = hash(pw); err != nil {
			return r, err
		}
		users[i] = ur.user
	}
	if err := st.CreateUsers(ctx, users); err != nil {
		r.Credentials = nil
		return r, err
	}
	r.Created = len(users)
	return r, nil
}

// blankRow reports whether every cell of the row is blank.
func blankRow(row sheet.Row) bool {
	for _, c := range row.Cells {
		if !c.Blank() {
			return false
		}
	}
	return true
}

// textProblems applies the rule of every text (models.BadCharacter) to the
// row's cells of the columns given.
func textProblems(row sheet.Row, keys ...string) sheet.Problems {
	var probs sheet.Problems
	for _, k := range keys {
		if c, ok := row.Cells[k]; ok {
			if msg := models.TextProblem(c.Text); msg != "" {
				probs = append(probs, c.Problem("%s", msg))
			}
		}
	}
	return probs
}

// cellProblems places a record's validation problems at the cells of the
// fields they name.
func cellProblems(row sheet.Row, err error, columns map[string]string) sheet.Problems {
	if err == nil {
		return nil
	}
	ve, ok := err.(*models.ValidationError)
	if !ok {
		return sheet.Problems{row.Problem("%v", err)}
	}
	var probs sheet.Problems
	for _, f := range ve.Fields {
		col := columns[f.Pointer]
		if k, _, ok := strings.Cut(strings.TrimPrefix(f.Pointer, "/"), "/"); ok {
			col = columns["/"+k]
		}
		if c, ok := row.Cells[col]; ok {
			probs = append(probs, c.Problem("%s", f.Message))
		} else {
			probs = append(probs, row.Problem("%s", f.Message))
		}
	}
	return probs
}

// addNew adds to probs the problems of more at cells that have none yet: a
// cell already refused is not refused twice for the same fault.
func addNew(probs, more sheet.Problems) sheet.Problems {
	for _, p := range more {
		if !slices.ContainsFunc(probs, func(q sheet.Problem) bool { return q.Row == p.Row && q.Col == p.Col }) {
			probs = append(probs, p)
		}
	}
	return probs
}

// compact is the distinct non-empty strings of list, sorted.
func compact(list []string) []string {
	out := slices.DeleteFunc(slices.Clone(list), func(s string) bool { return s == "" })
	slices.Sort(out)
	return slices.Compact(out)
}
