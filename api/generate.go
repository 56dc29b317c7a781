// Package api is generated from openapi.yaml by oapi-codegen: the Echo strict-server
// interface, its request and response types, and the embedded spec. Do not edit by hand;
// change openapi.yaml and run go generate ./...
package api

//go:generate go tool oapi-codegen -config cfg.yaml ../openapi.yaml
