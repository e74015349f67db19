//go:build unix

package store

import (
	"io/fs"
	"syscall"
)

// fileID is a file's device and inode: a file deleted and recreated, or
// replaced by a rename, at the same path has another.
type fileID struct {
	dev, ino uint64
	known    bool
}

func idOf(fi fs.FileInfo) fileID {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return fileID{}
	}
	return fileID{dev: uint64(st.Dev), ino: uint64(st.Ino), known: true}
}

func sameID(a, b fileID) bool {
	return !a.known || !b.known || (a.dev == b.dev && a.ino == b.ino)
}
