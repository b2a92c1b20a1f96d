package python

import (
	"reflect"
	"strconv"
	"strings"
	"sync"
)

type dumpField struct {
	name  string
	index int
	opt   bool
	isNew bool
}

type dumpType struct {
	name   string
	fields []dumpField
	pos    int // index of the embedded Pos, or -1
}

var dumpTypes sync.Map // reflect.Type -> *dumpType

var (
	posType      = reflect.TypeOf(Pos{})
	valueType    = reflect.TypeOf((*Value)(nil)).Elem()
	ctxType      = reflect.TypeOf(Load)
	boolOpType   = reflect.TypeOf(And)
	operatorType = reflect.TypeOf(Add)
	unaryOpType  = reflect.TypeOf(Not)
	cmpOpType    = reflect.TypeOf(Eq)
)

func typeInfo(t reflect.Type) *dumpType {
	if v, ok := dumpTypes.Load(t); ok {
		return v.(*dumpType)
	}
	dt := &dumpType{name: t.Name(), pos: -1}
	if dt.name == "ExprStmt" {
		dt.name = "Expr"
	}
	if dt.name == "Comprehension" {
		dt.name = "comprehension"
	}
	switch dt.name {
	case "Comprehension", "ExceptHandler":
	case "Arguments":
		dt.name = "arguments"
	case "Arg":
		dt.name = "arg"
	case "Keyword":
		dt.name = "keyword"
	case "Alias":
		dt.name = "alias"
	case "WithItem":
		dt.name = "withitem"
	case "MatchCase":
		dt.name = "match_case"
	}
	for i := 0; i < t.NumField(); i++ {
		f := t.Field(i)
		if f.Anonymous && f.Type == posType {
			dt.pos = i
			continue
		}
		tag := f.Tag.Get("py")
		if tag == "" {
			continue
		}
		name, opts, _ := strings.Cut(tag, ",")
		dt.fields = append(dt.fields, dumpField{name: name, index: i, opt: opts == "opt", isNew: opts == "new"})
	}
	dumpTypes.Store(t, dt)
	return dt
}

// Dump returns what CPython's ast.dump(node, include_attributes=attrs)
// prints for the node.
func Dump(n Node, attrs bool) string {
	var b strings.Builder
	d := dumper{b: &b, attrs: attrs}
	d.value(reflect.ValueOf(n))
	return b.String()
}

type dumper struct {
	b     *strings.Builder
	attrs bool
}

func (d *dumper) node(v reflect.Value) {
	// v is a non-nil pointer to a node struct
	e := v.Elem()
	dt := typeInfo(e.Type())
	b := d.b
	b.WriteString(dt.name)
	b.WriteByte('(')
	first := true
	sep := func() {
		if !first {
			b.WriteString(", ")
		}
		first = false
	}
	for _, f := range dt.fields {
		fv := e.Field(f.index)
		if f.opt || f.isNew {
			switch fv.Kind() {
			case reflect.Interface, reflect.Pointer:
				if fv.IsNil() {
					continue
				}
			case reflect.String:
				if fv.Len() == 0 {
					continue
				}
			case reflect.Slice:
				if f.isNew && fv.Len() == 0 {
					continue
				}
			}
		}
		sep()
		b.WriteString(f.name)
		b.WriteByte('=')
		d.value(fv)
	}
	if d.attrs && dt.pos >= 0 {
		p := e.Field(dt.pos).Addr().Interface().(*Pos)
		sep()
		b.WriteString("lineno=")
		b.WriteString(strconv.Itoa(int(p.Lineno)))
		b.WriteString(", col_offset=")
		b.WriteString(strconv.Itoa(int(p.ColOffset)))
		b.WriteString(", end_lineno=")
		b.WriteString(strconv.Itoa(int(p.EndLineno)))
		b.WriteString(", end_col_offset=")
		b.WriteString(strconv.Itoa(int(p.EndColOffset)))
	}
	if dt.name == "TypeIgnore" {
		// lineno is a field there, handled above
	}
	b.WriteByte(')')
}

func (d *dumper) value(v reflect.Value) {
	b := d.b
	switch v.Kind() {
	case reflect.Interface:
		if v.IsNil() {
			b.WriteString("None")
			return
		}
		if v.Type() == valueType {
			b.WriteString(ReprValue(v.Interface().(Value)))
			return
		}
		d.value(v.Elem())
	case reflect.Pointer:
		if v.IsNil() {
			b.WriteString("None")
			return
		}
		d.node(v)
	case reflect.Slice:
		b.WriteByte('[')
		for i := 0; i < v.Len(); i++ {
			if i > 0 {
				b.WriteString(", ")
			}
			d.value(v.Index(i))
		}
		b.WriteByte(']')
	case reflect.String:
		b.WriteString(ReprStr(v.String()))
	case reflect.Int:
		b.WriteString(strconv.FormatInt(v.Int(), 10))
	case reflect.Uint8:
		switch v.Type() {
		case ctxType:
			b.WriteString(ExprContext(v.Uint()).String())
		case boolOpType:
			b.WriteString(BoolOperator(v.Uint()).String())
		case operatorType:
			b.WriteString(Operator(v.Uint()).String())
		case unaryOpType:
			b.WriteString(UnaryOperator(v.Uint()).String())
		case cmpOpType:
			b.WriteString(CmpOperator(v.Uint()).String())
		}
		b.WriteString("()")
	default:
		b.WriteString("None")
	}
}
