package iam

import (
	"errors"
	"fmt"
	"strings"
)

// Statement is one IAM policy statement of a function's execution role.
type Statement struct {
	Sid         string
	Effect      string   // "Allow" or "Deny"
	Action      []string // exclusive with NotAction
	NotAction   []string
	Resource    []string // exclusive with NotResource
	NotResource []string
	// Condition maps an operator to keys and their values.
	Condition map[string]map[string][]string
	// Source says where the statement comes from: "Policies[0].Statement[1]",
	// "policy template DynamoDBCrudPolicy (Policies[2]) statement 0", "managed policy
	// AWSLambdaBasicExecutionRole", "SAM: Events.Stream DestinationConfig.OnFailure".
	Source string
	// Own is true for statements the template's Policies grant (inline
	// documents and policy templates), false for what SAM or a managed
	// policy adds: only Own statements are listed by Grants.
	Own bool
}

// name is how decisions and grants refer to the statement.
func (s *Statement) name() string {
	if s.Sid != "" {
		return s.Sid + " (" + s.Source + ")"
	}
	return s.Source
}

// Call is one IAM authorization check: an action on a resource, with the
// request's condition keys.
type Call struct {
	Action   string            // "s3:GetObject"
	Resource string            // "arn:aws:s3:::bucket/key", or "*"
	Context  map[string]string // condition keys: "s3:prefix" -> "articles/"
}

// Decision is the outcome of evaluating a Call against a function's policy.
type Decision struct {
	Allowed bool
	// By names the statement that allowed or explicitly denied the call,
	// or says that nothing allowed it.
	By           string
	ExplicitDeny bool
	// Grants are the function's own grants (see Function.Grants) that
	// allow the call; empty when it was allowed only by what SAM added.
	Grants []Grant
}

// Grant is one action pattern on one resource pattern granted by one of
// the function's own Allow statements. For a NotAction (NotResource)
// statement, Action (Resource) reads "NotAction:a,b" ("NotResource:...").
type Grant struct {
	Statement string
	Action    string
	Resource  string
}

// operators the evaluator understands (each also with IfExists, but Null).
var operators = map[string]bool{
	"StringEquals": true, "StringNotEquals": true, "StringEqualsIgnoreCase": true, "StringNotEqualsIgnoreCase": true,
	"StringLike": true, "StringNotLike": true, "ArnEquals": true, "ArnLike": true, "ArnNotEquals": true, "ArnNotLike": true,
	"Bool": true, "Null": true,
}

func supportedOperator(op string) bool {
	if base, ok := strings.CutSuffix(op, "IfExists"); ok {
		return base != "Null" && operators[base]
	}
	return operators[op]
}

// Evaluate decides a call as IAM does for an identity-based policy: an
// explicit Deny wins, then any Allow, else the call is implicitly denied.
// An Allow whose condition uses an operator this package does not
// support never applies; such a Deny always applies (the template's
// Warnings list both).
func (f *Function) Evaluate(c Call) Decision {
	ctx := make(map[string]string, len(c.Context))
	for k, v := range c.Context {
		ctx[strings.ToLower(k)] = v
	}
	var allow *Statement
	var grants []Grant
	for i := range f.Policy {
		s := &f.Policy[i]
		if !s.matchesAction(c.Action) || !s.matchesResource(c.Resource) {
			continue
		}
		if !s.conditionHolds(ctx) {
			continue
		}
		if s.Effect == "Deny" {
			return Decision{By: s.name(), ExplicitDeny: true}
		}
		if allow == nil {
			allow = s
		}
		if s.Own {
			grants = append(grants, s.grantsFor(c)...)
		}
	}
	if allow == nil {
		return Decision{By: fmt.Sprintf("no statement allows %s on %s", c.Action, c.Resource)}
	}
	return Decision{Allowed: true, By: allow.name(), Grants: grants}
}

func (s *Statement) matchesAction(action string) bool {
	if len(s.NotAction) > 0 {
		return !anyMatch(s.NotAction, action, true)
	}
	return anyMatch(s.Action, action, true)
}

func (s *Statement) matchesResource(res string) bool {
	if len(s.NotResource) > 0 {
		return !anyMatch(s.NotResource, res, false)
	}
	return anyMatch(s.Resource, res, false)
}

func anyMatch(patterns []string, value string, fold bool) bool {
	for _, p := range patterns {
		if fold {
			if wildcard(strings.ToLower(p), strings.ToLower(value)) {
				return true
			}
		} else if wildcard(p, value) {
			return true
		}
	}
	return false
}

// grantsFor lists the statement's grants that cover the call.
func (s *Statement) grantsFor(c Call) []Grant {
	var out []Grant
	for _, g := range s.grants() {
		a := strings.HasPrefix(g.Action, "NotAction:") || wildcard(strings.ToLower(g.Action), strings.ToLower(c.Action))
		r := strings.HasPrefix(g.Resource, "NotResource:") || wildcard(g.Resource, c.Resource)
		if a && r {
			out = append(out, g)
		}
	}
	return out
}

// grants expands an Allow statement into action x resource pairs.
func (s *Statement) grants() []Grant {
	if s.Effect != "Allow" {
		return nil
	}
	actions := s.Action
	if len(s.NotAction) > 0 {
		actions = []string{"NotAction:" + strings.Join(s.NotAction, ",")}
	}
	resources := s.Resource
	if len(s.NotResource) > 0 {
		resources = []string{"NotResource:" + strings.Join(s.NotResource, ",")}
	}
	var out []Grant
	for _, a := range actions {
		for _, r := range resources {
			out = append(out, Grant{Statement: s.name(), Action: a, Resource: r})
		}
	}
	return out
}

// conditionHolds evaluates the Condition block: every operator and every
// key must hold (AND); the values of one key are alternatives (OR, or
// NOR for the negated operators).
func (s *Statement) conditionHolds(ctx map[string]string) bool {
	for op, keys := range s.Condition {
		if !supportedOperator(op) {
			if s.Effect == "Deny" {
				continue // conservative: the deny applies
			}
			return false
		}
		for key, values := range keys {
			if !evalOperator(op, ctx, strings.ToLower(key), values) {
				return false
			}
		}
	}
	return true
}

// evalOperator follows the IAM rules for a key missing from the request:
// "If the key that you specify in a policy condition is not present in
// the request context, the values do not match and the condition is
// false. If the policy condition requires that the key is not matched,
// such as StringNotLike or ArnNotLike, and the right key is not present,
// the condition is true", except for ...IfExists (true) and Null, which
// tests presence itself (IAM User Guide, "IAM JSON policy elements:
// Condition operators").
func evalOperator(op string, ctx map[string]string, key string, values []string) bool {
	v, present := ctx[key]
	if op == "Null" {
		for _, want := range values {
			if strings.EqualFold(want, "true") == !present {
				return true
			}
		}
		return false
	}
	base, ifExists := strings.CutSuffix(op, "IfExists")
	negated := strings.Contains(base, "Not")
	if !present {
		return ifExists || negated
	}
	match := false
	for _, want := range values {
		if matchOperator(base, want, v) {
			match = true
			break
		}
	}
	if negated {
		return !match
	}
	return match
}

func matchOperator(base, want, got string) bool {
	switch base {
	case "StringEquals", "StringNotEquals":
		return want == got
	case "StringEqualsIgnoreCase", "StringNotEqualsIgnoreCase":
		return strings.EqualFold(want, got)
	case "StringLike", "StringNotLike":
		return wildcard(want, got)
	case "ArnEquals", "ArnLike", "ArnNotEquals", "ArnNotLike":
		return arnLike(want, got)
	case "Bool":
		return strings.EqualFold(want, got)
	}
	return false
}

// arnLike matches ARNs component by component: a wildcard does not
// cross the first five colons.
func arnLike(pattern, arn string) bool {
	pp := strings.SplitN(pattern, ":", 6)
	ap := strings.SplitN(arn, ":", 6)
	if len(pp) != 6 || len(ap) != 6 {
		return wildcard(pattern, arn)
	}
	for i := range pp {
		if !wildcard(pp[i], ap[i]) {
			return false
		}
	}
	return true
}

// wildcard matches s against a pattern where * is any run of characters
// and ? any one character.
func wildcard(pattern, s string) bool {
	p, str := []rune(pattern), []rune(s)
	pi, si := 0, 0
	star, mark := -1, 0
	for si < len(str) {
		switch {
		case pi < len(p) && (p[pi] == '?' || p[pi] == str[si]):
			pi++
			si++
		case pi < len(p) && p[pi] == '*':
			star, mark = pi, si
			pi++
		case star >= 0:
			pi = star + 1
			mark++
			si = mark
		default:
			return false
		}
	}
	for pi < len(p) && p[pi] == '*' {
		pi++
	}
	return pi == len(p)
}

// parseStatements reads a policy document's Statement (one or a list).
func parseStatements(doc map[string]any, source string, own bool) ([]Statement, error) {
	raw, ok := doc["Statement"]
	if !ok {
		return nil, fmt.Errorf("%s: no Statement", source)
	}
	var list []any
	switch x := raw.(type) {
	case []any:
		list = x
	case map[string]any:
		list = []any{x}
	default:
		return nil, fmt.Errorf("%s: Statement is neither a statement nor a list", source)
	}
	var out []Statement
	for i, e := range list {
		m, ok := e.(map[string]any)
		if !ok {
			return nil, fmt.Errorf("%s.Statement[%d]: not a mapping", source, i)
		}
		s, err := parseStatement(m, fmt.Sprintf("%s.Statement[%d]", source, i), own)
		if err != nil {
			return nil, err
		}
		out = append(out, s)
	}
	return out, nil
}

func parseStatement(m map[string]any, source string, own bool) (Statement, error) {
	s := Statement{Source: source, Own: own}
	s.Sid, _ = m["Sid"].(string)
	s.Effect, _ = m["Effect"].(string)
	if s.Effect != "Allow" && s.Effect != "Deny" {
		return s, fmt.Errorf("%s: Effect %v is neither Allow nor Deny", source, m["Effect"])
	}
	var err error
	for _, f := range []struct {
		key string
		dst *[]string
	}{{"Action", &s.Action}, {"NotAction", &s.NotAction}, {"Resource", &s.Resource}, {"NotResource", &s.NotResource}} {
		if v, ok := m[f.key]; ok {
			if *f.dst, err = stringList(v); err != nil {
				return s, fmt.Errorf("%s.%s: %w", source, f.key, err)
			}
		}
	}
	if (len(s.Action) == 0) == (len(s.NotAction) == 0) {
		return s, fmt.Errorf("%s: needs exactly one of Action and NotAction", source)
	}
	if (len(s.Resource) == 0) == (len(s.NotResource) == 0) {
		return s, fmt.Errorf("%s: needs exactly one of Resource and NotResource", source)
	}
	if c, ok := m["Condition"]; ok {
		cm, ok := c.(map[string]any)
		if !ok {
			return s, fmt.Errorf("%s.Condition: not a mapping", source)
		}
		s.Condition = map[string]map[string][]string{}
		for op, kv := range cm {
			km, ok := kv.(map[string]any)
			if !ok {
				return s, fmt.Errorf("%s.Condition.%s: not a mapping", source, op)
			}
			s.Condition[op] = map[string][]string{}
			for k, v := range km {
				if s.Condition[op][k], err = stringList(v); err != nil {
					return s, fmt.Errorf("%s.Condition.%s.%s: %w", source, op, k, err)
				}
			}
		}
	}
	return s, nil
}

// stringList reads a string or a list of scalars.
func stringList(v any) ([]string, error) {
	switch x := v.(type) {
	case []any:
		out := make([]string, 0, len(x))
		for _, e := range x {
			s, err := stringify(e)
			if err != nil {
				return nil, err
			}
			out = append(out, s)
		}
		return out, nil
	case nil:
		return nil, errors.New("empty")
	}
	s, err := stringify(v)
	if err != nil {
		return nil, err
	}
	return []string{s}, nil
}
