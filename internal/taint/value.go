package taint

import "github.com/djangoguard/djangoguard/internal/rules"

// Class is a set of vulnerability classes, used for sanitizers: a value
// sanitized for a class no longer reaches that class's sinks.
type Kind uint32

// Vulnerability classes of the target list.
const (
	SQL Kind = 1 << iota
	XSS
	Redirect
	Command
	Code
	Template
	Deserialize
	Path
	SSRF
	XXE
	Header
	Log
	Regex
	Size
	Secret // reaches a place where a secret should not go (logs)

	// All is every class.
	All Kind = 1<<iota - 1
)

var classNames = map[Kind]string{
	SQL: "SQL", XSS: "HTML", Redirect: "redirect", Command: "shell command", Code: "code",
	Template: "template source", Deserialize: "deserializer", Path: "file path", SSRF: "outgoing request",
	XXE: "XML parser", Header: "response header", Log: "log", Regex: "regular expression", Size: "size",
	Secret: "secret",
}

// String names a single class.
func (c Kind) String() string {
	if n, ok := classNames[c]; ok {
		return n
	}
	return "classes"
}

// Origin says where a label's taint comes from.
type Origin int

const (
	// Request is data an HTTP client controls (high confidence).
	Request Origin = -1
	// Stored is data read from the database (medium confidence for XSS).
	Stored Origin = -2
	// Params 0..63 are the enclosing function's parameters (for summaries).
)

// maxTrace bounds the number of steps kept in one trace.
const maxTrace = 24

// trace is an immutable, shared linked list of steps, newest last.
type trace struct {
	step rules.TraceStep
	prev *trace
	n    int
	// param and fn, when set, give the step's message lazily
	// ("parameter x of f()"): every parameter of every function starts a
	// trace, few are ever shown.
	param, fn string
}

func (t *trace) push(s rules.TraceStep) *trace {
	if t != nil && t.n >= maxTrace {
		// Keep the origin and the most recent steps: replace the newest.
		return &trace{step: s, prev: t.prev, n: t.n}
	}
	n := 1
	if t != nil {
		n = t.n + 1
	}
	return &trace{step: s, prev: t, n: n}
}

// Steps returns the trace oldest first.
func (t *trace) Steps() []rules.TraceStep {
	if t == nil {
		return nil
	}
	out := make([]rules.TraceStep, t.n)
	for i := t.n - 1; t != nil && i >= 0; t, i = t.prev, i-1 {
		out[i] = t.step
		if t.param != "" {
			out[i].Message = "parameter " + t.param + " of " + t.fn + "()"
		}
	}
	return out
}

// label is one reason a value is tainted.
type label struct {
	origin Origin
	kill   Kind // classes this taint was sanitized for
	tr     *trace
}

// maxLabels bounds the labels of one value; beyond it, parameter labels are
// dropped first (a summary loses precision, never a source).
const maxLabels = 6

// Value is the abstract value of an expression: the taint labels it carries
// and what kind of object it is, when known.
type Value struct {
	labels []label
	// typ is a type hint: "request", "cursor", "queryset", "form:<qualname>",
	// "class:<qualname>", "upload", "".
	typ string
}

func (v Value) tainted() bool { return len(v.labels) > 0 }

// has reports whether v carries taint of origin o not sanitized for c.
func (v Value) has(o Origin, c Kind) (label, bool) {
	for _, l := range v.labels {
		if l.origin == o && l.kill&c == 0 {
			return l, true
		}
	}
	return label{}, false
}

func addLabel(ls []label, l label) []label {
	for i := range ls {
		if ls[i].origin == l.origin {
			// Keep the taint that is sanitized for fewer classes, and the
			// shorter trace.
			k := ls[i].kill & l.kill
			tr := ls[i].tr
			if tr == nil || (l.tr != nil && l.tr.n < tr.n && l.kill&^ls[i].kill == 0) || ls[i].kill&^l.kill != 0 {
				tr = l.tr
			}
			if k == ls[i].kill && tr == ls[i].tr {
				return ls
			}
			out := append([]label(nil), ls...)
			out[i] = label{origin: l.origin, kill: k, tr: tr}
			return out
		}
	}
	if len(ls) >= maxLabels {
		if l.origin >= 0 {
			return ls
		}
		// Drop a parameter label to make room for a source.
		for i := range ls {
			if ls[i].origin >= 0 {
				out := append([]label(nil), ls[:i]...)
				out = append(out, ls[i+1:]...)
				return append(out, l)
			}
		}
		return ls
	}
	out := make([]label, len(ls), len(ls)+1)
	copy(out, ls)
	return append(out, l)
}

// join is the union of two values.
func join(a, b Value) Value {
	if len(b.labels) == 0 {
		if a.typ == "" {
			a.typ = b.typ
		}
		return a
	}
	if len(a.labels) == 0 {
		if b.typ == "" {
			b.typ = a.typ
		}
		return b
	}
	ls := a.labels
	for _, l := range b.labels {
		ls = addLabel(ls, l)
	}
	typ := a.typ
	if typ == "" {
		typ = b.typ
	}
	return Value{labels: ls, typ: typ}
}

// taintOnly drops the type hint.
func (v Value) taintOnly() Value { return Value{labels: v.labels} }

// sanitize marks every label as sanitized for c (All: drops the taint).
func (v Value) sanitize(c Kind) Value {
	if c == All {
		return Value{}
	}
	if len(v.labels) == 0 {
		return v
	}
	out := make([]label, len(v.labels))
	for i, l := range v.labels {
		l.kill |= c
		out[i] = l
	}
	return Value{labels: out}
}

// step adds a trace step to every label.
func (v Value) step(s rules.TraceStep) Value {
	if len(v.labels) == 0 {
		return v
	}
	out := make([]label, len(v.labels))
	for i, l := range v.labels {
		l.tr = l.tr.push(s)
		out[i] = l
	}
	return Value{labels: out, typ: v.typ}
}

// equalLabels compares the origins and kills (not traces) of two values.
func equalLabels(a, b Value) bool {
	if len(a.labels) != len(b.labels) {
		return false
	}
outer:
	for _, l := range a.labels {
		for _, m := range b.labels {
			if l.origin == m.origin && l.kill == m.kill {
				continue outer
			}
		}
		return false
	}
	return true
}

// Tainted reports whether the value carries any taint.
func (v Value) Tainted() bool { return len(v.labels) > 0 }

// FromRequest reports whether request data reaches the value without being
// sanitized for c (pass 0 to ignore sanitizers).
func (v Value) FromRequest(c Kind) bool {
	_, ok := v.has(Request, c)
	return ok
}

// FromDB reports whether database data reaches the value without being
// sanitized for c.
func (v Value) FromDB(c Kind) bool {
	_, ok := v.has(Stored, c)
	return ok
}

// Trace returns the trace of the value's taint of origin o that is not
// sanitized for c, oldest step first.
func (v Value) Trace(o Origin, c Kind) []rules.TraceStep {
	l, ok := v.has(o, c)
	if !ok {
		return nil
	}
	return l.tr.Steps()
}

// Type returns the value's type hint ("request", "queryset", "model",
// "form:<qualname>", ...), "" when unknown.
func (v Value) Type() string { return v.typ }
