// Package worker is the root of the off-chain half of H3LIX: the packages
// below it make up h3lix-worker. This package holds no code, only the test
// that keeps their import boundaries: the engine knows nothing of the
// chain, worker/chain (and the simulation) are the only bridge to x/, and
// nothing on chain imports the worker.
package worker
