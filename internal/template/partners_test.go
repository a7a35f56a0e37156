package template

import (
	"bytes"
	"flag"
	"fmt"
	"os"
	"reflect"
	"strings"
	"testing"

	"go.yaml.in/yaml/v3"

	"github.com/pressroom/pressroom/internal/partners"
)

var update = flag.Bool("update", false, "copy functions/edge/partners.js into template.yaml's PartnersFunction")

const functionFile = "../../functions/edge/partners.js"

// child returns the value of key in a YAML mapping node.
func child(n *yaml.Node, key string) *yaml.Node {
	if n == nil || n.Kind != yaml.MappingNode {
		return nil
	}
	for i := 0; i+1 < len(n.Content); i += 2 {
		if n.Content[i].Value == key {
			return n.Content[i+1]
		}
	}
	return nil
}

// inlineCode returns the PartnersFunction's FunctionCode node: !Sub [code,
// {KvsId: ...}].
func inlineCode(t *testing.T, data []byte) (code *yaml.Node, vars *yaml.Node) {
	t.Helper()
	var doc yaml.Node
	if err := yaml.Unmarshal(data, &doc); err != nil {
		t.Fatal(err)
	}
	fc := child(child(child(child(doc.Content[0], "Resources"), "PartnersFunction"), "Properties"), "FunctionCode")
	if fc == nil || fc.Tag != "!Sub" || fc.Kind != yaml.SequenceNode || len(fc.Content) != 2 {
		t.Fatalf("PartnersFunction.Properties.FunctionCode is not !Sub [code, {KvsId: ...}]")
	}
	return fc.Content[0], fc.Content[1]
}

// TestPartnersFunctionCode: the function CloudFormation deploys is
// functions/edge/partners.js byte for byte, once Fn::Sub has put the
// store's id in place of ${KvsId} (its only substitution).
func TestPartnersFunctionCode(t *testing.T) {
	file, err := os.ReadFile(functionFile)
	if err != nil {
		t.Fatal(err)
	}
	tpl, err := os.ReadFile("../../template.yaml")
	if err != nil {
		t.Fatal(err)
	}
	code, vars := inlineCode(t, tpl)
	if *update && code.Value != string(file) {
		tpl = replaceBlock(t, tpl, code, file)
		if err := os.WriteFile("../../template.yaml", tpl, 0o644); err != nil {
			t.Fatal(err)
		}
		code, vars = inlineCode(t, tpl)
	}
	if code.Value != string(file) {
		t.Errorf("template.yaml's PartnersFunction code differs from %s: run go test ./internal/template -run TestPartnersFunctionCode -update", functionFile)
	}
	if strings.Count(string(file), "${") != 1 || !strings.Contains(string(file), "cf.kvs('${KvsId}')") {
		t.Errorf("%s must hold exactly one ${...}, the store id in cf.kvs('${KvsId}'): Fn::Sub would replace any other", functionFile)
	}
	kvsID := child(vars, "KvsId")
	if kvsID == nil || kvsID.Tag != "!GetAtt" || kvsID.Value != "PartnerKeys.Id" || len(vars.Content) != 2 {
		t.Errorf("Fn::Sub variables: want only KvsId: !GetAtt PartnerKeys.Id")
	}
	if len(file) > 10*1024 {
		t.Errorf("the function is %d bytes: CloudFront Functions take 10 KB", len(file))
	}
}

// replaceBlock writes file as the literal block of code's node.
func replaceBlock(t *testing.T, tpl []byte, code *yaml.Node, file []byte) []byte {
	t.Helper()
	lines := bytes.SplitAfter(tpl, []byte("\n"))
	start := code.Line // the "- |" line, 1-based; the block follows
	head := string(lines[start-1])
	indent := strings.Repeat(" ", len(head)-len(strings.TrimLeft(head, " "))+2)
	end := start
	for end < len(lines) && (len(bytes.TrimSpace(lines[end])) == 0 || bytes.HasPrefix(lines[end], []byte(indent))) {
		end++
	}
	for end > start && len(bytes.TrimSpace(lines[end-1])) == 0 {
		end--
	}
	var b bytes.Buffer
	for _, l := range lines[:start] {
		b.Write(l)
	}
	for _, l := range strings.SplitAfter(string(file), "\n") {
		if l == "" {
			continue
		}
		if strings.TrimSpace(l) == "" {
			b.WriteString("\n")
		} else {
			b.WriteString(indent + l)
		}
	}
	for _, l := range lines[end:] {
		b.Write(l)
	}
	return b.Bytes()
}

func TestPartnersEdge(t *testing.T) {
	tpl, raw := load(t)
	if _, err := tpl.GetCloudFrontKeyValueStoreWithName("PartnerKeys"); err != nil {
		t.Fatal(err)
	}
	fn, err := tpl.GetCloudFrontFunctionWithName("PartnersFunction")
	if err != nil {
		t.Fatal(err)
	}
	if fn.FunctionConfig == nil || fn.FunctionConfig.Runtime != "cloudfront-js-2.0" || fn.AutoPublish == nil || !*fn.AutoPublish {
		t.Errorf("function config %+v, AutoPublish %v: want cloudfront-js-2.0, published", fn.FunctionConfig, fn.AutoPublish)
	}
	assoc := at(t, raw, "Resources", "PartnersFunction", "Properties", "FunctionConfig", "KeyValueStoreAssociations")
	if !reflect.DeepEqual(assoc, []any{map[string]any{"KeyValueStoreARN": "GetAtt:PartnerKeys.Arn"}}) {
		t.Errorf("store associations %v", assoc)
	}
	dc := at(t, raw, "Resources", "Distribution", "Properties", "DistributionConfig")
	var patterns []string
	for _, b := range at(t, dc, "CacheBehaviors").([]any) {
		patterns = append(patterns, at(t, b, "PathPattern").(string))
	}
	pi, ji := indexOf(patterns, partners.PathPrefix+"*"), indexOf(patterns, "*.json")
	if pi < 0 || (ji >= 0 && ji < pi) {
		t.Fatalf("cache behaviours %v: partners/* must come before *.json, which would take partners/NAME/feed.json", patterns)
	}
	b := behaviour(t, dc, "partners/*")
	fa := at(t, b, "FunctionAssociations")
	if !reflect.DeepEqual(fa, []any{map[string]any{"EventType": "viewer-request", "FunctionARN": "GetAtt:PartnersFunction.FunctionARN"}}) {
		t.Errorf("partners/* function associations %v", fa)
	}
	if at(t, b, "ViewerProtocolPolicy") != "redirect-to-https" || at(t, b, "TargetOriginId") != "feeds" {
		t.Errorf("partners/* behaviour %v", b)
	}
	// Neither the key nor the Authorization header is in the cache key (nor
	// forwarded): the function checks every request.
	policy := fmt.Sprint(at(t, b, "CachePolicyId"))
	cp := at(t, raw, "Resources", strings.TrimPrefix(policy, "Ref:"), "Properties", "CachePolicyConfig", "ParametersInCacheKeyAndForwardedToOrigin")
	if at(t, cp, "QueryStringsConfig", "QueryStringBehavior") != "none" || at(t, cp, "HeadersConfig", "HeaderBehavior") != "none" {
		t.Errorf("partners/* cache key %v: no query string, no header", cp)
	}
	if _, ok := b["OriginRequestPolicyId"]; ok {
		t.Error("partners/* forwards more to the origin (OriginRequestPolicyId)")
	}
	hp := at(t, raw, "Resources", strings.TrimPrefix(fmt.Sprint(at(t, b, "ResponseHeadersPolicyId")), "Ref:"), "Properties", "ResponseHeadersPolicyConfig")
	allow := list(at(t, hp, "CorsConfig", "AccessControlAllowHeaders", "Items"))
	if indexOf(allow, "Authorization") < 0 || list(at(t, hp, "CorsConfig", "AccessControlAllowOrigins", "Items"))[0] != "*" {
		t.Errorf("partner feeds' CORS allows headers %v", allow)
	}
	custom := at(t, hp, "CustomHeadersConfig", "Items", 0)
	if at(t, custom, "Header") != "Cache-Control" || at(t, custom, "Value") != partners.CacheControl || at(t, custom, "Override") != true {
		t.Errorf("partner feeds' Cache-Control %v, want %q as the local server sends", custom, partners.CacheControl)
	}
	if _, ok := tpl.Outputs["PartnerKeysStoreArn"]; !ok || at(t, raw, "Outputs", "PartnerKeysStoreArn", "Value") != "GetAtt:PartnerKeys.Arn" {
		t.Error("no output PartnerKeysStoreArn with the store's ARN")
	}
}

func indexOf(l []string, s string) int {
	for i, x := range l {
		if x == s {
			return i
		}
	}
	return -1
}

// TestGuardFunctionCode: template.yaml's GuardFunction holds
// functions/edge/guard.js byte for byte, and runs on every behaviour but
// partners/* (TestReview9PartnerFilesOnlyBehindTheFunction routes the
// encoded paths).
func TestGuardFunctionCode(t *testing.T) {
	file, err := os.ReadFile("../../functions/edge/guard.js")
	if err != nil {
		t.Fatal(err)
	}
	_, raw := load(t)
	code, _ := at(t, raw, "Resources", "GuardFunction", "Properties", "FunctionCode").(string)
	if code != string(file) {
		t.Errorf("template.yaml's GuardFunction code differs from functions/edge/guard.js: copy it in")
	}
	if strings.Contains(string(file), "${") {
		t.Error("guard.js holds ${: fine inline, but keep it free of Fn::Sub syntax")
	}
}
