package types_test

import (
	"math"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/ccf/types"
)

// The hand-built event is the typed event, attribute for attribute: a field
// added to the proto and not to Event() fails here.
func TestArtifactJudgedEventMatchesTypedEvent(t *testing.T) {
	for _, e := range []types.EventArtifactJudged{
		{},
		{Round: 3, ArtifactId: 77, Producer: "h3lix1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn7hzdtn", Outcome: "in_field", QualityPpm: 812_345},
		{Round: math.MaxUint64, ArtifactId: math.MaxUint64, Producer: `<&"\é>`, Outcome: "no_consensus", QualityPpm: math.MaxUint32},
	} {
		want, err := sdk.TypedEventToEvent(&e)
		require.NoError(t, err)
		require.Equal(t, want, e.Event())
		back, err := sdk.ParseTypedEvent(abci.Event(e.Event()))
		require.NoError(t, err)
		require.Equal(t, &e, back)
	}
}
