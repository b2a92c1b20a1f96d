package python

import (
	"strings"
	"sync"

	"golang.org/x/text/unicode/norm"
	"golang.org/x/text/unicode/runenames"
)

var (
	namesOnce sync.Once
	namesMap  map[string]rune
)

// Name aliases (NameAliases.txt) that \N{...} accepts besides the names of
// UnicodeData.txt; control characters have no other name.
var nameAliases = map[string]rune{
	"NULL": 0, "NUL": 0, "START OF HEADING": 1, "START OF TEXT": 2, "END OF TEXT": 3,
	"END OF TRANSMISSION": 4, "ENQUIRY": 5, "ACKNOWLEDGE": 6, "ALERT": 7, "BEL": 7,
	"BACKSPACE": 8, "BS": 8, "CHARACTER TABULATION": 9, "HORIZONTAL TABULATION": 9, "TAB": 9, "HT": 9,
	"LINE FEED": 10, "NEW LINE": 10, "END OF LINE": 10, "LF": 10, "NL": 10, "EOL": 10,
	"LINE TABULATION": 11, "VERTICAL TABULATION": 11, "VT": 11,
	"FORM FEED": 12, "FF": 12, "CARRIAGE RETURN": 13, "CR": 13,
	"SHIFT OUT": 14, "SHIFT IN": 15, "DATA LINK ESCAPE": 16, "DEVICE CONTROL ONE": 17,
	"DEVICE CONTROL TWO": 18, "DEVICE CONTROL THREE": 19, "DEVICE CONTROL FOUR": 20,
	"NEGATIVE ACKNOWLEDGE": 21, "SYNCHRONOUS IDLE": 22, "END OF TRANSMISSION BLOCK": 23,
	"CANCEL": 24, "END OF MEDIUM": 25, "SUBSTITUTE": 26, "ESCAPE": 27, "ESC": 27,
	"INFORMATION SEPARATOR FOUR": 28, "FILE SEPARATOR": 28, "INFORMATION SEPARATOR THREE": 29,
	"GROUP SEPARATOR": 29, "INFORMATION SEPARATOR TWO": 30, "RECORD SEPARATOR": 30,
	"INFORMATION SEPARATOR ONE": 31, "UNIT SEPARATOR": 31, "SP": 32, "DELETE": 127, "DEL": 127,
	"NEXT LINE": 0x85, "NEL": 0x85, "NO-BREAK SPACE": 0xA0, "NBSP": 0xA0, "SHY": 0xAD,
	"BYTE ORDER MARK": 0xFEFF, "BOM": 0xFEFF, "ZWNBSP": 0xFEFF, "ZWSP": 0x200B, "ZWNJ": 0x200C,
	"ZWJ": 0x200D, "LRM": 0x200E, "RLM": 0x200F,
}

func buildNames() {
	namesMap = make(map[string]rune, 1<<15)
	for r := rune(0); r <= 0x10FFFF; r++ {
		if r >= 0xD800 && r <= 0xDFFF {
			continue
		}
		n := runenames.Name(r)
		if n == "" || n[0] == '<' {
			continue
		}
		if _, dup := namesMap[n]; !dup {
			namesMap[n] = r
		}
	}
}

// lookupBuiltinName resolves the name of a \N{...} escape, ignoring case
// like CPython's unicodedata lookup.
func lookupBuiltinName(name string) (rune, bool) {
	n := strings.ToUpper(name)
	if r, ok := nameAliases[n]; ok {
		return r, true
	}
	if strings.HasPrefix(n, "CJK UNIFIED IDEOGRAPH-") {
		v := 0
		hex := n[len("CJK UNIFIED IDEOGRAPH-"):]
		if len(hex) < 4 || len(hex) > 5 {
			return 0, false
		}
		for _, c := range hex {
			h := hexVal(byte(c))
			if h < 0 {
				return 0, false
			}
			v = v*16 + h
		}
		return rune(v), true
	}
	namesOnce.Do(buildNames)
	r, ok := namesMap[n]
	return r, ok
}

// nfkc normalizes a non-ASCII identifier like CPython does.
func nfkc(s string) string {
	return norm.NFKC.String(s)
}
