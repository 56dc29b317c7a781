package store

import (
	"context"
	"fmt"
	"slices"
	"strings"
	"time"

	"gorm.io/gorm"

	"github.com/fazhi/fazhi/models"
)

// Files of evidence of progress reports and problems (models.Evidence):
// the bytes are in the blob store already when the row is written.

func planEvidenceNotFound(id string) error { return &models.NotFoundError{Entity: "evidence", ID: id} }

// CreateEvidence records a file of evidence of a record its unit is still
// working on (a report being written, a problem not signed off): the
// record is locked while it is checked, so that it cannot move on
// meanwhile.
func (db *DB) CreateEvidence(ctx context.Context, e *models.Evidence) error {
	err := db.tx(ctx, func(tx *gorm.DB, at time.Time) error {
		var unitID string
		switch e.RecordType {
		case models.EvidenceOfProgress:
			r, err := lockOne(db, tx, progressModel, target{id: e.RecordID, move: models.MoveEdit})
			if err != nil {
				return err
			}
			unitID = r.UnitID
		case models.EvidenceOfProblem:
			p, err := lockOne(db, tx, problemModel, target{id: e.RecordID, move: models.MoveEdit})
			if err != nil {
				return err
			}
			unitID = p.UnitID
		default:
			return fmt.Errorf("evidence of an unknown record type %q", e.RecordType)
		}
		n, err := countEvidence(tx, e.RecordType, e.RecordID)
		if err != nil {
			return err
		}
		if n >= models.MaxEvidence {
			return &models.ConflictError{Code: "evidence_full",
				Detail: fmt.Sprintf("the %s holds %d files of evidence, the most it may", strings.ReplaceAll(e.RecordType, "_", " "), n)}
		}
		e.CreatedAt = at
		if err := tx.Create(e).Error; err != nil {
			return translate(err)
		}
		return db.record(ctx, tx, at, change{entityType: "evidence", entityID: e.ID, unitID: &unitID,
			after: map[string]any{"id": e.ID, "recordType": e.RecordType, "recordId": e.RecordID, "filename": e.Filename,
				"contentType": e.ContentType, "size": e.Size, "sha256": e.SHA256, "createdBy": e.CreatedBy}})
	})
	if err != nil {
		return fmt.Errorf("create evidence of %s %s: %w", e.RecordType, e.RecordID, err)
	}
	return nil
}

// GetEvidence reads one file of evidence.
func (db *DB) GetEvidence(ctx context.Context, id string) (*models.Evidence, error) {
	return find[models.Evidence](ctx, db, "evidence "+id, planEvidenceNotFound(id), "id = ?", id)
}

// EvidenceOf reads the evidence of records of one type, by record, oldest
// first.
func (db *DB) EvidenceOf(ctx context.Context, recordType string, ids []string) (map[string][]models.Evidence, error) {
	out := make(map[string][]models.Evidence, len(ids))
	for part := range slices.Chunk(ids, batchSize) {
		var rows []models.Evidence
		err := db.gorm.WithContext(ctx).Where("record_type = ? AND record_id IN ?", recordType, part).Order("record_id, id").Find(&rows).Error
		if err != nil {
			return nil, fmt.Errorf("evidence of %s records: %w", recordType, translate(err))
		}
		for _, e := range rows {
			out[e.RecordID] = append(out[e.RecordID], e)
		}
	}
	return out, nil
}

// countEvidence counts the files of evidence of a record.
func countEvidence(tx *gorm.DB, recordType, id string) (int, error) {
	var n int64
	err := tx.Model(&models.Evidence{}).Where("record_type = ? AND record_id = ?", recordType, id).Count(&n).Error
	return int(n), translate(err)
}
