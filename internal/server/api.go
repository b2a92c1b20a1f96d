package server

import (
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"mime"
	"net/http"
	"sort"
	"strconv"

	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/store"
)

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	_ = enc.Encode(v)
}

func writeJSONError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"error": msg})
}

// apiError maps an error to a status and a message safe to show.
func (s *Server) apiError(w http.ResponseWriter, r *http.Request, err error) {
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		writeJSONError(w, http.StatusBadRequest, ie.msg)
	case errors.Is(err, store.ErrNotFound):
		writeJSONError(w, http.StatusNotFound, "not found")
	case errors.Is(err, store.ErrConflict):
		writeJSONError(w, http.StatusConflict, "a site with this URL already exists")
	case errors.Is(err, errRateLimited):
		w.Header().Set("Retry-After", strconv.Itoa(int(s.cfg.ScanWindow.Seconds())))
		writeJSONError(w, http.StatusTooManyRequests, err.Error())
	default:
		s.cfg.Logger.Error("api", "path", r.URL.Path, "err", err)
		writeJSONError(w, http.StatusInternalServerError, "internal error")
	}
}

// pathID reads a positive integer path value.
func pathID(r *http.Request, name string) (int64, error) {
	v := r.PathValue(name)
	id, err := strconv.ParseInt(v, 10, 64)
	if err != nil || id <= 0 || len(v) > 19 {
		return 0, badInput("%s must be a positive integer", name)
	}
	return id, nil
}

// decodeJSON reads a JSON object body strictly: the right content type, no
// unknown fields, one value, at most 1 MiB.
func decodeJSON(r *http.Request, v any) error {
	mt, _, err := mime.ParseMediaType(r.Header.Get("Content-Type"))
	if err != nil || mt != "application/json" {
		return badInput("the body must be JSON (Content-Type: application/json)")
	}
	dec := json.NewDecoder(r.Body)
	dec.DisallowUnknownFields()
	if err := dec.Decode(v); err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return badInput("the body is larger than %d bytes", mbe.Limit)
		}
		return badInput("malformed JSON: %v", err)
	}
	if _, err := dec.Token(); err != io.EOF {
		return badInput("malformed JSON: more than one value")
	}
	return nil
}

func sortSites(sites []*store.Site) {
	sort.SliceStable(sites, func(i, j int) bool {
		gi, gj := "", ""
		if sites[i].Latest != nil {
			gi = sites[i].Latest.Grade
		}
		if sites[j].Latest != nil {
			gj = sites[j].Latest.Grade
		}
		if ri, rj := report.GradeRank(gi), report.GradeRank(gj); ri != rj {
			return ri < rj
		}
		return sites[i].Name < sites[j].Name
	})
}

func (s *Server) apiSites(w http.ResponseWriter, r *http.Request) {
	sites, err := s.cfg.Store.Sites(r.Context())
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	if sites == nil {
		sites = []*store.Site{}
	}
	sortSites(sites)
	writeJSON(w, http.StatusOK, map[string]any{"sites": sites})
}

func (s *Server) apiCreateSite(w http.ResponseWriter, r *http.Request) {
	var in SiteInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ns, err := s.checkSite(r.Context(), in)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	id, err := s.cfg.Store.CreateSite(r.Context(), userOf(r).ID, ns)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	site, err := s.cfg.Store.Site(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/sites/%d", id))
	writeJSON(w, http.StatusCreated, site)
}

func (s *Server) apiSite(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	site, err := s.cfg.Store.Site(r.Context(), id)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, site)
}

func (s *Server) apiUpdateSite(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	var in SiteInput
	if err := decodeJSON(r, &in); err != nil {
		s.apiError(w, r, err)
		return
	}
	ns, err := s.checkSite(r.Context(), in)
	if err == nil {
		err = s.cfg.Store.UpdateSite(r.Context(), id, ns)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	s.apiSite(w, r)
}

func (s *Server) apiDeleteSite(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Store.DeleteSite(r.Context(), id)
	}
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.WriteHeader(http.StatusNoContent)
}

func (s *Server) apiSiteScans(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	limit := 100
	if v := r.URL.Query().Get("limit"); v != "" {
		limit, err = strconv.Atoi(v)
		if err != nil || limit < 1 || limit > 1000 {
			s.apiError(w, r, badInput("limit must be between 1 and 1000"))
			return
		}
	}
	if _, err := s.cfg.Store.Site(r.Context(), id); err != nil {
		s.apiError(w, r, err)
		return
	}
	scans, err := s.cfg.Store.Scans(r.Context(), id, limit)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, map[string]any{"scans": scans})
}

func (s *Server) apiScanNow(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	scanID, created, err := s.queueScan(r.Context(), userOf(r), id, "api")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	w.Header().Set("Location", fmt.Sprintf("/api/v1/scans/%d", scanID))
	writeJSON(w, http.StatusAccepted, map[string]any{"scan_id": scanID, "queued": created})
}

func (s *Server) loadScan(r *http.Request) (*scanData, error) {
	id, err := pathID(r, "id")
	if err != nil {
		return nil, err
	}
	sc, err := s.cfg.Store.Scan(r.Context(), id)
	if err != nil {
		return nil, err
	}
	return decodeScan(sc)
}

func (s *Server) apiScan(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadScan(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, exportJSON{Scan: d.Scan, Probe: d.Probe, Static: d.Static, Correlations: d.Corr})
}

func (s *Server) apiExport(w http.ResponseWriter, r *http.Request) { s.export(w, r, s.apiError) }

// export writes a scan as json, sarif or html (?format=).
func (s *Server) export(w http.ResponseWriter, r *http.Request, fail func(http.ResponseWriter, *http.Request, error)) {
	format := r.URL.Query().Get("format")
	switch format {
	case "json", "sarif", "html":
	default:
		fail(w, r, badInput("format must be json, sarif or html"))
		return
	}
	d, err := s.loadScan(r)
	if err != nil {
		fail(w, r, err)
		return
	}
	if d.Scan.Status != store.StatusDone {
		fail(w, r, badInput("scan %d is %s: only finished scans can be exported", d.Scan.ID, d.Scan.Status))
		return
	}
	site, err := s.cfg.Store.Site(r.Context(), d.Scan.SiteID)
	if err != nil {
		fail(w, r, err)
		return
	}
	name := fmt.Sprintf("djangoguard-scan-%d.%s", d.Scan.ID, map[string]string{"json": "json", "sarif": "sarif", "html": "html"}[format])
	w.Header().Set("Content-Disposition", `attachment; filename="`+name+`"`)
	switch format {
	case "json":
		writeJSON(w, http.StatusOK, exportJSON{Scan: d.Scan, Probe: d.Probe, Static: d.Static, Correlations: d.Corr})
	case "sarif":
		w.Header().Set("Content-Type", "application/sarif+json")
		if err := d.writeSARIF(w, s.cfg.Registry, s.cfg.Version); err != nil {
			s.cfg.Logger.Error("sarif export", "err", err)
		}
	case "html":
		hist, err := s.history(r, site.ID)
		if err != nil {
			fail(w, r, err)
			return
		}
		w.Header().Set("Content-Type", "text/html; charset=utf-8")
		// The report's own CSP (a meta tag) allows its inline style; the
		// header must too, or a browser opening it from here shows it bare.
		w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; img-src data:; frame-ancestors 'none'; sandbox")
		if err := report.WriteHTMLReport(w, d.htmlReport(site, s.cfg.Version, hist)); err != nil {
			s.cfg.Logger.Error("html export", "err", err)
		}
	}
}

// history returns the finished scans of a site as chart points, up to 200.
func (s *Server) history(r *http.Request, siteID int64) ([]report.HistoryPoint, error) {
	scans, err := s.cfg.Store.Scans(r.Context(), siteID, 200)
	if err != nil {
		return nil, err
	}
	var pts []report.HistoryPoint
	for _, sc := range scans {
		if sc.Status == store.StatusDone && sc.Grade != "" {
			pts = append(pts, report.HistoryPoint{When: sc.Finished, Grade: sc.Grade, Score: sc.Score})
		}
	}
	return pts, nil
}

// loadDiff reads ?from=&to= (two finished scans of one site).
func (s *Server) loadDiff(r *http.Request) (*Diff, *store.Site, error) {
	q := r.URL.Query()
	ids := make([]int64, 2)
	for i, k := range []string{"from", "to"} {
		id, err := strconv.ParseInt(q.Get(k), 10, 64)
		if err != nil || id <= 0 {
			return nil, nil, badInput("%s must be a scan ID", k)
		}
		ids[i] = id
	}
	var ds [2]*scanData
	for i, id := range ids {
		sc, err := s.cfg.Store.Scan(r.Context(), id)
		if err != nil {
			return nil, nil, err
		}
		if sc.Status != store.StatusDone {
			return nil, nil, badInput("scan %d is %s: only finished scans can be compared", id, sc.Status)
		}
		if ds[i], err = decodeScan(sc); err != nil {
			return nil, nil, err
		}
	}
	if ds[0].Scan.SiteID != ds[1].Scan.SiteID {
		return nil, nil, badInput("the two scans are of different sites")
	}
	site, err := s.cfg.Store.Site(r.Context(), ds[0].Scan.SiteID)
	if err != nil {
		return nil, nil, err
	}
	return diffScans(ds[0], ds[1]), site, nil
}

func (s *Server) apiDiff(w http.ResponseWriter, r *http.Request) {
	d, _, err := s.loadDiff(r)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	writeJSON(w, http.StatusOK, d)
}
