// Package coderules holds the 2xx rules: injection, XSS, CSRF, access
// control and crypto mistakes in the project's Python code. Every rule
// reads one shared analysis of the target (internal/taint), computed once
// per scan: the taint flows with their traces, and the call sites,
// comparisons and declarations the pattern rules need.
package coderules

import "github.com/djangoguard/djangoguard/internal/rules"

// Rules returns the 2xx rules.
func Rules() []*rules.Rule {
	return []*rules.Rule{
		SQLInjection, PythonXSS, OpenRedirect, CommandInjection, CodeInjection, TemplateInjection,
		Deserialization, PathTraversal, SSRF, XXE, HeaderInjection, LogInjection,
		CSRFExempt, MissingAccessControl, IDOR, MassAssignment, WeakHash, InsecureRandom,
		TimingAttack, HardcodedSecret, TLSVerifyDisabled, SensitiveDataLogged, SensitiveParams,
		UnsafeUpload, ReDoS, UnboundedSize, CookieFlags,
	}
}

const (
	linkSecurity = "https://docs.djangoproject.com/en/stable/topics/security/"
	linkOWASPA01 = "https://owasp.org/Top10/A01_2021-Broken_Access_Control/"
	linkOWASPA02 = "https://owasp.org/Top10/A02_2021-Cryptographic_Failures/"
	linkOWASPA03 = "https://owasp.org/Top10/A03_2021-Injection/"
	linkOWASPA04 = "https://owasp.org/Top10/A04_2021-Insecure_Design/"
	linkOWASPA05 = "https://owasp.org/Top10/A05_2021-Security_Misconfiguration/"
	linkOWASPA07 = "https://owasp.org/Top10/A07_2021-Identification_and_Authentication_Failures/"
	linkOWASPA08 = "https://owasp.org/Top10/A08_2021-Software_and_Data_Integrity_Failures/"
	linkOWASPA09 = "https://owasp.org/Top10/A09_2021-Security_Logging_and_Monitoring_Failures/"
	linkOWASPA10 = "https://owasp.org/Top10/A10_2021-Server-Side_Request_Forgery_%28SSRF%29/"
)

func cwe(n string) string { return "https://cwe.mitre.org/data/definitions/" + n + ".html" }

const taintNote = ` The finding shows the path from the source (request.GET, POST, COOKIES, headers,
body, URL parameters captured by urls.py, self.kwargs...) to the sink, step by step, across
assignments, string building, containers and calls into the project's own functions.`

var SQLInjection = &rules.Rule{
	Code: "DJG201", Name: "sql-injection", Title: "Request data reaches raw SQL",
	Severity: rules.Critical, Confidence: rules.HighConfidence, OWASP: "A03", CWE: 89, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `The ORM quotes every value it puts in a query, but raw(), extra(), RawSQL() and
cursor.execute() run the SQL string they are given. When that string is built with %, format(),
an f-string or + from request data, the client writes part of the query: it can read every table,
change data, or bypass a login. Passing the values as query parameters (the second argument of
execute() and raw(), params= of extra() and RawSQL) keeps them data. The template=, function= and
arg_joiner= of a custom Func, Aggregate or Transform are pasted into the SQL too; only the
expressions they wrap are compiled safely.` + taintNote,
		Bad:  `cursor.execute(f"SELECT * FROM notes WHERE title LIKE '%{q}%'")`,
		Good: `cursor.execute("SELECT * FROM notes WHERE title LIKE %s", [f"%{q}%"])`,
		Fix:  "Pass request values as query parameters (execute(sql, params), raw(sql, params)) or use the ORM.",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/db/sql/#executing-custom-sql-directly",
			"https://docs.djangoproject.com/en/stable/topics/security/#sql-injection-protection", linkOWASPA03,
			"https://cheatsheetseries.owasp.org/cheatsheets/SQL_Injection_Prevention_Cheat_Sheet.html", cwe("89")},
	},
}

var PythonXSS = &rules.Rule{
	Code: "DJG202", Name: "xss-in-python", Title: "HTML built in Python from request or stored data",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A03", CWE: 79, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `Templates escape variables; Python code does not. mark_safe(), SafeString, a
format_html() whose format string was already filled with % or an f-string, and an HttpResponse
whose body is HTML built by string concatenation all send the text to the browser as markup. Request
data there is reflected XSS (high confidence); values loaded from the database are stored XSS when
users can write them (medium confidence). A class's __html__() method is trusted the same way:
conditional_escape(), templates and format_html() insert what it returns without escaping, so one
that builds its HTML from attributes with an f-string, % or + is reported (medium), and one that
returns an attribute whole is reported at low confidence. format_html() with the values as
arguments escapes them.` + taintNote,
		Bad:  `return HttpResponse("<h1>Results for %s</h1>" % request.GET["q"])`,
		Good: `return HttpResponse(format_html("<h1>Results for {}</h1>", request.GET["q"]))`,
		Fix:  "Build HTML with format_html() and arguments, or escape() the value, or render a template.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html",
			"https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection", linkOWASPA03,
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html", cwe("79")},
	},
}

var OpenRedirect = &rules.Rule{
	Code: "DJG203", Name: "open-redirect", Title: "Redirect to an address taken from the request",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A01", CWE: 601, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `redirect(request.GET["next"]) sends the browser wherever the link says. A phishing
mail can point at your real login page with next=https://evil.example/, and users who trust your
domain land on the attacker's copy. Django's own login view checks the target with
url_has_allowed_host_and_scheme(); redirects written by hand must do the same. A value checked by
that function (in an if, or through a helper that returns it only when it passes), reverse(), or a
lookup in a fixed set is not reported.` + taintNote,
		Bad: `return redirect(request.GET.get("next", "/"))`,
		Good: `nxt = request.GET.get("next")
if not url_has_allowed_host_and_scheme(nxt, allowed_hosts={request.get_host()}, require_https=request.is_secure()):
    nxt = "/"
return redirect(nxt)`,
		Fix: "Check the target with url_has_allowed_host_and_scheme() before redirecting, or redirect to a named URL.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.http.url_has_allowed_host_and_scheme",
			linkOWASPA01, "https://cheatsheetseries.owasp.org/cheatsheets/Unvalidated_Redirects_and_Forwards_Cheat_Sheet.html", cwe("601")},
	},
}

var CommandInjection = &rules.Rule{
	Code: "DJG204", Name: "command-injection", Title: "Request data reaches a shell command",
	Severity: rules.Critical, Confidence: rules.HighConfidence, OWASP: "A03", CWE: 78, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `os.system(), os.popen() and subprocess with shell=True hand a string to /bin/sh. A
semicolon, a backtick or $( ) in request data starts another command with the web server's
rights. An argument list without shell=True passes each value as one argument and no shell runs;
shlex.quote() makes a value one word when a shell is unavoidable.` + taintNote,
		Bad:  `subprocess.check_output("convert " + request.GET["file"] + " out.png", shell=True)`,
		Good: `subprocess.run(["convert", name, "out.png"], check=True)`,
		Fix:  "Pass an argument list to subprocess without shell=True; quote with shlex.quote() if a shell is unavoidable.",
		Links: []string{"https://docs.python.org/3/library/subprocess.html#security-considerations", linkOWASPA03,
			"https://cheatsheetseries.owasp.org/cheatsheets/OS_Command_Injection_Defense_Cheat_Sheet.html", cwe("78")},
	},
}

var CodeInjection = &rules.Rule{
	Code: "DJG205", Name: "code-injection", Title: "Request data is evaluated as Python code",
	Severity: rules.Critical, Confidence: rules.HighConfidence, OWASP: "A03", CWE: 94, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `eval(), exec(), compile(), __import__() and importlib.import_module() with request data
let the client run Python in the server process: read settings.SECRET_KEY, the database, the disk.
globals()[name] (or locals(), vars()) with a name from the request lets the client call any
function or class of the module, imported ones included. There is no safe way to sandbox eval();
ast.literal_eval() parses literals only, and a dict of allowed functions replaces dynamic dispatch.` + taintNote,
		Bad: `result = eval(request.GET["expr"])`,
		Good: `OPERATIONS = {"sum": sum, "max": max}
result = OPERATIONS[request.GET["op"]](values)`,
		Fix:   "Never evaluate request data; use ast.literal_eval() for literals or a dict of allowed operations.",
		Links: []string{"https://docs.python.org/3/library/functions.html#eval", linkOWASPA03, cwe("94")},
	},
}

var TemplateInjection = &rules.Rule{
	Code: "DJG206", Name: "template-injection", Title: "Template source built from request data (SSTI)",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A03", CWE: 1336, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `Template("Hello " + name).render(...) lets the client write template code: with Django
templates it can read every context variable and settings exposed through them; with Jinja2 it
can usually run arbitrary Python. User data belongs in the context of a fixed template, never in
its source.` + taintNote,
		Bad:  `Template("<p>Hello " + request.GET["name"] + "</p>").render(Context())`,
		Good: `Template("<p>Hello {{ name }}</p>").render(Context({"name": request.GET["name"]}))`,
		Fix:  "Render a fixed template and pass request data in the context.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/templates/api/#compiling-a-string",
			linkOWASPA03, cwe("1336")},
	},
}

var Deserialization = &rules.Rule{
	Code: "DJG207", Name: "insecure-deserialization", Title: "Untrusted data deserialized with pickle or unsafe YAML",
	Severity: rules.Critical, Confidence: rules.HighConfidence, OWASP: "A08", CWE: 502, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `pickle (and dill, marshal, shelve, jsonpickle) and yaml.load() without SafeLoader
rebuild arbitrary Python objects, and building them runs code chosen by whoever wrote the bytes.
Request data there is remote code execution (high confidence). yaml.load() without a safe loader is
reported wherever it is (medium); pickle on data from elsewhere is reported at low confidence,
because a cache or file others can write is just as dangerous. django.core.signing.loads() with a
pickle serializer is reported wherever it is (high): the signature only proves that the data was
made by someone who knows SECRET_KEY, so a leaked key becomes code execution. JSON, or
yaml.safe_load(), parse data only.` + taintNote,
		Bad:  `prefs = pickle.loads(base64.b64decode(request.COOKIES["prefs"]))`,
		Good: `prefs = json.loads(request.COOKIES.get("prefs", "{}"))`,
		Fix:  "Use JSON or yaml.safe_load() for data from outside; sign with django.core.signing if it must round-trip.",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/signing/",
			"https://docs.python.org/3/library/pickle.html", linkOWASPA08,
			"https://cheatsheetseries.owasp.org/cheatsheets/Deserialization_Cheat_Sheet.html", cwe("502")},
	},
}

var PathTraversal = &rules.Rule{
	Code: "DJG208", Name: "path-traversal", Title: "File path built from request data",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A01", CWE: 22, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `open(os.path.join(MEDIA_ROOT, request.GET["file"])) reads ../../settings.py or
/etc/passwd just as well: os.path.join even discards MEDIA_ROOT when the second part is absolute.
os.path.basename() or get_valid_filename() reduce a name to one path component; better, look the
file up by id in the database and open the path stored there.` + taintNote,
		Bad: `return FileResponse(open(os.path.join(settings.MEDIA_ROOT, request.GET["file"]), "rb"))`,
		Good: `doc = get_object_or_404(Document, pk=pk, owner=request.user)
return FileResponse(doc.file.open("rb"))`,
		Fix: "Serve files by database id, or reduce the name with os.path.basename() and check it stays in its directory.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.text.get_valid_filename",
			linkOWASPA01, "https://owasp.org/www-community/attacks/Path_Traversal", cwe("22")},
	},
}

var SSRF = &rules.Rule{
	Code: "DJG209", Name: "ssrf", Title: "Server-side request to an address taken from the request",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A10", CWE: 918, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `requests.get(request.GET["url"]) makes your server fetch whatever the client names:
the cloud metadata service (169.254.169.254, with its credentials), the admin port of the
database, services only reachable from inside the network. Allow only known hosts and schemes, and
resolve the name to check the address is not private before connecting.` + taintNote,
		Bad: `page = requests.get(request.GET["url"], timeout=5)`,
		Good: `url = request.GET["url"]
if urlsplit(url).hostname not in ALLOWED_PREVIEW_HOSTS:
    raise PermissionDenied
page = requests.get(url, timeout=5)`,
		Fix:   "Fetch only URLs whose scheme and host are on an allowlist.",
		Links: []string{linkOWASPA10, "https://cheatsheetseries.owasp.org/cheatsheets/Server_Side_Request_Forgery_Prevention_Cheat_Sheet.html", cwe("918")},
	},
}

var XXE = &rules.Rule{
	Code: "DJG210", Name: "xml-external-entities", Title: "Untrusted XML parsed without defusedxml",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 611, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `XML parsers expand entities: lxml resolves external entities (file:///etc/passwd,
internal URLs) unless told not to, and the standard library's parsers expand nested entities
until memory runs out ("billion laughs"). defusedxml offers the same functions with both turned
off. Request data reaching xml.etree, minidom, sax or lxml is reported at high confidence; an lxml
XMLParser without resolve_entities=False at medium.` + taintNote,
		Bad:  `root = lxml.etree.fromstring(request.body)`,
		Good: `root = defusedxml.ElementTree.fromstring(request.body)`,
		Fix:  "Parse untrusted XML with defusedxml, or an lxml parser with resolve_entities=False and no_network=True.",
		Links: []string{"https://docs.python.org/3/library/xml.html#xml-vulnerabilities", "https://pypi.org/project/defusedxml/",
			"https://cheatsheetseries.owasp.org/cheatsheets/XML_External_Entity_Prevention_Cheat_Sheet.html", cwe("611")},
	},
}

var HeaderInjection = &rules.Rule{
	Code: "DJG211", Name: "header-injection", Title: "Response header set from request data",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A03", CWE: 113, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `response["Content-Disposition"] = 'attachment; filename="%s"' % name lets the client
choose part of a header. Django refuses line breaks in header values, so response splitting fails
with an error, but the client still controls the header's meaning: a filename ending in .html
that is then rendered, a Link or Refresh header, a cookie name. Quote or whitelist the value.` + taintNote,
		Bad:  `response["Content-Disposition"] = f'attachment; filename="{request.GET["name"]}"'`,
		Good: `return FileResponse(f, as_attachment=True, filename=get_valid_filename(name))`,
		Fix:  "Let FileResponse(filename=...) build Content-Disposition, or restrict the value to a safe set.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/request-response/#setting-header-fields",
			linkOWASPA03, cwe("113")},
	},
}

var LogInjection = &rules.Rule{
	Code: "DJG212", Name: "log-injection", Title: "Request data written to a log unsanitised",
	Severity: rules.Low, Confidence: rules.MediumConfidence, OWASP: "A09", CWE: 117, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `A line break in a logged value starts what looks like a new log entry: an attacker
can forge "login succeeded for admin" lines or hide their own requests from whoever reads the
logs, and terminal escape codes in a value can rewrite what an operator sees. Log request values
with %r (repr) or strip control characters first.` + taintNote,
		Bad:  `logger.info("search for %s", request.GET["q"])`,
		Good: `logger.info("search for %r", request.GET["q"])`,
		Fix:  "Log request values with %r, or remove \\r, \\n and control characters first; use structured logging.",
		Links: []string{"https://docs.python.org/3/howto/logging.html", linkOWASPA09,
			"https://owasp.org/www-community/attacks/Log_Injection", cwe("117")},
	},
}

var CSRFExempt = &rules.Rule{
	Code: "DJG213", Name: "csrf-exempt", Title: "View exempted from CSRF protection",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A01", CWE: 352, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `@csrf_exempt (or csrf_exempt(view) in urls.py) turns off the check that a POST came
from your own pages. Any site a logged-in user visits can then submit to the view in their name.
It is reported as high when the view changes data. Views for webhooks or token-authenticated APIs
need it; they must then authenticate every request by something other than the session cookie.`,
		Bad:  "@csrf_exempt\ndef delete_note(request, pk): ...",
		Good: "@require_POST\n@login_required\ndef delete_note(request, pk): ...   # the form sends {% csrf_token %}",
		Fix:  "Remove @csrf_exempt and send the CSRF token (form tag, X-CSRFToken header); authenticate webhooks by signature.",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/csrf/",
			"https://docs.djangoproject.com/en/stable/ref/csrf/#django.views.decorators.csrf.csrf_exempt", linkOWASPA01,
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html", cwe("352")},
	},
}

var MissingAccessControl = &rules.Rule{
	Code: "DJG214", Name: "missing-access-control", Title: "View changes data without requiring login or permission",
	Severity: rules.High, Confidence: rules.MediumConfidence, OWASP: "A01", CWE: 862, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `A view that saves, creates, updates or deletes objects, or a generic CreateView /
UpdateView / DeleteView / FormView, with no login_required, permission_required,
user_passes_test, LoginRequiredMixin, PermissionRequiredMixin, DRF permission class, and no check
of request.user inside, can be called by anyone who finds the URL. DRF's AllowAny
(permission_classes = [AllowAny], @permission_classes([AllowAny])) counts as no permission. Views
wired in urls.py, class-based views and DRF viewsets (registered on a router or not) are checked;
medium confidence because the check may happen in middleware.`,
		Bad:  "def delete_note(request, pk):\n    Note.objects.filter(pk=pk).delete()",
		Good: "@login_required\n@require_POST\ndef delete_note(request, pk):\n    get_object_or_404(Note, pk=pk, owner=request.user).delete()",
		Fix:  "Add @login_required / @permission_required or LoginRequiredMixin / PermissionRequiredMixin to the view.",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/auth/default/#limiting-access-to-logged-in-users",
			linkOWASPA01, "https://cheatsheetseries.owasp.org/cheatsheets/Authorization_Cheat_Sheet.html", cwe("862")},
	},
}

var IDOR = &rules.Rule{
	Code: "DJG215", Name: "idor", Title: "Object fetched by a client-supplied id without an ownership check",
	Severity: rules.High, Confidence: rules.MediumConfidence, OWASP: "A01", CWE: 639, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `get_object_or_404(Note, pk=pk) with pk from the URL returns any user's note: changing
the number in the address reads, edits or deletes somebody else's data (insecure direct object
reference). Adding owner=request.user to the lookup (or filtering the queryset by the user)
scopes it. Lookups in views that filter anything by the user are trusted; public objects need a
flag in the lookup (is_public=True).`,
		Bad:  `note = get_object_or_404(Note, pk=pk)`,
		Good: `note = get_object_or_404(Note, pk=pk, owner=request.user)`,
		Fix:  "Scope the lookup to the user: get_object_or_404(Model, pk=pk, owner=request.user).",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/http/shortcuts/#get-object-or-404",
			linkOWASPA01, "https://cheatsheetseries.owasp.org/cheatsheets/Insecure_Direct_Object_Reference_Prevention_Cheat_Sheet.html", cwe("639")},
	},
}

var MassAssignment = &rules.Rule{
	Code: "DJG216", Name: "mass-assignment", Title: "Every model field writable from the request",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A04", CWE: 915, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `A ModelForm or ModelSerializer with fields = "__all__" (or exclude) accepts every
model field from the client, including owner, is_staff, price, and every field added to the model
later. Note(**request_data) and objects.create(**data) do the same by hand. Listing the fields the
form may set keeps new fields private by default.`,
		Bad:  "class Meta:\n    model = Note\n    fields = \"__all__\"",
		Good: "class Meta:\n    model = Note\n    fields = [\"title\", \"body\"]",
		Fix:  "List the editable fields explicitly (fields = [...]); never build models from **request data.",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/forms/modelforms/#selecting-the-fields-to-use",
			linkOWASPA04, "https://cheatsheetseries.owasp.org/cheatsheets/Mass_Assignment_Cheat_Sheet.html", cwe("915")},
	},
}

var WeakHash = &rules.Rule{
	Code: "DJG217", Name: "weak-hash", Title: "MD5 or SHA-1 used for passwords, tokens or signatures",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A02", CWE: 328, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `MD5 and SHA-1 have practical collisions and are fast enough to brute-force billions of
guesses a second. For passwords use Django's hashers (make_password, PBKDF2/Argon2); for tokens,
secrets.token_urlsafe(); for signatures, django.core.signing or hmac with SHA-256. Only calls in a
security context (password, token, secret, key, signature... on the same line) are reported;
checksums and cache keys are not, nor calls with usedforsecurity=False.`,
		Bad:  `token = hashlib.md5(str(user.pk).encode()).hexdigest()`,
		Good: `token = secrets.token_urlsafe(32)`,
		Fix:  "Use secrets.token_urlsafe() for tokens, make_password() for passwords, HMAC-SHA256 or django.core.signing for signatures.",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/auth/passwords/",
			"https://docs.djangoproject.com/en/stable/topics/signing/", linkOWASPA02, cwe("328")},
	},
}

var InsecureRandom = &rules.Rule{
	Code: "DJG218", Name: "insecure-random", Title: "random module used for tokens or secrets",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A02", CWE: 330, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `The random module is a Mersenne Twister: after 624 outputs an observer can predict
every following value, and seeds are often guessable. Password-reset tokens, invitation codes,
API keys and one-time codes made with it can be predicted. The secrets module (or Django's
get_random_string) uses the operating system's secure generator. Calls in a security context are
reported.`,
		Bad:  `code = "".join(random.choice(string.digits) for _ in range(6))  # reset code`,
		Good: `code = "".join(secrets.choice(string.digits) for _ in range(6))  # reset code`,
		Fix:  "Use the secrets module (token_urlsafe, choice) or django.utils.crypto.get_random_string().",
		Links: []string{"https://docs.python.org/3/library/secrets.html",
			"https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.crypto.get_random_string", linkOWASPA02, cwe("330")},
	},
}

var TimingAttack = &rules.Rule{
	Code: "DJG219", Name: "non-constant-time-compare", Title: "Secret compared with ==",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A02", CWE: 208, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `== stops at the first differing character, so the time a comparison takes tells how
many leading characters were right. Over many requests an attacker can recover an API token, a
webhook signature or an HMAC one character at a time. hmac.compare_digest() and Django's
constant_time_compare() take the same time whatever the input.`,
		Bad:  `if request.headers.get("X-Api-Token") == settings.API_TOKEN:`,
		Good: `if constant_time_compare(request.headers.get("X-Api-Token", ""), settings.API_TOKEN):`,
		Fix:  "Compare secrets with hmac.compare_digest() or django.utils.crypto.constant_time_compare().",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.crypto.constant_time_compare",
			"https://docs.python.org/3/library/hmac.html#hmac.compare_digest", linkOWASPA02, cwe("208")},
	},
}

var HardcodedSecret = &rules.Rule{
	Code: "DJG220", Name: "hardcoded-secret", Title: "Password, token or API key hard-coded in the source",
	Severity: rules.High, Confidence: rules.MediumConfidence, OWASP: "A07", CWE: 798, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `A secret in the source is in every clone, every CI log and the git history forever;
rotating it means a deploy. Names like *_TOKEN, *_SECRET, PASSWORD, API_KEY bound to a string
literal of 8 characters or more are reported outside settings modules (settings are checked by the
1xx rules) and tests; placeholders such as "changeme" are not.`,
		Bad:  `API_TOKEN = "sk_live_51HxQ2kLmN8pQ..."`,
		Good: `API_TOKEN = os.environ["API_TOKEN"]`,
		Fix:  "Read secrets from the environment or a secrets manager, and rotate the one that was committed.",
		Links: []string{"https://docs.djangoproject.com/en/stable/howto/deployment/checklist/#secret-key",
			linkOWASPA07, "https://cheatsheetseries.owasp.org/cheatsheets/Secrets_Management_Cheat_Sheet.html", cwe("798")},
	},
}

var TLSVerifyDisabled = &rules.Rule{
	Code: "DJG221", Name: "tls-verify-disabled", Title: "TLS certificate verification turned off",
	Severity: rules.High, Confidence: rules.HighConfidence, OWASP: "A02", CWE: 295, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `verify=False (requests, httpx) and ssl._create_unverified_context() accept any
certificate, so anyone on the network path — public Wi-Fi, a compromised router, a cloud neighbour
— can read and change the traffic, including API keys sent with it. Point verify= at the CA bundle
of a private CA instead.`,
		Bad:  `requests.get(url, verify=False)`,
		Good: `requests.get(url, timeout=5)  # or verify="/etc/ssl/private-ca.pem"`,
		Fix:  "Remove verify=False; pass the private CA bundle with verify=\"/path/ca.pem\" if needed.",
		Links: []string{"https://requests.readthedocs.io/en/latest/user/advanced/#ssl-cert-verification",
			linkOWASPA02, cwe("295")},
	},
}

var SensitiveDataLogged = &rules.Rule{
	Code: "DJG222", Name: "sensitive-data-logged", Title: "Password, token or raw request data written to logs",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A09", CWE: 532, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `Logs are shipped to aggregators, kept for months and read by support staff and
contractors. A password, token or whole request.POST / request.body / headers in a log line hands
credentials to all of them. Log identifiers (user id, request id), never the secret.`,
		Bad:  `logger.info("login for %s with password %s", username, password)`,
		Good: `logger.info("login attempt for user id %s", user.pk)`,
		Fix:  "Do not log passwords, tokens or whole request bodies; log ids instead.",
		Links: []string{"https://docs.djangoproject.com/en/stable/howto/error-reporting/#filtering-sensitive-information",
			linkOWASPA09, cwe("532")},
	},
}

var SensitiveParams = &rules.Rule{
	Code: "DJG223", Name: "sensitive-post-parameters", Title: "View reads a password without @sensitive_post_parameters",
	Severity: rules.Low, Confidence: rules.HighConfidence, OWASP: "A09", CWE: 532, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `When a view raises, Django's error reports (mails to ADMINS, the technical 500 page,
Sentry's Django integration) include the POST data. @sensitive_post_parameters("password") replaces
the named values with stars in those reports; @sensitive_variables does the same for local
variables.`,
		Bad:  "def login_view(request):\n    password = request.POST[\"password\"]",
		Good: "@sensitive_post_parameters(\"password\")\ndef login_view(request):\n    password = request.POST[\"password\"]",
		Fix:  "Decorate the view with @sensitive_post_parameters(\"password\", ...) (method_decorator on class-based views).",
		Links: []string{"https://docs.djangoproject.com/en/stable/howto/error-reporting/#django.views.decorators.debug.sensitive_post_parameters",
			linkOWASPA09, cwe("532")},
	},
}

var UnsafeUpload = &rules.Rule{
	Code: "DJG224", Name: "unsafe-upload", Title: "File upload without type or size validation",
	Severity: rules.Medium, Confidence: rules.MediumConfidence, OWASP: "A04", CWE: 434, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `A FileField without validators accepts any file: HTML or SVG served back from
MEDIA_URL runs script on your domain, and huge files fill the disk. Files saved under the name the
client sent can overwrite others or carry a dangerous extension. Validate extension and size, serve
uploads from another domain with Content-Disposition: attachment, and generate the stored name.`,
		Bad:  `attachment = models.FileField(upload_to="attachments/")`,
		Good: `attachment = models.FileField(upload_to="attachments/", validators=[FileExtensionValidator(["pdf", "png"]), validate_max_size])`,
		Fix:  "Add validators=[FileExtensionValidator([...]), a size check] and store uploads under generated names.",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/security/#user-uploaded-content",
			"https://docs.djangoproject.com/en/stable/ref/validators/#fileextensionvalidator", linkOWASPA04,
			"https://cheatsheetseries.owasp.org/cheatsheets/File_Upload_Cheat_Sheet.html", cwe("434")},
	},
}

var ReDoS = &rules.Rule{
	Code: "DJG225", Name: "redos", Title: "Regular expression chosen by the client or with catastrophic backtracking",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A04", CWE: 1333, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `Python's re engine backtracks: a pattern with nested quantifiers such as (a+)+ or
(\w*)*$ takes exponential time on a crafted input, and one request can hold a worker for minutes.
A pattern taken from the request lets the client write such a pattern. re.escape() makes request
data a literal; rewrite nested quantifiers, bound the input length, or use a linear-time engine.` + taintNote,
		Bad:  `re.search(request.GET["pattern"], text)`,
		Good: `re.search(re.escape(request.GET["q"]), text)`,
		Fix:  "re.escape() request data used in a pattern; remove nested quantifiers from patterns applied to input.",
		Links: []string{"https://docs.python.org/3/library/re.html#re.escape", linkOWASPA04,
			"https://owasp.org/www-community/attacks/Regular_expression_Denial_of_Service_-_ReDoS", cwe("1333")},
	},
}

var UnboundedSize = &rules.Rule{
	Code: "DJG226", Name: "unbounded-size", Title: "Loop count, page size or allocation taken from the request without a bound",
	Severity: rules.Medium, Confidence: rules.HighConfidence, OWASP: "A04", CWE: 400, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `range(int(request.GET["n"])), a queryset sliced to [:limit] or a Paginator with
per_page from the request, and "x" * n all let the client decide how much CPU and memory one request
uses: ?n=10**9 ties up a worker or kills it. int() makes the value a number, not a small one; bound
it with min(n, LIMIT). request.read() and request.readlines() without a size in a view are reported
too (medium confidence): they read the whole body into memory, and only request.body and
request.POST check DATA_UPLOAD_MAX_MEMORY_SIZE.` + taintNote,
		Bad: `per_page = int(request.GET.get("per_page", 20))
page = Paginator(qs, per_page).page(1)`,
		Good:  `per_page = min(int(request.GET.get("per_page", 20)), 100)`,
		Fix:   "Clamp sizes from the request: min(int(value), LIMIT).",
		Links: []string{"https://docs.djangoproject.com/en/stable/topics/pagination/", linkOWASPA04, cwe("400")},
	},
}

var CookieFlags = &rules.Rule{
	Code: "DJG227", Name: "cookie-without-flags", Title: "set_cookie() without secure, httponly or samesite",
	Severity: rules.Low, Confidence: rules.HighConfidence, OWASP: "A05", CWE: 614, Kind: rules.Static, Run: run,
	Doc: rules.Doc{
		Why: `SESSION_COOKIE_SECURE and friends only cover Django's own cookies. A cookie set with
response.set_cookie() travels over plain HTTP unless secure=True, is readable by any script on
the page (so by XSS) unless httponly=True, and is sent with cross-site requests unless samesite is
"Lax" or "Strict".`,
		Bad:  `response.set_cookie("last_user", username)`,
		Good: `response.set_cookie("last_user", username, secure=True, httponly=True, samesite="Lax")`,
		Fix:  "Pass secure=True, httponly=True and samesite=\"Lax\" (or \"Strict\") to set_cookie().",
		Links: []string{"https://docs.djangoproject.com/en/stable/ref/request-response/#django.http.HttpResponse.set_cookie",
			linkOWASPA05, cwe("614"), cwe("1004")},
	},
}
