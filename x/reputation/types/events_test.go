package types_test

import (
	"math"
	"testing"

	abci "github.com/cometbft/cometbft/abci/types"
	"github.com/stretchr/testify/require"

	sdk "github.com/cosmos/cosmos-sdk/types"

	"github.com/h3lix/h3lix/x/reputation/types"
)

// The hand-built event is the typed event, attribute for attribute: a field
// added to the proto and not to Event() fails here.
func TestRoundScoredEventMatchesTypedEvent(t *testing.T) {
	for _, e := range []types.EventRoundScored{
		{},
		{Operator: "h3lix1qqqsyqcyq5rqwzqfpg9scrgwpugpzysn7hzdtn", Round: 9, SignalPpm: 500_000, ScorePpm: 612_000, Missed: 2},
		{Operator: `<&"\é>`, Round: math.MaxUint64, SignalPpm: math.MaxUint32, ScorePpm: math.MaxUint32, Missed: math.MaxUint64},
	} {
		want, err := sdk.TypedEventToEvent(&e)
		require.NoError(t, err)
		require.Equal(t, want, e.Event())
		back, err := sdk.ParseTypedEvent(abci.Event(e.Event()))
		require.NoError(t, err)
		require.Equal(t, &e, back)
	}
}
