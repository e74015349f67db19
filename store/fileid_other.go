//go:build !unix

package store

import "io/fs"

// fileID is empty where the platform gives no portable file identity
// through os.Stat: only a deleted file is noticed there, not a replaced one.
type fileID struct{}

func idOf(fs.FileInfo) fileID { return fileID{} }

func sameID(fileID, fileID) bool { return true }
