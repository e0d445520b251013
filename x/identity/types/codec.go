package types

import (
	"github.com/cosmos/cosmos-sdk/codec"
	"github.com/cosmos/cosmos-sdk/codec/legacy"
	codectypes "github.com/cosmos/cosmos-sdk/codec/types"
	sdk "github.com/cosmos/cosmos-sdk/types"
	"github.com/cosmos/cosmos-sdk/types/msgservice"
)

// RegisterLegacyAminoCodec registers the messages for LEGACY_AMINO_JSON signing
// (hardware wallets).
func RegisterLegacyAminoCodec(cdc *codec.LegacyAmino) {
	legacy.RegisterAminoMsg(cdc, &MsgRegisterNode{}, "h3lix/identity/MsgRegisterNode")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateNode{}, "h3lix/identity/MsgUpdateNode")
	legacy.RegisterAminoMsg(cdc, &MsgRotateNodeKey{}, "h3lix/identity/MsgRotateNodeKey")
	legacy.RegisterAminoMsg(cdc, &MsgDeregisterNode{}, "h3lix/identity/MsgDeregisterNode")
	legacy.RegisterAminoMsg(cdc, &MsgUpdateParams{}, "h3lix/identity/MsgUpdateParams")
	cdc.RegisterConcrete(&Params{}, "h3lix/x/identity/Params", nil)
}

// RegisterInterfaces registers the module's messages with the interface registry.
func RegisterInterfaces(registry codectypes.InterfaceRegistry) {
	registry.RegisterImplementations((*sdk.Msg)(nil),
		&MsgRegisterNode{},
		&MsgUpdateNode{},
		&MsgRotateNodeKey{},
		&MsgDeregisterNode{},
		&MsgUpdateParams{},
	)
	msgservice.RegisterMsgServiceDesc(registry, &_Msg_serviceDesc)
}
