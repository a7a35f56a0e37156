//go:build !linux

package awstest

import "syscall"

// Network namespaces are Linux's: elsewhere DynamoDB Local is not started
// (it would listen on every interface); point PRESSROOM_DYNAMODB_ENDPOINT
// at one of your own.

func isolatedAttr() *syscall.SysProcAttr { return nil }

func loopbackUp(int) error { return errNoNamespace }

type relay struct{}

func startRelay(int, string) (*relay, error) { return nil, errNoNamespace }

func (*relay) Addr() string { return "" }

func (*relay) Close() {}
