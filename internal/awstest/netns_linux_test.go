package awstest

import (
	"context"
	"fmt"
	"net/url"
	"os"
	"testing"

	"github.com/aws/aws-sdk-go-v2/service/dynamodb"
)

func TestMain(m *testing.M) { Main(m) }

// TestDynamoDBLocalIsolated: the DynamoDB Local the tests start listens
// on every interface of a network namespace of its own, and the tests
// reach it through a relay on 127.0.0.1 only.
func TestDynamoDBLocalIsolated(t *testing.T) {
	if os.Getenv("PRESSROOM_DYNAMODB_ENDPOINT") != "" {
		t.Skip("an outside DynamoDB Local is in use")
	}
	endpoint := DynamoDBEndpoint(t)
	u, err := url.Parse(endpoint)
	if err != nil {
		t.Fatal(err)
	}
	if u.Hostname() != "127.0.0.1" {
		t.Errorf("endpoint %s: want 127.0.0.1", endpoint)
	}
	ours, err := os.Readlink("/proc/self/ns/net")
	if err != nil {
		t.Fatal(err)
	}
	theirs, err := os.Readlink(fmt.Sprintf("/proc/%d/ns/net", ddbCmd.Process.Pid))
	if err != nil {
		t.Fatal(err)
	}
	if ours == theirs {
		t.Fatalf("DynamoDB Local runs in the test binary's network namespace (%s)", ours)
	}
	// Through the relay, many requests over several connections.
	client := DynamoDB(endpoint)
	for i := 0; i < 20; i++ {
		if _, err := client.ListTables(context.Background(), &dynamodb.ListTablesInput{}); err != nil {
			t.Fatalf("request %d through the relay: %v", i, err)
		}
	}
}
