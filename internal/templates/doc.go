// Package templates parses Django (and, where the syntax coincides, Jinja2)
// templates for security analysis.
//
// Parsing happens in two layers. The template layer splits the source the
// way Django's lexer does — {{ variables }}, {% tags %} and {# comments #},
// which in Django never span a line — handles {% comment %} and
// {% verbatim %} regions, parses filter chains with their arguments, and
// matches block tags ({% if %} … {% endif %}) into a bounded tree. The HTML
// layer replaces every template construct with a same-length placeholder,
// runs golang.org/x/net/html's tokenizer over the result, and so learns, for
// every variable, the HTML context the rendered value lands in: element text,
// a quoted or unquoted attribute value, a URL attribute, an event handler,
// the body of a <script> (and where inside the JavaScript: code, a string, a
// template literal, a comment) or of a <style>.
//
// EmbeddedContexts re-reads the variables of a child's {% block %} (or of an
// included template) in the context where the parent (or the including
// template) renders it, and InlineScripts lists the inline JavaScript a
// Content-Security-Policy would block.
//
// Every offset is a byte offset into the original source, so positions
// reported by rules point at the template text the developer wrote.
//
// Parsing never fails on malformed input: unterminated tags, unbalanced
// blocks and broken HTML become SyntaxErrors on the Template and analysis
// goes on with what could be understood. Only inputs over Options.MaxSize are
// refused.
package templates
