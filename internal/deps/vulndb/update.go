package vulndb

import (
	"archive/zip"
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"os"
	"path"
	"strings"
	"time"
)

// DefaultUpdateURL is OSV's export of every PyPI record.
const DefaultUpdateURL = "https://osv-vulnerabilities.storage.googleapis.com/PyPI/all.zip"

// Limits that keep a hostile or damaged export from exhausting memory.
const (
	MaxDownload     = 256 << 20 // compressed zip
	maxEntry        = 4 << 20   // one uncompressed record
	maxTotal        = 2 << 30   // all uncompressed records
	maxEntries      = 500_000
	maxBadFraction  = 0.01 // more bad records than this fails the update
	minValidRecords = 1
)

// ImportStats says what an import read.
type ImportStats struct {
	Entries  int // JSON files in the zip
	Records  int // PyPI records kept
	Skipped  int // withdrawn or without a PyPI package
	Invalid  int // files that did not parse
	Merged   int // records after merging by alias
	Database int // size of the database file in bytes
}

// ImportZip builds a database file from an OSV export zip (one OSV JSON
// record per file). It validates every entry, bounds sizes, and merges the
// embedded Django archive. The export's date is that of its newest record.
func ImportZip(ctx context.Context, zipData []byte, sourceURL string) ([]byte, ImportStats, error) {
	var st ImportStats
	zr, err := zip.NewReader(bytes.NewReader(zipData), int64(len(zipData)))
	if err != nil {
		return nil, st, fmt.Errorf("reading the OSV export: not a zip file: %w", err)
	}
	if len(zr.File) > maxEntries {
		return nil, st, fmt.Errorf("reading the OSV export: %d entries is over the %d limit", len(zr.File), maxEntries)
	}
	var recs []*Record
	var total int64
	newest := ""
	var firstBad string
	for _, f := range zr.File {
		if err := ctx.Err(); err != nil {
			return nil, st, err
		}
		if f.FileInfo().IsDir() || !strings.HasSuffix(f.Name, ".json") {
			continue
		}
		st.Entries++
		if f.UncompressedSize64 > maxEntry {
			return nil, st, fmt.Errorf("OSV export entry %s: declares %d bytes, over the %d limit", f.Name, f.UncompressedSize64, maxEntry)
		}
		rc, err := f.Open()
		if err != nil {
			return nil, st, fmt.Errorf("OSV export entry %s: %w", f.Name, err)
		}
		b, err := io.ReadAll(io.LimitReader(rc, maxEntry+1))
		rc.Close()
		if err != nil {
			return nil, st, fmt.Errorf("OSV export entry %s: %w", f.Name, err)
		}
		if len(b) > maxEntry {
			return nil, st, fmt.Errorf("OSV export entry %s: over %d bytes uncompressed", f.Name, maxEntry)
		}
		total += int64(len(b))
		if total > maxTotal {
			return nil, st, fmt.Errorf("OSV export: over %d bytes uncompressed", int64(maxTotal))
		}
		var o OSV
		if err := json.Unmarshal(b, &o); err != nil || o.ID == "" {
			st.Invalid++
			if firstBad == "" {
				firstBad = path.Base(f.Name)
			}
			continue
		}
		r, err := Convert(&o, "osv.dev")
		if err != nil {
			st.Invalid++
			if firstBad == "" {
				firstBad = path.Base(f.Name)
			}
			continue
		}
		if r == nil {
			st.Skipped++
			continue
		}
		if d := day(o.Modified); d > newest && len(d) == 10 {
			newest = d
		}
		recs = append(recs, r)
	}
	st.Records = len(recs)
	if st.Records < minValidRecords {
		return nil, st, fmt.Errorf("OSV export: no valid PyPI records in %d entries", st.Entries)
	}
	if float64(st.Invalid) > maxBadFraction*float64(st.Entries) {
		return nil, st, fmt.Errorf("OSV export: %d of %d entries are not valid OSV records (first: %s)", st.Invalid, st.Entries, firstBad)
	}
	archive, err := EmbeddedArchive()
	if err != nil {
		return nil, st, err
	}
	merged, meta, err := Combine(recs, Source{
		Name:        "OSV PyPI export",
		URL:         sourceURL,
		Date:        newest,
		License:     "CC-BY-4.0 (per record source)",
		Attribution: OSVAttribution,
	}, archive, false)
	if err != nil {
		return nil, st, err
	}
	st.Merged = len(merged)
	var buf bytes.Buffer
	if err := Encode(&buf, meta, merged); err != nil {
		return nil, st, err
	}
	st.Database = buf.Len()
	return buf.Bytes(), st, nil
}

// Fetch reads an OSV export from an http(s) URL or a local file, at most
// MaxDownload bytes.
func Fetch(ctx context.Context, client *http.Client, from string) ([]byte, error) {
	if !strings.HasPrefix(from, "http://") && !strings.HasPrefix(from, "https://") {
		f, err := os.Open(strings.TrimPrefix(from, "file://"))
		if err != nil {
			return nil, fmt.Errorf("reading the OSV export: %w", err)
		}
		defer f.Close()
		b, err := io.ReadAll(io.LimitReader(f, MaxDownload+1))
		if err != nil {
			return nil, fmt.Errorf("reading the OSV export %s: %w", from, err)
		}
		if len(b) > MaxDownload {
			return nil, fmt.Errorf("reading the OSV export %s: over %d bytes", from, MaxDownload)
		}
		return b, nil
	}
	if client == nil {
		client = &http.Client{Timeout: 10 * time.Minute}
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, from, nil)
	if err != nil {
		return nil, fmt.Errorf("downloading the OSV export: %w", err)
	}
	resp, err := client.Do(req)
	if err != nil {
		return nil, fmt.Errorf("downloading the OSV export: %w", err)
	}
	defer resp.Body.Close()
	if resp.StatusCode != http.StatusOK {
		return nil, fmt.Errorf("downloading the OSV export from %s: HTTP %s", from, resp.Status)
	}
	if resp.ContentLength > MaxDownload {
		return nil, fmt.Errorf("downloading the OSV export from %s: %d bytes is over the %d limit", from, resp.ContentLength, MaxDownload)
	}
	b, err := io.ReadAll(io.LimitReader(resp.Body, MaxDownload+1))
	if err != nil {
		return nil, fmt.Errorf("downloading the OSV export from %s: %w", from, err)
	}
	if len(b) > MaxDownload {
		return nil, fmt.Errorf("downloading the OSV export from %s: over %d bytes", from, MaxDownload)
	}
	return b, nil
}

// Update fetches an OSV export, builds a database from it and installs it
// in dir. The previous database stays in place if any step fails.
func Update(ctx context.Context, client *http.Client, from, dir string) (ImportStats, error) {
	data, err := Fetch(ctx, client, from)
	if err != nil {
		return ImportStats{}, err
	}
	db, st, err := ImportZip(ctx, data, from)
	if err != nil {
		return st, err
	}
	if err := Install(ctx, dir, db); err != nil {
		return st, err
	}
	return st, nil
}

func readFull(r io.Reader, b []byte) (int, error) { return io.ReadFull(r, b) }
