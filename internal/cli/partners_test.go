package cli

import (
	"context"
	"errors"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"runtime"
	"strings"
	"testing"

	"github.com/pressroom/pressroom/internal/awstest/kvs"
	"github.com/pressroom/pressroom/internal/partners"
	kvsstore "github.com/pressroom/pressroom/internal/partners/kvs"
)

var keyLine = regexp.MustCompile(`^(prk_[A-Za-z0-9_-]{43})\nKey ([0-9a-f]{12}) for ([a-z0-9-]+), shown only now: .*Authorization: Bearer <key>.*\?key=<key>.*\n$`)

// addKey runs "partners keys add" and returns the key and its id, checking
// that the key is printed once, on stdout only.
func addKeyCmd(t *testing.T, name string, flags ...string) (key, id string) {
	t.Helper()
	code, stdout, stderr := run(t, append([]string{"partners", "keys", "add", name}, flags...)...)
	if code != ExitOK {
		t.Fatalf("add %s: exit %d: %s", name, code, stderr)
	}
	m := keyLine.FindStringSubmatch(stdout)
	if m == nil || m[3] != name {
		t.Fatalf("add %s printed %q", name, stdout)
	}
	if strings.Count(stdout, m[1]) != 1 || strings.Contains(stderr, m[1]) {
		t.Fatalf("the key is printed more than once: %q %q", stdout, stderr)
	}
	if m[2] != partners.KeyID(partners.Hash(m[1])) {
		t.Errorf("key id %s is not the hash's prefix", m[2])
	}
	return m[1], m[2]
}

func TestPartnersKeysLocal(t *testing.T) {
	_, src, out, cfg := exampleSite(t)
	keysFile := filepath.Join(out, ".pressroom", "partner-keys.json")
	if code, stdout, _ := run(t, "partners", "keys", "list", "--out", out); code != ExitOK || stdout != "no keys\n" {
		t.Errorf("list with no keys file: %d %q", code, stdout)
	}
	culture, cultureID := addKeyCmd(t, "culture-desk", "--out", out)
	_, sportsID := addKeyCmd(t, "sports", "--out", out)
	second, _ := addKeyCmd(t, "culture-desk", "--out", out)
	fi, err := os.Stat(keysFile)
	if err != nil {
		t.Fatalf("no keys file at the default place: %v", err)
	}
	if fi.Mode().Perm() != 0o600 {
		t.Errorf("keys file mode %v", fi.Mode().Perm())
	}
	data, _ := os.ReadFile(keysFile)
	if strings.Contains(string(data), culture) || strings.Contains(string(data), second) {
		t.Fatal("the keys file holds a key")
	}
	code, stdout, _ := run(t, "partners", "keys", "list", "--out", out)
	if code != ExitOK || strings.Count(stdout, "\n") != 4 || !strings.Contains(stdout, cultureID+"  culture-desk") || !strings.Contains(stdout, sportsID+"  sports") {
		t.Errorf("list: %d\n%s", code, stdout)
	}
	if strings.Contains(stdout, culture) {
		t.Error("list prints a key")
	}

	// serve lets the partner in with its key, and nobody else.
	feedFile := filepath.Join(out, "partners", "culture-desk", "feed.json")
	base, _, _ := startServe(t, src, out, cfg)
	os.MkdirAll(filepath.Dir(feedFile), 0o755)
	os.WriteFile(feedFile, []byte(`{"version":"https://jsonfeed.org/version/1.1","title":"culture","items":[]}`), 0o644)
	get := func(path, auth string) int {
		req, _ := http.NewRequest("GET", base+path, nil)
		if auth != "" {
			req.Header.Set("Authorization", auth)
		}
		resp, err := http.DefaultClient.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		return resp.StatusCode
	}
	if c := get("/partners/culture-desk/feed.json", "Bearer "+culture); c != 200 {
		t.Errorf("with the key: %d", c)
	}
	if c := get("/partners/culture-desk/feed.json?key="+second, ""); c != 200 {
		t.Errorf("with the second key in the query: %d", c)
	}
	if c := get("/partners/culture-desk/feed.json", ""); c != 403 {
		t.Errorf("without a key: %d", c)
	}
	if code, stdout, _ := run(t, "partners", "keys", "revoke", cultureID, "--out", out); code != ExitOK || stdout != "revoked key "+cultureID+" of culture-desk\n" {
		t.Errorf("revoke: %d %q", code, stdout)
	}
	if c := get("/partners/culture-desk/feed.json", "Bearer "+culture); c != 403 {
		t.Errorf("revoked key: %d", c)
	}
	if code, stdout, _ := run(t, "partners", "keys", "revoke", "--out", out, "--partner", "culture-desk"); code != ExitOK || strings.Count(stdout, "revoked key") != 1 {
		t.Errorf("revoke --partner: %d %q", code, stdout)
	}
	if c := get("/partners/culture-desk/feed.json?key="+second, ""); c != 403 {
		t.Errorf("after revoking the partner: %d", c)
	}
	if code, _, stderr := run(t, "partners", "keys", "revoke", cultureID, "--out", out); code != ExitRejected || !strings.Contains(stderr, "no key has the id") {
		t.Errorf("revoke an unknown id: %d %q", code, stderr)
	}

	// --keys names another file.
	other := filepath.Join(t.TempDir(), "keys.json")
	addKeyCmd(t, "a", "--keys", other)
	if keys, err := partners.ReadFile(other); err != nil || len(keys) != 1 || keys[0].Partner != "a" {
		t.Errorf("--keys: %v %v", keys, err)
	}
}

func TestPartnersKeysUsage(t *testing.T) {
	out := t.TempDir()
	for _, args := range [][]string{
		{"partners"}, {"partners", "nope"}, {"partners", "keys"}, {"partners", "keys", "frob"},
		{"partners", "keys", "add"}, {"partners", "keys", "add", "a", "b"}, {"partners", "keys", "add", "Bad_Name"},
		{"partners", "keys", "add", "-a"}, {"partners", "keys", "revoke"}, {"partners", "keys", "revoke", "x", "--partner", "a"},
		{"partners", "keys", "revoke", "--partner", "A B"}, {"partners", "keys", "list", "x"},
		{"partners", "keys", "list", "--kvs-arn", "arn:aws:s3:::bucket"},
	} {
		code, stdout, stderr := run(t, append(args, "--out", out)...)
		if code != ExitUsage || stderr == "" {
			t.Errorf("%q: exit %d, stdout %q, stderr %q", args, code, stdout, stderr)
		}
	}
	if code, stdout, _ := run(t, "help"); code != ExitOK || !strings.Contains(stdout, "pressroom partners keys") {
		t.Errorf("help does not list the partners command: %q", stdout)
	}
}

// TestPartnersKeysKVS runs the key-store commands in this process, as
// pressroom-kvs runs them (pressroom hands them to it: see
// TestPartnersKeysKVSProgram).
func TestPartnersKeysKVS(t *testing.T) {
	kvsOpener = func(ctx context.Context, arn string) (KeyStore, error) {
		s, err := kvsstore.Open(ctx, arn)
		if err != nil {
			return nil, err
		}
		return s, nil
	}
	t.Cleanup(func() { kvsOpener = nil })
	s := kvs.New("AKIDCLITEST", "secret")
	arn := s.CreateStore("123456789012", "5e6f7a8b-0000-4000-8000-00000000000c")
	srv := httptest.NewServer(s.Handler())
	defer srv.Close()
	t.Setenv("PRESSROOM_KVS_ENDPOINT", srv.URL)
	t.Setenv("AWS_ACCESS_KEY_ID", "AKIDCLITEST")
	t.Setenv("AWS_SECRET_ACCESS_KEY", "secret")
	t.Setenv("AWS_SESSION_TOKEN", "")
	t.Setenv("AWS_PROFILE", "")
	t.Setenv("AWS_CONFIG_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_SHARED_CREDENTIALS_FILE", filepath.Join(t.TempDir(), "none"))
	t.Setenv("AWS_CA_BUNDLE", "")
	out := t.TempDir()

	key, id := addKeyCmd(t, "culture-desk", "--kvs-arn", arn, "--out", out)
	items := s.Items(arn)
	if items[partners.Hash(key)] == "" || partners.PartnerOf(items[partners.Hash(key)]) != "culture-desk" || len(items) != 1 {
		t.Fatalf("store holds %v", items)
	}
	if _, err := os.Stat(filepath.Join(out, ".pressroom", "partner-keys.json")); err == nil {
		t.Error("--kvs-arn wrote the local keys file")
	}
	// PRESSROOM_KVS_ARN does what --kvs-arn does.
	t.Setenv("PRESSROOM_KVS_ARN", arn)
	addKeyCmd(t, "sports")
	code, stdout, stderr := run(t, "partners", "keys", "list")
	if code != ExitOK || !strings.Contains(stdout, id+"  culture-desk") || !strings.Contains(stdout, "  sports") {
		t.Errorf("list: %d %q %q", code, stdout, stderr)
	}
	if code, _, stderr := run(t, "partners", "keys", "revoke", id); code != ExitOK {
		t.Errorf("revoke: %d %s", code, stderr)
	}
	if code, _, stderr := run(t, "partners", "keys", "revoke", "--partner", "sports"); code != ExitOK {
		t.Errorf("revoke --partner: %d %s", code, stderr)
	}
	if len(s.Items(arn)) != 0 {
		t.Errorf("left in the store: %v", s.Items(arn))
	}
	// A store that is not there: the error names it.
	other := strings.Replace(arn, "5e6f7a8b", "00000000", 1)
	if code, _, stderr := run(t, "partners", "keys", "list", "--kvs-arn", other); code != ExitRejected || !strings.Contains(stderr, other) {
		t.Errorf("missing store: %d %q", code, stderr)
	}
}

// TestPartnersKeysKVSProgram: pressroom hands a --kvs-arn command to the
// pressroom-kvs program, with the arguments it was given (after
// "partners") and the environment, and exits as it exits; without the
// program it says where to get it.
func TestPartnersKeysKVSProgram(t *testing.T) {
	if runtime.GOOS == "windows" {
		t.Skip("a shell script stands in for the program")
	}
	dir := t.TempDir()
	prog := filepath.Join(dir, "pressroom-kvs")
	script := "#!/bin/sh\necho \"args: $*\"\necho \"arn: $PRESSROOM_KVS_ARN\" >&2\nexit 3\n"
	if err := os.WriteFile(prog, []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	kvsProgram = func() (string, error) { return prog, nil }
	t.Cleanup(func() { kvsProgram = findKVSProgram })
	arn := "arn:aws:cloudfront::123456789012:key-value-store/5e6f7a8b-0000-4000-8000-00000000000c"
	code, stdout, _ := run(t, "partners", "keys", "add", "culture-desk", "--kvs-arn", arn)
	if code != 3 || stdout != "args: keys add culture-desk --kvs-arn "+arn+"\n" {
		t.Errorf("--kvs-arn: exit %d, stdout %q", code, stdout)
	}
	t.Setenv("PRESSROOM_KVS_ARN", arn)
	code, stdout, stderr := run(t, "partners", "keys", "list")
	if code != 3 || stdout != "args: keys list\n" || stderr != "arn: "+arn+"\n" {
		t.Errorf("PRESSROOM_KVS_ARN: exit %d, stdout %q, stderr %q", code, stdout, stderr)
	}
	// The local keys file needs no program.
	if code, stdout, _ := run(t, "partners", "keys", "list", "--kvs-arn", "", "--out", t.TempDir()); code != ExitOK || stdout != "no keys\n" {
		t.Errorf("keys file: exit %d, stdout %q", code, stdout)
	}
	kvsProgram = func() (string, error) { return "", errors.New("not found") }
	if code, _, stderr := run(t, "partners", "keys", "list"); code != ExitUsage || !strings.Contains(stderr, "pressroom-kvs") {
		t.Errorf("no program: exit %d, stderr %q", code, stderr)
	}
}
