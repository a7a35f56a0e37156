//go:build !race

package pipeline_test

// raceDetector is true when the tests run under -race.
const raceDetector = false
