package coderules

import (
	"context"
	"fmt"
	"path"
	"regexp"
	"slices"
	"sort"
	"strings"
	"sync"

	"github.com/djangoguard/djangoguard/internal/python"
	"github.com/djangoguard/djangoguard/internal/rules"
	"github.com/djangoguard/djangoguard/internal/taint"
)

type findingsKey struct{}

// all returns every 2xx finding of the target, computed once per target
// from the shared taint analysis, keyed by rule code.
func all(ctx context.Context, t *rules.Target) (map[string][]rules.Finding, error) {
	v, err := t.Memo(findingsKey{}, func() (any, error) {
		res, err := taint.Analyze(ctx, t)
		if err != nil {
			return nil, fmt.Errorf("taint analysis: %w", err)
		}
		c := &collector{res: res, out: map[string][]rules.Finding{}, seen: map[string]bool{}}
		c.flows()
		c.patterns()
		for code := range c.out {
			rules.Sort(c.out[code])
		}
		return c.out, nil
	})
	if err != nil {
		return nil, err
	}
	return v.(map[string][]rules.Finding), nil
}

// run is the Run function shared by every 2xx rule.
func run(pass *rules.Pass) error {
	fs, err := all(pass.Context, pass.Target)
	if err != nil {
		return err
	}
	for _, f := range fs[pass.Rule.Code] {
		if err := pass.Context.Err(); err != nil {
			return err
		}
		pass.Report(f)
	}
	return nil
}

type collector struct {
	res  *taint.Result
	out  map[string][]rules.Finding
	seen map[string]bool
}

func (c *collector) add(code string, f rules.Finding) {
	k := fmt.Sprintf("%s\x00%s\x00%d\x00%d", code, f.Path, f.Line, f.Column)
	if c.seen[k] {
		return
	}
	c.seen[k] = true
	c.out[code] = append(c.out[code], f)
}

func at(m *taint.Module, n python.Located) rules.Finding {
	p := n.Span()
	return rules.Finding{Path: m.Path, Line: int(p.Lineno), Column: int(p.ColOffset) + 1, EndLine: int(p.EndLineno), EndColumn: int(p.EndColOffset) + 1}
}

// ---- taint flows ----

var classRule = map[taint.Kind]string{
	taint.SQL: "DJG201", taint.XSS: "DJG202", taint.Redirect: "DJG203", taint.Command: "DJG204",
	taint.Code: "DJG205", taint.Template: "DJG206", taint.Deserialize: "DJG207", taint.Path: "DJG208",
	taint.SSRF: "DJG209", taint.XXE: "DJG210", taint.Header: "DJG211", taint.Log: "DJG212",
	taint.Regex: "DJG225", taint.Size: "DJG226",
}

func (c *collector) flows() {
	for i := range c.res.Flows {
		fl := &c.res.Flows[i]
		code := classRule[fl.Class]
		if code == "" {
			continue
		}
		f := rules.Finding{Path: fl.Path, Line: fl.Line, Column: fl.Col, EndLine: fl.EndLine, EndColumn: fl.EndCol, Trace: fl.Trace}
		src := fl.Source()
		switch {
		case fl.Origin == taint.Stored:
			f.Confidence = rules.MediumConfidence
			f.Message = fmt.Sprintf("data loaded from the database (%s) reaches %s unescaped: stored cross-site scripting if users can write it", src, fl.Sink)
		default:
			f.Confidence = rules.HighConfidence
			f.Message = fmt.Sprintf("request data (%s) reaches %s%s", src, fl.Sink, flowAdvice(fl.Class))
		}
		c.add(code, f)
	}
}

func flowAdvice(k taint.Kind) string {
	switch k {
	case taint.SQL:
		return ": pass values as query parameters, not inside the SQL string"
	case taint.XSS:
		return " without escaping: use format_html() with arguments or escape()"
	case taint.Redirect:
		return ": check it with url_has_allowed_host_and_scheme() first"
	case taint.Command:
		return ": pass an argument list without shell=True, or shlex.quote() it"
	case taint.Code:
		return ": never evaluate request data as code"
	case taint.Template:
		return ": the user writes the template; render a fixed template with the data in the context"
	case taint.Deserialize:
		return ": deserializing it runs code chosen by the client; use JSON"
	case taint.Path:
		return ": reduce it with os.path.basename()/get_valid_filename() and check the result stays in its directory"
	case taint.SSRF:
		return ": the server fetches an address the client chose; allow only known hosts"
	case taint.XXE:
		return ": parse untrusted XML with defusedxml"
	case taint.Header:
		return ""
	case taint.Log:
		return ": a line break in it forges log entries"
	case taint.Regex:
		return ": the client chooses the regular expression (ReDoS); re.escape() it"
	case taint.Size:
		return " without an upper bound: the client chooses how much work or memory the request takes"
	}
	return ""
}

// ---- pattern rules ----

// patterns runs the pattern checks concurrently, each into its own
// collector, and merges their findings in a fixed order.
func (c *collector) patterns() {
	views := c.viewFuncs()
	checks := []func(*collector){
		func(p *collector) { p.calls(views) },
		func(p *collector) { p.viewChecks(views) },
		func(p *collector) { p.secrets() },
		func(p *collector) { p.compares() },
		func(p *collector) { p.classChecks() },
		func(p *collector) { p.sensitiveParams() },
	}
	parts := make([]*collector, len(checks))
	var wg sync.WaitGroup
	for i, check := range checks {
		parts[i] = &collector{res: c.res, out: map[string][]rules.Finding{}, seen: map[string]bool{}}
		wg.Add(1)
		go func(p *collector, check func(*collector)) {
			defer wg.Done()
			check(p)
		}(parts[i], check)
	}
	wg.Wait()
	codes := make([]string, 0, 32)
	for _, p := range parts {
		for code := range p.out {
			codes = append(codes, code)
		}
	}
	sort.Strings(codes)
	for _, p := range parts {
		for _, code := range codes {
			for _, f := range p.out[code] {
				c.add(code, f)
			}
		}
	}
}

// viewFuncs returns the functions that handle requests: wired function
// views, methods of class-based views, and functions decorated as views.
func (c *collector) viewFuncs() map[*taint.Func]bool {
	out := map[*taint.Func]bool{}
	for f := range c.res.Routes {
		out[f] = true
	}
	for _, m := range c.res.Index.Modules {
		for _, f := range m.Funcs {
			if f.Class != nil && c.isViewClass(f.Class) {
				out[f] = true
				continue
			}
			for _, d := range f.Decorators {
				if isViewDecorator(d) {
					out[f] = true
				}
			}
		}
	}
	return out
}

func isViewDecorator(d string) bool {
	switch lastSeg(d) {
	case "csrf_exempt", "require_POST", "require_http_methods", "require_GET", "require_safe",
		"login_required", "permission_required", "api_view", "sensitive_post_parameters":
		return strings.HasPrefix(d, "django.") || strings.HasPrefix(d, "rest_framework.")
	}
	return false
}

func lastSeg(q string) string {
	if i := strings.LastIndexByte(q, '.'); i >= 0 {
		return q[i+1:]
	}
	return q
}

func (c *collector) isViewClass(cl *taint.Class) bool {
	if _, ok := c.res.ClassRoutes[cl]; ok {
		return true
	}
	for _, b := range c.res.Index.AllBases(cl) {
		if strings.HasPrefix(b, "django.views.") || strings.HasPrefix(b, "rest_framework.views.") ||
			strings.HasPrefix(b, "rest_framework.generics.") || strings.HasPrefix(b, "rest_framework.viewsets.") {
			return true
		}
	}
	return false
}

var (
	secretName = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)(passw(or)?d|passwd|pwd|secret|token|api_?key|apikey|private_?key|access_?key|auth_?key|signature|credential|session_?key|client_?secret)`)
	})
	securityCtx = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)(passw|secret|token|api_?key|private_?key|secret_?key|salt|nonce|otp|signature|sign\b|auth|reset|csrf|verification|confirm|invite|one_time|pin\b)`)
	})
	secretSegment = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(.*_)?(token|secret|signature|sig|api_?key|apikey|secret_?key|private_?key|access_?key|auth_?key|hmac|digest|mac|otp|passcode)$`)
	})
	sensitiveField = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(password\d?|passwd|pwd|new_password\d?|old_password|password_confirm|pin|cvv|cvc|card_?number|cc_?number|ssn|secret|token|api_?key|otp)$`)
	})
	placeholder = sync.OnceValue(func() *regexp.Regexp {
		return regexp.MustCompile(`(?i)^(|x+|\*+|changeme|change-me|password|secret|todo|fixme|dummy|example|test|none|null|your[-_ ].*|<.*>|\$\{.*\}|%\(.*\)s|\{.*\})$`)
	})
)

func (c *collector) line(m *taint.Module, n int) string { return m.File.LineText(n) }

func (c *collector) calls(views map[*taint.Func]bool) {
	for _, cs := range c.res.Calls {
		m := cs.Mod
		callee := cs.Callee
		switch {
		// DJG207 pattern: unsafe deserializers on data not known to be request data.
		case callee == "yaml.load" || callee == "yaml.unsafe_load":
			if callee == "yaml.load" && !yamlUnsafe(cs.Call) {
				break
			}
			if len(cs.Args) > 0 && cs.Args[0].FromRequest(taint.Deserialize) {
				break // reported by the flow
			}
			f := at(m, cs.Call)
			f.Confidence = rules.MediumConfidence
			f.Message = callee + "() without yaml.SafeLoader can construct arbitrary Python objects; use yaml.safe_load()"
			c.add("DJG207", f)
		case callee == "pickle.loads" || callee == "pickle.load" || callee == "dill.loads" || callee == "marshal.loads" || callee == "jsonpickle.decode" || callee == "shelve.open":
			if len(cs.Args) > 0 && cs.Args[0].FromRequest(taint.Deserialize) {
				break
			}
			if len(cs.Call.Args) > 0 {
				if _, ok := cs.Call.Args[0].(*python.Constant); ok {
					break
				}
			}
			f := at(m, cs.Call)
			f.Confidence = rules.LowConfidence
			f.Severity = rules.Medium
			f.Message = callee + "() runs code chosen by whoever wrote the data; make sure it never comes from a client, a cache or a file others can write"
			c.add("DJG207", f)
		// DJG207: signed data unpickled. The signature only proves that
		// whoever made the data knew SECRET_KEY; with a pickle serializer a
		// leaked key becomes code execution on every server.
		case callee == "django.core.signing.loads":
			v, ok := kw(cs.Call, "serializer")
			if !ok || !strings.Contains(lastSeg(c.res.Index.Resolve(m, v)), "Pickle") {
				break
			}
			f := at(m, cs.Call)
			f.Severity = rules.High
			f.Confidence = rules.HighConfidence
			f.Message = "signing.loads() with a pickle serializer: anyone who learns SECRET_KEY can run code on the server; use the default JSONSerializer"
			if len(cs.Args) > 0 && cs.Args[0].FromRequest(taint.Deserialize) {
				f.Message = "signing.loads() unpickles data from the client: anyone who learns SECRET_KEY can run code on the server; use the default JSONSerializer"
			}
			c.add("DJG207", f)
		// DJG210 XXE pattern: lxml parsers that resolve entities.
		case callee == "lxml.etree.XMLParser":
			if v, ok := kw(cs.Call, "resolve_entities"); !ok || !isFalse(v) {
				f := at(m, cs.Call)
				f.Confidence = rules.MediumConfidence
				f.Message = "lxml XMLParser resolves external entities unless resolve_entities=False; parse untrusted XML with defusedxml"
				c.add("DJG210", f)
			}
		// DJG217 weak hashes in a security context.
		case callee == "hashlib.md5" || callee == "hashlib.sha1" || callee == "hashlib.new" || callee == "Crypto.Hash.MD5.new":
			algo := lastSeg(callee)
			if callee == "hashlib.new" {
				if len(cs.Call.Args) == 0 {
					break
				}
				s, ok := constStr(cs.Call.Args[0])
				if !ok || (strings.ToLower(s) != "md5" && strings.ToLower(s) != "sha1") {
					break
				}
				algo = strings.ToLower(s)
			}
			if v, ok := kw(cs.Call, "usedforsecurity"); ok && isFalse(v) {
				break
			}
			if !securityCtx().MatchString(c.line(m, int(cs.Call.Lineno))) {
				break
			}
			f := at(m, cs.Call)
			f.Message = algo + " is broken for security use (passwords, tokens, signatures): use secrets.token_urlsafe() for tokens, Django's password hashers for passwords, hmac with SHA-256 for signatures"
			c.add("DJG217", f)
		// DJG218 random module in a security context.
		case strings.HasPrefix(callee, "random.") && isRandomFunc(lastSeg(callee)):
			if !securityCtx().MatchString(c.line(m, int(cs.Call.Lineno))) {
				break
			}
			f := at(m, cs.Call)
			f.Message = callee + "() is predictable: an attacker who sees a few values can compute the next; use the secrets module for tokens and passwords"
			c.add("DJG218", f)
		// DJG221 TLS verification disabled.
		case callee == "ssl._create_unverified_context" || callee == "ssl._create_stdlib_context":
			f := at(m, cs.Call)
			f.Message = callee + "() turns certificate checking off: any network attacker can read and change the traffic"
			c.add("DJG221", f)
		// DJG216 mass assignment: Model(**request_data), objects.create(**data).
		case cs.Kws["**"].FromRequest(0) && (c.isModelCall(cs) || cs.Method == "create" || cs.Method == "update" || cs.Method == "update_or_create" || cs.Method == "get_or_create"):
			f := at(m, cs.Call)
			f.Trace = sinkStep(cs.Kws["**"].Trace(taint.Request, 0), f, "unpacked into "+exprText(cs.Call.Func)+"()")
			f.Message = "every field of the model is set from request data (**kwargs): a client can set fields it should not (owner, is_staff, prices); name the fields, or use a ModelForm with an explicit fields list"
			c.add("DJG216", f)
		}
		// verify=False on HTTP clients.
		if v, ok := kw(cs.Call, "verify"); ok && isFalse(v) && (strings.HasPrefix(callee, "requests.") || strings.HasPrefix(callee, "httpx.") || cs.Method != "") {
			f := at(m, cs.Call)
			f.Message = "verify=False turns TLS certificate checking off: any network attacker can read and change this request and its response"
			c.add("DJG221", f)
		}
		// DJG227 cookies without flags.
		if cs.Method == "set_cookie" && callee == "" {
			var missing []string
			for _, flag := range []string{"secure", "httponly", "samesite"} {
				v, ok := kw(cs.Call, flag)
				if !ok || isFalse(v) || isNone(v) {
					missing = append(missing, flag)
				}
			}
			if len(missing) > 0 && !hasDoubleStar(cs.Call) {
				f := at(m, cs.Call)
				f.Message = "set_cookie() without " + strings.Join(missing, ", ") + ": the cookie can travel over plain HTTP, be read by scripts, or ride along on cross-site requests"
				c.add("DJG227", f)
			}
		}
		// DJG222 secrets and raw request data in logs.
		if isLogCall(cs) {
			for _, a := range cs.Call.Args {
				if what := sensitiveExpr(a); what != "" {
					f := at(m, cs.Call)
					f.Message = fmt.Sprintf("%s is written to the log: logs are kept, copied and read by many more people than the database", what)
					c.add("DJG222", f)
					break
				}
			}
		}
		// DJG225 ReDoS: a constant pattern with nested quantifiers applied to request data.
		if strings.HasPrefix(callee, "re.") && len(cs.Call.Args) > 1 {
			if p, ok := constStr(cs.Call.Args[0]); ok && nestedQuantifier(p) && cs.Args[1].FromRequest(taint.Regex) {
				f := at(m, cs.Call)
				f.Trace = sinkStep(cs.Args[1].Trace(taint.Request, taint.Regex), f, "reaches "+exprText(cs.Call.Func)+"() with a backtracking pattern")
				f.Message = fmt.Sprintf("the regular expression %s has nested quantifiers and runs on request data: a crafted input takes exponential time (ReDoS)", python.ReprStr(p))
				c.add("DJG225", f)
			}
		}
		// DJG213 csrf_exempt applied in urls.py or as a call.
		if callee == "django.views.decorators.csrf.csrf_exempt" {
			f := at(m, cs.Call)
			f.Message = "csrf_exempt() switches CSRF protection off for this view: any site can submit requests to it in a logged-in user's name"
			c.add("DJG213", f)
		}
		// DJG224 uploaded files saved under the client's file name.
		if (cs.Method == "save" && strings.Contains(strings.ToLower(exprText(cs.Call.Func)), "storage")) && len(cs.Call.Args) > 0 {
			if a, ok := cs.Call.Args[0].(*python.Attribute); ok && a.Attr == "name" && cs.Args[0].FromRequest(0) {
				f := at(m, cs.Call)
				f.Message = "the uploaded file is stored under the name the client sent: use a generated name and keep the original only as data"
				c.add("DJG224", f)
			}
		}
	}
}

func isRandomFunc(n string) bool {
	switch n {
	case "random", "randint", "randrange", "choice", "choices", "getrandbits", "sample", "shuffle", "uniform", "randbytes":
		return true
	}
	return false
}

func hasDoubleStar(c *python.Call) bool {
	for _, k := range c.Keywords {
		if k.Arg == "" {
			return true
		}
	}
	return false
}

func isLogCall(cs *taint.CallSite) bool {
	if cs.Callee == "builtins.print" {
		return true
	}
	switch cs.Method {
	case "debug", "info", "warning", "warn", "error", "exception", "critical", "log":
	default:
		return false
	}
	if strings.HasPrefix(cs.Callee, "logging.") {
		return true
	}
	if cs.Recv.Type() == "logger" {
		return true
	}
	t := strings.ToLower(exprText(cs.Call.Func))
	t = strings.TrimSuffix(t, "."+strings.ToLower(cs.Method))
	return t == "logger" || t == "log" || strings.HasSuffix(t, "logger") || strings.HasSuffix(t, "_log")
}

// sensitiveExpr names what secret an expression logs, or "".
func sensitiveExpr(e python.Expr) string {
	t := exprText(e)
	switch t {
	case "request.POST", "request.body", "request.data", "request.META", "request.headers", "request.COOKIES", "self.request.POST":
		return t
	}
	last := t
	if i := strings.LastIndexAny(t, ".["); i >= 0 {
		last = strings.Trim(t[i+1:], `'"]`)
	}
	if sensitiveField().MatchString(last) {
		return t
	}
	if s, ok := e.(*python.Subscript); ok {
		if k, ok := constStr(s.Slice); ok && sensitiveField().MatchString(k) {
			return t
		}
	}
	if c, ok := e.(*python.Call); ok {
		if a, ok := c.Func.(*python.Attribute); ok && a.Attr == "get" && len(c.Args) > 0 {
			if k, ok := constStr(c.Args[0]); ok && sensitiveField().MatchString(k) {
				return t
			}
		}
	}
	return ""
}

// nestedQuantifier: a group with a quantifier inside that is itself
// quantified, e.g. (a+)+ or (\w*)*, the classic exponential backtracking.
func nestedQuantifier(p string) bool {
	type grp struct{ quant bool }
	var stack []grp
	for i := 0; i < len(p); i++ {
		ch := p[i]
		switch ch {
		case '\\':
			i++
		case '[':
			for i < len(p) && p[i] != ']' {
				if p[i] == '\\' {
					i++
				}
				i++
			}
			if i+1 < len(p) && len(stack) > 0 && isQuant(p[i+1]) {
				stack[len(stack)-1].quant = true
			}
		case '(':
			stack = append(stack, grp{})
		case ')':
			if len(stack) == 0 {
				return false
			}
			g := stack[len(stack)-1]
			stack = stack[:len(stack)-1]
			if g.quant && i+1 < len(p) && (p[i+1] == '+' || p[i+1] == '*' || p[i+1] == '{') {
				return true
			}
			if i+1 < len(p) && isQuant(p[i+1]) && len(stack) > 0 {
				stack[len(stack)-1].quant = true
			}
		case '+', '*':
			if len(stack) > 0 {
				stack[len(stack)-1].quant = true
			}
		case '{':
			if len(stack) > 0 {
				stack[len(stack)-1].quant = true
			}
		}
	}
	return false
}

func isQuant(b byte) bool { return b == '+' || b == '*' || b == '{' }

func (c *collector) isModelCall(cs *taint.CallSite) bool {
	if cs.Callee == "" {
		return false
	}
	cl := c.res.Index.ClassByName(cs.Callee)
	if cl == nil {
		return false
	}
	return c.isModel(cl)
}

func (c *collector) isModel(cl *taint.Class) bool {
	for _, b := range c.res.Index.AllBases(cl) {
		if b == "django.db.models.Model" || b == "django.db.models.base.Model" || strings.HasSuffix(b, "AbstractUser") || strings.HasSuffix(b, "AbstractBaseUser") {
			return true
		}
	}
	return false
}

func kw(c *python.Call, name string) (python.Expr, bool) {
	for _, k := range c.Keywords {
		if k.Arg == name {
			return k.Value, true
		}
	}
	return nil, false
}

func isFalse(e python.Expr) bool {
	if c, ok := e.(*python.Constant); ok {
		if b, ok := c.Value.(python.Bool); ok {
			return !bool(b)
		}
	}
	return false
}

func isNone(e python.Expr) bool {
	if c, ok := e.(*python.Constant); ok {
		_, ok := c.Value.(python.NoneType)
		return ok
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

func exprText(e python.Expr) string { return taint.ExprText(e) }

func yamlUnsafe(c *python.Call) bool {
	v, ok := kw(c, "Loader")
	if !ok && len(c.Args) > 1 {
		v, ok = c.Args[1], true
	}
	if !ok {
		return true
	}
	n := exprText(v)
	return !strings.Contains(n, "SafeLoader") && !strings.Contains(n, "BaseLoader")
}

// ---- comparisons of secrets (DJG219) ----

func (c *collector) compares() {
	for _, cs := range c.res.Compares {
		l, r := cs.Node.Left, cs.Node.Comparators[0]
		if isLiteralish(l) || isLiteralish(r) {
			continue
		}
		lt, rt := exprText(l), exprText(r)
		if !secretOperand(l, lt) && !secretOperand(r, rt) {
			continue
		}
		f := at(cs.Mod, cs.Node)
		f.Message = fmt.Sprintf("%s == %s compares a secret with ==, which returns as soon as a character differs: an attacker can guess it one character at a time from response times; use hmac.compare_digest() or django.utils.crypto.constant_time_compare()", lt, rt)
		c.add("DJG219", f)
	}
}

func isLiteralish(e python.Expr) bool {
	switch e := e.(type) {
	case *python.Constant:
		return true
	case *python.Call:
		// len(token) == 32, type(x) == y
		if n, ok := e.Func.(*python.Name); ok && (n.Id == "len" || n.Id == "type" || n.Id == "bool") {
			return true
		}
	}
	return false
}

func secretOperand(e python.Expr, text string) bool {
	last := text
	if i := strings.LastIndexByte(text, '.'); i >= 0 {
		last = text[i+1:]
	}
	if c, ok := e.(*python.Call); ok {
		// request.headers.get("X-Api-Token"), request.GET.get("signature")
		if a, ok := c.Func.(*python.Attribute); ok && a.Attr == "get" && len(c.Args) > 0 {
			if k, ok := constStr(c.Args[0]); ok && secretName().MatchString(k) {
				return true
			}
		}
		if strings.HasSuffix(text, "hexdigest()") || strings.HasSuffix(text, "digest()") {
			return true
		}
		return false
	}
	if s, ok := e.(*python.Subscript); ok {
		if k, ok := constStr(s.Slice); ok && secretName().MatchString(k) {
			return true
		}
	}
	if strings.Contains(strings.ToLower(last), "password") {
		// Comparing plaintext passwords is its own mistake, but usually
		// password == confirm in a form; not a timing oracle on a secret.
		return false
	}
	return secretSegment().MatchString(last)
}

// ---- hard-coded secrets (DJG220) ----

func (c *collector) secrets() {
	for _, m := range c.res.Index.Modules {
		if isSettingsPath(m.Path) || isTestPath(m.Path) {
			continue
		}
		for _, st := range topAssigns(m) {
			c.secretAssign(m, st.name, st.value)
		}
		for _, cl := range m.Classes {
			for name, v := range cl.Attrs {
				c.secretAssign(m, name, v)
			}
		}
	}
	skip := map[*taint.Module]bool{}
	for _, m := range c.res.Index.Modules {
		skip[m] = isSettingsPath(m.Path) || isTestPath(m.Path)
	}
	names := map[string]bool{} // keyword name -> names a secret
	for _, cs := range c.res.Calls {
		if skip[cs.Mod] {
			continue
		}
		for _, k := range cs.Call.Keywords {
			if k.Arg == "" {
				continue
			}
			if _, ok := k.Value.(*python.Constant); !ok {
				continue
			}
			secret, ok := names[k.Arg]
			if !ok {
				secret = secretName().MatchString(k.Arg) && !strings.Contains(strings.ToLower(k.Arg), "token_")
				names[k.Arg] = secret
			}
			if secret {
				c.secretAssign(cs.Mod, k.Arg, k.Value)
			}
		}
	}
}

type nameValue struct {
	name  string
	value python.Expr
}

func topAssigns(m *taint.Module) []nameValue {
	var out []nameValue
	if m.AST == nil {
		return nil
	}
	for _, st := range m.AST.Body {
		if a, ok := st.(*python.Assign); ok {
			for _, t := range a.Targets {
				if n, ok := t.(*python.Name); ok {
					out = append(out, nameValue{n.Id, a.Value})
				}
			}
		}
	}
	return out
}

func (c *collector) secretAssign(m *taint.Module, name string, v python.Expr) {
	if _, ok := v.(*python.Constant); !ok {
		return
	}
	if !secretName().MatchString(name) || strings.HasSuffix(strings.ToUpper(name), "_FIELD") || strings.HasSuffix(strings.ToUpper(name), "_NAME") ||
		strings.HasSuffix(strings.ToUpper(name), "_URL") || strings.HasSuffix(strings.ToUpper(name), "_HEADER") || strings.HasSuffix(strings.ToUpper(name), "_LENGTH") {
		return
	}
	s, ok := constStr(v)
	if !ok || len(s) < 8 || placeholder().MatchString(s) || strings.ContainsAny(s, " \n") || !randomLooking(s) {
		return
	}
	f := at(m, v)
	f.Message = fmt.Sprintf("%s is hard-coded in the source: everyone with the code (and its history) has it; read it from the environment or a secrets manager", name)
	c.add("DJG220", f)
}

// randomLooking: a secret mixes character classes (letters and digits, or
// upper and lower case); names such as "_auth_user_id" or "set-password"
// do not.
func randomLooking(s string) bool {
	var lower, upper, digit bool
	for _, r := range s {
		switch {
		case r >= 'a' && r <= 'z':
			lower = true
		case r >= 'A' && r <= 'Z':
			upper = true
		case r >= '0' && r <= '9':
			digit = true
		}
	}
	n := 0
	for _, b := range []bool{lower, upper, digit} {
		if b {
			n++
		}
	}
	return n >= 2
}

func isSettingsPath(p string) bool {
	return strings.Contains(p, "settings") || path.Base(p) == "conftest.py"
}

func isTestPath(p string) bool {
	b := path.Base(p)
	return strings.HasPrefix(b, "test_") || strings.HasSuffix(b, "_test.py") || b == "tests.py" || strings.Contains(p, "/tests/")
}

// ---- views: csrf_exempt, access control, IDOR (DJG213-215) ----

var authDecorators = map[string]bool{
	"login_required": true, "permission_required": true, "user_passes_test": true,
	"staff_member_required": true, "superuser_required": true, "permission_classes": true,
	"login_not_required": false,
}

var authMixins = []string{"LoginRequiredMixin", "PermissionRequiredMixin", "UserPassesTestMixin", "AccessMixin", "StaffRequiredMixin"}

func (c *collector) viewChecks(views map[*taint.Func]bool) {
	byFunc := map[*taint.Func][]*taint.CallSite{}
	for _, cs := range c.res.Calls {
		if cs.Func != nil {
			byFunc[cs.Func] = append(byFunc[cs.Func], cs)
		}
	}
	cmpByFunc := map[*taint.Func]bool{}
	for _, cs := range c.res.Compares {
		if cs.Func != nil && (secretOperand(cs.Node.Left, exprText(cs.Node.Left)) || secretOperand(cs.Node.Comparators[0], exprText(cs.Node.Comparators[0]))) {
			cmpByFunc[cs.Func] = true
		}
	}
	// Functions in path order for deterministic output.
	var fs []*taint.Func
	for f := range views {
		fs = append(fs, f)
	}
	sort.Slice(fs, func(i, j int) bool {
		if fs[i].Mod.Path != fs[j].Mod.Path {
			return fs[i].Mod.Path < fs[j].Mod.Path
		}
		return fs[i].Def.Lineno < fs[j].Def.Lineno
	})
	for _, f := range fs {
		m := f.Mod
		exempt := false
		protected := false
		for _, d := range f.Decorators {
			switch {
			case d == "django.views.decorators.csrf.csrf_exempt":
				exempt = true
			case lastSeg(d) == "permission_classes" && allowsAny(f):
				// @permission_classes([AllowAny]) opens the view up.
			case authDecorators[lastSeg(d)]:
				protected = true
			}
		}
		if f.Class != nil && c.classProtected(f.Class) {
			protected = true
		}
		calls := byFunc[f]
		if c.checksUser(f, calls) || cmpByFunc[f] {
			protected = true
		}
		writes := c.writes(f, calls)
		if exempt {
			fd := at(m, f.Def)
			fd.Line, fd.EndLine = decoratorLine(f, "csrf_exempt")
			fd.Column, fd.EndColumn = 1, 1
			fd.Message = fmt.Sprintf("@csrf_exempt on %s() switches CSRF protection off: any site can make a logged-in user's browser submit to it", f.Name)
			if writes != "" {
				fd.Severity = rules.High
				fd.Message += " — and it changes data (" + writes + ")"
			}
			c.add("DJG213", fd)
		}
		// Class-based views: the handlers of views that are not generic
		// editing views (those are reported once, on the class, below).
		handler := f.Class == nil || (isHandler(f.Def.Name) && c.res.ClassRoutes[f.Class] != nil && !c.isEditingView(f.Class))
		if writes != "" && !protected && handler && !strings.HasPrefix(f.Def.Name, "_") {
			fd := at(m, f.Def)
			fd.EndLine, fd.EndColumn = fd.Line, fd.Column
			fd.Message = fmt.Sprintf("view %s() changes data (%s) but requires no login or permission: anyone can call it", f.Name, writes)
			c.add("DJG214", fd)
		}
		if !protected || f.Class == nil {
			c.idor(f, calls)
		}
		c.unboundedRead(f)
	}
	// Class-based views that write through generic editing views: Django's
	// when wired in a URLconf, DRF's wherever they are (routers register
	// viewsets without as_view()).
	drf := func(b string) bool { return strings.HasPrefix(b, "rest_framework.") }
	for _, m := range c.res.Index.Modules {
		for _, cl := range m.Classes {
			bases := c.res.Index.AllBases(cl)
			if c.res.ClassRoutes[cl] == nil && !slices.ContainsFunc(bases, drf) {
				continue
			}
			if c.classProtected(cl) {
				continue
			}
			for _, b := range bases {
				switch lastSeg(b) {
				case "CreateView", "UpdateView", "DeleteView", "FormView", "CreateAPIView", "UpdateAPIView", "DestroyAPIView", "ModelViewSet":
					if !strings.HasPrefix(b, "django.") && !drf(b) {
						continue
					}
					fd := at(cl.Mod, cl.Def)
					fd.EndLine, fd.EndColumn = fd.Line, fd.Column
					fd.Message = fmt.Sprintf("%s is a %s that any visitor can use: add LoginRequiredMixin or PermissionRequiredMixin (or a DRF permission)", cl.Def.Name, lastSeg(b))
					c.add("DJG214", fd)
				}
			}
		}
	}
}

// unboundedRead reports request.read() and request.readlines() without a
// size in a view: they read the whole body into memory, and unlike
// request.body and request.POST they do not check
// DATA_UPLOAD_MAX_MEMORY_SIZE.
func (c *collector) unboundedRead(f *taint.Func) {
	// The request is the first parameter of a function view and the one
	// after self of a class-based view's handler (also self.request).
	var params []string
	for _, a := range f.Def.Args.PosOnlyArgs {
		params = append(params, a.Arg)
	}
	for _, a := range f.Def.Args.Args {
		params = append(params, a.Arg)
	}
	if f.Class != nil && len(params) > 0 {
		params = params[1:]
	}
	req := ""
	if len(params) > 0 {
		req = params[0]
	}
	walkExprs(f.Def.Body, func(e python.Expr) {
		call, ok := e.(*python.Call)
		if !ok || len(call.Args) > 0 || len(call.Keywords) > 0 {
			return
		}
		a, ok := call.Func.(*python.Attribute)
		if !ok || (a.Attr != "read" && a.Attr != "readlines") {
			return
		}
		switch v := a.Value.(type) {
		case *python.Name:
			if v.Id != req || req == "" {
				return
			}
		case *python.Attribute:
			if n, ok := v.Value.(*python.Name); !ok || n.Id != "self" || v.Attr != "request" {
				return
			}
		default:
			return
		}
		fd := at(f.Mod, call)
		fd.Confidence = rules.MediumConfidence
		fd.Message = fmt.Sprintf("%s() without a size reads the whole request body into memory and skips DATA_UPLOAD_MAX_MEMORY_SIZE (only request.body and request.POST check it); use request.body, or read in chunks up to a limit", exprText(call.Func))
		c.add("DJG226", fd)
	})
}

// allowsAny: the function's @permission_classes(...) names AllowAny.
func allowsAny(f *taint.Func) bool {
	for _, d := range f.Def.DecoratorList {
		c, ok := d.(*python.Call)
		if !ok || !strings.HasSuffix(exprText(c.Func), "permission_classes") {
			continue
		}
		for _, a := range c.Args {
			elts := []python.Expr{a}
			switch v := a.(type) {
			case *python.List:
				elts = v.Elts
			case *python.Tuple:
				elts = v.Elts
			}
			for _, e := range elts {
				if lastSeg(exprText(e)) == "AllowAny" {
					return true
				}
			}
		}
	}
	return false
}

func isHandler(n string) bool {
	switch n {
	case "get", "post", "put", "patch", "delete", "dispatch":
		return true
	}
	return false
}

func (c *collector) isEditingView(cl *taint.Class) bool {
	for _, b := range c.res.Index.AllBases(cl) {
		switch lastSeg(b) {
		case "CreateView", "UpdateView", "DeleteView", "FormView", "CreateAPIView", "UpdateAPIView", "DestroyAPIView", "ModelViewSet":
			return true
		}
	}
	return false
}

func decoratorLine(f *taint.Func, name string) (int, int) {
	for _, d := range f.Def.DecoratorList {
		if strings.HasSuffix(exprText(d), name) || strings.HasSuffix(exprText(d), name+"()") {
			return int(d.Span().Lineno), int(d.Span().Lineno)
		}
	}
	return int(f.Def.Lineno), int(f.Def.Lineno)
}

func (c *collector) classProtected(cl *taint.Class) bool {
	for _, b := range c.res.Index.AllBases(cl) {
		for _, mx := range authMixins {
			if lastSeg(b) == mx {
				return true
			}
		}
	}
	if e := c.res.Index.ClassAttr(cl, "permission_classes"); e != nil {
		t := ""
		switch v := e.(type) {
		case *python.List:
			for _, x := range v.Elts {
				t += exprText(x) + ","
			}
		case *python.Tuple:
			for _, x := range v.Elts {
				t += exprText(x) + ","
			}
		}
		return t != "" && !strings.Contains(t, "AllowAny")
	}
	for _, d := range cl.Def.DecoratorList {
		if strings.Contains(exprText(d), "login_required") || strings.Contains(exprText(d), "permission_required") {
			return true
		}
	}
	return false
}

// checksUser: the function consults request.user (is_authenticated,
// has_perm, ownership) before acting.
func (c *collector) checksUser(f *taint.Func, calls []*taint.CallSite) bool {
	for _, cs := range calls {
		switch cs.Method {
		case "has_perm", "has_perms", "has_module_perms":
			return true
		}
		if strings.HasSuffix(cs.Callee, "PermissionDenied") {
			return true
		}
	}
	found := false
	walkExprs(f.Def.Body, func(e python.Expr) {
		if a, ok := e.(*python.Attribute); ok {
			switch a.Attr {
			case "is_authenticated", "is_staff", "is_superuser", "is_anonymous":
				found = true
			}
		}
	})
	return found
}

// writes describes how a function changes data, or "".
func (c *collector) writes(f *taint.Func, calls []*taint.CallSite) string {
	for _, cs := range calls {
		recvT := cs.Recv.Type()
		orm := isManagerCall(cs.Call) || recvT == "queryset"
		switch cs.Method {
		case "update", "create", "bulk_create", "bulk_update", "get_or_create", "update_or_create":
			// dict.update(), set.update(): only the ORM's writes count.
			if !orm {
				continue
			}
		case "save", "delete":
			t := strings.ToLower(exprText(cs.Call.Func))
			if strings.HasPrefix(cs.Callee, "django.") || strings.Contains(t, "storage") || strings.Contains(t, "session") || strings.Contains(t, "cache") ||
				(recvT != "" && recvT != "model" && recvT != "queryset" && !strings.HasPrefix(recvT, "class:") && !strings.HasPrefix(recvT, "form:")) {
				continue
			}
		default:
			continue
		}
		return exprText(cs.Call.Func) + "() at line " + fmt.Sprint(cs.Call.Lineno)
	}
	return ""
}

// idor: an object looked up by an identifier from the URL or the request,
// with no condition on the requesting user.
func (c *collector) idor(f *taint.Func, calls []*taint.CallSite) {
	// A function that filters anything by the user is scoping its lookups.
	for _, cs := range calls {
		for _, k := range cs.Call.Keywords {
			if userScoped(k) {
				return
			}
		}
	}
	for _, cs := range calls {
		lookup := cs.Callee == "django.shortcuts.get_object_or_404" || ((cs.Method == "get" || cs.Method == "filter") && isManagerCall(cs.Call))
		if !lookup {
			continue
		}
		for i, k := range cs.Call.Keywords {
			if !isIDKey(k.Arg) {
				continue
			}
			v := cs.Kws[k.Arg]
			_ = i
			if !c.fromURLorRequest(f, k.Value, v) {
				continue
			}
			fd := at(cs.Mod, cs.Call)
			fd.Trace = sinkStep(v.Trace(taint.Request, 0), fd, "used as "+k.Arg+"= of "+exprText(cs.Call.Func)+"()")
			fd.Message = fmt.Sprintf("%s looks an object up by %s=%s from the request with no condition on request.user: any user can read or change anyone's object by changing the id", exprText(cs.Call.Func)+"()", k.Arg, exprText(k.Value))
			c.add("DJG215", fd)
			break
		}
	}
}

func userScoped(k *python.Keyword) bool {
	if k.Arg == "" {
		return false
	}
	a := strings.ToLower(k.Arg)
	t := exprText(k.Value)
	return strings.Contains(t, "request.user") || strings.Contains(t, "self.request.user") ||
		strings.HasPrefix(a, "owner") || strings.HasPrefix(a, "user") || strings.HasPrefix(a, "author") ||
		strings.HasPrefix(a, "created_by") || strings.HasPrefix(a, "account") || strings.HasPrefix(a, "tenant") ||
		strings.HasPrefix(a, "organization") || strings.HasPrefix(a, "is_public")
}

func isIDKey(a string) bool {
	a = strings.TrimSuffix(a, "__exact")
	return a == "pk" || a == "id" || strings.HasSuffix(a, "_id") || strings.HasSuffix(a, "__pk") || strings.HasSuffix(a, "__id")
}

func isManagerCall(call *python.Call) bool {
	a, ok := call.Func.(*python.Attribute)
	if !ok {
		return false
	}
	b, ok := a.Value.(*python.Attribute)
	return ok && (b.Attr == "objects" || b.Attr == "_default_manager")
}

func (c *collector) fromURLorRequest(f *taint.Func, e python.Expr, v taint.Value) bool {
	if v.FromRequest(0) {
		return true
	}
	// URL parameters with safe converters (int, uuid) carry no injection
	// taint, but they are still the client's choice of object.
	n, ok := e.(*python.Name)
	if !ok {
		return false
	}
	r := c.res.Routes[f]
	if r == nil && f.Class != nil {
		r = c.res.ClassRoutes[f.Class]
	}
	if r == nil {
		return false
	}
	_, ok = r.Params[n.Id]
	return ok
}

// walkExprs calls fn on every expression in a body (bounded depth).
func walkExprs(body []python.Stmt, fn func(python.Expr)) {
	w := &walker{fn: fn}
	for _, s := range body {
		w.stmt(s, 0)
	}
}

// sinkStep ends a value's trace with a step at the finding.
func sinkStep(tr []rules.TraceStep, f rules.Finding, msg string) []rules.TraceStep {
	if len(tr) == 0 {
		return nil
	}
	return append(tr, rules.TraceStep{Path: f.Path, Line: f.Line, Column: f.Column, Message: msg})
}
