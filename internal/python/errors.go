package python

import "fmt"

// SyntaxError is a parse error located the way CPython locates it: Line is
// 1-based and Col is CPython's 1-based "offset" (byte column + 1).
type SyntaxError struct {
	Filename string
	Line     int
	Col      int
	Msg      string
	// Kind is "SyntaxError", "IndentationError" or "TabError"; "" means
	// SyntaxError.
	Kind string

	tokIndex int  // token index where the error arose (for ordering)
	raising  bool // tokenizer error that CPython raises eagerly
	override bool // parser error that later tokenizer errors don't replace
	unclosed bool // "'(' was never closed" found at end of input
	farLine  int  // line of the furthest token the parser had read
	atEOF    bool // the parser had read up to the end of input
}

func (e *SyntaxError) Error() string {
	kind := e.Kind
	if kind == "" {
		kind = "SyntaxError"
	}
	name := e.Filename
	if name == "" {
		name = "<unknown>"
	}
	return fmt.Sprintf("%s:%d:%d: %s: %s", name, e.Line, e.Col, kind, e.Msg)
}

// parseError is the panic value used to unwind to the nearest statement
// boundary, where the parser records the error and recovers.
type parseError struct{ err *SyntaxError }
