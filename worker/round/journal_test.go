package round

import (
	"bytes"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"strings"
	"testing"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/chain"
)

func artifactRec(round uint64, i int) Record {
	return Record{Kind: KindArtifact, Round: round, Index: i, CID: fmt.Sprintf("bafk-%d-%d", round, i),
		Salt: fmt.Sprintf("%064x", i+1), File: fmt.Sprintf("artifacts/r%d-%d.json", round, i)}
}

func openJournal(t testing.TB, path string) *Journal {
	t.Helper()
	j, err := OpenJournal(path)
	require.NoError(t, err)
	t.Cleanup(func() { _ = j.Close() })
	return j
}

func readFile(t testing.TB, path string) []byte {
	t.Helper()
	b, err := os.ReadFile(path)
	require.NoError(t, err)
	return b
}

// fullRound writes every kind of record for round 7 and a skip for round 8.
func fullRound(t testing.TB, j *Journal) {
	t.Helper()
	for _, r := range []Record{
		artifactRec(7, 0), artifactRec(7, 1),
		{Kind: KindCommitted, Round: 7, IDs: []uint64{11, 12}, TxHash: "AB"},
		{Kind: KindRevealed, Round: 7, TxHash: "CD"},
		sealedRec(7),
		{Kind: KindAttested, Round: 7, Count: 3},
		{Kind: KindDisclosed, Round: 7},
		{Kind: KindConditioned, Round: 7},
		{Kind: KindSkipped, Round: 8, Note: "commit phase over"},
	} {
		require.NoError(t, j.Append(r))
	}
}

func wantRound7() RoundState {
	s := sealedRec(7)
	return RoundState{Round: 7, Artifacts: []Record{artifactRec(7, 0), artifactRec(7, 1)}, IDs: []uint64{11, 12}, CommitTx: "AB",
		Revealed: true, Attested: true, Attestation: 3, Conditioned: true, Sealed: s.Attestations, Openings: s.Disclosures, Disclosed: true}
}

// sealedRec is a sealed batch of two attestations with their openings.
func sealedRec(round uint64) Record {
	return Record{Kind: KindSealed, Round: round,
		Attestations: []chain.Attestation{
			{ArtifactId: 21, Seal: bytes.Repeat([]byte{1}, 32), Chunk: []byte("chunk"), Proof: [][]byte{bytes.Repeat([]byte{2}, 32)}},
			{ArtifactId: 22, Seal: bytes.Repeat([]byte{3}, 32)},
		},
		Disclosures: []chain.Disclosure{
			{ArtifactId: 21, Verdict: chain.VerdictValid, QualityPpm: 800_000, Salt: bytes.Repeat([]byte{4}, 32)},
			{ArtifactId: 22, Verdict: chain.VerdictUnavailable, Salt: bytes.Repeat([]byte{5}, 32)},
		}}
}

func TestJournalRoundTrip(t *testing.T) {
	path := filepath.Join(t.TempDir(), "data", "journal.jsonl")
	j, err := OpenJournal(path)
	require.NoError(t, err)
	require.Empty(t, j.Rounds())
	fullRound(t, j)
	require.Equal(t, wantRound7(), j.Round(7))
	require.NoError(t, j.Close())

	info, err := os.Stat(path)
	require.NoError(t, err)
	require.Equal(t, os.FileMode(0o600), info.Mode().Perm())

	j = openJournal(t, path)
	require.Equal(t, []uint64{7, 8}, j.Rounds())
	require.Equal(t, wantRound7(), j.Round(7))
	require.Equal(t, "commit phase over", j.Round(8).Skipped)
	require.Equal(t, RoundState{Round: 99}, j.Round(99))

	// Round hands out copies.
	s := j.Round(7)
	s.Artifacts[0].Salt, s.IDs[0] = "changed", 0
	require.Equal(t, wantRound7(), j.Round(7))
}

func TestJournalTornLastLine(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := OpenJournal(path)
	require.NoError(t, err)
	require.NoError(t, j.Append(artifactRec(1, 0)))
	require.NoError(t, j.Close())
	whole := readFile(t, path)

	next, err := json.Marshal(artifactRec(1, 1))
	require.NoError(t, err)
	for _, torn := range [][]byte{next[:len(next)/2], next, []byte("\x00\x00\x00")} {
		require.NoError(t, os.WriteFile(path, append(append([]byte(nil), whole...), torn...), 0o600))
		j, err = OpenJournal(path)
		require.NoError(t, err, "torn %q", torn)
		require.Len(t, j.Round(1).Artifacts, 1, "the torn record is dropped")
		require.Equal(t, whole, readFile(t, path), "the file is cut back to the last whole record")
		require.NoError(t, j.Append(artifactRec(1, 1)))
		require.NoError(t, j.Close())

		j, err = OpenJournal(path)
		require.NoError(t, err, "the next record is on a clean line")
		require.Equal(t, []Record{artifactRec(1, 0), artifactRec(1, 1)}, j.Round(1).Artifacts)
		require.NoError(t, j.Close())
	}
}

func TestJournalBadMiddleLine(t *testing.T) {
	rec := func(r Record) string {
		b, err := json.Marshal(r)
		require.NoError(t, err)
		return string(b) + "\n"
	}
	first := rec(artifactRec(1, 0))
	for _, tc := range []struct {
		name, line, want string
	}{
		{"garbage", "{\"kind\": \"artif\n", "not a record"},
		{"blank", "\n", "not a record"},
		{"unknown kind", rec(Record{Kind: "forgotten", Round: 1}), `unknown record kind "forgotten"`},
		{"out of order", rec(artifactRec(1, 5)), "artifact index 5 out of order"},
		{"ids for other artifacts", rec(Record{Kind: KindCommitted, Round: 1, IDs: []uint64{1, 2}}), "committed 2 ids for 1 artifacts"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "journal.jsonl")
			body := first + tc.line + rec(Record{Kind: KindRevealed, Round: 1})
			require.NoError(t, os.WriteFile(path, []byte(body), 0o600))
			_, err := OpenJournal(path)
			require.Error(t, err)
			msg := err.Error()
			require.Contains(t, msg, path)
			require.Contains(t, msg, "line 2")
			require.Contains(t, msg, tc.want)
			require.Contains(t, msg, "move it away")
			require.Equal(t, body, string(readFile(t, path)), "a refused journal is left as it was")
		})
	}
}

func TestJournalAppendRefusesInvalid(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j := openJournal(t, path)
	require.NoError(t, j.Append(artifactRec(3, 0)))
	before := readFile(t, path)
	state := j.Round(3)

	noSalt := artifactRec(3, 1)
	noSalt.Salt = ""
	noCID := artifactRec(3, 1)
	noCID.CID = ""
	for _, tc := range []struct {
		name string
		rec  Record
		want string
	}{
		{"index out of order", artifactRec(3, 2), "out of order"},
		{"index repeated", artifactRec(3, 0), "out of order"},
		{"index in a new round", artifactRec(4, 1), "out of order"},
		{"artifact without salt", noSalt, "salt"},
		{"artifact without cid", noCID, "cid"},
		{"ids count", Record{Kind: KindCommitted, Round: 3, IDs: []uint64{1, 2}}, "committed 2 ids for 1 artifacts"},
		{"sealed without openings", Record{Kind: KindSealed, Round: 3, Attestations: sealedRec(3).Attestations}, "sealed 2 attestations with 0 openings"},
		{"sealed nothing", Record{Kind: KindSealed, Round: 3}, "sealed 0 attestations"},
		{"opening without salt", func() Record {
			r := sealedRec(3)
			r.Disclosures = append([]chain.Disclosure{}, r.Disclosures...)
			r.Disclosures[1].Salt = nil
			return r
		}(), "without a salt"},
		{"openings out of order", func() Record {
			r := sealedRec(3)
			r.Disclosures = []chain.Disclosure{r.Disclosures[1], r.Disclosures[0]}
			return r
		}(), "opening of artifact 22"},
		{"unknown kind", Record{Kind: "commited", Round: 3}, `unknown record kind "commited"`},
		{"no kind", Record{Round: 3}, "unknown record kind"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			require.ErrorContains(t, j.Append(tc.rec), tc.want)
			require.Equal(t, before, readFile(t, path))
			require.Equal(t, state, j.Round(3))
			require.Equal(t, []uint64{3}, j.Rounds(), "a refused record creates no round")
		})
	}
	// The journal still works and reopens to the same state.
	require.NoError(t, j.Append(artifactRec(3, 1)))
	require.NoError(t, j.Close())
	j = openJournal(t, path)
	require.Equal(t, []Record{artifactRec(3, 0), artifactRec(3, 1)}, j.Round(3).Artifacts)
}

func FuzzJournalReplay(f *testing.F) {
	var good bytes.Buffer
	for _, r := range []Record{artifactRec(2, 0), {Kind: KindCommitted, Round: 2, IDs: []uint64{9}}, {Kind: KindSkipped, Round: 3}} {
		b, _ := json.Marshal(r)
		good.Write(append(b, '\n'))
	}
	f.Add(good.Bytes())
	f.Add(good.Bytes()[:good.Len()-7])
	f.Add([]byte{})
	f.Add([]byte("\n"))
	f.Add([]byte("null\n"))
	f.Add([]byte(`{"kind":"artifact","round":1,"index":0,"cid":"x","salt":"y"}` + "\r\n" + `{"KIND":"skipped"}`))
	f.Add([]byte(`{"kind":"artifact","round":1,"index":-1}` + "\n"))
	f.Fuzz(func(t *testing.T, data []byte) {
		path := filepath.Join(t.TempDir(), "journal.jsonl")
		if err := os.WriteFile(path, data, 0o600); err != nil {
			t.Fatal(err)
		}
		j, err := OpenJournal(path)
		if err != nil {
			if !strings.Contains(err.Error(), "line ") {
				t.Fatalf("error does not name the line: %v", err)
			}
			return
		}
		rounds := j.Rounds()
		states := make([]RoundState, len(rounds))
		for i, r := range rounds {
			states[i] = j.Round(r)
		}
		// The next artifact of some round the file may already hold.
		var round uint64
		if len(rounds) > 0 {
			round = rounds[len(rounds)-1]
		}
		next := artifactRec(round, len(j.Round(round).Artifacts))
		if err := j.Append(next); err != nil {
			t.Fatalf("append after a successful open: %v", err)
		}
		if err := j.Close(); err != nil {
			t.Fatal(err)
		}
		j, err = OpenJournal(path)
		if err != nil {
			t.Fatalf("reopen after append: %v", err)
		}
		defer j.Close()
		for i, r := range rounds {
			got := j.Round(r)
			if r == round {
				want := states[i]
				want.Artifacts = append(want.Artifacts, next)
				require.Equal(t, want, got)
			} else {
				require.Equal(t, states[i], got)
			}
		}
		if len(rounds) == 0 {
			require.Equal(t, []Record{next}, j.Round(round).Artifacts)
		}
	})
}

func TestJournalCompact(t *testing.T) {
	path := filepath.Join(t.TempDir(), "journal.jsonl")
	j, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	for r := uint64(1); r <= 6; r++ {
		must := func(rec Record) {
			t.Helper()
			if err := j.Append(rec); err != nil {
				t.Fatal(err)
			}
		}
		must(Record{Kind: KindArtifact, Round: r, Index: 0, CID: fmt.Sprintf("cid-%d", r), Salt: "00", File: fmt.Sprintf("artifacts/r%d-0.json", r)})
		must(Record{Kind: KindCommitted, Round: r, IDs: []uint64{r * 10}, TxHash: "T"})
		must(Record{Kind: KindRevealed, Round: r})
		must(sealedRec(r)) // the salts of sealed verdicts must survive compaction
		must(Record{Kind: KindAttested, Round: r, Count: 2})
		if r < 6 {
			must(Record{Kind: KindConditioned, Round: r})
		}
	}
	want5, want6 := j.Round(5), j.Round(6)
	dropped, err := j.Compact(5)
	if err != nil {
		t.Fatal(err)
	}
	if len(dropped) != 4 || dropped[0] != "artifacts/r1-0.json" {
		t.Fatalf("dropped %v", dropped)
	}
	if got := j.Rounds(); len(got) != 2 || got[0] != 5 {
		t.Fatalf("rounds after compaction %v", got)
	}
	if j.HasCID("cid-1") || !j.HasCID("cid-6") {
		t.Fatal("HasCID after compaction")
	}
	// Appends go on after compaction, and everything survives a reopen.
	if err := j.Append(Record{Kind: KindConditioned, Round: 6}); err != nil {
		t.Fatal(err)
	}
	j.Close()
	j2, err := OpenJournal(path)
	if err != nil {
		t.Fatal(err)
	}
	defer j2.Close()
	want6.Conditioned = true
	if got := j2.Round(5); !reflect.DeepEqual(got, want5) {
		t.Fatalf("round 5 after reopen %+v, want %+v", got, want5)
	}
	if got := j2.Round(6); !reflect.DeepEqual(got, want6) {
		t.Fatalf("round 6 after reopen %+v, want %+v", got, want6)
	}
	if got := j2.Round(1); len(got.Artifacts) != 0 {
		t.Fatalf("round 1 survived compaction: %+v", got)
	}
}
