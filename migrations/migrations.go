// Package migrations holds the versioned SQL schema, one folder per dialect with
// the same version numbers in each, in goose's format (one file a version, with
// "-- +goose Up" and "-- +goose Down" sections).
package migrations

import "embed"

// FS holds the folders "mysql" and "sqlite".
//
//go:embed mysql/*.sql sqlite/*.sql
var FS embed.FS

// Dialects names the folders of FS.
var Dialects = []string{"mysql", "sqlite"}
