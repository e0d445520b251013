package sygus

import (
	"fmt"
	"strconv"
	"strings"
)

// Sort is the sort of a term. Only the sorts of the SLIA/LIA PBE tracks exist.
type Sort uint8

const (
	SortInvalid Sort = iota
	SortInt
	SortString
	SortBool
)

func (s Sort) String() string {
	switch s {
	case SortInt:
		return "Int"
	case SortString:
		return "String"
	case SortBool:
		return "Bool"
	}
	return "?"
}

func parseSort(e *sexpr) (Sort, error) {
	if e.atom == atomSymbol {
		switch e.text {
		case "Int":
			return SortInt, nil
		case "String":
			return SortString, nil
		case "Bool":
			return SortBool, nil
		}
	}
	return SortInvalid, errorf(e.line, "unsupported sort %s (want Int, String or Bool)", e)
}

// Value is a value of one of the three sorts.
type Value struct {
	Sort Sort
	Int  int64
	Str  string
	Bool bool
}

// IntVal, StrVal and BoolVal build values of each sort.
func IntVal(i int64) Value  { return Value{Sort: SortInt, Int: i} }
func StrVal(s string) Value { return Value{Sort: SortString, Str: s} }
func BoolVal(b bool) Value  { return Value{Sort: SortBool, Bool: b} }

// String renders the value as an SMT-LIB literal.
func (v Value) String() string {
	switch v.Sort {
	case SortInt:
		if v.Int < 0 {
			return "(- " + strconv.FormatUint(uint64(-(v.Int+1))+1, 10) + ")"
		}
		return strconv.FormatInt(v.Int, 10)
	case SortString:
		return quote(v.Str)
	case SortBool:
		if v.Bool {
			return "true"
		}
		return "false"
	}
	return "?"
}

// Op is an interpreted function symbol.
type Op uint8

const (
	OpInvalid Op = iota
	OpConcat
	OpLen
	OpAt
	OpSubstr
	OpPrefixOf
	OpSuffixOf
	OpContains
	OpIndexOf
	OpReplace
	OpReplaceAll
	OpToInt
	OpFromInt
	OpStrLt
	OpStrLe
	OpIsDigit
	OpToCode
	OpFromCode
	OpAdd
	OpSub // binary minus, or unary negation with one argument
	OpMul
	OpDiv
	OpMod
	OpAbs
	OpLt
	OpLe
	OpGt
	OpGe
	OpEq
	OpDistinct
	OpNot
	OpAnd
	OpOr
	OpXor
	OpImplies
	OpIte
	numOps
)

type opInfo struct {
	name string // SMT-LIB 2.6 name
	args []Sort // nil for the polymorphic / variadic ones, checked in typeOf
	ret  Sort
}

var ops = [numOps]opInfo{
	OpConcat:     {"str.++", nil, SortString},
	OpLen:        {"str.len", []Sort{SortString}, SortInt},
	OpAt:         {"str.at", []Sort{SortString, SortInt}, SortString},
	OpSubstr:     {"str.substr", []Sort{SortString, SortInt, SortInt}, SortString},
	OpPrefixOf:   {"str.prefixof", []Sort{SortString, SortString}, SortBool},
	OpSuffixOf:   {"str.suffixof", []Sort{SortString, SortString}, SortBool},
	OpContains:   {"str.contains", []Sort{SortString, SortString}, SortBool},
	OpIndexOf:    {"str.indexof", []Sort{SortString, SortString, SortInt}, SortInt},
	OpReplace:    {"str.replace", []Sort{SortString, SortString, SortString}, SortString},
	OpReplaceAll: {"str.replace_all", []Sort{SortString, SortString, SortString}, SortString},
	OpToInt:      {"str.to_int", []Sort{SortString}, SortInt},
	OpFromInt:    {"str.from_int", []Sort{SortInt}, SortString},
	OpStrLt:      {"str.<", []Sort{SortString, SortString}, SortBool},
	OpStrLe:      {"str.<=", []Sort{SortString, SortString}, SortBool},
	OpIsDigit:    {"str.is_digit", []Sort{SortString}, SortBool},
	OpToCode:     {"str.to_code", []Sort{SortString}, SortInt},
	OpFromCode:   {"str.from_code", []Sort{SortInt}, SortString},
	OpAdd:        {"+", nil, SortInt},
	OpSub:        {"-", nil, SortInt},
	OpMul:        {"*", nil, SortInt},
	OpDiv:        {"div", []Sort{SortInt, SortInt}, SortInt},
	OpMod:        {"mod", []Sort{SortInt, SortInt}, SortInt},
	OpAbs:        {"abs", []Sort{SortInt}, SortInt},
	OpLt:         {"<", []Sort{SortInt, SortInt}, SortBool},
	OpLe:         {"<=", []Sort{SortInt, SortInt}, SortBool},
	OpGt:         {">", []Sort{SortInt, SortInt}, SortBool},
	OpGe:         {">=", []Sort{SortInt, SortInt}, SortBool},
	OpEq:         {"=", nil, SortBool},
	OpDistinct:   {"distinct", nil, SortBool},
	OpNot:        {"not", []Sort{SortBool}, SortBool},
	OpAnd:        {"and", nil, SortBool},
	OpOr:         {"or", nil, SortBool},
	OpXor:        {"xor", nil, SortBool},
	OpImplies:    {"=>", nil, SortBool},
	OpIte:        {"ite", nil, SortInvalid},
}

// aliases maps the pre-2.6 names still used by SyGuS v1 benchmarks.
var aliases = map[string]Op{
	"int.to.str":     OpFromInt,
	"str.to.int":     OpToInt,
	"str.from-int":   OpFromInt,
	"str.to-int":     OpToInt,
	"str.replaceall": OpReplaceAll,
	"str.in.re":      OpInvalid, // regular expressions are not supported
}

var opByName = func() map[string]Op {
	m := make(map[string]Op, len(ops)+len(aliases))
	for i := Op(1); i < numOps; i++ {
		m[ops[i].name] = i
	}
	for k, v := range aliases {
		if v != OpInvalid {
			m[k] = v
		}
	}
	return m
}()

// LookupOp returns the operator named s under either naming convention.
func LookupOp(s string) (Op, bool) {
	op, ok := opByName[s]
	return op, ok
}

// Name is the SMT-LIB 2.6 name of op.
func (op Op) Name() string {
	if op < numOps {
		return ops[op].name
	}
	return "?"
}

func (op Op) String() string { return op.Name() }

// TermKind distinguishes the node types of a Term.
type TermKind uint8

const (
	TermConst    TermKind = iota + 1 // a literal Value
	TermVar                          // a variable (parameter or declared variable)
	TermApp                          // an interpreted operator applied to Args
	TermCall                         // a call of a synth-fun or define-fun by Name
	TermNT                           // grammar only: a non-terminal reference, index in NT
	TermAnyConst                     // grammar only: (Constant Sort)
	TermAnyVar                       // grammar only: (Variable Sort)
)

// Term is a typed term. Spell records the symbol used in the source so that
// output keeps the naming convention of the input (e.g. int.to.str in v1).
type Term struct {
	Kind  TermKind
	Sort  Sort
	Op    Op
	Spell string
	Name  string // variable, called function or non-terminal name
	Index int    // parameter index for variables bound by a function, NT index
	Val   Value
	Args  []*Term
	Line  int
	nodes int // tree size with let-bound terms expanded, set by the parser
}

// String renders the term in SMT-LIB syntax.
func (t *Term) String() string {
	var b strings.Builder
	t.write(&b)
	return b.String()
}

func (t *Term) write(b *strings.Builder) {
	switch t.Kind {
	case TermConst:
		b.WriteString(t.Val.String())
	case TermVar, TermNT:
		b.WriteString(t.Name)
	case TermAnyConst:
		b.WriteString("(Constant " + t.Sort.String() + ")")
	case TermAnyVar:
		b.WriteString("(Variable " + t.Sort.String() + ")")
	case TermApp, TermCall:
		b.WriteByte('(')
		if t.Kind == TermCall {
			b.WriteString(t.Name)
		} else if t.Spell != "" {
			b.WriteString(t.Spell)
		} else {
			b.WriteString(t.Op.Name())
		}
		for _, a := range t.Args {
			b.WriteByte(' ')
			a.write(b)
		}
		b.WriteByte(')')
	default:
		fmt.Fprintf(b, "<bad term kind %d>", t.Kind)
	}
}

// Size counts the nodes of the term.
func (t *Term) Size() int {
	n := 1
	for _, a := range t.Args {
		n += a.Size()
	}
	return n
}
