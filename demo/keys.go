package demo

import (
	"crypto/rand"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
)

// ProvinceKey is the id of the demo's API key of the provincial platform.
var ProvinceKey = ID(0x2001)

// APIKeys returns the demo's API key of the provincial platform, with the
// prefix the contract's examples show. Its secret is random and kept by no
// one: the key is there to be listed, read and revoked; to call the API with
// a key, create one (the secret is shown once, in that answer).
func APIKeys() []*models.APIKey {
	return []*models.APIKey{{
		ID: ProvinceKey, Name: "辽宁省法治政府建设信息平台（演示）", Prefix: "fzk_1a2b3c4d",
		SecretHash: password.HashToken(rand.Text()), Scopes: []models.Scope{models.ScopeRead},
		AllowedAddresses: []string{}, CreatedBy: AdminUser,
	}}
}
