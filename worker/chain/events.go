package chain

import (
	"context"
	"time"

	rpchttp "github.com/cometbft/cometbft/rpc/client/http"
	cmttypes "github.com/cometbft/cometbft/types"
)

// Heights sends the latest height each time a block is committed, until ctx
// ends. It listens on the CometBFT websocket when an RPC address is
// configured and also polls over gRPC, quickly while the websocket is down
// and slowly as a watchdog while it is up, so a dropped subscription never
// stalls the round loop. Heights only increase; a slow reader sees the
// latest one (intermediate heights may be skipped).
func (c *Client) Heights(ctx context.Context) <-chan int64 {
	out := make(chan int64, 1)
	events := make(chan int64, 16)
	wsUp := make(chan bool, 1)
	if c.cfg.RPC != "" {
		go c.subscribe(ctx, events, wsUp)
	}
	go func() {
		defer close(out)
		var last int64
		emit := func(h int64) {
			if h <= last {
				return
			}
			last = h
			select { // keep only the newest height for a slow reader
			case <-out:
			default:
			}
			out <- h
		}
		fast, slow := 500*time.Millisecond, 5*time.Second
		poll := time.NewTimer(0)
		defer poll.Stop()
		interval := fast
		for {
			select {
			case <-ctx.Done():
				return
			case up := <-wsUp:
				interval = fast
				if up {
					interval = slow
				}
			case h := <-events:
				emit(h)
			case <-poll.C:
				pctx, cancel := context.WithTimeout(ctx, 5*time.Second)
				if h, err := c.LatestHeight(pctx); err == nil {
					emit(h)
				}
				cancel()
				poll.Reset(interval)
			}
		}
	}()
	return out
}

// subscribe keeps a NewBlockHeader subscription open, reconnecting with
// backoff, and reports whether it is up.
func (c *Client) subscribe(ctx context.Context, events chan<- int64, up chan bool) {
	report := func(v bool) {
		select {
		case <-up:
		default:
		}
		up <- v
	}
	backoff := time.Second
	for ctx.Err() == nil {
		// Why the subscription ended does not matter: polling covers the
		// gap and the loop below reconnects.
		_ = c.subscribeOnce(ctx, events, func() { report(true); backoff = time.Second })
		report(false)
		if ctx.Err() != nil {
			return
		}
		select {
		case <-ctx.Done():
			return
		case <-time.After(backoff):
		}
		backoff = min(2*backoff, 30*time.Second)
	}
}

func (c *Client) subscribeOnce(ctx context.Context, events chan<- int64, connected func()) error {
	rpc, err := rpchttp.New(c.cfg.RPC, "/websocket")
	if err != nil {
		return err
	}
	if err := rpc.Start(); err != nil {
		return err
	}
	defer rpc.Stop() //nolint:errcheck // best effort on shutdown
	sub, err := rpc.Subscribe(ctx, "h3lix-worker", cmttypes.QueryForEvent(cmttypes.EventNewBlockHeader).String(), 16)
	if err != nil {
		return err
	}
	connected()
	// The websocket client reconnects by itself but does not tell us when
	// it has given up; a header gap longer than this means it is gone.
	const silence = 20 * time.Second
	timer := time.NewTimer(silence)
	defer timer.Stop()
	for {
		select {
		case <-ctx.Done():
			return ctx.Err()
		case <-timer.C:
			return context.DeadlineExceeded
		case ev, ok := <-sub:
			if !ok {
				return nil
			}
			if h, ok := ev.Data.(cmttypes.EventDataNewBlockHeader); ok {
				select {
				case events <- h.Header.Height:
				default:
				}
			}
			timer.Reset(silence)
		}
	}
}
