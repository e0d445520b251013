package aggregate_test

import (
	"errors"
	"math"
	"slices"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

func pt(id uint64, dom string, w uint64, e ...int8) aggregate.Point {
	return aggregate.Point{ID: id, Domain: dom, Weight: w, Embedding: e}
}

var k3 = aggregate.FilterParams{MADMultiplierPPM: 3 * aggregate.PPM}

func TestFilterOutliersHandChecked(t *testing.T) {
	points := []aggregate.Point{
		pt(10, "c", 1, 0, 0),
		pt(1, "a", 1, 0, 0),
		pt(20, "b", 1, 5, 5),
		pt(2, "a", 1, 1, 0),
		pt(11, "c", 1, 10, 0),
		pt(3, "a", 1, 0, 1),
		pt(4, "a", 1, 100, 100),
	}
	keep, centres, err := aggregate.FilterOutliers(points, k3)
	if err != nil {
		t.Fatal(err)
	}
	// Domain a: centre (0,0); d = 0,1,1,20000; median 1, MAD 0.5; limit 1+3·0.5 = 2.5.
	// Domain b: a single point is always kept.
	// Domain c: centre (0,0) (lower median), d = 0,100; median 50, MAD 50; limit 200.
	wantKeep := []bool{true, true, true, true, true, true, false}
	if !slices.Equal(keep, wantKeep) {
		t.Fatalf("keep = %v, want %v", keep, wantKeep)
	}
	wantCentres := []aggregate.DomainCentre{
		{Domain: "a", Centre: []int8{0, 0}},
		{Domain: "b", Centre: []int8{5, 5}},
		{Domain: "c", Centre: []int8{0, 0}},
	}
	assertCentres(t, centres, wantCentres)
}

func assertCentres(t *testing.T, got, want []aggregate.DomainCentre) {
	t.Helper()
	if len(got) != len(want) {
		t.Fatalf("centres = %v, want %v", got, want)
	}
	for i := range got {
		if got[i].Domain != want[i].Domain || !slices.Equal(got[i].Centre, want[i].Centre) {
			t.Fatalf("centres = %v, want %v", got, want)
		}
	}
}

func TestFilterOutliersTable(t *testing.T) {
	tests := []struct {
		name        string
		points      []aggregate.Point
		p           aggregate.FilterParams
		wantKeep    []bool
		wantCentres []aggregate.DomainCentre
		err         error
	}{
		{name: "empty", p: k3, wantKeep: []bool{}},
		{name: "zero k", points: []aggregate.Point{pt(1, "a", 1, 0)}, err: aggregate.ErrInvalidParams},
		{name: "empty embedding", points: []aggregate.Point{pt(1, "a", 1)}, p: k3, err: aggregate.ErrEmptyEmbedding},
		{name: "dimension mismatch", points: []aggregate.Point{pt(1, "a", 1, 0), pt(2, "a", 1, 0, 0)}, p: k3, err: aggregate.ErrDimensionMismatch},
		{name: "dimension mismatch across domains", points: []aggregate.Point{pt(1, "a", 1, 0), pt(2, "b", 1, 0, 0)}, p: k3, err: aggregate.ErrDimensionMismatch},
		{name: "duplicate id", points: []aggregate.Point{pt(1, "a", 1, 0), pt(1, "b", 1, 0)}, p: k3, err: aggregate.ErrDuplicateID},
		{
			name:        "single",
			points:      []aggregate.Point{pt(1, "", 0, -128, 127)},
			p:           k3,
			wantKeep:    []bool{true},
			wantCentres: []aggregate.DomainCentre{{Domain: "", Centre: []int8{-128, 127}}},
		},
		{
			name:        "all equal",
			points:      []aggregate.Point{pt(1, "a", 5, 3, 3), pt(2, "a", 0, 3, 3), pt(3, "a", 9, 3, 3)},
			p:           k3,
			wantKeep:    []bool{true, true, true},
			wantCentres: []aggregate.DomainCentre{{Domain: "a", Centre: []int8{3, 3}}},
		},
		{
			name: "zero weights use plain lower median",
			points: []aggregate.Point{
				pt(1, "a", 0, 0), pt(2, "a", 0, 1), pt(3, "a", 0, 2), pt(4, "a", 0, 3), pt(5, "a", 0, 120),
			},
			p: k3,
			// centre 2; d = 4,1,0,1,13924; median 1; MAD 1 -> limit 4
			wantKeep:    []bool{true, true, true, true, false},
			wantCentres: []aggregate.DomainCentre{{Domain: "a", Centre: []int8{2}}},
		},
		{
			name:   "weights pull the centre",
			points: []aggregate.Point{pt(1, "a", 1, -10), pt(2, "a", 1, 0), pt(3, "a", 10, 10)},
			p:      k3,
			// centre 10; d = 400,100,0; median 100, MAD 100 -> limit 400
			wantKeep:    []bool{true, true, true},
			wantCentres: []aggregate.DomainCentre{{Domain: "a", Centre: []int8{10}}},
		},
		{
			name:        "max weights and max k",
			points:      []aggregate.Point{pt(1, "a", math.MaxUint64, -128), pt(2, "a", math.MaxUint64, 127), pt(3, "a", math.MaxUint64, 0)},
			p:           aggregate.FilterParams{MADMultiplierPPM: math.MaxUint64},
			wantKeep:    []bool{true, true, true},
			wantCentres: []aggregate.DomainCentre{{Domain: "a", Centre: []int8{0}}},
		},
		{
			name: "tiny k drops everything above the median",
			points: []aggregate.Point{
				pt(1, "a", 1, 0), pt(2, "a", 1, 1), pt(3, "a", 1, 3), pt(4, "a", 1, 6),
			},
			p: aggregate.FilterParams{MADMultiplierPPM: 1},
			// centre 1 (lower); d = 1,0,4,25; median 2.5 -> 1,0 kept
			wantKeep:    []bool{true, true, false, false},
			wantCentres: []aggregate.DomainCentre{{Domain: "a", Centre: []int8{1}}},
		},
	}
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			keep, centres, err := aggregate.FilterOutliers(tc.points, tc.p)
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if !slices.Equal(keep, tc.wantKeep) || keep == nil {
				t.Fatalf("keep = %v, want %v", keep, tc.wantKeep)
			}
			assertCentres(t, centres, tc.wantCentres)
		})
	}
}

// Extreme coordinates in a high dimension: distances far beyond 32 bits.
func TestFilterOutliersLargeDistances(t *testing.T) {
	const dim = 4096
	mk := func(id uint64, v int8) aggregate.Point {
		e := make([]int8, dim)
		for i := range e {
			e[i] = v
		}
		return pt(id, "a", aggregate.PPM, e...)
	}
	points := []aggregate.Point{mk(1, -128), mk(2, -128), mk(3, -127), mk(4, 127)}
	keep, _, err := aggregate.FilterOutliers(points, k3)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Equal(keep, []bool{true, true, true, false}) {
		t.Fatalf("keep = %v", keep)
	}
}

func TestFilterOutliersMinMAD(t *testing.T) {
	// Four identical points and three that differ by 1 in every coordinate:
	// MAD is 0, so without a floor the near points are outliers.
	var pts []aggregate.Point
	for i := 0; i < 7; i++ {
		emb := make([]int8, 8)
		for j := range emb {
			emb[j] = int8(10 + i%2)
		}
		pts = append(pts, aggregate.Point{ID: uint64(i + 1), Domain: "d", Embedding: emb, Weight: 1})
	}
	keep, _, err := aggregate.FilterOutliers(pts, aggregate.FilterParams{MADMultiplierPPM: 3 * aggregate.PPM})
	if err != nil {
		t.Fatal(err)
	}
	if keep[1] || keep[3] || keep[5] {
		t.Fatalf("without a MAD floor the near points should be filtered: %v", keep)
	}
	keep, _, err = aggregate.FilterOutliers(pts, aggregate.FilterParams{MADMultiplierPPM: 3 * aggregate.PPM, MinMAD: 8})
	if err != nil {
		t.Fatal(err)
	}
	for i, k := range keep {
		if !k {
			t.Fatalf("with MinMAD = 8 (d = 8 for the near points) point %d should be kept", i)
		}
	}
	// A far point is still filtered with the floor.
	far := make([]int8, 8)
	for j := range far {
		far[j] = -100
	}
	pts = append(pts, aggregate.Point{ID: 99, Domain: "d", Embedding: far, Weight: 1})
	keep, _, err = aggregate.FilterOutliers(pts, aggregate.FilterParams{MADMultiplierPPM: 3 * aggregate.PPM, MinMAD: 8})
	if err != nil {
		t.Fatal(err)
	}
	if keep[len(keep)-1] {
		t.Fatal("the far point must be filtered")
	}
}

// Domain evasion: a far point that claims a domain of its own is its own
// centre and passes the per-domain rule; with MinGroup it is judged against
// all points and filtered, while a small domain close to the rest passes.
func TestFilterOutliersSmallDomainsPooled(t *testing.T) {
	var points []aggregate.Point
	for i := range 8 {
		points = append(points, pt(uint64(i+1), "strings", 1, int8(10+i%3), int8(10+i%2)))
	}
	points = append(points, pt(100, "mine", 1, -100, -100), pt(101, "near", 1, 11, 10))
	p := k3
	p.MinMAD = 8 // the large domain's points are a unit or two apart
	keep, _, err := aggregate.FilterOutliers(points, p)
	if err != nil {
		t.Fatal(err)
	}
	if !keep[8] {
		t.Fatal("without MinGroup the lone point is its own centre and passes (the evasion this guards against)")
	}
	p.MinGroup = 3
	keep, centres, err := aggregate.FilterOutliers(points, p)
	if err != nil {
		t.Fatal(err)
	}
	if keep[8] {
		t.Error("a far point in a domain of its own passed")
	}
	if !keep[9] {
		t.Error("a small domain close to the rest was filtered")
	}
	for i := range 8 {
		if !keep[i] {
			t.Errorf("point %d of the large domain was filtered", i)
		}
	}
	if len(centres) != 3 {
		t.Errorf("%d centres, want one per domain", len(centres))
	}
	// Order does not matter.
	rev := slices.Clone(points)
	slices.Reverse(rev)
	keepRev, _, err := aggregate.FilterOutliers(rev, p)
	if err != nil {
		t.Fatal(err)
	}
	for i := range points {
		if keepRev[len(points)-1-i] != keep[i] {
			t.Fatalf("point %d: verdict depends on input order", i)
		}
	}
}
