package sim

import (
	"cmp"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"math/bits"
	"slices"
	"sort"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/x/ccf/aggregate"
	ccftypes "github.com/h3lix/h3lix/x/ccf/types"
	reptypes "github.com/h3lix/h3lix/x/reputation/types"
)

// published is one revealed artifact of a round.
type published struct {
	id       uint64
	producer int
	cid      string
	art      engine.Artifact
	poisoned bool
}

func newPublished(id uint64, producer int, a engine.Artifact, poisoned bool) published {
	sum := sha256.Sum256(a.Payload)
	return published{id: id, producer: producer, cid: hex.EncodeToString(sum[:]), art: a, poisoned: poisoned}
}

// candidate turns an artifact into the aggregate's input, with the
// producer's self-reported confidence: what a node without attestations has
// to go on (trustedField). The chain ignores it (verified), as finalize does.
func (a published) candidate(producer string, reputation, quality uint32) aggregate.Candidate {
	m := a.art.Manifest
	emb := make([]int8, len(m.Embedding))
	copy(emb, m.Embedding[:])
	return aggregate.Candidate{
		ID: a.id, CID: a.cid, Producer: producer, Kind: m.Kind, Domain: m.Domain,
		Reputation: reputation, Quality: quality, Confidence: uint32(min(m.Confidence, engine.MaxPPM)),
		Embedding: emb,
	}
}

// verified is the candidate as the chain weighs it: reputation and the
// verifiers' quality only, nothing the producer says about itself.
func (a published) verified(producer string, reputation, quality uint32) aggregate.Candidate {
	c := a.candidate(producer, reputation, quality)
	c.Confidence = aggregate.PPM
	return c
}

func (a published) point(weight uint64) aggregate.Point {
	m := a.art.Manifest
	emb := make([]int8, len(m.Embedding))
	copy(emb, m.Embedding[:])
	return aggregate.Point{ID: a.id, Domain: m.Domain, Embedding: emb, Weight: weight}
}

// aggregateVerdict maps the engine's verdict to the chain's by name. ok is
// false for a verdict that cannot be attested on chain.
func aggregateVerdict(v engine.Verdict) (aggregate.Verdict, bool) {
	switch v {
	case engine.VerdictValid:
		return aggregate.VerdictValid, true
	case engine.VerdictInvalid:
		return aggregate.VerdictInvalid, true
	case engine.VerdictUnavailable:
		return aggregate.VerdictUnavailable, true
	}
	return aggregate.VerdictUnspecified, false
}

// assignLabel separates the simulation's draws from every other hash of its seed.
const assignLabel = "h3lix/sim/assign/v1"

// assign returns up to k verifiers of artifact id, never its producer, each
// drawn with probability proportional to its frozen weight (cum holds the
// running totals) from SHA-256(label || seed || id || j). This is how
// x/artifact draws, including the bound of 4k+8 draws, so a small network
// gets fewer than k verifiers just as it would on chain.
func assign(seed []byte, id uint64, producer int, cum []uint64, k int) []int {
	total := cum[len(cum)-1]
	if total == 0 {
		return nil
	}
	var out []int
	var buf [12]byte
	binary.BigEndian.PutUint64(buf[:8], id)
	for j := 0; len(out) < k && j < 4*k+8; j++ {
		binary.BigEndian.PutUint32(buf[8:], uint32(j))
		h := sha256.New()
		h.Write([]byte(assignLabel))
		h.Write(seed)
		h.Write(buf[:])
		sum := h.Sum(nil)
		_, x := bits.Div64(binary.BigEndian.Uint64(sum[:8])%total, binary.BigEndian.Uint64(sum[8:16]), total)
		v := sort.Search(len(cum), func(i int) bool { return cum[i] > x })
		if v == producer || slices.Contains(out, v) {
			continue
		}
		out = append(out, v)
	}
	return out
}

// vote is one attestation with the node that made it.
type vote struct {
	node int
	att  aggregate.Attestation
}

// judgement is what finalization decided about one artifact.
type judgement struct {
	verdict aggregate.VerdictResult
	outlier bool
	inField bool
}

// finalization is the chain side of one round.
type finalization struct {
	judged     []judgement           // by index in the round's artifacts
	candidates []aggregate.Candidate // exactly as passed to BuildField
	field      aggregate.Field
}

// finalize decides a round as x/ccf/keeper/finalize.go does: per artifact
// in id order the verdict, the verifiers' agreement and the zero signal of a
// rejected producer; then the accepted artifacts by weight, trimmed to
// MaxFieldCandidates, the outlier filter, the field and the producers'
// signals. Every outcome goes into the node's tally, and each node's score
// moves once, by ccftypes.RoundSignal, after the whole round. arts are in id
// order, votes[i] are the attestations of arts[i] (weights frozen at the
// start of the round); rep is updated in place.
func finalize(arts []published, votes [][]vote, rep []uint32, names []string, prevEMA []aggregate.DomainVector, p Params) (finalization, error) {
	tallies := make([]ccftypes.Tally, len(rep))
	ema := func(n int, signal uint32) {
		tallies[n].Outcomes++
		tallies[n].SignalSum += uint64(signal)
	}
	defer func() {
		for n, t := range tallies {
			if t.Outcomes > 0 {
				rep[n] = reptypes.EMA(rep[n], ccftypes.RoundSignal(t), p.EMAAlphaPPM)
			}
		}
	}()
	out := finalization{judged: make([]judgement, len(arts))}

	type accepted struct {
		i       int
		w       uint64
		quality uint32
	}
	var acc []accepted
	for i, a := range arts {
		atts := make([]aggregate.Attestation, len(votes[i]))
		for j, v := range votes[i] {
			atts[j] = v.att
		}
		res := aggregate.DecideVerdict(atts, p.Verdict)
		out.judged[i].verdict = res
		for _, v := range votes[i] {
			ema(v.node, aggregate.Agreement(v.att, res))
			if res.Outcome == aggregate.VerdictInvalid && v.att.Verdict == aggregate.VerdictValid {
				tallies[v.node].ApprovedInvalid++
			}
		}
		switch res.Outcome {
		case aggregate.VerdictValid:
			c := a.verified(names[a.producer], rep[a.producer], res.Quality)
			acc = append(acc, accepted{i, aggregate.Weight(c, 0), res.Quality})
		case aggregate.VerdictInvalid:
			ema(a.producer, 0)
			tallies[a.producer].Invalid++
		case aggregate.VerdictUnavailable:
			ema(a.producer, 0)
		}
		// No consensus: the producer is neither rewarded nor punished.
	}
	// The keeper keeps candidates keyed by (MaxUint64-W, id) and evicts from
	// the far end, worst first.
	slices.SortFunc(acc, func(x, y accepted) int {
		if c := cmp.Compare(y.w, x.w); c != 0 {
			return c
		}
		return cmp.Compare(arts[x.i].id, arts[y.i].id)
	})
	for len(acc) > p.MaxFieldCandidates {
		last := acc[len(acc)-1]
		ema(arts[last.i].producer, mulPPM(last.quality, p.UnselectedSignalPPM))
		acc = acc[:len(acc)-1]
	}

	points := make([]aggregate.Point, len(acc))
	for k, c := range acc {
		a := arts[c.i]
		points[k] = a.point(aggregate.PointWeight(rep[a.producer], aggregate.PPM))
	}
	keep, _, err := aggregate.FilterOutliers(points, p.Filter)
	if err != nil {
		return out, err
	}
	var kept []accepted
	for k, c := range acc {
		a := arts[c.i]
		if !keep[k] {
			out.judged[c.i].outlier = true
			ema(a.producer, mulPPM(c.quality, p.OutlierSignalPPM))
			continue
		}
		kept = append(kept, c)
		out.candidates = append(out.candidates, a.verified(names[a.producer], rep[a.producer], c.quality))
	}
	out.field, err = aggregate.BuildField(out.candidates, prevEMA, p.Field)
	if err != nil {
		return out, err
	}
	inField := make(map[uint64]bool, len(out.field.Entries))
	for _, e := range out.field.Entries {
		inField[e.ID] = true
	}
	for _, c := range kept {
		a := arts[c.i]
		if inField[a.id] {
			out.judged[c.i].inField = true
			ema(a.producer, c.quality)
			continue
		}
		ema(a.producer, mulPPM(c.quality, p.UnselectedSignalPPM))
	}
	return out, nil
}

// trustedField is the field the chain would build if every artifact were
// accepted at full quality from producers of full reputation, so W follows
// the confidence alone: what a node without attestations has to go on.
// filter applies the outlier filter, which needs no attestations.
func trustedField(arts []published, names []string, p Params, filter bool) (aggregate.Field, error) {
	if filter {
		points := make([]aggregate.Point, len(arts))
		for i, a := range arts {
			points[i] = a.point(aggregate.PointWeight(aggregate.PPM, uint32(a.art.Manifest.Confidence)))
		}
		keep, _, err := aggregate.FilterOutliers(points, p.Filter)
		if err != nil {
			return aggregate.Field{}, err
		}
		var kept []published
		for i, a := range arts {
			if keep[i] {
				kept = append(kept, a)
			}
		}
		arts = kept
	}
	cands := make([]aggregate.Candidate, len(arts))
	for i, a := range arts {
		cands[i] = a.candidate(names[a.producer], aggregate.PPM, aggregate.PPM)
	}
	return aggregate.BuildField(cands, nil, p.Field)
}

// weighted lists the field's artifacts with their ppm weights, in the
// field's order: what a node conditions on.
func weighted(f aggregate.Field, arts []published) []engine.WeightedArtifact {
	byID := make(map[uint64]int, len(arts))
	for i, a := range arts {
		byID[a.id] = i
	}
	out := make([]engine.WeightedArtifact, len(f.Entries))
	for k, e := range f.Entries {
		out[k] = engine.WeightedArtifact{Artifact: arts[byID[e.ID]].art, Weight: engine.PPM(e.WeightPPM)}
	}
	return out
}

func mulPPM(x, ppm uint32) uint32 { return uint32(uint64(x) * uint64(ppm) / aggregate.PPM) }
