package round

import (
	"bufio"
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"sort"
	"sync"

	"github.com/h3lix/h3lix/worker/chain"
)

// A Record is one line of the journal. The journal is the worker's memory
// across crashes: everything a round still needs after a restart (above all
// the salts, without which a commitment can never be opened) is written and
// fsynced before the transaction that depends on it is broadcast.
type Record struct {
	Kind  string `json:"kind"`
	Round uint64 `json:"round"`
	// Kind "artifact": one prepared artifact, before its commit.
	Index int    `json:"index,omitempty"`
	CID   string `json:"cid,omitempty"`
	Salt  string `json:"salt,omitempty"` // hex
	File  string `json:"file,omitempty"` // artifact file, relative to the journal's directory
	// Kind "committed"/"revealed": artifact ids on chain, by Index.
	IDs []uint64 `json:"ids,omitempty"`
	// Kind "attested": how many verdicts were sent.
	Count int `json:"count,omitempty"`
	// Kind "sealed": the sealed attestations about to be sent and their
	// openings (verdict, quality, salt), without which they could never be
	// disclosed.
	Attestations []chain.Attestation `json:"attestations,omitempty"`
	Disclosures  []chain.Disclosure  `json:"disclosures,omitempty"`
	// TxHash of the transaction a record confirms, when there was one.
	TxHash string `json:"tx,omitempty"`
	// Note says why a round was given up ("skipped").
	Note string `json:"note,omitempty"`
}

// Journal record kinds.
const (
	KindArtifact    = "artifact"
	KindCommitted   = "committed"
	KindRevealed    = "revealed"
	KindSealed      = "sealed"
	KindAttested    = "attested"
	KindDisclosed   = "disclosed"
	KindConditioned = "conditioned"
	KindSkipped     = "skipped"
)

// RoundState is what the journal knows of one round.
type RoundState struct {
	Round       uint64
	Artifacts   []Record // kind "artifact", by Index
	IDs         []uint64 // artifact ids by Index, once committed
	CommitTx    string
	Revealed    bool
	Attested    bool
	Attestation int
	// Sealed and Openings are the last sealed batch, by position.
	Sealed      []chain.Attestation
	Openings    []chain.Disclosure
	Disclosed   bool
	Conditioned bool
	Skipped     string
}

// Journal is an append-only, fsynced JSON-lines file.
type Journal struct {
	mu     sync.Mutex
	path   string
	f      *os.File
	rounds map[uint64]*RoundState
	// size is the length of the whole records on disk: where the next one
	// goes, and what a failed write is cut back to.
	size int64
	// broken is set when a failed write could not be undone; appending
	// after it could glue a record onto a torn one.
	broken error
}

// OpenJournal opens (or creates) the journal at path and replays it. A
// torn last line — the write a crash interrupted — is dropped and the file
// is truncated to the last whole record; any other malformed line is an
// error, since silently skipping it could lose a salt.
func OpenJournal(path string) (*Journal, error) {
	if err := os.MkdirAll(filepath.Dir(path), 0o700); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(path, os.O_RDWR|os.O_CREATE, 0o600)
	if err != nil {
		return nil, err
	}
	j := &Journal{path: path, f: f, rounds: map[uint64]*RoundState{}}
	good, err := j.replay(f)
	if err != nil {
		f.Close()
		return nil, err
	}
	if err := f.Truncate(good); err != nil {
		f.Close()
		return nil, err
	}
	if _, err := f.Seek(good, io.SeekStart); err != nil {
		f.Close()
		return nil, err
	}
	j.size = good
	return j, nil
}

func (j *Journal) replay(r io.Reader) (int64, error) {
	br := bufio.NewReader(r)
	var off int64
	for line := 1; ; line++ {
		b, err := br.ReadBytes('\n')
		if errors.Is(err, io.EOF) {
			// No newline: a torn write (or nothing). Drop it.
			return off, nil
		}
		if err != nil {
			return off, err
		}
		var rec Record
		if jerr := json.Unmarshal(bytes.TrimSpace(b), &rec); jerr != nil {
			return off, fmt.Errorf("journal %s line %d is not a record (%v): the file was changed by hand or the disk is damaged; move it away to start afresh (salts of open rounds are lost)", j.path, line, jerr)
		}
		if err := j.apply(rec); err != nil {
			return off, fmt.Errorf("journal %s line %d: %w: the file was changed by hand or the disk is damaged; move it away to start afresh (salts of open rounds are lost)", j.path, line, err)
		}
		off += int64(len(b))
	}
}

func (j *Journal) state(round uint64) *RoundState {
	s, ok := j.rounds[round]
	if !ok {
		s = &RoundState{Round: round}
		j.rounds[round] = s
	}
	return s
}

func (j *Journal) apply(r Record) error {
	s := j.state(r.Round)
	switch r.Kind {
	case KindArtifact:
		if r.Index != len(s.Artifacts) {
			return fmt.Errorf("artifact index %d out of order (have %d)", r.Index, len(s.Artifacts))
		}
		if r.CID == "" || r.Salt == "" {
			return fmt.Errorf("artifact record without cid or salt")
		}
		s.Artifacts = append(s.Artifacts, r)
	case KindCommitted:
		if len(r.IDs) != len(s.Artifacts) {
			return fmt.Errorf("committed %d ids for %d artifacts", len(r.IDs), len(s.Artifacts))
		}
		s.IDs, s.CommitTx = r.IDs, r.TxHash
	case KindRevealed:
		s.Revealed = true
	case KindSealed:
		if len(r.Attestations) == 0 || len(r.Attestations) != len(r.Disclosures) {
			return fmt.Errorf("sealed %d attestations with %d openings", len(r.Attestations), len(r.Disclosures))
		}
		for i, a := range r.Attestations {
			if d := r.Disclosures[i]; d.ArtifactId != a.ArtifactId || len(d.Salt) == 0 {
				return fmt.Errorf("sealed attestation %d: opening of artifact %d without a salt", a.ArtifactId, d.ArtifactId)
			}
		}
		s.Sealed, s.Openings = r.Attestations, r.Disclosures
	case KindAttested:
		s.Attested, s.Attestation = true, r.Count
	case KindDisclosed:
		s.Disclosed = true
	case KindConditioned:
		s.Conditioned = true
	case KindSkipped:
		s.Skipped = r.Note
	default:
		return fmt.Errorf("unknown record kind %q", r.Kind)
	}
	return nil
}

// Append validates, writes and fsyncs one record, then applies it.
func (j *Journal) Append(r Record) error {
	j.mu.Lock()
	defer j.mu.Unlock()
	// Validate against a copy first, so a bad record changes nothing.
	probe := &Journal{rounds: map[uint64]*RoundState{}}
	if cur, ok := j.rounds[r.Round]; ok {
		cp := *cur
		cp.Artifacts = append([]Record(nil), cur.Artifacts...)
		probe.rounds[r.Round] = &cp
	}
	if err := probe.apply(r); err != nil {
		return err
	}
	if j.broken != nil {
		return j.broken
	}
	b, err := json.Marshal(r)
	if err != nil {
		return err
	}
	b = append(b, '\n')
	_, err = j.f.Write(b)
	if err == nil {
		err = j.f.Sync()
	}
	if err != nil {
		// A short write left part of the record behind (a failed fsync may
		// have left all of it): cut it off, or the next record would be glued
		// onto it and the journal would not open again. Whether or not it
		// reached the disk, the caller was told it failed, and may retry.
		if terr := j.truncate(); terr != nil {
			j.broken = fmt.Errorf("journal %s: a failed write could not be undone (%v); restart the worker: %w", j.path, terr, err)
		}
		return err
	}
	j.size += int64(len(b))
	return j.apply(r)
}

func (j *Journal) truncate() error {
	if err := j.f.Truncate(j.size); err != nil {
		return err
	}
	if _, err := j.f.Seek(j.size, io.SeekStart); err != nil {
		return err
	}
	return j.f.Sync()
}

// Round returns a copy of what the journal knows of round r.
func (j *Journal) Round(r uint64) RoundState {
	j.mu.Lock()
	defer j.mu.Unlock()
	s, ok := j.rounds[r]
	if !ok {
		return RoundState{Round: r}
	}
	cp := *s
	cp.Artifacts = append([]Record(nil), s.Artifacts...)
	cp.IDs = append([]uint64(nil), s.IDs...)
	return cp
}

// Rounds lists the rounds the journal knows, ascending.
func (j *Journal) Rounds() []uint64 {
	j.mu.Lock()
	defer j.mu.Unlock()
	out := make([]uint64, 0, len(j.rounds))
	for r := range j.rounds {
		out = append(out, r)
	}
	sort.Slice(out, func(a, b int) bool { return out[a] < out[b] })
	return out
}

// Path is the journal file.
func (j *Journal) Path() string { return j.path }

// Close closes the file.
func (j *Journal) Close() error {
	j.mu.Lock()
	defer j.mu.Unlock()
	return j.f.Close()
}

// writeFileSync writes data to path through a temporary file, fsyncs it and
// renames it into place, so a crash leaves either the old file or the new one.
func writeFileSync(path string, data []byte) error {
	tmp, err := os.CreateTemp(filepath.Dir(path), ".tmp-"+filepath.Base(path))
	if err != nil {
		return err
	}
	if _, err := tmp.Write(data); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Sync(); err != nil {
		tmp.Close()
		os.Remove(tmp.Name())
		return err
	}
	if err := tmp.Close(); err != nil {
		os.Remove(tmp.Name())
		return err
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return err
	}
	if d, err := os.Open(filepath.Dir(path)); err == nil {
		_ = d.Sync()
		d.Close()
	}
	return nil
}

// HasCID reports whether an artifact with this CID was journaled in any
// round the journal still holds.
func (j *Journal) HasCID(c string) bool {
	j.mu.Lock()
	defer j.mu.Unlock()
	for _, s := range j.rounds {
		for _, a := range s.Artifacts {
			if a.CID == c {
				return true
			}
		}
	}
	return false
}

// records rebuilds the records that replay to s, in the order they were
// appended.
func (s *RoundState) records() []Record {
	out := append([]Record(nil), s.Artifacts...)
	if len(s.IDs) > 0 {
		out = append(out, Record{Kind: KindCommitted, Round: s.Round, IDs: s.IDs, TxHash: s.CommitTx})
	}
	if s.Revealed {
		out = append(out, Record{Kind: KindRevealed, Round: s.Round})
	}
	if len(s.Sealed) > 0 {
		out = append(out, Record{Kind: KindSealed, Round: s.Round, Attestations: s.Sealed, Disclosures: s.Openings})
	}
	if s.Attested {
		out = append(out, Record{Kind: KindAttested, Round: s.Round, Count: s.Attestation})
	}
	if s.Disclosed {
		out = append(out, Record{Kind: KindDisclosed, Round: s.Round})
	}
	if s.Conditioned {
		out = append(out, Record{Kind: KindConditioned, Round: s.Round})
	}
	if s.Skipped != "" {
		out = append(out, Record{Kind: KindSkipped, Round: s.Round, Note: s.Skipped})
	}
	return out
}

// Compact rewrites the journal without the rounds below keepFrom and
// returns the artifact files those rounds referenced, so the journal (and
// its replay at start) stays as long as the rounds still in flight. The new
// file is written and fsynced beside the old one and renamed over it, so a
// crash leaves one or the other.
func (j *Journal) Compact(keepFrom uint64) (dropped []string, err error) {
	j.mu.Lock()
	defer j.mu.Unlock()
	if j.broken != nil {
		return nil, j.broken
	}
	rounds := make([]uint64, 0, len(j.rounds))
	for r := range j.rounds {
		rounds = append(rounds, r)
	}
	sort.Slice(rounds, func(a, b int) bool { return rounds[a] < rounds[b] })
	var buf bytes.Buffer
	for _, r := range rounds {
		s := j.rounds[r]
		if r < keepFrom {
			for _, a := range s.Artifacts {
				dropped = append(dropped, a.File)
			}
			continue
		}
		for _, rec := range s.records() {
			b, err := json.Marshal(rec)
			if err != nil {
				return nil, err
			}
			buf.Write(append(b, '\n'))
		}
	}
	if err := writeFileSync(j.path, buf.Bytes()); err != nil {
		return nil, err
	}
	f, err := os.OpenFile(j.path, os.O_RDWR, 0o600)
	if err != nil {
		j.broken = fmt.Errorf("journal %s: reopening after compaction: %w; restart the worker", j.path, err)
		return nil, j.broken
	}
	if _, err := f.Seek(0, io.SeekEnd); err != nil {
		f.Close()
		return nil, err
	}
	j.f.Close()
	j.f, j.size = f, int64(buf.Len())
	for _, r := range rounds {
		if r < keepFrom {
			delete(j.rounds, r)
		}
	}
	return dropped, nil
}
