// Package models is the domain of fazhi: the records a city's rule-of-law
// programme keeps (units, users and keys, indicator systems and indicators,
// targets, reported values, evaluations, audit events), their rules and
// their lifecycles.
//
// A record with a status keeps its lifecycle here, once: a transition table
// as data (ValueLifecycle, SystemLifecycle, EvaluationLifecycle), whose
// released states say what leaves the city; constructors of the initial state
// (NewIndicatorValue, NewIndicatorSystem, NewEvaluation); and one method per
// transition that takes the actor and the instant explicitly and returns a
// typed error ((*IndicatorValue).Submit, Return, Approve, Lock). No other
// package assigns a status: the store persists what these methods decide,
// and the HTTP layer translates (docs/conventions.md, Lifecycles).
//
// Errors are the sentinels ErrNotFound, ErrConflict, ErrInvalid,
// ErrForbidden, ErrUnauthenticated, ErrPrecondition and ErrUnavailable, and
// typed errors that carry a stable code (ValidationError, ConflictError,
// ForbiddenError, NotFoundError, PreconditionError) for the one renderer of
// problems to map.
//
// The package knows neither HTTP nor SQL: it imports the standard library
// and value types (exact decimals, reporting periods) only. The struct tags
// that map records to their tables are the one concession to the store.
package models
