// Command hello is aws-lambda-go's hello world: the floor the Lambda
// functions' size and start-up are measured against (issue 11;
// `.ci/compare-init`).
package main

import (
	"context"

	"github.com/aws/aws-lambda-go/lambda"
)

func handle(_ context.Context, name string) (string, error) {
	return "Hello " + name + "!", nil
}

func main() {
	lambda.Start(handle)
}
