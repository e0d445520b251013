// Package llm will hold the OpenAI-compatible HTTP engine (llama.cpp
// server, Ollama, vLLM) behind engine.Engine. Only its configuration and
// the interface assertion exist so far; every method reports that it is not
// implemented yet.
package llm

import (
	"context"

	"github.com/h3lix/h3lix/worker/engine"
)

// Config locates an OpenAI-compatible server.
type Config struct {
	BaseURL string // e.g. http://127.0.0.1:8080/v1
	Model   string
}

// Engine is the (not yet implemented) LLM engine.
type Engine struct{ cfg Config }

var _ engine.Engine = (*Engine)(nil)

// New returns an LLM engine for cfg.
func New(cfg Config) *Engine { return &Engine{cfg: cfg} }

// Name identifies the engine.
func (e *Engine) Name() string { return "llm/openai" }

// Solve is not implemented yet.
func (e *Engine) Solve(context.Context, engine.Task, engine.Budget) (engine.Result, error) {
	return engine.Result{}, engine.NotImplemented("llm engine: Solve")
}

// Verify is not implemented yet.
func (e *Engine) Verify(context.Context, engine.Artifact) (engine.Verification, error) {
	return engine.Verification{}, engine.NotImplemented("llm engine: Verify")
}

// Distill is not implemented yet.
func (e *Engine) Distill(context.Context, []engine.Result) ([]engine.Artifact, error) {
	return nil, engine.NotImplemented("llm engine: Distill")
}

// Condition is not implemented yet.
func (e *Engine) Condition(context.Context, []engine.WeightedArtifact) (engine.ConditionReport, error) {
	return engine.ConditionReport{}, engine.NotImplemented("llm engine: Condition")
}

// Embed is not implemented yet.
func (e *Engine) Embed([]byte) (engine.Embedding, error) {
	return engine.Embedding{}, engine.NotImplemented("llm engine: Embed")
}
