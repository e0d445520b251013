package keeper_test

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"
	"testing"
	"time"

	abci "github.com/cometbft/cometbft/abci/types"
	cmtproto "github.com/cometbft/cometbft/proto/tendermint/types"

	"cosmossdk.io/collections"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/testutil/apptest"
	artifacttypes "github.com/h3lix/h3lix/x/artifact/types"
)

// BenchmarkFinalize measures round finalization over a real store: n revealed
// artifacts with 3 VALID attestations each (64 verifiers), written to the
// artifact store and committed, then finalized in real blocks (FinalizeBlock,
// untimed Commit) with the default per-block cap. It reports the block time
// and the ccf EndBlock time (measured alone on a cache of the same state) per
// artifact and per round, the slowest block and the number of blocks. The
// timer covers both, so ns/op is about twice the block time. Run: go test -run '^$' -bench Finalize -benchtime 1x ./x/ccf/keeper
func BenchmarkFinalize(b *testing.B) {
	for _, n := range []int{1_000, 10_000, 100_000} {
		b.Run(fmt.Sprintf("artifacts=%d", n), func(b *testing.B) {
			var total, slowest, endBlock, slowestEnd time.Duration
			var blocks int
			for i := 0; i < b.N; i++ {
				b.StopTimer()
				f, round := populate(b, n)
				params, err := f.App.CCFKeeper.Params.Get(f.Ctx)
				if err != nil {
					b.Fatal(err)
				}
				b.StartTimer()
				blocks = 0
				for {
					// A real block: FinalizeBlock runs every EndBlocker (ccf
					// finalizes a batch); Commit writes it to the store.
					h := f.Ctx.BlockHeight()
					// ccf EndBlock alone, on a throw-away cache of the same
					// state; the real block below repeats it.
					cache, _ := f.Ctx.CacheContext()
					start := time.Now()
					if err := f.App.CCFKeeper.EndBlocker(cache); err != nil {
						b.Fatal(err)
					}
					e := time.Since(start)
					endBlock += e
					slowestEnd = max(slowestEnd, e)
					start = time.Now()
					if _, err := f.App.FinalizeBlock(&abci.RequestFinalizeBlock{Height: h, Time: f.Ctx.BlockTime()}); err != nil {
						b.Fatal(err)
					}
					d := time.Since(start)
					b.StopTimer()
					total += d
					slowest = max(slowest, d)
					blocks++
					if _, err := f.App.Commit(); err != nil {
						b.Fatal(err)
					}
					f.Ctx = f.App.NewNextBlockContext(cmtproto.Header{Height: h + 1, ChainID: apptest.ChainID, Time: f.Ctx.BlockTime().Add(time.Second)})
					b.StartTimer()
					if _, err := f.App.CCFKeeper.GetField(f.Ctx, round); err == nil {
						break
					}
					if blocks > n {
						b.Fatal("finalization does not end")
					}
				}
				b.StopTimer()
				field, err := f.App.CCFKeeper.GetField(f.Ctx, round)
				if err != nil || field.Counts.Accepted != uint64(n) {
					b.Fatalf("field: %v, accepted %d of %d", err, field.Counts.Accepted, n)
				}
				if want := (n+int(params.MaxFinalizePerBlock)-1)/int(params.MaxFinalizePerBlock) + 0; blocks < want {
					b.Fatalf("%d blocks for %d artifacts at %d per block", blocks, n, params.MaxFinalizePerBlock)
				}
			}
			b.ReportMetric(float64(endBlock.Nanoseconds())/float64(b.N*n), "endblock-ns/artifact")
			b.ReportMetric(endBlock.Seconds()/float64(b.N), "endblock-s/round")
			b.ReportMetric(slowestEnd.Seconds(), "slowest-endblock-s")
			b.ReportMetric(total.Seconds()/float64(b.N), "block-s/round")
			b.ReportMetric(slowest.Seconds(), "slowest-block-s")
			b.ReportMetric(float64(blocks), "blocks")
		})
	}
}

// populate writes a round of n revealed artifacts with 3 attestations each
// (from the verifiers the seed assigns) directly into the stores, commits
// them, and sets the round to finalize. Every artifact has its own producer:
// the most tallies a round of n artifacts can have.
func populate(b *testing.B, n int) (*apptest.Fixture, uint64) {
	f := apptest.New(b, 1, nil)
	ak := f.App.ArtifactKeeper
	r, err := f.App.CCFKeeper.CurrentRound.Get(f.Ctx)
	if err != nil {
		b.Fatal(err)
	}
	const verifiers = 64
	vs := make([]sdk.AccAddress, verifiers)
	r.Seed = []byte("bench")
	set := artifacttypes.RoundVerifierSet{Round: r.Id, Seed: r.Seed, VerifiersPerArtifact: 3, Complete: true}
	for i := range vs {
		vs[i] = addr("verifier", i)
		set.TotalWeight += 500_000
		must(b, ak.Verifiers.Set(f.Ctx, collections.Join(r.Id, uint64(i)), artifacttypes.RoundVerifier{Operator: vs[i].String(), Weight: 500_000, Cumulative: set.TotalWeight}))
		must(b, ak.VerifierWeight.Set(f.Ctx, collections.Join(r.Id, vs[i]), 500_000))
		set.Count++
	}
	must(b, ak.VerifierSets.Set(f.Ctx, r.Id, set))
	for i := 1; i <= n; i++ {
		id := uint64(i)
		producer := addr("producer", i)
		emb := make([]byte, 64)
		for j := range emb {
			emb[j] = byte(int8(10 + (i+j)%5))
		}
		m := artifacttypes.Manifest{Kind: "pbe.program", Domain: fmt.Sprintf("d%d", i%4), Embedding: emb, ConfidencePpm: 900_000,
			PayloadSize: 1024, Energy: artifacttypes.EnergyRecord{Joules: 10, RenewablePpm: 300_000}}
		a := artifacttypes.Artifact{Id: id, Round: r.Id, Producer: producer.String(), Commitment: hash("c", i),
			Status: artifacttypes.ARTIFACT_STATUS_REVEALED, Cid: fmt.Sprintf("bafy-bench-%d", i), Manifest: &m}
		must(b, ak.Artifacts.Set(f.Ctx, id, a))
		must(b, ak.ByRound.Set(f.Ctx, collections.Join(r.Id, id)))
		// The assigned verifiers attest, as on a live network.
		assigned, err := ak.Assigned(f.Ctx, a)
		must(b, err)
		for k, op := range assigned {
			v := sdk.MustAccAddressFromBech32(op)
			must(b, ak.Attestations.Set(f.Ctx, collections.Join(id, v), artifacttypes.Attestation{
				ArtifactId: id, Verifier: op, Verdict: artifacttypes.VERDICT_VALID, QualityPpm: uint32(700_000 + (i*7+k)%200_000),
			}))
		}
	}
	must(b, ak.NextID.Set(f.Ctx, uint64(n)+1))
	// Keep the round from finalizing while the records are committed.
	r.FinalizeStart = 1 << 40
	must(b, f.App.CCFKeeper.CurrentRound.Set(f.Ctx, r))
	f.Commit(b)
	// Finalization starts in the EndBlock of FinalizeStart-1: the block
	// after the commit below, the first timed one.
	r.FinalizeStart = f.Ctx.BlockHeight() + 2
	must(b, f.App.CCFKeeper.CurrentRound.Set(f.Ctx, r))
	// Commit the schedule change so the timed blocks start from a clean cache.
	f.Commit(b)
	return f, r.Id
}

func addr(kind string, i int) sdk.AccAddress { return sdk.AccAddress(hash(kind, i)[:20]) }

func hash(kind string, i int) []byte {
	var b [8]byte
	binary.BigEndian.PutUint64(b[:], uint64(i))
	h := sha256.Sum256(append([]byte(kind), b[:]...))
	return h[:]
}

func must(b *testing.B, err error) {
	if err != nil {
		b.Fatal(err)
	}
}
