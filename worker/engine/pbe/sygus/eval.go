package sygus

import (
	"fmt"
)

// Eval evaluates t. env binds the parameters of the enclosing function (by
// Index); body, when non-nil, defines the synth-fun for calls to it.
func (p *Problem) Eval(t *Term, env []Value, body *Term) (Value, error) {
	return p.eval(t, env, body, 0, false)
}

const maxCallDepth = 256

// maxStringBytes bounds intermediate strings during evaluation.
const maxStringBytes = 1 << 20

func (p *Problem) eval(t *Term, env []Value, body *Term, depth int, inBody bool) (Value, error) {
	switch t.Kind {
	case TermConst:
		return t.Val, nil
	case TermVar:
		if t.Index < 0 || t.Index >= len(env) {
			return Value{}, ErrNotGround
		}
		return env[t.Index], nil
	case TermApp:
		if t.Op == OpIte { // lazy, so an undefined branch not taken is harmless
			c, err := p.eval(t.Args[0], env, body, depth, inBody)
			if err != nil {
				return Value{}, err
			}
			if c.Bool {
				return p.eval(t.Args[1], env, body, depth, inBody)
			}
			return p.eval(t.Args[2], env, body, depth, inBody)
		}
		var buf [4]Value
		args := buf[:0]
		for _, a := range t.Args {
			v, err := p.eval(a, env, body, depth, inBody)
			if err != nil {
				return Value{}, err
			}
			args = append(args, v)
		}
		v, err := Apply(t.Op, args)
		if err == nil && v.Sort == SortString && len(v.Str) > maxStringBytes {
			return Value{}, fmt.Errorf("line %d: string longer than %d bytes", t.Line, maxStringBytes)
		}
		return v, err
	case TermCall:
		if depth > maxCallDepth {
			return Value{}, fmt.Errorf("line %d: calls nested deeper than %d", t.Line, maxCallDepth)
		}
		args := make([]Value, len(t.Args))
		for i, a := range t.Args {
			v, err := p.eval(a, env, body, depth, inBody)
			if err != nil {
				return Value{}, err
			}
			args[i] = v
		}
		if t.Name == p.Fun.Name {
			if inBody {
				return Value{}, fmt.Errorf("line %d: recursive call of %s", t.Line, t.Name)
			}
			if body == nil {
				return Value{}, fmt.Errorf("line %d: %s has no definition yet", t.Line, t.Name)
			}
			return p.eval(body, args, body, depth+1, true)
		}
		d := p.def(t.Name)
		if d == nil {
			return Value{}, fmt.Errorf("line %d: unknown function %s", t.Line, t.Name)
		}
		return p.eval(d.Body, args, body, depth+1, inBody)
	}
	return Value{}, fmt.Errorf("line %d: cannot evaluate grammar term %s", t.Line, t)
}

// Check reports whether body, as the definition of the synth-fun, satisfies
// every constraint. The error names the first violated constraint's line.
func (p *Problem) Check(body *Term) error {
	if body.Sort != p.Fun.Ret {
		return fmt.Errorf("solution has sort %s, %s returns %s", body.Sort, p.Fun.Name, p.Fun.Ret)
	}
	for _, c := range p.Constraints {
		v, err := p.Eval(c.Term, nil, body)
		if err != nil {
			return fmt.Errorf("line %d: %w", c.Line, err)
		}
		if !v.Bool {
			return fmt.Errorf("line %d: constraint violated", c.Line)
		}
	}
	return nil
}

// DefineFun renders body as the SyGuS competition answer for the synth-fun.
func (p *Problem) DefineFun(body *Term) string {
	s := "(define-fun " + p.Fun.Name + " ("
	for i, v := range p.Fun.Params {
		if i > 0 {
			s += " "
		}
		s += "(" + v.Name + " " + v.Sort.String() + ")"
	}
	return s + ") " + p.Fun.Ret.String() + " " + body.String() + ")"
}

// ParseBody parses a term over the synth-fun's parameters (a solution body),
// e.g. one stored in a learned library.
func (p *Problem) ParseBody(src string) (*Term, error) {
	es, err := readAll(src)
	if err != nil {
		return nil, err
	}
	if len(es) != 1 {
		return nil, errorf(1, "expected one term, got %d", len(es))
	}
	return p.build(es[0], p.Fun.Params, nil, nil)
}
