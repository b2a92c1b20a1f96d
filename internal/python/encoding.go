package python

import (
	"bytes"
	"fmt"
	"strings"
	"unicode/utf8"

	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/htmlindex"
	"golang.org/x/text/encoding/ianaindex"
)

// DecodeSource turns source bytes into UTF-8 the way CPython's tokenizer
// does for compile(bytes): newlines are translated to "\n", a final newline
// is added, a UTF-8 BOM is removed, and a PEP 263 coding cookie on line 1
// or 2 selects the decoder.
func DecodeSource(src []byte) ([]byte, error) {
	buf := translateNewlines(src)
	bom := false
	if bytes.HasPrefix(buf, []byte("\xef\xbb\xbf")) {
		buf = buf[3:]
		bom = true
	}
	enc := ""
	line1, rest, _ := bytes.Cut(buf, []byte("\n"))
	if cs, ok := codingSpec(line1); ok {
		enc = cs
	} else if onlyCommentOrBlank(line1) {
		line2, _, _ := bytes.Cut(rest, []byte("\n"))
		if cs, ok := codingSpec(line2); ok {
			enc = cs
		}
	}
	if enc != "" {
		norm := normalEncoding(enc)
		if bom && cpythonNormalName(enc) != "utf-8" {
			return nil, &SyntaxError{Line: 1, Col: 1, Msg: fmt.Sprintf("encoding problem: %s with BOM", enc)}
		}
		switch norm {
		case "utf-8":
		case "iso-8859-1":
			return decodeTable(buf, nil), nil
		case "cp1252":
			return decodeTable(buf, &cp1252), nil
		case "iso-8859-15":
			return decodeTable(buf, &latin9), nil
		case "utf8-bad":
			return nil, &SyntaxError{Line: 1, Col: 1, Msg: fmt.Sprintf("encoding problem: %s", enc)}
		case "ascii":
			for i, c := range buf {
				if c >= 128 {
					return nil, &SyntaxError{Line: 1 + bytes.Count(buf[:i], []byte("\n")), Col: 1, Msg: fmt.Sprintf("(unicode error) 'ascii' codec can't decode byte 0x%02x in position %d: ordinal not in range(128)", c, i)}
				}
			}
		default:
			if e := lookupEncoding(norm); e != nil {
				out, err := e.NewDecoder().Bytes(buf)
				if err == nil {
					return out, nil
				}
			}
			return nil, &SyntaxError{Line: 1, Col: 1, Msg: fmt.Sprintf("unknown encoding: %s", enc)}
		}
	}
	if enc != "" && !utf8.Valid(buf) {
		// A utf-8 cookie: CPython decodes the whole file up front.
		i := invalidUTF8(buf)
		line := 1 + bytes.Count(buf[:i], []byte("\n"))
		return nil, &SyntaxError{Line: line, Col: 1, Msg: fmt.Sprintf("(unicode error) 'utf-8' codec can't decode byte 0x%02x in position %d: %s", buf[i], i, utf8Reason(buf[i:]))}
	}
	// Without a cookie, compile(bytes) does not validate the source as a
	// whole: comments may hold any bytes, and identifiers and string
	// literals are checked when they are decoded.
	return buf, nil
}

func translateNewlines(src []byte) []byte {
	if bytes.IndexByte(src, '\r') < 0 {
		if len(src) > 0 && src[len(src)-1] == '\n' {
			return src
		}
		out := make([]byte, len(src)+1)
		copy(out, src)
		out[len(src)] = '\n'
		return out
	}
	out := make([]byte, 0, len(src)+1)
	for i := 0; i < len(src); i++ {
		c := src[i]
		if c == '\r' {
			out = append(out, '\n')
			if i+1 < len(src) && src[i+1] == '\n' {
				i++
			}
			continue
		}
		out = append(out, c)
	}
	if len(out) == 0 || out[len(out)-1] != '\n' {
		out = append(out, '\n')
	}
	return out
}

func onlyCommentOrBlank(line []byte) bool {
	for _, c := range line {
		if c == '#' {
			return true
		}
		if c != ' ' && c != '\t' && c != '\f' {
			return false
		}
	}
	return true
}

func isAlnum(c byte) bool {
	return c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

// codingSpec implements CPython's get_coding_spec.
func codingSpec(line []byte) (string, bool) {
	i := 0
	for ; i < len(line); i++ {
		if line[i] == '#' {
			break
		}
		if line[i] != ' ' && line[i] != '\t' && line[i] != '\f' {
			return "", false
		}
	}
	if i == len(line) {
		return "", false
	}
	for j := i; j+6 < len(line)+0 && j < len(line)-6; j++ {
		if string(line[j:j+6]) != "coding" {
			continue
		}
		t := j + 6
		if line[t] != ':' && line[t] != '=' {
			continue
		}
		t++
		for t < len(line) && (line[t] == ' ' || line[t] == '\t') {
			t++
		}
		b := t
		for t < len(line) && (isAlnum(line[t]) || line[t] == '-' || line[t] == '_' || line[t] == '.') {
			t++
		}
		if b < t {
			return string(line[b:t]), true
		}
	}
	return "", false
}

// cpythonNormalName is CPython's get_normal_name (tokenizer.c).
func cpythonNormalName(s string) string {
	if len(s) > 12 {
		s = s[:12]
	}
	buf := strings.ToLower(strings.ReplaceAll(s, "_", "-"))
	switch {
	case buf == "utf-8" || strings.HasPrefix(buf, "utf-8-"):
		return "utf-8"
	case buf == "latin-1" || buf == "iso-8859-1" || buf == "iso-latin-1" ||
		strings.HasPrefix(buf, "latin-1-") || strings.HasPrefix(buf, "iso-8859-1-") || strings.HasPrefix(buf, "iso-latin-1-"):
		return "iso-8859-1"
	}
	return s
}

// lookupEncoding finds a decoder for a Python codec name.
func lookupEncoding(name string) encoding.Encoding {
	cands := []string{name}
	n := strings.ToLower(name)
	if strings.HasPrefix(n, "cp125") {
		cands = append(cands, "windows-"+n[2:])
	}
	if strings.HasPrefix(n, "iso8859-") {
		cands = append(cands, "iso-8859-"+n[8:])
	}
	if strings.HasPrefix(n, "latin-") {
		cands = append(cands, "latin"+n[6:])
	}
	if strings.HasPrefix(n, "cp") {
		cands = append(cands, "ibm"+n[2:])
	}
	for _, c := range cands {
		if e, err := ianaindex.IANA.Encoding(c); err == nil && e != nil {
			return e
		}
		if e, err := htmlindex.Get(c); err == nil && e != nil {
			return e
		}
	}
	return nil
}

func normalEncoding(enc string) string {
	e := strings.ToLower(strings.ReplaceAll(enc, "_", "-"))
	switch {
	case e == "utf-8" || strings.HasPrefix(e, "utf-8-") || e == "utf8" || e == "u8" || e == "utf" || e == "cp65001":
		return "utf-8"
	case e == "latin-1" || e == "iso-8859-1" || e == "iso-latin-1" || e == "latin1" || e == "l1" || e == "iso8859-1" || e == "8859" || e == "cp819" || e == "latin" ||
		strings.HasPrefix(e, "latin-1-") || strings.HasPrefix(e, "iso-8859-1-") || strings.HasPrefix(e, "iso-latin-1-"):
		return "iso-8859-1"
	case e == "cp1252" || e == "windows-1252":
		return "cp1252"
	case e == "iso-8859-15" || e == "latin9" || e == "latin-9" || e == "iso8859-15":
		return "iso-8859-15"
	case e == "ascii" || e == "us-ascii" || e == "646":
		return "ascii"
	}
	return e
}

var cp1252 = [32]rune{
	0x20AC, 0xFFFD, 0x201A, 0x0192, 0x201E, 0x2026, 0x2020, 0x2021, 0x02C6, 0x2030, 0x0160, 0x2039, 0x0152, 0xFFFD, 0x017D, 0xFFFD,
	0xFFFD, 0x2018, 0x2019, 0x201C, 0x201D, 0x2022, 0x2013, 0x2014, 0x02DC, 0x2122, 0x0161, 0x203A, 0x0153, 0xFFFD, 0x017E, 0x0178,
}

var latin9 = map[byte]rune{0xA4: 0x20AC, 0xA6: 0x0160, 0xA8: 0x0161, 0xB4: 0x017D, 0xB8: 0x017E, 0xBC: 0x0152, 0xBD: 0x0153, 0xBE: 0x0178}

func decodeTable(buf []byte, table any) []byte {
	out := make([]byte, 0, len(buf)+len(buf)/8)
	for _, c := range buf {
		if c < 128 {
			out = append(out, c)
			continue
		}
		r := rune(c)
		switch tb := table.(type) {
		case *[32]rune:
			if c >= 0x80 && c < 0xA0 {
				r = tb[c-0x80]
			}
		case *map[byte]rune:
			if m, ok := (*tb)[c]; ok {
				r = m
			}
		}
		out = utf8.AppendRune(out, r)
	}
	return out
}

// invalidUTF8 returns the offset of the first invalid UTF-8 sequence in b,
// or -1.
func invalidUTF8(b []byte) int {
	for i := 0; i < len(b); {
		r, size := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && size <= 1 {
			return i
		}
		i += size
	}
	return -1
}

// utf8Reason words a decoding failure like CPython's UTF-8 codec.
func utf8Reason(b []byte) string {
	c := b[0]
	n := 0
	switch {
	case c >= 0xC2 && c <= 0xDF:
		n = 1
	case c >= 0xE0 && c <= 0xEF:
		n = 2
	case c >= 0xF0 && c <= 0xF4:
		n = 3
	default:
		return "invalid start byte"
	}
	for k := 1; k <= n; k++ {
		if k >= len(b) {
			return "unexpected end of data"
		}
		if b[k]&0xC0 != 0x80 {
			return "invalid continuation byte"
		}
		if k == 1 {
			if c == 0xE0 && b[1] < 0xA0 || c == 0xED && b[1] > 0x9F || c == 0xF0 && b[1] < 0x90 || c == 0xF4 && b[1] > 0x8F {
				return "invalid continuation byte"
			}
		}
	}
	return "invalid continuation byte"
}
