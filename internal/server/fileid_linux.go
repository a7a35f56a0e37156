package server

import (
	"io/fs"
	"syscall"
)

// sysID adds the device, inode and inode change time: a file renamed
// over another is another inode, and a rewrite that puts the old
// modification time back (cp -p, rsync -t) still moves the change time.
func sysID(fi fs.FileInfo, id *fileID) {
	st, ok := fi.Sys().(*syscall.Stat_t)
	if !ok {
		return
	}
	id.dev, id.ino = uint64(st.Dev), uint64(st.Ino)
	sec, nsec := st.Ctim.Unix()
	id.ctime = sec*1e9 + nsec
}
