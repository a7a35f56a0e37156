package cli

import (
	"fmt"
	"runtime"
	"runtime/debug"
	"strings"
)

// Version is the release make build stamps in (-ldflags "-X
// github.com/pressroom/pressroom/internal/cli.Version=v1.2.0"); empty in
// other builds, which report what the Go toolchain recorded instead.
var Version = ""

// versionLine says which pressroom this is: the stamped or module
// version, the commit it was built from (and whether the tree had
// uncommitted changes), and the Go release.
func versionLine(stamped string, info *debug.BuildInfo, ok bool) string {
	v := stamped
	var rev, when string
	modified := false
	if ok {
		if v == "" && info.Main.Version != "" && info.Main.Version != "(devel)" {
			v = info.Main.Version // go install module@version
		}
		for _, s := range info.Settings {
			switch s.Key {
			case "vcs.revision":
				rev = s.Value
			case "vcs.time":
				when = s.Value
			case "vcs.modified":
				modified = s.Value == "true"
			}
		}
	}
	if v == "" {
		v = "(development build)"
	}
	var b strings.Builder
	fmt.Fprintf(&b, "pressroom %s", v)
	var detail []string
	if rev != "" {
		if len(rev) > 12 {
			rev = rev[:12]
		}
		c := "commit " + rev
		if when != "" {
			c += " of " + when
		}
		if modified {
			c += ", with uncommitted changes"
		}
		detail = append(detail, c)
	} else if ok {
		detail = append(detail, "commit unknown: built without version control information (go run, -buildvcs=false)")
	}
	goVersion := runtime.Version()
	if ok && info.GoVersion != "" {
		goVersion = info.GoVersion
	}
	detail = append(detail, goVersion)
	fmt.Fprintf(&b, " (%s)", strings.Join(detail, "; "))
	return b.String()
}

// version prints versionLine for this binary.
func version() string {
	info, ok := debug.ReadBuildInfo()
	return versionLine(Version, info, ok)
}
