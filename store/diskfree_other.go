//go:build !linux

package store

// freeBytes is unknown here: a full disk is then seen only when a write
// fails with it (Health), not beforehand by `sahelbrief sources`.
func freeBytes(string) (uint64, bool) { return 0, false }
