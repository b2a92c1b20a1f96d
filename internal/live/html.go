package live

import (
	"bytes"
	"strings"

	"golang.org/x/net/html"
)

// Script is a <script> element of the page.
type Script struct {
	Src         string `json:"src,omitempty"`
	HasSrc      bool   `json:"-"`
	Integrity   string `json:"integrity,omitempty"`
	CrossOrigin string `json:"crossorigin,omitempty"`
}

// Resource is a URL the page loads, for the mixed-content check.
type Resource struct {
	Tag    string `json:"tag"`
	Attr   string `json:"attr"`
	URL    string `json:"url"`
	Active bool   `json:"active"` // scripts, stylesheets, frames, forms, objects
}

// Page is what the probe reads from an HTML page.
type Page struct {
	// MetaCSP holds the content of every <meta http-equiv="Content-Security-Policy">.
	MetaCSP []string
	// MetaReferrer is the content of the last <meta name="referrer">; HasMetaReferrer says one exists.
	MetaReferrer    string
	HasMetaReferrer bool
	Scripts         []Script
	Resources       []Resource
	// Forms lists the forms with a password field and their action.
	PasswordForms []string
	// HasAdminLogin says the page has Django's admin login form.
	HasAdminLogin bool
	// HasCSRFToken says the page has a csrfmiddlewaretoken input.
	HasCSRFToken bool
	// HasUsername says the page has an input with id id_username.
	HasUsername bool
}

// maxHTMLTokens bounds the work on a hostile page.
const maxHTMLTokens = 200000

// ParseHTML reads the parts of a page the probe needs. It never fails: the
// tokenizer recovers from any input, and work is bounded by the body cap
// and a token budget.
func ParseHTML(body []byte) *Page {
	p := &Page{}
	z := html.NewTokenizer(bytes.NewReader(body))
	z.SetMaxBuf(4 << 20)
	var formAction string
	inForm := false
	formHasPassword := false
	for n := 0; n < maxHTMLTokens; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt == html.EndTagToken {
			name, _ := z.TagName()
			if string(name) == "form" && inForm {
				if formHasPassword {
					p.PasswordForms = append(p.PasswordForms, formAction)
				}
				inForm, formHasPassword = false, false
			}
			continue
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tok := z.Token()
		attr := func(name string) (string, bool) {
			for _, a := range tok.Attr {
				if a.Key == name {
					return a.Val, true
				}
			}
			return "", false
		}
		switch tok.Data {
		case "meta":
			equiv, hasEquiv := attr("http-equiv")
			content, hasContent := attr("content")
			if hasEquiv && hasContent {
				if strings.ToLower(strings.TrimSpace(equiv)) == "content-security-policy" {
					p.MetaCSP = append(p.MetaCSP, content)
				}
			} else if name, _ := attr("name"); strings.ToLower(strings.TrimSpace(name)) == "referrer" && hasContent {
				p.MetaReferrer, p.HasMetaReferrer = content, true
			}
		case "script":
			src, has := attr("src")
			integ, _ := attr("integrity")
			co, _ := attr("crossorigin")
			p.Scripts = append(p.Scripts, Script{Src: strings.TrimSpace(src), HasSrc: has, Integrity: integ, CrossOrigin: co})
			if has {
				p.addResource("script", "src", src, true)
			}
		case "link":
			href, _ := attr("href")
			rel, _ := attr("rel")
			rel = strings.ToLower(rel)
			active := strings.Contains(rel, "stylesheet") || strings.Contains(rel, "import") || strings.Contains(rel, "modulepreload")
			if active || strings.Contains(rel, "icon") || strings.Contains(rel, "preload") {
				p.addResource("link", "href", href, active)
			}
		case "img", "audio", "video", "source", "track":
			src, _ := attr("src")
			p.addResource(tok.Data, "src", src, false)
		case "iframe", "frame", "embed":
			src, _ := attr("src")
			p.addResource(tok.Data, "src", src, true)
		case "object":
			data, _ := attr("data")
			p.addResource("object", "data", data, true)
		case "form":
			action, _ := attr("action")
			p.addResource("form", "action", action, true)
			inForm, formAction, formHasPassword = true, action, false
		case "input":
			typ, _ := attr("type")
			id, _ := attr("id")
			name, _ := attr("name")
			if strings.EqualFold(typ, "password") && inForm {
				formHasPassword = true
			}
			if id == "id_username" {
				p.HasUsername = true
			}
			if name == "csrfmiddlewaretoken" {
				p.HasCSRFToken = true
			}
		}
	}
	if inForm && formHasPassword {
		p.PasswordForms = append(p.PasswordForms, formAction)
	}
	p.HasAdminLogin = p.HasUsername && p.HasCSRFToken
	return p
}

// maxResources bounds the list kept from one page.
const maxResources = 2000

func (p *Page) addResource(tag, attr, u string, active bool) {
	u = strings.TrimSpace(u)
	if u == "" || len(p.Resources) >= maxResources {
		return
	}
	p.Resources = append(p.Resources, Resource{Tag: tag, Attr: attr, URL: truncate(u, 512), Active: active})
}

// isHTMLType says whether a media type is one the Observatory parses as HTML.
func isHTMLType(mt string) bool { return mt == "text/html" || mt == "application/xhtml+xml" }

// findTags returns the attributes of up to max start tags named name.
func findTags(body []byte, name string, max int) []map[string]string {
	var out []map[string]string
	z := html.NewTokenizer(bytes.NewReader(body))
	for n := 0; n < maxHTMLTokens && len(out) < max; n++ {
		tt := z.Next()
		if tt == html.ErrorToken {
			break
		}
		if tt != html.StartTagToken && tt != html.SelfClosingTagToken {
			continue
		}
		tn, hasAttr := z.TagName()
		if string(tn) != name {
			continue
		}
		attrs := map[string]string{}
		for hasAttr {
			var k, v []byte
			k, v, hasAttr = z.TagAttr()
			attrs[string(k)] = string(v)
		}
		out = append(out, attrs)
	}
	return out
}
