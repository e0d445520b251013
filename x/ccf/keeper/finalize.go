package keeper

import (
	"bytes"
	"cmp"
	"encoding/hex"
	"errors"
	"math"
	"math/bits"
	"slices"

	"cosmossdk.io/collections"
	sdkmath "cosmossdk.io/math"

	sdk "github.com/cosmos/cosmos-sdk/types"

	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
	"github.com/h3lix/h3lix/x/ccf/aggregate"
	"github.com/h3lix/h3lix/x/ccf/types"
)

// finalizeStep advances the finalization of round r by one block's worth of
// work and reports whether the round is done. Three stages, each bounded by
// a parameter whatever the size of the round:
//
//  1. judging, max_finalize_per_block artifacts per block in id order:
//     verdicts from the attestations (weights frozen with the verifier set),
//     each outcome added to its node's tally, INVALID → slash, VALID → a
//     candidate for the field (the best max_field_candidates are kept);
//  2. building the field from those candidates only: outlier filter, field,
//     producer outcomes and rewards into the tallies (one block);
//  3. settling, max_finalize_per_block nodes per block: one reputation step
//     and one payment per node from its tally. The field is stored when the
//     last tally is applied.
//
// Scores therefore move once per node and round, after every artifact of the
// round was judged with the same scores.
func (k Keeper) finalizeStep(ctx sdk.Context, r *types.Round, p types.Params) (bool, error) {
	if !r.Finalizing {
		if err := k.startFinalizing(ctx, r, p); err != nil {
			return false, err
		}
	}
	if !r.Settling {
		done, err := k.judgeBatch(ctx, r, p)
		if err != nil || !done {
			return false, err
		}
		ts := newTallies()
		f, err := k.buildField(ctx, ts, r, p)
		if err != nil {
			return false, err
		}
		if err := k.flush(ctx, ts); err != nil {
			return false, err
		}
		if err := k.PendingField.Set(ctx, f); err != nil {
			return false, err
		}
		r.Settling = true
		r.Attestable = r.Counts.Revealed - r.Counts.Duplicates
	}
	f, err := k.PendingField.Get(ctx)
	if err != nil {
		return false, err
	}
	done, err := k.settleStep(ctx, r, p, &f)
	if err != nil {
		return false, err
	}
	if !done {
		return false, k.PendingField.Set(ctx, f)
	}
	return true, k.storeField(ctx, r, f)
}

// judgeBatch judges the next batch of artifacts. The batch runs in a cache
// context; if any artifact fails with an error (which valid state never
// produces), the batch is rerun with each artifact isolated, the failing
// ones skipped and counted, so one bad record cannot halt the chain.
func (k Keeper) judgeBatch(ctx sdk.Context, r *types.Round, p types.Params) (bool, error) {
	saved := *r
	ts := newTallies()
	bc, err := k.newBatchCache(ctx, r.Id)
	if err != nil {
		return false, err
	}
	cctx, write := ctx.CacheContext()
	next, done, err := k.artifacts.IterateRound(cctx, r.Id, r.FinalizeCursor, p.MaxFinalizePerBlock, func(a artifacttypes.Artifact) error {
		return k.judge(cctx, bc, ts, r, p, a)
	})
	if err != nil {
		*r = saved
		ts = newTallies()
		next, done, err = k.artifacts.IterateRound(ctx, r.Id, r.FinalizeCursor, p.MaxFinalizePerBlock, func(a artifacttypes.Artifact) error {
			before := *r
			one := newTallies()
			actx, write := ctx.CacheContext()
			if jerr := k.judge(actx, bc, one, r, p, a); jerr != nil {
				*r = before
				r.Counts.Failed++
				ctx.Logger().Error("judging an artifact failed; it is skipped", "round", r.Id, "artifact", a.Id, "err", jerr)
				return k.emitJudged(ctx, r, a, "failed", 0)
			}
			write()
			ts.merge(one)
			return nil
		})
		if err != nil {
			return false, err
		}
	} else {
		write()
	}
	r.FinalizeCursor = next
	if err := k.trimCandidates(ctx, ts, r, p); err != nil {
		return false, err
	}
	return done, k.flush(ctx, ts)
}

// startFinalizing fixes the verifier pool. It is paid out at settlement in
// proportion to each verifier's summed agreement, over k slots per
// revealed artifact: shares of attestations never made, or made against the
// consensus, stay in the pool, and unrevealed commits dilute nothing.
func (k Keeper) startFinalizing(ctx sdk.Context, r *types.Round, p types.Params) error {
	r.Finalizing = true
	r.FinalizeCursor = 0
	pool := p.RewardPerRound.Amount.MulRaw(int64(p.VerifierRewardSharePpm)).QuoRaw(types.PPM)
	r.VerifierPool = sdk.NewCoin(p.RewardPerRound.Denom, pool)
	r.VerifierPaid = sdk.NewCoin(p.RewardPerRound.Denom, sdkmath.ZeroInt())
	n, err := k.artifacts.RoundSize(ctx, r.Id)
	r.Artifacts = n
	return err
}

// batchCache holds what judging reads again and again within one block and
// what cannot change while a round is judged: frozen verifier weights,
// producer scores (they move only at settlement) and the assignment draws.
type batchCache struct {
	assigner artifacttypes.Assignments
	weights  map[string]uint64
	scores   map[string]uint32
	addrs    map[string]sdk.AccAddress
}

// addr decodes a bech32 address once per batch: producers and verifiers
// recur across a batch's artifacts.
func (bc *batchCache) addr(k Keeper, s string) (sdk.AccAddress, error) {
	if a, ok := bc.addrs[s]; ok {
		return a, nil
	}
	a, err := k.addressCodec.StringToBytes(s)
	if err != nil {
		return nil, err
	}
	bc.addrs[s] = a
	return a, nil
}

func (k Keeper) newBatchCache(ctx sdk.Context, round uint64) (*batchCache, error) {
	as, err := k.artifacts.Assigner(ctx, round)
	if errors.Is(err, artifacttypes.ErrNoVerifiers) {
		// Only a state imported without its verifier set gets here: judge
		// without counting missed assignments rather than halt.
		as, err = nil, nil
	}
	if err != nil {
		return nil, err
	}
	return &batchCache{assigner: as, weights: map[string]uint64{}, scores: map[string]uint32{}, addrs: map[string]sdk.AccAddress{}}, nil
}

func (k Keeper) frozenWeight(ctx sdk.Context, bc *batchCache, round uint64, v sdk.AccAddress) (uint64, error) {
	if w, ok := bc.weights[string(v)]; ok {
		return w, nil
	}
	w, err := k.artifacts.FrozenWeight(ctx, round, v)
	if err == nil {
		bc.weights[string(v)] = w
	}
	return w, err
}

func (k Keeper) score(ctx sdk.Context, bc *batchCache, op sdk.AccAddress) (uint32, error) {
	if s, ok := bc.scores[string(op)]; ok {
		return s, nil
	}
	s, err := k.reputation.Score(ctx, op)
	if err == nil {
		bc.scores[string(op)] = s
	}
	return s, err
}

// attestation is a disclosed attestation and its verifier's address.
type attestation struct {
	artifacttypes.Attestation
	addr sdk.AccAddress
}

// attestationsOf returns the disclosed attestations of a's assigned
// verifiers in verifier address order, and the assigned verifiers without
// one (none, or a seal never disclosed). Attestations are read by key, k
// point reads rather than a prefix iterator per artifact; only assigned
// verifiers can attest. Without a verifier set (a state imported without
// one) every stored attestation counts and nobody is missed.
func (k Keeper) attestationsOf(ctx sdk.Context, bc *batchCache, a artifacttypes.Artifact) ([]attestation, []sdk.AccAddress, error) {
	var out []attestation
	var missed []sdk.AccAddress
	if bc.assigner == nil {
		all, err := k.artifacts.AttestationsOf(ctx, a.Id)
		if err != nil {
			return nil, nil, err
		}
		for _, at := range all {
			if at.Verdict == artifacttypes.VERDICT_UNSPECIFIED {
				continue
			}
			v, err := bc.addr(k, at.Verifier)
			if err != nil {
				return nil, nil, err
			}
			out = append(out, attestation{at, v})
		}
		return out, nil, nil
	}
	assigned, err := bc.assigner.Assigned(ctx, a)
	if err != nil {
		return nil, nil, err
	}
	for _, s := range assigned {
		v, err := bc.addr(k, s)
		if err != nil {
			return nil, nil, err
		}
		at, found, err := k.artifacts.AttestationOf(ctx, a.Id, v)
		if err != nil {
			return nil, nil, err
		}
		if !found || at.Verdict == artifacttypes.VERDICT_UNSPECIFIED {
			missed = append(missed, v)
			continue
		}
		out = append(out, attestation{at, v})
	}
	slices.SortFunc(out, func(x, y attestation) int { return bytes.Compare(x.addr, y.addr) })
	return out, missed, nil
}

func (k Keeper) judge(ctx sdk.Context, bc *batchCache, ts *tallies, r *types.Round, p types.Params, a artifacttypes.Artifact) error {
	producer, err := bc.addr(k, a.Producer)
	if err != nil {
		return err
	}
	r.Counts.Committed++
	switch a.Status {
	case artifacttypes.ARTIFACT_STATUS_COMMITTED:
		r.Counts.Unrevealed++
		ts.outcome(producer, 0).Unrevealed++
		if err := k.artifacts.BurnCommitFee(ctx, a); err != nil {
			return err
		}
		return k.emitJudged(ctx, r, a, "unrevealed", 0)
	case artifacttypes.ARTIFACT_STATUS_DUPLICATE:
		// The earlier commit holds the CID; the copy earns nothing.
		r.Counts.Revealed++
		r.Counts.Duplicates++
		return k.emitJudged(ctx, r, a, "duplicate", 0)
	case artifacttypes.ARTIFACT_STATUS_REVEALED:
	default:
		return nil
	}
	r.Counts.Revealed++
	if m := a.Manifest; m != nil {
		r.Energy.Joules = satAdd(r.Energy.Joules, m.Energy.Joules)
		r.Energy.MgCo2E = satAdd(r.Energy.MgCo2E, m.Energy.MgCo2E)
		r.Energy.RenewableJoules = satAdd(r.Energy.RenewableJoules, mulPPM(m.Energy.Joules, m.Energy.RenewablePpm))
		if m.Energy.Method == artifacttypes.ENERGY_METHOD_RAPL {
			r.Energy.MeasuredJoules = satAdd(r.Energy.MeasuredJoules, m.Energy.Joules)
		}
	}

	atts, missed, err := k.attestationsOf(ctx, bc, a)
	if err != nil {
		return err
	}
	votes := make([]aggregate.Attestation, len(atts))
	for i, at := range atts {
		w, err := k.frozenWeight(ctx, bc, r.Id, at.addr)
		if err != nil {
			return err
		}
		votes[i] = aggregate.Attestation{Verifier: at.Verifier, Weight: w, Verdict: aggregate.Verdict(at.Verdict), Quality: at.QualityPpm}
	}
	res := aggregate.DecideVerdict(votes, aggregate.VerdictParams{MinAttestedWeight: p.MinAttestedWeightPpm, MinAttesters: int(p.MinAttesters), AcceptPPM: p.AcceptThresholdPpm})
	r.Counts.Attestations += uint64(len(atts))

	for i, vote := range votes {
		agreement := aggregate.Agreement(vote, res)
		t := ts.outcome(atts[i].addr, agreement)
		t.Attestations++
		t.AgreementSumPpm += uint64(agreement)
		if agreement >= types.PPM/2 {
			t.Agreed++
		}
		if res.Outcome == aggregate.VerdictInvalid && vote.Verdict == aggregate.VerdictValid {
			t.ApprovedInvalid++
		}
	}
	// An assigned verifier that did not attest (or never disclosed) lost the
	// round's slot: an outcome of signal 0, so staying silent is never safer
	// than checking.
	for _, v := range missed {
		r.Counts.Missed++
		ts.outcome(v, 0).Missed++
	}

	switch res.Outcome {
	case aggregate.VerdictValid:
		r.Counts.Accepted++
		return k.addCandidate(ctx, bc, r, a, res.Quality)
	case aggregate.VerdictInvalid:
		r.Counts.Rejected++
		t := ts.outcome(producer, 0)
		t.Rejected++
		t.Invalid++
		// At least the producer share of a round's reward: poison must cost
		// more than any artifact could have earned.
		if _, err := k.reputation.Slash(ctx, producer, r.Id, p.ProducerShare()); err != nil {
			return err
		}
		return k.emitJudged(ctx, r, a, "rejected", 0)
	case aggregate.VerdictUnavailable:
		r.Counts.Unavailable++
		ts.outcome(producer, 0).Rejected++
		return k.emitJudged(ctx, r, a, "unavailable", 0)
	default:
		// Too little attested weight, too few distinct attesters or a split
		// vote: the producer is neither rewarded nor punished.
		r.Counts.NoConsensus++
		return k.emitJudged(ctx, r, a, "no_consensus", 0)
	}
}

// verifiedOnly stands in for the manifest's self-reported confidence (and
// the renewable share gets no bonus): a producer could claim anything there,
// so an artifact weighs by its producer's reputation and the quality its
// verifiers measured, nothing it says about itself.
const verifiedOnly = types.PPM

// addCandidate records an accepted artifact as a candidate for the field.
// The set is trimmed back to max_field_candidates at the end of each batch.
func (k Keeper) addCandidate(ctx sdk.Context, bc *batchCache, r *types.Round, a artifacttypes.Artifact, quality uint32) error {
	producer, err := bc.addr(k, a.Producer)
	if err != nil {
		return err
	}
	rep, err := k.score(ctx, bc, producer)
	if err != nil {
		return err
	}
	w := aggregate.Weight(aggregate.Candidate{
		Reputation: rep, Quality: quality, Confidence: verifiedOnly,
	}, 0)
	if err := k.Candidates.Set(ctx, collections.Join(math.MaxUint64-w, a.Id), types.Candidate{ArtifactId: a.Id, Weight: w, QualityPpm: quality, Producer: a.Producer}); err != nil {
		return err
	}
	r.Candidates++
	return nil
}

// trimCandidates evicts the weakest candidates beyond max_field_candidates
// (ties: the higher id goes first); each evicted producer gets the "accepted,
// not selected" signal. One descending scan per batch: the keys to evict are
// collected and the iterator closed before any delete, so a block costs
// O(evicted) rather than rescanning its own deletions for every eviction.
func (k Keeper) trimCandidates(ctx sdk.Context, ts *tallies, r *types.Round, p types.Params) error {
	excess := int64(r.Candidates) - int64(p.MaxFieldCandidates)
	if excess <= 0 {
		return nil
	}
	it, err := k.Candidates.Iterate(ctx, new(collections.Range[collections.Pair[uint64, uint64]]).Descending())
	if err != nil {
		return err
	}
	var worst []collections.KeyValue[collections.Pair[uint64, uint64], types.Candidate]
	for ; it.Valid() && int64(len(worst)) < excess; it.Next() {
		kv, err := it.KeyValue()
		if err != nil {
			it.Close()
			return err
		}
		worst = append(worst, kv)
	}
	it.Close()
	for _, kv := range worst {
		if err := k.Candidates.Remove(ctx, kv.Key); err != nil {
			return err
		}
		r.Candidates--
		// The candidate carries what the outcome and its event need, so
		// evicting thousands of candidates reads no artifact record.
		evicted := artifacttypes.Artifact{Id: kv.Value.ArtifactId, Producer: kv.Value.Producer}
		if err := k.producerOutcome(ctx, ts, r, evicted, mulPPM32(kv.Value.QualityPpm, p.UnselectedSignalPpm), "accepted_not_selected", kv.Value.QualityPpm); err != nil {
			return err
		}
	}
	return nil
}

func (k Keeper) producerOutcome(ctx sdk.Context, ts *tallies, r *types.Round, a artifacttypes.Artifact, signal uint32, outcome string, quality uint32) error {
	producer, err := k.addressCodec.StringToBytes(a.Producer)
	if err != nil {
		return err
	}
	ts.outcome(producer, signal).Accepted++
	return k.emitJudged(ctx, r, a, outcome, quality)
}

func (k Keeper) emitJudged(ctx sdk.Context, r *types.Round, a artifacttypes.Artifact, outcome string, quality uint32) error {
	e := types.EventArtifactJudged{Round: r.Id, ArtifactId: a.Id, Producer: a.Producer, Outcome: outcome, QualityPpm: quality}
	ctx.EventManager().EmitEvent(e.Event())
	return nil
}

// buildField runs the outlier filter and the field selection over the
// candidates, adds the producer outcomes and rewards to the tallies, clears
// the candidates and returns the field to store once the round settles. Its
// work is O(max_field_candidates · dim).
func (k Keeper) buildField(ctx sdk.Context, ts *tallies, r *types.Round, p types.Params) (types.Field, error) {
	var (
		arts       []artifacttypes.Artifact
		quals      []uint32
		points     []aggregate.Point
		mismatched []types.Candidate
	)
	err := k.Candidates.Walk(ctx, nil, func(_ collections.Pair[uint64, uint64], c types.Candidate) (bool, error) {
		a, err := k.artifacts.GetArtifact(ctx, c.ArtifactId)
		if err != nil {
			return true, err
		}
		producer, err := k.addressCodec.StringToBytes(a.Producer)
		if err != nil {
			return true, err
		}
		rep, err := k.reputation.Score(ctx, producer)
		if err != nil {
			return true, err
		}
		// Embeddings of one round share a dimension unless governance changed
		// embedding_dim while it was open; the field keeps the dimension of
		// the strongest candidate and treats the others as not selected.
		if len(points) > 0 && len(a.Manifest.Embedding) != len(points[0].Embedding) {
			mismatched = append(mismatched, c)
			return false, nil
		}
		arts = append(arts, a)
		quals = append(quals, c.QualityPpm)
		points = append(points, aggregate.Point{
			ID: a.Id, Domain: a.Manifest.Domain, Embedding: artifacttypes.Embedding8(*a.Manifest),
			Weight: aggregate.PointWeight(rep, verifiedOnly),
		})
		return false, nil
	})
	if err != nil {
		return types.Field{}, err
	}
	for _, c := range mismatched {
		a, err := k.artifacts.GetArtifact(ctx, c.ArtifactId)
		if err != nil {
			return types.Field{}, err
		}
		if err := k.producerOutcome(ctx, ts, r, a, mulPPM32(c.QualityPpm, p.UnselectedSignalPpm), "accepted_not_selected", c.QualityPpm); err != nil {
			return types.Field{}, err
		}
	}
	keep, _, err := aggregate.FilterOutliers(points, aggregate.FilterParams{MADMultiplierPPM: p.MadMultiplierPpm, MinMAD: p.MinMad, MinGroup: int(p.MinDomainPoints)})
	if err != nil {
		// Inputs are validated on the way in, so this is a bug; halting the
		// chain would be worse than a round without a field.
		return k.failField(ctx, r, p, err)
	}
	var (
		cands    []aggregate.Candidate
		candArts []artifacttypes.Artifact
	)
	for i, a := range arts {
		if !keep[i] {
			r.Counts.Outliers++
			if err := k.producerOutcome(ctx, ts, r, a, mulPPM32(quals[i], p.OutlierSignalPpm), "outlier", quals[i]); err != nil {
				return types.Field{}, err
			}
			continue
		}
		producer, err := k.addressCodec.StringToBytes(a.Producer)
		if err != nil {
			return types.Field{}, err
		}
		rep, err := k.reputation.Score(ctx, producer)
		if err != nil {
			return types.Field{}, err
		}
		candArts = append(candArts, a)
		cands = append(cands, aggregate.Candidate{
			ID: a.Id, CID: a.Cid, Producer: a.Producer, Kind: a.Manifest.Kind, Domain: a.Manifest.Domain,
			Reputation: rep, Quality: quals[i], Confidence: verifiedOnly,
			Embedding: artifacttypes.Embedding8(*a.Manifest),
		})
	}
	prev, prevSeen, err := k.previousEMA(ctx)
	if err != nil {
		return types.Field{}, err
	}
	field, err := aggregate.BuildField(cands, prev, aggregate.FieldParams{
		MaxFieldSize: int(p.MaxFieldSize), MinSpreadPPM: p.MinSpreadPpm, EMABetaPPM: p.EmaBetaPpm,
	})
	if err != nil {
		return k.failField(ctx, r, p, err)
	}
	inField := make(map[uint64]uint32, len(field.Entries))
	for _, e := range field.Entries {
		inField[e.ID] = e.WeightPPM
	}
	for i, c := range cands {
		a := candArts[i]
		if _, ok := inField[c.ID]; ok {
			r.Counts.InField++
			if err := k.producerOutcome(ctx, ts, r, a, c.Quality, "in_field", c.Quality); err != nil {
				return types.Field{}, err
			}
			continue
		}
		if err := k.producerOutcome(ctx, ts, r, a, mulPPM32(c.Quality, p.UnselectedSignalPpm), "accepted_not_selected", c.Quality); err != nil {
			return types.Field{}, err
		}
	}
	// The verifier pool is scaled like the producer share: verifying the
	// artifacts of a junk field earns reputation, not coins.
	factor := payFactor(p, field)
	r.VerifierPool.Amount = r.VerifierPool.Amount.Mul(sdkmath.NewIntFromUint64(factor)).QuoRaw(types.PPM)
	if err := k.accrueProducers(ts, p, field, factor); err != nil {
		return types.Field{}, err
	}
	zero := sdk.NewCoin(p.RewardPerRound.Denom, sdkmath.ZeroInt())
	rec := types.Field{
		Round: r.Id, SpreadPpm: field.SpreadPPM, Degenerate: field.Degenerate,
		MerkleRoot: field.MerkleRoot[:], ProducerRewards: zero, VerifierRewards: zero,
	}
	for _, e := range field.Entries {
		rec.Entries = append(rec.Entries, types.FieldEntry{ArtifactId: e.ID, Cid: e.CID, Producer: e.Producer, WeightPpm: e.WeightPPM, Kind: e.Kind, Domain: e.Domain})
	}
	rec.Centroids = toProto(field.Centroids)
	rec.EmaCentroids = evictEMA(field.EMA, field.Centroids, prevSeen, r.Id, p)
	return rec, k.Candidates.Clear(ctx, nil)
}

// storeField completes the round: the settled field gets the round's final
// counts, energy and verifier rewards and becomes the latest field.
func (k Keeper) storeField(ctx sdk.Context, r *types.Round, f types.Field) error {
	f.FinalizedHeight = ctx.BlockHeight()
	r.Energy.UgCo2EPerValidArtifact = perValid(r.Energy.MgCo2E, r.Counts.Accepted)
	f.Counts, f.Energy, f.VerifierRewards = r.Counts, r.Energy, r.VerifierPaid
	if err := k.Fields.Set(ctx, r.Id, f); err != nil {
		return err
	}
	if err := k.LatestField.Set(ctx, r.Id); err != nil {
		return err
	}
	if err := k.PendingField.Remove(ctx); err != nil {
		return err
	}
	return ctx.EventManager().EmitTypedEvent(&types.EventRoundFinalized{
		Round: r.Id, Entries: uint64(len(f.Entries)), Degenerate: f.Degenerate, MerkleRootHex: hex.EncodeToString(f.MerkleRoot),
		Counts: f.Counts, ProducerRewards: f.ProducerRewards, VerifierRewards: f.VerifierRewards,
	})
}

// failField gives the round an empty, degenerate field when the aggregation
// rejects its inputs, logging why, instead of halting the chain.
func (k Keeper) failField(ctx sdk.Context, r *types.Round, p types.Params, cause error) (types.Field, error) {
	ctx.Logger().Error("field aggregation failed; the round gets an empty field", "round", r.Id, "err", cause)
	zero := sdk.NewCoin(p.RewardPerRound.Denom, sdkmath.ZeroInt())
	r.VerifierPool.Amount = sdkmath.ZeroInt()
	return types.Field{Round: r.Id, Degenerate: true, ProducerRewards: zero, VerifierRewards: zero}, k.Candidates.Clear(ctx, nil)
}

// previousEMA returns the latest field's EMA centroids and, by domain, the
// last round each was seen.
func (k Keeper) previousEMA(ctx sdk.Context) ([]aggregate.DomainVector, map[string]uint64, error) {
	latest, err := k.LatestField.Get(ctx)
	if isNotFound(err) {
		return nil, nil, nil
	}
	if err != nil {
		return nil, nil, err
	}
	f, err := k.Fields.Get(ctx, latest)
	if isNotFound(err) {
		return nil, nil, nil // pruned; the EMA starts again
	}
	if err != nil {
		return nil, nil, err
	}
	out := make([]aggregate.DomainVector, len(f.EmaCentroids))
	seen := make(map[string]uint64, len(f.EmaCentroids))
	for i, v := range f.EmaCentroids {
		out[i] = aggregate.DomainVector{Domain: v.Domain, Micro: v.Micro}
		seen[v.Domain] = v.LastRound
	}
	return out, seen, nil
}

// evictEMA stamps each EMA centroid with the last round its domain had a
// field entry, drops those unseen for ema_domain_rounds rounds and keeps at
// most max_ema_domains, the most recently seen (ties by domain). Without it
// every label ever used would be carried, and stored, in every field.
func evictEMA(ema, current []aggregate.DomainVector, prevSeen map[string]uint64, round uint64, p types.Params) []types.DomainVector {
	now := make(map[string]bool, len(current))
	for _, c := range current {
		now[c.Domain] = true
	}
	out := make([]types.DomainVector, 0, len(ema))
	for _, v := range ema {
		last := prevSeen[v.Domain]
		if now[v.Domain] {
			last = round
		}
		if round-min(last, round) >= p.EmaDomainRounds {
			continue
		}
		out = append(out, types.DomainVector{Domain: v.Domain, Micro: v.Micro, LastRound: last})
	}
	if len(out) > int(p.MaxEmaDomains) {
		slices.SortStableFunc(out, func(a, b types.DomainVector) int {
			if a.LastRound != b.LastRound {
				return cmp.Compare(b.LastRound, a.LastRound)
			}
			return cmp.Compare(a.Domain, b.Domain)
		})
		out = out[:p.MaxEmaDomains]
		slices.SortFunc(out, func(a, b types.DomainVector) int { return cmp.Compare(a.Domain, b.Domain) })
	}
	return out
}

func toProto(vs []aggregate.DomainVector) []types.DomainVector {
	out := make([]types.DomainVector, len(vs))
	for i, v := range vs {
		out[i] = types.DomainVector{Domain: v.Domain, Micro: v.Micro}
	}
	return out
}

func satAdd(a, b uint64) uint64 {
	if a > math.MaxUint64-b {
		return math.MaxUint64
	}
	return a + b
}

// mulPPM returns x·ppm/10^6 without overflow for any x.
func mulPPM(x uint64, ppm uint32) uint64 {
	return x/types.PPM*uint64(ppm) + x%types.PPM*uint64(ppm)/types.PPM
}

func mulPPM32(x, ppm uint32) uint32 { return uint32(uint64(x) * uint64(ppm) / types.PPM) }

// perValid is mg × 1000 / accepted in micrograms, saturating instead of
// overflowing (bits.Div64 would panic on a quotient above 64 bits), and 0
// without an accepted artifact.
func perValid(mg, accepted uint64) uint64 {
	if accepted == 0 {
		return 0
	}
	hi, lo := bits.Mul64(mg, 1000)
	if hi >= accepted {
		return math.MaxUint64
	}
	q, _ := bits.Div64(hi, lo, accepted)
	return q
}
