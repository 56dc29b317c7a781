package store

import (
	"context"

	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/paging"
)

// ListChecklistItemsThrough is ListChecklistItems reading through a gram of
// q only when it has at most most items (never when most is negative), and
// saying whether it did: the tests compare the two ways of reading a page.
func (db *DB) ListChecklistItemsThrough(ctx context.Context, checklistID string, f models.ChecklistItemFilter, page paging.Page,
	most int) ([]models.ChecklistItem, *paging.Cursor, bool, error) {
	return db.listChecklistItems(ctx, checklistID, f, page, most)
}

// ItemGrams are the grams the index keeps of a folded text.
func ItemGrams(text string) []string {
	var out []string
	for _, k := range appendGrams(nil, text) {
		out = append(out, k.String())
	}
	return out
}

// SetGramMaxEntries makes n the most items a gram keeps its entries for,
// until restore; the store's tests do not run in parallel.
func SetGramMaxEntries(n int) (restore func()) {
	previous := gramMaxEntries
	gramMaxEntries = n
	return func() { gramMaxEntries = previous }
}

// GramMaxEntries is the most items a gram keeps its entries for.
func GramMaxEntries() int { return gramMaxEntries }
