package server

import (
	"io/fs"
	"syscall"
)

// sysID adds the device, inode and inode change time, as on Linux.
func sysID(fi fs.FileInfo, id *fileID) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	id.dev, id.ino = uint64(st.Dev), st.Ino
	sec, nsec := st.Ctimespec.Unix()
	id.ctime = sec*1e9 + nsec
}
