package taskgen

import (
	"fmt"
	"strings"

	"github.com/h3lix/h3lix/worker/engine/pbe/sygus"
)

// family is one kind of spreadsheet transformation. A draw fixes the
// variant (separator, constant, date format...) so that tasks of one family
// share their shape across seeds, which is what lets nodes learn from each
// other, while the inputs stay private to the seed.
type family struct {
	name string
	desc string
	draw func(r *rng) recipe
}

// recipe is one drawn variant: the parameters, the reference program over
// them (SyGuS syntax, binary str.++ so that it stays inside the grammar) and
// a generator of realistic inputs.
type recipe struct {
	params  []sygus.Var
	program string
	input   func(r *rng) []sygus.Value
}

// Program builders. They write the SyGuS v1 spellings the Euphony
// benchmarks use, so the reference reads like a benchmark solution.

func q(s string) string { return sygus.StrVal(s).String() }

func num(n int) string { return sygus.IntVal(int64(n)).String() }

func app(op string, args ...string) string { return "(" + op + " " + strings.Join(args, " ") + ")" }

// cat nests str.++ to the right: the grammar's concatenation is binary.
func cat(parts ...string) string {
	if len(parts) == 1 {
		return parts[0]
	}
	return app("str.++", parts[0], cat(parts[1:]...))
}

func substr(x string, i, n string) string { return app("str.substr", x, i, n) }
func at(x, i string) string               { return app("str.at", x, i) }
func length(x string) string              { return app("str.len", x) }
func indexOf(x, sep string) string        { return app("str.indexof", x, q(sep), num(0)) }
func plus(a, b string) string             { return app("+", a, b) }
func minus(a, b string) string            { return app("-", a, b) }
func ite(c, a, b string) string           { return app("ite", c, a, b) }

// before is the part of x up to the first sep.
func before(x, sep string) string { return substr(x, num(0), indexOf(x, sep)) }

// after is the part of x behind the first sep.
func after(x, sep string) string {
	return substr(x, plus(indexOf(x, sep), num(len(sep))), length(x))
}

func strs(names ...string) []sygus.Var {
	vs := make([]sygus.Var, len(names))
	for i, n := range names {
		vs[i] = sygus.Var{Name: n, Sort: sygus.SortString}
	}
	return vs
}

// one turns a string generator into the input generator of a one-parameter task.
func one(gen func(r *rng) string) func(r *rng) []sygus.Value {
	return func(r *rng) []sygus.Value { return []sygus.Value{sygus.StrVal(gen(r))} }
}

// mixed draws from yes about half the time, so that a test on the input
// goes both ways among the examples.
func mixed(yes, no func(r *rng) string) func(r *rng) string {
	return func(r *rng) string {
		if r.percent(50) {
			return yes(r)
		}
		return no(r)
	}
}

// Input generators.

func fullName(r *rng) string { return pick(r, firstNames) + " " + lastName(r) }

// lastName is sometimes double-barrelled, as real name columns are; it
// widens the input space without changing what the name families mean.
func lastName(r *rng) string {
	if r.percent(15) {
		return surname(r) + "-" + surname(r)
	}
	return surname(r)
}

// surname is half the time a compound of the English kind (Ashford,
// Blackwell), which multiplies the names a seed can draw.
func surname(r *rng) string {
	if r.percent(50) {
		return pick(r, surnameRoots) + pick(r, surnameEndings)
	}
	return pick(r, lastNames)
}

func lower(words []string) func(r *rng) string {
	return func(r *rng) string { return strings.ToLower(pick(r, words)) }
}

func digits(r *rng, n int) string {
	var b strings.Builder
	for range n {
		b.WriteByte(byte('0' + r.intn(10)))
	}
	return b.String()
}

func email(r *rng) string {
	f, l := strings.ToLower(pick(r, firstNames)), strings.ToLower(surname(r))
	var user string
	switch r.intn(5) {
	case 0:
		user = f + "." + l
	case 1:
		user = f[:1] + l
	case 2:
		user = f + "_" + l
	case 3:
		user = f + digits(r, r.between(2, 4))
	default:
		user = l + "." + f[:1]
	}
	return user + "@" + pick(r, mailDomains)
}

// handle is an email user name without the domain: an input without "@".
func handle(r *rng) string {
	e := email(r)
	return e[:strings.IndexByte(e, '@')]
}

// dateFormat renders a date with the year, month and day at fixed positions.
type dateFormat struct {
	name           string
	sep            string
	order          string // "ymd", "mdy" or "dmy"
	year, mon, day int    // offsets of the parts
	render         func(y, m, d int) string
	numericMonth   bool
	// target: a numeric date with separators, which date-reformat can build
	// from the parts of another format.
	target bool
}

var dateFormats = []dateFormat{
	{name: "iso", sep: "-", order: "ymd", year: 0, mon: 5, day: 8, numericMonth: true, target: true,
		render: func(y, m, d int) string { return fmt.Sprintf("%04d-%02d-%02d", y, m, d) }},
	{name: "us", sep: "/", order: "mdy", year: 6, mon: 0, day: 3, numericMonth: true, target: true,
		render: func(y, m, d int) string { return fmt.Sprintf("%02d/%02d/%04d", m, d, y) }},
	{name: "eu", sep: ".", order: "dmy", year: 6, mon: 3, day: 0, numericMonth: true, target: true,
		render: func(y, m, d int) string { return fmt.Sprintf("%02d.%02d.%04d", d, m, y) }},
	{name: "compact", order: "ymd", year: 0, mon: 4, day: 6, numericMonth: true,
		render: func(y, m, d int) string { return fmt.Sprintf("%04d%02d%02d", y, m, d) }},
	{name: "abbrev", sep: "-", order: "dmy", year: 7, mon: 3, day: 0,
		render: func(y, m, d int) string { return fmt.Sprintf("%02d-%s-%04d", d, monthAbbrev[m-1], y) }},
}

func (f dateFormat) gen(r *rng) string {
	m := r.between(1, 12)
	return f.render(r.between(1850, 2099), m, r.between(1, daysIn[m-1]))
}

// daysIn ignores leap years: a 29 February would need the year drawn first
// for no gain in realism.
var daysIn = [12]int{31, 28, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31}

// part is the program extracting one part ('y', 'm' or 'd') of x.
func (f dateFormat) part(x string, p byte) string {
	switch p {
	case 'y':
		return substr(x, num(f.year), num(4))
	case 'm':
		n := 2
		if !f.numericMonth {
			n = 3
		}
		return substr(x, num(f.mon), num(n))
	}
	return substr(x, num(f.day), num(2))
}

// phoneFormat renders a North American number with its groups at fixed
// positions.
type phoneFormat struct {
	area   int // offset of the area code
	render func(a, e, l string) string
}

var phoneFormats = []phoneFormat{
	{area: 0, render: func(a, e, l string) string { return a + "-" + e + "-" + l }},
	{area: 1, render: func(a, e, l string) string { return "(" + a + ") " + e + "-" + l }},
	{area: 0, render: func(a, e, l string) string { return a + "." + e + "." + l }},
	{area: 3, render: func(a, e, l string) string { return "+1 " + a + " " + e + " " + l }},
}

func (f phoneFormat) gen(r *rng) string {
	return f.render(fmt.Sprint(r.between(201, 989)), fmt.Sprint(r.between(200, 999)), digits(r, 4))
}

func intlPhone(cc string) func(r *rng) string {
	return func(r *rng) string {
		return cc + " " + fmt.Sprint(r.between(1, 99)) + " " + digits(r, 3) + " " + digits(r, 4)
	}
}

var phoneCountries = []string{"+31", "+32", "+33", "+34", "+39", "+44", "+46", "+49"}

func otherThan(cc string, ccs []string) func(r *rng) string {
	return func(r *rng) string {
		for {
			if c := pick(r, ccs); c != cc {
				return intlPhone(c)(r)
			}
		}
	}
}

func letters(r *rng) string {
	var b strings.Builder
	for range r.between(2, 4) {
		b.WriteByte(codeLetters[r.intn(len(codeLetters))])
	}
	return b.String()
}

// productCode has a prefix of varying length, so that the part before the
// separator needs str.indexof rather than a fixed position.
func productCode(sep string) func(r *rng) string {
	return func(r *rng) string { return letters(r) + sep + fmt.Sprint(r.between(100, 999999)) }
}

// fileStem has no dot, so that the first "." of a file name starts its
// extension.
func fileStem(r *rng) string {
	w := pick(r, fileWords)
	switch r.intn(4) {
	case 0:
		return w + pick(r, []string{"_", "-", ""}) + pick(r, fileWords)
	case 1:
		return w + "_" + pick(r, fileWords) + "_" + fmt.Sprint(r.between(2000, 2030))
	case 2:
		return w + "_" + pick(r, fileWords) + "_v" + fmt.Sprint(r.between(1, 9))
	}
	return w + fmt.Sprint(r.between(1, 9999))
}

func fileName(r *rng) string { return fileStem(r) + "." + pick(r, fileExts) }

func fileWithExt(ext string) func(r *rng) string {
	return func(r *rng) string { return fileStem(r) + "." + ext }
}

func fileWithoutExt(ext string) func(r *rng) string {
	return func(r *rng) string {
		for {
			if e := pick(r, fileExts); e != ext {
				return fileStem(r) + "." + e
			}
		}
	}
}

// ident joins two or three distinct words, like a column or variable name.
func ident(sep string) func(r *rng) string {
	return func(r *rng) string {
		ws := []string{pick(r, identWords)}
		for len(ws) < 2 || len(ws) < 3 && r.percent(60) {
			if w := pick(r, identWords); !contains(ws, w) {
				ws = append(ws, w)
			}
		}
		return strings.Join(ws, sep)
	}
}

func host(r *rng) string {
	h := pick(r, hostWords) + "." + pick(r, companies) + "." + pick(r, tlds)
	if r.percent(30) {
		return "www." + h
	}
	return h
}

// site is a web address without a scheme, as people type it.
func site(r *rng) string {
	if r.percent(80) {
		return host(r) + "/" + pick(r, fileWords)
	}
	return host(r)
}

func withPrefix(p string, gen func(r *rng) string) func(r *rng) string {
	return func(r *rng) string { return p + gen(r) }
}

func withSuffix(gen func(r *rng) string, s string) func(r *rng) string {
	return func(r *rng) string { return gen(r) + s }
}

func cityName(r *rng) string { return pick(r, cities) }

func address(r *rng) string {
	return pick(r, streets) + " " + fmt.Sprint(r.between(1, 250)) + ", " + cityName(r)
}

// anyText is a long-ish realistic string of any of the kinds above.
func anyText(r *rng) string {
	return pick(r, []func(r *rng) string{fullName, email, fileName, address, productCode("-")})(r)
}

func threeNames(r *rng) string {
	return pick(r, firstNames) + " " + pick(r, firstNames) + " " + surname(r)
}

func dottedEmail(sep string) func(r *rng) string {
	return func(r *rng) string {
		return strings.ToLower(pick(r, firstNames)) + sep + strings.ToLower(surname(r)) + "@" + pick(r, mailDomains)
	}
}

func webAddress(r *rng) string {
	u := pick(r, []string{"https://", "http://"}) + host(r) + "/" + pick(r, fileWords)
	if r.percent(50) {
		u += "/" + fileName(r)
	}
	return u
}

// families is the catalogue. Its order is part of the output for a seed:
// append new families at the end.
var families = []family{
	{name: "first-name", desc: "the first word of a full name", draw: func(r *rng) recipe {
		return recipe{params: strs("name"), program: before("name", " "), input: one(fullName)}
	}},
	{name: "last-name", desc: "the last word of a full name", draw: func(r *rng) recipe {
		return recipe{params: strs("name"), program: after("name", " "), input: one(fullName)}
	}},
	{name: "initials", desc: "the initials of a full name", draw: func(r *rng) recipe {
		first, second := at("name", num(0)), at("name", plus(indexOf("name", " "), num(1)))
		var prog string
		switch r.intn(3) {
		case 0:
			prog = cat(first, second)
		case 1:
			prog = cat(first, q("."), second, q("."))
		default:
			prog = cat(first, q(" "), second)
		}
		return recipe{params: strs("name"), program: prog, input: one(fullName)}
	}},
	{name: "short-name", desc: "a full name with one part abbreviated", draw: func(r *rng) recipe {
		var prog string
		if r.percent(50) {
			prog = cat(at("name", num(0)), q(". "), after("name", " "))
		} else {
			prog = cat(before("name", " "), q(" "), at("name", plus(indexOf("name", " "), num(1))), q("."))
		}
		return recipe{params: strs("name"), program: prog, input: one(fullName)}
	}},
	{name: "email-user", desc: "the user part of an email address", draw: func(r *rng) recipe {
		return recipe{params: strs("email"), program: before("email", "@"), input: one(email)}
	}},
	{name: "email-domain", desc: "the domain of an email address", draw: func(r *rng) recipe {
		return recipe{params: strs("email"), program: after("email", "@"), input: one(email)}
	}},
	{name: "make-email", desc: "an email address from a first and a last name", draw: func(r *rng) recipe {
		sep := pick(r, []string{".", "_", ""})
		parts := []string{"first"}
		if sep != "" {
			parts = append(parts, q(sep))
		}
		parts = append(parts, "last", q("@"+pick(r, mailDomains)))
		return recipe{params: strs("first", "last"), program: cat(parts...), input: func(r *rng) []sygus.Value {
			return []sygus.Value{sygus.StrVal(lower(firstNames)(r)), sygus.StrVal(strings.ToLower(surname(r)))}
		}}
	}},
	{name: "date-part", desc: "the year, month or day of a date", draw: func(r *rng) recipe {
		f := pick(r, dateFormats)
		return recipe{params: strs("date"), program: f.part("date", "ymd"[r.intn(3)]), input: one(f.gen)}
	}},
	{name: "date-reformat", desc: "a date rewritten in another format", draw: func(r *rng) recipe {
		var from, to dateFormat
		for from.name == to.name || !to.target {
			from, to = pick(r, dateFormats), pick(r, dateFormats)
		}
		parts := []string{}
		for i := range 3 {
			if i > 0 {
				parts = append(parts, q(to.sep))
			}
			parts = append(parts, from.part("date", to.order[i]))
		}
		if !from.numericMonth {
			// A month name has no numeric form in the grammar; keep the name.
			parts = append(parts[:0:0], from.part("date", 'd'), q(" "), from.part("date", 'm'), q(" "), from.part("date", 'y'))
		}
		return recipe{params: strs("date"), program: cat(parts...), input: one(from.gen)}
	}},
	{name: "date-separator", desc: "a date with its separator replaced", draw: func(r *rng) recipe {
		var f dateFormat
		for f.sep == "" {
			f = pick(r, dateFormats)
		}
		to := f.sep
		for to == f.sep {
			to = pick(r, []string{"-", "/", ".", " "})
		}
		prog := app("str.replace", app("str.replace", "date", q(f.sep), q(to)), q(f.sep), q(to))
		return recipe{params: strs("date"), program: prog, input: one(f.gen)}
	}},
	{name: "phone-area", desc: "the area code of a phone number", draw: func(r *rng) recipe {
		f := pick(r, phoneFormats)
		return recipe{params: strs("phone"), program: substr("phone", num(f.area), num(3)), input: one(f.gen)}
	}},
	{name: "phone-line", desc: "the last four digits of a phone number", draw: func(r *rng) recipe {
		var gen func(r *rng) string
		if r.percent(50) {
			gen = pick(r, phoneFormats).gen
		} else {
			gen = intlPhone(pick(r, phoneCountries))
		}
		return recipe{params: strs("phone"), program: substr("phone", minus(length("phone"), num(4)), num(4)), input: one(gen)}
	}},
	{name: "phone-reformat", desc: "a phone number in another notation", draw: func(r *rng) recipe {
		dashed, paren := phoneFormats[0], phoneFormats[1]
		switch r.intn(3) {
		case 0:
			prog := cat(q("("), substr("phone", num(0), num(3)), q(") "), substr("phone", num(4), num(8)))
			return recipe{params: strs("phone"), program: prog, input: one(dashed.gen)}
		case 1:
			prog := cat(substr("phone", num(1), num(3)), q("-"), substr("phone", num(6), num(8)))
			return recipe{params: strs("phone"), program: prog, input: one(paren.gen)}
		}
		to := pick(r, []string{".", " "})
		prog := app("str.replace", app("str.replace", "phone", q("-"), q(to)), q("-"), q(to))
		return recipe{params: strs("phone"), program: prog, input: one(dashed.gen)}
	}},
	{name: "code-prefix", desc: "the letters before the separator of a product code", draw: func(r *rng) recipe {
		sep := pick(r, []string{"-", "_", "/", ":", "."})
		return recipe{params: strs("code"), program: before("code", sep), input: one(productCode(sep))}
	}},
	{name: "code-number", desc: "the number of a product code", draw: func(r *rng) recipe {
		sep := pick(r, []string{"-", "_", "/", ":", "."})
		return recipe{params: strs("code"), program: app("str.to.int", after("code", sep)), input: one(productCode(sep))}
	}},
	{name: "file-ext", desc: "the extension of a file name", draw: func(r *rng) recipe {
		return recipe{params: strs("file"), program: after("file", "."), input: one(fileName)}
	}},
	{name: "file-stem", desc: "a file name without its extension", draw: func(r *rng) recipe {
		return recipe{params: strs("file"), program: before("file", "."), input: one(fileName)}
	}},
	{name: "file-rename", desc: "a file name with a new extension", draw: func(r *rng) recipe {
		ext := pick(r, fileExts)
		return recipe{params: strs("file"), program: cat(before("file", "."), q("."+ext)), input: one(fileWithoutExt(ext))}
	}},
	{name: "rename-separator", desc: "an identifier of two or three words with its separator replaced", draw: func(r *rng) recipe {
		from := pick(r, []string{"_", "-", "."})
		to := from
		for to == from {
			to = pick(r, []string{"_", "-", " ", "/"})
		}
		// str.replace replaces the first occurrence only, as in the grammar.
		prog := app("str.replace", app("str.replace", "id", q(from), q(to)), q(from), q(to))
		return recipe{params: strs("id"), program: prog, input: one(ident(from))}
	}},
	{name: "add-title", desc: "a name with a title in front", draw: func(r *rng) recipe {
		return recipe{params: strs("name"), program: cat(q(pick(r, titles)+" "), "name"), input: one(fullName)}
	}},
	{name: "add-country", desc: "an address with its country appended", draw: func(r *rng) recipe {
		return recipe{params: strs("address"), program: cat("address", q(", "+pick(r, countryCodes))), input: one(address)}
	}},
	{name: "ensure-country", desc: "an address with its country appended unless present", draw: func(r *rng) recipe {
		suffix := ", " + pick(r, countryCodes)
		prog := ite(app("str.suffixof", q(suffix), "address"), "address", cat("address", q(suffix)))
		return recipe{params: strs("address"), program: prog, input: one(mixed(withSuffix(address, suffix), address))}
	}},
	{name: "ensure-scheme", desc: "a web address with a scheme prepended unless present", draw: func(r *rng) recipe {
		scheme := pick(r, []string{"https://", "http://"})
		prog := ite(app("str.prefixof", q(scheme), "url"), "url", cat(q(scheme), "url"))
		return recipe{params: strs("url"), program: prog, input: one(mixed(withPrefix(scheme, site), site))}
	}},
	{name: "user-or-input", desc: "the user name of an email address, or the input if it has no domain", draw: func(r *rng) recipe {
		prog := ite(app("str.contains", "s", q("@")), before("s", "@"), "s")
		return recipe{params: strs("s"), program: prog, input: one(mixed(email, handle))}
	}},
	{name: "domain-or-default", desc: "the domain of an email address, or a default when there is none", draw: func(r *rng) recipe {
		def := pick(r, []string{"none", "unknown", "n/a", "-"})
		prog := ite(app("str.contains", "s", q("@")), after("s", "@"), q(def))
		return recipe{params: strs("s"), program: prog, input: one(mixed(email, handle))}
	}},
	{name: "length", desc: "the length of a string", draw: func(r *rng) recipe {
		return recipe{params: strs("s"), program: length("s"), input: one(anyText)}
	}},
	{name: "separator-position", desc: "the position of the first separator", draw: func(r *rng) recipe {
		switch r.intn(3) {
		case 0:
			return recipe{params: strs("s"), program: indexOf("s", " "), input: one(fullName)}
		case 1:
			return recipe{params: strs("s"), program: indexOf("s", "@"), input: one(email)}
		}
		sep := pick(r, []string{"-", "_", "/", ":"})
		return recipe{params: strs("s"), program: indexOf("s", sep), input: one(productCode(sep))}
	}},
	{name: "last-name-length", desc: "the length of the last word of a full name", draw: func(r *rng) recipe {
		prog := minus(length("name"), plus(indexOf("name", " "), num(1)))
		return recipe{params: strs("name"), program: prog, input: one(fullName)}
	}},
	{name: "date-year-number", desc: "the year of a date as a number", draw: func(r *rng) recipe {
		f := pick(r, dateFormats)
		return recipe{params: strs("date"), program: app("str.to.int", f.part("date", 'y')), input: one(f.gen)}
	}},
	{name: "has-extension", desc: "whether a file has a given extension", draw: func(r *rng) recipe {
		ext := pick(r, fileExts)
		return recipe{params: strs("file"), program: app("str.suffixof", q("."+ext), "file"),
			input: one(mixed(fileWithExt(ext), fileWithoutExt(ext)))}
	}},
	{name: "is-email", desc: "whether a string is an email address", draw: func(r *rng) recipe {
		return recipe{params: strs("s"), program: app("str.contains", "s", q("@")), input: one(mixed(email, handle))}
	}},
	{name: "phone-country", desc: "whether a phone number has a given country code", draw: func(r *rng) recipe {
		cc := pick(r, phoneCountries)
		return recipe{params: strs("phone"), program: app("str.prefixof", q(cc), "phone"),
			input: one(mixed(intlPhone(cc), otherThan(cc, phoneCountries)))}
	}},
	{name: "name-city", desc: "a name followed by a city in parentheses", draw: func(r *rng) recipe {
		prog := cat("name", q(" ("), "city", q(")"))
		return recipe{params: strs("name", "city"), program: prog, input: func(r *rng) []sygus.Value {
			return []sygus.Value{sygus.StrVal(fullName(r)), sygus.StrVal(cityName(r))}
		}}
	}},
	{name: "last-comma-first", desc: "a name written last name first", draw: func(r *rng) recipe {
		return recipe{params: strs("first", "last"), program: cat("last", q(", "), "first"), input: func(r *rng) []sygus.Value {
			return []sygus.Value{sygus.StrVal(pick(r, firstNames)), sygus.StrVal(lastName(r))}
		}}
	}},
	{name: "initial-last", desc: "the initial of a first name before a last name", draw: func(r *rng) recipe {
		return recipe{params: strs("first", "last"), program: cat(at("first", num(0)), q(". "), "last"), input: func(r *rng) []sygus.Value {
			return []sygus.Value{sygus.StrVal(pick(r, firstNames)), sygus.StrVal(lastName(r))}
		}}
	}},
	{name: "sku", desc: "a product code with a number appended", draw: func(r *rng) recipe {
		sep := pick(r, []string{"-", "/", "#"})
		params := []sygus.Var{{Name: "code", Sort: sygus.SortString}, {Name: "n", Sort: sygus.SortInt}}
		return recipe{params: params, program: cat("code", q(sep), app("int.to.str", "n")), input: func(r *rng) []sygus.Value {
			return []sygus.Value{sygus.StrVal(letters(r)), sygus.IntVal(int64(r.between(1, 9999)))}
		}}
	}},
	{name: "take-n", desc: "the first n characters of a string", draw: func(r *rng) recipe {
		params := []sygus.Var{{Name: "s", Sort: sygus.SortString}, {Name: "n", Sort: sygus.SortInt}}
		return recipe{params: params, program: substr("s", num(0), "n"), input: func(r *rng) []sygus.Value {
			w := anyText(r)
			return []sygus.Value{sygus.StrVal(w), sygus.IntVal(int64(r.between(1, len(w)-1)))}
		}}
	}},
	{name: "number-label", desc: "a number with a label in front", draw: func(r *rng) recipe {
		label := pick(r, []string{"INV-", "#", "Order ", "No. ", "ID", "Room "})
		params := []sygus.Var{{Name: "n", Sort: sygus.SortInt}}
		return recipe{params: params, program: cat(q(label), app("int.to.str", "n")), input: func(r *rng) []sygus.Value {
			return []sygus.Value{sygus.IntVal(int64(r.between(1, 999999)))}
		}}
	}},
	{name: "swap-name", desc: "a full name written last name first", draw: func(r *rng) recipe {
		prog := cat(after("name", " "), q(pick(r, []string{", ", " "})), before("name", " "))
		return recipe{params: strs("name"), program: prog, input: one(fullName)}
	}},
	{name: "email-to-name", desc: "the name in an email address written with a space", draw: func(r *rng) recipe {
		sep := pick(r, []string{".", "_"})
		prog := app("str.replace", before("email", "@"), q(sep), q(" "))
		return recipe{params: strs("email"), program: prog, input: one(dottedEmail(sep))}
	}},
	{name: "middle-name", desc: "the middle word of a three-word name", draw: func(r *rng) recipe {
		start := plus(indexOf("name", " "), num(1))
		prog := substr("name", start, minus(app("str.indexof", "name", q(" "), start), start))
		return recipe{params: strs("name"), program: prog, input: one(threeNames)}
	}},
	{name: "url-host", desc: "the host name of a web address", draw: func(r *rng) recipe {
		rest := after("url", "://")
		prog := substr(rest, num(0), app("str.indexof", rest, q("/"), num(0)))
		return recipe{params: strs("url"), program: prog, input: one(webAddress)}
	}},
	{name: "phone-digits", desc: "the digits of a phone number", draw: func(r *rng) recipe {
		sep := pick(r, []string{"-", ".", " "})
		prog := app("str.replace", app("str.replace", "phone", q(sep), q("")), q(sep), q(""))
		return recipe{params: strs("phone"), program: prog, input: one(func(r *rng) string {
			return strings.ReplaceAll(phoneFormats[0].gen(r), "-", sep)
		})}
	}},
}
