package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of the ccf module; never renumber.
var (
	ErrInvalidAuthority = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrFieldNotFound    = errorsmod.Register(ModuleName, 4, "field not found")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 5, "invalid genesis")
)
