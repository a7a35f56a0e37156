package cli

import (
	"bytes"
	"context"
	"runtime/debug"
	"strings"
	"testing"
)

func TestVersionLine(t *testing.T) {
	vcs := []debug.BuildSetting{{Key: "vcs", Value: "git"}, {Key: "vcs.revision", Value: "0123456789abcdef0123"},
		{Key: "vcs.time", Value: "2026-03-14T10:00:00Z"}, {Key: "vcs.modified", Value: "true"}}
	tests := []struct {
		name    string
		stamped string
		info    *debug.BuildInfo
		ok      bool
		want    string
	}{
		{"make build", "v1.2.0", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs}, true,
			"pressroom v1.2.0 (commit 0123456789ab of 2026-03-14T10:00:00Z, with uncommitted changes; go1.26.0)"},
		{"go build in a clone", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "(devel)"}, Settings: vcs[:3]}, true,
			"pressroom (development build) (commit 0123456789ab of 2026-03-14T10:00:00Z; go1.26.0)"},
		{"go install module@version", "", &debug.BuildInfo{GoVersion: "go1.26.0", Main: debug.Module{Version: "v1.3.0"}}, true,
			"pressroom v1.3.0 (commit unknown: built without version control information (go run, -buildvcs=false); go1.26.0)"},
	}
	for _, tt := range tests {
		if got := versionLine(tt.stamped, tt.info, tt.ok); got != tt.want {
			t.Errorf("%s:\n got %s\nwant %s", tt.name, got, tt.want)
		}
	}
	if got := versionLine("", nil, false); !strings.HasPrefix(got, "pressroom (development build) (go1.") {
		t.Errorf("without build information: %s", got)
	}
}

func TestVersionCommand(t *testing.T) {
	for _, args := range [][]string{{"--version"}, {"version"}, {"-version"}} {
		var out, errb bytes.Buffer
		if code := Main(context.Background(), args, &out, &errb); code != ExitOK || !strings.HasPrefix(out.String(), "pressroom ") || errb.Len() != 0 {
			t.Errorf("pressroom %s: status %d, out %q, err %q", args[0], code, out.String(), errb.String())
		}
	}
	var out, errb bytes.Buffer
	if code := Main(context.Background(), []string{"version", "x"}, &out, &errb); code != ExitUsage {
		t.Errorf("version x: status %d", code)
	}
}
