package settings

import (
	"math"
	"math/big"
	"strconv"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
)

// Bounds on the values the evaluator builds: beyond them a value is
// Unknown, so hostile settings (`"x" * 10**12`) cannot exhaust memory.
const (
	maxStr   = 1 << 20
	maxItems = 100_000
)

// inherit copies the first environment read found among the operands onto
// res, so that `os.environ.get("X", "0") == "1"` still says it came from X.
func inherit(res *Value, operands ...*Value) *Value {
	if res == nil || res.Env != nil {
		return res
	}
	for _, o := range operands {
		if o != nil && o.Env != nil {
			return res.withEnv(o.Env)
		}
	}
	return res
}

func (fr *frame) expr(e python.Expr) *Value {
	if e == nil {
		return noneV()
	}
	if !fr.step() {
		return unknown("evaluation budget exhausted")
	}
	v := fr.expr1(e)
	if v == nil {
		v = unknown("expression not understood")
	}
	if v.Origin.Path == "" {
		o := fr.origin(e)
		v = v.at(o)
		v = stampItems(v, o)
	}
	return v
}

// stampItems gives the items of a container built by a call (str.split,
// list(), a parsed URL) the call's origin, so findings about one item have a
// place.
func stampItems(v *Value, o Origin) *Value {
	switch v.Kind {
	case List, Tuple, Set:
		var c *Value
		for i, e := range v.Elems {
			if e.Origin.Path == "" {
				if c == nil {
					c = v.clone()
				}
				c.Elems[i] = e.at(o)
			}
		}
		if c != nil {
			return c
		}
	case Dict:
		var c *Value
		for i, e := range v.Vals {
			if e.Origin.Path == "" {
				if c == nil {
					c = v.clone()
				}
				c.Vals[i] = e.at(o)
			}
		}
		if c != nil {
			return c
		}
	}
	return v
}

func (fr *frame) expr1(e python.Expr) *Value {
	switch e := e.(type) {
	case *python.Constant:
		return constant(e.Value)
	case *python.Name:
		if v, ok := fr.names[e.Id]; ok {
			return v
		}
		return builtinName(e.Id)
	case *python.List:
		return fr.display(List, e.Elts)
	case *python.Tuple:
		return fr.display(Tuple, e.Elts)
	case *python.Set:
		v := fr.display(Set, e.Elts)
		if v.Kind == Set {
			return setAdd(&Value{Kind: Set}, v.Elems)
		}
		return v
	case *python.Dict:
		d := &Value{Kind: Dict}
		strKeys := map[string]int{} // index of str keys, so big literals stay linear
		for i, k := range e.Keys {
			val := fr.expr(e.Values[i])
			if k == nil {
				if val.Kind != Dict {
					return unknown("dict display with ** of an unknown mapping")
				}
				d = dictMerge(d, val)
				continue
			}
			kv := fr.expr(k)
			if !kv.Known() {
				return unknown("dict display with an unknown key")
			}
			j := -1
			if kv.Kind == Str {
				if at, ok := strKeys[kv.S]; ok {
					j = at
				}
			} else if len(d.Keys) <= 1000 {
				j = dictIndex(d, kv)
			} else {
				return unknown("large dict display with non-str keys")
			}
			if j >= 0 {
				d.Vals[j] = val
				continue
			}
			if len(d.Keys) >= maxItems {
				return unknown("dict too large")
			}
			if kv.Kind == Str {
				strKeys[kv.S] = len(d.Keys)
			}
			d.Keys = append(d.Keys, kv)
			d.Vals = append(d.Vals, val)
		}
		return d
	case *python.BinOp:
		l := fr.expr(e.Left)
		r := fr.expr(e.Right)
		return fr.binop(l, e.Op, r, e)
	case *python.UnaryOp:
		x := fr.expr(e.Operand)
		return inherit(unary(e.Op, x), x)
	case *python.BoolOp:
		return fr.boolOp(e)
	case *python.Compare:
		return fr.compare(e)
	case *python.IfExp:
		t := fr.expr(e.Test)
		if b, ok := t.Truth(); ok && !dependsOnAssumedEnv(t) {
			if b {
				return fr.expr(e.Body)
			}
			return fr.expr(e.Orelse)
		}
		return inherit(oneOf(fr.expr(e.Body), fr.expr(e.Orelse)), t)
	case *python.JoinedStr:
		var b strings.Builder
		var env []*Value
		for _, part := range e.Values {
			switch p := part.(type) {
			case *python.Constant:
				if s, ok := p.Value.(python.Str); ok {
					b.WriteString(string(s))
					continue
				}
				return unknown("f-string part")
			case *python.FormattedValue:
				if p.FormatSpec != nil || (p.Conversion != -1 && p.Conversion != 's') {
					return unknown("f-string with a format spec or conversion")
				}
				v := fr.expr(p.Value)
				env = append(env, v)
				s, ok := strOf(v)
				if !ok {
					return inherit(unknown("f-string of an unknown value"), v)
				}
				b.WriteString(s)
			default:
				return unknown("f-string part")
			}
			if b.Len() > maxStr {
				return unknown("string too long")
			}
		}
		return inherit(strV(b.String()), env...)
	case *python.Attribute:
		return fr.attribute(fr.expr(e.Value), e.Attr)
	case *python.Subscript:
		return fr.subscript(e)
	case *python.Call:
		return fr.call(e)
	case *python.NamedExpr:
		v := fr.expr(e.Value)
		fr.assign(e.Target, v, fr.origin(e))
		return v
	case *python.Starred:
		return unknown("starred expression")
	case *python.Lambda:
		return objV("lambda")
	case *python.ListComp, *python.SetComp, *python.DictComp, *python.GeneratorExp:
		return unknown("comprehension")
	}
	return unknown("expression not modelled")
}

func constant(v python.Value) *Value {
	switch c := v.(type) {
	case python.NoneType:
		return noneV()
	case python.Bool:
		return boolV(bool(c))
	case *python.Int:
		if c.Big != nil {
			if c.Big.IsInt64() {
				return intV(c.Big.Int64())
			}
			return unknown("integer too large")
		}
		return intV(c.Small)
	case python.Float:
		return floatV(float64(c))
	case python.Str:
		return strV(string(c))
	case python.Bytes:
		return &Value{Kind: Bytes, S: string(c)}
	}
	return unknown("constant")
}

// builtinName resolves a name the module did not bind.
func builtinName(id string) *Value {
	switch id {
	case "True":
		return boolV(true)
	case "False":
		return boolV(false)
	case "None":
		return noneV()
	case "bool", "int", "float", "str", "list", "tuple", "set", "dict", "len", "sorted",
		"frozenset", "min", "max", "sum", "print", "open", "isinstance", "getattr", "repr", "reversed", "range":
		return objV("builtins." + id)
	}
	return unknown("name " + id + " is not defined here")
}

func (fr *frame) display(k Kind, elts []python.Expr) *Value {
	out := &Value{Kind: k}
	for _, x := range elts {
		if st, ok := x.(*python.Starred); ok {
			v := fr.expr(st.Value)
			if !v.Known() || !(seqKind(v.Kind) || v.Kind == Dict) {
				return inherit(unknown("display with * of an unknown iterable"), v)
			}
			if v.Kind == Dict {
				out.Elems = append(out.Elems, v.Keys...)
			} else {
				out.Elems = append(out.Elems, v.Elems...)
			}
		} else {
			out.Elems = append(out.Elems, fr.expr(x))
		}
		if len(out.Elems) > maxItems {
			return unknown("display too large")
		}
	}
	return out
}

func strOf(v *Value) (string, bool) {
	switch v.Kind {
	case Str, Path:
		return v.S, true
	case Int:
		return strconv.FormatInt(v.I, 10), true
	case Bool:
		if v.B {
			return "True", true
		}
		return "False", true
	case None:
		return "None", true
	case Float:
		return formatFloat(v.F), true
	}
	return "", false
}

func unary(op python.UnaryOperator, x *Value) *Value {
	switch op {
	case python.Not:
		if t, ok := x.Truth(); ok {
			return boolV(!t)
		}
	case python.USub:
		switch x.Kind {
		case Int, Bool:
			i, _ := toInt(x)
			if i == math.MinInt64 {
				return unknown("integer overflow")
			}
			return intV(-i)
		case Float:
			return floatV(-x.F)
		}
	case python.UAdd:
		switch x.Kind {
		case Int, Bool:
			i, _ := toInt(x)
			return intV(i)
		case Float:
			return x
		}
	case python.Invert:
		if i, ok := toInt(x); ok {
			return intV(^i)
		}
	}
	return unknown("unary operation on an unknown value")
}

func (fr *frame) boolOp(e *python.BoolOp) *Value {
	var last *Value
	var pending []*Value // alternatives when truth is unknown
	for _, x := range e.Values {
		v := fr.expr(x)
		last = v
		t, ok := v.Truth()
		if !ok || dependsOnAssumedEnv(v) && v.Env.Default == nil {
			if !ok {
				pending = append(pending, v)
				continue
			}
		}
		if e.Op == python.Or && t || e.Op == python.And && !t {
			if len(pending) > 0 {
				return inherit(oneOf(append(pending, v)...), pending...)
			}
			return v
		}
	}
	if len(pending) > 0 {
		return inherit(oneOf(append(pending, last)...), pending...)
	}
	return last
}

func (fr *frame) compare(e *python.Compare) *Value {
	left := fr.expr(e.Left)
	ops := []*Value{left}
	result := boolV(true)
	for i, op := range e.Ops {
		right := fr.expr(e.Comparators[i])
		ops = append(ops, right)
		r, ok := compare1(left, op, right)
		if !ok {
			return inherit(unknown("comparison of unknown values"), ops...)
		}
		if !r {
			result = boolV(false)
			break
		}
		left = right
	}
	return inherit(result, ops...)
}

func compare1(a *Value, op python.CmpOperator, b *Value) (bool, bool) {
	switch op {
	case python.Eq:
		return equal(a, b)
	case python.NotEq:
		eq, ok := equal(a, b)
		return !eq, ok
	case python.Is, python.IsNot:
		var r, ok bool
		switch {
		case a.Kind == Unknown || b.Kind == Unknown || a.Kind == OneOf || b.Kind == OneOf:
			return false, false
		case a.Kind == None || b.Kind == None:
			r, ok = a.Kind == b.Kind, true
		case a.Kind == Bool && b.Kind == Bool:
			r, ok = a.B == b.B, true
		case a.Kind == Bool || b.Kind == Bool:
			r, ok = false, true
		default:
			return false, false
		}
		if op == python.IsNot {
			r = !r
		}
		return r, ok
	case python.In, python.NotIn:
		r, ok := contains(b, a)
		if op == python.NotIn {
			r = !r
		}
		return r, ok
	case python.Lt, python.LtE, python.Gt, python.GtE:
		var c int
		switch {
		case num(a) && num(b):
			x, y := toFloat(a), toFloat(b)
			switch {
			case x < y:
				c = -1
			case x > y:
				c = 1
			}
		case a.Kind == Str && b.Kind == Str:
			c = strings.Compare(a.S, b.S)
		default:
			return false, false
		}
		switch op {
		case python.Lt:
			return c < 0, true
		case python.LtE:
			return c <= 0, true
		case python.Gt:
			return c > 0, true
		}
		return c >= 0, true
	}
	return false, false
}

// contains is Python's `x in c`.
func contains(c, x *Value) (bool, bool) {
	if !c.Known() || !x.Known() {
		return false, false
	}
	switch c.Kind {
	case Str:
		if x.Kind != Str {
			return false, false
		}
		return strings.Contains(c.S, x.S), true
	case List, Tuple, Set:
		sure := true
		for _, e := range c.Elems {
			eq, ok := equal(e, x)
			if ok && eq {
				return true, true
			}
			if !ok {
				sure = false
			}
		}
		return false, sure
	case Dict:
		sure := true
		for _, k := range c.Keys {
			eq, ok := equal(k, x)
			if ok && eq {
				return true, true
			}
			if !ok {
				sure = false
			}
		}
		return false, sure
	}
	return false, false
}

// binop computes x op y.
func (fr *frame) binop(x *Value, op python.Operator, y *Value, at python.Located) *Value {
	return inherit(binop(x, op, y), x, y)
}

func binop(x *Value, op python.Operator, y *Value) *Value {
	if x.Kind == OneOf || y.Kind == OneOf {
		var alts []*Value
		for _, a := range x.Alternatives() {
			for _, b := range y.Alternatives() {
				alts = append(alts, binop(a, op, b))
				if len(alts) > maxAlternatives {
					return unknown("too many alternatives")
				}
			}
		}
		return oneOf(alts...)
	}
	if !x.Known() || !y.Known() {
		return unknown("operation on an unknown value")
	}
	// Paths.
	if op == python.Div && x.Kind == Path {
		if s, ok := pathPart(y); ok {
			return pathV(joinPath(x.S, s))
		}
		return unknown("path joined with an unknown part")
	}
	if op == python.Div && y.Kind == Path && x.Kind == Str {
		return pathV(joinPath(x.S, y.S))
	}
	// Numbers.
	if num(x) && num(y) {
		if x.Kind == Float || y.Kind == Float || op == python.Div {
			return floatOp(toFloat(x), op, toFloat(y))
		}
		a, _ := toInt(x)
		b, _ := toInt(y)
		return intOp(a, op, b)
	}
	switch op {
	case python.Add:
		switch {
		case x.Kind == Str && y.Kind == Str, x.Kind == Bytes && y.Kind == Bytes:
			if len(x.S)+len(y.S) > maxStr {
				return unknown("string too long")
			}
			return &Value{Kind: x.Kind, S: x.S + y.S}
		case x.Kind == y.Kind && (x.Kind == List || x.Kind == Tuple):
			if len(x.Elems)+len(y.Elems) > maxItems {
				return unknown("list too long")
			}
			return &Value{Kind: x.Kind, Elems: append(append([]*Value{}, x.Elems...), y.Elems...)}
		}
	case python.Mult:
		seq, n := x, y
		if num(x) {
			seq, n = y, x
		}
		k, ok := toInt(n)
		if !ok || n.Kind == Float {
			break
		}
		if k < 0 {
			k = 0
		}
		switch seq.Kind {
		case Str, Bytes:
			if k > 0 && int64(len(seq.S))*k > maxStr {
				return unknown("string too long")
			}
			return &Value{Kind: seq.Kind, S: strings.Repeat(seq.S, int(k))}
		case List, Tuple:
			if k > 0 && int64(len(seq.Elems))*k > maxItems {
				return unknown("list too long")
			}
			out := &Value{Kind: seq.Kind}
			for i := int64(0); i < k; i++ {
				out.Elems = append(out.Elems, seq.Elems...)
			}
			return out
		}
	case python.BitOr:
		if x.Kind == Dict && y.Kind == Dict {
			return dictMerge(x, y)
		}
		if x.Kind == Set && y.Kind == Set {
			return setAdd(x, y.Elems)
		}
	case python.Mod:
		if x.Kind == Str {
			return percentFormat(x.S, y)
		}
	}
	return unknown("operation not modelled")
}

func intOp(a int64, op python.Operator, b int64) *Value {
	A, B := big.NewInt(a), big.NewInt(b)
	r := new(big.Int)
	switch op {
	case python.Add:
		r.Add(A, B)
	case python.Sub:
		r.Sub(A, B)
	case python.Mult:
		r.Mul(A, B)
	case python.FloorDiv, python.Mod:
		if b == 0 {
			return unknown("division by zero")
		}
		q, m := new(big.Int), new(big.Int)
		q.DivMod(A, B, m) // Euclidean; adjust to Python's floor semantics
		if m.Sign() != 0 && B.Sign() < 0 {
			q.Add(q, big.NewInt(1))
			m.Add(m, B)
		}
		if op == python.FloorDiv {
			r = q
		} else {
			r = m
		}
	case python.Pow:
		if b < 0 {
			return floatV(math.Pow(float64(a), float64(b)))
		}
		if b > 64 && (a > 1 || a < -1) {
			return unknown("integer too large")
		}
		r.Exp(A, B, nil)
	case python.LShift:
		if b < 0 || b > 62 {
			return unknown("shift out of range")
		}
		r.Lsh(A, uint(b))
	case python.RShift:
		if b < 0 {
			return unknown("negative shift")
		}
		if b > 63 {
			b = 63
		}
		r.Rsh(A, uint(b))
	case python.BitAnd:
		r.And(A, B)
	case python.BitOr:
		r.Or(A, B)
	case python.BitXor:
		r.Xor(A, B)
	default:
		return unknown("operation not modelled")
	}
	if !r.IsInt64() {
		return unknown("integer too large")
	}
	return intV(r.Int64())
}

func floatOp(a float64, op python.Operator, b float64) *Value {
	switch op {
	case python.Add:
		return floatV(a + b)
	case python.Sub:
		return floatV(a - b)
	case python.Mult:
		return floatV(a * b)
	case python.Div:
		if b == 0 {
			return unknown("division by zero")
		}
		return floatV(a / b)
	case python.FloorDiv:
		if b == 0 {
			return unknown("division by zero")
		}
		return floatV(math.Floor(a / b))
	case python.Pow:
		return floatV(math.Pow(a, b))
	}
	return unknown("operation not modelled")
}

// percentFormat handles "%s" formatting with known arguments.
func percentFormat(f string, args *Value) *Value {
	var list []*Value
	if args.Kind == Tuple {
		list = args.Elems
	} else {
		list = []*Value{args}
	}
	var b strings.Builder
	n := 0
	for i := 0; i < len(f); i++ {
		c := f[i]
		if c != '%' {
			b.WriteByte(c)
			continue
		}
		if i+1 >= len(f) {
			return unknown("bad format")
		}
		i++
		switch f[i] {
		case '%':
			b.WriteByte('%')
		case 's', 'd', 'r':
			if n >= len(list) {
				return unknown("format arguments")
			}
			s, ok := strOf(list[n])
			if !ok || f[i] == 'd' && list[n].Kind != Int || f[i] == 'r' {
				return unknown("format arguments")
			}
			b.WriteString(s)
			n++
		default:
			return unknown("format not modelled")
		}
		if b.Len() > maxStr {
			return unknown("string too long")
		}
	}
	if n != len(list) {
		return unknown("format arguments")
	}
	return strV(b.String())
}

func pathPart(v *Value) (string, bool) {
	if v.Kind == Str || v.Kind == Path {
		return v.S, true
	}
	return "", false
}

// joinPath joins like os.path.join and pathlib: an absolute part restarts.
func joinPath(a, b string) string {
	if strings.HasPrefix(b, "/") {
		return cleanPath(b)
	}
	if a == "" {
		return cleanPath(b)
	}
	return cleanPath(a + "/" + b)
}

func parentPath(p string) string {
	if p == "/" || p == "." {
		return p
	}
	i := strings.LastIndexByte(p, '/')
	switch {
	case i < 0:
		return "."
	case i == 0:
		return "/"
	}
	return p[:i]
}

// ---- attributes and subscripts ----

func (fr *frame) attribute(x *Value, attr string) *Value {
	switch x.Kind {
	case Object:
		if r, ok := x.obj.(*Result); ok && r != nil {
			if v, ok := r.Names[attr]; ok {
				return v
			}
			if sub, ok := fr.load(strings.TrimPrefix(x.S, "module ")+"."+attr, nil); ok {
				return moduleObj(strings.TrimPrefix(x.S, "module ")+"."+attr, sub)
			}
			return unknown("module attribute " + attr + " not found")
		}
		ref := x.S + "." + attr
		if _, isEnv := x.obj.(*envSchema); isEnv {
			v := objV("environ.Env." + attr)
			v.obj = x.obj
			return v
		}
		return objV(ref)
	case Path:
		switch attr {
		case "parent":
			return pathV(parentPath(x.S))
		case "name":
			return strV(lastPart(x.S))
		case "parents":
			v := &Value{Kind: Tuple}
			for p := parentPath(x.S); ; p = parentPath(p) {
				v.Elems = append(v.Elems, pathV(p))
				if p == "/" || p == "." || len(v.Elems) > 64 {
					break
				}
			}
			return v
		case "stem":
			n := lastPart(x.S)
			if i := strings.LastIndexByte(n, '.'); i > 0 {
				n = n[:i]
			}
			return strV(n)
		}
		m := &Value{Kind: Object, S: "Path." + attr, obj: x}
		return m
	case Str, List, Dict, Set, Tuple, Bytes, Int:
		m := &Value{Kind: Object, S: "method." + attr, obj: x}
		return m
	}
	return inherit(unknown("attribute "+attr+" of an unknown value"), x)
}

func lastPart(p string) string {
	if i := strings.LastIndexByte(p, '/'); i >= 0 {
		return p[i+1:]
	}
	return p
}

func (fr *frame) subscript(e *python.Subscript) *Value {
	x := fr.expr(e.Value)
	if x.Kind == Object && x.S == "os.environ" {
		k := fr.expr(e.Slice)
		return fr.envRead(k, nil, "os.environ[]", false, "")
	}
	if sl, ok := e.Slice.(*python.Slice); ok {
		return inherit(fr.slice(x, sl), x)
	}
	k := fr.expr(e.Slice)
	if !x.Known() || !k.Known() {
		return inherit(unknown("subscript of an unknown value"), x, k)
	}
	switch x.Kind {
	case Dict:
		if i := dictIndex(x, k); i >= 0 {
			return x.Vals[i]
		}
		return unknown("missing dict key")
	case List, Tuple:
		if i, ok := index(x, k); ok {
			return x.Elems[i]
		}
	case Str:
		r := []rune(x.S)
		tmp := &Value{Kind: List, Elems: make([]*Value, len(r))}
		if i, ok := toInt(k); ok {
			n := int64(len(r))
			if i < 0 {
				i += n
			}
			if i >= 0 && i < n {
				return inherit(strV(string(r[i])), x)
			}
		}
		_ = tmp
	}
	return unknown("subscript not modelled")
}

func (fr *frame) slice(x *Value, sl *python.Slice) *Value {
	if sl.Step != nil || !x.Known() {
		return unknown("slice not modelled")
	}
	var n int64
	switch x.Kind {
	case List, Tuple:
		n = int64(len(x.Elems))
	case Str:
		n = int64(len([]rune(x.S)))
	default:
		return unknown("slice not modelled")
	}
	bound := func(e python.Expr, def int64) (int64, bool) {
		if e == nil {
			return def, true
		}
		v := fr.expr(e)
		if v.Kind == None {
			return def, true
		}
		i, ok := toInt(v)
		if !ok {
			return 0, false
		}
		if i < 0 {
			i += n
			if i < 0 {
				i = 0
			}
		}
		if i > n {
			i = n
		}
		return i, true
	}
	lo, ok1 := bound(sl.Lower, 0)
	hi, ok2 := bound(sl.Upper, n)
	if !ok1 || !ok2 {
		return unknown("slice bounds unknown")
	}
	if hi < lo {
		hi = lo
	}
	if x.Kind == Str {
		return strV(string([]rune(x.S)[lo:hi]))
	}
	return &Value{Kind: x.Kind, Elems: append([]*Value{}, x.Elems[lo:hi]...)}
}
