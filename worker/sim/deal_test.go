package sim

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// famTasks makes n tasks of each family, named family-i.
func famTasks(fams []string, n int) []Task {
	var out []Task
	for _, f := range fams {
		for i := range n {
			out = append(out, Task{Name: fmt.Sprintf("%s-%d", f, i), Family: f})
		}
	}
	return out
}

// dealtFamilies reads a deal back: the owners of each family dealt, and
// the families each node was dealt.
func dealtFamilies(batches [][][]Task) (owners map[string]map[int]bool, mine []map[string]bool) {
	owners = map[string]map[int]bool{}
	mine = make([]map[string]bool, len(batches))
	for n, rs := range batches {
		mine[n] = map[string]bool{}
		for _, r := range rs {
			for _, tk := range r {
				mine[n][tk.Family] = true
				if owners[tk.Family] == nil {
					owners[tk.Family] = map[int]bool{}
				}
				owners[tk.Family][n] = true
			}
		}
	}
	return owners, mine
}

// TestDealInterests checks the personal deal (each family has more
// training tasks than owners, so every owner is dealt some of it): every node owns `interests`
// distinct families, every chosen family has two owners, each training
// task of a chosen family goes to exactly one of its owners and no other
// task is dealt, and an honest node is judged on exactly the held-out
// tasks of its own families. The same seed deals the same way.
func TestDealInterests(t *testing.T) {
	fams := []string{"a", "b", "c", "d", "e", "f", "g", "h", "i", "j", "k", "l", "m", "n", "o", "p", "q", "r"}
	train, held := famTasks(fams, 5), famTasks(fams, 3)
	held = append(held, Task{Name: "only-held", Family: "z"}) // a family without training tasks is never chosen
	const nodes, honest, rounds, interests = 8, 6, 5, 4
	batches, judged, err := dealInterests(train, held, nodes, honest, rounds, interests, 9)
	if err != nil {
		t.Fatal(err)
	}
	owners, families := dealtFamilies(batches)
	dealt := map[string]int{}
	for n, rs := range batches {
		if len(rs) != rounds {
			t.Fatalf("node %d has %d rounds", n, len(rs))
		}
		for _, r := range rs {
			for _, tk := range r {
				dealt[tk.Name]++
			}
		}
		mine := families[n]
		if len(mine) != interests {
			t.Errorf("node %d is dealt tasks of %d families, want %d", n, len(mine), interests)
		}
		if n < honest {
			var want []string
			for _, tk := range held {
				if mine[tk.Family] {
					want = append(want, tk.Name)
				}
			}
			var got []string
			for _, tk := range judged[n] {
				got = append(got, tk.Name)
			}
			if !reflect.DeepEqual(got, want) {
				t.Errorf("node %d is judged on %v, want the held-out tasks of its families %v", n, got, want)
			}
		}
	}
	if len(judged) != honest {
		t.Errorf("%d judged sets, want one per honest node (%d)", len(judged), honest)
	}
	if len(owners) != nodes*interests/2 {
		t.Errorf("%d families dealt, want %d", len(owners), nodes*interests/2)
	}
	for f, os := range owners {
		if len(os) != 2 {
			t.Errorf("family %s has %d owners, want 2", f, len(os))
		}
		for i := range 5 {
			if n := dealt[fmt.Sprintf("%s-%d", f, i)]; n != 1 {
				t.Errorf("task %s-%d dealt %d times, want once", f, i, n)
			}
		}
	}
	again, _, _ := dealInterests(train, held, nodes, honest, rounds, interests, 9)
	if !reflect.DeepEqual(again, batches) {
		t.Error("the same seed dealt differently")
	}
	other, _, _ := dealInterests(train, held, nodes, honest, rounds, interests, 10)
	if reflect.DeepEqual(other, batches) {
		t.Error("another seed dealt the same way")
	}
}

// TestDealInterestsOdd: with nodes × interests odd the ring has one
// family with a single owner; every other family still has two, and no
// node owns a family twice.
func TestDealInterestsOdd(t *testing.T) {
	fams := []string{"a", "b", "c", "d", "e", "f"}
	train, held := famTasks(fams, 4), famTasks(fams, 1)
	batches, _, err := dealInterests(train, held, 3, 3, 2, 3, 1)
	if err != nil {
		t.Fatal(err)
	}
	owners, families := dealtFamilies(batches)
	for n, fs := range families {
		if len(fs) != 3 {
			t.Errorf("node %d owns %d families, want 3", n, len(fs))
		}
	}
	single := 0
	for f, os := range owners {
		switch len(os) {
		case 1:
			single++
		case 2:
		default:
			t.Errorf("family %s has %d owners", f, len(os))
		}
	}
	if len(owners) != 5 || single != 1 {
		t.Errorf("%d families, %d with one owner; want 5 and 1", len(owners), single)
	}
}

func TestDealInterestsRejects(t *testing.T) {
	fams := []string{"a", "b", "c"}
	for name, c := range map[string]struct {
		train, held []Task
		want        string
	}{
		"too few families": {famTasks(fams, 2), famTasks(fams, 1), "need 8 families"},
		"no family name":   {append(famTasks(fams, 2), Task{Name: "x.sl"}), famTasks(fams, 1), "x.sl has no family"},
	} {
		t.Run(name, func(t *testing.T) {
			if _, _, err := dealInterests(c.train, c.held, 4, 4, 2, 4, 1); err == nil || !strings.Contains(err.Error(), c.want) {
				t.Fatalf("err %v, want %q", err, c.want)
			}
		})
	}
	// Simulate checks the setting before it solves anything.
	for _, cfg := range []Config{
		{Train: famTasks(fams, 2), HeldOut: famTasks(fams, 1), Nodes: 1, Rounds: 1, Budget: 1, Interests: 1},
		{Train: famTasks(fams, 2), HeldOut: famTasks(fams, 1), Nodes: 2, Rounds: 1, Budget: 1, Interests: -1},
		{Train: famTasks(fams, 2), HeldOut: famTasks(fams, 1), Nodes: 8, Rounds: 1, Budget: 1, Interests: 4},
	} {
		if _, err := Simulate(t.Context(), cfg); err == nil || !strings.Contains(err.Error(), "interests") {
			t.Errorf("interests %d, nodes %d: err %v", cfg.Interests, cfg.Nodes, err)
		}
	}
}
