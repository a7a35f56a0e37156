package iam

import (
	"fmt"
	"strconv"
	"strings"

	"go.yaml.in/yaml/v3"
)

// decodeTemplate reads a CloudFormation template, YAML or JSON (JSON is
// YAML), into the generic shape encoding/json would give: maps, slices,
// strings, float64, bool and nil. Short-form intrinsics (!Sub, !Ref,
// !GetAtt A.B, ...) become their long form ({"Fn::Sub": ...}), as
// goformation's intrinsics.ProcessYAML does; this walker is our own so
// that parallel tests do not race on goformation's package-level tag
// table, and so that !Condition and tags on mappings are handled.
func decodeTemplate(data []byte) (map[string]any, error) {
	var root yaml.Node
	if err := yaml.Unmarshal(data, &root); err != nil {
		return nil, fmt.Errorf("iam: template is not YAML: %w", err)
	}
	v, err := convertNode(&root)
	if err != nil {
		return nil, err
	}
	doc, ok := v.(map[string]any)
	if !ok {
		return nil, fmt.Errorf("iam: template is not a mapping")
	}
	return doc, nil
}

// shortTags lists the short forms CloudFormation accepts.
var shortTags = map[string]string{
	"!Ref": "Ref", "!Condition": "Condition", "!GetAtt": "Fn::GetAtt", "!Sub": "Fn::Sub",
	"!If": "Fn::If", "!Equals": "Fn::Equals", "!Not": "Fn::Not", "!And": "Fn::And", "!Or": "Fn::Or",
	"!Join": "Fn::Join", "!Select": "Fn::Select", "!Split": "Fn::Split", "!Base64": "Fn::Base64",
	"!FindInMap": "Fn::FindInMap", "!GetAZs": "Fn::GetAZs", "!ImportValue": "Fn::ImportValue",
	"!Cidr": "Fn::Cidr", "!Transform": "Fn::Transform",
}

func convertNode(n *yaml.Node) (any, error) {
	if n == nil {
		return nil, nil
	}
	if long, ok := shortTags[n.Tag]; ok {
		var arg any
		if n.Kind == yaml.ScalarNode {
			arg = n.Value
		} else {
			untagged := *n
			untagged.Tag = ""
			v, err := convertNode(&untagged)
			if err != nil {
				return nil, err
			}
			arg = v
		}
		return map[string]any{long: arg}, nil
	}
	if strings.HasPrefix(n.Tag, "!") && !strings.HasPrefix(n.Tag, "!!") {
		return nil, fmt.Errorf("iam: line %d: unknown tag %s", n.Line, n.Tag)
	}
	switch n.Kind {
	case yaml.DocumentNode:
		if len(n.Content) == 0 {
			return nil, nil
		}
		return convertNode(n.Content[0])
	case yaml.AliasNode:
		return convertNode(n.Alias)
	case yaml.SequenceNode:
		out := make([]any, 0, len(n.Content))
		for _, c := range n.Content {
			v, err := convertNode(c)
			if err != nil {
				return nil, err
			}
			out = append(out, v)
		}
		return out, nil
	case yaml.MappingNode:
		out := make(map[string]any, len(n.Content)/2)
		for i := 0; i+1 < len(n.Content); i += 2 {
			k, v := n.Content[i], n.Content[i+1]
			if k.Kind != yaml.ScalarNode {
				return nil, fmt.Errorf("iam: line %d: mapping key is not a scalar", k.Line)
			}
			val, err := convertNode(v)
			if err != nil {
				return nil, err
			}
			out[k.Value] = val
		}
		return out, nil
	case yaml.ScalarNode:
		return convertScalar(n)
	}
	return nil, fmt.Errorf("iam: line %d: unexpected YAML node", n.Line)
}

// convertScalar gives numbers as float64, like encoding/json, and keeps
// timestamps (an unquoted Version: 2012-10-17) as the string written.
func convertScalar(n *yaml.Node) (any, error) {
	switch n.ShortTag() {
	case "!!null":
		return nil, nil
	case "!!bool":
		var b bool
		if err := n.Decode(&b); err != nil {
			return nil, fmt.Errorf("iam: line %d: %w", n.Line, err)
		}
		return b, nil
	case "!!int", "!!float":
		var f float64
		if err := n.Decode(&f); err != nil {
			// Octal or hexadecimal forms: keep what was written.
			if i, perr := strconv.ParseInt(n.Value, 0, 64); perr == nil {
				return float64(i), nil
			}
			return n.Value, nil
		}
		return f, nil
	default:
		return n.Value, nil
	}
}
