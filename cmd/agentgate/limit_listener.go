package main

import (
	"log/slog"
	"net"
	"sync"
	"sync/atomic"
	"time"
)

// limitListener serves at most max connections at once (MAX_CONNECTIONS). At the cap,
// Accept waits for a connection to close before it takes the next one, which waits in the
// kernel's queue meanwhile: a flood of connections that never finish a request cannot
// exhaust the process's file descriptors, and each of them is closed by the server's read
// timeouts, freeing its place.
type limitListener struct {
	net.Listener
	slots     chan struct{} // one token per open connection
	closed    chan struct{}
	closeOnce sync.Once
	log       *slog.Logger
	warned    atomic.Int64 // Unix seconds of the last "limit reached" warning
}

// limitWarnEvery spaces the warnings while the server stays at its cap.
const limitWarnEvery = time.Minute

func newLimitListener(l net.Listener, max int, log *slog.Logger) *limitListener {
	return &limitListener{Listener: l, slots: make(chan struct{}, max), closed: make(chan struct{}), log: log}
}

// Accept waits for a free place, then for a connection.
func (l *limitListener) Accept() (net.Conn, error) {
	select {
	case l.slots <- struct{}{}:
	default:
		l.warnFull()
		select {
		case l.slots <- struct{}{}:
		case <-l.closed:
			return nil, net.ErrClosed
		}
	}
	c, err := l.Listener.Accept()
	if err != nil {
		<-l.slots
		return nil, err
	}
	return &limitedConn{Conn: c, release: func() { <-l.slots }}, nil
}

// Close stops accepting; it also ends an Accept waiting for a place.
func (l *limitListener) Close() error {
	l.closeOnce.Do(func() { close(l.closed) })
	return l.Listener.Close()
}

// warnFull says, at most once a minute, that connections are waiting.
func (l *limitListener) warnFull() {
	now, last := time.Now().Unix(), l.warned.Load()
	if now-last >= int64(limitWarnEvery.Seconds()) && l.warned.CompareAndSwap(last, now) {
		l.log.Warn("Connection limit reached; new connections wait until one closes.", "max_connections", cap(l.slots))
	}
}

// limitedConn gives its place back when closed, once however often it is closed.
type limitedConn struct {
	net.Conn
	once    sync.Once
	release func()
}

func (c *limitedConn) Close() error {
	err := c.Conn.Close()
	c.once.Do(c.release)
	return err
}
