package article

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/santhosh-tekuri/jsonschema/v6"
)

// TestJSONSchemaAgreesWithParser validates every JSON fixture and example
// against the published schema/article.schema.json: files the parser
// accepts must be valid, files it rejects for their shape must not be.
// WordPress and Ghost posts are recognised apart from the schema (see
// cms.go): they are not pressroom's format and the schema does not
// describe them.
func TestJSONSchemaAgreesWithParser(t *testing.T) {
	f, err := os.Open(filepath.Join("..", "..", "schema", "article.schema.json"))
	if err != nil {
		t.Fatal(err)
	}
	doc, err := jsonschema.UnmarshalJSON(f)
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	c := jsonschema.NewCompiler()
	const id = "https://pressroom.dev/schema/article.schema.json"
	if err := c.AddResource(id, doc); err != nil {
		t.Fatal(err)
	}
	schema, err := c.Compile(id)
	if err != nil {
		t.Fatal(err)
	}
	valid, _ := filepath.Glob(filepath.Join("testdata", "articles", "*.json"))
	examples, _ := filepath.Glob(filepath.Join("..", "..", "examples", "*", "articles", "*.json"))
	invalid, _ := filepath.Glob(filepath.Join("testdata", "rejected", "*.json"))
	if len(valid) == 0 || len(examples) == 0 || len(invalid) == 0 {
		t.Fatal("missing JSON fixtures")
	}
	exports := 0
	check := func(file string, wantValid bool) {
		data, err := os.ReadFile(file)
		if err != nil {
			t.Fatal(err)
		}
		if exportKind(data) != "" {
			exports++
			return
		}
		inst, err := jsonschema.UnmarshalJSON(strings.NewReader(string(data)))
		if err != nil {
			if wantValid {
				t.Errorf("%s: %v", file, err)
			}
			return
		}
		err = schema.Validate(inst)
		if wantValid && err != nil {
			t.Errorf("%s: the parser accepts it but the schema does not: %v", file, err)
		}
		if !wantValid && err == nil {
			t.Errorf("%s: the parser rejects it but the schema accepts it", file)
		}
	}
	for _, file := range append(valid, examples...) {
		check(file, true)
	}
	for _, file := range invalid {
		check(file, false)
	}
	if exports == 0 || exports == len(valid)+len(examples)+len(invalid) {
		t.Errorf("%d of the JSON fixtures are other systems' exports: the schema checked nothing, or the fixtures of exports are gone", exports)
	}
}
