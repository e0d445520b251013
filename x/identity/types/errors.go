package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of the identity module. Codes are part of the API:
// never renumber or reuse them.
var (
	ErrInvalidAuthority    = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams       = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrInvalidNodeKey      = errorsmod.Register(ModuleName, 4, "invalid node public key")
	ErrInvalidSignature    = errorsmod.Register(ModuleName, 5, "invalid proof of possession of the node key")
	ErrPeerIDMismatch      = errorsmod.Register(ModuleName, 6, "peer id does not match the node public key")
	ErrInvalidMultiaddr    = errorsmod.Register(ModuleName, 7, "invalid multiaddr")
	ErrInvalidRoles        = errorsmod.Register(ModuleName, 8, "invalid roles")
	ErrInvalidEngine       = errorsmod.Register(ModuleName, 9, "invalid engine descriptor")
	ErrInvalidField        = errorsmod.Register(ModuleName, 10, "invalid field")
	ErrBondTooLow          = errorsmod.Register(ModuleName, 11, "bond below the minimum")
	ErrInvalidBond         = errorsmod.Register(ModuleName, 12, "invalid bond")
	ErrNodeExists          = errorsmod.Register(ModuleName, 13, "node already registered")
	ErrNodeNotFound        = errorsmod.Register(ModuleName, 14, "node not found")
	ErrPeerIDTaken         = errorsmod.Register(ModuleName, 15, "node key already registered")
	ErrNodeNotActive       = errorsmod.Register(ModuleName, 16, "node is not active")
	ErrInvalidAgreementKey = errorsmod.Register(ModuleName, 17, "invalid agreement public key")
	ErrInvalidGenesis      = errorsmod.Register(ModuleName, 18, "invalid genesis")
	ErrRotationTooSoon     = errorsmod.Register(ModuleName, 19, "node key rotated too recently")
)
