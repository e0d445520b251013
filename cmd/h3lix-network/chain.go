package main

import (
	"context"
	"fmt"
	"net/url"
	"strconv"
	"strings"
	"time"
)

// u64 decodes a number the gateway writes as a string (64-bit) or as a
// number (32-bit).
type u64 uint64

func (u *u64) UnmarshalJSON(b []byte) error {
	s := strings.Trim(string(b), `"`)
	if s == "" || s == "null" {
		*u = 0
		return nil
	}
	v, err := strconv.ParseUint(s, 10, 64)
	*u = u64(v)
	return err
}

type chainRound struct {
	ID            u64 `json:"id"`
	StartHeight   u64 `json:"start_height"`
	FinalizeStart u64 `json:"finalize_start"`
	Counts        struct {
		Committed  u64 `json:"committed"`
		Revealed   u64 `json:"revealed"`
		Unrevealed u64 `json:"unrevealed"`
		Accepted   u64 `json:"accepted"`
		Rejected   u64 `json:"rejected"`
		Outliers   u64 `json:"outliers"`
		InField    u64 `json:"in_field"`
	} `json:"counts"`
}

type currentRound struct {
	Round  chainRound `json:"round"`
	Phase  string     `json:"phase"`
	Height u64        `json:"height"`
}

type chainField struct {
	Round           u64 `json:"round"`
	FinalizedHeight u64 `json:"finalized_height"`
	Entries         []struct {
		ArtifactID u64    `json:"artifact_id"`
		Producer   string `json:"producer"`
		WeightPPM  u64    `json:"weight_ppm"`
	} `json:"entries"`
	Degenerate bool `json:"degenerate"`
	Energy     struct {
		Joules         u64 `json:"joules"`
		MgCO2e         u64 `json:"mg_co2e"`
		UgCO2ePerValid u64 `json:"ug_co2e_per_valid_artifact"`
	} `json:"energy"`
}

type chainArtifact struct {
	ID       u64            `json:"id"`
	Producer string         `json:"producer"`
	Status   string         `json:"status"`
	Manifest *chainManifest `json:"manifest"`
}

// chainManifest is the part of a revealed manifest the report reads.
type chainManifest struct {
	Energy struct {
		Joules u64    `json:"joules"`
		MgCO2e u64    `json:"mg_co2e"`
		Method string `json:"method"`
	} `json:"energy"`
}

func (n *network) currentRound(ctx context.Context) (currentRound, error) {
	var cr currentRound
	err := n.getJSON(ctx, n.rest(0)+"/h3lix/ccf/v1/current_round", &cr)
	return cr, err
}

// finalizedRound returns round r once its field exists.
func (n *network) finalizedRound(ctx context.Context, r uint64) (chainRound, chainField, bool, error) {
	var rr struct {
		Round     chainRound `json:"round"`
		Finalized bool       `json:"finalized"`
	}
	if err := n.getJSON(ctx, fmt.Sprintf("%s/h3lix/ccf/v1/rounds/%d", n.rest(0), r), &rr); err != nil {
		return chainRound{}, chainField{}, false, err
	}
	if !rr.Finalized {
		return rr.Round, chainField{}, false, nil
	}
	var fr struct {
		Field chainField `json:"field"`
	}
	if err := n.getJSON(ctx, fmt.Sprintf("%s/h3lix/ccf/v1/fields/%d", n.rest(0), r), &fr); err != nil {
		return rr.Round, chainField{}, false, err
	}
	return rr.Round, fr.Field, true, nil
}

func (n *network) roundArtifacts(ctx context.Context, r uint64) ([]chainArtifact, error) {
	var out []chainArtifact
	key := ""
	for range 100 {
		var resp struct {
			Artifacts  []chainArtifact `json:"artifacts"`
			Pagination struct {
				NextKey string `json:"next_key"`
			} `json:"pagination"`
		}
		u := fmt.Sprintf("%s/h3lix/artifact/v1/rounds/%d/artifacts?pagination.limit=200", n.rest(0), r)
		if key != "" {
			u += "&pagination.key=" + key
		}
		if err := n.getJSON(ctx, u, &resp); err != nil {
			return nil, err
		}
		out = append(out, resp.Artifacts...)
		if resp.Pagination.NextKey == "" {
			return out, nil
		}
		key = url.QueryEscape(resp.Pagination.NextKey)
	}
	return out, nil
}

func (n *network) scores(ctx context.Context) (map[string]uint32, error) {
	out := map[string]uint32{}
	for _, w := range n.workers {
		var resp struct {
			Reputation struct {
				ScorePPM u64 `json:"score_ppm"`
			} `json:"reputation"`
		}
		if err := n.getJSON(ctx, n.rest(0)+"/h3lix/reputation/v1/scores/"+w.Address, &resp); err != nil {
			return nil, err
		}
		out[w.Name] = uint32(resp.Reputation.ScorePPM)
	}
	return out, nil
}

// blockTimes returns the block timestamps of heights from..to (inclusive)
// from validator 0's RPC, 20 at a time.
func (n *network) blockTimes(ctx context.Context, from, to int64) (map[int64]time.Time, error) {
	out := map[int64]time.Time{}
	for lo := from; lo <= to; lo += 20 {
		hi := min(to, lo+19)
		var resp struct {
			Result struct {
				BlockMetas []struct {
					Header struct {
						Height string    `json:"height"`
						Time   time.Time `json:"time"`
					} `json:"header"`
				} `json:"block_metas"`
			} `json:"result"`
		}
		u := fmt.Sprintf("http://127.0.0.1:%d/blockchain?minHeight=%d&maxHeight=%d", n.port(rpcBase, 0), lo, hi)
		if err := n.getJSON(ctx, u, &resp); err != nil {
			return nil, err
		}
		for _, m := range resp.Result.BlockMetas {
			h, _ := strconv.ParseInt(m.Header.Height, 10, 64)
			out[h] = m.Header.Time
		}
	}
	return out, nil
}

// workerStatus is the part of a worker's GET /status the experiment reads.
type workerStatus struct {
	Round      uint64 `json:"round"`
	Phase      string `json:"phase"`
	LastCommit struct {
		Round       uint64   `json:"round"`
		ArtifactIDs []uint64 `json:"artifact_ids"`
	} `json:"last_commit"`
	LastReveal struct {
		Round uint64 `json:"round"`
	} `json:"last_reveal"`
	LastAttest struct {
		Round uint64 `json:"round"`
	} `json:"last_attest"`
	LearningCurve []struct {
		AfterRound uint64 `json:"after_round"`
		Solved     int    `json:"solved"`
		Total      int    `json:"total"`
	} `json:"learning_curve"`
	Energy struct {
		Joules      uint64 `json:"joules"`
		MgCO2e      uint64 `json:"mg_co2e"`
		SolvedTasks uint64 `json:"solved_tasks"`
	} `json:"energy"`
	Conditioning string `json:"conditioning"`
}

func (n *network) status(ctx context.Context, w *worker) (workerStatus, error) {
	var st workerStatus
	cctx, cancel := context.WithTimeout(ctx, 3*time.Second)
	defer cancel()
	err := n.getJSON(cctx, w.api+"/status", &st)
	return st, err
}
