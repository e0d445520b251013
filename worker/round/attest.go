package round

import (
	"context"
	"errors"
	"fmt"
	"slices"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/store"
)

// artifactAttestation is an attestation as the chain stores it.
type artifactAttestation = chain.StoredAttestation

// lazyQuality is what a lazy verifier claims without looking.
const lazyQuality = 800_000

// verdict is one assigned artifact's verification result.
type verdict struct {
	verdict chain.Verdict
	quality uint32
	// artifact and payload, when they could be read: the payload is the
	// proof of retrieval's source.
	artifact *chain.Artifact
	payload  []byte
}

// attest verifies the node's assigned artifacts and sends the verdicts
// sealed (ADR-004): a hash of each verdict, and the payload chunk the seed
// selects as proof of retrieval. The openings are journaled before the
// broadcast; disclose sends them in the disclose phase.
func (l *Loop) attest(ctx context.Context, rs chain.RoundStatus) error {
	r := rs.Round.Id
	st := l.journal.Round(r)
	key := fmt.Sprintf("attest/%d", r)
	if st.Attested || l.wasTried(key) || l.cfg.Adversary == AdversaryOffline && len(st.IDs) > 0 {
		return nil
	}
	if rs.Round.Seed == nil {
		return nil // the validators' beacon draws it at the start of the next block
	}
	me := l.signer.Address()
	ids, err := l.client.Assignments(ctx, r, me.String())
	if err != nil {
		return err
	}
	todo, err := l.notYetOnChain(ctx, ids, false)
	if err != nil {
		return err
	}
	if len(todo) == 0 {
		return l.journal.Append(Record{Kind: KindAttested, Round: r, Count: 0})
	}
	params, err := l.client.ArtifactParams(ctx)
	if err != nil {
		return err
	}
	// After a crash, resend exactly what was sealed and journaled: new salts
	// would orphan a copy that reached the chain after all.
	atts, opens := st.Sealed, st.Openings
	if !coversAll(atts, todo) {
		atts, opens, err = l.sealFresh(ctx, rs, todo, params.MaxPayloadSize)
		if err != nil {
			return err
		}
		if blocksLeft(rs) < 0 {
			l.markTried(key, "attest phase over")
			return nil
		}
		if err := l.journal.Append(Record{Kind: KindSealed, Round: r, Attestations: atts, Disclosures: opens}); err != nil {
			return err
		}
	}
	send := make([]chain.Attestation, 0, len(todo))
	for _, a := range atts {
		if slices.Contains(todo, a.ArtifactId) {
			send = append(send, a)
		}
	}
	start := time.Now()
	tctx, tcancel := l.txContext(ctx, rs)
	res, err := l.signer.Attest(tctx, send, int(params.MaxAttestationsPerMsg))
	tcancel()
	if err != nil {
		l.refused(key, err)
		return err
	}
	l.observeTx("attest", r, start, res)
	if err := l.journal.Append(Record{Kind: KindAttested, Round: r, Count: len(send), TxHash: res.TxHash}); err != nil {
		return err
	}
	counts := map[string]int{}
	var done []VerificationStatus
	for i, a := range atts {
		if !slices.Contains(todo, a.ArtifactId) {
			continue
		}
		v := opens[i].Verdict.String()
		counts[v]++
		done = append(done, VerificationStatus{Round: r, ArtifactID: a.ArtifactId, Verdict: v})
		l.metrics.Attestations.WithLabelValues(v).Inc()
		if len(a.Chunk) > 0 {
			l.metrics.Retrievals.Inc()
		}
	}
	l.mu.Lock()
	l.status.LastAttest = AttestStatus{Round: r, Verdicts: counts, TxHash: res.TxHash}
	l.status.Verifications = append(l.status.Verifications, done...)
	if n := len(l.status.Verifications); n > maxVerifications {
		l.status.Verifications = l.status.Verifications[n-maxVerifications:]
	}
	l.status.Attested += uint64(len(send))
	l.mu.Unlock()
	l.log.Info("attested (sealed)", "round", r, "verdicts", counts, "tx", res.TxHash, "disclose_from", rs.Round.DiscloseStart)
	return nil
}

// sealFresh verifies todo in parallel, bounded by the attest phase, and
// seals the verdicts.
func (l *Loop) sealFresh(ctx context.Context, rs chain.RoundStatus, todo []uint64, maxSize uint64) ([]chain.Attestation, []chain.Disclosure, error) {
	l.refreshPeers(ctx)
	vs := make([]verdict, len(todo))
	// Leave two blocks for the attestation itself.
	deadline := time.Duration(max(blocksLeft(rs)-2, 1)) * l.blockTime(rs.Height)
	vctx, cancel := context.WithTimeout(ctx, deadline)
	var wg sync.WaitGroup
	sem := make(chan struct{}, 4)
	for i, id := range todo {
		wg.Add(1)
		go func() {
			defer wg.Done()
			sem <- struct{}{}
			defer func() { <-sem }()
			vs[i] = l.verifyOne(vctx, id, maxSize)
		}()
	}
	wg.Wait()
	cancel()
	atts := make([]chain.Attestation, len(todo))
	opens := make([]chain.Disclosure, len(todo))
	for i, v := range vs {
		a := chain.Artifact{Id: todo[i]}
		if v.artifact != nil {
			a = *v.artifact
		}
		in, d, retrieved, err := chain.Seal(a, l.signer.Address(), rs.Round.Seed, v.verdict, v.quality, v.payload)
		if err != nil {
			return nil, nil, err
		}
		if v.verdict == chain.VerdictValid && !retrieved {
			// Cannot happen for a payload verifyOne accepted; never send a
			// VALID the chain would refuse to open.
			if in, d, _, err = chain.Seal(a, l.signer.Address(), rs.Round.Seed, chain.VerdictUnavailable, 0, nil); err != nil {
				return nil, nil, err
			}
		}
		atts[i], opens[i] = in, d
	}
	return atts, opens, nil
}

// notYetOnChain keeps the artifacts of ids on which this node has no
// attestation on chain (disclosed: no disclosed one), so that a restart
// after a broadcast does not send twice.
func (l *Loop) notYetOnChain(ctx context.Context, ids []uint64, disclosed bool) ([]uint64, error) {
	me := l.signer.Address().String()
	var todo []uint64
	for _, id := range ids {
		atts, err := l.client.Attestations(ctx, id)
		if err != nil {
			return nil, err
		}
		i := slices.IndexFunc(atts, func(a artifactAttestation) bool { return a.Verifier == me })
		switch {
		case !disclosed && i < 0:
			todo = append(todo, id)
		case disclosed && i >= 0 && atts[i].Verdict == 0:
			todo = append(todo, id)
		}
	}
	return todo, nil
}

func coversAll(atts []chain.Attestation, ids []uint64) bool {
	for _, id := range ids {
		if !slices.ContainsFunc(atts, func(a chain.Attestation) bool { return a.ArtifactId == id }) {
			return false
		}
	}
	return len(ids) > 0
}

// disclose opens the sealed verdicts of the round in the disclose phase.
func (l *Loop) disclose(ctx context.Context, rs chain.RoundStatus) error {
	r := rs.Round.Id
	st := l.journal.Round(r)
	key := fmt.Sprintf("disclose/%d", r)
	if st.Disclosed || len(st.Openings) == 0 || l.wasTried(key) || l.cfg.Adversary == AdversaryOffline {
		return nil
	}
	ids := make([]uint64, len(st.Openings))
	for i, d := range st.Openings {
		ids[i] = d.ArtifactId
	}
	todo, err := l.notYetOnChain(ctx, ids, true)
	if err != nil {
		return err
	}
	var ds []chain.Disclosure
	for _, d := range st.Openings {
		if slices.Contains(todo, d.ArtifactId) {
			ds = append(ds, d)
		}
	}
	if len(ds) == 0 {
		return l.journal.Append(Record{Kind: KindDisclosed, Round: r})
	}
	params, err := l.client.ArtifactParams(ctx)
	if err != nil {
		return err
	}
	start := time.Now()
	tctx, tcancel := l.txContext(ctx, rs)
	res, err := l.signer.Disclose(tctx, ds, int(params.MaxAttestationsPerMsg))
	tcancel()
	if err != nil {
		l.refused(key, err)
		return err
	}
	l.observeTx("disclose", r, start, res)
	if err := l.journal.Append(Record{Kind: KindDisclosed, Round: r, Count: len(ds), TxHash: res.TxHash}); err != nil {
		return err
	}
	l.mu.Lock()
	l.status.Disclosed += uint64(len(ds))
	l.mu.Unlock()
	l.metrics.Disclosures.Add(float64(len(ds)))
	l.log.Info("disclosed", "round", r, "count", len(ds), "tx", res.TxHash)
	return nil
}

// verifyOne fetches one assigned artifact's payload from its producer and
// checks it with the engine. A payload that does not match its manifest's
// size and chunk root is INVALID: the producer lied about it.
func (l *Loop) verifyOne(ctx context.Context, id uint64, maxSize uint64) verdict {
	out := verdict{verdict: chain.VerdictUnavailable}
	a, err := l.client.Artifact(ctx, id)
	if err != nil || a.Manifest == nil {
		l.log.Warn("assigned artifact unreadable", "artifact", id, "err", err)
		return out
	}
	out.artifact = &a
	c, err := cid.Decode(a.Cid)
	if err != nil {
		out.verdict = chain.VerdictInvalid
		return out
	}
	payload, err := l.fetch(ctx, c, int64(min(maxSize, a.Manifest.PayloadSize)))
	if err != nil {
		l.log.Info("payload unavailable", "artifact", id, "cid", c, "err", err)
		if errors.Is(err, store.ErrTooLarge) {
			out.verdict = chain.VerdictInvalid // larger than its manifest says
		}
		return out
	}
	out.payload = payload
	if !chain.PayloadMatchesManifest(*a.Manifest, payload) {
		l.log.Info("payload does not match its manifest's size and chunk root", "artifact", id)
		out.verdict = chain.VerdictInvalid
		return out
	}
	if l.cfg.Adversary == AdversaryLazy {
		// Fetched (the proof of retrieval demands it) but never checked.
		out.verdict, out.quality = chain.VerdictValid, lazyQuality
		return out
	}
	ea, err := chain.EngineArtifact(*a.Manifest, payload)
	if err != nil {
		out.verdict = chain.VerdictInvalid
		return out
	}
	v, err := l.eng.Verify(ctx, ea)
	if err != nil {
		return out
	}
	l.mu.Lock()
	l.status.Verified++
	l.mu.Unlock()
	vd, err := chain.VerdictOf(v.Verdict)
	if err != nil {
		return out
	}
	out.verdict = vd
	if vd == chain.VerdictValid {
		out.quality = uint32(min(v.Quality, engine.MaxPPM))
	}
	if vd == chain.VerdictInvalid {
		l.log.Info("artifact failed verification", "artifact", id, "reason", v.Reason)
	}
	return out
}

// fetch gets a payload, counting whether it came from the network.
func (l *Loop) fetch(ctx context.Context, c cid.Cid, maxSize int64) ([]byte, error) {
	local, _ := l.store.Has(ctx, c)
	fctx, cancel := context.WithTimeout(ctx, l.cfg.FetchTimeout)
	defer cancel()
	start := time.Now()
	b, err := l.store.Get(fctx, c, maxSize)
	if err != nil {
		l.metrics.Fetches.WithLabelValues("error").Inc()
		return nil, err
	}
	src := "local"
	if !local {
		src = "remote"
		l.metrics.FetchSeconds.Observe(time.Since(start).Seconds())
		l.mu.Lock()
		l.status.FetchedRemote++
		l.mu.Unlock()
	}
	l.metrics.Fetches.WithLabelValues(src).Inc()
	return b, nil
}
