package python

import (
	"math"
	"reflect"
	"sort"
)

// Children calls fn for each direct child node of n, in CPython's field
// order. Nil children (absent optional fields, the nil keys of a Dict, the
// nil entries of KwDefaults) are skipped.
func Children(n Node, fn func(Node)) {
	v := reflect.ValueOf(n)
	if v.Kind() != reflect.Pointer || v.IsNil() {
		return
	}
	e := v.Elem()
	dt := typeInfo(e.Type())
	for _, f := range dt.fields {
		childValues(e.Field(f.index), fn)
	}
}

func childValues(fv reflect.Value, fn func(Node)) {
	switch fv.Kind() {
	case reflect.Interface, reflect.Pointer:
		if fv.IsNil() {
			return
		}
		if c, ok := fv.Interface().(Node); ok {
			fn(c)
		}
	case reflect.Slice:
		for i := 0; i < fv.Len(); i++ {
			childValues(fv.Index(i), fn)
		}
	}
}

// Walk visits the tree rooted at root depth-first. enter is called before a
// node's children with the stack of its ancestors (parents[len-1] is the
// direct parent); if it returns false the children are skipped. leave, if
// not nil, is called after the children (also when they were skipped).
// The parents slice is reused: copy it to keep it.
func Walk(root Node, enter func(n Node, parents []Node) bool, leave func(n Node, parents []Node)) {
	var parents []Node
	var visit func(n Node)
	visit = func(n Node) {
		if enter == nil || enter(n, parents) {
			parents = append(parents, n)
			Children(n, visit)
			parents = parents[:len(parents)-1]
		}
		if leave != nil {
			leave(n, parents)
		}
	}
	visit(root)
}

// Inspect is Walk without leave and parents, like go/ast.Inspect.
func Inspect(root Node, f func(Node) bool) {
	Walk(root, func(n Node, _ []Node) bool { return f(n) }, nil)
}

// Contains reports whether the position (1-based line, 0-based byte
// column) lies within the span [start, end).
func (p *Pos) Contains(line, col int) bool {
	if line > math.MaxInt32 || col > math.MaxInt32 {
		return false
	}
	return p.contains(int32(line), int32(col))
}

func (p *Pos) contains(line, col int32) bool {
	if line < p.Lineno || line > p.EndLineno {
		return false
	}
	if line == p.Lineno && col < p.ColOffset {
		return false
	}
	if line == p.EndLineno && col >= p.EndColOffset {
		return false
	}
	return true
}

// File is a parsed source file with the helpers rules use to map nodes to
// source text.
type File struct {
	Filename string
	// Src is the source decoded to UTF-8 with "\n" line ends (what
	// positions refer to).
	Src    []byte
	Module *Module
	Errors []*SyntaxError
	lines  []int // offset of each line start
}

// ParseFile parses src and keeps the decoded source for position lookups.
func ParseFile(filename string, src []byte) *File {
	f := &File{Filename: filename}
	if dec, err := DecodeSource(src); err == nil {
		f.Src = dec
	}
	f.Module, f.Errors = Parse(filename, src)
	f.lines = []int{0}
	for i, c := range f.Src {
		if c == '\n' {
			f.lines = append(f.lines, i+1)
		}
	}
	return f
}

// Offset converts a CPython position to a byte offset in f.Src (-1 if out
// of range).
func (f *File) Offset(line, col int) int {
	if line < 1 || line > len(f.lines) {
		return -1
	}
	off := f.lines[line-1] + col
	if off > len(f.Src) {
		return -1
	}
	return off
}

// Position converts a byte offset in f.Src to a CPython position.
func (f *File) Position(offset int) (line, col int) {
	i := sort.Search(len(f.lines), func(i int) bool { return f.lines[i] > offset }) - 1
	if i < 0 {
		i = 0
	}
	return i + 1, offset - f.lines[i]
}

// Segment returns the source text of a node, like ast.get_source_segment.
func (f *File) Segment(n Located) string {
	p := n.Span()
	a, b := f.Offset(int(p.Lineno), int(p.ColOffset)), f.Offset(int(p.EndLineno), int(p.EndColOffset))
	if a < 0 || b < a {
		return ""
	}
	return string(f.Src[a:b])
}

// Line returns the text of a 1-based line without its newline.
func (f *File) Line(line int) string {
	if line < 1 || line > len(f.lines) {
		return ""
	}
	a := f.lines[line-1]
	b := len(f.Src)
	if line < len(f.lines) {
		b = f.lines[line] - 1
	}
	if b < a {
		return ""
	}
	return string(f.Src[a:b])
}

// NodesAt returns the located nodes whose span contains the position,
// outermost first.
func NodesAt(root Node, line, col int) []Node {
	var out []Node
	Walk(root, func(n Node, _ []Node) bool {
		if l, ok := n.(Located); ok {
			if !l.Span().Contains(line, col) {
				return false
			}
			out = append(out, n)
		}
		return true
	}, nil)
	return out
}
