package sim

import (
	"fmt"
	"sort"
)

// dealInterests deals tasks to personal nodes. Personal instances do not
// see one shared distribution: each owner works on a few kinds of task,
// and what a node will be asked next looks like what it was asked before.
// So each node owns `interests` families, laid out on a ring so that
// consecutive nodes share about half of theirs and every family has about
// two owners (peers who can teach each other; when nodes × interests is
// odd, one family has a single owner), while most of the field comes from
// nodes with other interests. Adversaries sit on the ring like everyone
// else: an honest node next to one shares half its families with a
// poisoner, as a real owner would. A family's training tasks are
// dealt among its owners; an honest node is judged on the held-out tasks
// of its own families.
//
// It returns batches[node][round] for every node (adversaries own families
// too, and publish on them) and held[n] for the honest nodes, in the order
// of heldOut. Families are those with both training and held-out tasks,
// chosen by a seeded shuffle of their sorted names.
func dealInterests(train, heldOut []Task, nodes, honest, rounds, interests int, seed uint64) ([][][]Task, [][]Task, error) {
	byFam := map[string][]Task{}
	hasHeld := map[string]bool{}
	for _, ts := range [][]Task{train, heldOut} {
		for _, t := range ts {
			if t.Family == "" {
				return nil, nil, fmt.Errorf("interests: task %s has no family name, so it cannot be dealt by interest", t.Name)
			}
		}
	}
	for _, t := range train {
		byFam[t.Family] = append(byFam[t.Family], t)
	}
	for _, t := range heldOut {
		hasHeld[t.Family] = true
	}
	var fams []string
	for f := range byFam {
		if hasHeld[f] {
			fams = append(fams, f)
		}
	}
	sort.Strings(fams)
	need := (nodes*interests + 1) / 2
	if need > len(fams) {
		return nil, nil, fmt.Errorf("interests: %d nodes with %d families each need %d families that have both training and held-out tasks; the tasks have %d (lower --interests, pass --held-out-n 0 if the held-out set was thinned, or generate more families)", nodes, interests, need, len(fams))
	}
	// A stream of its own: the same seed also draws the partition and the
	// check vectors, and the deal should not follow either.
	r := splitmix{s: seed ^ 0x1e7e5}
	shuffle(len(fams), &r, func(i, j int) { fams[i], fams[j] = fams[j], fams[i] })
	ring := fams[:need]

	owners := make(map[string][]int, len(ring))
	mine := make([][]string, nodes)
	for n := range mine {
		for j := range interests {
			f := ring[(n*interests/2+j)%need]
			mine[n] = append(mine[n], f)
			owners[f] = append(owners[f], n)
		}
	}
	own := make([][]Task, nodes)
	for _, f := range ring {
		ts := append([]Task(nil), byFam[f]...)
		shuffle(len(ts), &r, func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		for k, t := range ts {
			n := owners[f][k%len(owners[f])]
			own[n] = append(own[n], t)
		}
	}
	batches := make([][][]Task, nodes)
	for n := range batches {
		batches[n] = make([][]Task, rounds)
		ts := own[n]
		shuffle(len(ts), &r, func(i, j int) { ts[i], ts[j] = ts[j], ts[i] })
		for k, t := range ts {
			batches[n][k%rounds] = append(batches[n][k%rounds], t)
		}
	}
	held := make([][]Task, honest)
	for n := range held {
		in := map[string]bool{}
		for _, f := range mine[n] {
			in[f] = true
		}
		for _, t := range heldOut {
			if in[t.Family] {
				held[n] = append(held[n], t)
			}
		}
	}
	return batches, held, nil
}

// shuffle is a seeded Fisher–Yates shuffle.
func shuffle(n int, r *splitmix, swap func(i, j int)) {
	for i := n - 1; i > 0; i-- {
		swap(i, int(r.next()%uint64(i+1)))
	}
}
