package settingsrules

import (
	"fmt"
	"strings"

	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/rules"
)

// urlRule builds the Run of a rule over each project's URL patterns.
func urlRule(fn func(j *judged, u *project.URL, report func(rules.Finding))) func(*rules.Pass) error {
	return func(pass *rules.Pass) error {
		d := newDedup(pass)
		return forEachProduction(pass, func(j *judged) {
			for _, u := range j.pr.URLs {
				fn(j, u, d.report)
			}
		})
	}
}

func urlFinding(j *judged, u *project.URL, msg string) rules.Finding {
	return rules.Finding{Path: u.Path, Line: u.Line, Column: u.Col, SettingsModule: j.m.Name, Message: msg}
}

var adminDefaultURL = mk("DJG151", "admin-default-url", "The admin is mounted at the default admin/ address", rules.Low, rules.HighConfidence, "A05", 0, rules.Doc{
	Why: `Every scanner and password sprayer tries /admin/ first. Moving the admin elsewhere does not
secure it, but removes it from untargeted attacks and the noise they make in logs.`,
	Bad:   `path("admin/", admin.site.urls)`,
	Good:  `path(os.environ.get("DJANGO_ADMIN_PATH", "staff-7f3c/"), admin.site.urls)`,
	Fix:   "Mount the admin at a less guessable address (and protect it with rate limiting and 2FA).",
	Links: []string{djangoDocs + "ref/contrib/admin/#hooking-adminsite-instances-into-your-urlconf", checklistDoc},
}, urlRule(func(j *judged, u *project.URL, report func(rules.Finding)) {
	if u.Kind == "admin" && (strings.TrimPrefix(u.Route, "^") == "admin/" || u.Route == "admin") {
		report(urlFinding(j, u, "the admin is mounted at /admin/, the first address automated attacks try"))
	}
}))

var mediaServedUnguarded = mk("DJG152", "media-served-without-debug-guard", "Media files are served by Django without a DEBUG guard", rules.Low, rules.MediumConfidence, "A05", 552, rules.Doc{
	Why: `static() in the URLconf is a development helper: it serves MEDIA_ROOT (user uploads) through
Django. It silently does nothing when DEBUG is False, so without an "if settings.DEBUG:" guard the
URLconf reads as if production served uploads through Django, and any other setting that turns
DEBUG on in production starts serving every uploaded file with the site's origin.`,
	Bad:   `urlpatterns = [...] + static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)`,
	Good:  "if settings.DEBUG:\n    urlpatterns += static(settings.MEDIA_URL, document_root=settings.MEDIA_ROOT)",
	Fix:   "Add static() patterns only under if settings.DEBUG:, and serve media from the web server or object storage in production.",
	Links: []string{djangoDocs + "howto/static-files/#serving-files-uploaded-by-a-user-during-development", djangoDocs + "ref/views/#django.views.static.serve"},
}, urlRule(func(j *judged, u *project.URL, report func(rules.Finding)) {
	if u.Kind == "static" && !u.DebugGuarded {
		report(urlFinding(j, u, "static() adds file-serving URL patterns without an if settings.DEBUG guard"))
	}
	if u.Kind == "view" && (u.Target == "serve" || strings.HasSuffix(u.Target, "static.serve")) && !u.DebugGuarded {
		f := urlFinding(j, u, "django.views.static.serve is mounted without a DEBUG guard: Django serves files from disk in production")
		f.Severity = rules.Medium
		report(f)
	}
}))

var debugToolbarURLs = mk("DJG153", "debug-toolbar-urls-unguarded", "debug-toolbar URLs are included without a DEBUG guard", rules.Medium, rules.HighConfidence, "A05", 489, rules.Doc{
	Why: `The toolbar's URLs expose SQL queries, templates, settings and request data of recent requests.
Included unconditionally, they are live whenever the toolbar app is installed, and the toolbar's own
show-toolbar test is the only barrier.`,
	Bad:   `path("__debug__/", include("debug_toolbar.urls"))`,
	Good:  "if settings.DEBUG:\n    urlpatterns += [path(\"__debug__/\", include(\"debug_toolbar.urls\"))]",
	Fix:   "Include debug_toolbar.urls only under if settings.DEBUG: (and install the app only in development settings).",
	Links: []string{"https://django-debug-toolbar.readthedocs.io/en/latest/installation.html#add-the-urls", checklistDoc},
}, urlRule(func(j *judged, u *project.URL, report func(rules.Finding)) {
	if u.Kind == "debug_toolbar" && !u.DebugGuarded {
		report(urlFinding(j, u, fmt.Sprintf("debug-toolbar URLs are mounted at /%s without an if settings.DEBUG guard", u.Route)))
	}
}))

var sequentialIDs = mk("DJG154", "sequential-ids-in-urls", "A URL exposes sequential integer ids", rules.Info, rules.MediumConfidence, "A01", 639, rules.Doc{
	Why: `<int:pk> in a URL exposes auto-increment ids: anyone can count the records and try the
neighbours of their own. That matters when a view forgets an ownership check (IDOR); slugs or UUIDs
make guessing impractical, but the real fix is the check.`,
	Bad:   `path("notes/<int:pk>/", views.note_detail)`,
	Good:  `path("notes/<uuid:public_id>/", views.note_detail)  # and filter by request.user`,
	Fix:   "Check ownership in every object view; consider UUIDs or slugs for public identifiers.",
	Links: []string{djangoDocs + "topics/http/urls/#path-converters", "https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html"},
}, urlRule(func(j *judged, u *project.URL, report func(rules.Finding)) {
	for _, c := range u.Converters {
		if c == "int" {
			report(urlFinding(j, u, fmt.Sprintf("/%s takes a sequential integer id: make sure the view checks the object belongs to the user", u.Route)))
			return
		}
	}
}))
