//go:build !race

package store

// raceSlowdown scales the crash test's batches down under the race detector.
const raceSlowdown = 1
