package pbe

import (
	"bytes"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"math"
	"sort"
	"strings"

	"github.com/h3lix/h3lix/worker/engine"
	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

const (
	// ArtifactSchema versions the payload of a PBE artifact. v2 added
	// typed holes; a v1 payload may hold its task's strings and is not
	// judged (UNAVAILABLE).
	ArtifactSchema = "h3lix/pbe/artifact/v2"
	// Kind and Domain are the manifest fields of PBE artifacts.
	Kind   = "pbe/program"
	Domain = "strings/slia"
	// KindLLM marks the same artifacts when a language model guided the
	// search that found them; the payload and its checks are identical.
	KindLLM = "pbe/program/llm"
	// MinChecks is the least number of check vectors a valid artifact has.
	MinChecks = 4
	// numChecks is how many check vectors Distill generates.
	numChecks = 8
)

// Payload is the content of a PBE artifact. It holds no task data: the
// canonical program with its task constants turned into typed holes
// (hole.go), check vectors on inputs and hole fills the producer generated
// itself, the prior delta the program implies, and keyed hashes of the
// source tasks.
type Payload struct {
	Schema  string   `json:"schema"`
	DSL     string   `json:"dsl"`
	Program string   `json:"program"`
	Params  []string `json:"params"`
	// Holes are the sorts of the program's holes ?0, ?1, ...
	Holes      []string   `json:"holes,omitempty"`
	Ret        string     `json:"ret"`
	Checks     []Check    `json:"checks"`
	PriorDelta PriorDelta `json:"prior_delta"`
	// Provenance lists the source tasks' keyed hashes (HMAC-SHA-256 of the
	// spec under the producer's task key, hex), sorted: they tell the tasks
	// apart without letting anyone match them to a known task.
	Provenance []string `json:"provenance"`
}

// PriorDelta is what the artifact adds to a prior: the production and
// constant counts of its program, in milli-units.
type PriorDelta struct {
	Ops    map[string]int64 `json:"ops"`
	Consts map[string]int64 `json:"consts"`
}

// Encode is canonical: compact JSON, sorted map keys, no HTML escaping.
// Strings inside are SMT-LIB literals with non-ASCII escaped, so the bytes
// are ASCII.
func (p *Payload) Encode() ([]byte, error) {
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(p); err != nil {
		return nil, err
	}
	return bytes.TrimRight(buf.Bytes(), "\n"), nil
}

// DecodePayload parses a payload and insists on its canonical encoding, so
// one content has exactly one byte string (and one CID).
func DecodePayload(b []byte) (*Payload, error) {
	var p Payload
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.DisallowUnknownFields()
	if err := dec.Decode(&p); err != nil {
		return nil, fmt.Errorf("payload: %w", err)
	}
	again, err := p.Encode()
	if err != nil {
		return nil, err
	}
	if !bytes.Equal(again, b) {
		return nil, fmt.Errorf("payload: not in canonical encoding")
	}
	return &p, nil
}

// deltaOf is the prior delta a program implies: one count per node.
func deltaOf(t *sygus.Term, nparams int) PriorDelta {
	d := PriorDelta{Ops: map[string]int64{}, Consts: map[string]int64{}}
	for _, k := range termKeys(t, nparams) {
		if strings.HasPrefix(k, "c:") {
			d.Consts[k] += milli
		} else {
			d.Ops[k] += milli
		}
	}
	return d
}

func equalCounts(a, b map[string]int64) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		if b[k] != v {
			return false
		}
	}
	return true
}

// ErrTooManyHoles is returned for a program with more task constants than
// a payload may hold as holes.
var ErrTooManyHoles = fmt.Errorf("program has more than %d task constants", maxHoles)

// NewPayload builds the payload for a solved program. secrets are the
// source task's example strings (Secrets): constants that overlap them
// become holes, and no check vector contains them.
func NewPayload(prog string, params []string, ret string, secrets, taskHashes []string, seed uint64) (*Payload, error) {
	t, err := ParseCanonical(prog, params, ret)
	if err != nil {
		return nil, err
	}
	h, holes, ok := Hole(t, len(params), secrets)
	if !ok {
		return nil, ErrTooManyHoles
	}
	if !readsParam(h, len(params)) {
		return nil, ErrConstantChecks
	}
	text, hs := Canonical(h), sortNames(holes)
	checks, err := MakeChecks(text, params, hs, ret, seed, numChecks, secrets)
	if err != nil {
		return nil, err
	}
	prov := append([]string(nil), taskHashes...)
	sort.Strings(prov)
	return &Payload{
		Schema: ArtifactSchema, DSL: DSLFingerprint, Program: text, Params: params, Holes: hs, Ret: ret,
		Checks: checks, PriorDelta: deltaOf(h, len(params)), Provenance: prov,
	}, nil
}

// Validate checks a payload against itself: schema, DSL, program, check
// vectors and the prior delta. A non-nil unavailable error means this
// engine cannot judge it; a non-nil invalid error means it is wrong.
func (p *Payload) Validate() (unavailable, invalid error) {
	if p.Schema != ArtifactSchema {
		return fmt.Errorf("unknown schema %q", p.Schema), nil
	}
	if p.DSL != DSLFingerprint {
		return fmt.Errorf("DSL fingerprint %s differs from ours", p.DSL), nil
	}
	t, err := ParseHoled(p.Program, p.Params, p.Holes, p.Ret)
	if err != nil {
		return nil, fmt.Errorf("program does not parse: %v", err)
	}
	if Canonical(t) != p.Program {
		return nil, fmt.Errorf("program is not in canonical form")
	}
	if !readsParam(t, len(p.Params)) {
		// A constant, perhaps behind a hole: its checks differ only by
		// their fills, and it teaches nothing about the task.
		return nil, fmt.Errorf("program reads none of its parameters")
	}
	if len(p.Checks) < MinChecks {
		return nil, fmt.Errorf("%d check vectors, need at least %d", len(p.Checks), MinChecks)
	}
	if distinctOutputs(p.Checks) < 2 {
		return nil, fmt.Errorf("check vectors all have the same output; they cannot tell the program from a constant")
	}
	bad, err := RunChecks(p.Program, p.Params, p.Holes, p.Ret, p.Checks)
	if err != nil {
		return nil, err
	}
	if bad >= 0 {
		return nil, fmt.Errorf("check vector %d does not reproduce", bad)
	}
	d := deltaOf(t, len(p.Params))
	if !equalCounts(d.Ops, p.PriorDelta.Ops) || !equalCounts(d.Consts, p.PriorDelta.Consts) {
		return nil, fmt.Errorf("prior delta does not match the program")
	}
	if len(p.Provenance) == 0 {
		return nil, fmt.Errorf("no provenance")
	}
	for i, h := range p.Provenance {
		if b, err := hex.DecodeString(h); err != nil || len(b) != 32 {
			return nil, fmt.Errorf("provenance %d is not a 32-byte hex digest", i)
		}
		if i > 0 && p.Provenance[i-1] >= h {
			return nil, fmt.Errorf("provenance not sorted and unique")
		}
	}
	return nil, nil
}

// Prior turns a payload into a prior: its delta plus the program as a
// library entry.
func (p *Payload) Prior() *Prior {
	pr := NewPrior()
	pr.Tasks = milli
	for k, v := range p.PriorDelta.Ops {
		pr.Ops[k] = v
	}
	for k, v := range p.PriorDelta.Consts {
		pr.Consts[k] = v
	}
	// Context counts follow from the (validated) program itself, so the
	// payload need not carry them.
	if t, err := ParseHoled(p.Program, p.Params, p.Holes, p.Ret); err == nil {
		for _, k := range ctxKeys(t, len(p.Params)) {
			pr.Ctx[k] += milli
		}
	}
	pr.Library = []LibEntry{{Program: p.Program, Params: p.Params, Holes: p.Holes, Ret: p.Ret, Weight: milli, Checks: p.Checks}}
	return pr
}

// embeddingVocab is the fixed feature list of the embedding: every operator
// key, and constants and variables by sort.
var embeddingVocab = func() []string {
	var v []string
	for op := sygus.Op(1); op.Name() != "?"; op++ {
		switch op {
		case sygus.OpIte, sygus.OpEq, sygus.OpDistinct:
			for _, s := range []sygus.Sort{sygus.SortInt, sygus.SortString, sygus.SortBool} {
				v = append(v, opKey(op, s))
			}
		default:
			v = append(v, op.Name())
		}
	}
	for _, s := range []string{"Int", "String", "Bool"} {
		v = append(v, "c:"+s, "v:"+s)
	}
	return v
}()

// projection[d][k] is +1 or -1, fixed by a hash of the feature name.
var projection = func() [engine.EmbeddingDim][]int64 {
	var p [engine.EmbeddingDim][]int64
	for d := range p {
		p[d] = make([]int64, len(embeddingVocab))
		for k, name := range embeddingVocab {
			h := uint64(14695981039346656037)
			for _, c := range name {
				h = (h ^ uint64(c)) * 1099511628211
			}
			r := rng{s: h ^ uint64(d)*0x9E3779B97F4A7C15}
			if r.next()&1 == 1 {
				p[d][k] = 1
			} else {
				p[d][k] = -1
			}
		}
	}
	return p
}()

// Embed is the canonical embedding of a payload: the program's
// operator-usage histogram, L2-normalised and randomly projected (fixed ±1
// matrix) to 64 int8 coordinates.
func Embed(p *Payload) (engine.Embedding, error) {
	var e engine.Embedding
	index := map[string]int{}
	for i, k := range embeddingVocab {
		index[k] = i
	}
	hist := make([]int64, len(embeddingVocab))
	add := func(k string, n int64) {
		if strings.HasPrefix(k, "c:") {
			k = "c:" + constSort(k).String()
		}
		if i, ok := index[k]; ok {
			hist[i] += n
		}
	}
	for k, v := range p.PriorDelta.Ops {
		add(k, v/milli)
	}
	for k, v := range p.PriorDelta.Consts {
		add(k, v/milli)
	}
	var norm2 int64
	for _, c := range hist {
		norm2 += c * c
	}
	if norm2 == 0 {
		return e, nil
	}
	norm := math.Sqrt(float64(norm2))
	for d := range e {
		var y int64
		for k, c := range hist {
			y += projection[d][k] * c
		}
		q := math.Round(64 * float64(y) / norm)
		e[d] = int8(max(-127, min(127, q)))
	}
	return e, nil
}

// confidence grows with the evidence behind a program and shrinks with its
// size: many examples and a short program make a general solution likely.
func confidence(evidence, size int) engine.PPM {
	if evidence <= 0 {
		return 0
	}
	c := float64(evidence) / float64(evidence+2) * 12 / float64(12+size)
	return engine.PPM(math.Round(c * float64(engine.MaxPPM)))
}

// signature renders "String,Int->String".
func signature(params []string, ret string) string {
	return strings.Join(params, ",") + "->" + ret
}

func parseSignature(s string) ([]string, string, error) {
	i := strings.LastIndex(s, "->")
	if i < 0 {
		return nil, "", fmt.Errorf("malformed signature %q", s)
	}
	var params []string
	if i > 0 {
		params = strings.Split(s[:i], ",")
	}
	return params, s[i+2:], nil
}
