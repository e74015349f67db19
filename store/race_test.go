//go:build race

package store

// raceSlowdown scales the crash test's batches down under the race detector,
// which makes the SQLite engine (transpiled C) some 30 times slower.
const raceSlowdown = 8
