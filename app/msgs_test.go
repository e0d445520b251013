package app_test

import (
	"sort"
	"testing"

	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"
)

// msgClass says who may send a Msg type. Every Msg the app registers must be
// listed here, so that a new module or message cannot slip in unnoticed:
// adding one means deciding how it is reached and reviewing it.
type msgClass string

const (
	// userMsg: any account may send it.
	userMsg msgClass = "user"
	// govMsg: only the gov module account (authority) may execute it.
	govMsg msgClass = "gov"
	// nestedMsg: carries other messages (authz exec, gov proposals).
	nestedMsg msgClass = "nested"
)

var classifiedMsgs = map[string]msgClass{
	// H3LIX
	"/h3lix.identity.v1.MsgRegisterNode":   userMsg,
	"/h3lix.identity.v1.MsgUpdateNode":     userMsg,
	"/h3lix.identity.v1.MsgRotateNodeKey":  userMsg,
	"/h3lix.identity.v1.MsgDeregisterNode": userMsg,
	"/h3lix.identity.v1.MsgUpdateParams":   govMsg,
	"/h3lix.reputation.v1.MsgUpdateParams": govMsg,
	"/h3lix.artifact.v1.MsgCommitArtifact": userMsg,
	"/h3lix.artifact.v1.MsgRevealArtifact": userMsg,
	"/h3lix.artifact.v1.MsgAttest":         userMsg,
	"/h3lix.artifact.v1.MsgDisclose":       userMsg,
	"/h3lix.artifact.v1.MsgUpdateParams":   govMsg,
	"/h3lix.ccf.v1.MsgUpdateParams":        govMsg,

	// auth, vesting
	"/cosmos.auth.v1beta1.MsgUpdateParams":                    govMsg,
	"/cosmos.vesting.v1beta1.MsgCreateVestingAccount":         userMsg,
	"/cosmos.vesting.v1beta1.MsgCreatePermanentLockedAccount": userMsg,
	"/cosmos.vesting.v1beta1.MsgCreatePeriodicVestingAccount": userMsg,
	// authz
	"/cosmos.authz.v1beta1.MsgExec":   nestedMsg,
	"/cosmos.authz.v1beta1.MsgGrant":  userMsg,
	"/cosmos.authz.v1beta1.MsgRevoke": userMsg,
	// bank
	"/cosmos.bank.v1beta1.MsgSend":           userMsg,
	"/cosmos.bank.v1beta1.MsgMultiSend":      userMsg,
	"/cosmos.bank.v1beta1.MsgUpdateParams":   govMsg,
	"/cosmos.bank.v1beta1.MsgSetSendEnabled": govMsg,
	// consensus
	"/cosmos.consensus.v1.MsgUpdateParams": govMsg,
	// distribution
	"/cosmos.distribution.v1beta1.MsgSetWithdrawAddress":          userMsg,
	"/cosmos.distribution.v1beta1.MsgWithdrawDelegatorReward":     userMsg,
	"/cosmos.distribution.v1beta1.MsgWithdrawValidatorCommission": userMsg,
	"/cosmos.distribution.v1beta1.MsgFundCommunityPool":           userMsg,
	"/cosmos.distribution.v1beta1.MsgDepositValidatorRewardsPool": userMsg,
	"/cosmos.distribution.v1beta1.MsgCommunityPoolSpend":          govMsg,
	"/cosmos.distribution.v1beta1.MsgUpdateParams":                govMsg,
	// evidence
	"/cosmos.evidence.v1beta1.MsgSubmitEvidence": userMsg,
	// feegrant
	"/cosmos.feegrant.v1beta1.MsgGrantAllowance":  userMsg,
	"/cosmos.feegrant.v1beta1.MsgRevokeAllowance": userMsg,
	"/cosmos.feegrant.v1beta1.MsgPruneAllowances": userMsg,
	// gov
	"/cosmos.gov.v1.MsgSubmitProposal":      nestedMsg,
	"/cosmos.gov.v1.MsgExecLegacyContent":   govMsg,
	"/cosmos.gov.v1.MsgVote":                userMsg,
	"/cosmos.gov.v1.MsgVoteWeighted":        userMsg,
	"/cosmos.gov.v1.MsgDeposit":             userMsg,
	"/cosmos.gov.v1.MsgCancelProposal":      userMsg,
	"/cosmos.gov.v1.MsgUpdateParams":        govMsg,
	"/cosmos.gov.v1beta1.MsgSubmitProposal": nestedMsg,
	"/cosmos.gov.v1beta1.MsgVote":           userMsg,
	"/cosmos.gov.v1beta1.MsgVoteWeighted":   userMsg,
	"/cosmos.gov.v1beta1.MsgDeposit":        userMsg,
	// mint
	"/cosmos.mint.v1beta1.MsgUpdateParams": govMsg,
	// slashing
	"/cosmos.slashing.v1beta1.MsgUnjail":       userMsg,
	"/cosmos.slashing.v1beta1.MsgUpdateParams": govMsg,
	// staking
	"/cosmos.staking.v1beta1.MsgCreateValidator":           userMsg,
	"/cosmos.staking.v1beta1.MsgEditValidator":             userMsg,
	"/cosmos.staking.v1beta1.MsgDelegate":                  userMsg,
	"/cosmos.staking.v1beta1.MsgUndelegate":                userMsg,
	"/cosmos.staking.v1beta1.MsgBeginRedelegate":           userMsg,
	"/cosmos.staking.v1beta1.MsgCancelUnbondingDelegation": userMsg,
	"/cosmos.staking.v1beta1.MsgRotateConsPubKey":          userMsg,
	"/cosmos.staking.v1beta1.MsgUpdateParams":              govMsg,
	// upgrade
	"/cosmos.upgrade.v1beta1.MsgSoftwareUpgrade": govMsg,
	"/cosmos.upgrade.v1beta1.MsgCancelUpgrade":   govMsg,
}

func TestEveryMsgIsClassified(t *testing.T) {
	a := newTestApp(t)
	reg := a.InterfaceRegistry()

	registered := reg.ListImplementations(sdk.MsgInterfaceProtoName)
	sort.Strings(registered)
	var unclassified []string
	seen := map[string]bool{}
	for _, url := range registered {
		seen[url] = true
		if _, ok := classifiedMsgs[url]; !ok {
			unclassified = append(unclassified, url)
		}
	}
	require.Empty(t, unclassified, "new Msg types: classify them in classifiedMsgs")
	var stale []string
	for url := range classifiedMsgs {
		if !seen[url] {
			stale = append(stale, url)
		}
	}
	sort.Strings(stale)
	require.Empty(t, stale, "classified Msg types the app no longer registers: remove them")

	// Every Msg must also be routable, or a tx carrying it would fail late.
	for _, url := range registered {
		require.NotNil(t, a.MsgServiceRouter().HandlerByTypeURL(url), "no handler for %s", url)
	}
}
