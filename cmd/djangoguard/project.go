package main

import (
	"encoding/json"
	"fmt"
	"io"
	"os"
	"os/signal"
	"sort"
	"strings"

	"github.com/spf13/cobra"

	"github.com/djangoguard/djangoguard/internal/discover"
	"github.com/djangoguard/djangoguard/internal/project"
	"github.com/djangoguard/djangoguard/internal/rules"
)

func init() { extraCommands = append(extraCommands, newProjectCmd) }

func newProjectCmd() *cobra.Command {
	var format, settingsModule string
	var showSettings bool
	cmd := &cobra.Command{
		Use:   "project [PATH]",
		Short: "Show the Django projects djangoguard finds: settings modules, the production choice and why, apps, URLs",
		Long: `project prints the static model djangoguard builds of each Django project under
PATH (default "."): manage.py and WSGI/ASGI entry points, where DJANGO_SETTINGS_MODULE
is set, every settings module with its role, which one is judged to be production
and why, the Django version from the dependency files, INSTALLED_APPS, ROOT_URLCONF
and the URL patterns reached through include(). With --settings, every setting of
the production module is listed with its evaluated value (secrets redacted), where
it was set and the environment variable it reads. Nothing in the project is run.`,
		Args: cobra.MaximumNArgs(1),
		RunE: func(cmd *cobra.Command, args []string) error {
			if format != "text" && format != "json" {
				return usageErr("--format: want text or json, not %q", format)
			}
			root := "."
			if len(args) == 1 {
				root = args[0]
			}
			ctx, stop := signal.NotifyContext(cmd.Context(), os.Interrupt)
			defer stop()
			res, err := discover.Walk(ctx, root, discover.Options{})
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			tg := rules.NewTarget(res.Root, res.Files)
			tg.SettingsModule = settingsModule
			prs, err := project.Load(ctx, tg)
			if err != nil {
				return &exitError{code: 2, err: err}
			}
			views := make([]projectView, 0, len(prs))
			for _, pr := range prs {
				views = append(views, viewOf(pr, showSettings))
			}
			if format == "json" {
				enc := json.NewEncoder(cmd.OutOrStdout())
				enc.SetIndent("", "  ")
				return enc.Encode(map[string]any{"projects": views})
			}
			writeProjects(cmd.OutOrStdout(), views)
			return nil
		},
	}
	cmd.Flags().StringVarP(&format, "format", "f", "text", "output format: text or json")
	cmd.Flags().StringVar(&settingsModule, "settings-module", "", "dotted name of the production settings module")
	cmd.Flags().BoolVar(&showSettings, "settings", false, "list the evaluated settings of the production module")
	return cmd
}

type settingView struct {
	Name  string `json:"name"`
	Value string `json:"value"`
	Where string `json:"where,omitempty"`
	Env   string `json:"env,omitempty"`
}

type projectView struct {
	Root            string                `json:"root"`
	ManagePy        string                `json:"manage_py,omitempty"`
	EntryPoints     []string              `json:"entry_points,omitempty"`
	SettingsRefs    []project.SettingsRef `json:"settings_refs,omitempty"`
	SettingsModules []map[string]string   `json:"settings_modules"`
	Production      string                `json:"production,omitempty"`
	Why             []string              `json:"why,omitempty"`
	Django          string                `json:"django,omitempty"`
	DjangoFrom      string                `json:"django_from,omitempty"`
	Apps            []string              `json:"installed_apps,omitempty"`
	RootURLConf     string                `json:"root_urlconf,omitempty"`
	URLs            []*project.URL        `json:"urls,omitempty"`
	Settings        []settingView         `json:"settings,omitempty"`
	Diagnostics     []string              `json:"diagnostics,omitempty"`
}

func viewOf(pr *project.Project, withSettings bool) projectView {
	v := projectView{Root: pr.Root, ManagePy: pr.ManagePy, EntryPoints: pr.EntryPoints, SettingsRefs: pr.SettingsRefs,
		Why: pr.Why, Django: pr.Django, DjangoFrom: pr.DjangoFrom, Apps: pr.Apps, RootURLConf: pr.RootURLConf, URLs: pr.URLs}
	if v.Root == "" {
		v.Root = "."
	}
	for _, m := range pr.SettingsModules {
		v.SettingsModules = append(v.SettingsModules, map[string]string{"name": m.Name, "path": m.Path, "role": m.Role})
	}
	if pr.Production != nil {
		v.Production = pr.Production.Name
		if withSettings && pr.Production.Result != nil {
			for _, name := range pr.Production.Result.Settings() {
				val := pr.Production.Get(name)
				sv := settingView{Name: name, Value: val.String()}
				if isSecretSetting(name) {
					sv.Value = "(redacted)"
				}
				if val.Origin.Path != "" {
					sv.Where = fmt.Sprintf("%s:%d", val.Origin.Path, val.Origin.Line)
				}
				if val.Env != nil {
					sv.Env = val.Env.Var
				}
				v.Settings = append(v.Settings, sv)
			}
		}
	}
	for _, d := range pr.Diagnostics {
		v.Diagnostics = append(v.Diagnostics, d.String())
	}
	return v
}

func isSecretSetting(name string) bool {
	u := strings.ToUpper(name)
	for _, s := range []string{"SECRET", "PASSWORD", "TOKEN", "KEY", "DATABASES", "CACHES"} {
		if strings.Contains(u, s) {
			return true
		}
	}
	return false
}

func writeProjects(w io.Writer, views []projectView) {
	if len(views) == 0 {
		fmt.Fprintln(w, "No Django project found.")
		return
	}
	for i, v := range views {
		if i > 0 {
			fmt.Fprintln(w)
		}
		fmt.Fprintf(w, "Project %s\n", v.Root)
		if v.ManagePy != "" {
			fmt.Fprintf(w, "  manage.py:        %s\n", v.ManagePy)
		}
		if len(v.EntryPoints) > 0 {
			fmt.Fprintf(w, "  entry points:     %s\n", strings.Join(v.EntryPoints, ", "))
		}
		django := "unknown (judged as the newest series)"
		if v.Django != "" {
			django = v.Django + " (from " + v.DjangoFrom + ")"
		}
		fmt.Fprintf(w, "  Django:           %s\n", django)
		for _, r := range v.SettingsRefs {
			fmt.Fprintf(w, "  DJANGO_SETTINGS_MODULE = %s  (%s:%d, %s)\n", r.Module, r.Path, r.Line, r.How)
		}
		fmt.Fprintln(w, "  settings modules:")
		for _, m := range v.SettingsModules {
			mark := " "
			if m["name"] == v.Production {
				mark = "*"
			}
			role := m["role"]
			if role == "" {
				role = "-"
			}
			fmt.Fprintf(w, "   %s %-40s %-12s %s\n", mark, m["name"], role, m["path"])
		}
		if v.Production != "" {
			fmt.Fprintf(w, "  production:       %s, because %s\n", v.Production, strings.Join(v.Why, "; "))
		}
		if v.RootURLConf != "" {
			fmt.Fprintf(w, "  ROOT_URLCONF:     %s (%d patterns)\n", v.RootURLConf, len(v.URLs))
		}
		if len(v.Apps) > 0 {
			apps := append([]string{}, v.Apps...)
			sort.Strings(apps)
			fmt.Fprintf(w, "  INSTALLED_APPS:   %s\n", strings.Join(apps, ", "))
		}
		for _, u := range v.URLs {
			guard := ""
			if u.DebugGuarded {
				guard = "  [DEBUG only]"
			}
			fmt.Fprintf(w, "    /%-40s %-13s %s  %s:%d%s\n", u.Route, u.Kind, u.Target, u.Path, u.Line, guard)
		}
		for _, s := range v.Settings {
			env := ""
			if s.Env != "" {
				env = "  (env " + s.Env + ")"
			}
			fmt.Fprintf(w, "  %s = %s  %s%s\n", s.Name, s.Value, s.Where, env)
		}
		for _, d := range v.Diagnostics {
			fmt.Fprintf(w, "  note: %s\n", d)
		}
	}
}
