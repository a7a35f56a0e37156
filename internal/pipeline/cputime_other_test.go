//go:build !unix

package pipeline_test

import "time"

// cpuTime is unknown here: BenchmarkPublishScale reports no CPU time.
func cpuTime() time.Duration { return 0 }
