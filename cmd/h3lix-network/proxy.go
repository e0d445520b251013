package main

import (
	"io"
	"net"
	"sync"
)

// proxy forwards TCP connections from a loopback port to a target. While
// cut, it drops every open connection and resets new ones at once, as a
// severed link would; the listener stays, so the port survives the cut.
// Each worker reaches the chain (RPC, gRPC, REST) and is reached by its
// peers (IPFS) only through its own proxies, so cutting them isolates it.
type proxy struct {
	ln     net.Listener
	target string

	mu    sync.Mutex
	cut   bool
	conns map[net.Conn]struct{}
}

func newProxy(target string) (*proxy, error) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		return nil, err
	}
	p := &proxy{ln: ln, target: target, conns: map[net.Conn]struct{}{}}
	go p.serve()
	return p, nil
}

// Port is the proxy's loopback port.
func (p *proxy) Port() int { return p.ln.Addr().(*net.TCPAddr).Port }

// Addr is 127.0.0.1:Port.
func (p *proxy) Addr() string { return p.ln.Addr().String() }

func (p *proxy) serve() {
	for {
		c, err := p.ln.Accept()
		if err != nil {
			return
		}
		go p.forward(c)
	}
}

func (p *proxy) forward(c net.Conn) {
	p.mu.Lock()
	if p.cut {
		p.mu.Unlock()
		_ = c.Close()
		return
	}
	p.mu.Unlock()
	t, err := net.Dial("tcp", p.target)
	if err != nil {
		_ = c.Close()
		return
	}
	p.mu.Lock()
	if p.cut { // cut while dialing
		p.mu.Unlock()
		_ = c.Close()
		_ = t.Close()
		return
	}
	p.conns[c], p.conns[t] = struct{}{}, struct{}{}
	p.mu.Unlock()
	done := make(chan struct{}, 2)
	pipe := func(dst, src net.Conn) {
		_, _ = io.Copy(dst, src)
		done <- struct{}{}
	}
	go pipe(t, c)
	go pipe(c, t)
	<-done
	_ = c.Close()
	_ = t.Close()
	<-done
	p.mu.Lock()
	delete(p.conns, c)
	delete(p.conns, t)
	p.mu.Unlock()
}

// SetCut cuts (true) or restores (false) the link.
func (p *proxy) SetCut(cut bool) {
	p.mu.Lock()
	defer p.mu.Unlock()
	p.cut = cut
	if cut {
		for c := range p.conns {
			_ = c.Close()
		}
	}
}

// Close stops the proxy and drops its connections.
func (p *proxy) Close() {
	_ = p.ln.Close()
	p.SetCut(true)
}
