package server

import (
	"context"

	"github.com/fazhi/fazhi/api"
	"github.com/fazhi/fazhi/models"
)

// ActorStore names the users and API keys that records say acted on them.
type ActorStore interface {
	ActorNames(ctx context.Context, actors []models.Actor) (map[models.Actor]string, error)
}

// actorNames are the names of the actors one response shows, read once for
// the whole response.
type actorNames map[models.Actor]string

// nameActors reads the names of actors for the caller. A caller signed in
// with an API key gets ids without names, as a value's history shows keys
// no actors' names.
func nameActors(ctx context.Context, s ActorStore, actors []models.Actor) (actorNames, error) {
	if len(actors) == 0 || models.RequestInfoFrom(ctx).Caller.Kind != models.CallerUser {
		return nil, nil
	}
	return s.ActorNames(ctx, actors)
}

// actor is a in the contract's one form of "who did it".
func (n actorNames) actor(a models.Actor) api.Actor {
	kind, id := a.Parts()
	out := api.Actor{Type: api.ActorType(kind)}
	if kind != models.CallerSystem {
		out.Id = ptr(uuidOf(id))
	}
	if name, ok := n[a]; ok {
		out.Name = &name
	}
	return out
}

// ref is actor for a nullable column that keeps an actor.
func (n actorNames) ref(ref *string) *api.Actor {
	if ref == nil {
		return nil
	}
	a := n.actor(models.Actor(*ref))
	return &a
}

// named is records as the contract writes them (out), with the names of the
// actors they keep (actors) read once for all of them.
func named[R, O any](ctx context.Context, s ActorStore, records []*R, actors func(*R) []models.Actor, out func(*R, actorNames) O) ([]O, error) {
	var all []models.Actor
	for _, r := range records {
		all = append(all, actors(r)...)
	}
	names, err := nameActors(ctx, s, all)
	if err != nil {
		return nil, err
	}
	res := make([]O, len(records))
	for i, r := range records {
		res[i] = out(r, names)
	}
	return res, nil
}

// pointers points at each element of list.
func pointers[T any](list []T) []*T {
	out := make([]*T, len(list))
	for i := range list {
		out[i] = &list[i]
	}
	return out
}

// actorsOf lists the actors the nullable columns refs keep.
func actorsOf(refs ...*string) []models.Actor {
	var out []models.Actor
	for _, r := range refs {
		if r != nil {
			out = append(out, models.Actor(*r))
		}
	}
	return out
}
