package pbe

import (
	"math"
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// Context-conditioned costs ("PCFG with context"). A production r in
// argument slot i of an operator production P costs
//
//	cost(r | P, i) = round(-log2 Pctx(r | P, i)),  Pctx ∝ w(r) · (1 + n(P, i, r))^ctxExponent
//
// where w(r) is r's context-free weight (baseWeights, or its JIT update) and
// n the prior's context count (Prior.Ctx). Constants are one class per
// slot: n is the count of all constants of the sort seen in the slot, and
// w (with its hint rule for task constants) shares it among the task's
// constants, so that a task's own constants are not priced out by the
// training set's. A slot the prior has no data for gives the context-free
// costs.
//
// Bottom-up enumeration stores each program once, so a program's stored
// cost uses the cheapest cost of its root production over all contexts
// (base); using it in slot (P, i) adds delta(P, i, r) = cost(r | P, i) -
// base(r) >= 0. Because a program is never cheaper in a slot than its
// stored cost, every child a parent of cost c needs has been enumerated
// before level c.

// ctxExponent damps context counts like priorExponent damps the
// context-free ones.
const ctxExponent = 0.5

// ctxTable holds the context costs of one grammar under one weighting.
type ctxTable struct {
	base   []int     // stored cost per production
	ctxOf  [][]int32 // per operator production: context index of each argument slot
	deltas [][]int32 // per context: extra cost per child production
	maxD   int
}

// contextCosts computes the stored costs and per-slot deltas of g.
func contextCosts(g *grammar, w []float64, pr *Prior) *ctxTable {
	cf := costsFrom(g, w)
	t := &ctxTable{base: append([]int(nil), cf...), ctxOf: make([][]int32, len(g.prods))}
	if pr == nil {
		pr = NewPrior()
	}
	type ctxCost struct {
		prod, slot int
		cost       []int // per child production id (only those of the slot's NT are meaningful)
	}
	// Per slot ("parent#i>"): all observations, and those of constants by sort.
	// Integer sums, so the result does not depend on map order.
	slotTotal := map[string]int64{}
	slotConst := map[string]int64{}
	for k, v := range pr.Ctx {
		// The parent key may contain '>' (">=") but not '#'.
		h := strings.IndexByte(k, '#')
		if h < 0 {
			continue
		}
		cut := strings.IndexByte(k[h:], '>')
		if cut < 0 {
			continue
		}
		cut += h
		slot, child := k[:cut+1], k[cut+1:]
		slotTotal[slot] += v
		if strings.HasPrefix(child, "c:") {
			slotConst[slot+constSort(child).String()] += v
		}
	}
	var all []ctxCost
	for pid := range g.prods {
		pd := &g.prods[pid]
		if pd.kind != pkOp {
			continue
		}
		for slot, a := range pd.args {
			nt := &g.nts[a]
			prefix := ctxKey(pd.key, slot, "")
			if slotTotal[prefix] == 0 {
				continue // no data: context-free costs
			}
			cw := make([]float64, len(g.prods))
			var sum float64
			for _, r := range nt.prods {
				rp := &g.prods[r]
				switch {
				case !rp.weighed() || rp.kind == pkChain:
					continue
				case rp.kind == pkConst || rp.kind == pkLib:
					// Constants as a class: how often this slot holds a
					// constant of the sort; w shares it among them.
					cw[r] = w[r] * math.Pow(1+float64(slotConst[prefix+nt.sort.String()])/milli, ctxExponent)
				default:
					cw[r] = w[r] * math.Pow(1+float64(pr.Ctx[prefix+rp.key])/milli, ctxExponent)
				}
				sum += cw[r]
			}
			cc := ctxCost{prod: pid, slot: slot, cost: make([]int, len(g.prods))}
			for _, r := range nt.prods {
				rp := &g.prods[r]
				if !rp.weighed() || rp.kind == pkChain {
					cc.cost[r] = cf[r]
					continue
				}
				c := int(math.Round(-math.Log2(cw[r] / sum)))
				cc.cost[r] = max(c, 1)
				t.base[r] = min(t.base[r], cc.cost[r])
			}
			all = append(all, cc)
		}
	}
	// Every operator slot gets a context; slots without data pay the
	// context-free cost over the base.
	have := map[[2]int]int{}
	for i, cc := range all {
		have[[2]int{cc.prod, cc.slot}] = i
	}
	for pid := range g.prods {
		pd := &g.prods[pid]
		if pd.kind != pkOp {
			continue
		}
		t.ctxOf[pid] = make([]int32, len(pd.args))
		for slot, a := range pd.args {
			cost := cf
			if i, ok := have[[2]int{pid, slot}]; ok {
				cost = all[i].cost
			}
			d := make([]int32, len(g.prods))
			for _, r := range g.nts[a].prods {
				d[r] = int32(cost[r] - t.base[r])
				t.maxD = max(t.maxD, int(d[r]))
			}
			t.ctxOf[pid][slot] = int32(len(t.deltas))
			t.deltas = append(t.deltas, d)
		}
	}
	return t
}

// constSort is the sort of a constant key.
func constSort(k string) sygus.Sort {
	switch {
	case strings.HasPrefix(k, `c:"`) || k == holeKey(sygus.SortString):
		return sygus.SortString
	case k == "c:true" || k == "c:false":
		return sygus.SortBool
	}
	return sygus.SortInt
}
