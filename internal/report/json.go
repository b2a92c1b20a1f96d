package report

import (
	"encoding/json"
	"io"
)

// WriteJSON writes the document as indented JSON (schema: docs/json-report.md).
func WriteJSON(w io.Writer, doc *Document, withSuppressed bool) error {
	d := *doc
	if !withSuppressed {
		d.Suppressed = nil
	}
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(&d)
}
