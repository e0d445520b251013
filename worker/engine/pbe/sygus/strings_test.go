package sygus

import (
	"errors"
	"testing"
)

// evalTerm parses and evaluates a closed term.
func evalTerm(t *testing.T, src string) (Value, error) {
	t.Helper()
	p := &Problem{Fun: SynthFun{Name: "f"}}
	term, err := p.ParseBody(src)
	if err != nil {
		t.Fatalf("parse %s: %v", src, err)
	}
	return p.Eval(term, nil, nil)
}

func TestSemantics(t *testing.T) {
	cases := []struct {
		name string
		term string
		want Value
	}{
		// str.++ and str.len (code points, not bytes)
		{"concat", `(str.++ "ab" "" "c")`, StrVal("abc")},
		{"len ascii", `(str.len "hello")`, IntVal(5)},
		{"len empty", `(str.len "")`, IntVal(0)},
		{"len code points", `(str.len "\u{e9}t\u{e9}")`, IntVal(3)},
		{"len astral", `(str.len "\u{1F600}")`, IntVal(1)},
		{"escaped quote", `(str.len "a""b")`, IntVal(3)},
		// str.substr
		{"substr middle", `(str.substr "abcdef" 1 3)`, StrVal("bcd")},
		{"substr past end", `(str.substr "abc" 1 10)`, StrVal("bc")},
		{"substr start at len", `(str.substr "abc" 3 1)`, StrVal("")},
		{"substr start beyond", `(str.substr "abc" 7 1)`, StrVal("")},
		{"substr negative start", `(str.substr "abc" (- 1) 2)`, StrVal("")},
		{"substr zero length", `(str.substr "abc" 0 0)`, StrVal("")},
		{"substr negative length", `(str.substr "abc" 0 (- 2))`, StrVal("")},
		{"substr code points", `(str.substr "h\u{e9}llo" 1 2)`, StrVal("\u00e9l")},
		// str.at
		{"at", `(str.at "abc" 1)`, StrVal("b")},
		{"at len", `(str.at "abc" 3)`, StrVal("")},
		{"at negative", `(str.at "abc" (- 1))`, StrVal("")},
		{"at code point", `(str.at "\u{e9}x" 0)`, StrVal("\u00e9")},
		// str.indexof
		{"indexof", `(str.indexof "abcabc" "c" 0)`, IntVal(2)},
		{"indexof from", `(str.indexof "abcabc" "c" 3)`, IntVal(5)},
		{"indexof missing", `(str.indexof "abc" "d" 0)`, IntVal(-1)},
		{"indexof empty pattern", `(str.indexof "abc" "" 2)`, IntVal(2)},
		{"indexof empty pattern at len", `(str.indexof "abc" "" 3)`, IntVal(3)},
		{"indexof empty pattern beyond", `(str.indexof "abc" "" 4)`, IntVal(-1)},
		{"indexof negative start", `(str.indexof "abc" "a" (- 1))`, IntVal(-1)},
		{"indexof start beyond", `(str.indexof "abc" "a" 9)`, IntVal(-1)},
		{"indexof empty in empty", `(str.indexof "" "" 0)`, IntVal(0)},
		{"indexof code points", `(str.indexof "\u{e9}\u{e9}x" "x" 0)`, IntVal(2)},
		// str.replace: first occurrence only; empty pattern prepends
		{"replace first", `(str.replace "a-b-c" "-" ".")`, StrVal("a.b-c")},
		{"replace missing", `(str.replace "abc" "x" "y")`, StrVal("abc")},
		{"replace empty pattern", `(str.replace "abc" "" "x")`, StrVal("xabc")},
		{"replace to empty", `(str.replace "abc" "b" "")`, StrVal("ac")},
		{"replace_all", `(str.replace_all "a-b-c" "-" ".")`, StrVal("a.b.c")},
		{"replace_all empty", `(str.replace_all "abc" "" "x")`, StrVal("abc")},
		{"replace_all non-overlapping", `(str.replace_all "aaa" "aa" "b")`, StrVal("ba")},
		// str.to_int / str.to.int
		{"to_int", `(str.to_int "0042")`, IntVal(42)},
		{"to.int old name", `(str.to.int "17")`, IntVal(17)},
		{"to_int empty", `(str.to_int "")`, IntVal(-1)},
		{"to_int sign", `(str.to_int "-5")`, IntVal(-1)},
		{"to_int letters", `(str.to_int "12a")`, IntVal(-1)},
		{"to_int space", `(str.to_int " 1")`, IntVal(-1)},
		// str.from_int / int.to.str
		{"from_int", `(str.from_int 305)`, StrVal("305")},
		{"int.to.str old name", `(int.to.str 0)`, StrVal("0")},
		{"from_int negative", `(str.from_int (- 3))`, StrVal("")},
		{"from_int v1 negative literal", `(int.to.str -3)`, StrVal("")},
		// prefixof / suffixof: first argument is the prefix / suffix
		{"prefixof", `(str.prefixof "ab" "abc")`, BoolVal(true)},
		{"prefixof reversed", `(str.prefixof "abc" "ab")`, BoolVal(false)},
		{"prefixof empty", `(str.prefixof "" "abc")`, BoolVal(true)},
		{"suffixof", `(str.suffixof "bc" "abc")`, BoolVal(true)},
		{"suffixof reversed", `(str.suffixof "abc" "bc")`, BoolVal(false)},
		{"contains", `(str.contains "abc" "bc")`, BoolVal(true)},
		{"contains reversed", `(str.contains "bc" "abc")`, BoolVal(false)},
		{"contains empty", `(str.contains "abc" "")`, BoolVal(true)},
		// order, digits and codes
		{"str.<", `(str.< "abc" "abd")`, BoolVal(true)},
		{"str.< prefix", `(str.< "ab" "abc")`, BoolVal(true)},
		{"str.<= equal", `(str.<= "ab" "ab")`, BoolVal(true)},
		{"is_digit", `(str.is_digit "7")`, BoolVal(true)},
		{"is_digit two", `(str.is_digit "77")`, BoolVal(false)},
		{"to_code", `(str.to_code "A")`, IntVal(65)},
		{"to_code long", `(str.to_code "AB")`, IntVal(-1)},
		{"from_code", `(str.from_code 97)`, StrVal("a")},
		{"from_code out of range", `(str.from_code 200000)`, StrVal("")},
		// integers
		{"add n-ary", `(+ 1 2 3)`, IntVal(6)},
		{"sub", `(- 5 7)`, IntVal(-2)},
		{"negate", `(- (str.len "ab"))`, IntVal(-2)},
		{"div euclid", `(div (- 7) 2)`, IntVal(-4)},
		{"mod euclid", `(mod (- 7) 2)`, IntVal(1)},
		{"div negative divisor", `(div 7 (- 2))`, IntVal(-3)},
		{"mod negative divisor", `(mod 7 (- 2))`, IntVal(1)},
		{"abs", `(abs (- 4))`, IntVal(4)},
		// booleans
		{"ite", `(ite (= 1 2) "a" "b")`, StrVal("b")},
		{"and", `(and true false)`, BoolVal(false)},
		{"implies", `(=> false false)`, BoolVal(true)},
		{"distinct", `(distinct 1 2 1)`, BoolVal(false)},
		{"let", `(let ((x "ab")) (str.++ x x))`, StrVal("abab")},
	}
	for _, c := range cases {
		t.Run(c.name, func(t *testing.T) {
			got, err := evalTerm(t, c.term)
			if err != nil {
				t.Fatalf("%s: %v", c.term, err)
			}
			if got != c.want {
				t.Fatalf("%s = %s, want %s", c.term, got, c.want)
			}
		})
	}
}

func TestSemanticsUndefined(t *testing.T) {
	for _, src := range []string{
		`(str.to_int "99999999999999999999")`,
		`(+ 9223372036854775807 1)`,
		`(div 1 0)`,
	} {
		if _, err := evalTerm(t, src); !errors.Is(err, ErrOverflow) && !errors.Is(err, ErrUndefined) {
			t.Errorf("%s: err = %v, want overflow or undefined", src, err)
		}
	}
	// A non-digit anywhere is -1 even when the digits would overflow.
	if v, err := evalTerm(t, `(str.to_int "99999999999999999999x")`); err != nil || v != IntVal(-1) {
		t.Errorf("got %v, %v; want -1", v, err)
	}
}

func TestQuoteRoundTrip(t *testing.T) {
	for _, s := range []string{"", "a\"b", `back\slash`, `\u{41}`, "caf\u00e9", "tab\there", "\U0001F600"} {
		v, err := evalTerm(t, StrVal(s).String())
		if err != nil || v.Str != s {
			t.Errorf("round trip of %q via %s: got %q, %v", s, StrVal(s), v.Str, err)
		}
	}
}
