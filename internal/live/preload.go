package live

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"os"
	"strings"
)

// PreloadEntry is one host of the HSTS preload list.
type PreloadEntry struct {
	Mode              string
	IncludeSubDomains bool
}

// PreloadList is the HSTS preload list: host name to entry.
type PreloadList struct {
	entries map[string]PreloadEntry
}

// maxPreloadFile bounds the list file (Chromium's is about 15 MB).
const maxPreloadFile = 64 << 20

// LoadPreloadList reads a preload list file: Chromium's
// transport_security_state_static.json (with its // comment lines), or a
// JSON object mapping host names to {"mode": ..., "includeSubDomains": ...}
// as the Observatory ships it.
func LoadPreloadList(path string) (*PreloadList, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("HSTS preload list: %w", err)
	}
	defer f.Close()
	data, err := io.ReadAll(io.LimitReader(f, maxPreloadFile+1))
	if err != nil {
		return nil, fmt.Errorf("HSTS preload list %s: %w", path, err)
	}
	if len(data) > maxPreloadFile {
		return nil, fmt.Errorf("HSTS preload list %s: larger than %d bytes", path, maxPreloadFile)
	}
	l, err := ParsePreloadList(data)
	if err != nil {
		return nil, fmt.Errorf("HSTS preload list %s: %w", path, err)
	}
	return l, nil
}

// ParsePreloadList parses the content of a preload list file.
func ParsePreloadList(data []byte) (*PreloadList, error) {
	data = stripJSONLineComments(data)
	l := &PreloadList{entries: map[string]PreloadEntry{}}
	var chromium struct {
		Entries []struct {
			Name              string `json:"name"`
			Mode              string `json:"mode"`
			IncludeSubdomains bool   `json:"include_subdomains"`
		} `json:"entries"`
	}
	if err := json.Unmarshal(data, &chromium); err == nil && chromium.Entries != nil {
		for _, e := range chromium.Entries {
			l.entries[strings.ToLower(e.Name)] = PreloadEntry{Mode: e.Mode, IncludeSubDomains: e.IncludeSubdomains}
		}
		return l, nil
	}
	var obs map[string]struct {
		Mode              string `json:"mode"`
		IncludeSubDomains bool   `json:"includeSubDomains"`
	}
	if err := json.Unmarshal(data, &obs); err != nil {
		return nil, fmt.Errorf("neither Chromium's {\"entries\": [...]} nor a host map: %w", err)
	}
	for host, e := range obs {
		l.entries[strings.ToLower(host)] = PreloadEntry{Mode: e.Mode, IncludeSubDomains: e.IncludeSubDomains}
	}
	return l, nil
}

// stripJSONLineComments removes lines whose first non-blank characters are
// "//", as in Chromium's file.
func stripJSONLineComments(data []byte) []byte {
	if !bytes.Contains(data, []byte("//")) {
		return data
	}
	var out bytes.Buffer
	for _, line := range bytes.SplitAfter(data, []byte("\n")) {
		if bytes.HasPrefix(bytes.TrimLeft(line, " \t"), []byte("//")) {
			out.WriteByte('\n')
			continue
		}
		out.Write(line)
	}
	return out.Bytes()
}

// Len returns the number of hosts in the list.
func (l *PreloadList) Len() int {
	if l == nil {
		return 0
	}
	return len(l.entries)
}

// Preloaded says whether host is preloaded with force-https: listed itself,
// or under a listed parent with include_subdomains. A nil list preloads
// nothing.
func (l *PreloadList) Preloaded(host string) bool {
	if l == nil {
		return false
	}
	host = strings.TrimSuffix(strings.ToLower(host), ".")
	if e, ok := l.entries[host]; ok && e.Mode == "force-https" {
		return true
	}
	parts := strings.Split(host, ".")
	for i := 1; i < len(parts); i++ {
		if e, ok := l.entries[strings.Join(parts[i:], ".")]; ok && e.Mode == "force-https" && e.IncludeSubDomains {
			return true
		}
	}
	return false
}
