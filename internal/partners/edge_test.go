package partners

import (
	"bufio"
	"bytes"
	"encoding/json"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"testing"
)

// edgeDir is functions/edge, from this package.
var edgeDir = filepath.Join("..", "..", "functions", "edge")

type edgeCase struct {
	Name    string `json:"name"`
	Request struct {
		Method      string         `json:"method"`
		URI         string         `json:"uri"`
		Headers     map[string]any `json:"headers"`
		Querystring string         `json:"querystring"`
	} `json:"request"`
	Store  *map[string]string `json:"store"` // nil: the table's; null in JSON: unavailable
	Expect struct {
		Allow       bool   `json:"allow"`
		URI         string `json:"uri"`
		Querystring string `json:"querystring"`
	} `json:"expect"`
	hasStore bool
}

type edgeTable struct {
	Store map[string]string `json:"store"`
	Cases []edgeCase        `json:"cases"`
}

func loadCases(t *testing.T) edgeTable {
	t.Helper()
	data, err := os.ReadFile(filepath.Join(edgeDir, "testdata", "cases.json"))
	if err != nil {
		t.Fatal(err)
	}
	var table edgeTable
	if err := json.Unmarshal(data, &table); err != nil {
		t.Fatalf("cases.json: %v", err)
	}
	// Tell a case without "store" from one with "store": null.
	var raw struct {
		Cases []map[string]json.RawMessage `json:"cases"`
	}
	json.Unmarshal(data, &raw)
	for i := range table.Cases {
		_, table.Cases[i].hasStore = raw.Cases[i]["store"]
	}
	if len(table.Cases) < 40 {
		t.Fatalf("only %d cases", len(table.Cases))
	}
	return table
}

// goDecision runs a case through Authorize.
func goDecision(table edgeTable, c edgeCase) Decision {
	var auth []string
	for name, v := range c.Request.Headers {
		if !strings.EqualFold(name, "authorization") {
			continue
		}
		switch x := v.(type) {
		case string:
			auth = append(auth, x)
		case []any:
			for _, s := range x {
				auth = append(auth, s.(string))
			}
		}
	}
	method := c.Request.Method
	if method == "" {
		method = "GET"
	}
	store := table.Store
	lookup := func(h string) (string, bool) { v, ok := store[h]; return v, ok }
	if c.hasStore {
		if c.Store == nil {
			lookup = func(string) (string, bool) { return "", false } // unavailable: closed
		} else {
			store = *c.Store
		}
	}
	return Authorize(Request{Method: method, URI: c.Request.URI, Authorization: auth, RawQuery: c.Request.Querystring}, lookup)
}

// TestRuleTable runs the table through the Go rule.
func TestRuleTable(t *testing.T) {
	table := loadCases(t)
	for _, c := range table.Cases {
		d := goDecision(table, c)
		if d.Allow != c.Expect.Allow {
			t.Errorf("%s: Go allows %v, want %v", c.Name, d.Allow, c.Expect.Allow)
			continue
		}
		if d.Allow && d.Query != c.Expect.Querystring {
			t.Errorf("%s: Go forwards query %q, want %q", c.Name, d.Query, c.Expect.Querystring)
		}
	}
}

// TestEdgeFunctionAgrees runs functions/edge/partners.js on the same table
// under Node (loaded unmodified, with stand-ins for CloudFront's cloudfront
// and crypto modules), and compares each case with the expectation and
// with the Go rule.
func TestEdgeFunctionAgrees(t *testing.T) {
	node := nodeOrSkip(t)
	table := loadCases(t)
	cmd := exec.Command(node, filepath.Join(edgeDir, "test", "run.mjs"), "--json")
	var stderr bytes.Buffer
	cmd.Stderr = &stderr
	out, err := cmd.Output()
	if err != nil {
		t.Fatalf("node run.mjs: %v\n%s", err, stderr.String())
	}
	type result struct {
		Name          string  `json:"name"`
		Allow         bool    `json:"allow"`
		Status        int     `json:"status"`
		URI           string  `json:"uri"`
		Querystring   string  `json:"querystring"`
		Body          *string `json:"body"`
		Authorization bool    `json:"authorization"`
	}
	got := map[string]result{}
	sc := bufio.NewScanner(bytes.NewReader(out))
	for sc.Scan() {
		var r result
		if err := json.Unmarshal(sc.Bytes(), &r); err != nil {
			t.Fatalf("run.mjs printed %q: %v", sc.Text(), err)
		}
		got[r.Name] = r
	}
	if len(got) != len(table.Cases) {
		t.Fatalf("node ran %d cases of %d (names must be unique)", len(got), len(table.Cases))
	}
	for _, c := range table.Cases {
		js, gd := got[c.Name], goDecision(table, c)
		if js.Allow != gd.Allow {
			t.Errorf("%s: the edge function allows %v, the Go rule %v", c.Name, js.Allow, gd.Allow)
			continue
		}
		if js.Allow {
			if js.Querystring != gd.Query {
				t.Errorf("%s: the edge function forwards query %q, the Go rule %q", c.Name, js.Querystring, gd.Query)
			}
			if js.URI != c.Request.URI || js.Authorization {
				t.Errorf("%s: the edge function forwards uri %q (want it unchanged), Authorization %v", c.Name, js.URI, js.Authorization)
			}
		} else if js.Status != 403 || js.Body != nil {
			t.Errorf("%s: the edge function refuses with %d and body %v, want 403 and none", c.Name, js.Status, js.Body)
		}
	}
	t.Logf("%d cases: the edge function and the Go rule agree", len(table.Cases))
}

// TestEdgeFunctionSize keeps the function within CloudFront Functions'
// limit on code size (10 KB), with the store id in place of its
// placeholder.
func TestEdgeFunctionSize(t *testing.T) {
	code, err := os.ReadFile(filepath.Join(edgeDir, "partners.js"))
	if err != nil {
		t.Fatal(err)
	}
	deployed := strings.Replace(string(code), "${KvsId}", "a1b2c3d4-5678-90ab-cdef-EXAMPLE11111", 1)
	if len(deployed) > 10*1024 {
		t.Errorf("partners.js is %d bytes as deployed: CloudFront Functions take at most 10 KB", len(deployed))
	}
	t.Logf("partners.js: %d bytes as deployed (limit 10240)", len(deployed))
}

// nodeOrSkip returns the node binary, skipping the test when there is
// none, unless CI=true, where it is missing by mistake.
func nodeOrSkip(t testing.TB) string {
	t.Helper()
	node, err := exec.LookPath("node")
	if err != nil {
		if os.Getenv("CI") == "true" {
			t.Fatal("node is not installed: the edge function's tests need Node.js (20 or later)")
		}
		t.Skip("node is not installed: the edge function's tests need Node.js (20 or later)")
	}
	return node
}

// TestGuardFunction runs functions/edge/guard.js under Node: every path
// that S3 would decode to a key under partners/ is refused on the public
// behaviours, whatever its encoding; everything else passes.
func TestGuardFunction(t *testing.T) {
	node := nodeOrSkip(t)
	cases := map[string]bool{
		"/feed.xml": true, "/tags/culture/feed.json": true, "/": true, "/index.html": true, "/tags/partners/feed.xml": true,
		"/partnership/feed.json": true, "/x/%2e%2e%2fpartners/desk/feed.json": true,
		"/partners/desk/feed.json": false, "/partners%2Fdesk%2Ffeed.json": false, "/partners%2fdesk/atom.xml": false,
		"/Partners/desk/feed.json": false, "/%70artners/desk/feed.json": false, "//partners/desk/feed.json": false,
		"/partners%5Cdesk%5Cfeed.json": false, "/partners": false, "/%E0%A4%A": false,
	}
	args := []string{filepath.Join(edgeDir, "test", "guard.mjs")}
	for uri := range cases {
		args = append(args, uri)
	}
	out, err := exec.Command(node, args...).CombinedOutput()
	if err != nil {
		t.Fatalf("node guard.mjs: %v\n%s", err, out)
	}
	seen := 0
	for _, line := range strings.Split(strings.TrimSpace(string(out)), "\n") {
		var r struct {
			URI   string `json:"uri"`
			Allow bool   `json:"allow"`
		}
		if err := json.Unmarshal([]byte(line), &r); err != nil {
			t.Fatalf("%q: %v", line, err)
		}
		seen++
		if want := cases[r.URI]; r.Allow != want {
			t.Errorf("%s: allowed %v, want %v", r.URI, r.Allow, want)
		}
	}
	if seen != len(cases) {
		t.Errorf("node judged %d paths of %d", seen, len(cases))
	}
	if fi, err := os.Stat(filepath.Join(edgeDir, "guard.js")); err != nil || fi.Size() > 10*1024 {
		t.Errorf("guard.js: %v (CloudFront Functions take 10 KB)", err)
	}
}
