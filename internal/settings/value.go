// Package settings is a static evaluator for Django settings modules. It
// runs the top level of a module over an abstract Python: literals, names,
// arithmetic and string operations, list/tuple/dict/set building and
// mutation, imports of the project's own modules (star imports included),
// os.path and pathlib, environment reads through os.environ, os.getenv,
// django-environ and python-decouple, and if/try statements whose
// alternatives are all kept. Nothing is executed. Every value remembers where
// it was set and, when it comes from the environment, which variable and
// default; whatever cannot be known is Unknown, never guessed.
package settings

import (
	"fmt"
	"math"
	"strconv"
	"strings"
)

// Kind is the Python type of a Value.
type Kind uint8

const (
	Unknown Kind = iota
	None
	Bool
	Int
	Float
	Str
	Bytes
	List
	Tuple
	Set
	Dict
	// Path is a pathlib.Path; S holds the path.
	Path
	// OneOf is one of several values, from different branches of an if or
	// try statement; Alts holds them.
	OneOf
	// Object is something the evaluator models but that is not data: a
	// module (os, os.path, pathlib), a function (os.environ.get), a
	// django-environ Env instance. Ref names it.
	Object
)

var kindNames = [...]string{"unknown", "None", "bool", "int", "float", "str", "bytes", "list", "tuple", "set", "dict", "Path", "one-of", "object"}

func (k Kind) String() string {
	if int(k) < len(kindNames) {
		return kindNames[k]
	}
	return "Kind(" + strconv.Itoa(int(k)) + ")"
}

// Origin is where a value was set.
type Origin struct {
	Path string // relative to the scanned root
	Line int
	Col  int // 1-based
}

func (o Origin) String() string {
	if o.Path == "" {
		return "(default)"
	}
	return fmt.Sprintf("%s:%d", o.Path, o.Line)
}

// EnvRead says that a value was read from the environment.
type EnvRead struct {
	Var string // the variable name, "" when the name itself is not known
	// Default is the default used when the variable is unset; nil when the
	// read has none (os.environ["X"], env("X")).
	Default *Value
	// Func is how it was read: "os.environ.get", "os.getenv",
	// "os.environ[]", "env.bool", "config"...
	Func string
	// Assumed is set when the variable's value was not given to the
	// evaluator: the value is then the default (or Unknown without one) and
	// holds in production only if the variable is unset there.
	Assumed bool
}

// Value is an abstract Python value. Values are immutable once built: the
// evaluator copies before it changes one.
type Value struct {
	Kind Kind
	B    bool
	I    int64
	F    float64
	S    string // Str, Bytes, Path; Object: the reference ("os.environ.get")
	// Elems holds the items of a List, Tuple or Set.
	Elems []*Value
	// Keys and Vals hold a Dict in insertion order.
	Keys, Vals []*Value
	// Alts holds the alternatives of a OneOf.
	Alts []*Value
	// Origin is where the value was last set or changed.
	Origin Origin
	// Env is set when the value comes from the environment.
	Env *EnvRead
	// Why says why a value is Unknown.
	Why string
	// obj holds the evaluator's data for some Objects (a module namespace,
	// a django-environ schema).
	obj any
}

// Constructors.

func unknown(why string) *Value       { return &Value{Kind: Unknown, Why: why} }
func noneV() *Value                   { return &Value{Kind: None} }
func boolV(b bool) *Value             { return &Value{Kind: Bool, B: b} }
func intV(i int64) *Value             { return &Value{Kind: Int, I: i} }
func floatV(f float64) *Value         { return &Value{Kind: Float, F: f} }
func strV(s string) *Value            { return &Value{Kind: Str, S: s} }
func pathV(s string) *Value           { return &Value{Kind: Path, S: s} }
func listV(k Kind, e []*Value) *Value { return &Value{Kind: k, Elems: e} }
func objV(ref string) *Value          { return &Value{Kind: Object, S: ref} }

// NewStr, NewBool, NewInt and NewNone build values for callers outside the
// evaluator, e.g. Django's defaults.
func NewStr(s string) *Value { return strV(s) }

// NewBool builds a bool.
func NewBool(b bool) *Value { return boolV(b) }

// NewInt builds an int.
func NewInt(i int64) *Value { return intV(i) }

// NewNone builds None.
func NewNone() *Value { return noneV() }

// NewList builds a list of strings.
func NewList(items ...string) *Value {
	v := &Value{Kind: List}
	for _, s := range items {
		v.Elems = append(v.Elems, strV(s))
	}
	return v
}

// NewTuple builds a tuple of strings.
func NewTuple(items ...string) *Value {
	v := NewList(items...)
	v.Kind = Tuple
	return v
}

// NewDict builds an empty dict.
func NewDict() *Value { return &Value{Kind: Dict} }

// clone makes a shallow copy.
func (v *Value) clone() *Value {
	c := *v
	c.Elems = append([]*Value(nil), v.Elems...)
	c.Keys = append([]*Value(nil), v.Keys...)
	c.Vals = append([]*Value(nil), v.Vals...)
	c.Alts = append([]*Value(nil), v.Alts...)
	return &c
}

// at returns a copy of v with its origin set.
func (v *Value) at(o Origin) *Value {
	c := *v
	c.Origin = o
	return &c
}

// withEnv returns a copy of v that remembers an environment read.
func (v *Value) withEnv(e *EnvRead) *Value {
	if e == nil {
		return v
	}
	c := *v
	c.Env = e
	return &c
}

// IsUnknown reports whether nothing is known about v (nil counts).
func (v *Value) IsUnknown() bool { return v == nil || v.Kind == Unknown }

// Known reports whether v is a definite value: not Unknown, and not a
// OneOf.
func (v *Value) Known() bool { return v != nil && v.Kind != Unknown && v.Kind != OneOf }

// Alternatives returns the possible values of v: the flattened alternatives
// of a OneOf, or v itself.
func (v *Value) Alternatives() []*Value {
	if v == nil {
		return []*Value{unknown("unset")}
	}
	if v.Kind != OneOf {
		return []*Value{v}
	}
	var out []*Value
	for _, a := range v.Alts {
		out = append(out, a.Alternatives()...)
	}
	return out
}

// Truth returns Python's truth value of v; ok is false when it cannot be
// known.
func (v *Value) Truth() (truth, ok bool) {
	if v == nil {
		return false, false
	}
	switch v.Kind {
	case None:
		return false, true
	case Bool:
		return v.B, true
	case Int:
		return v.I != 0, true
	case Float:
		return v.F != 0, true
	case Str, Bytes:
		return v.S != "", true
	case List, Tuple, Set:
		return len(v.Elems) > 0, true
	case Dict:
		return len(v.Keys) > 0, true
	case Path, Object:
		return true, true
	case OneOf:
		var first, firstSet bool
		for _, a := range v.Alts {
			t, ok := a.Truth()
			if !ok {
				return false, false
			}
			if !firstSet {
				first, firstSet = t, true
			} else if t != first {
				return false, false
			}
		}
		return first, firstSet
	}
	return false, false
}

// IsTrue reports whether v is exactly the bool True (Python's `v is True`);
// ok is false when it cannot be known.
func (v *Value) IsTrue() (isTrue, ok bool) {
	if v == nil {
		return false, false
	}
	switch v.Kind {
	case Unknown:
		return false, false
	case Bool:
		return v.B, true
	case OneOf:
		var first, firstSet bool
		for _, a := range v.Alts {
			t, ok := a.IsTrue()
			if !ok {
				return false, false
			}
			if !firstSet {
				first, firstSet = t, true
			} else if t != first {
				return false, false
			}
		}
		return first, firstSet
	}
	return false, true
}

// Strings returns the items of a list, tuple or set of strings; ok is false
// when v is not one or an item is not a known string.
func (v *Value) Strings() (items []string, ok bool) {
	if v == nil || (v.Kind != List && v.Kind != Tuple && v.Kind != Set) {
		return nil, false
	}
	for _, e := range v.Elems {
		if e.Kind != Str {
			return items, false
		}
		items = append(items, e.S)
	}
	return items, true
}

// Get returns the value of a string key of a dict, or nil.
func (v *Value) Get(key string) *Value {
	if v == nil || v.Kind != Dict {
		return nil
	}
	for i, k := range v.Keys {
		if k.Kind == Str && k.S == key {
			return v.Vals[i]
		}
	}
	return nil
}

// Contains reports whether a list/tuple/set holds the string s; ok is false
// when that cannot be known (an Unknown item, or v not a container).
func (v *Value) Contains(s string) (has, ok bool) {
	if v == nil {
		return false, false
	}
	switch v.Kind {
	case List, Tuple, Set:
		sure := true
		for _, e := range v.Elems {
			if e.Kind == Str && e.S == s {
				return true, true
			}
			if e.Kind != Str {
				sure = false
			}
		}
		return false, sure
	case Dict:
		for _, k := range v.Keys {
			if k.Kind == Str && k.S == s {
				return true, true
			}
		}
		return false, true
	}
	return false, false
}

// Len returns the length of a str, container or dict.
func (v *Value) Len() (int, bool) {
	if v == nil {
		return 0, false
	}
	switch v.Kind {
	case Str, Bytes:
		return len([]rune(v.S)), true
	case List, Tuple, Set:
		return len(v.Elems), true
	case Dict:
		return len(v.Keys), true
	}
	return 0, false
}

// String renders v as Python source, shortened for reports.
func (v *Value) String() string {
	var b strings.Builder
	v.write(&b, 0)
	s := b.String()
	if len(s) > 200 {
		s = s[:197] + "..."
	}
	return s
}

func (v *Value) write(b *strings.Builder, depth int) {
	if b.Len() > 400 {
		return
	}
	if v == nil {
		b.WriteString("<unset>")
		return
	}
	if depth > 8 {
		b.WriteString("...")
		return
	}
	switch v.Kind {
	case Unknown:
		b.WriteString("<unknown>")
	case None:
		b.WriteString("None")
	case Bool:
		if v.B {
			b.WriteString("True")
		} else {
			b.WriteString("False")
		}
	case Int:
		b.WriteString(strconv.FormatInt(v.I, 10))
	case Float:
		b.WriteString(formatFloat(v.F))
	case Str:
		b.WriteString(pyQuote(v.S))
	case Bytes:
		b.WriteString("b" + pyQuote(v.S))
	case Path:
		b.WriteString("Path(" + pyQuote(v.S) + ")")
	case List, Tuple, Set:
		open, close := "[", "]"
		if v.Kind == Tuple {
			open, close = "(", ")"
		} else if v.Kind == Set {
			open, close = "{", "}"
		}
		b.WriteString(open)
		for i, e := range v.Elems {
			if i > 0 {
				b.WriteString(", ")
			}
			e.write(b, depth+1)
		}
		if v.Kind == Tuple && len(v.Elems) == 1 {
			b.WriteString(",")
		}
		b.WriteString(close)
	case Dict:
		b.WriteString("{")
		for i := range v.Keys {
			if i > 0 {
				b.WriteString(", ")
			}
			v.Keys[i].write(b, depth+1)
			b.WriteString(": ")
			v.Vals[i].write(b, depth+1)
		}
		b.WriteString("}")
	case OneOf:
		b.WriteString("one of ")
		for i, a := range v.Alts {
			if i > 0 {
				b.WriteString(" | ")
			}
			a.write(b, depth+1)
		}
	case Object:
		b.WriteString("<" + v.S + ">")
	}
}

func formatFloat(f float64) string {
	if math.IsInf(f, 0) || math.IsNaN(f) {
		return strconv.FormatFloat(f, 'g', -1, 64)
	}
	s := strconv.FormatFloat(f, 'g', -1, 64)
	if !strings.ContainsAny(s, ".e") {
		s += ".0"
	}
	return s
}

func pyQuote(s string) string {
	q := strconv.Quote(s)
	if !strings.Contains(s, "'") {
		q = "'" + strings.ReplaceAll(q[1:len(q)-1], `\"`, `"`) + "'"
	}
	return q
}

// maxCompare bounds the work of one comparison: values share structure, so
// a comparison of two built-up values could otherwise take exponential time.
const maxCompare = 10_000

// equal reports whether a == b in Python; ok is false when it cannot be
// known.
func equal(a, b *Value) (eq, ok bool) {
	budget := maxCompare
	return equalB(a, b, &budget)
}

func equalB(a, b *Value, budget *int) (eq, ok bool) {
	*budget--
	if *budget < 0 {
		return false, false
	}
	if a.IsUnknown() || b.IsUnknown() || a.Kind == OneOf || b.Kind == OneOf {
		return false, false
	}
	if num(a) && num(b) {
		return toFloat(a) == toFloat(b), true
	}
	switch {
	case a.Kind == None || b.Kind == None:
		return a.Kind == b.Kind, true
	case a.Kind == Str && b.Kind == Str, a.Kind == Bytes && b.Kind == Bytes, a.Kind == Path && b.Kind == Path:
		return a.S == b.S, true
	case a.Kind == Object || b.Kind == Object:
		if a.Kind == Object && b.Kind == Object && a.S == b.S {
			return true, true
		}
		return false, false
	case a.Kind != b.Kind:
		if seqKind(a.Kind) && seqKind(b.Kind) || a.Kind == Dict || b.Kind == Dict ||
			a.Kind == Str || b.Kind == Str || a.Kind == Path || b.Kind == Path {
			return false, true
		}
		return false, false
	case seqKind(a.Kind):
		if len(a.Elems) != len(b.Elems) {
			if a.Kind == Set {
				return false, false
			}
			return false, true
		}
		if a.Kind == Set {
			return false, false
		}
		for i := range a.Elems {
			e, ok := equalB(a.Elems[i], b.Elems[i], budget)
			if !ok || !e {
				return e, ok
			}
		}
		return true, true
	case a.Kind == Dict:
		if len(a.Keys) != len(b.Keys) {
			return false, true
		}
		for i := range a.Keys {
			j := dictIndex(b, a.Keys[i])
			if j < 0 {
				return false, true
			}
			e, ok := equalB(a.Vals[i], b.Vals[j], budget)
			if !ok || !e {
				return e, ok
			}
		}
		return true, true
	}
	return false, false
}

func seqKind(k Kind) bool { return k == List || k == Tuple || k == Set }

func num(v *Value) bool { return v.Kind == Bool || v.Kind == Int || v.Kind == Float }

func toFloat(v *Value) float64 {
	switch v.Kind {
	case Bool:
		if v.B {
			return 1
		}
		return 0
	case Int:
		return float64(v.I)
	}
	return v.F
}

func toInt(v *Value) (int64, bool) {
	switch v.Kind {
	case Bool:
		if v.B {
			return 1, true
		}
		return 0, true
	case Int:
		return v.I, true
	}
	return 0, false
}

// dictIndex finds key k in dict d; -1 when absent or not comparable.
func dictIndex(d *Value, k *Value) int {
	if k.Kind == Str {
		for i, dk := range d.Keys {
			if dk.Kind == Str && dk.S == k.S {
				return i
			}
		}
		// A str key equals only a str key.
		return -1
	}
	for i, dk := range d.Keys {
		if eq, ok := equal(dk, k); ok && eq {
			return i
		}
	}
	return -1
}

// oneOf merges alternatives, dropping duplicates (same value, same origin).
func oneOf(alts ...*Value) *Value {
	var flat []*Value
	for _, a := range alts {
		if a == nil {
			a = unknown("unset on this path")
		}
		flat = append(flat, a.Alternatives()...)
	}
	var out []*Value
	seen := map[string]bool{}
	for _, a := range flat {
		key := a.Kind.String() + "\x00" + a.String() + "\x00" + a.Origin.String()
		if seen[key] {
			continue
		}
		seen[key] = true
		out = append(out, a)
		if len(out) >= maxAlternatives {
			out = append(out, unknown("too many alternatives"))
			break
		}
	}
	if len(out) == 1 {
		return out[0]
	}
	return &Value{Kind: OneOf, Alts: out}
}

const maxAlternatives = 16
