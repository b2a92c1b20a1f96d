package settings

import (
	"net/url"
	"sort"
	"strconv"
	"strings"
	"unicode"

	"github.com/djangoguard/djangoguard/internal/python"
)

// envSchema is what django-environ's Env(NAME=(cast, default)) declares.
type envSchema struct {
	cast map[string]string
	def  map[string]*Value
}

func (fr *frame) call(c *python.Call) *Value {
	fn := fr.expr(c.Func)
	a := fr.args(c)
	if fn.Kind != Object {
		return inherit(unknown("call of an unknown function"), fn)
	}
	if touched, ok := fn.obj.(funcTouches); ok {
		// A module function: what it may change becomes Unknown.
		o := fr.origin(c)
		for _, n := range touched {
			if _, exists := fr.names[n]; exists {
				fr.names[n] = unknown("may be changed by " + strings.TrimPrefix(fn.S, "function ") + "()").at(o)
			}
		}
		return unknown("result of " + strings.TrimPrefix(fn.S, "function ") + "()")
	}
	ref := fn.S
	switch ref {
	// ---- environment ----
	case "os.environ.get", "os.getenv":
		return fr.envRead(a.get(0, "key"), a.get(1, "default"), ref, a.get(1, "default") != nil, "")
	case "os.environ.setdefault":
		return fr.envRead(a.get(0, "key"), a.get(1, "default"), ref, true, "")
	// ---- os.path ----
	case "os.path.join":
		if len(a.pos) == 0 || a.opaque {
			break
		}
		var parts []string
		for _, p := range a.pos {
			s, ok := pathPart(p)
			if !ok {
				return inherit(unknown("path joined with an unknown part"), a.pos...)
			}
			parts = append(parts, s)
		}
		out := parts[0]
		for _, p := range parts[1:] {
			out = joinPath(out, p)
		}
		return inherit(strV(cleanPath(out)), a.pos...)
	case "os.path.dirname", "os.path.abspath", "os.path.realpath", "os.path.normpath", "os.path.basename", "os.fspath", "os.path.expanduser":
		x := a.get(0, "")
		if x == nil {
			break
		}
		s, ok := pathPart(x)
		if !ok {
			return inherit(unknown(ref+" of an unknown path"), x)
		}
		switch ref {
		case "os.path.dirname":
			return strV(parentPath(s))
		case "os.path.basename":
			return strV(lastPart(s))
		case "os.path.expanduser":
			if strings.HasPrefix(s, "~") {
				return unknown("home directory")
			}
		}
		return inherit(strV(cleanPath(s)), x)
	case "pathlib.Path", "pathlib.PurePath", "pathlib.PosixPath", "pathlib.PurePosixPath":
		out := ""
		if len(a.pos) == 0 {
			return pathV(".")
		}
		for _, p := range a.pos {
			s, ok := pathPart(p)
			if !ok {
				return inherit(unknown("Path of an unknown part"), a.pos...)
			}
			out = joinPath(out, s)
		}
		return inherit(pathV(out), a.pos...)
	case "django.core.management.utils.get_random_secret_key", "secrets.token_urlsafe", "secrets.token_hex":
		return unknown("random value generated at start-up")
	// ---- django-environ ----
	case "environ.Env", "environ.FileAwareEnv":
		s := &envSchema{cast: map[string]string{}, def: map[string]*Value{}}
		for k, v := range a.kw {
			if v.Kind == Tuple && len(v.Elems) >= 1 {
				s.cast[k] = castName(v.Elems[0])
				if len(v.Elems) >= 2 {
					s.def[k] = v.Elems[1]
				}
			} else {
				s.cast[k] = castName(v)
			}
		}
		o := objV("environ.Env instance")
		o.obj = s
		return o
	case "dj_database_url.config", "dj_database_url.parse":
		var raw *Value
		if ref == "dj_database_url.parse" {
			raw = a.get(0, "url")
		} else {
			name := a.get(-1, "env")
			if name == nil {
				name = strV("DATABASE_URL")
			}
			def := a.get(-1, "default")
			raw = fr.envRead(name, def, ref, def != nil, "")
		}
		if raw == nil {
			break
		}
		return inherit(parseDBURL(raw), raw)
	}
	if schema, ok := fn.obj.(*envSchema); ok {
		return fr.environCall(ref, schema, a)
	}
	if strings.HasPrefix(ref, "decouple.") || ref == "config" {
		switch strings.TrimPrefix(ref, "decouple.") {
		case "config":
			return fr.decoupleConfig(a)
		case "Csv":
			return objV("decouple.Csv()")
		case "AutoConfig", "Config":
			return objV("decouple.config")
		}
	}
	if strings.HasPrefix(ref, "builtins.") {
		return inherit(builtinCall(strings.TrimPrefix(ref, "builtins."), a), a.pos...)
	}
	if strings.HasPrefix(ref, "Path.") {
		if recv, ok := fn.obj.(*Value); ok {
			return inherit(pathMethod(recv, strings.TrimPrefix(ref, "Path."), a), recv)
		}
	}
	if strings.HasPrefix(ref, "method.") {
		if recv, ok := fn.obj.(*Value); ok {
			return inherit(method(recv, strings.TrimPrefix(ref, "method."), a), append([]*Value{recv}, a.pos...)...)
		}
	}
	return unknown("call of " + ref)
}

func castName(v *Value) string {
	if v.Kind != Object {
		return ""
	}
	return strings.TrimPrefix(v.S, "builtins.")
}

// envRead reads an environment variable. cast converts the raw string
// (not the default) the way the reading library does.
func (fr *frame) envRead(nameV, def *Value, fn string, hasDefault bool, cast string) *Value {
	if nameV == nil || nameV.Kind != Str {
		return unknown("environment variable with an unknown name").withEnv(&EnvRead{Func: fn, Default: def, Assumed: true})
	}
	name := nameV.S
	read := &EnvRead{Var: name, Func: fn}
	if hasDefault {
		read.Default = def
	}
	if raw, ok := fr.ev.opts.Environ[name]; ok {
		return castRaw(raw, cast).withEnv(read)
	}
	if !fr.ev.opts.EnvComplete {
		read.Assumed = true
	}
	if hasDefault {
		if def == nil {
			def = noneV()
		}
		return def.withEnv(read)
	}
	if fn == "os.environ.get" || fn == "os.getenv" {
		if fr.ev.opts.EnvComplete {
			return noneV().withEnv(read)
		}
	}
	return unknown("environment variable " + name + " without a default").withEnv(read)
}

// castRaw converts an environment string.
func castRaw(raw, cast string) *Value {
	switch cast {
	case "", "str":
		return strV(raw)
	case "bool":
		switch strings.ToLower(strings.TrimSpace(raw)) {
		case "true", "on", "ok", "y", "yes", "1":
			return boolV(true)
		}
		return boolV(false)
	case "decouple-bool":
		switch strings.ToLower(raw) {
		case "1", "yes", "true", "on", "y", "t":
			return boolV(true)
		case "0", "no", "false", "off", "n", "f", "":
			return boolV(false)
		}
		return unknown("not a boolean")
	case "int":
		i, err := strconv.ParseInt(strings.TrimSpace(raw), 10, 64)
		if err != nil {
			return unknown("not an integer")
		}
		return intV(i)
	case "float":
		f, err := strconv.ParseFloat(strings.TrimSpace(raw), 64)
		if err != nil {
			return unknown("not a number")
		}
		return floatV(f)
	case "list", "tuple":
		v := &Value{Kind: List}
		if cast == "tuple" {
			v.Kind = Tuple
		}
		for _, p := range strings.Split(raw, ",") {
			if p != "" {
				v.Elems = append(v.Elems, strV(p))
			}
		}
		return v
	case "csv":
		v := &Value{Kind: List}
		for _, p := range strings.Split(raw, ",") {
			p = strings.Trim(strings.TrimSpace(p), `"'`)
			if p != "" {
				v.Elems = append(v.Elems, strV(p))
			}
		}
		return v
	case "db":
		return parseDBURL(strV(raw))
	case "path":
		return pathV(cleanPath(raw))
	}
	return unknown("environment value cast with " + cast)
}

func (fr *frame) environCall(ref string, s *envSchema, a callArgs) *Value {
	method := strings.TrimPrefix(ref, "environ.Env.")
	if ref == "environ.Env instance" {
		method = ""
	}
	name := a.get(0, "var")
	def := a.get(-1, "default")
	cast := ""
	switch method {
	case "":
		if c := a.get(1, "cast"); c != nil {
			cast = castName(c)
		}
		if def == nil && len(a.pos) >= 3 {
			def = a.pos[2]
		}
		if name != nil && name.Kind == Str {
			if cast == "" {
				cast = s.cast[name.S]
			}
			if d, ok := s.def[name.S]; ok && def == nil {
				def = d
			}
		}
	case "str", "bool", "int", "float", "list", "tuple", "path":
		cast = method
		if def == nil {
			def = a.get(1, "") // env.bool("DEBUG", False)
		}
	case "db", "db_url":
		cast = "db"
		if name == nil {
			name = strV("DATABASE_URL")
		}
	case "read_env", "smart_cast", "escape_proxy", "prefix":
		return noneV()
	default:
		return unknown("django-environ " + method)
	}
	v := fr.envRead(name, def, "env."+method, def != nil, cast)
	if cast == "db" && v.Kind == Str {
		return inherit(parseDBURL(v), v)
	}
	if v.Env != nil {
		v.Env.Func = strings.TrimSuffix("env."+method, ".")
		if method == "" {
			v.Env.Func = "env"
		}
	}
	return v
}

func (fr *frame) decoupleConfig(a callArgs) *Value {
	name := a.get(0, "option")
	def := a.get(1, "default")
	castV := a.get(2, "cast")
	cast := ""
	if castV != nil {
		switch {
		case castV.S == "builtins.bool":
			cast = "decouple-bool"
		case castV.S == "builtins.int":
			cast = "int"
		case castV.S == "builtins.float":
			cast = "float"
		case castV.S == "decouple.Csv()":
			cast = "csv"
		case castV.S == "builtins.str":
			cast = "str"
		default:
			cast = "?"
		}
	}
	v := fr.envRead(name, def, "config", def != nil, cast)
	// decouple casts the default as well.
	if def != nil && v.Env != nil && (v.Env.Assumed || fr.ev.opts.EnvComplete) && !v.IsUnknown() {
		if _, given := fr.ev.opts.Environ[v.Env.Var]; !given {
			switch {
			case def.Kind == Str:
				return castRaw(def.S, cast).withEnv(v.Env).at(def.Origin)
			case cast == "decouple-bool":
				if t, ok := def.Truth(); ok {
					return boolV(t).withEnv(v.Env).at(def.Origin)
				}
			}
		}
	}
	return v
}

// parseDBURL turns a database URL into a DATABASES entry the way
// dj-database-url and django-environ do (the fields the rules read).
func parseDBURL(v *Value) *Value {
	if v.Kind != Str {
		return unknown("database URL not known")
	}
	u, err := url.Parse(v.S)
	if err != nil || u.Scheme == "" {
		return unknown("database URL does not parse")
	}
	engines := map[string]string{
		"postgres": "django.db.backends.postgresql", "postgresql": "django.db.backends.postgresql",
		"pgsql": "django.db.backends.postgresql", "postgis": "django.contrib.gis.db.backends.postgis",
		"mysql": "django.db.backends.mysql", "mysql2": "django.db.backends.mysql",
		"sqlite": "django.db.backends.sqlite3", "oracle": "django.db.backends.oracle",
	}
	d := &Value{Kind: Dict}
	add := func(k string, val *Value) {
		d.Keys = append(d.Keys, strV(k).at(v.Origin))
		d.Vals = append(d.Vals, val.at(v.Origin))
	}
	add("ENGINE", strV(engines[u.Scheme]))
	add("NAME", strV(strings.TrimPrefix(u.Path, "/")))
	if u.User != nil {
		add("USER", strV(u.User.Username()))
		p, _ := u.User.Password()
		add("PASSWORD", strV(p))
	} else {
		add("USER", strV(""))
		add("PASSWORD", strV(""))
	}
	add("HOST", strV(u.Hostname()))
	add("PORT", strV(u.Port()))
	return d
}

func builtinCall(name string, a callArgs) *Value {
	x := a.get(0, "")
	switch name {
	case "bool":
		if x == nil {
			return boolV(false)
		}
		if t, ok := x.Truth(); ok {
			return boolV(t)
		}
	case "int":
		if x == nil {
			return intV(0)
		}
		switch x.Kind {
		case Int:
			return x
		case Bool:
			i, _ := toInt(x)
			return intV(i)
		case Float:
			return intV(int64(x.F))
		case Str:
			base := 10
			if b := a.get(1, "base"); b != nil && b.Kind == Int {
				base = int(b.I)
			}
			s := strings.ReplaceAll(strings.TrimSpace(x.S), "_", "")
			i, err := strconv.ParseInt(s, base, 64)
			if err == nil {
				return intV(i)
			}
			return unknown("int() of a string that is not a number")
		}
	case "float":
		if x != nil && x.Kind == Str {
			if f, err := strconv.ParseFloat(strings.TrimSpace(x.S), 64); err == nil {
				return floatV(f)
			}
		}
		if x != nil && num(x) {
			return floatV(toFloat(x))
		}
	case "str":
		if x == nil {
			return strV("")
		}
		if s, ok := strOf(x); ok {
			return strV(s)
		}
	case "list", "tuple", "set", "frozenset", "sorted":
		k := List
		switch name {
		case "tuple":
			k = Tuple
		case "set", "frozenset":
			k = Set
		}
		if x == nil {
			return &Value{Kind: k}
		}
		var items []*Value
		switch {
		case x.Known() && seqKind(x.Kind):
			items = x.Elems
		case x.Known() && x.Kind == Dict:
			items = x.Keys
		case x.Kind == Str:
			for _, r := range x.S {
				items = append(items, strV(string(r)))
			}
		default:
			return unknown(name + "() of an unknown iterable")
		}
		out := &Value{Kind: k, Elems: append([]*Value{}, items...)}
		if k == Set {
			out = setAdd(&Value{Kind: Set}, items)
		}
		if name == "sorted" {
			strs, ok := out.Strings()
			if !ok {
				return unknown("sorted() of non-strings")
			}
			sort.Strings(strs)
			out = &Value{Kind: List}
			for _, s := range strs {
				out.Elems = append(out.Elems, strV(s))
			}
		}
		return out
	case "dict":
		d := &Value{Kind: Dict}
		if x != nil {
			if x.Kind != Dict {
				return unknown("dict() of a non-dict")
			}
			d = x.clone()
		}
		for _, k := range a.kwOrder {
			kw := &Value{Kind: Dict, Keys: []*Value{strV(k)}, Vals: []*Value{a.kw[k]}}
			d = dictMerge(d, kw)
		}
		return d
	case "len":
		if x != nil {
			if n, ok := x.Len(); ok {
				return intV(int64(n))
			}
		}
	}
	return unknown(name + "() not modelled")
}

func pathMethod(p *Value, m string, a callArgs) *Value {
	switch m {
	case "resolve", "absolute", "expanduser":
		return p
	case "joinpath":
		out := p.S
		for _, x := range a.pos {
			s, ok := pathPart(x)
			if !ok {
				return unknown("joinpath with an unknown part")
			}
			out = joinPath(out, s)
		}
		return pathV(out)
	case "as_posix", "__str__":
		return strV(p.S)
	case "with_name":
		if n := a.get(0, ""); n != nil && n.Kind == Str {
			return pathV(joinPath(parentPath(p.S), n.S))
		}
	}
	return unknown("Path." + m + "() not modelled")
}

// method calls a non-mutating method on a str, list or dict.
func method(recv *Value, m string, a callArgs) *Value {
	arg := a.get(0, "")
	if !recv.Known() {
		return unknown(m + "() of an unknown value")
	}
	switch recv.Kind {
	case Str:
		s := recv.S
		switch m {
		case "lower", "casefold":
			return strV(strings.ToLower(s))
		case "upper":
			return strV(strings.ToUpper(s))
		case "title":
			return strV(pyTitle(s))
		case "capitalize":
			if s == "" {
				return strV("")
			}
			r := []rune(strings.ToLower(s))
			return strV(strings.ToUpper(string(r[0])) + string(r[1:]))
		case "strip", "lstrip", "rstrip":
			cut := " \t\n\r\x0b\x0c"
			if arg != nil && arg.Kind == Str {
				cut = arg.S
			} else if arg != nil && arg.Kind != None {
				break
			}
			switch m {
			case "strip":
				return strV(strings.Trim(s, cut))
			case "lstrip":
				return strV(strings.TrimLeft(s, cut))
			}
			return strV(strings.TrimRight(s, cut))
		case "split", "rsplit":
			sep := a.get(0, "sep")
			max := a.get(1, "maxsplit")
			n := -1
			if max != nil {
				if i, ok := toInt(max); ok && i >= 0 {
					n = int(i) + 1
				}
			}
			var parts []string
			switch {
			case sep == nil || sep.Kind == None:
				parts = strings.Fields(s)
				if n > 0 && len(parts) > n {
					return unknown("split with maxsplit")
				}
			case sep.Kind == Str && sep.S != "":
				if m == "rsplit" && n > 0 {
					return unknown("rsplit with maxsplit")
				}
				parts = strings.SplitN(s, sep.S, n)
			default:
				return unknown("split with an unknown separator")
			}
			if len(parts) > maxItems {
				return unknown("split into too many parts")
			}
			out := &Value{Kind: List}
			for _, p := range parts {
				out.Elems = append(out.Elems, strV(p))
			}
			return out
		case "splitlines":
			out := &Value{Kind: List}
			for _, p := range strings.Split(strings.TrimRight(s, "\n"), "\n") {
				out.Elems = append(out.Elems, strV(strings.TrimSuffix(p, "\r")))
			}
			if s == "" {
				out.Elems = nil
			}
			return out
		case "replace":
			old, nw := a.get(0, ""), a.get(1, "")
			if old != nil && nw != nil && old.Kind == Str && nw.Kind == Str {
				if old.S == "" {
					break
				}
				r := strings.ReplaceAll(s, old.S, nw.S)
				if len(r) > maxStr {
					return unknown("string too long")
				}
				return strV(r)
			}
		case "startswith", "endswith":
			if arg == nil {
				break
			}
			var prefixes []string
			switch arg.Kind {
			case Str:
				prefixes = []string{arg.S}
			case Tuple:
				ps, ok := arg.Strings()
				if !ok {
					return unknown(m + "() with unknown prefixes")
				}
				prefixes = ps
			default:
				return unknown(m + "() with unknown prefixes")
			}
			for _, p := range prefixes {
				if m == "startswith" && strings.HasPrefix(s, p) || m == "endswith" && strings.HasSuffix(s, p) {
					return boolV(true)
				}
			}
			return boolV(false)
		case "removeprefix":
			if arg != nil && arg.Kind == Str {
				return strV(strings.TrimPrefix(s, arg.S))
			}
		case "removesuffix":
			if arg != nil && arg.Kind == Str {
				return strV(strings.TrimSuffix(s, arg.S))
			}
		case "join":
			if arg != nil && arg.Known() {
				items, ok := arg.Strings()
				if !ok {
					return unknown("join of unknown items")
				}
				r := strings.Join(items, s)
				if len(r) > maxStr {
					return unknown("string too long")
				}
				return strV(r)
			}
		case "format":
			if len(a.pos) == 0 && len(a.kw) == 0 && !strings.ContainsAny(s, "{}") {
				return strV(s)
			}
			return formatStr(s, a)
		case "encode":
			return &Value{Kind: Bytes, S: s}
		case "isdigit", "isnumeric", "isdecimal":
			if s == "" {
				return boolV(false)
			}
			for _, r := range s {
				if r < '0' || r > '9' {
					return boolV(false)
				}
			}
			return boolV(true)
		}
	case Bytes:
		if m == "decode" {
			return strV(recv.S)
		}
	case Dict:
		switch m {
		case "get":
			if arg == nil || !arg.Known() {
				break
			}
			if i := dictIndex(recv, arg); i >= 0 {
				return recv.Vals[i]
			}
			if d := a.get(1, "default"); d != nil {
				return d
			}
			return noneV()
		case "keys":
			return &Value{Kind: List, Elems: append([]*Value{}, recv.Keys...)}
		case "values":
			return &Value{Kind: List, Elems: append([]*Value{}, recv.Vals...)}
		case "copy":
			return recv
		}
	case List, Tuple:
		switch m {
		case "copy":
			return recv
		case "index":
			for i, e := range recv.Elems {
				if eq, ok := equal(e, arg); ok && eq {
					return intV(int64(i))
				} else if !ok {
					break
				}
			}
		case "count":
			n := 0
			for _, e := range recv.Elems {
				eq, ok := equal(e, arg)
				if !ok {
					return unknown("count of unknown items")
				}
				if eq {
					n++
				}
			}
			return intV(int64(n))
		}
	}
	return unknown(m + "() not modelled")
}

// formatStr handles str.format with {} and {name} fields and known args.
func formatStr(s string, a callArgs) *Value {
	var b strings.Builder
	auto := 0
	for i := 0; i < len(s); i++ {
		c := s[i]
		if c == '{' {
			if i+1 < len(s) && s[i+1] == '{' {
				b.WriteByte('{')
				i++
				continue
			}
			j := strings.IndexByte(s[i:], '}')
			if j < 0 {
				return unknown("bad format string")
			}
			field := s[i+1 : i+j]
			i += j
			var v *Value
			switch {
			case field == "":
				v = a.get(auto, "")
				auto++
			default:
				if n, err := strconv.Atoi(field); err == nil {
					v = a.get(n, "")
				} else {
					v = a.kw[field]
				}
			}
			if v == nil {
				return unknown("format field " + field)
			}
			str, ok := strOf(v)
			if !ok {
				return inherit(unknown("format of an unknown value"), v)
			}
			b.WriteString(str)
			if b.Len() > maxStr {
				return unknown("string too long")
			}
			continue
		}
		if c == '}' && i+1 < len(s) && s[i+1] == '}' {
			i++
		}
		b.WriteByte(c)
	}
	return strV(b.String())
}

// pyTitle is Python's str.title: a letter after a non-letter is upper-cased,
// other letters lower-cased.
func pyTitle(s string) string {
	var b strings.Builder
	prevLetter := false
	for _, r := range s {
		isLetter := unicode.IsLetter(r)
		switch {
		case isLetter && !prevLetter:
			b.WriteRune(unicode.ToUpper(r))
		case isLetter:
			b.WriteRune(unicode.ToLower(r))
		default:
			b.WriteRune(r)
		}
		prevLetter = isLetter
	}
	return b.String()
}
