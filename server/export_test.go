package server

// Internals the external tests need.
var (
	RequestHash     = requestHash
	IdempotencyTTL  = idempotencyTTL
	PatternMessages = patternMessages
	FormatMessages  = formatMessages
)

// FeedModels are the feed's record types by name, each with the name of its
// model type in package models.
func FeedModels() map[string]string {
	out := map[string]string{}
	for _, t := range feedTypes(&strictServer{}) {
		out[t.name] = t.model
	}
	return out
}
