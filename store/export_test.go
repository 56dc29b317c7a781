package store

import "gorm.io/gorm"

// GormOf exposes the GORM handle to the external contract tests, which count the
// statements an operation issues (with a callback) and compare the mapped models
// with the migrated schema. Nothing outside the tests can reach it.
func GormOf(db *DB) *gorm.DB { return db.gorm }

// BatchSize is the rows one statement of the lifecycle's write path locks or
// writes, for the tests that count statements per batch.
const BatchSize = batchSize

// HandReadColumns are the columns the hand scan of each model reads.
var HandReadColumns = map[string]string{"units": unitReader.columns, "indicator_values": valueReader.columns,
	"checklist_items": itemReader.columns, "feed_events": feedReader.columns, "audit_events": auditReader.columns,
	"plan_tasks": taskReader.columns, "plan_task_units": taskUnitReader.columns,
	"plan_task_indicators": taskIndicatorReader.columns, "plan_task_checklists": taskChecklistReader.columns}

// TaskLinkRows are the rows of the plan task link tables, by table, as GORM maps them.
var TaskLinkRows = map[string]any{"plan_task_units": &taskUnitRow{}, "plan_task_indicators": &taskIndicatorRow{},
	"plan_task_checklists": &taskChecklistRow{}}
