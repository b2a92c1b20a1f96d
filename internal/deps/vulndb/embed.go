package vulndb

import (
	_ "embed"
	"encoding/json"
	"fmt"
)

//go:generate go run ./internal/gen

//go:embed data/pypi.vulndb
var embeddedDB []byte

//go:embed data/django-archive.json
var embeddedArchive []byte

// Embedded decodes the database compiled into the binary.
func Embedded() (*DB, error) { return Decode(embeddedDB, "embedded") }

// EmbeddedArchive returns the parsed Django security archive and release
// table compiled into the binary.
func EmbeddedArchive() (*ArchiveInput, error) {
	var a ArchiveInput
	if err := json.Unmarshal(embeddedArchive, &a); err != nil {
		return nil, fmt.Errorf("embedded Django archive: %w", err)
	}
	return &a, nil
}
