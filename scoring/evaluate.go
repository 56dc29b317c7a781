package scoring

import (
	"cmp"
	"runtime"
	"slices"
	"sync"

	"github.com/fazhi/fazhi/exact"
	"github.com/fazhi/fazhi/models"
	"github.com/fazhi/fazhi/period"
)

// YearEnd is the period whose value an evaluation of year scores for an
// indicator reported with frequency f: the year's last period, "2021",
// "2021-H2", "2021-Q4" or "2021-12". An evaluation scores the year-end figure
// (截至12月底), not a sum or an average of the year's periods: indicators are
// cumulative or state figures as of the end of the year, which is how the
// annual report states them. It is "" for an invalid frequency or year.
func YearEnd(year int, f models.Frequency) string {
	pf := period.Frequency(f)
	p, err := period.Of(year, pf, pf.PerYear())
	if err != nil {
		return ""
	}
	return p.String()
}

// Key finds a unit's value of an indicator.
type Key struct {
	IndicatorID string
	UnitID      string
}

// Inputs is what an evaluation scores.
type Inputs struct {
	// System gives the grade bands; nil grades no one.
	System *models.IndicatorSystem
	// Indicators is the system's whole tree, in any order. An indicator
	// whose parent is not among them counts as level 1.
	Indicators []models.Indicator
	// Units are the ids of the units evaluated, in the order that breaks
	// ties in the ranking.
	Units []string
	// Values holds each unit's value of each leaf indicator that counts:
	// an approved or locked value of the period YearEnd names. A missing
	// key, or a nil value, is a missing value.
	Values map[Key]*models.IndicatorValue
	// Targets are the targets of the evaluation's year. A unit's own target
	// of an indicator is used before the target for every unit; of two
	// targets for the same indicator and unit, the first counts.
	Targets []models.Target
}

// Node is an indicator in its tree.
type Node struct {
	Indicator *models.Indicator // in Inputs.Indicators
	Parent    int               // index in Result.Indicators, -1 for level 1
	Leaf      bool              // no children: scored by its method, not summed
}

// Result is an evaluation.
type Result struct {
	// Indicators is the tree depth first, children after their parent,
	// siblings by SortOrder, Code and ID (the order the store lists them in).
	Indicators []Node
	// Areas are the indexes in Indicators of the level-1 indicators.
	Areas []int
	// Points is the most a unit can score: the leaves' points added up,
	// which is the system's TotalPoints when its points add up
	// (models.CheckPoints, required to publish it).
	Points exact.Decimal
	// Units are ranked, best first.
	Units []UnitResult
}

// UnitResult is one unit's evaluation.
type UnitResult struct {
	UnitID string
	Order  int // position in Inputs.Units
	Total  exact.Decimal
	Rank   int    // 1 for the best; equal totals share a rank
	Grade  string // "" when the total reaches no grade band
	// Scores[i] is the score of Result.Indicators[i]: a leaf's by its method,
	// or an indicator's with children as their sum.
	Scores []Score
}

// Unit returns the result of the unit with the given id, or nil.
func (r *Result) Unit(id string) *UnitResult {
	for i := range r.Units {
		if r.Units[i].UnitID == id {
			return &r.Units[i]
		}
	}
	return nil
}

// plan is the indicator tree worked out once for all units.
type plan struct {
	nodes  []Node
	areas  []int
	leaves []leaf          // by node index; only leaves' are set
	points []exact.Decimal // by node index: the points a node is out of
	ids    []string        // by node index: the indicator ids
	total  exact.Decimal
}

func newPlan(inds []models.Indicator) *plan {
	byID := make(map[string]int, len(inds))
	for i := range inds {
		if _, dup := byID[inds[i].ID]; !dup {
			byID[inds[i].ID] = i
		}
	}
	children := make(map[int][]int, len(inds))
	var roots []int
	for i := range inds {
		if byID[inds[i].ID] != i {
			continue // a duplicate id: the first counts
		}
		if p := inds[i].ParentID; p != nil {
			if pi, ok := byID[*p]; ok && pi != i {
				children[pi] = append(children[pi], i)
				continue
			}
		}
		roots = append(roots, i)
	}
	order := func(a, b int) int {
		x, y := &inds[a], &inds[b]
		return cmp.Or(cmp.Compare(x.SortOrder, y.SortOrder), cmp.Compare(x.Code, y.Code), cmp.Compare(x.ID, y.ID))
	}
	slices.SortFunc(roots, order)
	for _, kids := range children {
		slices.SortFunc(kids, order)
	}

	p := &plan{nodes: make([]Node, 0, len(inds))}
	// Depth first from the roots; indicators in a cycle, which no root
	// reaches, are left out.
	var walk func(i, parent int)
	walk = func(i, parent int) {
		at := len(p.nodes)
		kids := children[i]
		p.nodes = append(p.nodes, Node{Indicator: &inds[i], Parent: parent, Leaf: len(kids) == 0})
		if parent < 0 {
			p.areas = append(p.areas, at)
		}
		for _, k := range kids {
			walk(k, at)
		}
	}
	for _, r := range roots {
		walk(r, -1)
	}

	n := len(p.nodes)
	p.leaves = make([]leaf, n)
	p.points = make([]exact.Decimal, n)
	p.ids = make([]string, n)
	for i, nd := range p.nodes {
		p.ids[i] = nd.Indicator.ID
		if nd.Leaf {
			p.leaves[i] = newLeaf(nd.Indicator)
			p.points[i] = nd.Indicator.Points
		}
	}
	// Children follow their parent, so adding up from the end reaches every
	// parent with its children complete.
	for i := n - 1; i >= 0; i-- {
		if par := p.nodes[i].Parent; par >= 0 {
			p.points[par] = p.points[par].Add(p.points[i])
		} else {
			p.total = p.total.Add(p.points[i])
		}
	}
	return p
}

// unitScoresPerWorker is the number of scores (units × indicators) below
// which another goroutine costs more than it saves.
const unitScoresPerWorker = 2000

// Evaluate scores every unit on every indicator, adds the scores up the
// tree, and ranks and grades the units.
func Evaluate(in Inputs) Result {
	p := newPlan(in.Indicators)
	n := len(p.nodes)
	defaults, own := p.targets(in.Targets, in.Units)
	var bands []models.GradeBand
	if in.System != nil {
		bands = in.System.GradeBands
	}

	// One allocation for every score of every unit.
	all := make([]Score, len(in.Units)*n)
	units := make([]UnitResult, len(in.Units))
	scoreUnit := func(ui int) {
		unitID := in.Units[ui]
		scores := all[ui*n : (ui+1)*n : (ui+1)*n]
		for i := range p.nodes {
			if !p.nodes[i].Leaf {
				scores[i] = Score{IndicatorID: p.ids[i], UnitID: unitID, Reason: ReasonSubtotal, Points: p.points[i], Score: zero}
				continue
			}
			t := defaults[i]
			if own != nil && own[ui*n+i] != nil {
				t = own[ui*n+i]
			}
			p.leaves[i].score(&scores[i], unitID, in.Values[Key{p.ids[i], unitID}], t)
		}
		total := zero
		for i := n - 1; i >= 0; i-- {
			if par := p.nodes[i].Parent; par >= 0 {
				scores[par].Score = scores[par].Score.Add(scores[i].Score)
			} else {
				total = total.Add(scores[i].Score)
			}
			if !p.nodes[i].Leaf {
				scores[i].Lost = scores[i].Points.Sub(scores[i].Score)
			}
		}
		units[ui] = UnitResult{UnitID: unitID, Order: ui, Total: total, Grade: models.GradeOf(total, bands), Scores: scores}
	}
	// Units are scored independently, each into its own scores, so a large
	// evaluation (a ranking of 100 units × 300 indicators is scored on every
	// request) shares them out over the processors; a small one is not worth
	// the goroutines.
	workers := min(runtime.GOMAXPROCS(0), len(in.Units)*n/unitScoresPerWorker)
	if workers <= 1 {
		for ui := range in.Units {
			scoreUnit(ui)
		}
	} else {
		var wg sync.WaitGroup
		for w := range workers {
			wg.Go(func() {
				for ui := w; ui < len(in.Units); ui += workers {
					scoreUnit(ui)
				}
			})
		}
		wg.Wait()
	}
	rank(units)
	return Result{Indicators: p.nodes, Areas: p.areas, Points: p.total, Units: units}
}

// targets finds the target of each leaf: defaults[i] is node i's target for
// every unit, and own[u*len(nodes)+i] the u-th unit's own, nil where there is
// none (own is nil when no unit has one). Slices indexed like the scores
// spare a map lookup per unit and leaf.
func (p *plan) targets(targets []models.Target, units []string) (defaults, own []*models.Target) {
	node := make(map[string]int, len(p.nodes))
	for i, id := range p.ids {
		node[id] = i
	}
	defaults = make([]*models.Target, len(p.nodes))
	var unitIndex map[string][]int // a unit listed twice is evaluated twice
	for ti := range targets {
		t := &targets[ti]
		i, ok := node[t.IndicatorID]
		if !ok {
			continue
		}
		if t.UnitID == nil {
			if defaults[i] == nil {
				defaults[i] = t
			}
			continue
		}
		if unitIndex == nil {
			unitIndex = make(map[string][]int, len(units))
			for ui, id := range units {
				unitIndex[id] = append(unitIndex[id], ui)
			}
			own = make([]*models.Target, len(units)*len(p.nodes))
		}
		for _, ui := range unitIndex[*t.UnitID] {
			if k := ui*len(p.nodes) + i; own[k] == nil {
				own[k] = t
			}
		}
	}
	return defaults, own
}

// rank sorts units by total, highest first and ties in the order given, and
// numbers them by competition ranking: 1, 2, 2, 4.
func rank(units []UnitResult) {
	slices.SortStableFunc(units, func(a, b UnitResult) int { return b.Total.Cmp(a.Total) })
	for i := range units {
		if i > 0 && units[i].Total.Cmp(units[i-1].Total) == 0 {
			units[i].Rank = units[i-1].Rank
		} else {
			units[i].Rank = i + 1
		}
	}
}
