//go:build !linux && !darwin

package server

import "io/fs"

// sysID adds nothing here: size and modification time, with racyWindow,
// tell versions apart.
func sysID(fs.FileInfo, *fileID) {}
