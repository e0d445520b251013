package types

import (
	"github.com/cosmos/gogoproto/proto"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/internal/typedevent"
)

// Event is sdk.TypedEventToEvent(e), built without the JSON round trip:
// finalization emits one per artifact.
func (e *EventArtifactJudged) Event() sdk.Event {
	return typedevent.New(proto.MessageName(e), 5).
		Uint64("round", e.Round).
		Uint64("artifact_id", e.ArtifactId).
		String("producer", e.Producer).
		String("outcome", e.Outcome).
		Uint32("quality_ppm", e.QualityPpm).
		Event()
}
