package aggregate

import "errors"

// Sentinel errors. Functions wrap them with context; match with errors.Is.
var (
	// ErrEmpty: a median of no values was requested.
	ErrEmpty = errors.New("aggregate: empty input")
	// ErrLengthMismatch: parallel slices (values and weights) differ in length.
	ErrLengthMismatch = errors.New("aggregate: length mismatch")
	// ErrDimensionMismatch: embeddings or vectors of different dimensions.
	ErrDimensionMismatch = errors.New("aggregate: embedding dimension mismatch")
	// ErrEmptyEmbedding: an embedding of dimension 0.
	ErrEmptyEmbedding = errors.New("aggregate: empty embedding")
	// ErrDuplicateID: two points or candidates share an ID.
	ErrDuplicateID = errors.New("aggregate: duplicate id")
	// ErrDuplicateVerifier: two attestations from the same verifier.
	ErrDuplicateVerifier = errors.New("aggregate: duplicate verifier")
	// ErrDuplicateDomain: a domain appears twice in a vector list.
	ErrDuplicateDomain = errors.New("aggregate: duplicate domain")
	// ErrPPMRange: a ppm value exceeds PPM.
	ErrPPMRange = errors.New("aggregate: ppm value out of range")
	// ErrInvalidVerdict: a verdict other than VALID, INVALID or UNAVAILABLE.
	ErrInvalidVerdict = errors.New("aggregate: invalid verdict")
	// ErrInvalidParams: a parameter is zero, negative or out of range where that is invalid.
	ErrInvalidParams = errors.New("aggregate: invalid params")
	// ErrVectorRange: a micro-unit vector coordinate lies outside the int8 range
	// [-128·10^6, 127·10^6].
	ErrVectorRange = errors.New("aggregate: vector coordinate out of range")
)
