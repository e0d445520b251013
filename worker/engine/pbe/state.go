package pbe

import "github.com/h3lix/h3lix/worker/engine"

var _ engine.Stateful = (*Engine)(nil)

// SaveState encodes the engine's current prior (canonical JSON).
func (e *Engine) SaveState() ([]byte, error) { return e.Prior().Encode() }

// LoadState replaces the engine's prior with an encoded one.
func (e *Engine) LoadState(b []byte) error {
	p, err := DecodePrior(b)
	if err != nil {
		return err
	}
	e.mu.Lock()
	e.prior = p
	e.mu.Unlock()
	return nil
}
