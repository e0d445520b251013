package aggregate_test

import (
	"errors"
	"fmt"
	"testing"

	"github.com/h3lix/h3lix/x/ccf/aggregate"
)

var sentinels = []error{
	aggregate.ErrEmpty, aggregate.ErrLengthMismatch, aggregate.ErrDimensionMismatch, aggregate.ErrEmptyEmbedding,
	aggregate.ErrDuplicateID, aggregate.ErrDuplicateVerifier, aggregate.ErrDuplicateDomain, aggregate.ErrPPMRange,
	aggregate.ErrInvalidVerdict, aggregate.ErrInvalidParams, aggregate.ErrVectorRange,
}

func isSentinel(err error) bool {
	for _, s := range sentinels {
		if errors.Is(err, s) {
			return true
		}
	}
	return false
}

// byteReader decodes fuzz bytes deterministically; it yields zeros when exhausted.
type byteReader struct{ b []byte }

func (r *byteReader) next() byte {
	if len(r.b) == 0 {
		return 0
	}
	x := r.b[0]
	r.b = r.b[1:]
	return x
}

func (r *byteReader) more() bool { return len(r.b) > 0 }

// ppm maps a byte to 0..1_020_000, so about 1% of the values exceed PPM.
func (r *byteReader) ppm() uint32 { return uint32(r.next()) * 4000 }

// decodeField turns fuzz bytes into BuildField inputs. Layout: dim, K, bonus,
// beta, minSpread, #prev, then prev vectors (domain, dim bytes), then
// candidates (id, domain, R, Q, C, renewable, dim bytes) until the bytes end.
func decodeField(data []byte) ([]aggregate.Candidate, []aggregate.DomainVector, aggregate.FieldParams) {
	r := &byteReader{b: data}
	dim := 1 + int(r.next()%8)
	p := aggregate.FieldParams{
		MaxFieldSize:  int(r.next()) - 8,
		GreenBonusPPM: uint32(r.next()) * 50_000,
		EMABetaPPM:    uint32(r.next()) * 4000,
		MinSpreadPPM:  uint64(r.next()) * 1_000_000,
	}
	var prev []aggregate.DomainVector
	for n := int(r.next() % 4); n > 0; n-- {
		v := aggregate.DomainVector{Domain: fmt.Sprintf("d%d", r.next()%4)}
		for j := 0; j < dim; j++ {
			v.Micro = append(v.Micro, int64(int8(r.next()))*1_000_000+int64(r.next()))
		}
		prev = append(prev, v)
	}
	var cands []aggregate.Candidate
	for r.more() {
		c := aggregate.Candidate{ID: uint64(r.next()), Domain: fmt.Sprintf("d%d", r.next()%4)}
		c.CID = fmt.Sprintf("bafy%d", c.ID)
		c.Reputation, c.Quality, c.Confidence, c.RenewablePPM = r.ppm(), r.ppm(), r.ppm(), r.ppm()
		for j := 0; j < dim; j++ {
			c.Embedding = append(c.Embedding, int8(r.next()))
		}
		cands = append(cands, c)
	}
	return cands, prev, p
}

func FuzzBuildField(f *testing.F) {
	f.Add([]byte{})
	f.Add([]byte{3, 12, 4, 50, 1, 0})
	f.Add([]byte{1, 10, 4, 50, 0, 1, 0, 5, 1, 1, 1, 250, 250, 250, 250, 7, 2, 2, 250, 250, 250, 0, 200})
	f.Add([]byte{0, 9, 255, 255, 255, 2, 1, 127, 9, 2, 128, 0, 1, 1, 250, 250, 250, 250, 127, 1, 1, 250, 250, 250, 250, 128})
	f.Add([]byte{7, 200, 20, 30, 0, 0,
		1, 0, 250, 250, 250, 250, 1, 2, 3, 4, 5, 6, 7, 8,
		2, 1, 100, 200, 150, 50, 8, 7, 6, 5, 4, 3, 2, 1,
		3, 2, 250, 250, 250, 250, 128, 128, 128, 128, 128, 128, 128, 128,
		4, 3, 0, 250, 250, 250, 127, 127, 127, 127, 127, 127, 127, 127})
	f.Add([]byte{2, 9, 0, 0, 0, 0, 1, 1, 251, 250, 250, 250, 0, 0, 0}) // ppm out of range
	f.Add([]byte{2, 9, 0, 0, 0, 0, 1, 1, 250, 250, 250, 250, 0, 0, 0, 1, 2, 250, 250, 250, 250, 0, 0, 0})
	f.Fuzz(func(t *testing.T, data []byte) {
		cands, prev, p := decodeField(data)
		fld, err := aggregate.BuildField(cands, prev, p)
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("non-sentinel error: %v", err)
			}
			return
		}
		if len(fld.Entries) > p.MaxFieldSize {
			t.Fatalf("%d entries > K %d", len(fld.Entries), p.MaxFieldSize)
		}
		if len(fld.Entries) > 0 && sumPPM(fld.Entries) != aggregate.PPM {
			t.Fatalf("weights sum to %d", sumPPM(fld.Entries))
		}
		checkFieldInvariants(t, fld, cands, p)
	})
}

func FuzzFilterOutliers(f *testing.F) {
	f.Add([]byte{}, uint64(3_000_000))
	f.Add([]byte{2, 1, 0, 5, 0, 0, 2, 0, 5, 1, 0, 3, 0, 5, 100, 100}, uint64(3_000_000))
	f.Add([]byte{1, 1, 0, 255, 128, 2, 0, 255, 127}, uint64(0))
	f.Fuzz(func(t *testing.T, data []byte, k uint64) {
		r := &byteReader{b: data}
		dim := 1 + int(r.next()%6)
		var ps []aggregate.Point
		for r.more() {
			p := aggregate.Point{ID: uint64(r.next()), Domain: fmt.Sprintf("d%d", r.next()%3), Weight: uint64(r.next()) << (r.next() % 64)}
			for j := 0; j < dim; j++ {
				p.Embedding = append(p.Embedding, int8(r.next()))
			}
			ps = append(ps, p)
		}
		keep, centres, err := aggregate.FilterOutliers(ps, aggregate.FilterParams{MADMultiplierPPM: k})
		if err != nil {
			if !isSentinel(err) {
				t.Fatalf("non-sentinel error: %v", err)
			}
			return
		}
		if len(keep) != len(ps) {
			t.Fatal("keep not aligned")
		}
		for i := 1; i < len(centres); i++ {
			if centres[i-1].Domain >= centres[i].Domain {
				t.Fatal("centres not sorted")
			}
		}
	})
}

func FuzzDecideVerdict(f *testing.F) {
	f.Add([]byte{1, 100, 1, 200, 2, 50}, uint64(0))
	f.Add([]byte{3, 255, 0, 0, 9, 9}, uint64(1<<63))
	f.Fuzz(func(t *testing.T, data []byte, floor uint64) {
		r := &byteReader{b: data}
		var atts []aggregate.Attestation
		for i := 0; r.more(); i++ {
			atts = append(atts, aggregate.Attestation{
				Verifier: fmt.Sprintf("v%d", r.next()%8),
				Verdict:  aggregate.Verdict(int8(r.next())),
				Weight:   uint64(r.next()) << (r.next() % 64),
				Quality:  uint32(r.next()) << (r.next() % 32),
			})
		}
		res := aggregate.DecideVerdict(atts, aggregate.VerdictParams{MinAttestedWeight: floor})
		if res.Quality > aggregate.PPM || res.Accepted != (res.Outcome == aggregate.VerdictValid) {
			t.Fatalf("bad result %+v", res)
		}
		for _, a := range atts {
			if aggregate.Agreement(a, res) > aggregate.PPM {
				t.Fatal("agreement above PPM")
			}
		}
		if err := aggregate.ValidateAttestations(atts); err != nil && !isSentinel(err) {
			t.Fatal(err)
		}
	})
}
