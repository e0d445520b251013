package aggregate

import (
	"cmp"
	"fmt"
	"slices"
)

// Point is one artifact in embedding space for the outlier filter.
type Point struct {
	ID        uint64 // artifact id, unique
	Domain    string
	Embedding []int8 // all points must share one dimension
	Weight    uint64 // reputation×confidence (see PointWeight), used for the centre; any scale
}

// FilterParams parameterize FilterOutliers.
type FilterParams struct {
	MADMultiplierPPM uint64 // k in ppm: k=3 -> 3_000_000; must be > 0
	// MinMAD floors the MAD, in squared embedding units. Without a floor a
	// domain where most points coincide has MAD = 0 and every other point,
	// however close, is an outlier. 0 means no floor.
	MinMAD uint64
	// MinGroup: the points of a domain with fewer points than this are
	// judged against the centre and spread of all points instead of their
	// own. Otherwise a lone point in a domain of its own is its own centre
	// and always passes, whatever its embedding. 0 or 1: every domain is
	// judged alone.
	MinGroup int
}

// DomainCentre is the coordinate-wise weighted median of one domain's points.
type DomainCentre struct {
	Domain string
	Centre []int8
}

// smallDomain is the size below which a domain's centre is computed by sorting
// instead of with 256 buckets per coordinate; both give the same value.
const smallDomain = 64

// FilterOutliers runs the robust median/MAD filter per domain (see the package
// doc for the exact rule and the robustness bound). keep[i] reports whether
// points[i] is kept; centres lists each domain's centre, sorted by domain.
// Errors: ErrInvalidParams (k = 0), ErrEmptyEmbedding, ErrDimensionMismatch,
// ErrDuplicateID. No points: an empty keep, no centres, no error.
func FilterOutliers(points []Point, p FilterParams) (keep []bool, centres []DomainCentre, err error) {
	if p.MADMultiplierPPM == 0 {
		return nil, nil, fmt.Errorf("%w: MADMultiplierPPM must be > 0", ErrInvalidParams)
	}
	keep = make([]bool, len(points))
	if len(points) == 0 {
		return keep, nil, nil
	}
	dim := len(points[0].Embedding)
	for i := range points {
		if len(points[i].Embedding) == 0 {
			return nil, nil, fmt.Errorf("%w: point id %d", ErrEmptyEmbedding, points[i].ID)
		}
		if len(points[i].Embedding) != dim {
			return nil, nil, fmt.Errorf("%w: point id %d has %d, want %d", ErrDimensionMismatch, points[i].ID, len(points[i].Embedding), dim)
		}
	}
	if err := checkUniqueIDs(len(points), func(i int) uint64 { return points[i].ID }); err != nil {
		return nil, nil, err
	}
	// Group by (domain, id); ids are unique, so the order is total.
	idx := make([]int, len(points))
	for i := range idx {
		idx[i] = i
	}
	slices.SortFunc(idx, func(a, b int) int {
		if c := cmp.Compare(points[a].Domain, points[b].Domain); c != 0 {
			return c
		}
		return cmp.Compare(points[a].ID, points[b].ID)
	})

	f := filter{points: points, p: p, dim: dim, dist: make([]uint64, len(points))}
	// The pooled verdict for the points of small domains: every point, one
	// group. Computed only when some domain is small.
	var pooled []bool
	scratch := make([]bool, len(points))
	for start := 0; start < len(idx); {
		end := start + 1
		for end < len(idx) && points[idx[end]].Domain == points[idx[start]].Domain {
			end++
		}
		group := idx[start:end]
		if len(group) >= p.MinGroup || len(group) == len(points) {
			centres = append(centres, DomainCentre{Domain: points[group[0]].Domain, Centre: f.judge(group, keep)})
		} else {
			centres = append(centres, DomainCentre{Domain: points[group[0]].Domain, Centre: f.judge(group, scratch)})
			if pooled == nil {
				pooled = make([]bool, len(points))
				all := slices.Clone(idx)
				slices.SortFunc(all, func(a, b int) int { return cmp.Compare(points[a].ID, points[b].ID) })
				f.judge(all, pooled)
			}
			for _, i := range group {
				keep[i] = pooled[i]
			}
		}
		start = end
	}
	return keep, centres, nil
}

// filter holds the inputs and scratch buffers of one FilterOutliers call.
type filter struct {
	points []Point
	p      FilterParams
	dim    int
	bk     int8Median
	buf    []weighted
	dist   []uint64 // by input index
	ds     []uint64
	devs   []uint64
}

// judge applies the median/MAD rule to one group of points (input indexes)
// and writes keep[i] for each; it returns the group's centre.
func (f *filter) judge(group []int, keep []bool) []int8 {
	points, p, dim := f.points, f.p, f.dim
	m := len(group)
	// Centre: coordinate-wise lower weighted median.
	centre := make([]int8, dim)
	for j := 0; j < dim; j++ {
		if m < smallDomain {
			f.buf = f.buf[:0]
			for _, i := range group {
				f.buf = append(f.buf, weighted{int64(points[i].Embedding[j]), points[i].Weight})
			}
			centre[j] = int8(weightedMedianInPlace(f.buf))
		} else {
			f.bk.reset()
			for _, i := range group {
				f.bk.add(points[i].Embedding[j], points[i].Weight)
			}
			centre[j] = f.bk.median(uint64(m))
		}
	}
	// Distances, their median and MAD (doubled, see the package doc).
	f.ds = f.ds[:0]
	for _, i := range group {
		d := sqDist(points[i].Embedding, centre)
		f.dist[i] = d
		f.ds = append(f.ds, d)
	}
	slices.Sort(f.ds)
	med2 := doubledMedianSorted(f.ds)
	f.devs = f.devs[:0]
	for _, d := range f.ds {
		f.devs = append(f.devs, absDiff(from64(d).add64Sat(d).sat64(), med2))
	}
	slices.Sort(f.devs)
	mad4 := doubledMedianSorted(f.devs)
	if floor := from64(p.MinMAD).add64Sat(p.MinMAD).add64Sat(p.MinMAD).add64Sat(p.MinMAD).sat64(); mad4 < floor {
		mad4 = floor
	}
	// outlier ⇔ 4·d·PPM > 2·med2·PPM + k·mad4
	threshold := mul64(med2, 2*PPM).addSat(mul64(p.MADMultiplierPPM, mad4))
	for _, i := range group {
		keep[i] = mul64(f.dist[i], 4*PPM).cmp(threshold) <= 0
	}
	return centre
}

// checkUniqueIDs reports ErrDuplicateID if two of the n ids are equal.
func checkUniqueIDs(n int, id func(int) uint64) error {
	ids := make([]uint64, n)
	for i := range ids {
		ids[i] = id(i)
	}
	slices.Sort(ids)
	for i := 1; i < n; i++ {
		if ids[i] == ids[i-1] {
			return fmt.Errorf("%w: %d", ErrDuplicateID, ids[i])
		}
	}
	return nil
}

// sqDist is the squared L2 distance of two int8 vectors of equal length.
func sqDist(a, b []int8) uint64 {
	var s uint64
	for j := range a {
		d := int64(a[j]) - int64(b[j])
		s += uint64(d * d)
	}
	return s
}

func absDiff(a, b uint64) uint64 {
	if a >= b {
		return a - b
	}
	return b - a
}
