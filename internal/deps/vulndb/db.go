package vulndb

import (
	"bufio"
	"bytes"
	"compress/flate"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"sort"
	"sync"
	"unsafe"

	"github.com/djangoguard/djangoguard/internal/deps/pep440"
)

// magic starts every database file. The file is the magic line, a JSON
// header line (meta, the body's encoding and an index from package to byte
// span), and the body: for each package, its records (see codec.go), stored
// as they are (Encoding "raw", what Encode writes) or compressed with
// DEFLATE (Encoding "" or "deflate": files written before raw bodies, which
// are still read). Opening reads only the header; a package's records are
// decoded the first time it is looked up. Raw bodies make that lookup a
// slice of the file: the embedded database is 1.1 MB raw against 0.34 MB
// compressed, and inflating was a third of a large lock file's audit.
const magic = "DJGVULNDB 3\n"

// Size limits for a database file, which may come from the cache directory.
const (
	maxCompressed = 128 << 20 // the file
	maxPackage    = 64 << 20  // one package's records, inflated
)

// Meta describes a database: where its records came from and when.
type Meta struct {
	Schema int `json:"schema"`
	// AsOf is the date of the newest source (YYYY-MM-DD); the newer of two
	// databases is the one with the later AsOf.
	AsOf     string   `json:"as_of"`
	Records  int      `json:"records"`
	Packages int      `json:"packages"`
	Sources  []Source `json:"sources"`
}

// Source is one input of a database.
type Source struct {
	Name        string `json:"name"`
	URL         string `json:"url,omitempty"`
	Date        string `json:"date"` // YYYY-MM-DD
	Records     int    `json:"records"`
	License     string `json:"license,omitempty"`
	Attribution string `json:"attribution,omitempty"`
}

type slot struct {
	once sync.Once
	recs []*Record
	err  error
}

type header struct {
	Meta     Meta              `json:"meta"`
	Encoding string            `json:"encoding,omitempty"` // "raw", or "deflate" when empty
	Index    map[string][3]int `json:"index"`              // package -> [offset, length in the body, decoded length]
}

// Body encodings.
const (
	encodingRaw     = "raw"
	encodingDeflate = "deflate"
)

// DB is a loaded database. Records of a package are decoded the first time
// the package is looked up. A DB is safe for concurrent use.
type DB struct {
	meta   Meta
	origin string
	index  map[string][3]int
	body   []byte
	raw    bool   // body holds the records as they are
	text   string // body as a string, shared by the decoded records when raw

	// slots holds each package's decoded records, filled on first use.
	slots map[string]*slot
	// inflaters keeps DEFLATE readers (flate.Resetter) for reuse.
	inflaters sync.Pool
}

// Meta returns the database's description.
func (db *DB) Meta() Meta { return db.meta }

// Origin says where the database was loaded from ("embedded" or a path).
func (db *DB) Origin() string { return db.origin }

// Packages returns the number of packages with at least one record.
func (db *DB) Packages() int { return len(db.index) }

// Decode reads a database file from b, which it keeps: the caller must not
// modify b afterwards (records of a raw body share its bytes).
func Decode(b []byte, origin string) (*DB, error) {
	if len(b) > maxCompressed {
		return nil, fmt.Errorf("vulnerability database %s: %d bytes is over the %d byte limit", origin, len(b), maxCompressed)
	}
	if !bytes.HasPrefix(b, []byte(magic)) {
		return nil, fmt.Errorf("vulnerability database %s: not a djangoguard database of this version (bad magic)", origin)
	}
	raw := b[len(magic):]
	nl := bytes.IndexByte(raw, '\n')
	if nl < 0 {
		return nil, fmt.Errorf("vulnerability database %s: truncated header", origin)
	}
	var h header
	if err := json.Unmarshal(raw[:nl], &h); err != nil {
		return nil, fmt.Errorf("vulnerability database %s: header: %w", origin, err)
	}
	if h.Meta.Schema != 1 {
		return nil, fmt.Errorf("vulnerability database %s: schema %d is not supported", origin, h.Meta.Schema)
	}
	isRaw := false
	switch h.Encoding {
	case encodingRaw:
		isRaw = true
	case "", encodingDeflate:
	default:
		return nil, fmt.Errorf("vulnerability database %s: unknown body encoding %q", origin, h.Encoding)
	}
	body := raw[nl+1:]
	for pkg, span := range h.Index {
		if span[0] < 0 || span[1] < 0 || span[2] < 0 || span[2] > maxPackage || span[0] > len(body) || span[1] > len(body)-span[0] ||
			(isRaw && span[1] != span[2]) {
			return nil, fmt.Errorf("vulnerability database %s: index entry for %q is out of range", origin, pkg)
		}
	}
	slots := make(map[string]*slot, len(h.Index))
	for pkg := range h.Index {
		slots[pkg] = &slot{}
	}
	db := &DB{meta: h.Meta, origin: origin, index: h.Index, body: body, raw: isRaw, slots: slots}
	if isRaw && len(body) > 0 {
		// No copy: Decode's contract is that b is not modified.
		db.text = unsafe.String(unsafe.SliceData(body), len(body))
	}
	return db, nil
}

// Records returns the records that mention package pkg (any spelling; it
// is normalised).
func (db *DB) Records(pkg string) ([]*Record, error) {
	pkg = pep440.Normalize(pkg)
	slot, ok := db.slots[pkg]
	if !ok {
		return nil, nil
	}
	slot.once.Do(func() { slot.recs, slot.err = db.decode(pkg, db.index[pkg]) })
	return slot.recs, slot.err
}

// decode parses (inflating first when compressed) the records of one
// package. Packages are decoded independently, so several goroutines may
// decode at once.
func (db *DB) decode(pkg string, span [3]int) ([]*Record, error) {
	var text string
	if db.raw {
		text = db.text[span[0] : span[0]+span[1]]
	} else {
		raw, err := db.inflate(span)
		if err != nil {
			return nil, fmt.Errorf("vulnerability database %s: records of %s: %w", db.origin, pkg, err)
		}
		text = string(raw)
	}
	rs, err := unmarshalRecords(text)
	if err != nil {
		return nil, fmt.Errorf("vulnerability database %s: records of %s: %w", db.origin, pkg, err)
	}
	cache := versionCache{}
	for _, r := range rs {
		r.prepare(cache)
	}
	return rs, nil
}

// inflate decompresses one package's records.
func (db *DB) inflate(span [3]int) ([]byte, error) {
	src := bytes.NewReader(db.body[span[0] : span[0]+span[1]])
	zr, _ := db.inflaters.Get().(io.ReadCloser)
	if zr == nil {
		zr = flate.NewReader(src)
	} else if err := zr.(flate.Resetter).Reset(src, nil); err != nil {
		return nil, err
	}
	defer db.inflaters.Put(zr)
	raw := make([]byte, span[2])
	if _, err := io.ReadFull(zr, raw); err != nil {
		return nil, err
	}
	// The blob must end exactly where the index says.
	var one [1]byte
	if n, _ := zr.Read(one[:]); n != 0 {
		return nil, fmt.Errorf("longer than the index says")
	}
	return raw, nil
}

// Query returns the records affecting version v of package pkg, ordered by
// ID.
func (db *DB) Query(pkg string, v pep440.Version) ([]*Record, error) {
	rs, err := db.Records(pkg)
	if err != nil {
		return nil, err
	}
	norm := pep440.Normalize(pkg)
	var out []*Record
	for _, r := range rs {
		if r.Affects(norm, v) {
			out = append(out, r)
		}
	}
	return out, nil
}

// All decodes every record (for `db info` counts and tests).
func (db *DB) All() ([]*Record, error) {
	pkgs := make([]string, 0, len(db.index))
	for p := range db.index {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	seen := map[string]bool{}
	var out []*Record
	for _, p := range pkgs {
		rs, err := db.Records(p)
		if err != nil {
			return nil, err
		}
		for _, r := range rs {
			if !seen[r.ID] {
				seen[r.ID] = true
				out = append(out, r)
			}
		}
	}
	return out, nil
}

// Encode writes records and meta as a database file. The output depends
// only on its inputs (records and packages are sorted), so regenerating
// from the same sources gives the same bytes.
func Encode(w io.Writer, meta Meta, records []*Record) error {
	sort.Slice(records, func(i, j int) bool { return records[i].ID < records[j].ID })
	byPkg := map[string][]*Record{}
	for _, r := range records {
		seen := map[string]bool{}
		for _, a := range r.Affected {
			if !seen[a.Package] {
				seen[a.Package] = true
				byPkg[a.Package] = append(byPkg[a.Package], r)
			}
		}
	}
	pkgs := make([]string, 0, len(byPkg))
	for p := range byPkg {
		pkgs = append(pkgs, p)
	}
	sort.Strings(pkgs)
	var body bytes.Buffer
	h := header{Meta: meta, Encoding: encodingRaw, Index: make(map[string][3]int, len(pkgs))}
	h.Meta.Schema = 1
	h.Meta.Records = len(records)
	h.Meta.Packages = len(pkgs)
	for _, p := range pkgs {
		b := marshalRecords(byPkg[p])
		start := body.Len()
		body.Write(b)
		h.Index[p] = [3]int{start, len(b), len(b)}
	}
	hb, err := json.Marshal(h)
	if err != nil {
		return fmt.Errorf("encoding database header: %w", err)
	}
	bw := bufio.NewWriter(w)
	bw.WriteString(magic)
	bw.Write(hb)
	bw.WriteByte('\n')
	bw.Write(body.Bytes())
	return bw.Flush()
}

// ErrNoDatabase is returned when no database could be loaded at all.
var ErrNoDatabase = errors.New("no vulnerability database available")
