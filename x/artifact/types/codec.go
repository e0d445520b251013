package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the amino names (LEGACY_AMINO_JSON signing).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgCommitArtifact{}, "h3lix/artifact/MsgCommitArtifact")
	legacy.RegisterAminoMsg(cdc, &MsgRevealArtifact{}, "h3lix/artifact/MsgRevealArtifact")
	legacy.RegisterAminoMsg(cdc, &MsgAttest{}, "h3lix/artifact/MsgAttest")
	legacy.RegisterAminoMsg(cdc, &MsgDisclose{}, "h3lix/artifact/MsgDisclose")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "h3lix/artifact/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "h3lix/x/artifact/Params", nil)
}

// RegisterInterfaces registers the messages.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgCommitArtifact{}, &MsgRevealArtifact{}, &MsgAttest{}, &MsgDisclose{}, &MsgUpdateParams{})
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
