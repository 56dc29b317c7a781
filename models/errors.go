package models

import (
	"errors"
	"fmt"
	"strings"
)

// Sentinel errors shared by every layer. The store wraps them with context
// ("update unit %s: %w") and the HTTP layer maps them, with errors.Is, to a status.
var (
	ErrNotFound        = errors.New("not found")
	ErrConflict        = errors.New("conflict")
	ErrInvalid         = errors.New("invalid")
	ErrForbidden       = errors.New("forbidden")
	ErrUnauthenticated = errors.New("unauthenticated")
	// ErrPrecondition is a stale version: the record changed since the client read it.
	ErrPrecondition = errors.New("precondition failed")
	// ErrUnavailable is the database being out of reach; a retry may succeed.
	ErrUnavailable = errors.New("unavailable")
	// ErrBusy is a change that kept conflicting with others (deadlocks,
	// certification failures of a multi-primary cluster) however often it
	// was tried again; a later retry may succeed.
	ErrBusy = errors.New("busy")
)

// FieldError locates one violation: Pointer is a JSON pointer into the request
// body. Code, when set, is the stable word of the refusal it reports (each
// value a bulk change refused carries the code its single operation gives).
type FieldError struct {
	Pointer string
	Code    string
	Message string
}

// ValidationError is a request that is well formed but breaks a domain rule.
// It matches ErrInvalid with errors.Is.
type ValidationError struct {
	Code   string // stable machine word, e.g. "unit_move_cycle"
	Detail string
	Fields []FieldError
}

func (e *ValidationError) Error() string {
	if len(e.Fields) == 0 {
		return e.Detail
	}
	parts := make([]string, len(e.Fields))
	for i, f := range e.Fields {
		parts[i] = f.Pointer + ": " + f.Message
	}
	return e.Detail + " (" + strings.Join(parts, "; ") + ")"
}

func (e *ValidationError) Is(target error) bool { return target == ErrInvalid }

// Invalid returns a ValidationError about a single field.
func Invalid(code, pointer, format string, args ...any) *ValidationError {
	msg := fmt.Sprintf(format, args...)
	return &ValidationError{Code: code, Detail: msg, Fields: []FieldError{{Pointer: pointer, Message: msg}}}
}

// Referrer names a record that still refers to another one.
type Referrer struct {
	Type string
	ID   string
	Name string
}

// ConflictError is a change refused because of the current state of the data.
// It matches ErrConflict with errors.Is.
type ConflictError struct {
	Code      string // stable machine word, e.g. "unit_code_taken"
	Detail    string
	Referrers []Referrer
	Fields    []FieldError // the items that stood in the way, for a change of many
	// Allowed names the states that would have allowed the refused move,
	// for a record in the wrong state (see Lifecycle.Check).
	Allowed []string
}

func (e *ConflictError) Error() string            { return e.Detail }
func (e *ConflictError) Is(target error) bool     { return target == ErrConflict }
func (e *PreconditionError) Error() string        { return e.Detail }
func (e *PreconditionError) Is(target error) bool { return target == ErrPrecondition }
func (e *NotFoundError) Error() string            { return e.Entity + " " + e.ID + " not found" }
func (e *NotFoundError) Is(target error) bool     { return target == ErrNotFound }

// ForbiddenError is a change the caller may not make, for a reason with a
// stable code (a reviewer approving its own submission: "self_review"). It
// matches ErrForbidden with errors.Is.
type ForbiddenError struct {
	Code   string
	Detail string
}

func (e *ForbiddenError) Error() string        { return e.Detail }
func (e *ForbiddenError) Is(target error) bool { return target == ErrForbidden }

// Code is the stable word of a typed error, for a refusal reported inside
// another (a bulk change lists each value's refusal with its code); empty for
// an error that carries none.
func Code(err error) string {
	var (
		ve *ValidationError
		ce *ConflictError
		fe *ForbiddenError
		nf *NotFoundError
		pe *PreconditionError
	)
	switch {
	case errors.As(err, &ve):
		return ve.Code
	case errors.As(err, &ce):
		return ce.Code
	case errors.As(err, &fe):
		return fe.Code
	case errors.As(err, &nf):
		return "not_found"
	case errors.As(err, &pe) && pe.Required:
		return "if_match_required"
	case errors.As(err, &pe):
		return "version_mismatch"
	}
	return ""
}

// PreconditionError is a stale If-Match: the record is at another version;
// or, with Required, a change sent without If-Match to a record that it
// would overwrite (an answer that exists, where the request may also create
// one).
type PreconditionError struct {
	Detail   string
	Required bool
}

// NotFoundError is a record that does not exist (or that the caller may not see).
type NotFoundError struct {
	Entity string
	ID     string
}
