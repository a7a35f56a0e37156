package iam

import (
	"encoding/base64"
	"errors"
	"fmt"
	"os"
	"sort"
	"strconv"
	"strings"
	"sync"
)

// Params are the values CloudFormation would know at deploy time and the
// physical names the test bed chooses for resources it stands in for.
type Params struct {
	// StackName is AWS::StackName (default "stack").
	StackName string
	// AccountID is AWS::AccountId (default "123456789012").
	AccountID string
	// Region is AWS::Region (default "us-east-1").
	Region string
	// Partition is AWS::Partition (default "aws").
	Partition string
	// Parameters overrides template parameters; the others take their Default.
	Parameters map[string]string
	// Physical gives the value of !Ref for resources whose physical name or
	// id the test bed chooses (a table name, a distribution id, a queue name).
	Physical map[string]string
	// Attributes overrides !GetAtt, keyed "Logical.Attr" ("IndexTable.StreamArn").
	Attributes map[string]string
}

func (p Params) withDefaults() Params {
	if p.StackName == "" {
		p.StackName = "stack"
	}
	if p.AccountID == "" {
		p.AccountID = "123456789012"
	}
	if p.Region == "" {
		p.Region = "us-east-1"
	}
	if p.Partition == "" {
		p.Partition = "aws"
	}
	return p
}

// MissingError says which value the test bed must supply: a !Ref or
// !GetAtt of a resource whose physical value CloudFormation would
// generate and this package cannot guess.
type MissingError struct {
	Logical   string // logical id of the resource
	Attribute string // "" for !Ref
	Type      string // the resource's type
}

func (e *MissingError) Error() string {
	if e.Attribute == "" {
		return fmt.Sprintf("no value for !Ref %s (%s): set Params.Physical[%q]", e.Logical, e.Type, e.Logical)
	}
	key := e.Logical + "." + e.Attribute
	return fmt.Sprintf("no value for !GetAtt %s (%s): set Params.Attributes[%q]", key, e.Type, key)
}

// Template is a SAM/CloudFormation template with every intrinsic
// resolved for one set of Params.
type Template struct {
	mu        sync.Mutex // guards res, whose condition cache is a map
	params    Params
	doc       map[string]any
	res       *resolver
	functions map[string]*Function
	warnings  []error
}

// Load reads and resolves the template at path.
func Load(path string, p Params) (*Template, error) {
	data, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("iam: %w", err)
	}
	return Parse(data, p)
}

// Parse resolves a template (YAML or JSON). Every value that cannot be
// resolved is reported, joined, in the error; a MissingError among them
// names the Physical or Attributes entry to add.
func Parse(data []byte, p Params) (*Template, error) {
	raw, err := decodeTemplate(data)
	if err != nil {
		return nil, err
	}
	p = p.withDefaults()
	r := &resolver{p: p, raw: raw, conds: map[string]bool{}, condBusy: map[string]bool{}}
	if err := r.init(); err != nil {
		return nil, err
	}
	t := &Template{params: p, res: r}
	var errs []error
	t.doc, errs = r.resolveDocument()
	if len(errs) > 0 {
		return nil, errors.Join(errs...)
	}
	if err := t.buildFunctions(); err != nil {
		return nil, err
	}
	return t, nil
}

// Params returns the parameters in effect, defaults filled in.
func (t *Template) Params() Params { return t.params }

// Doc returns a copy of the resolved document: Conditions hold their
// boolean values, resources and outputs whose condition is false are
// gone, AWS::NoValue keys are removed and SAM Globals are merged into
// each AWS::Serverless::Function. Numbers are float64, as encoding/json
// gives them.
func (t *Template) Doc() map[string]any {
	c, _ := deepCopy(t.doc).(map[string]any)
	return c
}

// Warnings lists what the package could not model faithfully (condition
// operators it does not evaluate, an explicit execution Role, ...). A
// test should fail on them or log them.
func (t *Template) Warnings() []error { return append([]error(nil), t.warnings...) }

// Ref returns what !Ref name gives: a parameter, a pseudo parameter or a
// resource's physical name or id.
func (t *Template) Ref(name string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, err := t.res.ref(name)
	if err != nil {
		return "", fmt.Errorf("iam: %w", err)
	}
	return stringify(v)
}

// GetAtt returns what !GetAtt logical.attr gives.
func (t *Template) GetAtt(logical, attr string) (string, error) {
	t.mu.Lock()
	defer t.mu.Unlock()
	v, err := t.res.getAtt(logical, attr)
	if err != nil {
		return "", fmt.Errorf("iam: %w", err)
	}
	return v, nil
}

// noValue is what !Ref AWS::NoValue resolves to: its key is removed.
type noValueT struct{}

var noValue = noValueT{}

type resolver struct {
	p         Params
	raw       map[string]any
	params    map[string]any // resolved template parameters
	resources map[string]map[string]any
	mappings  map[string]any
	condDefs  map[string]any
	conds     map[string]bool
	condBusy  map[string]bool
}

func (r *resolver) init() error {
	r.resources = map[string]map[string]any{}
	if rs, ok := r.raw["Resources"].(map[string]any); ok {
		for id, v := range rs {
			m, ok := v.(map[string]any)
			if !ok {
				return fmt.Errorf("iam: Resources.%s is not a mapping", id)
			}
			r.resources[id] = m
		}
	}
	r.mappings, _ = r.raw["Mappings"].(map[string]any)
	r.condDefs, _ = r.raw["Conditions"].(map[string]any)
	r.mergeGlobals()

	r.params = map[string]any{}
	decl, _ := r.raw["Parameters"].(map[string]any)
	for name := range r.p.Parameters {
		if _, ok := decl[name]; !ok {
			return fmt.Errorf("iam: Params.Parameters[%q]: the template has no such parameter", name)
		}
	}
	for name, d := range decl {
		dm, _ := d.(map[string]any)
		val, set := r.p.Parameters[name]
		if !set {
			def, ok := dm["Default"]
			if !ok {
				continue // an error only when referenced
			}
			s, err := stringify(def)
			if err != nil {
				return fmt.Errorf("iam: Parameters.%s.Default: %w", name, err)
			}
			val = s
		}
		typ, _ := dm["Type"].(string)
		if typ == "CommaDelimitedList" || strings.HasPrefix(typ, "List<") {
			var list []any
			for _, s := range strings.Split(val, ",") {
				list = append(list, strings.TrimSpace(s))
			}
			r.params[name] = list
		} else {
			r.params[name] = val
		}
	}
	return nil
}

// mergeGlobals applies Globals.Function to every AWS::Serverless::Function
// as the SAM transform does: a function's own scalar wins, maps merge,
// lists add up.
func (r *resolver) mergeGlobals() {
	globals, _ := r.raw["Globals"].(map[string]any)
	fg, _ := globals["Function"].(map[string]any)
	if len(fg) == 0 {
		return
	}
	for _, res := range r.resources {
		if res["Type"] != "AWS::Serverless::Function" {
			continue
		}
		props, _ := res["Properties"].(map[string]any)
		merged, _ := mergeGlobal(fg, props).(map[string]any)
		res["Properties"] = merged
	}
}

func mergeGlobal(global, local any) any {
	switch g := global.(type) {
	case map[string]any:
		l, ok := local.(map[string]any)
		if local == nil {
			l, ok = map[string]any{}, true
		}
		if !ok || isIntrinsic(l) || isIntrinsic(g) {
			return local
		}
		out := map[string]any{}
		for k, v := range g {
			out[k] = deepCopy(v)
		}
		for k, v := range l {
			if gv, ok := g[k]; ok {
				out[k] = mergeGlobal(gv, v)
			} else {
				out[k] = v
			}
		}
		return out
	case []any:
		if l, ok := local.([]any); ok {
			return append(deepCopy(g).([]any), l...)
		}
	}
	if local == nil {
		return deepCopy(global)
	}
	return local
}

func isIntrinsic(m map[string]any) bool {
	if len(m) != 1 {
		return false
	}
	for k := range m {
		return k == "Ref" || strings.HasPrefix(k, "Fn::")
	}
	return false
}

// resolveDocument resolves every section that CloudFormation resolves.
func (r *resolver) resolveDocument() (map[string]any, []error) {
	var errs []error
	out := map[string]any{}
	for k, v := range r.raw {
		switch k {
		case "Resources", "Outputs", "Conditions", "Globals":
		default:
			out[k] = deepCopy(v)
		}
	}
	if len(r.condDefs) > 0 {
		conds := map[string]any{}
		for _, name := range sortedKeys(r.condDefs) {
			b, err := r.condition(name)
			if err != nil {
				errs = append(errs, fmt.Errorf("iam: Conditions.%s: %w", name, err))
				continue
			}
			conds[name] = b
		}
		out["Conditions"] = conds
	}
	if g, ok := r.raw["Globals"]; ok {
		v, err := r.resolve(g, "Globals")
		if err != nil {
			errs = append(errs, err)
		} else {
			out["Globals"] = v
		}
	}
	for _, section := range []string{"Resources", "Outputs"} {
		items, ok := r.raw[section].(map[string]any)
		if !ok {
			continue
		}
		resolved := map[string]any{}
		for _, id := range sortedKeys(items) {
			item, _ := items[id].(map[string]any)
			if ok, err := r.itemCondition(item); err != nil {
				errs = append(errs, fmt.Errorf("iam: %s.%s.Condition: %w", section, id, err))
				continue
			} else if !ok {
				continue
			}
			v, err := r.resolve(items[id], section+"."+id)
			if err != nil {
				errs = append(errs, err)
				continue
			}
			resolved[id] = v
		}
		out[section] = resolved
	}
	return out, errs
}

// itemCondition tells whether a resource or output with a Condition
// attribute exists.
func (r *resolver) itemCondition(item map[string]any) (bool, error) {
	c, ok := item["Condition"]
	if !ok {
		return true, nil
	}
	name, ok := c.(string)
	if !ok {
		return false, errors.New("not a condition name")
	}
	return r.condition(name)
}

// resolve walks v, replacing intrinsics. path names the place for errors.
func (r *resolver) resolve(v any, path string) (any, error) {
	switch x := v.(type) {
	case map[string]any:
		if len(x) == 1 {
			for k, arg := range x {
				if k == "Ref" || strings.HasPrefix(k, "Fn::") {
					out, err := r.intrinsic(k, arg, path)
					if err != nil {
						var pe *pathError
						if errors.As(err, &pe) {
							return nil, err
						}
						return nil, &pathError{path: path, err: err}
					}
					return out, nil
				}
			}
		}
		out := make(map[string]any, len(x))
		for _, k := range sortedKeys(x) {
			rv, err := r.resolve(x[k], path+"."+k)
			if err != nil {
				return nil, err
			}
			if rv == noValue {
				continue
			}
			out[k] = rv
		}
		return out, nil
	case []any:
		out := make([]any, 0, len(x))
		for i, e := range x {
			rv, err := r.resolve(e, fmt.Sprintf("%s[%d]", path, i))
			if err != nil {
				return nil, err
			}
			if rv == noValue {
				continue
			}
			out = append(out, rv)
		}
		return out, nil
	}
	return v, nil
}

// pathError places an error in the template.
type pathError struct {
	path string
	err  error
}

func (e *pathError) Error() string { return "iam: " + e.path + ": " + e.err.Error() }
func (e *pathError) Unwrap() error { return e.err }

func (r *resolver) intrinsic(name string, arg any, path string) (any, error) {
	switch name {
	case "Ref":
		a, err := r.resolveString(arg, path)
		if err != nil {
			return nil, err
		}
		return r.ref(a)
	case "Fn::GetAtt":
		var logical, attr string
		switch a := arg.(type) {
		case string:
			var ok bool
			logical, attr, ok = strings.Cut(a, ".")
			if !ok {
				return nil, fmt.Errorf("Fn::GetAtt %q: want Logical.Attribute", a)
			}
		case []any:
			if len(a) != 2 {
				return nil, errors.New("Fn::GetAtt: want [Logical, Attribute]")
			}
			var err error
			if logical, err = r.resolveString(a[0], path); err != nil {
				return nil, err
			}
			if attr, err = r.resolveString(a[1], path); err != nil {
				return nil, err
			}
		default:
			return nil, errors.New("Fn::GetAtt: want a string or a list")
		}
		return r.getAtt(logical, attr)
	case "Fn::Sub":
		return r.sub(arg, path)
	case "Fn::If":
		a, ok := arg.([]any)
		if !ok || len(a) != 3 {
			return nil, errors.New("Fn::If: want [Condition, ValueIfTrue, ValueIfFalse]")
		}
		cname, ok := a[0].(string)
		if !ok {
			return nil, errors.New("Fn::If: the condition must be a name")
		}
		b, err := r.condition(cname)
		if err != nil {
			return nil, err
		}
		if b {
			return r.resolve(a[1], path)
		}
		return r.resolve(a[2], path)
	case "Fn::Join":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, errors.New("Fn::Join: want [Delimiter, [Values]]")
		}
		delim, err := r.resolveString(a[0], path)
		if err != nil {
			return nil, err
		}
		lv, err := r.resolve(a[1], path)
		if err != nil {
			return nil, err
		}
		list, ok := lv.([]any)
		if !ok {
			return nil, errors.New("Fn::Join: the values are not a list")
		}
		parts := make([]string, len(list))
		for i, e := range list {
			if parts[i], err = stringify(e); err != nil {
				return nil, fmt.Errorf("Fn::Join: %w", err)
			}
		}
		return strings.Join(parts, delim), nil
	case "Fn::Select":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, errors.New("Fn::Select: want [Index, [Values]]")
		}
		is, err := r.resolveString(a[0], path)
		if err != nil {
			return nil, err
		}
		i, err := strconv.Atoi(is)
		if err != nil {
			return nil, fmt.Errorf("Fn::Select: index %q: %w", is, err)
		}
		lv, err := r.resolve(a[1], path)
		if err != nil {
			return nil, err
		}
		list, ok := lv.([]any)
		if !ok {
			return nil, errors.New("Fn::Select: the values are not a list")
		}
		if i < 0 || i >= len(list) {
			return nil, fmt.Errorf("Fn::Select: index %d out of %d values", i, len(list))
		}
		return list[i], nil
	case "Fn::Split":
		a, ok := arg.([]any)
		if !ok || len(a) != 2 {
			return nil, errors.New("Fn::Split: want [Delimiter, Source]")
		}
		delim, err := r.resolveString(a[0], path)
		if err != nil {
			return nil, err
		}
		src, err := r.resolveString(a[1], path)
		if err != nil {
			return nil, err
		}
		var out []any
		for _, s := range strings.Split(src, delim) {
			out = append(out, s)
		}
		return out, nil
	case "Fn::Equals", "Fn::Not", "Fn::And", "Fn::Or":
		return r.evalCondition(map[string]any{name: arg}, path)
	case "Fn::Base64":
		s, err := r.resolveString(arg, path)
		if err != nil {
			return nil, err
		}
		return base64.StdEncoding.EncodeToString([]byte(s)), nil
	case "Fn::FindInMap":
		a, ok := arg.([]any)
		if !ok || len(a) < 3 {
			return nil, errors.New("Fn::FindInMap: want [MapName, TopLevelKey, SecondLevelKey]")
		}
		keys := make([]string, 3)
		for i := range keys {
			var err error
			if keys[i], err = r.resolveString(a[i], path); err != nil {
				return nil, err
			}
		}
		m, _ := r.mappings[keys[0]].(map[string]any)
		top, _ := m[keys[1]].(map[string]any)
		v, ok := top[keys[2]]
		if !ok {
			return nil, fmt.Errorf("Fn::FindInMap: no %s.%s.%s", keys[0], keys[1], keys[2])
		}
		return r.resolve(v, path)
	case "Fn::GetAZs":
		var out []any
		for _, z := range []string{"a", "b", "c"} {
			out = append(out, r.p.Region+z)
		}
		return out, nil
	}
	return nil, fmt.Errorf("%s is not supported", name)
}

func (r *resolver) resolveString(v any, path string) (string, error) {
	rv, err := r.resolve(v, path)
	if err != nil {
		return "", err
	}
	return stringify(rv)
}

// sub implements Fn::Sub in both forms.
func (r *resolver) sub(arg any, path string) (any, error) {
	var tmpl string
	vars := map[string]any{}
	switch a := arg.(type) {
	case string:
		tmpl = a
	case []any:
		if len(a) != 2 {
			return nil, errors.New("Fn::Sub: want String or [String, {Var: Value}]")
		}
		s, ok := a[0].(string)
		if !ok {
			return nil, errors.New("Fn::Sub: the template must be a string")
		}
		tmpl = s
		m, ok := a[1].(map[string]any)
		if !ok {
			return nil, errors.New("Fn::Sub: the variables must be a mapping")
		}
		for k, v := range m {
			rv, err := r.resolve(v, path+".Fn::Sub."+k)
			if err != nil {
				return nil, err
			}
			vars[k] = rv
		}
	default:
		return nil, errors.New("Fn::Sub: want String or [String, {Var: Value}]")
	}
	var b strings.Builder
	for {
		i := strings.Index(tmpl, "${")
		if i < 0 {
			b.WriteString(tmpl)
			break
		}
		b.WriteString(tmpl[:i])
		rest := tmpl[i+2:]
		j := strings.Index(rest, "}")
		if j < 0 {
			return nil, fmt.Errorf("Fn::Sub: unclosed ${ in %q", tmpl)
		}
		name := strings.TrimSpace(rest[:j])
		tmpl = rest[j+1:]
		if strings.HasPrefix(name, "!") {
			b.WriteString("${" + name[1:] + "}")
			continue
		}
		var v any
		var err error
		if val, ok := vars[name]; ok {
			v = val
		} else if logical, attr, ok := strings.Cut(name, "."); ok && !strings.HasPrefix(name, "AWS::") {
			v, err = r.getAtt(logical, attr)
		} else {
			v, err = r.ref(name)
		}
		if err != nil {
			return nil, fmt.Errorf("Fn::Sub ${%s}: %w", name, err)
		}
		s, err := stringify(v)
		if err != nil {
			return nil, fmt.Errorf("Fn::Sub ${%s}: %w", name, err)
		}
		b.WriteString(s)
	}
	return b.String(), nil
}

// condition evaluates a named condition once.
func (r *resolver) condition(name string) (bool, error) {
	if b, ok := r.conds[name]; ok {
		return b, nil
	}
	def, ok := r.condDefs[name]
	if !ok {
		return false, fmt.Errorf("unknown condition %q", name)
	}
	if r.condBusy[name] {
		return false, fmt.Errorf("condition %q refers to itself", name)
	}
	r.condBusy[name] = true
	defer delete(r.condBusy, name)
	v, err := r.evalCondition(def, "Conditions."+name)
	if err != nil {
		return false, err
	}
	r.conds[name] = v
	return v, nil
}

// evalCondition evaluates a condition expression: Fn::Equals, Fn::Not,
// Fn::And, Fn::Or or {Condition: Name}.
func (r *resolver) evalCondition(v any, path string) (bool, error) {
	switch x := v.(type) {
	case bool:
		return x, nil
	case string:
		return strconv.ParseBool(x)
	case map[string]any:
		if len(x) != 1 {
			break
		}
		for k, arg := range x {
			list, _ := arg.([]any)
			switch k {
			case "Condition":
				name, ok := arg.(string)
				if !ok {
					return false, errors.New("a {Condition: ...} must name a condition")
				}
				return r.condition(name)
			case "Fn::Equals":
				if len(list) != 2 {
					return false, errors.New("Fn::Equals: want [A, B]")
				}
				a, err := r.resolve(list[0], path)
				if err != nil {
					return false, err
				}
				b, err := r.resolve(list[1], path)
				if err != nil {
					return false, err
				}
				return equalValues(a, b), nil
			case "Fn::Not":
				if len(list) != 1 {
					return false, errors.New("Fn::Not: want [Condition]")
				}
				b, err := r.evalCondition(list[0], path)
				return !b, err
			case "Fn::And", "Fn::Or":
				if len(list) < 2 || len(list) > 10 {
					return false, fmt.Errorf("%s: want 2 to 10 conditions", k)
				}
				and := k == "Fn::And"
				for _, c := range list {
					b, err := r.evalCondition(c, path)
					if err != nil {
						return false, err
					}
					if and && !b {
						return false, nil
					}
					if !and && b {
						return true, nil
					}
				}
				return and, nil
			default:
				rv, err := r.resolve(x, path)
				if err != nil {
					return false, err
				}
				return r.evalCondition(rv, path)
			}
		}
	}
	return false, fmt.Errorf("not a condition: %v", v)
}

func equalValues(a, b any) bool {
	as, aerr := stringify(a)
	bs, berr := stringify(b)
	if aerr == nil && berr == nil {
		return as == bs
	}
	al, aok := a.([]any)
	bl, bok := b.([]any)
	if !aok || !bok || len(al) != len(bl) {
		return false
	}
	for i := range al {
		if !equalValues(al[i], bl[i]) {
			return false
		}
	}
	return true
}

// ref resolves !Ref name.
func (r *resolver) ref(name string) (any, error) {
	p := r.p
	switch name {
	case "AWS::StackName":
		return p.StackName, nil
	case "AWS::AccountId":
		return p.AccountID, nil
	case "AWS::Region":
		return p.Region, nil
	case "AWS::Partition":
		return p.Partition, nil
	case "AWS::URLSuffix":
		if p.Partition == "aws-cn" {
			return "amazonaws.com.cn", nil
		}
		return "amazonaws.com", nil
	case "AWS::NoValue":
		return noValue, nil
	case "AWS::StackId":
		return fmt.Sprintf("arn:%s:cloudformation:%s:%s:stack/%s/00000000-0000-0000-0000-000000000000", p.Partition, p.Region, p.AccountID, p.StackName), nil
	case "AWS::NotificationARNs":
		return []any{}, nil
	}
	if v, ok := r.params[name]; ok {
		return v, nil
	}
	if decl, _ := r.raw["Parameters"].(map[string]any); decl != nil {
		if _, ok := decl[name]; ok {
			return nil, fmt.Errorf("parameter %s has no Default: set Params.Parameters[%q]", name, name)
		}
	}
	if _, ok := r.resources[name]; ok {
		return r.resourceRef(name)
	}
	return nil, fmt.Errorf("!Ref %s: no such parameter or resource", name)
}

// resource returns a resource's type and raw properties, refusing one
// whose Condition is false.
func (r *resolver) resource(id string) (string, map[string]any, error) {
	res, ok := r.resources[id]
	if !ok {
		return "", nil, fmt.Errorf("no resource %s", id)
	}
	if ok, err := r.itemCondition(res); err != nil {
		return "", nil, err
	} else if !ok {
		return "", nil, fmt.Errorf("resource %s is not created (its condition is false)", id)
	}
	typ, _ := res["Type"].(string)
	props, _ := res["Properties"].(map[string]any)
	return typ, props, nil
}

// name is a resource's physical name: the naming property, else
// Physical[id], else "{StackName}-{LogicalId}".
func (r *resolver) name(id string, props map[string]any, prop string) (string, error) {
	if v, ok := props[prop]; ok {
		return r.resolveString(v, "Resources."+id+".Properties."+prop)
	}
	if v, ok := r.p.Physical[id]; ok {
		return v, nil
	}
	return r.p.StackName + "-" + id, nil
}

func (r *resolver) resourceRef(id string) (any, error) {
	typ, props, err := r.resource(id)
	if err != nil {
		return nil, err
	}
	p := r.p
	switch typ {
	case "AWS::S3::Bucket":
		if v, ok := props["BucketName"]; ok {
			return r.resolveString(v, "Resources."+id+".Properties.BucketName")
		}
		if v, ok := p.Physical[id]; ok {
			return v, nil
		}
		// S3 bucket names are lower case; so are the ones CloudFormation generates.
		return strings.ToLower(p.StackName + "-" + id), nil
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable":
		return r.name(id, props, "TableName")
	case "AWS::SQS::Queue":
		n, err := r.name(id, props, "QueueName")
		if err != nil {
			return nil, err
		}
		return fmt.Sprintf("https://sqs.%s.amazonaws.com/%s/%s", p.Region, p.AccountID, n), nil
	case "AWS::SNS::Topic":
		n, err := r.name(id, props, "TopicName")
		if err != nil {
			return nil, err
		}
		return fmt.Sprintf("arn:%s:sns:%s:%s:%s", p.Partition, p.Region, p.AccountID, n), nil
	case "AWS::Serverless::Function", "AWS::Lambda::Function":
		return r.name(id, props, "FunctionName")
	case "AWS::IAM::Role":
		return r.name(id, props, "RoleName")
	}
	if v, ok := p.Physical[id]; ok {
		return v, nil
	}
	return nil, &MissingError{Logical: id, Type: typ}
}

// getAtt resolves !GetAtt logical.attr.
func (r *resolver) getAtt(id, attr string) (string, error) {
	if v, ok := r.p.Attributes[id+"."+attr]; ok {
		return v, nil
	}
	typ, props, err := r.resource(id)
	if err != nil {
		return "", err
	}
	p := r.p
	refString := func() (string, error) {
		v, err := r.resourceRef(id)
		if err != nil {
			return "", err
		}
		return stringify(v)
	}
	switch typ {
	case "AWS::S3::Bucket":
		n, err := refString()
		if err != nil {
			return "", err
		}
		switch attr {
		case "Arn":
			return fmt.Sprintf("arn:%s:s3:::%s", p.Partition, n), nil
		case "DomainName":
			return n + ".s3.amazonaws.com", nil
		case "RegionalDomainName":
			return fmt.Sprintf("%s.s3.%s.amazonaws.com", n, p.Region), nil
		case "DualStackDomainName":
			return fmt.Sprintf("%s.s3.dualstack.%s.amazonaws.com", n, p.Region), nil
		case "WebsiteURL":
			return fmt.Sprintf("http://%s.s3-website-%s.amazonaws.com", n, p.Region), nil
		}
	case "AWS::DynamoDB::Table", "AWS::DynamoDB::GlobalTable", "AWS::Serverless::SimpleTable":
		n, err := refString()
		if err != nil {
			return "", err
		}
		arn := fmt.Sprintf("arn:%s:dynamodb:%s:%s:table/%s", p.Partition, p.Region, p.AccountID, n)
		switch attr {
		case "Arn":
			return arn, nil
		case "StreamArn":
			if _, ok := props["StreamSpecification"]; !ok && typ == "AWS::DynamoDB::Table" {
				return "", fmt.Errorf("!GetAtt %s.StreamArn: the table has no StreamSpecification", id)
			}
			return arn + "/stream/2026-01-01T00:00:00.000", nil
		}
	case "AWS::SQS::Queue":
		n, err := r.name(id, props, "QueueName")
		if err != nil {
			return "", err
		}
		switch attr {
		case "Arn":
			return fmt.Sprintf("arn:%s:sqs:%s:%s:%s", p.Partition, p.Region, p.AccountID, n), nil
		case "QueueName":
			return n, nil
		case "QueueUrl":
			return refString()
		}
	case "AWS::SNS::Topic":
		switch attr {
		case "TopicArn":
			return refString()
		case "TopicName":
			return r.name(id, props, "TopicName")
		}
	case "AWS::CloudFront::Distribution":
		n, err := refString()
		if err != nil {
			return "", err
		}
		switch attr {
		case "DomainName":
			return strings.ToLower(n) + ".cloudfront.net", nil
		case "Id":
			return n, nil
		}
	case "AWS::CloudFront::KeyValueStore":
		// CloudFormation makes the store's id (a UUID): the test bed names
		// it, as other generated names, in Physical.
		storeID, ok := p.Physical[id]
		if !ok {
			break
		}
		switch attr {
		case "Id":
			return storeID, nil
		case "Arn":
			return fmt.Sprintf("arn:%s:cloudfront::%s:key-value-store/%s", p.Partition, p.AccountID, storeID), nil
		case "Status":
			return "READY", nil
		}
	case "AWS::CloudFront::Function":
		switch attr {
		case "FunctionARN", "FunctionMetadata.FunctionARN":
			n, err := r.name(id, props, "Name")
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("arn:%s:cloudfront::%s:function/%s", p.Partition, p.AccountID, n), nil
		case "Stage":
			return "LIVE", nil
		}
	case "AWS::Serverless::Function", "AWS::Lambda::Function":
		if attr == "Arn" {
			n, err := refString()
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", p.Partition, p.Region, p.AccountID, n), nil
		}
	case "AWS::IAM::Role":
		if attr == "Arn" {
			n, err := refString()
			if err != nil {
				return "", err
			}
			return fmt.Sprintf("arn:%s:iam::%s:role/%s", p.Partition, p.AccountID, n), nil
		}
	}
	return "", &MissingError{Logical: id, Attribute: attr, Type: typ}
}

// stringify renders a scalar as CloudFormation would in a string.
func stringify(v any) (string, error) {
	switch x := v.(type) {
	case string:
		return x, nil
	case float64:
		return strconv.FormatFloat(x, 'f', -1, 64), nil
	case bool:
		return strconv.FormatBool(x), nil
	case nil:
		return "", errors.New("null where a string is needed")
	case noValueT:
		return "", errors.New("AWS::NoValue where a string is needed")
	}
	return "", fmt.Errorf("a %T where a string is needed", v)
}

func deepCopy(v any) any {
	switch x := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(x))
		for k, e := range x {
			out[k] = deepCopy(e)
		}
		return out
	case []any:
		out := make([]any, len(x))
		for i, e := range x {
			out[i] = deepCopy(e)
		}
		return out
	}
	return v
}

func sortedKeys[V any](m map[string]V) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}
