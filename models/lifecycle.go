package models

import (
	"fmt"
	"slices"
	"strings"
)

// The moves of the lifecycles, by name. A move without a target state is a
// change made in place that the state still has to allow.
const (
	MoveEdit      = "edit"      // change a record's content (or attach evidence to it)
	MoveSubmit    = "submit"    // send a value to review
	MoveReturn    = "return"    // send a value back to its unit with a reason
	MoveApprove   = "approve"   // accept a value
	MoveLock      = "lock"      // freeze a value a published evaluation scored
	MovePublish   = "publish"   // release a system or an evaluation
	MoveArchive   = "archive"   // retire a system
	MoveDelete    = "delete"    // destroy a draft
	MoveReport    = "report"    // report values against a system
	MoveEvaluate  = "evaluate"  // evaluate a system's year
	MoveCorrect   = "correct"   // start the correction of a published evaluation
	MoveSupersede = "supersede" // retire an evaluation for its correction
)

// Lifecycle is a record type's states and the moves between them, as data:
// the one place that says which operation may start from which state. Each
// record type with a status keeps one (ValueLifecycle, SystemLifecycle,
// EvaluationLifecycle) beside one method per move on the record, which asks
// the table before it changes anything. A refusal names the states that
// would have allowed the move, so the 409 a client gets says what to do.
type Lifecycle[S ~string] struct {
	// Entity names the record in messages: "indicator value".
	Entity string
	// Initial is the state a new record starts in; constructors use it.
	Initial S
	// States lists every state, in the order the lifecycle runs through them.
	States []S
	// Released are the states in which a record leaves the city: what
	// read-only API keys see, and later the province's change feed.
	Released []S
	// WriterScope is the API-key scope of machine clients that write the
	// record type, and so see it in every state; keys without it read
	// released states only. Empty: every key reads released states only.
	WriterScope Scope
	// Moves are the operations whose legality depends on the state.
	Moves []Move[S]
}

// Move is one operation on a record that its state allows or refuses: a
// transition when To is set, otherwise a change made in place (editing a
// draft, attaching evidence, reporting against a published system).
type Move[S ~string] struct {
	Name string
	From []S
	To   S
	// Code is the refusal's code when the record is in any other state.
	Code string
	// Refusals give some states a code and reason of their own (a locked
	// value says that an evaluation locked it, not merely that it is not
	// submitted).
	Refusals map[S]Refusal
}

// Refusal is why a state refuses a move, when the state has more to say than
// the move's code.
type Refusal struct {
	Code string
	Why  string
}

// Move returns the move named name; a name the table does not know is a bug
// of the caller, and panics.
func (l *Lifecycle[S]) Move(name string) Move[S] {
	for _, m := range l.Moves {
		if m.Name == name {
			return m
		}
	}
	panic(fmt.Sprintf("models: %s lifecycle has no move %q", l.Entity, name))
}

// Check decides whether the record id, in state from, may make the move
// name, and returns the state it ends in (from itself for a change in place).
// A refusal is a *ConflictError whose Allowed lists the states that permit
// the move.
func (l *Lifecycle[S]) Check(name, id string, from S) (S, error) {
	m := l.Move(name)
	if slices.Contains(m.From, from) {
		if m.To == "" {
			return from, nil
		}
		return m.To, nil
	}
	allowed := make([]string, len(m.From))
	for i, s := range m.From {
		allowed[i] = string(s)
	}
	code := m.Code
	detail := fmt.Sprintf("%s %s is %s: %s is allowed only when it is %s", l.Entity, id, from, m.Name, orList(allowed))
	if r, ok := m.Refusals[from]; ok {
		code = r.Code
		detail = fmt.Sprintf("%s %s is %s: %s (%s is allowed only when it is %s)", l.Entity, id, from, r.Why, m.Name, orList(allowed))
	}
	return from, &ConflictError{Code: code, Detail: detail, Allowed: allowed}
}

// IsReleased reports whether a record in state s has left the city.
func (l *Lifecycle[S]) IsReleased(s S) bool { return slices.Contains(l.Released, s) }

// ReleasedOnly reports whether c reads records of this type in released
// states only: API keys, unless they hold the type's writer scope.
func (l *Lifecycle[S]) ReleasedOnly(c *Caller) bool {
	if c.Kind != CallerAPIKey {
		return false
	}
	return l.WriterScope == "" || !slices.Contains(c.Scopes, l.WriterScope)
}

// Visible reports whether c may see a record of this type in state s: the
// predicate every read path asks (get, list, tree, history, attachments,
// exports, roll-ups), so that no path shows a key more than another.
func (l *Lifecycle[S]) Visible(c *Caller, s S) bool {
	return !l.ReleasedOnly(c) || l.IsReleased(s)
}

// orList joins states as "a, b or c".
func orList(items []string) string {
	if len(items) <= 1 {
		return strings.Join(items, "")
	}
	return strings.Join(items[:len(items)-1], ", ") + " or " + items[len(items)-1]
}

// Actor is who makes a change, as records keep it: "user:<id>" or
// "apiKey:<id>". Every transition takes its actor explicitly.
type Actor string

// ActorOf is the actor a caller acts as.
func ActorOf(c Caller) Actor { return Actor(c.Kind.String() + ":" + c.ID) }

// Parts splits the actor into the kind of caller and its id ("system" for
// the server itself).
func (a Actor) Parts() (CallerKind, string) {
	kind, id, _ := strings.Cut(string(a), ":")
	return CallerKind(kind), id
}

// UserActor is the actor of the user with this id.
func UserActor(id string) Actor { return Actor(CallerUser.String() + ":" + id) }

// ref is the actor as the nullable column that keeps it.
func (a Actor) ref() *string {
	s := string(a)
	return &s
}
