package taint

import (
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
)

// sinkSpec describes a function whose arguments must not carry taint of a
// class.
type sinkSpec struct {
	class Kind
	args  []int    // positional arguments checked; nil: none
	kws   []string // keyword arguments checked
	all   bool     // every argument
	// when, if set, decides from the call whether it is a sink at all (for
	// example subprocess only with shell=True or a string command).
	when func(c *python.Call) bool
}

func sk(c Kind, args ...int) sinkSpec { return sinkSpec{class: c, args: args} }

func skw(c Kind, kws []string, args ...int) sinkSpec {
	return sinkSpec{class: c, args: args, kws: kws}
}

// kwConst returns the constant value of a keyword argument, and whether the
// keyword is present.
func kwArg(c *python.Call, name string) (python.Expr, bool) {
	for _, k := range c.Keywords {
		if k.Arg == name {
			return k.Value, true
		}
	}
	return nil, false
}

func isTrue(e python.Expr) bool {
	if c, ok := e.(*python.Constant); ok {
		if b, ok := c.Value.(python.Bool); ok {
			return bool(b)
		}
	}
	return false
}

func constStr(e python.Expr) (string, bool) {
	if c, ok := e.(*python.Constant); ok {
		if s, ok := c.Value.(python.Str); ok {
			return string(s), true
		}
	}
	return "", false
}

// shellCommand: subprocess functions are command-injection sinks with
// shell=True, or when the command is not an argument list (a string run
// through the shell or a program name chosen by the caller).
func shellCommand(c *python.Call) bool {
	if v, ok := kwArg(c, "shell"); ok && isTrue(v) {
		return true
	}
	if len(c.Args) == 0 {
		return false
	}
	switch c.Args[0].(type) {
	case *python.List, *python.Tuple:
		return false // checked element by element
	}
	return true
}

// htmlResponse: HttpResponse and friends render HTML unless given another
// content type.
func htmlResponse(c *python.Call) bool {
	v, ok := kwArg(c, "content_type")
	if !ok {
		return true
	}
	s, ok := constStr(v)
	if !ok {
		return true
	}
	s = strings.ToLower(s)
	return strings.Contains(s, "html") || strings.Contains(s, "xml") || strings.Contains(s, "svg")
}

// yamlUnsafe: yaml.load without a safe loader.
func yamlUnsafe(c *python.Call) bool {
	v, ok := kwArg(c, "Loader")
	if !ok && len(c.Args) > 1 {
		v, ok = c.Args[1], true
	}
	if !ok {
		return true
	}
	name := exprText(v, 0)
	return !strings.Contains(name, "SafeLoader") && !strings.Contains(name, "CSafeLoader") && !strings.Contains(name, "BaseLoader")
}

var responseClasses = []string{"HttpResponse", "HttpResponseBadRequest", "HttpResponseNotFound",
	"HttpResponseForbidden", "HttpResponseServerError", "HttpResponseNotAllowed", "HttpResponseGone"}

// sinks maps canonical qualified names to sink specs.
var sinks = func() map[string]sinkSpec {
	m := map[string]sinkSpec{
		// SQL
		"django.db.models.expressions.RawSQL": sk(SQL, 0),
		"django.db.models.RawSQL":             sk(SQL, 0),
		// Custom expressions: the template, function and arg_joiner are
		// pasted into the SQL as they are (the expressions are compiled).
		"django.db.models.Func":                 skw(SQL, []string{"template", "function", "arg_joiner"}),
		"django.db.models.expressions.Func":     skw(SQL, []string{"template", "function", "arg_joiner"}),
		"django.db.models.Aggregate":            skw(SQL, []string{"template", "function"}),
		"django.db.models.aggregates.Aggregate": skw(SQL, []string{"template", "function"}),
		"django.db.models.Transform":            skw(SQL, []string{"template", "function"}),
		"django.db.models.lookups.Transform":    skw(SQL, []string{"template", "function"}),
		// XSS built in Python
		"django.utils.safestring.mark_safe":  sk(XSS, 0),
		"django.utils.safestring.SafeString": sk(XSS, 0),
		"django.utils.safestring.SafeText":   sk(XSS, 0),
		"django.utils.html.format_html":      sk(XSS, 0),
		"django.core.mail.send_mail":         skw(XSS, []string{"html_message"}),
		"django.core.mail.send_mass_mail":    skw(XSS, []string{"html_message"}),
		// Open redirect
		"django.shortcuts.redirect":                          sk(Redirect, 0),
		"django.http.HttpResponseRedirect":                   sk(Redirect, 0),
		"django.http.HttpResponsePermanentRedirect":          sk(Redirect, 0),
		"django.http.response.HttpResponseRedirect":          sk(Redirect, 0),
		"django.http.response.HttpResponsePermanentRedirect": sk(Redirect, 0),
		// Command injection
		"os.system":                  sk(Command, 0),
		"os.popen":                   sk(Command, 0),
		"subprocess.getoutput":       sk(Command, 0),
		"subprocess.getstatusoutput": sk(Command, 0),
		"commands.getoutput":         sk(Command, 0),
		// Code execution
		"builtins.eval":           sk(Code, 0),
		"builtins.exec":           sk(Code, 0),
		"builtins.compile":        sk(Code, 0),
		"builtins.__import__":     sk(Code, 0),
		"importlib.import_module": sk(Code, 0),
		// Server-side template injection
		"django.template.Template":      sk(Template, 0),
		"django.template.base.Template": sk(Template, 0),
		"jinja2.Template":               sk(Template, 0),
		"mako.template.Template":        sk(Template, 0),
		// Deserialization
		"pickle.loads":      sk(Deserialize, 0),
		"pickle.load":       sk(Deserialize, 0),
		"cPickle.loads":     sk(Deserialize, 0),
		"_pickle.loads":     sk(Deserialize, 0),
		"dill.loads":        sk(Deserialize, 0),
		"marshal.loads":     sk(Deserialize, 0),
		"shelve.open":       sk(Deserialize, 0),
		"jsonpickle.decode": sk(Deserialize, 0),
		"yaml.unsafe_load":  sk(Deserialize, 0),
		"yaml.load":         {class: Deserialize, args: []int{0}, when: yamlUnsafe},
		// Path traversal
		"builtins.open": sk(Path, 0),
		"io.open":       sk(Path, 0),
		"codecs.open":   sk(Path, 0),
		"os.remove":     sk(Path, 0),
		"os.unlink":     sk(Path, 0),
		"os.rmdir":      sk(Path, 0),
		"os.listdir":    sk(Path, 0),
		"shutil.rmtree": sk(Path, 0),
		"shutil.copy":   sk(Path, 0, 1),
		"shutil.move":   sk(Path, 0, 1),
		"django.core.files.storage.FileSystemStorage": skw(Path, []string{"location"}, 0),
		// SSRF
		"urllib.request.urlopen":      skw(SSRF, []string{"url"}, 0),
		"urllib.request.Request":      skw(SSRF, []string{"url"}, 0),
		"urllib2.urlopen":             sk(SSRF, 0),
		"http.client.HTTPConnection":  skw(SSRF, []string{"host"}, 0),
		"http.client.HTTPSConnection": skw(SSRF, []string{"host"}, 0),
		// XXE
		"xml.etree.ElementTree.fromstring":  sk(XXE, 0),
		"xml.etree.ElementTree.parse":       sk(XXE, 0),
		"xml.etree.ElementTree.XML":         sk(XXE, 0),
		"xml.etree.cElementTree.fromstring": sk(XXE, 0),
		"xml.dom.minidom.parseString":       sk(XXE, 0),
		"xml.dom.minidom.parse":             sk(XXE, 0),
		"xml.dom.pulldom.parseString":       sk(XXE, 0),
		"xml.sax.parseString":               sk(XXE, 0),
		"lxml.etree.fromstring":             sk(XXE, 0),
		"lxml.etree.parse":                  sk(XXE, 0),
		"lxml.etree.XML":                    sk(XXE, 0),
		// Regular expression injection (ReDoS)
		"re.compile":   sk(Regex, 0),
		"re.match":     sk(Regex, 0),
		"re.search":    sk(Regex, 0),
		"re.fullmatch": sk(Regex, 0),
		"re.sub":       sk(Regex, 0),
		"re.findall":   sk(Regex, 0),
		"re.finditer":  sk(Regex, 0),
		"re.split":     sk(Regex, 0),
		// Unbounded sizes
		"builtins.range":                  {class: Size, all: true},
		"django.core.paginator.Paginator": skw(Size, []string{"per_page"}, 1),
	}
	for _, r := range responseClasses {
		m["django.http."+r] = sinkSpec{class: XSS, args: []int{0}, kws: []string{"content"}, when: htmlResponse}
		m["django.http.response."+r] = sinkSpec{class: XSS, args: []int{0}, kws: []string{"content"}, when: htmlResponse}
	}
	for _, f := range []string{"call", "run", "Popen", "check_output", "check_call"} {
		m["subprocess."+f] = sinkSpec{class: Command, args: []int{0}, kws: []string{"args"}, when: shellCommand}
	}
	for _, f := range []string{"execl", "execle", "execlp", "execlpe", "execv", "execve", "execvp", "execvpe",
		"spawnl", "spawnle", "spawnlp", "spawnlpe", "spawnv", "spawnve", "spawnvp", "spawnvpe", "startfile"} {
		m["os."+f] = sinkSpec{class: Command, all: true}
	}
	for _, f := range []string{"get", "post", "put", "patch", "delete", "head", "options"} {
		m["requests."+f] = skw(SSRF, []string{"url"}, 0)
		m["httpx."+f] = skw(SSRF, []string{"url"}, 0)
		m["requests.api."+f] = skw(SSRF, []string{"url"}, 0)
	}
	m["requests.request"] = skw(SSRF, []string{"url"}, 1)
	m["httpx.request"] = skw(SSRF, []string{"url"}, 1)
	return m
}()

// sanitizers maps canonical names to the classes their result is clean
// for. Size is never cleared by a conversion: int(user) is still as large
// as the user wants.
var sanitizers = map[string]Kind{
	"builtins.int":                    All &^ Size,
	"builtins.float":                  All &^ Size,
	"builtins.bool":                   All,
	"builtins.len":                    All, // bounded by the size of the request
	"builtins.abs":                    All &^ Size,
	"builtins.round":                  All &^ Size,
	"builtins.hash":                   All,
	"builtins.id":                     All,
	"builtins.ord":                    All &^ Size,
	"builtins.isinstance":             All,
	"builtins.callable":               All,
	"builtins.hasattr":                All,
	"builtins.min":                    Size, // min(n, LIMIT) bounds a size
	"uuid.UUID":                       All,
	"decimal.Decimal":                 All &^ Size,
	"datetime.date.fromisoformat":     All,
	"datetime.datetime.fromisoformat": All,

	"django.utils.html.escape":                          XSS,
	"django.utils.html.conditional_escape":              XSS,
	"django.utils.html.strip_tags":                      XSS,
	"django.utils.html.json_script":                     XSS,
	"django.utils.html.escapejs":                        XSS,
	"django.utils.html.urlize":                          XSS,
	"django.utils.html.linebreaks":                      XSS,
	"django.template.defaultfilters.escape":             XSS,
	"django.template.defaultfilters.force_escape":       XSS,
	"html.escape":                                       XSS,
	"markupsafe.escape":                                 XSS,
	"bleach.clean":                                      XSS,
	"nh3.clean":                                         XSS,
	"django.utils.http.urlencode":                       XSS | Header | Log | SQL | Command,
	"urllib.parse.quote":                                XSS | Header | Log | SQL | Command,
	"urllib.parse.quote_plus":                           XSS | Header | Log | SQL | Command | Path,
	"urllib.parse.urlencode":                            XSS | Header | Log | SQL | Command,
	"django.utils.http.url_has_allowed_host_and_scheme": All,
	"django.utils.http.is_safe_url":                     All,
	"shlex.quote":                                       Command,
	"pipes.quote":                                       Command,
	"os.path.basename":                                  Path,
	"django.utils.text.get_valid_filename":              Path | Command,
	"werkzeug.utils.secure_filename":                    Path | Command,
	"django.utils.text.slugify":                         XSS | SQL | Command | Path | Header | Log | Redirect,
	"re.escape":                                         Regex,
	"django.urls.reverse":                               All,
	"django.shortcuts.resolve_url":                      0,
	"django.utils.crypto.constant_time_compare":         All,
	"hmac.compare_digest":                               All,
	"hashlib.sha256":                                    All,
	"hashlib.sha512":                                    All,
	"hashlib.md5":                                       All,
	"hashlib.sha1":                                      All,
	"base64.b64encode":                                  XSS | SQL | Command | Path | Header | Log | Redirect,
	"json.dumps":                                        Header | Log | SQL | Command, // still HTML-unsafe
	"ipaddress.ip_address":                              All,
}

// requestSourceAttrs are the attributes of an HttpRequest (or a DRF Request)
// that carry client-controlled data.
var requestSourceAttrs = map[string]bool{
	"GET": true, "POST": true, "COOKIES": true, "FILES": true, "META": true, "headers": true,
	"body": true, "data": true, "query_params": true, "path": true, "path_info": true,
	"content_params": true, "resolver_match": false,
}

// requestSourceMethods are methods of an HttpRequest returning client data.
var requestSourceMethods = map[string]bool{
	"get_full_path": true, "get_full_path_info": true, "build_absolute_uri": true, "read": true,
	"readline": true, "readlines": true, "get_raw_uri": true, "get_signed_cookie": false,
}

// ormMethods are QuerySet/Manager methods whose result comes from the
// database, not from their arguments.
var ormMethods = map[string]bool{
	"get": true, "filter": true, "exclude": true, "all": true, "first": true, "last": true,
	"order_by": true, "values": true, "values_list": true, "select_related": true,
	"prefetch_related": true, "annotate": true, "distinct": true, "only": true, "defer": true,
	"get_or_create": true, "latest": true, "earliest": true, "none": true, "iterator": true,
	"in_bulk": true, "using": true, "reverse": true, "raw": true, "extra": true, "create": true,
	"update_or_create": true, "aggregate": true, "count": true, "exists": true,
}

// cleanMethods return values that carry no taint whatever their receiver.
var cleanMethods = map[string]bool{
	"count": true, "exists": true, "is_valid": true, "isdigit": true, "isalnum": true,
	"isnumeric": true, "isdecimal": true, "isalpha": true, "startswith": true, "endswith": true,
	"is_authenticated": true, "has_perm": true, "has_perms": true, "index": true, "find": true,
	"rfind": true, "__len__": true, "is_secure": true, "is_ajax": true, "get_host": true,
	"save": true, "delete": true, "full_clean": true, "has_changed": true, "keys": false,
	"hexdigest": true, "digest": true, "get_port": true,
}

// exprText renders names and attribute chains ("self.request.GET"), for
// messages and heuristics; other expressions render as "…".
func exprText(e python.Expr, depth int) string {
	if depth > 16 {
		return "…"
	}
	switch e := e.(type) {
	case *python.Name:
		return e.Id
	case *python.Attribute:
		return exprText(e.Value, depth+1) + "." + e.Attr
	case *python.Call:
		return exprText(e.Func, depth+1) + "()"
	case *python.Subscript:
		if s, ok := constStr(e.Slice); ok {
			return exprText(e.Value, depth+1) + "[" + python.ReprStr(s) + "]"
		}
		return exprText(e.Value, depth+1) + "[…]"
	case *python.Constant:
		if s, ok := e.Value.(python.Str); ok {
			if len(s) > 40 {
				s = s[:40] + "…"
			}
			return python.ReprStr(string(s))
		}
	}
	return "…"
}

// ExprText renders a name or attribute chain for messages.
func ExprText(e python.Expr) string { return exprText(e, 0) }
