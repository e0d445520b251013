package types

import (
	"crypto/sha256"
	"encoding/binary"
	"fmt"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// Proof of retrieval (ADR-004, point 2). A manifest commits to the Merkle
// root over its payload's chunks; each sealed attestation carries the chunk
// that ChunkIndex(seed, artifact, verifier) selects, with its audit path.
// The chain checks the path against the root, so a verifier cannot pass as
// having checked a payload it never fetched, and since each verifier's chunk
// differs, it cannot borrow another's proof either.
const (
	// ChunkSize is the payload chunk size in bytes: small, so that a
	// few-KiB payload still has dozens of chunks and a verifier's chunk is
	// rarely one another verifier already published.
	ChunkSize = 64
	// MaxChunkProof bounds an audit path: 2^64 chunks need 64 levels.
	MaxChunkProof = 64

	chunkLeafPrefix = 0x00
	chunkNodePrefix = 0x01
	chunkDomain     = "h3lix/chunk/v1"
	sealDomain      = "h3lix/attest/v1"
)

// ChunkCount is the number of chunks of a payload of size bytes.
func ChunkCount(size uint64) uint64 { return size/ChunkSize + min(size%ChunkSize, 1) }

func chunkLeaf(c []byte) [32]byte {
	h := sha256.New()
	h.Write([]byte{chunkLeafPrefix})
	h.Write(c)
	var out [32]byte
	h.Sum(out[:0])
	return out
}

func chunkNode(l, r []byte) [32]byte {
	var buf [65]byte
	buf[0] = chunkNodePrefix
	copy(buf[1:33], l)
	copy(buf[33:], r)
	return sha256.Sum256(buf[:])
}

// chunkLevels hashes payload into its tree, leaves first. Each level pairs
// nodes left to right; an odd last node is promoted unchanged (as the
// field's Merkle root does).
func chunkLevels(payload []byte) [][][32]byte {
	n := ChunkCount(uint64(len(payload)))
	level := make([][32]byte, n)
	for i := range level {
		end := min(uint64(i+1)*ChunkSize, uint64(len(payload)))
		level[i] = chunkLeaf(payload[uint64(i)*ChunkSize : end])
	}
	levels := [][][32]byte{level}
	for len(level) > 1 {
		next := make([][32]byte, 0, (len(level)+1)/2)
		for i := 0; i < len(level); i += 2 {
			if i+1 < len(level) {
				next = append(next, chunkNode(level[i][:], level[i+1][:]))
			} else {
				next = append(next, level[i])
			}
		}
		levels = append(levels, next)
		level = next
	}
	return levels
}

// ChunkRoot is the manifest's chunk_root for payload (nil for an empty one).
func ChunkRoot(payload []byte) []byte {
	if len(payload) == 0 {
		return nil
	}
	levels := chunkLevels(payload)
	root := levels[len(levels)-1][0]
	return root[:]
}

// ChunkProof returns chunk i of payload and its audit path, bottom up.
func ChunkProof(payload []byte, i uint64) ([]byte, [][]byte, error) {
	n := ChunkCount(uint64(len(payload)))
	if i >= n {
		return nil, nil, fmt.Errorf("chunk %d of a %d-chunk payload", i, n)
	}
	levels := chunkLevels(payload)
	var proof [][]byte
	idx := i
	for _, level := range levels[:len(levels)-1] {
		if sib := idx ^ 1; sib < uint64(len(level)) {
			s := level[sib]
			proof = append(proof, s[:])
		}
		idx /= 2
	}
	end := min((i+1)*ChunkSize, uint64(len(payload)))
	return payload[i*ChunkSize : end], proof, nil
}

// VerifyChunk checks that chunk is chunk i of a payload of size bytes whose
// chunk root is root.
func VerifyChunk(root []byte, size, i uint64, chunk []byte, proof [][]byte) error {
	n := ChunkCount(size)
	switch {
	case len(root) != sha256.Size:
		return fmt.Errorf("the manifest has no %d-byte chunk root", sha256.Size)
	case i >= n:
		return fmt.Errorf("chunk %d of a %d-chunk payload", i, n)
	case len(proof) > MaxChunkProof:
		return fmt.Errorf("proof of %d hashes, at most %d", len(proof), MaxChunkProof)
	}
	want := uint64(ChunkSize)
	if i == n-1 {
		want = size - (n-1)*ChunkSize
	}
	if uint64(len(chunk)) != want {
		return fmt.Errorf("chunk %d is %d bytes, want %d", i, len(chunk), want)
	}
	node := chunkLeaf(chunk)
	idx, width, used := i, n, 0
	for width > 1 {
		if sib := idx ^ 1; sib < width {
			if used == len(proof) {
				return fmt.Errorf("proof too short: %d hashes", len(proof))
			}
			p := proof[used]
			if len(p) != sha256.Size {
				return fmt.Errorf("proof hash %d is %d bytes", used, len(p))
			}
			used++
			if idx%2 == 0 {
				node = chunkNode(node[:], p)
			} else {
				node = chunkNode(p, node[:])
			}
		}
		idx, width = idx/2, (width+1)/2
	}
	if used != len(proof) {
		return fmt.Errorf("proof too long: %d hashes, %d used", len(proof), used)
	}
	if string(node[:]) != string(root) {
		return fmt.Errorf("chunk %d does not hash to the manifest's chunk root", i)
	}
	return nil
}

// ChunkIndex is the chunk a verifier must prove it holds:
// SHA-256(domain || seed || artifact id || verifier) mod the chunk count.
// The round seed is drawn after every reveal, so no verifier knows its chunk
// before the attest phase.
func ChunkIndex(seed []byte, artifactID uint64, verifier sdk.AccAddress, size uint64) uint64 {
	n := ChunkCount(size)
	if n == 0 {
		return 0
	}
	h := sha256.New()
	h.Write([]byte(chunkDomain))
	h.Write(seed)
	h.Write(binary.BigEndian.AppendUint64(nil, artifactID))
	h.Write(verifier)
	return binary.BigEndian.Uint64(h.Sum(nil)[:8]) % n
}

// Seal is the hash a sealed attestation carries:
// SHA-256(domain || artifact id || verifier || verdict || quality || salt).
// Binding the verifier means a seal cannot be copied from another verifier.
func Seal(artifactID uint64, verifier sdk.AccAddress, v Verdict, qualityPPM uint32, salt []byte) []byte {
	h := sha256.New()
	h.Write([]byte(sealDomain))
	h.Write(binary.BigEndian.AppendUint64(nil, artifactID))
	h.Write([]byte{byte(len(verifier))})
	h.Write(verifier)
	h.Write(binary.BigEndian.AppendUint32(nil, uint32(v)))
	h.Write(binary.BigEndian.AppendUint32(nil, qualityPPM))
	h.Write(salt)
	return h.Sum(nil)
}

// MinSaltBytes is the shortest salt a disclosure may carry: a seal over a
// guessable salt would leak its verdict (there are few verdicts).
const MinSaltBytes = 16

// SealAttestation seals disclosure d (salt set) on artifact a for verifier.
// When payload is the artifact's payload (its CID) and matches the
// manifest's chunk root, the chunk ChunkIndex selects and its proof go with
// the seal, and retrieved is true. A payload that does not match its chunk
// root cannot be proven: its artifact deserves INVALID.
func SealAttestation(a Artifact, verifier sdk.AccAddress, seed []byte, d AttestationDisclosure, payload []byte) (in AttestationInput, retrieved bool, err error) {
	in = AttestationInput{ArtifactId: a.Id, Seal: Seal(a.Id, verifier, d.Verdict, d.QualityPpm, d.Salt)}
	if payload == nil || a.Manifest == nil {
		return in, false, nil
	}
	if c, err := RawCID(payload); err != nil || c != a.Cid {
		return in, false, fmt.Errorf("artifact %d: the payload has CID %s, the artifact %s", a.Id, c, a.Cid)
	}
	if string(ChunkRoot(payload)) != string(a.Manifest.ChunkRoot) || uint64(len(payload)) != a.Manifest.PayloadSize {
		return in, false, nil
	}
	chunk, proof, err := ChunkProof(payload, ChunkIndex(seed, a.Id, verifier, a.Manifest.PayloadSize))
	if err != nil {
		return in, false, err
	}
	in.Chunk, in.Proof = chunk, proof
	return in, true, nil
}

// PayloadMatchesManifest reports whether payload has the size and chunk root
// the artifact's manifest commits to.
func PayloadMatchesManifest(m Manifest, payload []byte) bool {
	return uint64(len(payload)) == m.PayloadSize && string(ChunkRoot(payload)) == string(m.ChunkRoot)
}
