//go:build !race

package article_test

const raceDetector = false
