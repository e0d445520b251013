package sygus

import "unicode/utf8"

// Fragment is a well-sorted term over the synth-fun's parameters found in
// free text.
type Fragment struct {
	Term *Term
	// Whole: the text gave it as a complete body (a define-fun of the
	// synth-fun's signature, or a top-level term of its return sort).
	Whole bool
}

// maxFragmentText bounds the text Fragments reads; a model's answer longer
// than this is cut, not refused.
const maxFragmentText = 64 << 10

// Fragments reads free text, such as a language model's answer, for terms
// the synth-fun could use. It tries every balanced s-expression of the text,
// in order: a (define-fun NAME ((x S)...) R body) whose parameter and return
// sorts are the synth-fun's gives its body, renamed to the synth-fun's
// parameters; any other s-expression that builds as a term over those
// parameters gives itself. When an s-expression does not build, its
// sub-expressions are tried instead, so a half-right answer still yields
// the parts that are right (HYSYNTH's partial parses). Terms that call the
// synth-fun itself (echoed constraints) are skipped. At most limit
// fragments are returned; nothing here panics on any input.
func (p *Problem) Fragments(text string, limit int) []Fragment {
	if len(text) > maxFragmentText {
		text = text[:maxFragmentText]
	}
	if !utf8.ValidString(text) {
		text = string([]rune(text)) // invalid bytes become U+FFFD
	}
	var out []Fragment
	// An s-expression that fails to read is never closed: the text after
	// its '(' lies inside it, so nothing there is a whole answer.
	top := true
	closed := closedParens(text)
	for i := 0; i < len(text) && len(out) < limit; {
		if text[i] != '(' {
			i++
			continue
		}
		if !closed[i] {
			// Reading it would scan to the end of the text and fail; with
			// many such parens that is quadratic, so skip it unread.
			i++
			top = false
			continue
		}
		r := &reader{src: text, pos: i, line: 1}
		e, err := r.read(0)
		if err != nil {
			i++ // unbalanced here: an inner '(' may still open a complete term
			top = false
			continue
		}
		p.collect(e, top, &out, limit)
		i = r.pos
	}
	return out
}

func (p *Problem) collect(e *sexpr, top bool, out *[]Fragment, limit int) {
	if len(*out) >= limit || !e.isList() {
		return
	}
	if e.head() == "define-fun" {
		if body, ok := p.defineFunBody(e); ok {
			*out = append(*out, Fragment{Term: body, Whole: top})
			return
		}
		if len(e.list) == 5 {
			p.collect(e.list[4], false, out, limit)
		}
		return
	}
	if t, err := p.build(e, p.Fun.Params, nil, nil); err == nil && p.usable(t) {
		*out = append(*out, Fragment{Term: t, Whole: top && t.Sort == p.Fun.Ret})
		return
	}
	for _, c := range e.list {
		p.collect(c, false, out, limit)
	}
}

// defineFunBody builds the body of a define-fun with the synth-fun's sorts
// and renames its parameters to the synth-fun's, by position.
func (p *Problem) defineFunBody(e *sexpr) (*Term, bool) {
	if len(e.list) != 5 {
		return nil, false
	}
	params, err := parseParams(e.list[2])
	if err != nil || len(params) != len(p.Fun.Params) {
		return nil, false
	}
	for i, v := range params {
		if v.Sort != p.Fun.Params[i].Sort {
			return nil, false
		}
	}
	if ret, err := parseSort(e.list[3]); err != nil || ret != p.Fun.Ret {
		return nil, false
	}
	body, err := p.build(e.list[4], params, nil, nil)
	if err != nil || body.Sort != p.Fun.Ret || !p.usable(body) {
		return nil, false
	}
	NameVars(body, p.Fun.Params)
	return body, true
}

// usable: t neither calls the synth-fun nor reads a variable that is not
// one of its parameters.
func (p *Problem) usable(t *Term) bool {
	if t.Kind == TermCall && t.Name == p.Fun.Name || t.Kind == TermVar && t.Index < 0 {
		return false
	}
	for _, a := range t.Args {
		if !p.usable(a) {
			return false
		}
	}
	return true
}

// NameVars gives each parameter variable of t the name of the parameter at
// its position in params, so a term read under other names (a model's
// define-fun, a canonical $0 program) prints as the synth-fun's.
func NameVars(t *Term, params []Var) {
	if t.Kind == TermVar && t.Index >= 0 && t.Index < len(params) {
		t.Name = params[t.Index].Name
	}
	for _, a := range t.Args {
		NameVars(a, params)
	}
}

// closedParens marks the '(' of text that a matching ')' closes, skipping
// string literals, |quoted symbols| and comments as the reader does, in one
// pass.
func closedParens(text string) []bool {
	closed := make([]bool, len(text))
	var open []int
	for i := 0; i < len(text); i++ {
		switch text[i] {
		case '(':
			open = append(open, i)
		case ')':
			if n := len(open); n > 0 {
				closed[open[n-1]] = true
				open = open[:n-1]
			}
		case '"':
			for i++; i < len(text); i++ {
				if text[i] == '"' {
					if i+1 < len(text) && text[i+1] == '"' {
						i++ // "" is an escaped quote
						continue
					}
					break
				}
			}
		case '|':
			for i++; i < len(text) && text[i] != '|'; i++ {
			}
		case ';':
			for i++; i < len(text) && text[i] != '\n'; i++ {
			}
		}
	}
	return closed
}
