package vulndb

import (
	"bytes"
	"fmt"
	"strings"
)

// The records of one package are stored as lines of tab-separated fields,
// which decode several times faster than JSON:
//
//	R <id> <aliases,> <published> <modified> <severity> <url> <sources,> <summary>
//	A <package> <series,> <versions,>
//	G <kind:version> ...            (one line per range: i, f, l, x)
//
// An A line belongs to the R line above it, a G line to the A line above
// it. Fields never hold tabs or newlines (clean removes them).

func clean(s string) string {
	if !strings.ContainsAny(s, "\t\n\r") {
		return s
	}
	return strings.Join(strings.Fields(s), " ")
}

func cleanList(ss []string) string {
	out := make([]string, 0, len(ss))
	for _, s := range ss {
		s = strings.NewReplacer(",", " ", " ", "").Replace(clean(s))
		if s != "" {
			out = append(out, s)
		}
	}
	return strings.Join(out, ",")
}

func marshalRecords(rs []*Record) []byte {
	var b bytes.Buffer
	for _, r := range rs {
		b.WriteString("R\t")
		b.WriteString(strings.Join([]string{clean(r.ID), cleanList(r.Aliases), clean(r.Published), clean(r.Modified),
			clean(r.Severity), clean(r.URL), cleanList(r.Sources), clean(r.Summary)}, "\t"))
		b.WriteByte('\n')
		for _, a := range r.Affected {
			b.WriteString("A\t" + clean(a.Package) + "\t" + cleanList(a.Series) + "\t" + cleanList(a.Versions) + "\n")
			for _, rg := range a.Ranges {
				b.WriteString("G")
				for _, e := range rg.Events {
					switch {
					case e.Introduced != "":
						b.WriteString("\ti:" + clean(e.Introduced))
					case e.Fixed != "":
						b.WriteString("\tf:" + clean(e.Fixed))
					case e.LastAffected != "":
						b.WriteString("\tl:" + clean(e.LastAffected))
					case e.Limit != "":
						b.WriteString("\tx:" + clean(e.Limit))
					}
				}
				b.WriteByte('\n')
			}
		}
	}
	return b.Bytes()
}

func splitList(s string) []string {
	if s == "" {
		return nil
	}
	return strings.Split(s, ",")
}

// splitTabs appends the tab-separated fields of line to dst.
func splitTabs(line string, dst []string) []string {
	for {
		i := strings.IndexByte(line, '\t')
		if i < 0 {
			return append(dst, line)
		}
		dst = append(dst, line[:i])
		line = line[i+1:]
	}
}

// unmarshalRecords parses the records of one package. The records share
// text's memory.
func unmarshalRecords(text string) ([]*Record, error) {
	var out []*Record
	var cur *Record
	var buf [16]string // fields of the current line; longer lines spill
	lineNo := 0
	for len(text) > 0 {
		lineNo++
		nl := strings.IndexByte(text, '\n')
		if nl < 0 {
			nl = len(text)
		}
		line := text[:nl]
		if nl < len(text) {
			text = text[nl+1:]
		} else {
			text = ""
		}
		if line == "" {
			continue
		}
		fs := splitTabs(line, buf[:0])
		switch fs[0] {
		case "R":
			if len(fs) != 9 || fs[1] == "" {
				return nil, fmt.Errorf("line %d: bad record line", lineNo)
			}
			cur = &Record{ID: fs[1], Aliases: splitList(fs[2]), Published: fs[3], Modified: fs[4], Severity: fs[5],
				URL: fs[6], Sources: splitList(fs[7]), Summary: fs[8]}
			out = append(out, cur)
		case "A":
			if cur == nil || len(fs) != 4 {
				return nil, fmt.Errorf("line %d: bad affected line", lineNo)
			}
			cur.Affected = append(cur.Affected, Affected{Package: fs[1], Series: splitList(fs[2]), Versions: splitList(fs[3])})
		case "G":
			if cur == nil || len(cur.Affected) == 0 {
				return nil, fmt.Errorf("line %d: range outside an affected package", lineNo)
			}
			a := &cur.Affected[len(cur.Affected)-1]
			rg := Range{Events: make([]Event, 0, len(fs)-1)}
			for _, f := range fs[1:] {
				if len(f) < 3 || f[1] != ':' {
					return nil, fmt.Errorf("line %d: bad event %q", lineNo, f)
				}
				v := f[2:]
				switch f[0] {
				case 'i':
					rg.Events = append(rg.Events, Event{Introduced: v})
				case 'f':
					rg.Events = append(rg.Events, Event{Fixed: v})
				case 'l':
					rg.Events = append(rg.Events, Event{LastAffected: v})
				case 'x':
					rg.Events = append(rg.Events, Event{Limit: v})
				default:
					return nil, fmt.Errorf("line %d: bad event %q", lineNo, f)
				}
			}
			a.Ranges = append(a.Ranges, rg)
		default:
			return nil, fmt.Errorf("line %d: unknown line kind %q", lineNo, fs[0])
		}
	}
	return out, nil
}
