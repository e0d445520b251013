package chain_test

import (
	"context"
	"net"
	"testing"
	"time"

	"github.com/stretchr/testify/require"

	"github.com/h3lix/h3lix/worker/chain"
)

// TestHeights follows blocks three ways: over the websocket, by polling
// only, and with a websocket address that refuses connections.
func TestHeights(t *testing.T) {
	t.Parallel()
	tc := startChain(t)

	// A port nobody listens on: bind it, then let it go.
	l, err := net.Listen("tcp", "127.0.0.1:0")
	require.NoError(t, err)
	refused := "tcp://" + l.Addr().String()
	require.NoError(t, l.Close())

	for _, c := range []struct {
		name string
		rpc  string
		// within the window, how many heights must arrive at least
		min int
	}{
		// Once the websocket is up the gRPC poll slows to one per 5 s, so
		// several heights in 3 s can only have come over the websocket.
		{"websocket", tc.cfg.RPC, 3},
		{"polling only", "", 2},
		{"websocket refused, polling", refused, 2},
	} {
		t.Run(c.name, func(t *testing.T) {
			t.Parallel()
			cfg := tc.cfg
			cfg.RPC = c.rpc
			client, err := chain.Dial(cfg)
			require.NoError(t, err)
			defer client.Close()
			ctx, cancel := context.WithCancel(context.Background())
			defer cancel()
			hs := client.Heights(ctx)

			var last int64
			next := func(within time.Duration) (int64, bool) {
				select {
				case h, ok := <-hs:
					require.True(t, ok, "Heights closed while ctx is live")
					require.Greater(t, h, last, "heights only increase")
					last = h
					return h, true
				case <-time.After(within):
					return 0, false
				}
			}
			_, ok := next(5 * time.Second)
			require.True(t, ok, "no first height in 5 s")
			// Let the websocket come up and the poll slow down.
			warm := time.After(2 * time.Second)
		drain:
			for {
				select {
				case <-warm:
					break drain
				default:
					next(100 * time.Millisecond)
				}
			}
			n := 0
			deadline := time.Now().Add(3 * time.Second)
			for time.Until(deadline) > 0 {
				if _, ok := next(time.Until(deadline)); ok {
					n++
				}
			}
			require.GreaterOrEqual(t, n, c.min, "heights in 3 s")

			cancel()
			select {
			case _, ok := <-hs:
				for ok {
					_, ok = <-hs
				}
			case <-time.After(2 * time.Second):
				t.Fatal("Heights did not close after ctx ended")
			}
		})
	}
}
