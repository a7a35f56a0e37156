package iam

import (
	"fmt"
	"sort"
	"strings"
	"sync"
)

// Function is an AWS::Serverless::Function: its identity and the
// statements of the execution role SAM would create for it.
type Function struct {
	LogicalID string
	// Name is the function name (FunctionName, Physical, or "{Stack}-{LogicalId}").
	Name string
	// Arn is the function's ARN.
	Arn string
	// Role is the ARN of the execution role, as AccessDenied messages name it.
	Role string
	// Environment holds the resolved environment variables.
	Environment map[string]string
	// Policy is every statement of the role: the function's Policies
	// first (Own), then what SAM adds.
	Policy []Statement

	mu   sync.Mutex
	used map[Grant]int
}

// Functions returns the template's AWS::Serverless::Function resources,
// keyed by logical id. The same *Function values are returned on every
// call, so usage recorded on them (Record) is shared by every proxy
// built on this template.
func (t *Template) Functions() map[string]*Function {
	out := make(map[string]*Function, len(t.functions))
	for k, v := range t.functions {
		out[k] = v
	}
	return out
}

// Grants lists every (statement, action pattern, resource pattern) the
// function's own Allow statements grant (not what SAM adds), in template
// order.
func (f *Function) Grants() []Grant {
	var out []Grant
	for i := range f.Policy {
		if f.Policy[i].Own {
			out = append(out, f.Policy[i].grants()...)
		}
	}
	return out
}

// Record marks the grants that allowed a call as used. Safe for
// concurrent use.
func (f *Function) Record(d Decision) {
	if !d.Allowed || len(d.Grants) == 0 {
		return
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.used == nil {
		f.used = map[Grant]int{}
	}
	for _, g := range d.Grants {
		f.used[g]++
	}
}

// Used lists the grants recorded as used, in template order.
func (f *Function) Used() []Grant { return f.filterGrants(true) }

// Unused lists the grants no recorded call used: privileges the function
// holds but did not need in the calls seen ("granted but never used").
func (f *Function) Unused() []Grant { return f.filterGrants(false) }

func (f *Function) filterGrants(used bool) []Grant {
	f.mu.Lock()
	defer f.mu.Unlock()
	var out []Grant
	for _, g := range f.Grants() {
		if (f.used[g] > 0) == used {
			out = append(out, g)
		}
	}
	return out
}

// ResetUsage forgets the recorded usage.
func (f *Function) ResetUsage() {
	f.mu.Lock()
	defer f.mu.Unlock()
	f.used = nil
}

// managedPolicies are the AWS managed policies this package knows, with
// their documents as the AWS Managed Policy Reference
// (docs.aws.amazon.com/aws-managed-policy/latest/reference/) shows them.
var managedPolicies = map[string][]Statement{
	"AWSLambdaBasicExecutionRole": {{Effect: "Allow",
		Action:   []string{"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{"*"}}},
	"AWSLambdaDynamoDBExecutionRole": {{Effect: "Allow",
		Action: []string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator", "dynamodb:ListStreams",
			"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{"*"}}},
	"AWSLambdaKinesisExecutionRole": {{Effect: "Allow",
		Action: []string{"kinesis:DescribeStream", "kinesis:DescribeStreamSummary", "kinesis:GetRecords", "kinesis:GetShardIterator",
			"kinesis:ListShards", "kinesis:ListStreams", "kinesis:SubscribeToShard",
			"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{"*"}}},
	"AWSLambdaSQSQueueExecutionRole": {{Effect: "Allow",
		Action: []string{"sqs:ReceiveMessage", "sqs:DeleteMessage", "sqs:GetQueueAttributes",
			"logs:CreateLogGroup", "logs:CreateLogStream", "logs:PutLogEvents"},
		Resource: []string{"*"}}},
	"AWSXRayDaemonWriteAccess": {{Sid: "AWSXRayDaemonWriteAccess", Effect: "Allow",
		Action: []string{"xray:PutTraceSegments", "xray:PutTelemetryRecords", "xray:GetSamplingRules",
			"xray:GetSamplingTargets", "xray:GetSamplingStatisticSummaries"},
		Resource: []string{"*"}}},
}

// managedPolicy finds a managed policy by name or ARN
// (arn:aws:iam::aws:policy/service-role/AWSLambdaBasicExecutionRole).
func managedPolicy(ref string) (string, []Statement, bool) {
	name := ref
	if strings.HasPrefix(ref, "arn:") {
		_, after, ok := strings.Cut(ref, ":iam::aws:policy/")
		if !ok {
			return ref, nil, false
		}
		name = strings.TrimPrefix(after, "service-role/")
	}
	st, ok := managedPolicies[name]
	return name, st, ok
}

// templateStatement is one statement of a SAM policy template. Resources
// use {partition}, {region}, {account} and {Parameter} placeholders.
type templateStatement struct {
	actions   []string
	resources []string
}

type policyTemplate struct {
	params     []string
	statements []templateStatement
}

const (
	tableARN  = "arn:{partition}:dynamodb:{region}:{account}:table/{TableName}"
	indexARN  = tableARN + "/index/*"
	bucketARN = "arn:{partition}:s3:::{BucketName}"
	objectARN = bucketARN + "/*"
	queueARN  = "arn:{partition}:sqs:{region}:{account}:{QueueName}"
)

// policyTemplates are the expansions of SAM's policy templates, as
// samtranslator/policy_templates_data/policy_templates.json in
// aws/serverless-application-model defines them.
var policyTemplates = map[string]policyTemplate{
	"SQSSendMessagePolicy": {[]string{"QueueName"}, []templateStatement{
		{[]string{"sqs:SendMessage*"}, []string{queueARN}}}},
	"SQSPollerPolicy": {[]string{"QueueName"}, []templateStatement{
		{[]string{"sqs:ChangeMessageVisibility", "sqs:ChangeMessageVisibilityBatch", "sqs:DeleteMessage",
			"sqs:DeleteMessageBatch", "sqs:GetQueueAttributes", "sqs:ReceiveMessage"}, []string{queueARN}}}},
	"SNSPublishMessagePolicy": {[]string{"TopicName"}, []templateStatement{
		{[]string{"sns:Publish"}, []string{"arn:{partition}:sns:{region}:{account}:{TopicName}"}}}},
	"DynamoDBCrudPolicy": {[]string{"TableName"}, []templateStatement{
		{[]string{"dynamodb:GetItem", "dynamodb:DeleteItem", "dynamodb:PutItem", "dynamodb:Scan", "dynamodb:Query",
			"dynamodb:UpdateItem", "dynamodb:BatchWriteItem", "dynamodb:BatchGetItem", "dynamodb:DescribeTable",
			"dynamodb:ConditionCheckItem"}, []string{tableARN, indexARN}}}},
	"DynamoDBReadPolicy": {[]string{"TableName"}, []templateStatement{
		{[]string{"dynamodb:GetItem", "dynamodb:Scan", "dynamodb:Query", "dynamodb:BatchGetItem", "dynamodb:DescribeTable"},
			[]string{tableARN, indexARN}}}},
	"DynamoDBWritePolicy": {[]string{"TableName"}, []templateStatement{
		{[]string{"dynamodb:PutItem", "dynamodb:UpdateItem", "dynamodb:BatchWriteItem"}, []string{tableARN, indexARN}}}},
	"DynamoDBReconfigurePolicy": {[]string{"TableName"}, []templateStatement{
		{[]string{"dynamodb:UpdateTable"}, []string{tableARN}}}},
	"DynamoDBStreamReadPolicy": {[]string{"TableName", "StreamName"}, []templateStatement{
		{[]string{"dynamodb:DescribeStream", "dynamodb:GetRecords", "dynamodb:GetShardIterator"},
			[]string{tableARN + "/stream/{StreamName}"}},
		{[]string{"dynamodb:ListStreams"}, []string{tableARN + "/stream/*"}}}},
	"S3ReadPolicy": {[]string{"BucketName"}, []templateStatement{
		{[]string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:GetLifecycleConfiguration"},
			[]string{bucketARN, objectARN}}}},
	"S3WritePolicy": {[]string{"BucketName"}, []templateStatement{
		{[]string{"s3:PutObject", "s3:PutObjectAcl", "s3:PutLifecycleConfiguration"}, []string{bucketARN, objectARN}}}},
	"S3CrudPolicy": {[]string{"BucketName"}, []templateStatement{
		{[]string{"s3:GetObject", "s3:ListBucket", "s3:GetBucketLocation", "s3:GetObjectVersion", "s3:PutObject",
			"s3:PutObjectAcl", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration", "s3:DeleteObject"},
			[]string{bucketARN, objectARN}}}},
	"S3FullAccessPolicy": {[]string{"BucketName"}, []templateStatement{
		{[]string{"s3:GetObject", "s3:GetObjectAcl", "s3:GetObjectVersion", "s3:PutObject", "s3:PutObjectAcl",
			"s3:DeleteObject", "s3:DeleteObjectTagging", "s3:DeleteObjectVersionTagging", "s3:GetObjectTagging",
			"s3:GetObjectVersionTagging", "s3:PutObjectTagging", "s3:PutObjectVersionTagging"}, []string{objectARN}},
		{[]string{"s3:ListBucket", "s3:GetBucketLocation", "s3:GetLifecycleConfiguration", "s3:PutLifecycleConfiguration"},
			[]string{bucketARN}}}},
	"LambdaInvokePolicy": {[]string{"FunctionName"}, []templateStatement{
		{[]string{"lambda:InvokeFunction"}, []string{"arn:{partition}:lambda:{region}:{account}:function:{FunctionName}*"}}}},
	"CloudWatchPutMetricPolicy": {nil, []templateStatement{
		{[]string{"cloudwatch:PutMetricData"}, []string{"*"}}}},
	"EventBridgePutEventsPolicy": {[]string{"EventBusName"}, []templateStatement{
		{[]string{"events:PutEvents"}, []string{"arn:{partition}:events:{region}:{account}:event-bus/{EventBusName}"}}}},
	"KMSDecryptPolicy": {[]string{"KeyId"}, []templateStatement{
		{[]string{"kms:Decrypt"}, []string{"arn:{partition}:kms:{region}:{account}:key/{KeyId}"}}}},
	"SSMParameterReadPolicy": {[]string{"ParameterName"}, []templateStatement{
		{[]string{"ssm:DescribeParameters"}, []string{"*"}},
		{[]string{"ssm:GetParameters", "ssm:GetParameter", "ssm:GetParametersByPath"},
			[]string{"arn:{partition}:ssm:{region}:{account}:parameter/{ParameterName}"}}}},
	"AWSSecretsManagerGetSecretValuePolicy": {[]string{"SecretArn"}, []templateStatement{
		{[]string{"secretsmanager:GetSecretValue"}, []string{"{SecretArn}"}}}},
}

// expandTemplate turns {Name: {Param: value}} into statements.
func (t *Template) expandTemplate(name string, args any, source string) ([]Statement, error) {
	pt, ok := policyTemplates[name]
	if !ok {
		known := sortedKeys(policyTemplates)
		return nil, fmt.Errorf("%s: unknown SAM policy template or policy %q (known templates: %s)", source, name, strings.Join(known, ", "))
	}
	argMap, _ := args.(map[string]any)
	if args != nil && argMap == nil {
		return nil, fmt.Errorf("%s: %s: the parameters must be a mapping", source, name)
	}
	repl := []string{"{partition}", t.params.Partition, "{region}", t.params.Region, "{account}", t.params.AccountID}
	for _, p := range pt.params {
		v, ok := argMap[p]
		if !ok {
			return nil, fmt.Errorf("%s: %s needs the parameter %s", source, name, p)
		}
		s, err := stringify(v)
		if err != nil {
			return nil, fmt.Errorf("%s: %s.%s: %w", source, name, p, err)
		}
		repl = append(repl, "{"+p+"}", s)
	}
	r := strings.NewReplacer(repl...)
	var out []Statement
	for i, ts := range pt.statements {
		s := Statement{Effect: "Allow", Action: ts.actions, Own: true,
			Source: fmt.Sprintf("policy template %s (%s) statement %d", name, source, i)}
		for _, res := range ts.resources {
			s.Resource = append(s.Resource, r.Replace(res))
		}
		out = append(out, s)
	}
	return out, nil
}

func (t *Template) buildFunctions() error {
	t.functions = map[string]*Function{}
	resources, _ := t.doc["Resources"].(map[string]any)
	for _, id := range sortedKeys(resources) {
		res, _ := resources[id].(map[string]any)
		if res["Type"] != "AWS::Serverless::Function" {
			continue
		}
		f, err := t.buildFunction(id, res)
		if err != nil {
			return fmt.Errorf("iam: %s: %w", id, err)
		}
		t.functions[id] = f
	}
	return nil
}

func (t *Template) buildFunction(id string, res map[string]any) (*Function, error) {
	props, _ := res["Properties"].(map[string]any)
	nameV, err := t.res.resourceRef(id)
	if err != nil {
		return nil, err
	}
	name, err := stringify(nameV)
	if err != nil {
		return nil, err
	}
	p := t.params
	roleName := p.StackName + "-" + id + "Role"
	if len(roleName) > 64 {
		roleName = roleName[:64]
	}
	f := &Function{
		LogicalID:   id,
		Name:        name,
		Arn:         fmt.Sprintf("arn:%s:lambda:%s:%s:function:%s", p.Partition, p.Region, p.AccountID, name),
		Role:        fmt.Sprintf("arn:%s:iam::%s:role/%s", p.Partition, p.AccountID, roleName),
		Environment: map[string]string{},
	}
	if env, ok := props["Environment"].(map[string]any); ok {
		vars, _ := env["Variables"].(map[string]any)
		for k, v := range vars {
			s, err := stringify(v)
			if err != nil {
				return nil, fmt.Errorf("Environment.Variables.%s: %w", k, err)
			}
			f.Environment[k] = s
		}
	}
	if role, ok := props["Role"]; ok {
		t.warn("%s: has an explicit Role (%v): SAM then ignores Policies and this package knows no statement for it, so every call is denied", id, role)
		return f, nil
	}
	if _, ok := props["PermissionsBoundary"]; ok {
		t.warn("%s: PermissionsBoundary is not evaluated", id)
	}
	if props["Tracing"] == "Active" {
		t.warn("%s: Tracing: Active makes SAM add an X-Ray policy this package does not model", id)
	}
	if _, ok := props["VpcConfig"]; ok {
		t.warn("%s: VpcConfig makes SAM add a VPC access policy this package does not model", id)
	}
	own, err := t.policies(props["Policies"])
	if err != nil {
		return nil, err
	}
	sam, err := t.samAdditions(id, props)
	if err != nil {
		return nil, err
	}
	f.Policy = append(own, sam...)
	for _, s := range f.Policy {
		for op := range s.Condition {
			if supportedOperator(op) {
				continue
			}
			if s.Effect == "Allow" {
				t.warn("%s: %s: condition operator %s is not supported: this Allow never applies", id, s.name(), op)
			} else {
				t.warn("%s: %s: condition operator %s is not supported: this Deny always applies", id, s.name(), op)
			}
		}
	}
	return f, nil
}

func (t *Template) warn(format string, args ...any) {
	t.warnings = append(t.warnings, fmt.Errorf("iam: "+format, args...))
}

// policies reads a function's Policies: a managed policy name or ARN, an
// inline policy document, a SAM policy template, or a list of these.
func (t *Template) policies(v any) ([]Statement, error) {
	if v == nil {
		return nil, nil
	}
	list, ok := v.([]any)
	if !ok {
		return t.policy(v, "Policies")
	}
	var out []Statement
	for i, e := range list {
		st, err := t.policy(e, fmt.Sprintf("Policies[%d]", i))
		if err != nil {
			return nil, err
		}
		out = append(out, st...)
	}
	return out, nil
}

func (t *Template) policy(v any, source string) ([]Statement, error) {
	switch x := v.(type) {
	case string:
		name, st, ok := managedPolicy(x)
		if !ok {
			return nil, fmt.Errorf("%s: unknown managed policy %q (known: %s)", source, x, strings.Join(sortedKeys(managedPolicies), ", "))
		}
		return t.managed(name, st, source, false), nil
	case map[string]any:
		if _, ok := x["Statement"]; ok {
			return parseStatements(x, source, true)
		}
		if len(x) != 1 {
			return nil, fmt.Errorf("%s: neither a policy document nor a policy template", source)
		}
		for name, args := range x {
			return t.expandTemplate(name, args, source)
		}
	}
	return nil, fmt.Errorf("%s: unexpected %T", source, v)
}

// managed copies a managed policy's statements, labelled.
func (t *Template) managed(name string, st []Statement, source string, own bool) []Statement {
	out := make([]Statement, len(st))
	for i, s := range st {
		s.Own = own
		s.Source = "managed policy " + name
		if source != "" {
			s.Source += " (" + source + ")"
		}
		out[i] = s
	}
	return out
}

// samAdditions builds what the SAM transform adds to the execution role
// it creates, as samtranslator (aws/serverless-application-model) does:
//   - AWSLambdaBasicExecutionRole, always;
//   - for a pull event source, its managed policy: DynamoDB ->
//     AWSLambdaDynamoDBExecutionRole, Kinesis -> AWSLambdaKinesisExecutionRole,
//     SQS -> AWSLambdaSQSQueueExecutionRole (samtranslator/model/eventsources/pull.py,
//     get_policy_arn);
//   - for the event's DestinationConfig.OnFailure, sqs:SendMessage or
//     sns:publish on Destination, but only when OnFailure has Type: pull.py
//     says "SAM attaches the policies for SQS or SNS only if 'Type' is
//     given", and the CloudFormation OnFailure itself has no Type. Without
//     Type nothing is granted, and Lambda fails to deliver the record;
//   - for EventInvokeConfig.DestinationConfig.OnSuccess/OnFailure, again
//     only when Type is given (samtranslator/model/sam_resources.py,
//     _add_event_invoke_managed_policy): sqs:SendMessage (SQS), sns:publish
//     (SNS), events:PutEvents (EventBridge), lambda:InvokeFunction (Lambda);
//     the SAM OnFailure page says "SAM will add any necessary permissions
//     to the auto-generated IAM Role ... to access the resource referenced"
//     (docs.aws.amazon.com/serverless-application-model/latest/developerguide/sam-property-function-onfailure.html);
//   - for DeadLetterQueue, sqs:SendMessage or sns:Publish on TargetArn.
func (t *Template) samAdditions(id string, props map[string]any) ([]Statement, error) {
	var out []Statement
	added := map[string]bool{}
	addManaged := func(name, source string) {
		if added[name] {
			return
		}
		added[name] = true
		out = append(out, t.managed(name, managedPolicies[name], source, false)...)
	}
	addManaged("AWSLambdaBasicExecutionRole", "added by SAM")
	send := func(typ, dest, source string) (Statement, bool) {
		actions := map[string]string{"SQS": "sqs:SendMessage", "SNS": "sns:publish",
			"EventBridge": "events:PutEvents", "Lambda": "lambda:InvokeFunction"}
		a, ok := actions[typ]
		if !ok {
			return Statement{}, false
		}
		return Statement{Effect: "Allow", Action: []string{a}, Resource: []string{dest},
			Source: "SAM: " + source + " (" + typ + ")"}, true
	}

	events, _ := props["Events"].(map[string]any)
	for _, name := range sortedKeys(events) {
		ev, _ := events[name].(map[string]any)
		typ, _ := ev["Type"].(string)
		evProps, _ := ev["Properties"].(map[string]any)
		switch typ {
		case "DynamoDB":
			addManaged("AWSLambdaDynamoDBExecutionRole", "added by SAM for Events."+name)
		case "Kinesis":
			addManaged("AWSLambdaKinesisExecutionRole", "added by SAM for Events."+name)
		case "SQS":
			addManaged("AWSLambdaSQSQueueExecutionRole", "added by SAM for Events."+name)
		case "MSK", "MQ", "SelfManagedKafka", "DocumentDB":
			t.warn("%s: Events.%s: SAM adds permissions for %s events that this package does not model", id, name, typ)
			continue
		default:
			continue
		}
		dc, _ := evProps["DestinationConfig"].(map[string]any)
		onFailure, _ := dc["OnFailure"].(map[string]any)
		dtype, _ := onFailure["Type"].(string)
		if dtype == "" {
			continue // no Type: SAM adds nothing
		}
		if dtype != "SQS" && dtype != "SNS" {
			return nil, fmt.Errorf("Events.%s.DestinationConfig.OnFailure.Type %q: SAM accepts only SQS and SNS", name, dtype)
		}
		dest, err := stringify(onFailure["Destination"])
		if err != nil {
			return nil, fmt.Errorf("Events.%s.DestinationConfig.OnFailure.Destination: %w", name, err)
		}
		s, _ := send(dtype, dest, "Events."+name+".DestinationConfig.OnFailure")
		out = append(out, s)
	}

	eic, _ := props["EventInvokeConfig"].(map[string]any)
	dc, _ := eic["DestinationConfig"].(map[string]any)
	for _, which := range []string{"OnSuccess", "OnFailure"} {
		d, _ := dc[which].(map[string]any)
		dtype, _ := d["Type"].(string)
		if dtype == "" {
			continue
		}
		source := "EventInvokeConfig.DestinationConfig." + which
		destV, ok := d["Destination"]
		if !ok {
			t.warn("%s: %s: Type %s without Destination makes SAM create the destination; its permission is not modelled", id, source, dtype)
			continue
		}
		dest, err := stringify(destV)
		if err != nil {
			return nil, fmt.Errorf("%s.Destination: %w", source, err)
		}
		s, ok := send(dtype, dest, source)
		if !ok {
			t.warn("%s: %s: destination Type %s is not modelled", id, source, dtype)
			continue
		}
		out = append(out, s)
	}

	if dlq, ok := props["DeadLetterQueue"].(map[string]any); ok {
		typ, _ := dlq["Type"].(string)
		target, err := stringify(dlq["TargetArn"])
		if err != nil {
			return nil, fmt.Errorf("DeadLetterQueue.TargetArn: %w", err)
		}
		action := map[string]string{"SQS": "sqs:SendMessage", "SNS": "sns:Publish"}[typ]
		if action == "" {
			return nil, fmt.Errorf("DeadLetterQueue.Type %q: want SQS or SNS", typ)
		}
		out = append(out, Statement{Effect: "Allow", Action: []string{action}, Resource: []string{target},
			Source: "SAM: DeadLetterQueue (" + typ + ")"})
	}
	return out, nil
}

// sortedGrants orders grants for stable reports.
func sortedGrants(gs []Grant) []Grant {
	sort.Slice(gs, func(i, j int) bool {
		a, b := gs[i], gs[j]
		if a.Statement != b.Statement {
			return a.Statement < b.Statement
		}
		if a.Action != b.Action {
			return a.Action < b.Action
		}
		return a.Resource < b.Resource
	})
	return gs
}
