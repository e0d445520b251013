package keeper

import (
	"context"
	"crypto/sha256"
	"encoding/binary"
	"encoding/hex"
	"errors"
	"math/bits"

	"cosmossdk.io/collections"
	errorsmod "cosmossdk.io/errors"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

// assignDomain separates assignment draws from every other hash of the seed.
const assignDomain = "h3lix/assign/v1"

// FreezeStep builds the verifier set of round a batch at a time: at most
// limit active verifiers per call, in operator order from the set's cursor,
// each unjailed one with its reputation weight (VerifierWeight: capped while
// on probation, at least 1) and the running total. x/ccf calls it once per
// block from the end of the commit phase until it reports the set complete;
// scores do not move between rounds' finalizations, so the weights are those
// of the end of the reveal phase. The cost of a call is O(limit), whatever
// the number of nodes ever registered.
func (k Keeper) FreezeStep(ctx context.Context, round uint64, kPer uint32, limit uint32) (bool, error) {
	set, err := k.VerifierSets.Get(ctx, round)
	switch {
	case errors.Is(err, collections.ErrNotFound):
		set = types.RoundVerifierSet{Round: round, VerifiersPerArtifact: kPer}
	case err != nil:
		return false, err
	case set.Complete:
		return true, nil
	}
	last, done, err := k.identity.WalkActiveVerifiers(ctx, set.Cursor, limit, func(operator sdk.AccAddress) error {
		jailed, err := k.reputation.IsJailed(ctx, operator, round)
		if err != nil || jailed {
			return err
		}
		w, err := k.reputation.VerifierWeight(ctx, operator)
		if err != nil {
			return err
		}
		set.TotalWeight += w
		if err := k.Verifiers.Set(ctx, collections.Join(round, set.Count), types.RoundVerifier{
			Operator: operator.String(), Weight: w, Cumulative: set.TotalWeight,
		}); err != nil {
			return err
		}
		set.Count++
		return k.VerifierWeight.Set(ctx, collections.Join(round, operator), w)
	})
	if err != nil {
		return false, err
	}
	set.Cursor, set.Complete = last, done
	return done, k.VerifierSets.Set(ctx, round, set)
}

// SetSeed fixes the seed of a complete verifier set; assignments exist from
// then on. It is set once.
func (k Keeper) SetSeed(ctx context.Context, round uint64, seed []byte) error {
	set, err := k.VerifierSets.Get(ctx, round)
	if err != nil {
		return err
	}
	if !set.Complete || len(set.Seed) > 0 || len(seed) == 0 {
		return errorsmod.Wrapf(types.ErrNoVerifiers, "round %d: the seed is set once, on a complete verifier set", round)
	}
	set.Seed = seed
	if err := k.VerifierSets.Set(ctx, round, set); err != nil {
		return err
	}
	return sdk.UnwrapSDKContext(ctx).EventManager().EmitTypedEvent(&types.EventVerifiersFrozen{
		Round: round, Count: set.Count, TotalWeight: set.TotalWeight, SeedHex: hex.EncodeToString(seed),
	})
}

// Assigned returns the verifiers of artifact a in draw order: up to k
// distinct verifiers other than the producer, each drawn with probability
// proportional to its frozen weight from SHA-256(domain || seed || id || j).
// A draw is a binary search over the cumulative weights, so the whole
// assignment costs O(k·log V) store reads; draws are bounded by 4k+8, so a
// small verifier set yields fewer than k verifiers rather than a long loop.
func (k Keeper) Assigned(ctx context.Context, a types.Artifact) ([]string, error) {
	as, err := k.assigner(ctx, a.Round)
	if err != nil {
		return nil, err
	}
	return as.Assigned(ctx, a)
}

// Assigner draws the assignments of one round. It remembers the verifier
// records its binary searches read: every search starts from the same
// midpoints, so over a batch of artifacts most reads are served from memory
// (at most one record per verifier, so memory is bounded by the set).
type Assigner struct {
	k    Keeper
	set  types.RoundVerifierSet
	seen map[uint64]types.RoundVerifier
}

// Assigner returns the assigner of a round whose verifier set is frozen.
func (k Keeper) Assigner(ctx context.Context, round uint64) (types.Assignments, error) {
	return k.assigner(ctx, round)
}

func (k Keeper) assigner(ctx context.Context, round uint64) (*Assigner, error) {
	set, err := k.VerifierSets.Get(ctx, round)
	if errors.Is(err, collections.ErrNotFound) || (err == nil && len(set.Seed) == 0) {
		return nil, errorsmod.Wrapf(types.ErrNoVerifiers, "round %d has no frozen verifier set yet", round)
	}
	if err != nil {
		return nil, err
	}
	return &Assigner{k: k, set: set, seen: map[uint64]types.RoundVerifier{}}, nil
}

// Assigned is Keeper.Assigned for an artifact of the assigner's round.
func (as *Assigner) Assigned(ctx context.Context, a types.Artifact) ([]string, error) {
	set := as.set
	if a.Round != set.Round {
		return nil, errorsmod.Wrapf(types.ErrNoVerifiers, "artifact %d is of round %d, not %d", a.Id, a.Round, set.Round)
	}
	if set.Count == 0 || set.TotalWeight == 0 {
		return nil, nil
	}
	kPer := set.VerifiersPerArtifact
	out := make([]string, 0, kPer)
	var buf [8 + 4]byte
	binary.BigEndian.PutUint64(buf[:8], a.Id)
	for j := uint32(0); uint32(len(out)) < kPer && j < 4*kPer+8; j++ {
		binary.BigEndian.PutUint32(buf[8:], j)
		h := sha256.New()
		h.Write([]byte(assignDomain))
		h.Write(set.Seed)
		h.Write(buf[:])
		sum := h.Sum(nil)
		// Reduce 128 random bits mod the total: the bias is below 2^-64.
		_, x := bits.Div64(binary.BigEndian.Uint64(sum[:8])%set.TotalWeight, binary.BigEndian.Uint64(sum[8:16]), set.TotalWeight)
		v, err := as.drawAt(ctx, x)
		if err != nil {
			return nil, err
		}
		if v.Operator == a.Producer || contains(out, v.Operator) {
			continue
		}
		out = append(out, v.Operator)
	}
	return out, nil
}

// drawAt finds the first verifier whose cumulative weight exceeds x.
func (as *Assigner) drawAt(ctx context.Context, x uint64) (types.RoundVerifier, error) {
	lo, hi := uint64(0), as.set.Count-1
	for lo < hi {
		mid := lo + (hi-lo)/2
		v, err := as.at(ctx, mid)
		if err != nil {
			return v, err
		}
		if v.Cumulative > x {
			hi = mid
		} else {
			lo = mid + 1
		}
	}
	return as.at(ctx, lo)
}

func (as *Assigner) at(ctx context.Context, i uint64) (types.RoundVerifier, error) {
	if v, ok := as.seen[i]; ok {
		return v, nil
	}
	v, err := as.k.Verifiers.Get(ctx, collections.Join(as.set.Round, i))
	if err == nil {
		as.seen[i] = v
	}
	return v, err
}

// IsAssigned reports whether verifier is among the artifact's verifiers.
func (k Keeper) IsAssigned(ctx context.Context, a types.Artifact, verifier string) (bool, error) {
	vs, err := k.Assigned(ctx, a)
	return contains(vs, verifier), err
}

func contains(s []string, v string) bool {
	for _, x := range s {
		if x == v {
			return true
		}
	}
	return false
}
