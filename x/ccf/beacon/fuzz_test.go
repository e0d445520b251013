package beacon

import (
	"bytes"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/x/ccf/types"
)

func TestVerifyVoteExtension(t *testing.T) {
	h := &Handler{logger: nopLogger()}
	ok := func(s types.SeedShare) []byte { bz, _ := s.Marshal(); return bz }
	for name, tc := range map[string]struct {
		ext  []byte
		want abci.ResponseVerifyVoteExtension_VerifyStatus
	}{
		"empty":       {nil, abci.ResponseVerifyVoteExtension_ACCEPT},
		"commitment":  {ok(types.SeedShare{Round: 1, Commitment: make([]byte, 32)}), abci.ResponseVerifyVoteExtension_ACCEPT},
		"reveal":      {ok(types.SeedShare{Round: 1, Reveal: make([]byte, 32)}), abci.ResponseVerifyVoteExtension_ACCEPT},
		"both":        {ok(types.SeedShare{Round: 1, Commitment: make([]byte, 32), Reveal: make([]byte, 32)}), abci.ResponseVerifyVoteExtension_REJECT},
		"neither":     {ok(types.SeedShare{Round: 1}), abci.ResponseVerifyVoteExtension_REJECT},
		"round zero":  {ok(types.SeedShare{Reveal: make([]byte, 32)}), abci.ResponseVerifyVoteExtension_REJECT},
		"short":       {ok(types.SeedShare{Round: 1, Reveal: make([]byte, 31)}), abci.ResponseVerifyVoteExtension_REJECT},
		"not a share": {[]byte{0xff, 0xff, 0xff}, abci.ResponseVerifyVoteExtension_REJECT},
		"oversized":   {bytes.Repeat([]byte{0}, types.MaxSeedShareBytes+1), abci.ResponseVerifyVoteExtension_REJECT},
	} {
		t.Run(name, func(t *testing.T) {
			resp, err := h.VerifyVoteExtension()(sdkCtx(), &abci.RequestVerifyVoteExtension{Height: 5, VoteExtension: tc.ext})
			require.NoError(t, err)
			require.Equal(t, tc.want, resp.Status)
		})
	}
}

// FuzzParseExtension: any bytes a peer's vote carries are either refused or
// a share of the right shape; nothing panics.
func FuzzParseExtension(f *testing.F) {
	bz, _ := (&types.SeedShare{Round: 3, Reveal: make([]byte, 32)}).Marshal()
	f.Add(bz)
	f.Add([]byte{})
	f.Add([]byte{0x08})
	f.Fuzz(func(t *testing.T, ext []byte) {
		s, err := parseExtension(ext)
		if err != nil || s == nil {
			return
		}
		if s.Validate() != nil || len(ext) > types.MaxSeedShareBytes {
			t.Fatalf("accepted a malformed share %x", ext)
		}
	})
}

// FuzzDecodeTx: a proposal's first bytes either decode as a beacon or are
// refused; nothing panics, and a decoded beacon re-encodes.
func FuzzDecodeTx(f *testing.F) {
	good, _ := EncodeTx(abci.ExtendedCommitInfo{Round: 1, Votes: []abci.ExtendedVoteInfo{{VoteExtension: []byte{1}}}})
	f.Add(good)
	f.Add(txPrefix)
	f.Add([]byte{0x0a, 0x00})
	f.Fuzz(func(t *testing.T, b []byte) {
		ec, err := DecodeTx(b)
		if err != nil {
			return
		}
		if _, err := EncodeTx(ec); err != nil {
			t.Fatal(err)
		}
	})
}
