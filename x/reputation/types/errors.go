package types

import errorsmod "cosmossdk.io/errors"

// Registered errors of the reputation module; never renumber.
var (
	ErrInvalidAuthority = errorsmod.Register(ModuleName, 2, "invalid authority")
	ErrInvalidParams    = errorsmod.Register(ModuleName, 3, "invalid params")
	ErrInvalidSignal    = errorsmod.Register(ModuleName, 4, "invalid outcome signal")
	ErrInvalidGenesis   = errorsmod.Register(ModuleName, 5, "invalid genesis")
	ErrNodeJailed       = errorsmod.Register(ModuleName, 6, "node is jailed")
)
