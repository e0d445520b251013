// Package engine defines the interface between the H3LIX worker and a local
// inference engine. Two kinds of engine sit behind it: the embedded
// programming-by-example synthesizer (package pbe, the default, no model
// weights) and the same synthesizer guided by a language model behind an
// OpenAI-compatible API (package llm: Ollama, llama.cpp's server, vLLM). Everything an engine exchanges with the network is an
// Artifact: opaque payload bytes with a versioned schema and a canonical
// encoding, plus the fixed-size manifest fields the chain records.
package engine

import (
	"context"
	"errors"
	"fmt"
	"time"
)

// EmbeddingDim is the dimension of the canonical int8 embedding (the chain's
// default embedding_dim).
const EmbeddingDim = 64

// Embedding is the canonical embedding of an artifact in the field.
type Embedding [EmbeddingDim]int8

// PPM is a fixed-point fraction in parts per million, 0..1_000_000.
type PPM uint32

// MaxPPM is 1.0 in parts per million.
const MaxPPM PPM = 1_000_000

// Task is one unit of work. Spec is engine specific: a SyGuS problem for the
// PBE engine, a prompt with a checker for an LLM engine.
type Task struct {
	ID     string
	Domain string
	Spec   []byte
	// Probe marks a measurement (a held-out or validation task): it is
	// solved like any other, but the engine does not keep it among the
	// node's own tasks, which verification and the conditioning guard
	// learn from, so a measured set never informs what it measures.
	Probe bool
}

// Budget bounds one Solve call. Zero fields mean "no bound" except Seed,
// which with Candidates fixes the result: the same task, seed, candidate
// budget and conditioning give the same answer. Wall is a safety net that
// makes results depend on the machine.
type Budget struct {
	Candidates int64
	Wall       time.Duration
	Seed       uint64
}

// Result is the outcome of Solve.
type Result struct {
	TaskID string
	// TaskHash is a keyed hash of the task spec (for PBE, HMAC-SHA-256
	// under the node's task key); artifacts cite it as provenance without
	// revealing the task or letting anyone match it to a known one.
	TaskHash [32]byte
	Solved   bool
	// Answer is what the engine prints for the user: for PBE the SyGuS
	// competition output, (define-fun ...) or (fail).
	Answer string
	// Program is the canonical, engine-specific form of the solution that
	// Distill consumes (for PBE: the body over positional parameters).
	Program string
	// Signature names the sorts the program maps between, e.g. "String,Int->String".
	Signature  string
	Candidates int64
	Elapsed    time.Duration
	Size       int
	// Evidence is how many constraints the answer was checked against.
	Evidence int
	// Reason says why an unsolved task stopped (budget, time, unsupported...).
	Reason string
	// Note says how the engine worked, when it is worth telling the user
	// (e.g. that a language model's guidance was unavailable).
	Note string
	// Guided says a language model's samples steered the search (the llm
	// engine); Distill marks only such results' artifacts as guided.
	Guided bool
	// Private lists the task's data that nothing shared may contain (for
	// PBE, its example strings of two or more characters). Distill keeps
	// it out of artifacts; it never leaves the node.
	Private []string `json:"-"`
}

// Verdict is a verifier's judgement of an artifact, as attested on chain.
type Verdict uint8

const (
	VerdictUnspecified Verdict = iota
	VerdictValid
	VerdictInvalid
	// VerdictUnavailable: the payload could not be fetched, decoded or run
	// here (unknown schema, incompatible DSL). It is not evidence of fraud.
	VerdictUnavailable
)

func (v Verdict) String() string {
	switch v {
	case VerdictValid:
		return "VALID"
	case VerdictInvalid:
		return "INVALID"
	case VerdictUnavailable:
		return "UNAVAILABLE"
	}
	return "UNSPECIFIED"
}

// Verification is the outcome of Verify.
type Verification struct {
	Verdict Verdict
	Quality PPM
	Reason  string
}

// Manifest holds the fixed-size fields revealed on chain next to the CID.
type Manifest struct {
	Kind        string // e.g. "pbe/program"
	Domain      string // e.g. "strings/slia"
	Embedding   Embedding
	Confidence  PPM
	PayloadSize uint64
}

// Artifact is a distilled learning signal: canonical payload bytes plus manifest.
type Artifact struct {
	Manifest Manifest
	Payload  []byte
}

// WeightedArtifact is a member of a finalized field with its weight.
type WeightedArtifact struct {
	Artifact Artifact
	Weight   PPM
}

// ConditionReport says what Condition took from a field.
type ConditionReport struct {
	Accepted int
	Rejected int
	Reasons  []string // one line per rejected artifact
	// Kept, when not empty, says why the engine turned the update down
	// (it would have done worse on the node's own tasks), and whether it
	// adopted its own artifacts of the field instead.
	Kept string
}

// Engine is a local inference engine.
type Engine interface {
	// Name identifies the engine and its version, e.g. "pbe/v1".
	Name() string
	// Solve attempts task within budget. It returns promptly when ctx is
	// cancelled, with Solved=false and the reason. An error means the task
	// could not be read (malformed or unsupported), not that it was unsolved.
	Solve(ctx context.Context, task Task, budget Budget) (Result, error)
	// Verify re-checks an artifact produced by another node.
	Verify(ctx context.Context, a Artifact) (Verification, error)
	// Distill turns solved work into artifacts. Payloads must not contain
	// the raw task data.
	Distill(ctx context.Context, solved []Result) ([]Artifact, error)
	// Condition updates the engine from a weighted field of artifacts.
	// Artifacts that fail verification are skipped and reported.
	Condition(ctx context.Context, field []WeightedArtifact) (ConditionReport, error)
	// Embed computes the canonical embedding of a payload, the same one
	// Distill puts in the manifest, so verifiers can recompute it.
	Embed(payload []byte) (Embedding, error)
}

// ErrNotImplemented marks functionality that is planned but not built.
var ErrNotImplemented = errors.New("not implemented yet")

// NotImplemented wraps ErrNotImplemented with what is missing.
func NotImplemented(what string) error { return fmt.Errorf("%s: %w", what, ErrNotImplemented) }

// Stateful is implemented by engines that can save what they have learned
// (for PBE: the conditioned prior) and load it again, so a restarted worker
// keeps the collective's lessons.
type Stateful interface {
	SaveState() ([]byte, error)
	LoadState([]byte) error
}

// Guided is implemented by engines that guide another one: the llm engine
// guides the PBE search with a language model's samples.
type Guided interface {
	// Base returns the guided engine alone, with everything it has
	// learned and been conditioned on.
	Base() Engine
}

// BaseOf returns e's base engine if e guides one, else e.
func BaseOf(e Engine) Engine {
	if g, ok := e.(Guided); ok {
		return g.Base()
	}
	return e
}
