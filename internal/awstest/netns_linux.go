package awstest

import (
	"fmt"
	"io"
	"net"
	"os"
	"runtime"
	"sync"
	"syscall"

	"golang.org/x/sys/unix"
)

// DynamoDB Local has no option for the address it listens on: it takes
// every interface. Tests bind servers to 127.0.0.1 only, so it runs in a
// network namespace of its own (nothing outside can reach it there) and
// the test binary relays a loopback port of the host's namespace to it.
// Inside that namespace every port is free, so no other process can take
// its port either.

// isolatedAttr is ChildProcAttr for a process started in a new network
// namespace.
func isolatedAttr() *syscall.SysProcAttr {
	attr := ChildProcAttr()
	attr.Cloneflags = syscall.CLONE_NEWNET
	return attr
}

// inNetNS runs f on a thread that has joined the network namespace of
// process pid: sockets f creates belong to that namespace for their whole
// life, whichever thread uses them later.
func inNetNS(pid int, f func() error) error {
	done := make(chan error, 1)
	go func() {
		runtime.LockOSThread()
		own, err := os.Open("/proc/thread-self/ns/net")
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		defer own.Close()
		target, err := os.Open(fmt.Sprintf("/proc/%d/ns/net", pid))
		if err != nil {
			runtime.UnlockOSThread()
			done <- err
			return
		}
		defer target.Close()
		if err := unix.Setns(int(target.Fd()), unix.CLONE_NEWNET); err != nil {
			runtime.UnlockOSThread()
			done <- fmt.Errorf("joining the network namespace of process %d: %w", pid, err)
			return
		}
		ferr := f()
		if err := unix.Setns(int(own.Fd()), unix.CLONE_NEWNET); err != nil {
			// The thread stays locked: it ends with this goroutine
			// rather than serve others in the wrong namespace.
			done <- fmt.Errorf("leaving the network namespace of process %d: %w", pid, err)
			return
		}
		runtime.UnlockOSThread()
		done <- ferr
	}()
	return <-done
}

// loopbackUp brings up the loopback interface of process pid's network
// namespace (a new namespace has it down).
func loopbackUp(pid int) error {
	return inNetNS(pid, func() error {
		fd, err := unix.Socket(unix.AF_INET, unix.SOCK_DGRAM|unix.SOCK_CLOEXEC, 0)
		if err != nil {
			return err
		}
		defer unix.Close(fd)
		ifr, err := unix.NewIfreq("lo")
		if err != nil {
			return err
		}
		if err := unix.IoctlIfreq(fd, unix.SIOCGIFFLAGS, ifr); err != nil {
			return err
		}
		ifr.SetUint16(ifr.Uint16() | unix.IFF_UP)
		return unix.IoctlIfreq(fd, unix.SIOCSIFFLAGS, ifr)
	})
}

// relay forwards connections made to a loopback port of the test
// binary's namespace to 127.0.0.1:port in process pid's namespace.
type relay struct {
	ln     net.Listener
	pid    int
	port   string
	wg     sync.WaitGroup
	mu     sync.Mutex
	closed bool
	conns  map[net.Conn]struct{}
}

func startRelay(pid int, port string) (*relay, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	r := &relay{ln: ln, pid: pid, port: port, conns: map[net.Conn]struct{}{}}
	r.wg.Add(1)
	go r.serve()
	return r, nil
}

// Addr is the relay's host:port on 127.0.0.1.
func (r *relay) Addr() string { return r.ln.Addr().String() }

func (r *relay) serve() {
	defer r.wg.Done()
	for {
		c, err := r.ln.Accept()
		if err != nil {
			return
		}
		r.wg.Add(1)
		go func() {
			defer r.wg.Done()
			r.pipe(c)
		}()
	}
}

// track records an open connection so that Close can end it; it says
// false, having closed c, once the relay is closed.
func (r *relay) track(c net.Conn) bool {
	r.mu.Lock()
	defer r.mu.Unlock()
	if r.closed {
		c.Close()
		return false
	}
	r.conns[c] = struct{}{}
	return true
}

func (r *relay) untrack(c net.Conn) {
	r.mu.Lock()
	defer r.mu.Unlock()
	delete(r.conns, c)
	c.Close()
}

// pipe copies both ways between the client's connection and one made
// inside the namespace, passing each side's end of writing on.
func (r *relay) pipe(client net.Conn) {
	if !r.track(client) {
		return
	}
	defer r.untrack(client)
	var inner net.Conn
	err := inNetNS(r.pid, func() error {
		var err error
		inner, err = net.Dial("tcp", net.JoinHostPort("127.0.0.1", r.port))
		return err
	})
	if err != nil {
		return // the client sees its connection closed, as with nothing listening
	}
	if !r.track(inner) {
		return
	}
	defer r.untrack(inner)
	var copies sync.WaitGroup
	copies.Add(2)
	oneWay := func(dst, src net.Conn) {
		defer copies.Done()
		io.Copy(dst, src)
		if tc, ok := dst.(*net.TCPConn); ok {
			tc.CloseWrite()
		}
	}
	go oneWay(inner, client)
	go oneWay(client, inner)
	copies.Wait()
}

// Close stops accepting, ends open connections and waits for the
// relay's goroutines.
func (r *relay) Close() {
	r.ln.Close()
	r.mu.Lock()
	r.closed = true
	for c := range r.conns {
		c.Close()
	}
	r.mu.Unlock()
	r.wg.Wait()
}
