package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of the artifact module; never renumber.
var (
	ErrInvalidAuthority    = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrWrongPhase          = errorsmod.Register(ModuleName, 4, "wrong round or phase")
	ErrInvalidCommitment   = errorsmod.Register(ModuleName, 5, "invalid commitment")
	ErrDuplicateCommitment = errorsmod.Register(ModuleName, 6, "commitment already made in this round")
	ErrCommitLimit         = errorsmod.Register(ModuleName, 7, "per-node commit limit reached")
	ErrArtifactNotFound    = errorsmod.Register(ModuleName, 8, "artifact not found")
	ErrNotProducer         = errorsmod.Register(ModuleName, 9, "signer is not the artifact's producer")
	ErrAlreadyRevealed     = errorsmod.Register(ModuleName, 10, "artifact already revealed")
	ErrCommitmentMismatch  = errorsmod.Register(ModuleName, 11, "reveal does not match the commitment")
	ErrInvalidCID          = errorsmod.Register(ModuleName, 12, "invalid CID")
	ErrInvalidManifest     = errorsmod.Register(ModuleName, 13, "invalid manifest")
	ErrNotAssigned         = errorsmod.Register(ModuleName, 14, "verifier is not assigned to this artifact")
	ErrAlreadyAttested     = errorsmod.Register(ModuleName, 15, "verifier already attested to this artifact")
	ErrSelfAttestation     = errorsmod.Register(ModuleName, 16, "a node may not attest to its own artifact")
	ErrInvalidAttestation  = errorsmod.Register(ModuleName, 17, "invalid attestation")
	ErrNotAttestable       = errorsmod.Register(ModuleName, 18, "artifact is not open to attestation")
	ErrInvalidGenesis      = errorsmod.Register(ModuleName, 19, "invalid genesis")
	ErrNoVerifiers         = errorsmod.Register(ModuleName, 20, "no verifier set for the round")
	ErrCIDReplay           = errorsmod.Register(ModuleName, 21, "CID already revealed in an earlier round")
	ErrBadChunkProof       = errorsmod.Register(ModuleName, 22, "invalid proof of retrieval")
	ErrSealMismatch        = errorsmod.Register(ModuleName, 23, "disclosure does not open the sealed attestation")
	ErrNotRetrieved        = errorsmod.Register(ModuleName, 24, "a VALID verdict needs a proof of retrieval")
	ErrAlreadyDisclosed    = errorsmod.Register(ModuleName, 25, "attestation already disclosed")
)
