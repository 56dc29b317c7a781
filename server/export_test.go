package server

// Internals the external tests need.
var (
	RequestHash     = requestHash
	IdempotencyTTL  = idempotencyTTL
	PatternMessages = patternMessages
	FormatMessages  = formatMessages
)

// FeedModels are the feed's record types by name, each with the name of its
// model type in package models and whether it is released with other
// records rather than by a state of its own.
func FeedModels() map[string]FeedModel {
	out := map[string]FeedModel{}
	for _, t := range feedTypes(&strictServer{}) {
		out[t.name] = FeedModel{Model: t.model, ReleasedWith: t.releasedWith}
	}
	return out
}

// FeedModel is a record type's model, and whether it is released with
// other records.
type FeedModel struct {
	Model        string
	ReleasedWith bool
}

// FeedColumnsWithoutHeader are the exported records' fields that the yearly
// workbook has no Chinese header for, as "type.field".
func FeedColumnsWithoutHeader() []string {
	var out []string
	for _, t := range feedTypes(&strictServer{}) {
		for _, c := range t.columns {
			if _, ok := fieldHeaders[c]; !ok {
				out = append(out, t.name+"."+c)
			}
		}
	}
	return out
}
