package app

import (
	"fmt"

	upgradetypes "github.com/cosmos/cosmos-sdk/x/upgrade/types"

	"github.com/h3lix/h3lix/app/upgrades"
)

// registerUpgradeHandlers registers every known upgrade and, when the node
// restarts at an upgrade height, the store changes it needs.
func (app *H3lixApp) registerUpgradeHandlers() {
	for _, u := range upgrades.All {
		app.UpgradeKeeper.SetUpgradeHandler(u.Name, u.CreateHandler(app.ModuleManager, app.configurator))
	}
	plan, err := app.UpgradeKeeper.ReadUpgradeInfoFromDisk()
	if err != nil {
		panic(fmt.Errorf("reading upgrade info: %w", err))
	}
	if plan.Name == "" || app.UpgradeKeeper.IsSkipHeight(plan.Height) {
		return
	}
	for _, u := range upgrades.All {
		if u.Name == plan.Name {
			app.SetStoreLoader(upgradetypes.UpgradeStoreLoader(plan.Height, &u.StoreUpgrades))
		}
	}
}
