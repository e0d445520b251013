package round

import (
	"context"
	"encoding/hex"
	"fmt"
	"time"

	"github.com/ipfs/go-cid"

	"github.com/h3lix/h3lix/worker/chain"
	"github.com/h3lix/h3lix/worker/energy"
	"github.com/h3lix/h3lix/worker/engine"
)

func (l *Loop) reveal(ctx context.Context, rs chain.RoundStatus) error {
	r := rs.Round.Id
	st := l.journal.Round(r)
	key := fmt.Sprintf("reveal/%d", r)
	if len(st.IDs) == 0 || st.Revealed || l.wasTried(key) || l.cfg.Adversary == AdversaryOffline {
		return nil
	}
	params, err := l.client.ArtifactParams(ctx)
	if err != nil {
		return err
	}
	var reveals []chain.Reveal
	for i, rec := range st.Artifacts {
		// A reveal that made it into a block before a crash is not sent again.
		a, err := l.client.Artifact(ctx, st.IDs[i])
		if err != nil {
			return err
		}
		if a.Status != chain.StatusCommitted {
			continue
		}
		f, err := l.loadArtifactFile(rec)
		if err != nil {
			return err
		}
		c, err := cid.Decode(rec.CID)
		if err != nil {
			return err
		}
		salt, err := hex.DecodeString(rec.Salt)
		if err != nil {
			return err
		}
		m, err := chain.ManifestOf(engine.Artifact{Manifest: f.Manifest, Payload: f.Payload},
			chain.EnergyRecord{Joules: f.Joules, MgCo2E: f.MgCO2e, RenewablePpm: f.Renew, Method: energyMethod(f.Method)}, params)
		if err != nil {
			l.markTried(key, err.Error())
			return fmt.Errorf("artifact %d: %w", st.IDs[i], err)
		}
		reveals = append(reveals, chain.Reveal{ArtifactID: st.IDs[i], CID: c, Salt: salt, Manifest: m})
	}
	var txHash string
	if len(reveals) > 0 {
		if blocksLeft(rs) < 0 {
			l.markTried(key, "reveal phase over")
			return nil
		}
		start := time.Now()
		tctx, tcancel := l.txContext(ctx, rs)
		statuses, res, err := l.signer.RevealArtifacts(tctx, reveals)
		tcancel()
		if err != nil {
			l.refused(key, err)
			return err
		}
		l.observeTx("reveal", r, start, res)
		txHash = res.TxHash
		for i, s := range statuses {
			if s == chain.StatusDuplicate {
				l.log.Warn("revealed artifact is a duplicate of an earlier commit of the same CID", "artifact", reveals[i].ArtifactID)
			}
		}
	}
	if err := l.journal.Append(Record{Kind: KindRevealed, Round: r, TxHash: txHash}); err != nil {
		return err
	}
	l.metrics.ArtifactsRevealed.Add(float64(len(reveals)))
	l.mu.Lock()
	l.status.LastReveal = RevealStatus{Round: r, Revealed: len(reveals), TxHash: txHash}
	l.status.Revealed += uint64(len(reveals))
	l.mu.Unlock()
	l.log.Info("revealed", "round", r, "artifacts", len(reveals), "tx", txHash)
	return nil
}

// energyMethod names the meter's method in the chain's terms.
func energyMethod(m string) chain.EnergyMethod {
	switch m {
	case energy.MethodRAPL:
		return chain.EnergyRAPL
	case energy.MethodTDP:
		return chain.EnergyCPUTDP
	case energy.MethodCPUTime:
		return chain.EnergyCPUConfigured
	}
	return chain.EnergyUnspecified
}
