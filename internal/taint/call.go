package taint

import (
	"slices"
	"strings"

	"github.com/djangoguard/djangoguard/internal/python"
)

// resolveCallee resolves a callee expression to a canonical name, honouring
// local variables that shadow module names.
func (s *fnState) resolveCallee(e python.Expr) string {
	root := e
	for {
		a, ok := root.(*python.Attribute)
		if !ok {
			break
		}
		root = a.Value
	}
	n, ok := root.(*python.Name)
	if !ok {
		return ""
	}
	if _, local := s.env[n.Id]; local {
		return ""
	}
	return s.a.ix.resolve(s.m, e)
}

var renderFuncs = map[string]int{ // canonical name -> position of the context argument
	"django.shortcuts.render":                         2,
	"django.shortcuts.render_to_response":             1,
	"django.template.loader.render_to_string":         1,
	"django.template.response.TemplateResponse":       2,
	"django.template.response.SimpleTemplateResponse": 1,
}

// RenderContextArg returns the position of the context argument of a
// template-rendering function, or -1.
func RenderContextArg(callee string) int {
	if p, ok := renderFuncs[callee]; ok {
		return p
	}
	return -1
}

func (s *fnState) call(c *python.Call, depth int) Value {
	var recv Value
	method := ""
	callee := s.resolveCallee(c.Func)
	switch fn := c.Func.(type) {
	case *python.Attribute:
		method = fn.Attr
		if callee == "" {
			recv = s.eval(fn.Value, depth)
		}
	case *python.Name:
	default:
		recv = s.eval(c.Func, depth)
	}
	// The argument values live on a stack shared by the calls of this
	// analysis (nested calls push above and pop back before we read), so
	// only the calls kept as CallSites allocate their own copy.
	base := len(s.argStack)
	for _, a := range c.Args {
		v := s.eval(a, depth)
		s.argStack = append(s.argStack, v)
	}
	top := len(s.argStack)
	args := s.argStack[base:top:top]
	var kws map[string]Value
	if len(c.Keywords) > 0 {
		kws = make(map[string]Value, len(c.Keywords))
		for _, k := range c.Keywords {
			v := s.eval(k.Value, depth)
			name := k.Arg
			if name == "" {
				name = "**"
				v = join(kws["**"], v)
			}
			kws[name] = v
		}
	}
	if s.record && (method == "get" || method == "getlist") && len(c.Args) > 0 && isRequestData(attrValue(c.Func)) {
		if k, ok := constStr(c.Args[0]); ok {
			s.keys = append(s.keys, &KeyRead{Mod: s.m, Func: s.f, Node: c, Key: k})
		}
	}
	if s.record && recordCall(callee, method, c) {
		cs := &CallSite{Mod: s.m, Func: s.f, Call: c, Callee: callee, Method: method, Recv: recv, Args: slices.Clone(args), Kws: kws, InPost: s.inPost > 0}
		if p := RenderContextArg(callee); p >= 0 {
			cs.Dicts = map[int]map[string]Value{}
			if p < len(c.Args) {
				cs.Dicts[p] = s.dictOf(c.Args[p], depth)
			}
			if k, ok := kwArg(c, "context"); ok {
				cs.Dicts[-1] = s.dictOf(k, depth)
			}
		}
		s.calls = append(s.calls, cs)
	}
	v := s.apply(c, callee, method, recv, args, kws, depth)
	// Pop. A panic skips this; release resets the stack of a failed run.
	clear(s.argStack[base:top])
	s.argStack = s.argStack[:base]
	return v
}

// recordedMethods are the methods the pattern rules look at.
var recordedMethods = map[string]bool{
	"save": true, "delete": true, "update": true, "create": true, "bulk_create": true, "bulk_update": true,
	"get_or_create": true, "update_or_create": true, "get": true, "filter": true, "has_perm": true,
	"has_perms": true, "has_module_perms": true, "set_cookie": true, "set_signed_cookie": true,
	"debug": true, "info": true, "warning": true, "warn": true, "error": true, "exception": true,
	"critical": true, "log": true, "raw": true, "extra": true, "execute": true, "executemany": true,
}

// recordCall decides which calls are kept as CallSites for the pattern
// rules and the view join: calls to resolved names (but builtins other
// than print), calls with keyword arguments, and the methods they inspect.
// Plain method calls such as .strip() or .append() are not kept.
func recordCall(callee, method string, c *python.Call) bool {
	if callee != "" {
		return !strings.HasPrefix(callee, "builtins.") || callee == "builtins.print"
	}
	return len(c.Keywords) > 0 || recordedMethods[method]
}

// dictOf returns the per-key values of a dict argument: a literal, a
// dict(...) call with keywords, or a local name built key by key.
func (s *fnState) dictOf(e python.Expr, depth int) map[string]Value {
	out := map[string]Value{}
	switch d := e.(type) {
	case *python.Dict:
		for i, k := range d.Keys {
			if ks, ok := constStr(k); ok {
				out[ks] = s.eval(d.Values[i], depth)
			}
		}
	case *python.Call:
		if n, ok := d.Func.(*python.Name); ok && n.Id == "dict" {
			for _, k := range d.Keywords {
				if k.Arg != "" {
					out[k.Arg] = s.eval(k.Value, depth)
				}
			}
		}
	case *python.Name:
		prefix := d.Id + "["
		for k, v := range s.env {
			if strings.HasPrefix(k, prefix) && strings.HasSuffix(k, "]") {
				out[k[len(prefix):len(k)-1]] = v
			}
		}
	}
	return out
}

func (s *fnState) apply(c *python.Call, callee, method string, recv Value, args []Value, kws map[string]Value, depth int) Value {
	all := func() Value {
		v := recv.taintOnly()
		for _, a := range args {
			v = join(v, a.taintOnly())
		}
		for _, k := range kws {
			v = join(v, k.taintOnly())
		}
		return v
	}
	// Methods of the request object.
	if recv.typ == "request" {
		if requestSourceMethods[method] {
			st := s.stepAt(c, "source: %s", exprText(c, 0))
			l := label{origin: Request, tr: (*trace)(nil).push(st)}
			switch method {
			case "get_full_path", "get_full_path_info", "build_absolute_uri", "get_raw_uri":
				// This request's own URL (its host checked against
				// ALLOWED_HOSTS): redirecting to it stays on the site.
				l.kill = Redirect
			}
			return Value{labels: []label{l}}
		}
		return Value{}
	}
	if recv.typ == "cursor" && (method == "fetchall" || method == "fetchone" || method == "fetchmany") {
		st := s.stepAt(c, "source: %s(), loaded from the database", exprText(c.Func, 0))
		return Value{labels: []label{{origin: Stored, tr: (*trace)(nil).push(st)}}}
	}
	if method != "" && cleanMethods[method] && callee == "" {
		return Value{}
	}
	// Sanitizers.
	if cls, ok := sanitizers[callee]; ok {
		switch {
		case callee == "django.utils.html.format_html":
		case cls == 0:
			return all()
		default:
			return all().sanitize(cls)
		}
	}
	// Sinks by name.
	if spec, ok := sinks[callee]; ok {
		s.sinkCall(c, callee, spec, args, kws, depth)
		if spec.class == Command {
			return Value{} // a program's output is not its arguments
		}
	}
	if callee == "django.utils.html.format_html" {
		// Arguments are escaped; the format string is the sink.
		v := Value{}
		if len(args) > 0 {
			v = args[0]
		}
		for _, a := range args[min(1, len(args)):] {
			v = join(v, a.sanitize(XSS))
		}
		return v.taintOnly().sanitize(0)
	}
	s.methodSinks(c, callee, method, recv, args, kws, depth)

	// Project functions and methods.
	if f := s.calleeFunc(c, callee, method, recv); f != nil {
		return s.applySummary(c, f.fn, f.shift, recv, args, kws, depth)
	}
	if callee != "" {
		if cls := s.a.ix.classByName(callee); cls != nil {
			v := all()
			if s.isForm(cls) {
				v.typ = "form:" + cls.QName
			} else {
				v.typ = "class:" + cls.QName
			}
			if init := s.a.ix.method(cls, "__init__", 0); init != nil {
				s.applySummary(c, init, 1, Value{typ: v.typ}, args, kws, depth)
			}
			return v
		}
	}
	// Types of well-known results.
	switch {
	case strings.HasSuffix(callee, "connection.cursor") || strings.HasSuffix(callee, "connections.cursor") || (method == "cursor" && strings.Contains(exprText(c.Func, 0), "connection")):
		return Value{typ: "cursor"}
	case callee == "logging.getLogger" || callee == "structlog.get_logger":
		return Value{typ: "logger"}
	case callee == "django.shortcuts.get_object_or_404" || callee == "django.shortcuts.get_list_or_404":
		st := s.stepAt(c, "source: %s(), loaded from the database", lastSeg(callee))
		typ := "model"
		if strings.HasSuffix(callee, "list_or_404") {
			typ = "queryset"
		}
		return Value{labels: []label{{origin: Stored, tr: (*trace)(nil).push(st)}}, typ: typ}
	case strings.HasPrefix(callee, "django.http.") && strings.HasPrefix(lastSeg(callee), "HttpResponse"),
		strings.HasPrefix(callee, "django.http.") && strings.HasSuffix(callee, "Response"),
		strings.HasPrefix(callee, "django.shortcuts.re"):
		return Value{typ: "response"}
	case strings.HasPrefix(callee, "django.") && callee != "django.utils.safestring.mark_safe" && !strings.HasPrefix(callee, "django.utils.") && !strings.HasPrefix(callee, "django.core.signing") && !strings.HasPrefix(callee, "django.http.QueryDict"):
		// Most Django APIs (reverse, authenticate, login...) do not return
		// their arguments; the ones that matter are sinks or sanitizers.
		if callee == "django.contrib.auth.authenticate" {
			return Value{typ: "user"}
		}
		return Value{}
	}
	if method != "" && ormMethods[method] && (recv.typ == "queryset" || isManager(c.Func)) {
		if method == "count" || method == "exists" {
			return Value{}
		}
		st := s.stepAt(c, "source: %s(), loaded from the database", exprText(c.Func, 0))
		v := Value{labels: []label{{origin: Stored, tr: (*trace)(nil).push(st)}}}
		switch method {
		case "get", "first", "last", "latest", "earliest", "create", "get_or_create", "update_or_create":
			v.typ = "model"
		case "aggregate", "in_bulk":
		default:
			v.typ = "queryset"
		}
		return v
	}
	if method == "get" && s.isConstDict(attrValue(c.Func)) {
		// ALLOWED.get(user_key, default): the result is one of the constants
		// or the default.
		if len(c.Args) > 1 {
			return args[1]
		}
		return Value{}
	}
	if method == "render" || callee == "django.template.loader.render_to_string" || callee == "django.shortcuts.render" {
		// Templates escape what they output; unescaped output inside a
		// template is the template rules' business.
		v := all().sanitize(XSS)
		if callee == "django.shortcuts.render" {
			v.typ = "response"
		}
		return v
	}
	if method == "getLogger" {
		return Value{typ: "logger"}
	}
	v := all()
	if recv.typ == "upload" {
		v.typ = "upload"
	}
	return v
}

func attrValue(e python.Expr) python.Expr {
	if a, ok := e.(*python.Attribute); ok {
		return a.Value
	}
	return nil
}

func lastSeg(q string) string {
	if i := strings.LastIndexByte(q, '.'); i >= 0 {
		return q[i+1:]
	}
	return q
}

// isManager: X.objects.<method> or X._default_manager.<method>.
func isManager(fn python.Expr) bool {
	a, ok := fn.(*python.Attribute)
	if !ok {
		return false
	}
	b, ok := a.Value.(*python.Attribute)
	return ok && (b.Attr == "objects" || b.Attr == "_default_manager" || b.Attr == "_base_manager")
}

func (s *fnState) isForm(c *Class) bool {
	for _, b := range s.a.ix.AllBases(c) {
		if strings.HasPrefix(b, "django.forms.") || strings.HasSuffix(b, "Form") || strings.HasSuffix(b, "ModelForm") {
			return true
		}
	}
	return false
}

type boundFunc struct {
	fn    *Func
	shift int // 1 when the call binds self
}

func (s *fnState) calleeFunc(c *python.Call, callee, method string, recv Value) *boundFunc {
	if callee != "" {
		if f := s.a.ix.funcByName(callee); f != nil {
			shift := 0
			if f.Class != nil && !isStatic(f) {
				// Class.method(obj, ...) passes self explicitly.
				shift = 0
			}
			return &boundFunc{fn: f, shift: shift}
		}
		return nil
	}
	if method == "" {
		return nil
	}
	var cls *Class
	switch {
	case recv.typ == "self" && s.f != nil && s.f.Class != nil:
		cls = s.f.Class
	case strings.HasPrefix(recv.typ, "class:"):
		cls = s.a.ix.classByName(recv.typ[len("class:"):])
	case strings.HasPrefix(recv.typ, "form:"):
		cls = s.a.ix.classByName(recv.typ[len("form:"):])
	}
	if cls == nil {
		return nil
	}
	f := s.a.ix.method(cls, method, 0)
	if f == nil {
		return nil
	}
	shift := 1
	if isStatic(f) {
		shift = 0
	}
	return &boundFunc{fn: f, shift: shift}
}

func isStatic(f *Func) bool {
	for _, d := range f.Def.DecoratorList {
		if n, ok := d.(*python.Name); ok && (n.Id == "staticmethod") {
			return true
		}
	}
	return false
}

// argFor returns the value passed for parameter i of f (after shifting
// for a bound self).
func argFor(f *Func, i, shift int, recv Value, args []Value, kws map[string]Value) (Value, bool) {
	if shift == 1 && i == 0 {
		return recv, true
	}
	j := i - shift
	if j >= 0 && j < len(args) {
		return args[j], true
	}
	if i < len(f.Params) {
		if v, ok := kws[f.Params[i]]; ok {
			return v, true
		}
	}
	if v, ok := kws["**"]; ok {
		return v, true
	}
	return Value{}, false
}

// applySummary composes a call to a project function: its return value,
// and findings or summary entries for the parameters that reach sinks.
func (s *fnState) applySummary(c *python.Call, f *Func, shift int, recv Value, args []Value, kws map[string]Value, depth int) Value {
	sum := f.sum.Load()
	if s.deps == nil {
		s.deps = map[*Func]*Summary{}
	}
	s.deps[f] = sum
	if sum == nil {
		return Value{}
	}
	callStep := s.stepAt(c, "passed to %s()", f.Name)
	for _, ps := range sum.Sinks {
		av, ok := argFor(f, ps.param, shift, recv, args, kws)
		if !ok {
			continue
		}
		for _, l := range av.labels {
			if l.kill&ps.class != 0 {
				continue
			}
			tr := l.tr.push(callStep)
			for _, st := range ps.tr.Steps() {
				tr = tr.push(st)
			}
			s.emit(c, ps.class, label{origin: l.origin, kill: l.kill | ps.kill, tr: tr}, ps.what+" via "+f.Name+"()")
		}
	}
	var out Value
	for _, rl := range sum.Ret.labels {
		if rl.origin < 0 {
			out.labels = addLabel(out.labels, label{origin: rl.origin, kill: rl.kill, tr: rl.tr})
			continue
		}
		av, ok := argFor(f, int(rl.origin), shift, recv, args, kws)
		if !ok {
			continue
		}
		for _, l := range av.labels {
			tr := l.tr.push(callStep)
			for _, st := range rl.tr.Steps()[1:] {
				tr = tr.push(st)
			}
			out.labels = addLabel(out.labels, label{origin: l.origin, kill: l.kill | rl.kill, tr: tr})
		}
	}
	out.typ = sum.Ret.typ
	return out
}

// sinkCall checks the arguments of a call to a sink.
func (s *fnState) sinkCall(c *python.Call, callee string, spec sinkSpec, args []Value, kws map[string]Value, depth int) {
	if spec.class == Command && spec.when != nil && len(args) > 0 && args[0].typ == "list" && !isListLiteral(c.Args[0]) {
		if v, ok := kwArg(c, "shell"); !ok || !isTrue(v) {
			// An argument list built elsewhere: no shell parses it.
			return
		}
	}
	if spec.when != nil && !spec.when(c) {
		// subprocess with an argument list: the program name is the sink.
		if spec.class == Command && len(c.Args) > 0 {
			if l, ok := c.Args[0].(*python.List); ok && len(l.Elts) > 0 {
				s.checkSink(c, Command, s.eval(l.Elts[0], depth), lastSeg(callee)+"() program", depth)
			}
		}
		return
	}
	what := shortName(callee) + "()"
	if strings.HasPrefix(callee, "django.") || strings.HasPrefix(callee, "builtins.") {
		what = lastSeg(callee) + "()"
	}
	if spec.all {
		for _, a := range args {
			s.checkSink(c, spec.class, a, what, depth)
		}
		for _, k := range kws {
			s.checkSink(c, spec.class, k, what, depth)
		}
		return
	}
	for _, i := range spec.args {
		if i < len(args) {
			s.checkSink(c, spec.class, args[i], what, depth)
		}
	}
	for _, k := range spec.kws {
		if v, ok := kws[k]; ok {
			s.checkSink(c, spec.class, v, what, depth)
		}
	}
}

// shortName keeps the last two segments: "subprocess.run", "os.system".
func shortName(q string) string {
	parts := strings.Split(q, ".")
	if len(parts) <= 2 {
		return q
	}
	return strings.Join(parts[len(parts)-2:], ".")
}

// methodSinks are sinks recognised by method name and receiver.
func (s *fnState) methodSinks(c *python.Call, callee, method string, recv Value, args []Value, kws map[string]Value, depth int) {
	if method == "" {
		return
	}
	arg0 := func() Value {
		if len(args) > 0 {
			return args[0]
		}
		if v, ok := kws["sql"]; ok {
			return v
		}
		return Value{}
	}
	recvText := exprText(attrValue(c.Func), 0)
	switch method {
	case "execute", "executemany", "executescript":
		if recv.typ == "cursor" || strings.Contains(strings.ToLower(recvText), "cursor") || strings.HasSuffix(recvText, "connection") {
			s.checkSink(c, SQL, arg0(), "cursor."+method+"()", depth)
		}
	case "raw":
		if recv.typ == "queryset" || isManager(c.Func) || strings.HasSuffix(recvText, "objects") {
			s.checkSink(c, SQL, arg0(), "QuerySet.raw()", depth)
		}
	case "extra":
		for _, k := range []string{"where", "select", "tables", "order_by"} {
			if v, ok := kws[k]; ok {
				s.checkSink(c, SQL, v, "QuerySet.extra("+k+"=)", depth)
			}
		}
	case "from_string":
		s.checkSink(c, Template, arg0(), method+"()", depth)
	case "set_cookie", "set_signed_cookie":
		// The cookie value is fine to come from the user; its name is not.
		if len(args) > 0 {
			s.checkSink(c, Header, args[0], "response.set_cookie() name", depth)
		}
	case "debug", "info", "warning", "warn", "error", "exception", "critical", "log":
		if recv.typ == "logger" || callee == "logging."+method || isLoggerName(recvText) {
			for i, a := range args {
				if method == "log" && i == 0 {
					continue
				}
				s.checkSink(c, Log, a, "logging."+method+"()", depth)
			}
		}
	case "urlopen", "request", "get", "post", "put", "patch", "delete", "head":
		if strings.Contains(strings.ToLower(recvText), "session") || recvText == "client" || recv.typ == "http" {
			if method == "request" && len(args) > 1 {
				s.checkSink(c, SSRF, args[1], recvText+"."+method+"()", depth)
			} else {
				s.checkSink(c, SSRF, arg0(), recvText+"."+method+"()", depth)
			}
		}
	case "extractall":
		if _, ok := kwArg(c, "members"); !ok {
			if _, ok := kwArg(c, "filter"); !ok && recv.tainted() {
				s.checkSink(c, Path, recv, method+"()", depth)
			}
		}
	}
}

func isLoggerName(t string) bool {
	t = strings.ToLower(t)
	return t == "logger" || t == "log" || t == "logging" || strings.HasSuffix(t, "logger") || strings.HasSuffix(t, ".log")
}

// checkSink reports taint of v reaching a sink of class c, or records the
// parameters that reach it in the summary.
func (s *fnState) checkSink(n python.Located, c Kind, v Value, what string, depth int) {
	for _, l := range v.labels {
		if l.kill&c != 0 {
			continue
		}
		s.emit(n, c, l, what)
	}
}

func (s *fnState) emit(n python.Located, c Kind, l label, what string) {
	if l.origin >= 0 {
		if len(s.sum.Sinks) >= maxSinks {
			return
		}
		for _, ps := range s.sum.Sinks {
			if ps.param == int(l.origin) && ps.class == c {
				return
			}
		}
		st := s.stepAt(n, "reaches %s", what)
		s.sum.Sinks = append(s.sum.Sinks, paramSink{param: int(l.origin), class: c, kill: l.kill, tr: l.tr.push(st), what: what})
		return
	}
	if !s.record {
		return
	}
	if l.origin == Stored && c != XSS {
		return // second-order flows other than stored XSS are not reported
	}
	p := n.Span()
	st := s.stepAt(n, "reaches %s", what)
	tr := l.tr.push(st)
	s.flows = append(s.flows, Flow{
		Class: c, Origin: l.origin, Path: s.m.Path, Line: int(p.Lineno), Col: int(p.ColOffset) + 1,
		EndLine: int(p.EndLineno), EndCol: int(p.EndColOffset) + 1, Sink: what, Func: s.f, Trace: tr.Steps(),
	})
}

func isListLiteral(e python.Expr) bool {
	switch e.(type) {
	case *python.List, *python.Tuple:
		return true
	}
	return false
}
