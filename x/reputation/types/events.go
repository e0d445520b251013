package types

import (
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/internal/typedevent"
)

// Event is sdk.TypedEventToEvent(e), built without the JSON round trip:
// settlement emits one per node and round.
func (e *EventRoundScored) Event() sdk.Event {
	return typedevent.New(proto.MessageName(e), 5).
		String("operator", e.Operator).
		Uint64("round", e.Round).
		Uint32("signal_ppm", e.SignalPpm).
		Uint32("score_ppm", e.ScorePpm).
		Uint64("missed", e.Missed).
		Event()
}
