// Package iam makes the test bed judge every AWS call the way IAM and S3
// would, where the local stand-ins (DynamoDB Local, gofakes3, recording
// CloudFront and SNS endpoints) judge nothing.
//
// It owns four things, for tests only:
//
//   - Template loading: Load and Parse resolve a SAM/CloudFormation
//     template's intrinsics (Ref, GetAtt, Sub, If and Conditions, Join,
//     Select, Split, AWS::NoValue, ...) for the parameters, pseudo
//     parameters and physical names a test chooses (Params). Doc gives the
//     resolved document, from which a harness reads event filters and
//     batching.
//   - Function identities: Functions builds, for each
//     AWS::Serverless::Function, the statements of the execution role SAM
//     would create: its Policies (inline documents, managed policies, SAM
//     policy templates) plus what SAM adds itself (the basic execution
//     role, the pull event sources' managed policies, and destination
//     permissions, only where the template gives the destination's Type).
//   - Policy evaluation: Function.Evaluate decides a Call as IAM does for
//     an identity-based policy, and Grants/Record/Unused make least
//     privilege a tested property.
//   - A recording, enforcing reverse proxy (NewProxy) in front of each
//     stand-in: it names the calling function from the SigV4 access key,
//     maps the request to IAM actions and ARNs (Mapper, following the
//     Service Authorization Reference), refuses what the policy does not
//     allow with the service's own AccessDenied answer, answers 403 for a
//     missing S3 key to callers without s3:ListBucket, reports S3 object
//     changes as event notifications would (OnMutation), and injects
//     faults before or after the service acts (Fault, RandomFaults).
package iam
