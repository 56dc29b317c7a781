package scoring

import (
	"cmp"
	"slices"

	"github.com/fazhi/fazhi/exact"
)

// Comparison is how units moved between two evaluations.
type Comparison struct {
	// Units are the units evaluated both times, biggest movers first: by the
	// size of the change of total, then of the change of rank, then in the
	// order the current evaluation was given them.
	Units []UnitChange
}

// UnitChange is how one unit moved.
type UnitChange struct {
	UnitID           string
	Total, PrevTotal exact.Decimal
	Change           exact.Decimal // Total − PrevTotal
	Rank, PrevRank   int
	RankChange       int // PrevRank − Rank: positive when the unit moved up
	// Indicators are the leaf indicators of both evaluations, the largest
	// change (up or down) first, equal changes in the current tree's order.
	Indicators []IndicatorChange
}

// IndicatorChange is how a unit's score of one leaf indicator moved.
type IndicatorChange struct {
	IndicatorID     string // in the current evaluation
	PrevIndicatorID string // in the previous one
	Score           exact.Decimal
	PrevScore       exact.Decimal
	Change          exact.Decimal // Score − PrevScore
}

// Compare compares the current evaluation with a previous one. lineage maps
// a current indicator's id to the id the same indicator had in the previous
// evaluation (the caller follows Indicator.SourceIndicatorID across editions
// of a system); nil means the ids are the same, as within one system. Only
// leaf indicators that are leaves in both evaluations are compared, and only
// units evaluated in both.
func Compare(cur, prev Result, lineage map[string]string) Comparison {
	prevLeaf := make(map[string]int, len(prev.Indicators))
	for i, nd := range prev.Indicators {
		if nd.Leaf {
			prevLeaf[nd.Indicator.ID] = i
		}
	}
	// pairs are the leaves in both, as indexes into cur and prev, in the
	// current tree's order.
	var pairs [][2]int
	for i, nd := range cur.Indicators {
		if !nd.Leaf {
			continue
		}
		id, ok := nd.Indicator.ID, true
		if lineage != nil {
			id, ok = lineage[id]
		}
		if j, found := prevLeaf[id]; ok && found {
			pairs = append(pairs, [2]int{i, j})
		}
	}

	prevUnit := make(map[string]*UnitResult, len(prev.Units))
	for i := range prev.Units {
		if _, dup := prevUnit[prev.Units[i].UnitID]; !dup {
			prevUnit[prev.Units[i].UnitID] = &prev.Units[i]
		}
	}
	// The changes' sizes are worked out once, not at every comparison of a sort.
	type moved struct {
		change UnitChange
		size   exact.Decimal
		order  int
	}
	var units []moved
	// Scratch space for one unit's changes, in tree order, and their order by size.
	changes := make([]IndicatorChange, len(pairs))
	sizes := make([]exact.Decimal, len(pairs))
	bySize := make([]int, len(pairs))
	for i := range cur.Units {
		c := &cur.Units[i]
		p := prevUnit[c.UnitID]
		if p == nil {
			continue
		}
		for k, pair := range pairs {
			s, ps := &c.Scores[pair[0]], &p.Scores[pair[1]]
			changes[k] = IndicatorChange{
				IndicatorID: s.IndicatorID, PrevIndicatorID: ps.IndicatorID,
				Score: s.Score, PrevScore: ps.Score, Change: s.Score.Sub(ps.Score),
			}
			sizes[k], bySize[k] = changes[k].Change.Abs(), k
		}
		slices.SortFunc(bySize, func(a, b int) int {
			return cmp.Or(sizes[b].Cmp(sizes[a]), cmp.Compare(a, b))
		})
		u := UnitChange{
			UnitID: c.UnitID, Total: c.Total, PrevTotal: p.Total, Change: c.Total.Sub(p.Total),
			Rank: c.Rank, PrevRank: p.Rank, RankChange: p.Rank - c.Rank,
			Indicators: make([]IndicatorChange, len(pairs)),
		}
		for k, from := range bySize {
			u.Indicators[k] = changes[from]
		}
		units = append(units, moved{u, u.Change.Abs(), c.Order})
	}
	slices.SortFunc(units, func(a, b moved) int {
		return cmp.Or(
			b.size.Cmp(a.size),
			cmp.Compare(abs(b.change.RankChange), abs(a.change.RankChange)),
			cmp.Compare(a.order, b.order),
		)
	})
	out := Comparison{Units: make([]UnitChange, len(units))}
	for i, u := range units {
		out.Units[i] = u.change
	}
	return out
}

func abs(n int) int {
	if n < 0 {
		return -n
	}
	return n
}
