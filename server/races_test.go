package server_test

import (
	"context"
	"iter"
	"net/http"
	"sync"
	"testing"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/internal/apitest"
	"github.com/fazhi/fazhi/internal/dbtest"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/password"
	"github.com/fazhi/fazhi/server"
)

// racingStore is the real store, with another office's write landing between
// an operation's reading and its writing: the race a 409 answers. Each hook
// runs once, after the read it is named for.
type racingStore struct {
	*dbtest.DB
	afterUnits, afterUsers, afterValuesAt, afterInputs func()
	// afterChecklistItems runs after a read of whole items, by id or all of
	// a list's; afterItemRefs after the read of a list's refs.
	afterChecklistItems, afterItemRefs func()
	// importing sees each batch of an import of values as it is written.
	importing func(models.ValueImport)
}

func (s racingStore) ImportValues(ctx context.Context, systemID string, batches iter.Seq2[models.ValueImport, error]) error {
	return s.DB.ImportValues(ctx, systemID, func(yield func(models.ValueImport, error) bool) {
		for b, err := range batches {
			if err == nil && s.importing != nil {
				s.importing(b)
			}
			if !yield(b, err) {
				return
			}
		}
	})
}

func (s racingStore) UnitsByCodes(ctx context.Context, codes []string) ([]models.Unit, error) {
	units, err := s.DB.UnitsByCodes(ctx, codes)
	runHook(s.afterUnits)
	return units, err
}

func (s racingStore) UsersByUsernames(ctx context.Context, usernames []string) ([]models.User, error) {
	users, err := s.DB.UsersByUsernames(ctx, usernames)
	runHook(s.afterUsers)
	return users, err
}

func (s racingStore) ValuesAt(ctx context.Context, systemID, period string, keys [][2]string) ([]models.IndicatorValue, error) {
	values, err := s.DB.ValuesAt(ctx, systemID, period, keys)
	runHook(s.afterValuesAt)
	return values, err
}

func (s racingStore) EvaluationInputs(ctx context.Context, e *models.Evaluation) (*models.EvaluationInputs, error) {
	in, err := s.DB.EvaluationInputs(ctx, e)
	runHook(s.afterInputs)
	return in, err
}

func (s racingStore) AllChecklistItems(ctx context.Context, checklistID string) ([]models.ChecklistItem, error) {
	items, err := s.DB.AllChecklistItems(ctx, checklistID)
	runHook(s.afterChecklistItems)
	return items, err
}

func (s racingStore) ChecklistItemsByID(ctx context.Context, checklistID string, ids []string) ([]models.ChecklistItem, error) {
	items, err := s.DB.ChecklistItemsByID(ctx, checklistID, ids)
	runHook(s.afterChecklistItems)
	return items, err
}

func (s racingStore) ChecklistItemRefs(ctx context.Context, checklistID string) iter.Seq2[models.ChecklistItemRef, error] {
	return func(yield func(models.ChecklistItemRef, error) bool) {
		for ref, err := range s.DB.ChecklistItemRefs(ctx, checklistID) {
			if !yield(ref, err) {
				return
			}
		}
		runHook(s.afterItemRefs)
	}
}

func runHook(hook func()) {
	if hook != nil {
		hook()
	}
}

// once makes a hook that runs f the first time only.
func once(f func()) func() {
	var o sync.Once
	return func() { o.Do(f) }
}

// racingHarness serves the API on rs, as the fixture administrator.
func racingHarness(t *testing.T, rs racingStore, fx *fixtures) *harness {
	t.Helper()
	e, err := server.New(server.Config{AttachmentDir: t.TempDir(), PasswordParams: password.Fast}, rs, discardLogger())
	if err != nil {
		t.Fatal(err)
	}
	h := &harness{Client: apitest.New(t, e), db: rs.DB, echo: e, fx: fx}
	h.Header.Set("Authorization", "Bearer "+fx.tokens["admin"])
	return h
}

// TestImportValuesRace: a value reported, or changed, by someone else while
// a sheet was judged makes the import a conflict, and nothing of the file is
// written.
func TestImportValuesRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		setup := newHarness(t, db, server.Config{})
		ss := newSheetSystem(t, setup)
		yearly := ss.inds[5]
		ctx := t.Context()
		file := func(value string) []byte {
			return csvOf([]string{"单位代码", "指标编码", "数值"}, [][]string{{ss.town.Code, yearly.Code, value}})
		}
		var theirs *models.IndicatorValue
		rs := racingStore{DB: db, afterValuesAt: once(func() {
			theirs = &models.IndicatorValue{IndicatorID: yearly.Id.String(), UnitID: ss.town.Id.String(), Period: "2021",
				Value: ptrTo(exact.MustParse("7"))}
			if err := db.CreateValue(ctx, theirs); err != nil {
				t.Error(err)
			}
		})}
		h := racingHarness(t, rs, setup.fx)
		expect(t, upload(t, h, ss, "2021", false, "填报.csv", file("12"), nil), http.StatusConflict, "value_exists")
		if got := setup.getValue(t, theirs.ID, nil); got.Value == nil || got.Value.String() != "7" || got.Version != 1 {
			t.Errorf("the value reported meanwhile became %+v", got)
		}

		rs.afterValuesAt = once(func() {
			if _, err := db.UpdateValue(ctx, theirs.ID, 1, models.ValuePatch{SetValue: true, Value: ptrTo(exact.MustParse("8"))}); err != nil {
				t.Error(err)
			}
		})
		h = racingHarness(t, rs, setup.fx)
		expect(t, upload(t, h, ss, "2021", false, "填报.csv", file("12"), nil), http.StatusConflict, "value_changed")
		if got := setup.getValue(t, theirs.ID, nil); got.Value == nil || got.Value.String() != "8" || got.Version != 2 {
			t.Errorf("the value changed meanwhile became %+v", got)
		}
		// Uploaded again, the file applies to the value as it now is.
		importReport(t, upload(t, setup, ss, "2021", false, "填报.csv", file("12"), nil))
		if got := setup.getValue(t, theirs.ID, nil); got.Value == nil || got.Value.String() != "12" || got.Version != 3 {
			t.Errorf("after the second upload %+v", got)
		}
	})
}

// TestPublishEvaluationRace: a value scored that changes between the scoring
// and the writing (here, locked by another evaluation published meanwhile)
// makes the publication a conflict; the evaluation stays a draft and is
// published when asked again.
func TestPublishEvaluationRace(t *testing.T) {
	dbtest.Each(t, func(t *testing.T, db *dbtest.DB) {
		setup := newHarness(t, db, server.Config{})
		sys, inds := setup.valueSystem(t, indicatorBody("1", "100", nil, nil))
		v := setup.report(t, setup.as("reporter"), valueBody(inds[0], setup.fx.town, "2021", "5", nil))
		setup.mustAct(t, v.Id.String(), "submit", nil, setup.as("reporter"), "submitted")
		approved := setup.mustAct(t, v.Id.String(), "approve", nil, setup.as("reviewer"), "approved")
		body := map[string]any{"systemId": sys.Id.String(), "year": 2021, "unitIds": []string{setup.fx.town}}
		first, other := setup.createEvaluation(t, body), setup.createEvaluation(t, body)

		ctx := t.Context()
		rs := racingStore{DB: db, afterInputs: once(func() {
			used := map[string]int64{v.Id.String(): approved.Version}
			if _, err := db.PublishEvaluation(ctx, other.Id.String(), other.Version, models.Actor("user:"+setup.fx.users["admin"].ID), nil, used); err != nil {
				t.Error(err)
			}
		})}
		h := racingHarness(t, rs, setup.fx)
		expect(t, h.Post(evalPath(first.Id.String(), "publish"), nil, matching(first.Version)), http.StatusConflict, "evaluation_inputs_changed")
		if got := setup.getEvaluation(t, first.Id.String(), nil); got.Status != "draft" || got.Version != first.Version {
			t.Errorf("after the refused publication: %+v", got)
		}
		if got := setup.getValue(t, v.Id.String(), nil); got.Status != "locked" {
			t.Errorf("the value scored is %s, want locked by the other evaluation", got.Status)
		}
		if got := setup.publishEvaluation(t, first.Id.String(), first.Version); got.Status != "published" {
			t.Errorf("published again: %+v", got)
		}
	})
}
