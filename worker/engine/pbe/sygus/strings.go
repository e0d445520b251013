package sygus

import (
	"errors"
	"math"
	"strconv"
	"strings"
	"unicode/utf8"
)

// The functions below implement the SMT-LIB 2.6 theory of strings. Strings are
// sequences of code points; every index and length counts code points. Go
// strings hold UTF-8, so each function has an ASCII fast path (byte index =
// code point index) and a general path.

// ErrOverflow reports an integer result outside int64. SMT-LIB integers are
// unbounded; such a result has no representation here and the term is treated
// as undefined (a candidate producing it never matches).
var ErrOverflow = errors.New("integer overflow: value outside int64")

// ErrUndefined reports an application SMT-LIB leaves unspecified (div/mod by 0).
var ErrUndefined = errors.New("value is unspecified by SMT-LIB (division by zero)")

// IsASCII reports whether every byte of s is below 0x80.
func IsASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= utf8.RuneSelf {
			return false
		}
	}
	return true
}

// Len is str.len: the number of code points.
func Len(s string) int64 {
	if IsASCII(s) {
		return int64(len(s))
	}
	return int64(utf8.RuneCountInString(s))
}

// byteOffset returns the byte offset of code point index i (0 <= i <= len).
func byteOffset(s string, i int64) int {
	var n int64
	for off := range s {
		if n == i {
			return off
		}
		n++
	}
	return len(s)
}

// Substr is str.substr s i n: the longest substring of s starting at code
// point i with at most n code points; "" unless 0 <= i < |s| and n > 0.
func Substr(s string, i, n int64) string {
	if IsASCII(s) {
		l := int64(len(s))
		if i < 0 || i >= l || n <= 0 {
			return ""
		}
		if n > l-i {
			n = l - i
		}
		return s[i : i+n]
	}
	l := int64(utf8.RuneCountInString(s))
	if i < 0 || i >= l || n <= 0 {
		return ""
	}
	if n > l-i {
		n = l - i
	}
	a := byteOffset(s, i)
	b := a + byteOffset(s[a:], n)
	return s[a:b]
}

// At is str.at s i = str.substr s i 1.
func At(s string, i int64) string { return Substr(s, i, 1) }

// PrefixOf is str.prefixof s t: s is a prefix of t (note the argument order).
func PrefixOf(s, t string) bool { return strings.HasPrefix(t, s) }

// SuffixOf is str.suffixof s t: s is a suffix of t.
func SuffixOf(s, t string) bool { return strings.HasSuffix(t, s) }

// Contains is str.contains s t: t occurs in s.
func Contains(s, t string) bool { return strings.Contains(s, t) }

// IndexOf is str.indexof s t i: the first code point position >= i where t
// occurs in s; -1 if there is none or i is outside [0, |s|]. An empty t is
// found at i itself when 0 <= i <= |s|.
func IndexOf(s, t string, i int64) int64 {
	if IsASCII(s) {
		l := int64(len(s))
		if i < 0 || i > l {
			return -1
		}
		k := strings.Index(s[i:], t)
		if k < 0 {
			return -1
		}
		return i + int64(k)
	}
	l := int64(utf8.RuneCountInString(s))
	if i < 0 || i > l {
		return -1
	}
	a := byteOffset(s, i)
	k := strings.Index(s[a:], t)
	if k < 0 {
		return -1
	}
	// Matching on valid UTF-8 at a rune boundary yields a rune boundary.
	return i + int64(utf8.RuneCountInString(s[a:a+k]))
}

// Replace is str.replace s t u: s with the first occurrence of t replaced by
// u; s if t does not occur; u ++ s if t is empty.
func Replace(s, t, u string) string {
	if t == "" {
		return u + s
	}
	k := strings.Index(s, t)
	if k < 0 {
		return s
	}
	return s[:k] + u + s[k+len(t):]
}

// ReplaceAll is str.replace_all s t u: every non-overlapping occurrence of t,
// left to right, replaced by u; s if t is empty.
func ReplaceAll(s, t, u string) string {
	if t == "" {
		return s
	}
	return strings.ReplaceAll(s, t, u)
}

// ToInt is str.to_int (str.to.int): the decimal value of s if s is a
// non-empty string of digits 0-9, otherwise -1.
func ToInt(s string) (int64, error) {
	if s == "" {
		return -1, nil
	}
	var v int64
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c < '0' || c > '9' {
			return -1, nil
		}
		d := int64(c - '0')
		if v > (math.MaxInt64-d)/10 {
			// Finish the digit check first: a non-digit anywhere still gives -1.
			for j := i + 1; j < len(s); j++ {
				if s[j] < '0' || s[j] > '9' {
					return -1, nil
				}
			}
			return 0, ErrOverflow
		}
		v = v*10 + d
	}
	return v, nil
}

// FromInt is str.from_int (int.to.str): the decimal digits of n, "" if n < 0.
func FromInt(n int64) string {
	if n < 0 {
		return ""
	}
	return strconv.FormatInt(n, 10)
}

// StrLt is str.<: lexicographic order on code points. UTF-8 byte order
// coincides with code point order.
func StrLt(s, t string) bool { return s < t }

// StrLe is str.<=.
func StrLe(s, t string) bool { return s <= t }

// IsDigit is str.is_digit: s is a single code point in '0'..'9'.
func IsDigit(s string) bool { return len(s) == 1 && s[0] >= '0' && s[0] <= '9' }

// ToCode is str.to_code: the code point of a one-character string, else -1.
func ToCode(s string) int64 {
	r, n := utf8.DecodeRuneInString(s)
	if n == 0 || n != len(s) {
		return -1
	}
	return int64(r)
}

// FromCode is str.from_code: the one-character string of code point n if
// 0 <= n <= 196607 (0x2FFFF), else "".
func FromCode(n int64) string {
	if n < 0 || n > 0x2FFFF {
		return ""
	}
	return string(rune(n))
}

func addInt(a, b int64) (int64, error) {
	c := a + b
	if (c > a) != (b > 0) {
		return 0, ErrOverflow
	}
	return c, nil
}

func subInt(a, b int64) (int64, error) {
	c := a - b
	if (c < a) != (b > 0) {
		return 0, ErrOverflow
	}
	return c, nil
}

func mulInt(a, b int64) (int64, error) {
	if a == 0 || b == 0 {
		return 0, nil
	}
	c := a * b
	if c/b != a || (a == -1 && b == math.MinInt64) || (b == -1 && a == math.MinInt64) {
		return 0, ErrOverflow
	}
	return c, nil
}

// divInt and modInt follow SMT-LIB: euclidean division, 0 <= mod < |b|.
func divInt(a, b int64) (int64, error) {
	if b == 0 {
		return 0, ErrUndefined
	}
	if a == math.MinInt64 && b == -1 {
		return 0, ErrOverflow
	}
	q, r := a/b, a%b
	if r < 0 {
		if b > 0 {
			q--
		} else {
			q++
		}
	}
	return q, nil
}

func modInt(a, b int64) (int64, error) {
	if b == 0 {
		return 0, ErrUndefined
	}
	if b == -1 {
		return 0, nil
	}
	r := a % b
	if r < 0 {
		if b > 0 {
			r += b
		} else {
			r -= b
		}
	}
	return r, nil
}

// Apply applies op to already evaluated, well-sorted arguments.
func Apply(op Op, args []Value) (Value, error) {
	switch op {
	case OpConcat:
		switch len(args) {
		case 1:
			return args[0], nil
		case 2:
			return StrVal(args[0].Str + args[1].Str), nil
		}
		var b strings.Builder
		for _, a := range args {
			b.WriteString(a.Str)
		}
		return StrVal(b.String()), nil
	case OpLen:
		return IntVal(Len(args[0].Str)), nil
	case OpAt:
		return StrVal(At(args[0].Str, args[1].Int)), nil
	case OpSubstr:
		return StrVal(Substr(args[0].Str, args[1].Int, args[2].Int)), nil
	case OpPrefixOf:
		return BoolVal(PrefixOf(args[0].Str, args[1].Str)), nil
	case OpSuffixOf:
		return BoolVal(SuffixOf(args[0].Str, args[1].Str)), nil
	case OpContains:
		return BoolVal(Contains(args[0].Str, args[1].Str)), nil
	case OpIndexOf:
		return IntVal(IndexOf(args[0].Str, args[1].Str, args[2].Int)), nil
	case OpReplace:
		return StrVal(Replace(args[0].Str, args[1].Str, args[2].Str)), nil
	case OpReplaceAll:
		return StrVal(ReplaceAll(args[0].Str, args[1].Str, args[2].Str)), nil
	case OpToInt:
		v, err := ToInt(args[0].Str)
		return IntVal(v), err
	case OpFromInt:
		return StrVal(FromInt(args[0].Int)), nil
	case OpStrLt:
		return BoolVal(StrLt(args[0].Str, args[1].Str)), nil
	case OpStrLe:
		return BoolVal(StrLe(args[0].Str, args[1].Str)), nil
	case OpIsDigit:
		return BoolVal(IsDigit(args[0].Str)), nil
	case OpToCode:
		return IntVal(ToCode(args[0].Str)), nil
	case OpFromCode:
		return StrVal(FromCode(args[0].Int)), nil
	case OpAdd, OpMul:
		acc := args[0].Int
		var err error
		for _, a := range args[1:] {
			if op == OpAdd {
				acc, err = addInt(acc, a.Int)
			} else {
				acc, err = mulInt(acc, a.Int)
			}
			if err != nil {
				return Value{}, err
			}
		}
		return IntVal(acc), nil
	case OpSub:
		if len(args) == 1 {
			v, err := subInt(0, args[0].Int)
			return IntVal(v), err
		}
		acc := args[0].Int
		var err error
		for _, a := range args[1:] {
			if acc, err = subInt(acc, a.Int); err != nil {
				return Value{}, err
			}
		}
		return IntVal(acc), nil
	case OpDiv:
		v, err := divInt(args[0].Int, args[1].Int)
		return IntVal(v), err
	case OpMod:
		v, err := modInt(args[0].Int, args[1].Int)
		return IntVal(v), err
	case OpAbs:
		a := args[0].Int
		if a < 0 {
			v, err := subInt(0, a)
			return IntVal(v), err
		}
		return IntVal(a), nil
	case OpLt:
		return BoolVal(args[0].Int < args[1].Int), nil
	case OpLe:
		return BoolVal(args[0].Int <= args[1].Int), nil
	case OpGt:
		return BoolVal(args[0].Int > args[1].Int), nil
	case OpGe:
		return BoolVal(args[0].Int >= args[1].Int), nil
	case OpEq:
		for i := 1; i < len(args); i++ {
			if args[i] != args[0] {
				return BoolVal(false), nil
			}
		}
		return BoolVal(true), nil
	case OpDistinct:
		for i := range args {
			for j := i + 1; j < len(args); j++ {
				if args[i] == args[j] {
					return BoolVal(false), nil
				}
			}
		}
		return BoolVal(true), nil
	case OpNot:
		return BoolVal(!args[0].Bool), nil
	case OpAnd:
		for _, a := range args {
			if !a.Bool {
				return BoolVal(false), nil
			}
		}
		return BoolVal(true), nil
	case OpOr:
		for _, a := range args {
			if a.Bool {
				return BoolVal(true), nil
			}
		}
		return BoolVal(false), nil
	case OpXor:
		acc := false
		for _, a := range args {
			acc = acc != a.Bool
		}
		return BoolVal(acc), nil
	case OpImplies:
		// Right associative: a => b => c is a => (b => c).
		acc := args[len(args)-1].Bool
		for i := len(args) - 2; i >= 0; i-- {
			acc = !args[i].Bool || acc
		}
		return BoolVal(acc), nil
	case OpIte:
		if args[0].Bool {
			return args[1], nil
		}
		return args[2], nil
	}
	return Value{}, errors.New("apply: unknown operator " + op.Name())
}
