package server

// Internals the external tests need.
var (
	RequestHash     = requestHash
	IdempotencyTTL  = idempotencyTTL
	PatternMessages = patternMessages
	FormatMessages  = formatMessages
)
