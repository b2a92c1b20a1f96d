package server

import (
	"context"
	"embed"
	"errors"
	"fmt"
	"html/template"
	"net/http"
	"strconv"
	"strings"
	"time"

	"github.com/djangoguard/djangoguard/internal/report"
	"github.com/djangoguard/djangoguard/internal/store"
)

//go:embed templates/*.html
var templateFS embed.FS

var pageFuncs = template.FuncMap{
	"gradeClass": report.GradeClass,
	"css":        func() template.CSS { return template.CSS(report.ReportCSS + dashboardCSS) },
	"date": func(t time.Time) string {
		if t.IsZero() {
			return "—"
		}
		return t.UTC().Format("2006-01-02 15:04:05 UTC")
	},
	"signed": func(n int) string {
		if n > 0 {
			return "+" + strconv.Itoa(n)
		}
		return strconv.Itoa(n)
	},
}

const dashboardCSS = `
header{background:#263238;color:#fff;padding:8px 24px;display:flex;gap:16px;align-items:center}
header a{color:#fff;text-decoration:none}header form{margin-left:auto}
.error{background:#ffebee;border:1px solid #c62828;padding:8px 12px;border-radius:6px}
.notice{background:#e8f5e9;border:1px solid #2e7d32;padding:8px 12px;border-radius:6px}
form.inline{display:inline}input[type=text],input[type=url],input[type=password],input[type=number]{padding:4px 6px;min-width:260px}
label{display:block;margin:6px 0}button{padding:4px 12px;cursor:pointer}
.token{font-family:monospace;background:#fffde7;padding:6px;word-break:break-all}
`

// pages are parsed once per server: each page template with the layout.
func parsePages() (map[string]*template.Template, error) {
	out := map[string]*template.Template{}
	for _, name := range []string{"login", "overview", "site", "scan", "diff", "tokens", "error"} {
		t, err := template.New("layout.html").Funcs(pageFuncs).ParseFS(templateFS, "templates/layout.html", "templates/parts.html", "templates/"+name+".html")
		if err != nil {
			return nil, fmt.Errorf("template %s: %w", name, err)
		}
		out[name] = t
	}
	return out, nil
}

// view is the data every page gets.
type view struct {
	Title   string
	Nonce   string
	User    *store.User
	CSRF    string
	Version string
	Error   string
	Notice  string
	Data    any
}

func (s *Server) render(w http.ResponseWriter, r *http.Request, status int, name, title string, data any, errMsg string) {
	v := view{Title: title, Nonce: nonceOf(r), User: userOf(r), Version: s.cfg.Version, Data: data, Error: errMsg}
	if sess := sessionOf(r); sess != nil {
		v.CSRF = sess.CSRF
	}
	if n := r.URL.Query().Get("notice"); n != "" {
		v.Notice = notices[n]
	}
	var b strings.Builder
	if err := s.pages[name].Execute(&b, v); err != nil {
		s.cfg.Logger.Error("rendering", "page", name, "err", err)
		http.Error(w, "internal error", http.StatusInternalServerError)
		return
	}
	w.Header().Set("Content-Type", "text/html; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write([]byte(b.String()))
}

// notices are the fixed messages a redirect may ask for (?notice=).
var notices = map[string]string{
	"queued":  "Scan queued. This page refreshes when it is done.",
	"pending": "A scan of this site is already queued or running.",
	"saved":   "Settings saved.",
	"deleted": "Site deleted.",
	"token":   "Token revoked.",
}

func (s *Server) errorPage(w http.ResponseWriter, r *http.Request, status int, msg string) {
	s.render(w, r, status, "error", http.StatusText(status), nil, msg)
}

// pageError maps an error to an error page.
func (s *Server) pageError(w http.ResponseWriter, r *http.Request, err error) {
	var ie *inputError
	switch {
	case errors.As(err, &ie):
		s.errorPage(w, r, http.StatusBadRequest, ie.msg)
	case errors.Is(err, store.ErrNotFound):
		s.errorPage(w, r, http.StatusNotFound, "Not found.")
	case errors.Is(err, store.ErrConflict):
		s.errorPage(w, r, http.StatusConflict, "A site with this URL already exists.")
	case errors.Is(err, errRateLimited):
		s.errorPage(w, r, http.StatusTooManyRequests, "You have asked for too many scans recently; try again later.")
	default:
		s.cfg.Logger.Error("page", "path", r.URL.Path, "err", err)
		s.errorPage(w, r, http.StatusInternalServerError, "Internal error.")
	}
}

func (s *Server) loginCookieName() string {
	if s.cfg.TLS {
		return "__Host-djangoguard-login"
	}
	return "djangoguard-login"
}

func (s *Server) loginForm(w http.ResponseWriter, r *http.Request) {
	if s.session(r) != nil {
		http.Redirect(w, r, "/", http.StatusSeeOther)
		return
	}
	s.showLogin(w, r, http.StatusOK, "")
}

func (s *Server) showLogin(w http.ResponseWriter, r *http.Request, status int, msg string) {
	tok := randomToken(24)
	s.setCookie(w, s.loginCookieName(), tok, 3600)
	next := safeNext(r.FormValue("next"))
	s.render(w, r, status, "login", "Log in", map[string]string{"Token": tok, "Next": next}, msg)
}

// safeNext keeps only local paths, so the login cannot redirect elsewhere.
func safeNext(n string) string {
	if !strings.HasPrefix(n, "/") || strings.HasPrefix(n, "//") || strings.HasPrefix(n, "/\\") || hasControl(n) || len(n) > 512 {
		return "/"
	}
	return n
}

func (s *Server) login(w http.ResponseWriter, r *http.Request) {
	if !sameOrigin(r) {
		s.errorPage(w, r, http.StatusForbidden, "Cross-site request refused.")
		return
	}
	if err := r.ParseForm(); err != nil {
		s.errorPage(w, r, http.StatusBadRequest, "Malformed form.")
		return
	}
	c, err := r.Cookie(s.loginCookieName())
	tok := r.PostForm.Get("csrf_token")
	if err != nil || tok == "" || len(tok) > 100 || c.Value != tok {
		s.showLogin(w, r, http.StatusForbidden, "The login form expired or its CSRF token is wrong. Try again.")
		return
	}
	name := r.PostForm.Get("username")
	pw := r.PostForm.Get("password")
	keys := []string{"user:" + strings.ToLower(name), "ip:" + s.clientIP(r)}
	if blocked, wait := s.throttle.blocked(keys...); blocked {
		w.Header().Set("Retry-After", strconv.Itoa(int(wait.Seconds())+1))
		s.showLogin(w, r, http.StatusTooManyRequests, fmt.Sprintf("Too many failed logins. Try again in %d minutes.", int(wait.Minutes())+1))
		return
	}
	u, err := s.cfg.Store.UserByName(r.Context(), name)
	hash := dummyHash
	if err == nil {
		hash = u.PasswordHash
	}
	ok := CheckPassword(hash, pw)
	if err != nil || !ok || len(name) > 150 {
		s.throttle.fail(keys...)
		s.showLogin(w, r, http.StatusUnauthorized, "Wrong user name or password.")
		return
	}
	s.throttle.reset(keys[0])
	sid := randomToken(32)
	if err := s.cfg.Store.CreateSession(r.Context(), hashSecret(sid), u.ID, randomToken(32), s.cfg.SessionTTL); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.setCookie(w, s.cookieName(), sid, int(s.cfg.SessionTTL.Seconds()))
	s.setCookie(w, s.loginCookieName(), "", -1)
	http.Redirect(w, r, safeNext(r.PostForm.Get("next")), http.StatusSeeOther)
}

func (s *Server) logout(w http.ResponseWriter, r *http.Request) {
	if c, err := r.Cookie(s.cookieName()); err == nil {
		_ = s.cfg.Store.DeleteSession(r.Context(), hashSecret(c.Value))
	}
	s.setCookie(w, s.cookieName(), "", -1)
	http.Redirect(w, r, "/login", http.StatusSeeOther)
}

type overviewData struct {
	Sites []*store.Site
	Queue map[string]int
	Form  SiteInput
}

func (s *Server) overview(w http.ResponseWriter, r *http.Request) {
	s.showOverview(w, r, http.StatusOK, SiteInput{}, "")
}

func (s *Server) showOverview(w http.ResponseWriter, r *http.Request, status int, form SiteInput, msg string) {
	sites, err := s.cfg.Store.Sites(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	sortSites(sites)
	q, err := s.cfg.Store.QueueStats(r.Context())
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, status, "overview", "Sites", overviewData{Sites: sites, Queue: q, Form: form}, msg)
}

func formSite(r *http.Request) (SiteInput, error) {
	in := SiteInput{Name: r.PostForm.Get("name"), URL: r.PostForm.Get("url"), RepoPath: r.PostForm.Get("repo_path"), WebhookURL: r.PostForm.Get("webhook_url")}
	if v := strings.TrimSpace(r.PostForm.Get("interval_minutes")); v != "" {
		n, err := strconv.ParseInt(v, 10, 64)
		if err != nil {
			return in, badInput("interval_minutes must be a whole number of minutes")
		}
		in.IntervalMinutes = n
	}
	return in, nil
}

func (s *Server) addSiteForm(w http.ResponseWriter, r *http.Request) {
	in, err := formSite(r)
	var ns store.NewSite
	if err == nil {
		ns, err = s.checkSite(r.Context(), in)
	}
	var id int64
	if err == nil {
		id, err = s.cfg.Store.CreateSite(r.Context(), userOf(r).ID, ns)
	}
	if err != nil {
		var ie *inputError
		switch {
		case errors.As(err, &ie):
			s.showOverview(w, r, http.StatusBadRequest, in, ie.msg)
		case errors.Is(err, store.ErrConflict):
			s.showOverview(w, r, http.StatusConflict, in, "A site with this URL already exists.")
		default:
			s.pageError(w, r, err)
		}
		return
	}
	if r.PostForm.Get("scan_now") != "" {
		if _, _, err := s.queueScan(r.Context(), userOf(r), id, "manual"); err != nil {
			s.pageError(w, r, err)
			return
		}
		http.Redirect(w, r, fmt.Sprintf("/sites/%d?notice=queued", id), http.StatusSeeOther)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/sites/%d", id), http.StatusSeeOther)
}

type siteData struct {
	Site    *store.Site
	Latest  *scanData
	Scans   []*store.Scan
	Pending bool
	Chart   template.HTML
	Done    []*store.Scan
}

func (s *Server) sitePage(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	site, err := s.cfg.Store.Site(r.Context(), id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	d := siteData{Site: site}
	if site.Latest != nil {
		if d.Latest, err = decodeScan(site.Latest); err != nil {
			s.pageError(w, r, err)
			return
		}
	}
	if d.Scans, err = s.cfg.Store.Scans(r.Context(), id, 50); err != nil {
		s.pageError(w, r, err)
		return
	}
	for _, sc := range d.Scans {
		if sc.Status == store.StatusQueued || sc.Status == store.StatusRunning {
			d.Pending = true
		}
		if sc.Status == store.StatusDone {
			d.Done = append(d.Done, sc)
		}
	}
	hist, err := s.history(r, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	if len(hist) > 0 {
		d.Chart = report.HistoryChartSVG(hist, 720, 240)
	}
	s.render(w, r, http.StatusOK, "site", site.Name, d, "")
}

func (s *Server) siteStatus(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	scans, err := s.cfg.Store.Scans(r.Context(), id, 20)
	if err != nil {
		s.apiError(w, r, err)
		return
	}
	pending, latest := false, int64(0)
	for _, sc := range scans {
		if sc.Status == store.StatusQueued || sc.Status == store.StatusRunning {
			pending = true
		}
		if sc.Status == store.StatusDone && latest == 0 {
			latest = sc.ID
		}
	}
	writeJSON(w, http.StatusOK, map[string]any{"pending": pending, "latest_done": latest})
}

func (s *Server) chartSVG(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	hist, err := s.history(r, id)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	w.Header().Set("Content-Type", "image/svg+xml")
	w.Header().Set("Content-Security-Policy", "default-src 'none'; style-src 'unsafe-inline'; frame-ancestors 'none'; sandbox")
	_, _ = w.Write([]byte(report.HistoryChartSVG(hist, 720, 240)))
}

func (s *Server) scanNowForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	_, created, err := s.queueScan(r.Context(), userOf(r), id, "manual")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	notice := "queued"
	if !created {
		notice = "pending"
	}
	http.Redirect(w, r, fmt.Sprintf("/sites/%d?notice=%s", id, notice), http.StatusSeeOther)
}

func (s *Server) siteSettingsForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	in, err := formSite(r)
	var ns store.NewSite
	if err == nil {
		ns, err = s.checkSite(r.Context(), in)
	}
	if err == nil {
		err = s.cfg.Store.UpdateSite(r.Context(), id, ns)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, fmt.Sprintf("/sites/%d?notice=saved", id), http.StatusSeeOther)
}

func (s *Server) deleteSiteForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Store.DeleteSite(r.Context(), id)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/?notice=deleted", http.StatusSeeOther)
}

type scanPageData struct {
	Site *store.Site
	Scan *scanData
}

func (s *Server) scanPage(w http.ResponseWriter, r *http.Request) {
	d, err := s.loadScan(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	site, err := s.cfg.Store.Site(r.Context(), d.Scan.SiteID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "scan", fmt.Sprintf("%s: scan %d", site.Name, d.Scan.ID), scanPageData{Site: site, Scan: d}, "")
}

func (s *Server) exportPage(w http.ResponseWriter, r *http.Request) { s.export(w, r, s.pageError) }

func (s *Server) diffPage(w http.ResponseWriter, r *http.Request) {
	d, site, err := s.loadDiff(r)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, http.StatusOK, "diff", fmt.Sprintf("%s: scan %d → %d", site.Name, d.From, d.To), map[string]any{"Site": site, "Diff": d}, "")
}

func (s *Server) tokensPage(w http.ResponseWriter, r *http.Request) {
	s.showTokens(w, r, http.StatusOK, "", "")
}

func (s *Server) showTokens(w http.ResponseWriter, r *http.Request, status int, created, msg string) {
	toks, err := s.cfg.Store.Tokens(r.Context(), userOf(r).ID)
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	s.render(w, r, status, "tokens", "API tokens", map[string]any{"Tokens": toks, "Created": created}, msg)
}

func (s *Server) createTokenForm(w http.ResponseWriter, r *http.Request) {
	name := strings.TrimSpace(r.PostForm.Get("name"))
	if name == "" || len(name) > 100 || hasControl(name) {
		s.showTokens(w, r, http.StatusBadRequest, "", "Give the token a name of at most 100 characters.")
		return
	}
	tok := "djg_" + randomToken(32)
	if _, err := s.cfg.Store.CreateToken(r.Context(), userOf(r).ID, name, hashSecret(tok)); err != nil {
		s.pageError(w, r, err)
		return
	}
	s.showTokens(w, r, http.StatusOK, tok, "")
}

func (s *Server) deleteTokenForm(w http.ResponseWriter, r *http.Request) {
	id, err := pathID(r, "id")
	if err == nil {
		err = s.cfg.Store.DeleteToken(r.Context(), userOf(r).ID, id)
	}
	if err != nil {
		s.pageError(w, r, err)
		return
	}
	http.Redirect(w, r, "/tokens?notice=token", http.StatusSeeOther)
}

// NewAPIToken makes an API token for a user (`serve --create-token`,
// tests) and returns its secret, which is shown once and stored hashed.
func NewAPIToken(ctx context.Context, st *store.Store, userID int64, name string) (string, error) {
	tok := "djg_" + randomToken(32)
	_, err := st.CreateToken(ctx, userID, name, hashSecret(tok))
	return tok, err
}
