// Package sygus reads SyGuS problems (v1 and SyGuS-IF 2.1) over the SMT-LIB
// theories of strings, integers and booleans, and evaluates their terms with
// exact SMT-LIB 2.6 string semantics.
package sygus

import (
	"fmt"
	"strings"
	"unicode/utf8"
)

// atomKind classifies an atom of an s-expression.
type atomKind uint8

const (
	atomSymbol atomKind = iota + 1
	atomNumeral
	atomString
)

// sexpr is a parsed s-expression: either an atom or a list. Line is 1-based.
type sexpr struct {
	atom atomKind // zero for lists
	text string   // symbol or numeral text; decoded literal for strings
	list []*sexpr
	line int
}

func (e *sexpr) isList() bool { return e.atom == 0 }

func (e *sexpr) isSym(s string) bool { return e.atom == atomSymbol && e.text == s }

// head returns the symbol at the head of a list, or "".
func (e *sexpr) head() string {
	if e.isList() && len(e.list) > 0 && e.list[0].atom == atomSymbol {
		return e.list[0].text
	}
	return ""
}

func (e *sexpr) String() string {
	switch e.atom {
	case atomSymbol, atomNumeral:
		return e.text
	case atomString:
		return quote(e.text)
	}
	parts := make([]string, len(e.list))
	for i, c := range e.list {
		parts[i] = c.String()
	}
	return "(" + strings.Join(parts, " ") + ")"
}

// Error is a parse or semantic error located at a line of the input.
type Error struct {
	Line int
	Msg  string
}

func (e *Error) Error() string { return fmt.Sprintf("line %d: %s", e.Line, e.Msg) }

func errorf(line int, format string, args ...any) error {
	return &Error{Line: line, Msg: fmt.Sprintf(format, args...)}
}

// readAll splits src into its top-level s-expressions.
func readAll(src string) ([]*sexpr, error) {
	if !utf8.ValidString(src) {
		return nil, errorf(firstInvalidLine(src), "input is not valid UTF-8")
	}
	r := &reader{src: src, line: 1}
	var out []*sexpr
	for {
		r.skipSpace()
		if r.pos >= len(r.src) {
			return out, nil
		}
		e, err := r.read(0)
		if err != nil {
			return nil, err
		}
		out = append(out, e)
	}
}

func firstInvalidLine(s string) int {
	line := 1
	for i := 0; i < len(s); {
		r, n := utf8.DecodeRuneInString(s[i:])
		if r == utf8.RuneError && n <= 1 {
			return line
		}
		if r == '\n' {
			line++
		}
		i += n
	}
	return line
}

type reader struct {
	src  string
	pos  int
	line int
}

// maxDepth bounds nesting so hostile input cannot exhaust the stack.
const maxDepth = 1000

func (r *reader) skipSpace() {
	for r.pos < len(r.src) {
		c := r.src[r.pos]
		switch {
		case c == '\n':
			r.line++
			r.pos++
		case c == ' ' || c == '\t' || c == '\r' || c == '\f' || c == '\v':
			r.pos++
		case c == ';':
			for r.pos < len(r.src) && r.src[r.pos] != '\n' {
				r.pos++
			}
		default:
			return
		}
	}
}

func (r *reader) read(depth int) (*sexpr, error) {
	if depth > maxDepth {
		return nil, errorf(r.line, "expressions nested deeper than %d levels", maxDepth)
	}
	r.skipSpace()
	if r.pos >= len(r.src) {
		return nil, errorf(r.line, "unexpected end of input")
	}
	start := r.line
	switch c := r.src[r.pos]; c {
	case '(':
		r.pos++
		e := &sexpr{line: start}
		for {
			r.skipSpace()
			if r.pos >= len(r.src) {
				return nil, errorf(start, "unclosed '(' (input ends at line %d)", r.line)
			}
			if r.src[r.pos] == ')' {
				r.pos++
				return e, nil
			}
			c, err := r.read(depth + 1)
			if err != nil {
				return nil, err
			}
			e.list = append(e.list, c)
		}
	case ')':
		return nil, errorf(start, "unexpected ')'")
	case '"':
		return r.readString()
	case '|':
		end := strings.IndexByte(r.src[r.pos+1:], '|')
		if end < 0 {
			return nil, errorf(start, "unclosed quoted symbol '|'")
		}
		text := r.src[r.pos+1 : r.pos+1+end]
		r.line += strings.Count(text, "\n")
		r.pos += end + 2
		return &sexpr{atom: atomSymbol, text: text, line: start}, nil
	default:
		begin := r.pos
		for r.pos < len(r.src) && !isDelimiter(r.src[r.pos]) {
			r.pos++
		}
		text := r.src[begin:r.pos]
		kind := atomSymbol
		if isNumeral(text) {
			kind = atomNumeral
		}
		return &sexpr{atom: kind, text: text, line: start}, nil
	}
}

func isDelimiter(c byte) bool {
	switch c {
	case ' ', '\t', '\n', '\r', '\f', '\v', '(', ')', '"', ';', '|':
		return true
	}
	return false
}

// isNumeral accepts SMT-LIB numerals and, as SyGuS v1 grammars do, a leading '-'.
func isNumeral(s string) bool {
	if strings.HasPrefix(s, "-") {
		s = s[1:]
	}
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// readString reads an SMT-LIB 2.6 string literal: "" is an escaped quote and
// \u{X..} / \uXXXX denote code points; any other backslash is literal.
func (r *reader) readString() (*sexpr, error) {
	start := r.line
	r.pos++ // opening quote
	var b strings.Builder
	for {
		if r.pos >= len(r.src) {
			return nil, errorf(start, "unterminated string literal")
		}
		c := r.src[r.pos]
		if c == '"' {
			if r.pos+1 < len(r.src) && r.src[r.pos+1] == '"' {
				b.WriteByte('"')
				r.pos += 2
				continue
			}
			r.pos++
			return &sexpr{atom: atomString, text: b.String(), line: start}, nil
		}
		if c == '\\' {
			if cp, n, ok := unicodeEscape(r.src[r.pos:]); ok {
				b.WriteRune(cp)
				r.pos += n
				continue
			}
		}
		if c == '\n' {
			r.line++
		}
		b.WriteByte(c)
		r.pos++
	}
}

// unicodeEscape decodes \ud3d2d1d0 or \u{d..} (1 to 5 hex digits, at most 0x2FFFF).
func unicodeEscape(s string) (rune, int, bool) {
	if len(s) < 3 || s[1] != 'u' {
		return 0, 0, false
	}
	if s[2] == '{' {
		end := strings.IndexByte(s, '}')
		if end < 4 || end > 8 {
			return 0, 0, false
		}
		v, ok := hexValue(s[3:end])
		if !ok || v > 0x2FFFF {
			return 0, 0, false
		}
		return rune(v), end + 1, true
	}
	if len(s) < 6 {
		return 0, 0, false
	}
	v, ok := hexValue(s[2:6])
	if !ok {
		return 0, 0, false
	}
	return rune(v), 6, true
}

func hexValue(s string) (int, bool) {
	v := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		switch {
		case c >= '0' && c <= '9':
			v = v*16 + int(c-'0')
		case c >= 'a' && c <= 'f':
			v = v*16 + int(c-'a') + 10
		case c >= 'A' && c <= 'F':
			v = v*16 + int(c-'A') + 10
		default:
			return 0, false
		}
	}
	return v, true
}

// quote renders s as an SMT-LIB 2.6 string literal. Non-printable and
// non-ASCII code points are escaped so output stays portable.
func quote(s string) string {
	var b strings.Builder
	b.WriteByte('"')
	for _, r := range s {
		switch {
		case r == '"':
			b.WriteString(`""`)
		case r >= 0x20 && r < 0x7f && r != '\\':
			b.WriteRune(r)
		default:
			fmt.Fprintf(&b, `\u{%x}`, r)
		}
	}
	b.WriteByte('"')
	return b.String()
}
