package live

import (
	"bytes"
	"context"
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"text/template"
	"time"

	"github.com/djangoguard/djangoguard/internal/rules"
)

const systemPython = "/usr/bin/python3"

// requireDeps skips when a Debian package the test needs is missing, unless
// CI is set: there a missing package is a failure, because the test script
// installs them.
func requireDeps(t *testing.T) (nginx string) {
	t.Helper()
	missing := []string{}
	nginx, err := exec.LookPath("nginx")
	if err != nil {
		if _, err := os.Stat("/usr/sbin/nginx"); err == nil {
			nginx = "/usr/sbin/nginx"
		} else {
			missing = append(missing, "nginx")
		}
	}
	if _, err := os.Stat(systemPython); err != nil {
		missing = append(missing, "python3")
	} else {
		if err := exec.Command(systemPython, "-c", "import django, sys; sys.exit(0 if django.VERSION[:2] >= (3, 2) else 1)").Run(); err != nil {
			missing = append(missing, "python3-django (3.2+)")
		}
		if err := exec.Command(systemPython, "-c", "import gunicorn").Run(); err != nil {
			missing = append(missing, "python3-gunicorn")
		}
	}
	if len(missing) > 0 {
		msg := "integration test needs Debian packages: " + strings.Join(missing, ", ")
		if os.Getenv("CI") != "" {
			t.Fatal(msg)
		}
		t.Skip(msg + " (skipped because CI is unset)")
	}
	return nginx
}

// freePort returns a port free on ip at the time of the call.
func freePort(t *testing.T, ip string) int {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort(ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// startProc starts a command in its own process group and stops the group
// at the end of the test.
func startProc(t *testing.T, cmd *exec.Cmd, logName string) *bytes.Buffer {
	t.Helper()
	var out bytes.Buffer
	cmd.Stdout, cmd.Stderr = &out, &out
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("start %s: %v", logName, err)
	}
	pgid := cmd.Process.Pid
	done := make(chan struct{})
	go func() { _ = cmd.Wait(); close(done) }()
	t.Cleanup(func() {
		_ = syscall.Kill(-pgid, syscall.SIGTERM)
		select {
		case <-done:
		case <-time.After(10 * time.Second):
			_ = syscall.Kill(-pgid, syscall.SIGKILL)
			<-done
		}
		if t.Failed() {
			t.Logf("%s output:\n%s", logName, truncate(out.String(), 4000))
		}
	})
	return &out
}

func waitPort(t *testing.T, addr, what string, out *bytes.Buffer) {
	t.Helper()
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		c, err := net.DialTimeout("tcp", addr, 500*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(100 * time.Millisecond)
	}
	t.Fatalf("%s did not listen on %s within 30s:\n%s", what, addr, out.String())
}

type djangoSite struct {
	ip      string // the loopback address nginx listens on
	opts    Options
	appPort int
	target  string
	how     string // "--resolve" or "--connect-to"
}

// startDjangoSite runs the test project under gunicorn behind nginx with a
// certificate from a CA made for the test. It binds nginx to ports 80 and
// 443 of a random 127.0.0.x when it can (and reaches it through
// --resolve), else to random ports on 127.0.0.1 (through --connect-to).
func startDjangoSite(t *testing.T, nginx string, hardened bool) *djangoSite {
	t.Helper()
	dir := t.TempDir()
	project, err := filepath.Abs(filepath.Join("testdata", "djangosite"))
	if err != nil {
		t.Fatal(err)
	}
	settings := "site_app.settings_insecure"
	if hardened {
		settings = "site_app.settings_hardened"
	}
	env := append(os.Environ(), "DJANGO_SETTINGS_MODULE="+settings, "DJANGO_DB="+filepath.Join(dir, "db.sqlite3"),
		"PYTHONDONTWRITEBYTECODE=1", "PYTHONPATH="+project)
	migrate := exec.Command(systemPython, "manage.py", "migrate", "-v0")
	migrate.Dir, migrate.Env = project, env
	if out, err := migrate.CombinedOutput(); err != nil {
		t.Fatalf("manage.py migrate: %v\n%s", err, out)
	}

	appPort := freePort(t, "127.0.0.1")
	gun := exec.Command(systemPython, "-m", "gunicorn", "--bind", fmt.Sprintf("127.0.0.1:%d", appPort),
		"--workers", "2", "--timeout", "30", "site_app.wsgi:application")
	gun.Dir, gun.Env = project, env
	gout := startProc(t, gun, "gunicorn")

	pki := newPKIWith(t, certSpec{rsa: true, hosts: []string{"site.test"}, notBefore: time.Now().Add(-time.Hour), notAfter: time.Now().Add(200 * 24 * time.Hour)})
	docroot := filepath.Join(dir, "docroot")
	for _, d := range []string{"client_body", "proxy", "fastcgi", "uwsgi", "scgi", filepath.Join("docroot", ".git"), filepath.Join("docroot", ".well-known")} {
		if err := os.MkdirAll(filepath.Join(dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	_ = os.WriteFile(filepath.Join(docroot, ".git", "HEAD"), []byte("ref: refs/heads/main\n"), 0o644)
	secTxt := fmt.Sprintf("Contact: mailto:security@site.test\nExpires: %s\nPreferred-Languages: en\n", time.Now().Add(180*24*time.Hour).UTC().Format(time.RFC3339))
	_ = os.WriteFile(filepath.Join(docroot, ".well-known", "security.txt"), []byte(secTxt), 0o644)

	// Ports: 80/443 on a random loopback address when we may bind them.
	ip := fmt.Sprintf("127.0.%d.%d", 10+time.Now().Nanosecond()%200, 2+os.Getpid()%250)
	httpPort, httpsPort, how := 80, 443, "--resolve"
	for _, p := range []int{80, 443} {
		l, err := net.Listen("tcp", net.JoinHostPort(ip, strconv.Itoa(p)))
		if err != nil {
			how = "--connect-to"
			break
		}
		l.Close()
	}
	if how == "--connect-to" {
		ip = "127.0.0.1"
		httpPort, httpsPort = freePort(t, ip), freePort(t, ip)
	}
	data := map[string]any{
		"AsRoot": os.Geteuid() == 0, "Dir": dir, "Hardened": hardened, "AppPort": appPort,
		"HTTPPort": httpPort, "HTTPSPort": httpsPort, "CertFile": pki.CertFile, "KeyFile": pki.KeyFile,
		"DocRoot": docroot, "ProjectDir": project,
	}
	conf := strings.ReplaceAll(render(t, "nginx.conf.tmpl", data), "127.0.0.1:"+strconv.Itoa(httpPort), net.JoinHostPort(ip, strconv.Itoa(httpPort)))
	conf = strings.ReplaceAll(conf, "127.0.0.1:"+strconv.Itoa(httpsPort)+" ssl", net.JoinHostPort(ip, strconv.Itoa(httpsPort))+" ssl")
	writeFile(t, filepath.Join(dir, "nginx.conf"), conf)
	writeFile(t, filepath.Join(dir, "locations.conf"), render(t, "locations.conf.tmpl", data))
	// Debian's OpenSSL configuration forbids TLS 1.0/1.1 (MinProtocol);
	// an empty one lets the insecure site offer them, as old servers do.
	writeFile(t, filepath.Join(dir, "openssl.cnf"), "# empty: library defaults\n")
	ng := exec.Command(nginx, "-p", dir, "-c", filepath.Join(dir, "nginx.conf"), "-e", filepath.Join(dir, "error.log"))
	ng.Env = append(os.Environ(), "OPENSSL_CONF="+filepath.Join(dir, "openssl.cnf"))
	nout := startProc(t, ng, "nginx")
	waitPort(t, fmt.Sprintf("127.0.0.1:%d", appPort), "gunicorn", gout)
	waitPort(t, net.JoinHostPort(ip, strconv.Itoa(httpsPort)), "nginx", nout)
	waitPort(t, net.JoinHostPort(ip, strconv.Itoa(httpPort)), "nginx", nout)

	opts := DefaultOptions()
	opts.Timeout = 10 * time.Second
	opts.Deadline = 60 * time.Second
	opts.Resolve, opts.ConnectTo = map[string]string{}, map[string]string{}
	if how == "--resolve" {
		for _, p := range []int{80, 443} {
			if err := ParseResolve(opts.Resolve, fmt.Sprintf("site.test:%d:%s", p, ip)); err != nil {
				t.Fatal(err)
			}
		}
	} else {
		_ = ParseConnectTo(opts.ConnectTo, fmt.Sprintf("site.test:80:%s:%d", ip, httpPort))
		_ = ParseConnectTo(opts.ConnectTo, fmt.Sprintf("site.test:443:%s:%d", ip, httpsPort))
	}
	if opts.RootCAs, err = LoadCACert(pki.CAFile); err != nil {
		t.Fatal(err)
	}
	return &djangoSite{ip: ip, opts: opts, appPort: appPort, target: "https://site.test/", how: how}
}

func render(t *testing.T, name string, data any) string {
	t.Helper()
	tmpl, err := template.ParseFiles(filepath.Join("testdata", name))
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	if err := tmpl.Execute(&b, data); err != nil {
		t.Fatal(err)
	}
	return b.String()
}

func writeFile(t *testing.T, path, content string) {
	t.Helper()
	if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
		t.Fatal(err)
	}
}

func findingsByRule(fs []rules.Finding) map[string][]rules.Finding {
	m := map[string][]rules.Finding{}
	for _, f := range fs {
		m[f.RuleID] = append(m[f.RuleID], f)
	}
	return m
}

func TestDjangoInsecureSite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx and gunicorn")
	}
	nginx := requireDeps(t)
	site := startDjangoSite(t, nginx, false)
	t.Logf("reaching the site with %s", site.how)
	opts := site.opts
	opts.Active = true
	opts.LoginAttempts = 4
	// A listener on the site's address stands in for an exposed database;
	// the check only connects.
	db, err := net.Listen("tcp", net.JoinHostPort(site.ip, "0"))
	if err != nil {
		t.Fatal(err)
	}
	defer db.Close()
	opts.ServicePorts = []int{db.Addr().(*net.TCPAddr).Port, closedPort(t)}
	res, err := Probe(context.Background(), site.target, opts)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := RunRules(context.Background(), res, Rules())
	if err != nil {
		t.Fatal(err)
	}
	by := findingsByRule(fs)
	var b bytes.Buffer
	_ = WriteText(&b, []*Report{NewReport(site.target, res, fs, nil)})
	t.Log("\n" + b.String())
	b.Reset()
	_ = WriteJSON(&b, []*Report{NewReport(site.target, res, fs, nil)})
	validateSchema(t, b.Bytes())

	if res.Score >= 50 || res.Grade == "A+" || res.Grade == "A" || res.Grade == "B" {
		t.Errorf("insecure site graded %s (%d), want a low grade", res.Grade, res.Score)
	}
	want := map[string]string{
		"DJG500": "DEBUG 404 page",
		"DJG501": "DEBUG error page for an unknown Host",
		"DJG502": "Django fingerprint",
		"DJG503": "admin at /admin/",
		"DJG504": "admin over http",
		"DJG505": "login over http",
		"DJG507": "session cookie flags",
		"DJG508": "CSRF cookie flags",
		"DJG510": "exposed files",
		"DJG511": "nginx version banner",
		"DJG512": "no security.txt",
		"DJG514": "no Permissions-Policy",
		"DJG516": "mixed content",
		"DJG517": "failed Observatory tests",
		"DJG530": "login not throttled",
		"DJG531": "open service port",
	}
	for code, what := range want {
		if len(by[code]) == 0 {
			t.Errorf("missing %s (%s)", code, what)
		}
	}
	files := map[string]bool{}
	for _, f := range by["DJG510"] {
		files[f.URL] = true
	}
	for _, u := range []string{"https://site.test/.git/HEAD", "https://site.test/static/manage.py"} {
		if !files[u] {
			t.Errorf("DJG510 should report %s; got %v", u, files)
		}
	}
	for _, f := range by["DJG507"] {
		if !strings.Contains(f.Message, "sessionid") || !strings.Contains(f.Message, "Secure") || !strings.Contains(f.Message, "HttpOnly") {
			t.Errorf("DJG507 message: %s", f.Message)
		}
	}
	for name, wantCode := range map[string]string{
		TestCSP:         "csp-not-implemented",
		TestCookies:     "cookies-session-without-secure-flag",
		TestRedirection: "redirection-missing",
		TestHSTS:        "hsts-not-implemented",
		TestSRI:         "sri-not-implemented-and-external-scripts-not-loaded-securely",
		TestXCTO:        "x-content-type-options-not-implemented",
		TestXFO:         "x-frame-options-not-implemented",
	} {
		if got := codeOf(t, res.Tests, name).Result; got != wantCode {
			t.Errorf("%s: %s, want %s", name, got, wantCode)
		}
	}
	// TLS 1.0 needs an OpenSSL build that still has it; Debian's does with
	// SECLEVEL=0, but say so rather than fail where it does not.
	if res.TLS == nil || len(res.TLS.Versions) == 0 {
		t.Fatalf("TLS scan failed: %+v", res.TLS)
	}
	if strings.Contains(strings.Join(res.TLS.Versions, ","), "TLS 1.0") {
		if len(by["DJG520"]) == 0 {
			t.Error("TLS 1.0 accepted but no DJG520")
		}
	} else {
		t.Logf("this OpenSSL build refused TLS 1.0 (%s); DJG520 not asserted", res.TLS.Tried["TLS 1.0"])
	}
	if res.TLS.VerifyErr != "" || res.TLS.HostnameErr != "" {
		t.Errorf("certificate from the test CA should verify with --ca-cert: %s %s", res.TLS.VerifyErr, res.TLS.HostnameErr)
	}
	if res.TLS.Heartbleed != "not vulnerable" {
		t.Errorf("Debian's OpenSSL 3 behind nginx: heartbleed %q, want not vulnerable", res.TLS.Heartbleed)
	}
}

func TestDjangoHardenedSite(t *testing.T) {
	if testing.Short() {
		t.Skip("starts nginx and gunicorn")
	}
	nginx := requireDeps(t)
	site := startDjangoSite(t, nginx, true)
	opts := site.opts
	opts.Active = true
	opts.LoginAttempts = 8
	opts.ServicePorts = []int{closedPort(t)}
	res, err := Probe(context.Background(), site.target, opts)
	if err != nil {
		t.Fatal(err)
	}
	fs, err := RunRules(context.Background(), res, Rules())
	if err != nil {
		t.Fatal(err)
	}
	var b bytes.Buffer
	_ = WriteText(&b, []*Report{NewReport(site.target, res, fs, nil)})
	t.Log("\n" + b.String())
	if res.Grade != "A+" || res.TestsPassed != 12 {
		t.Errorf("hardened site graded %s (%d, %d/12 passed), want A+ with every test passing", res.Grade, res.Score, res.TestsPassed)
	}
	for _, f := range fs {
		if f.Severity >= rules.Medium {
			t.Errorf("hardened site has %s [%s]: %s", f.RuleID, f.Severity, f.Message)
		}
	}
	if res.Active == nil || !res.Active.Throttled {
		t.Errorf("nginx limit_req should throttle the admin login: %+v", res.Active)
	}
	if res.TLS == nil || strings.Contains(strings.Join(res.TLS.Versions, ","), "TLS 1.0") || len(res.TLS.Versions) != 2 {
		t.Errorf("hardened TLS versions: %+v", res.TLS)
	}
	if res.HTTPS == nil || !res.HTTPS.Verified {
		t.Error("https session should verify with --ca-cert")
	}
	// The session cookie of a real Django app is seen with all its flags.
	seen := false
	for _, c := range res.AllCookies() {
		if c.Name == "sessionid" {
			seen = c.Secure && c.HttpOnly && c.SameSite == "lax"
		}
	}
	if !seen {
		t.Errorf("sessionid with Secure, HttpOnly, SameSite=Lax not seen: %+v", res.AllCookies())
	}
}

func closedPort(t *testing.T) int { return portOf(closedAddr(t)) }

var _ = http.StatusOK
