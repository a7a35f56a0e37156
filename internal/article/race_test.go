//go:build race

package article_test

// raceDetector is true when tests run with -race, whose instrumentation
// allocates several times what the code does: memory bounds are asserted
// in the run without it (make unit runs TestHostileFiles both ways).
const raceDetector = true
