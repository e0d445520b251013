// Package upgrades lists the chain's software upgrades. Each upgrade has a
// name (the gov plan name), a handler and its store changes.
package upgrades

import (
	storetypes "github.com/cosmos/cosmos-sdk/store/v2/types"

	"github.com/cosmos/cosmos-sdk/types/module"
	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"
)

// Upgrade describes one software upgrade.
type Upgrade struct {
	// Name is the upgrade plan name used in the governance proposal.
	Name string
	// CreateHandler builds the handler from the module manager and configurator.
	CreateHandler func(mm *module.Manager, cfg module.Configurator) upgradetypes.UpgradeHandler
	// StoreUpgrades adds, renames or deletes stores at the upgrade height.
	StoreUpgrades storetypes.StoreUpgrades
}

// All is every upgrade this binary knows, oldest first. The chain has had
// none yet.
var All []Upgrade
