// Package fazhi carries the contract, openapi.yaml, as the bytes the server
// validates requests against and serves at /openapi.yaml.
package fazhi

import _ "embed"

// OpenAPI is openapi.yaml as it is in the repository.
//
//go:embed openapi.yaml
var OpenAPI []byte
