// Package templaterules holds the 3xx rules: Django and Jinja2 templates.
// Each template is parsed once per scan (internal/templates) and the parse
// is shared by every rule through Target.Memo.
package templaterules

import "github.com/djangoguard/djangoguard/internal/rules"

// Rules returns the 3xx rules.
func Rules() []*rules.Rule {
	return []*rules.Rule{
		SafeFilter, AutoescapeOff, VarInScript, VarInEventHandler, UnquotedAttr, VarInURLAttr,
		FormWithoutCSRF, MissingSRI, TargetBlank, InlineScriptCSP, DebugTag,
	}
}

const (
	linkAutoescape = "https://docs.djangoproject.com/en/stable/ref/templates/language/#automatic-html-escaping"
	linkFilters    = "https://docs.djangoproject.com/en/stable/ref/templates/builtins/#built-in-filter-reference"
	linkXSS        = "https://docs.djangoproject.com/en/stable/topics/security/#cross-site-scripting-xss-protection"
	linkOWASPA03   = "https://owasp.org/Top10/A03_2021-Injection/"
	linkXSSCheat   = "https://cheatsheetseries.owasp.org/cheatsheets/Cross_Site_Scripting_Prevention_Cheat_Sheet.html"
	linkCWE79      = "https://cwe.mitre.org/data/definitions/79.html"
)

// SafeFilter is DJG301.
var SafeFilter = &rules.Rule{
	Code:       "DJG301",
	Name:       "template-safe-filter",
	Title:      "Template marks a variable safe with |safe or |safeseq",
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	OWASP:      "A03",
	CWE:        79,
	Kind:       rules.Static,
	Run:        runSinkRule,
	Doc: rules.Doc{
		Why: `Django escapes every variable it outputs, which is what stops text a user typed from
becoming markup or script in somebody else's browser. |safe (and |safeseq for each item of a
list) switches that off for one value: whatever the variable holds is written into the page as HTML.
If any part of it comes from a user — a profile field, a comment, a query parameter, a row someone
else can edit — that user can run JavaScript as every visitor who sees the page. Escaping filters
placed before |safe make it harmless; |escape placed after it does nothing, because Django's
escape filter leaves values already marked safe untouched (use |force_escape). This rule cannot see
where the value comes from: review each finding, or build the HTML in Python with format_html().
Findings in plain-text templates (.txt) are not reported.`,
		Bad:  `<div class="bio">{{ profile.bio|safe }}</div>`,
		Good: `<div class="bio">{{ profile.bio|linebreaks }}</div>   {# escapes, then adds <p> and <br> #}`,
		Fix:  "Remove |safe and let Django escape the value; build trusted HTML in Python with format_html() or sanitise it (e.g. with nh3) before marking it safe.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/templates/builtins/#safe",
			"https://docs.djangoproject.com/en/stable/ref/utils/#django.utils.html.format_html",
			linkXSS, linkOWASPA03, linkXSSCheat, linkCWE79,
		},
	},
}

// AutoescapeOff is DJG302.
var AutoescapeOff = &rules.Rule{
	Code:       "DJG302",
	Name:       "template-autoescape-off",
	Title:      "Template turns autoescaping off around variables",
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	OWASP:      "A03",
	CWE:        79,
	Kind:       rules.Static,
	Run:        runAutoescapeOff,
	Doc: rules.Doc{
		Why: `{% autoescape off %} (Jinja2: {% autoescape false %}) writes every variable of the block
into the page unescaped, as if each had |safe, and so do templates included from inside it and the
tags that render through the context. One value a user controls is enough for stored or reflected
cross-site scripting. A block that outputs no variable, no {% include %} and no {% block %} is not
reported. Plain-text templates (.txt), where turning escaping off is the right thing for e-mail
bodies, are not checked.`,
		Bad:  "{% autoescape off %}<p>Hello {{ user.first_name }}</p>{% endautoescape %}",
		Good: "<p>Hello {{ user.first_name }}</p>",
		Fix:  "Remove {% autoescape off %}; mark only the values built safely in Python as safe.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/templates/builtins/#autoescape",
			linkAutoescape, linkOWASPA03, linkCWE79,
		},
	},
}

// VarInScript is DJG303.
var VarInScript = &rules.Rule{
	Code:       "DJG303",
	Name:       "template-variable-in-script",
	Title:      "Template variable rendered inside a <script> block",
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	OWASP:      "A03",
	CWE:        79,
	Kind:       rules.Static,
	Run:        runSinkRule,
	Doc: rules.Doc{
		Why: `Django's escaping is HTML escaping. Inside <script> the browser reads JavaScript, where
that escaping does not protect: a value written as code (var n = {{ n }};) can be any expression,
and a value inside a string literal can end the line, or end a comment. |escapejs makes a value safe
only inside a quoted '…' or "…" string; it does not escape $ { or /, so it does not protect a
template literal (` + "`…${}`" + `), a regular expression or a comment, and it does nothing for code
position. The safe way to hand data to JavaScript is {{ value|json_script:"id" }} outside the script
and JSON.parse(document.getElementById("id").textContent) inside it. Scripts of a non-JavaScript
type (application/json, text/template) are not reported: escaping keeps a value from closing them.`,
		Bad: `<script>const user = "{{ user.name }}"; const items = {{ items }};</script>`,
		Good: `{{ items|json_script:"items-data" }}
<script>const items = JSON.parse(document.getElementById("items-data").textContent);
const user = "{{ user.name|escapejs }}";</script>`,
		Fix: `Pass data with {{ value|json_script:"id" }} and JSON.parse, or use |escapejs inside a quoted JS string.`,
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/templates/builtins/#json-script",
			"https://docs.djangoproject.com/en/stable/ref/templates/builtins/#escapejs",
			linkXSS, linkXSSCheat, linkCWE79,
		},
	},
}

// VarInEventHandler is DJG304.
var VarInEventHandler = &rules.Rule{
	Code:       "DJG304",
	Name:       "template-variable-in-event-handler",
	Title:      "Template variable rendered inside an event-handler attribute",
	Severity:   rules.High,
	Confidence: rules.MediumConfidence,
	OWASP:      "A03",
	CWE:        79,
	Kind:       rules.Static,
	Run:        runSinkRule,
	Doc: rules.Doc{
		Why: `The value of onclick, onload and the other on* attributes is JavaScript, and the browser
decodes HTML entities in it before running it. Django escapes ' to &#x27;, which the browser turns
back into ' — so onclick="show('{{ name }}')" lets a name like ');alert(document.cookie);(' run
code, quoted attribute or not. The same holds for attributes that JavaScript frameworks evaluate
as expressions: Alpine's x-data, x-init, x-on:, @event, x-bind:, :attr, x-text, x-html, x-show...,
Vue's v-on:, v-bind:, v-if, v-html..., htmx's hx-on. Inside a quoted JS string
|escapejs is safe because it writes \u0027 instead of an entity. Better: put the value in a data-*
attribute and read it from a script.`,
		Bad:  `<button onclick="greet('{{ user.name }}')">Hi</button>`,
		Good: `<button data-name="{{ user.name }}" class="js-greet">Hi</button>   {# read dataset.name in JS #}`,
		Fix:  "Move the value to a data-* attribute read by a script, or use |escapejs inside a quoted JS string.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/templates/builtins/#escapejs",
			linkXSS, linkXSSCheat, linkCWE79,
		},
	},
}

// UnquotedAttr is DJG305.
var UnquotedAttr = &rules.Rule{
	Code:       "DJG305",
	Name:       "template-unquoted-attribute",
	Title:      "Template variable in an unquoted HTML attribute",
	Severity:   rules.Medium,
	Confidence: rules.HighConfidence,
	OWASP:      "A03",
	CWE:        79,
	Kind:       rules.Static,
	Run:        runSinkRule,
	Doc: rules.Doc{
		Why: `Django's escaping turns < > & ' " into entities but leaves spaces alone. In an unquoted
attribute (value={{ q }}) a space ends the value, so a value such as "x onfocus=alert(1) autofocus"
adds attributes of the attacker's choosing. The same holds for a variable where an attribute name
goes (<div {{ attrs }}>). Quoting the attribute closes the hole: escaping keeps the value inside the
quotes. Values that cannot contain spaces are not reported: literals, |urlencode, |slugify,
|length and similar filters, primary keys (.pk, .id) and forloop counters.`,
		Bad:  `<input name=q value={{ request.GET.q }}>`,
		Good: `<input name="q" value="{{ request.GET.q }}">`,
		Fix:  `Put double quotes around every attribute value that contains a template variable.`,
		Links: []string{
			linkAutoescape, linkXSSCheat, linkCWE79,
		},
	},
}

// VarInURLAttr is DJG306.
var VarInURLAttr = &rules.Rule{
	Code:       "DJG306",
	Name:       "template-variable-url-attribute",
	Title:      "Template variable decides the URL of an href, src or action",
	Severity:   rules.Medium,
	Confidence: rules.LowConfidence,
	OWASP:      "A03",
	CWE:        79,
	Kind:       rules.Static,
	Run:        runSinkRule,
	Doc: rules.Doc{
		Why: `Escaping keeps a value inside the attribute but does not check what URL it is. When a
variable starts an href, src, action or formaction (<a href="{{ user.website }}">), a value such as
javascript:alert(document.cookie) runs script when the link is followed, and data: or an external
address can be used for phishing. Only variables at the start of the value are reported: after a
fixed prefix ("/search?q={{ q }}") the scheme cannot change. Links built with {% url %} or
{% static %} (also through "as name"), get_absolute_url, any .url attribute (a file field's URL; a
URLField named url is limited to http(s) and ftp(s) when it goes through a form), upper-case
settings such as STATIC_URL, and values passed through |urlencode are not reported. Images, media and <input src> are not reported: browsers do not run
javascript: there. Most URLs in templates are built by the application, so findings have low
confidence, except for values read from request (request.GET...) and names that usually carry a
URL from a user (next, redirect_to, return_url, website, homepage...), which have medium
confidence.`,
		Bad:  `<a href="{{ profile.website }}">Website</a>`,
		Good: `<a href="{% url 'profile' profile.pk %}">Profile</a>   {# or validate the scheme in the form: URLField + a http/https check #}`,
		Fix:  "Build links with {% url %}, or validate the URL's scheme (http/https only) in Python before it reaches the template.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/templates/builtins/#url",
			"https://docs.djangoproject.com/en/stable/ref/validators/#urlvalidator",
			linkXSSCheat, linkCWE79,
		},
	},
}

// FormWithoutCSRF is DJG307.
var FormWithoutCSRF = &rules.Rule{
	Code:       "DJG307",
	Name:       "template-form-without-csrf-token",
	Title:      "POST form without {% csrf_token %}",
	Severity:   rules.Medium,
	Confidence: rules.MediumConfidence,
	OWASP:      "A01",
	CWE:        352,
	Kind:       rules.Static,
	Run:        runFormWithoutCSRF,
	Doc: rules.Doc{
		Why: `Django's CSRF protection needs the token in every POST form that submits to the site.
A form without {% csrf_token %} either fails with a 403 (and someone "fixes" that with @csrf_exempt)
or posts to a view that is already exempt — in both cases another site can submit the form on a
logged-in user's behalf. Forms that post to an absolute URL (another site, which must not receive
the token) are not reported, nor are forms whose body contains a {% block %} or an {% include %}
that cannot be resolved: the token may come from there. Included templates that can be found in the
project are searched. {{ csrf_token }} in a hidden csrfmiddlewaretoken input, Jinja2's
{{ csrf_input }}, {% crispy %}, and any <input> with a value whose name mentions csrf or xsrf (a
token managed by the application itself) count as the token.`,
		Bad:  `<form method="post" action="{% url 'transfer' %}">{{ form }}<button>Send</button></form>`,
		Good: `<form method="post" action="{% url 'transfer' %}">{% csrf_token %}{{ form }}<button>Send</button></form>`,
		Fix:  "Add {% csrf_token %} inside the <form> element.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/howto/csrf/",
			"https://docs.djangoproject.com/en/stable/ref/csrf/",
			"https://owasp.org/Top10/A01_2021-Broken_Access_Control/",
			"https://cheatsheetseries.owasp.org/cheatsheets/Cross-Site_Request_Forgery_Prevention_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/352.html",
		},
	},
}

// MissingSRI is DJG308.
var MissingSRI = &rules.Rule{
	Code:       "DJG308",
	Name:       "template-external-resource-without-integrity",
	Title:      "External script or stylesheet without an integrity attribute",
	Severity:   rules.Low,
	Confidence: rules.HighConfidence,
	OWASP:      "A08",
	CWE:        829,
	Kind:       rules.Static,
	Run:        runMissingSRI,
	Doc: rules.Doc{
		Why: `A <script src> or stylesheet <link> (or a <link rel="modulepreload"> or preload of a
script or style) loaded from another host runs with your page's full authority. If that CDN or its account is compromised, or the file is changed, every visitor runs the
new code. The integrity attribute (Subresource Integrity) pins the exact file: the browser refuses a
file whose hash differs. Only absolute URLs (https://, http://, //) written in the template are
checked; files served with {% static %} are yours. Services whose files change by design and cannot
be pinned (Google Fonts CSS, Google Tag Manager and Analytics, Stripe.js, reCAPTCHA, hCaptcha,
Cloudflare Turnstile, Google Maps) are not reported.`,
		Bad: `<script src="https://cdn.jsdelivr.net/npm/htmx.org@2.0.4/dist/htmx.min.js"></script>`,
		Good: `<script src="https://cdn.jsdelivr.net/npm/htmx.org@2.0.4/dist/htmx.min.js"
        integrity="sha384-…" crossorigin="anonymous"></script>   {# or serve it with {% static %} #}`,
		Fix: `Add integrity="sha384-…" crossorigin="anonymous" for the exact file, or serve it yourself with {% static %}.`,
		Links: []string{
			"https://docs.djangoproject.com/en/stable/howto/static-files/",
			"https://developer.mozilla.org/en-US/docs/Web/Security/Subresource_Integrity",
			"https://owasp.org/Top10/A08_2021-Software_and_Data_Integrity_Failures/",
			"https://cwe.mitre.org/data/definitions/829.html",
		},
	},
}

// TargetBlank is DJG309.
var TargetBlank = &rules.Rule{
	Code:       "DJG309",
	Name:       "template-target-blank-without-noopener",
	Title:      `Link to another site with target="_blank" but no rel="noopener"`,
	Severity:   rules.Info,
	Confidence: rules.MediumConfidence,
	OWASP:      "A05",
	CWE:        1022,
	Kind:       rules.Static,
	Run:        runTargetBlank,
	Doc: rules.Doc{
		Why: `A page opened with target="_blank" could, in older browsers, reach back through
window.opener and send your tab to a look-alike login page ("reverse tabnabbing"). Current browsers
treat target="_blank" as rel="noopener", so this is informational: it matters for users on old
browsers and for links where rel="opener" is set elsewhere. Only links to absolute URLs or to a
variable are reported; relative links and {% url %} stay on your site.`,
		Bad:  `<a href="{{ post.link }}" target="_blank">Source</a>`,
		Good: `<a href="{{ post.link }}" target="_blank" rel="noopener noreferrer">Source</a>`,
		Fix:  `Add rel="noopener" (or rel="noopener noreferrer") to links with target="_blank".`,
		Links: []string{
			"https://html.spec.whatwg.org/multipage/links.html#link-type-noopener",
			"https://owasp.org/www-community/attacks/Reverse_Tabnabbing",
			"https://cwe.mitre.org/data/definitions/1022.html",
		},
	},
}

// InlineScriptCSP is DJG310.
var InlineScriptCSP = &rules.Rule{
	Code:       "DJG310",
	Name:       "template-inline-script-under-csp",
	Title:      "Inline script that the project's Content-Security-Policy would block",
	Severity:   rules.Info,
	Confidence: rules.MediumConfidence,
	OWASP:      "A05",
	CWE:        693,
	Kind:       rules.Static,
	Run:        runInlineScriptCSP,
	Doc: rules.Doc{
		Why: `A Content-Security-Policy whose script-src has no 'unsafe-inline' blocks inline
<script> bodies without a nonce, on* event-handler attributes and javascript: URLs. Such a page
breaks when the policy is enforced, and the usual way out — adding 'unsafe-inline' — throws away
most of what the policy protects against. This rule runs only when the project has a policy: a
Python file installs a CSP middleware (django-csp's csp.middleware.CSPMiddleware or Django's
django.middleware.csp.ContentSecurityPolicyMiddleware) and no line mentioning script-src or
default-src there allows 'unsafe-inline'; or the template, or a template it extends, declares a
policy in <meta http-equiv="Content-Security-Policy"> whose script-src (or default-src) has no
'unsafe-inline' (or has it next to a nonce, a hash or 'strict-dynamic', which make browsers ignore
it). The settings are searched as text, not evaluated: policies built in code it cannot read are
treated as strict.`,
		Bad: `<button onclick="save()">Save</button>
<script>init();</script>`,
		Good: `<button id="save">Save</button>
<script nonce="{{ request.csp_nonce }}">document.getElementById("save").addEventListener("click", save); init();</script>`,
		Fix: "Move inline code to static .js files or give <script> the CSP nonce, and attach events with addEventListener.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/csp/",
			"https://django-csp.readthedocs.io/en/latest/nonce.html",
			"https://cheatsheetseries.owasp.org/cheatsheets/Content_Security_Policy_Cheat_Sheet.html",
			"https://cwe.mitre.org/data/definitions/693.html",
		},
	},
}

// DebugTag is DJG311.
var DebugTag = &rules.Rule{
	Code:       "DJG311",
	Name:       "template-debug-tag",
	Title:      "{% debug %} tag left in a template",
	Severity:   rules.Low,
	Confidence: rules.HighConfidence,
	OWASP:      "A05",
	CWE:        215,
	Kind:       rules.Static,
	Run:        runDebugTag,
	Doc: rules.Doc{
		Why: `{% debug %} writes the whole template context — every variable the view passed, the
request, the user object, settings exposed by context processors — and the list of loaded Python
modules into the page. Django renders it only while DEBUG is True, so it is harmless in a correctly
configured production site and a leak in any environment where DEBUG is on (staging, a
misconfigured server). It is development scaffolding that should not be committed.`,
		Bad:  `<pre>{% debug %}</pre>`,
		Good: `{# use django-debug-toolbar in development instead #}`,
		Fix:  "Remove {% debug %} from the template.",
		Links: []string{
			"https://docs.djangoproject.com/en/stable/ref/templates/builtins/#debug",
			"https://owasp.org/Top10/A05_2021-Security_Misconfiguration/",
			"https://cwe.mitre.org/data/definitions/215.html",
		},
	},
}
