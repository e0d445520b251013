package round

import (
	"context"
	"errors"
	"fmt"
	"sync"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/store"
)

// lazyQuality is what a lazy verifier claims without looking.
const lazyQuality = 800_000

func (l *Loop) attest(ctx context.Context, rs chain.RoundStatus) error {
	r := rs.Round.Id
	st := l.journal.Round(r)
	key := fmt.Sprintf("attest/%d", r)
	if st.Attested || l.wasTried(key) || l.cfg.Adversary == AdversaryOffline && len(st.IDs) > 0 {
		return nil
	}
	me := l.signer.Address().String()
	ids, err := l.client.Assignments(ctx, r, me)
	if err != nil {
		return err
	}
	// Skip what this node already attested (a crash after the broadcast).
	var todo []uint64
	for _, id := range ids {
		atts, err := l.client.Attestations(ctx, id)
		if err != nil {
			return err
		}
		done := false
		for _, a := range atts {
			if a.Verifier == me {
				done = true
			}
		}
		if !done {
			todo = append(todo, id)
		}
	}
	if len(todo) == 0 {
		return l.journal.Append(Record{Kind: KindAttested, Round: r, Count: 0})
	}
	params, err := l.client.ArtifactParams(ctx)
	if err != nil {
		return err
	}
	l.refreshPeers(ctx)
	atts := make([]chain.Attestation, len(todo))
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
			atts[i] = l.verifyOne(vctx, id, params.MaxPayloadSize)
		}()
	}
	wg.Wait()
	cancel()
	if blocksLeft(rs) < 0 {
		l.markTried(key, "attest phase over")
		return nil
	}
	start := time.Now()
	tctx, tcancel := l.txContext(ctx, rs)
	res, err := l.signer.Attest(tctx, atts, int(params.MaxAttestationsPerMsg))
	tcancel()
	if err != nil {
		l.refused(key, err)
		return err
	}
	l.observeTx("attest", r, start, res)
	if err := l.journal.Append(Record{Kind: KindAttested, Round: r, Count: len(atts), TxHash: res.TxHash}); err != nil {
		return err
	}
	counts := map[string]int{}
	for _, a := range atts {
		counts[a.Verdict.String()]++
		l.metrics.Attestations.WithLabelValues(a.Verdict.String()).Inc()
	}
	l.mu.Lock()
	l.status.LastAttest = AttestStatus{Round: r, Verdicts: counts, TxHash: res.TxHash}
	l.status.Attested += uint64(len(atts))
	l.mu.Unlock()
	l.log.Info("attested", "round", r, "verdicts", counts, "tx", res.TxHash)
	return nil
}

// verifyOne fetches one assigned artifact's payload from its producer and
// checks it with the engine.
func (l *Loop) verifyOne(ctx context.Context, id uint64, maxSize uint64) chain.Attestation {
	out := chain.Attestation{ArtifactId: id, Verdict: chain.VerdictUnavailable}
	if l.cfg.Adversary == AdversaryLazy {
		out.Verdict, out.QualityPpm = chain.VerdictValid, lazyQuality
		return out
	}
	a, err := l.client.Artifact(ctx, id)
	if err != nil || a.Manifest == nil {
		l.log.Warn("assigned artifact unreadable", "artifact", id, "err", err)
		return out
	}
	c, err := cid.Decode(a.Cid)
	if err != nil {
		out.Verdict = chain.VerdictInvalid
		return out
	}
	payload, err := l.fetch(ctx, c, int64(min(maxSize, a.Manifest.PayloadSize)))
	if err != nil {
		l.log.Info("payload unavailable", "artifact", id, "cid", c, "err", err)
		if errors.Is(err, store.ErrTooLarge) {
			out.Verdict = chain.VerdictInvalid // larger than its manifest says
		}
		return out
	}
	ea, err := chain.EngineArtifact(*a.Manifest, payload)
	if err != nil {
		out.Verdict = chain.VerdictInvalid
		return out
	}
	v, err := l.eng.Verify(ctx, ea)
	if err != nil {
		return out
	}
	l.mu.Lock()
	l.status.Verified++
	l.mu.Unlock()
	verdict, err := chain.VerdictOf(v.Verdict)
	if err != nil {
		return out
	}
	out.Verdict = verdict
	if verdict == chain.VerdictValid {
		out.QualityPpm = uint32(min(v.Quality, engine.MaxPPM))
	}
	if verdict == chain.VerdictInvalid {
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
