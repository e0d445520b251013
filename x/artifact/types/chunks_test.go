package types_test

import (
	"bytes"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/artifact/types"
)

func payloadOf(n int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i*7 + i/251)
	}
	return b
}

// Every chunk of payloads of every shape up to a few hundred chunks proves
// against the root, and only at its own index.
func TestChunkProofsRoundTrip(t *testing.T) {
	for _, size := range []int{1, 63, 64, 65, 127, 128, 129, 300, 64 * 7, 64*33 + 5} {
		p := payloadOf(size)
		root := types.ChunkRoot(p)
		require.Len(t, root, 32)
		n := types.ChunkCount(uint64(size))
		for i := uint64(0); i < n; i++ {
			chunk, proof, err := types.ChunkProof(p, i)
			require.NoError(t, err)
			require.NoError(t, types.VerifyChunk(root, uint64(size), i, chunk, proof), "size %d chunk %d", size, i)
			if n > 1 {
				require.Error(t, types.VerifyChunk(root, uint64(size), (i+1)%n, chunk, proof), "size %d chunk %d at another index", size, i)
			}
		}
		_, _, err := types.ChunkProof(p, n)
		require.Error(t, err)
	}
	require.Nil(t, types.ChunkRoot(nil))
}

func TestVerifyChunkRejects(t *testing.T) {
	p := payloadOf(300)
	root := types.ChunkRoot(p)
	chunk, proof, err := types.ChunkProof(p, 2)
	require.NoError(t, err)
	for name, tc := range map[string]struct {
		root  []byte
		size  uint64
		i     uint64
		chunk []byte
		proof [][]byte
		want  string
	}{
		"no root":          {nil, 300, 2, chunk, proof, "chunk root"},
		"index past end":   {root, 300, 5, chunk, proof, "5-chunk payload"},
		"other size":       {root, 900, 2, chunk, proof, "too short"},
		"flipped byte":     {root, 300, 2, append([]byte{chunk[0] ^ 1}, chunk[1:]...), proof, "does not hash"},
		"short chunk":      {root, 300, 2, chunk[:63], proof, "63 bytes"},
		"short proof":      {root, 300, 2, chunk, proof[:len(proof)-1], "too short"},
		"long proof":       {root, 300, 2, chunk, append(append([][]byte{}, proof...), make([]byte, 32)), "too long"},
		"bad proof hash":   {root, 300, 2, chunk, [][]byte{proof[0][:31], proof[1], proof[2]}, "31 bytes"},
		"oversized proof":  {root, 300, 2, chunk, make([][]byte, types.MaxChunkProof+1), "at most"},
		"root of another":  {types.ChunkRoot(payloadOf(301)), 300, 2, chunk, proof, "does not hash"},
		"empty last chunk": {root, 320, 4, nil, proof, "0 bytes"},
	} {
		t.Run(name, func(t *testing.T) {
			require.ErrorContains(t, types.VerifyChunk(tc.root, tc.size, tc.i, tc.chunk, tc.proof), tc.want)
		})
	}
}

// The chunk a verifier must prove depends on the seed, the artifact and the
// verifier, and stays inside the payload.
func TestChunkIndex(t *testing.T) {
	seen := map[uint64]bool{}
	for v := byte(0); v < 64; v++ {
		i := types.ChunkIndex([]byte("seed"), 3, sdk.AccAddress(bytes.Repeat([]byte{v}, 20)), 64*40)
		require.Less(t, i, uint64(40))
		seen[i] = true
	}
	require.Greater(t, len(seen), 20, "verifiers get different chunks")
	a := types.ChunkIndex([]byte("seed"), 3, sdk.AccAddress("v"), 64*1000)
	require.NotEqual(t, a, types.ChunkIndex([]byte("seed2"), 3, sdk.AccAddress("v"), 64*1000))
	require.Zero(t, types.ChunkIndex([]byte("seed"), 3, sdk.AccAddress("v"), 0))
}

func TestSealBindsEverything(t *testing.T) {
	v := sdk.AccAddress(bytes.Repeat([]byte{1}, 20))
	salt := bytes.Repeat([]byte{9}, 32)
	base := types.Seal(1, v, types.VERDICT_VALID, 10, salt)
	for name, other := range map[string][]byte{
		"artifact": types.Seal(2, v, types.VERDICT_VALID, 10, salt),
		"verifier": types.Seal(1, sdk.AccAddress(bytes.Repeat([]byte{2}, 20)), types.VERDICT_VALID, 10, salt),
		"verdict":  types.Seal(1, v, types.VERDICT_INVALID, 10, salt),
		"quality":  types.Seal(1, v, types.VERDICT_VALID, 11, salt),
		"salt":     types.Seal(1, v, types.VERDICT_VALID, 10, salt[1:]),
	} {
		require.NotEqual(t, base, other, name)
	}
}

// FuzzVerifyChunk: for a fixed payload, whatever (index, chunk, proof) the
// chain accepts is that payload's chunk at that index: a proof cannot be
// forged. Nothing panics.
func FuzzVerifyChunk(f *testing.F) {
	p := payloadOf(64*9 + 10)
	root := types.ChunkRoot(p)
	for i := uint64(0); i < types.ChunkCount(uint64(len(p))); i++ {
		chunk, proof, err := types.ChunkProof(p, i)
		require.NoError(f, err)
		f.Add(i, chunk, bytes.Join(proof, nil))
	}
	f.Fuzz(func(t *testing.T, i uint64, chunk, flat []byte) {
		var proof [][]byte
		for len(flat) >= 32 {
			proof, flat = append(proof, flat[:32]), flat[32:]
		}
		if len(flat) > 0 {
			proof = append(proof, flat)
		}
		if types.VerifyChunk(root, uint64(len(p)), i, chunk, proof) != nil {
			return
		}
		want, _, err := types.ChunkProof(p, i)
		if err != nil || !bytes.Equal(want, chunk) {
			t.Fatalf("accepted a forged chunk %d: %x", i, chunk)
		}
	})
}
