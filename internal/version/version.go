// Package version holds djangoguard's version, set at build time with
// -ldflags "-X github.com/djangoguard/djangoguard/internal/version.Version=v1.2.3".
package version

import "runtime/debug"

// Version is the release version; "dev" for a source build.
var Version = "dev"

// String returns the version, with the VCS revision for source builds.
func String() string {
	if Version != "dev" {
		return Version
	}
	if bi, ok := debug.ReadBuildInfo(); ok {
		if bi.Main.Version != "" && bi.Main.Version != "(devel)" {
			return bi.Main.Version
		}
		for _, s := range bi.Settings {
			if s.Key == "vcs.revision" && len(s.Value) >= 12 {
				return "dev+" + s.Value[:12]
			}
		}
	}
	return Version
}
