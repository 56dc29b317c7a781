package models

import "time"

// Attachment is a file of evidence attached to a reported value (佐证材料).
// Its bytes are kept in the blob store under BlobKey; Filename is the name it
// was uploaded with, kept as it was and never used as a path.
type Attachment struct {
	ID          string    `gorm:"column:id;primaryKey"`
	ValueID     string    `gorm:"column:value_id"`
	Filename    string    `gorm:"column:filename"`
	ContentType string    `gorm:"column:content_type"` // judged by the content, not the name
	Size        int64     `gorm:"column:size"`
	SHA256      string    `gorm:"column:sha256"` // lower-case hex
	BlobKey     string    `gorm:"column:blob_key"`
	CreatedBy   string    `gorm:"column:created_by"` // "user:<id>" or "apiKey:<id>"
	CreatedAt   time.Time `gorm:"column:created_at"`
}

// TableName maps Attachment to its table.
func (Attachment) TableName() string { return "attachments" }
