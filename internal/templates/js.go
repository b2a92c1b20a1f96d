package templates

// JSState is where in JavaScript source a position falls.
type JSState uint8

const (
	// JSCode is ordinary code: an expression, a statement.
	JSCode JSState = iota
	// JSString is inside a '…' or "…" string literal.
	JSString
	// JSTemplate is inside the literal text of a `…` template literal.
	JSTemplate
	// JSRegexp is inside a /…/ regular expression literal.
	JSRegexp
	// JSComment is inside a // or /* */ comment.
	JSComment
)

func (s JSState) String() string {
	switch s {
	case JSCode:
		return "code"
	case JSString:
		return "string"
	case JSTemplate:
		return "template literal"
	case JSRegexp:
		return "regular expression"
	case JSComment:
		return "comment"
	}
	return "unknown"
}

// maxTemplateNesting bounds `${ `${ … }` }` nesting; deeper input is
// treated as code.
const maxTemplateNesting = 64

// jsScanner tracks the lexical state of JavaScript source as it is read,
// so that the states at several positions of one script cost one pass. It
// is a lexer, not a parser: it knows strings, template literals with ${}
// substitutions, comments and regular expression literals (told from
// division by the previous token, as every JS tokenizer without a parser
// does).
type jsScanner struct {
	state   JSState
	quote   byte  // string quote, '`', or the comment kind ('/' or '*')
	braces  []int // for each open template substitution, the { depth at its start
	depth   int
	regexOK bool // a '/' here starts a regexp
	pos     int  // next byte to read
}

func newJSScanner() *jsScanner { return &jsScanner{regexOK: true} }

// jsStateAt returns the state at the end of src: the state a value inserted
// right after src would be in.
func jsStateAt(src []byte) (JSState, byte) {
	s := newJSScanner()
	s.advance(src, len(src))
	return s.state, s.quote
}

// advance reads src from the scanner's position up to offset to (a later
// call goes on from there). Lookahead may read past to.
func (s *jsScanner) advance(src []byte, to int) {
	if to > len(src) {
		to = len(src)
	}
	i := s.pos
	for ; i < to; i++ {
		c := src[i]
		switch s.state {
		case JSString:
			if c == '\\' {
				i++
			} else if c == s.quote || c == '\n' {
				s.state, s.quote = JSCode, 0
				s.regexOK = false
			}
			continue
		case JSTemplate:
			if c == '\\' {
				i++
			} else if c == '`' {
				s.state, s.quote = JSCode, 0
				s.regexOK = false
			} else if c == '$' && i+1 < len(src) && src[i+1] == '{' {
				i++
				if len(s.braces) < maxTemplateNesting {
					s.braces = append(s.braces, s.depth)
				}
				s.depth++
				s.state, s.quote = JSCode, 0
				s.regexOK = true
			}
			continue
		case JSRegexp:
			if c == '\\' {
				i++
			} else if c == '[' {
				// a class: '/' does not end the literal inside it
				for i++; i < len(src) && src[i] != ']' && src[i] != '\n'; i++ {
					if src[i] == '\\' {
						i++
					}
				}
			} else if c == '/' || c == '\n' {
				s.state, s.quote = JSCode, 0
				s.regexOK = false
			}
			continue
		case JSComment:
			if s.quote == '/' && c == '\n' {
				s.state, s.quote = JSCode, 0
			} else if s.quote == '*' && c == '*' && i+1 < len(src) && src[i+1] == '/' {
				i++
				s.state, s.quote = JSCode, 0
			}
			continue
		}
		// JSCode
		switch {
		case c == '"' || c == '\'':
			s.state, s.quote = JSString, c
		case c == '`':
			s.state, s.quote = JSTemplate, '`'
		case c == '/' && i+1 < len(src) && src[i+1] == '/':
			s.state, s.quote = JSComment, '/'
			i++
		case c == '/' && i+1 < len(src) && src[i+1] == '*':
			s.state, s.quote = JSComment, '*'
			i++
		case c == '<' && hasPrefixAt(src, i, "<!--"):
			// legacy HTML-like comment, allowed in scripts
			s.state, s.quote = JSComment, '/'
			i += 3
		case c == '/':
			if s.regexOK {
				s.state, s.quote = JSRegexp, '/'
			} else {
				s.regexOK = true
			}
		case c == '{':
			s.depth++
			s.regexOK = true
		case c == '}':
			s.depth--
			if n := len(s.braces); n > 0 && s.braces[n-1] == s.depth {
				s.braces = s.braces[:n-1]
				s.state, s.quote = JSTemplate, '`'
				continue
			}
			s.regexOK = true
		case c == ')' || c == ']':
			s.regexOK = false
		case isIdentByte(c) || c == '$' || c >= 0x80:
			j := i
			for j < len(src) && (isIdentByte(src[j]) || src[j] == '$' || src[j] >= 0x80) {
				j++
			}
			s.regexOK = keywordBeforeExpr(string(src[i:j]))
			i = j - 1
		case isSpace(c):
		default:
			s.regexOK = true
		}
	}
	s.pos = i
}

func hasPrefixAt(b []byte, i int, p string) bool {
	return len(b)-i >= len(p) && string(b[i:i+len(p)]) == p
}

// keywordBeforeExpr reports whether '/' after the word w starts a regexp.
func keywordBeforeExpr(w string) bool {
	switch w {
	case "return", "typeof", "instanceof", "in", "of", "new", "delete", "void",
		"throw", "case", "do", "else", "yield", "await":
		return true
	}
	return false
}
