// Package smtptest runs a minimal SMTP server on the loopback interface for
// tests: it accepts EHLO/HELO, MAIL, RCPT, DATA, RSET, NOOP and QUIT
// without TLS or authentication, and keeps every message it accepts.
package smtptest

import (
	"bufio"
	"net"
	"net/textproto"
	"strings"
	"sync"
	"time"
)

// Message is one accepted message.
type Message struct {
	From string
	To   []string
	Data string // headers and body as received, dot-unstuffed, LF line ends
}

// Server is a running test server.
type Server struct {
	// Addr is host:port.
	Addr string
	// OnData, when set, runs when a client sends DATA, before the server
	// answers; a test can block in it to act in the middle of a delivery.
	OnData func()

	ln      net.Listener
	mu      sync.Mutex
	conns   map[net.Conn]bool
	msgs    []Message
	changed chan struct{}
	wg      sync.WaitGroup
}

// Start listens on addr ("127.0.0.1:0" for any free port) and serves.
func Start(addr string) (*Server, error) {
	ln, err := net.Listen("tcp", addr)
	if err != nil {
		return nil, err
	}
	s := &Server{Addr: ln.Addr().String(), ln: ln, conns: map[net.Conn]bool{}, changed: make(chan struct{})}
	s.wg.Add(1)
	go s.serve()
	return s, nil
}

// Close stops listening and drops every open connection, like a mail
// server going down.
func (s *Server) Close() {
	s.ln.Close()
	s.mu.Lock()
	for c := range s.conns {
		c.Close()
	}
	s.mu.Unlock()
	s.wg.Wait()
}

// Messages returns what the server accepted so far.
func (s *Server) Messages() []Message {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]Message(nil), s.msgs...)
}

// Wait blocks until the server has accepted n messages or timeout passes.
func (s *Server) Wait(n int, timeout time.Duration) bool {
	deadline := time.After(timeout)
	for {
		s.mu.Lock()
		got, ch := len(s.msgs), s.changed
		s.mu.Unlock()
		if got >= n {
			return true
		}
		select {
		case <-ch:
		case <-deadline:
			return false
		}
	}
}

func (s *Server) serve() {
	defer s.wg.Done()
	for {
		c, err := s.ln.Accept()
		if err != nil {
			return
		}
		s.mu.Lock()
		s.conns[c] = true
		s.mu.Unlock()
		s.wg.Add(1)
		go func() {
			defer s.wg.Done()
			defer func() {
				s.mu.Lock()
				delete(s.conns, c)
				s.mu.Unlock()
				c.Close()
			}()
			s.session(c)
		}()
	}
}

func (s *Server) session(c net.Conn) {
	tp := textproto.NewConn(c)
	r := textproto.NewReader(bufio.NewReader(c))
	reply := func(format string, args ...any) bool { return tp.PrintfLine(format, args...) == nil }
	if !reply("220 smtptest ESMTP ready") {
		return
	}
	var cur Message
	for {
		line, err := r.ReadLine()
		if err != nil {
			return
		}
		verb, arg, _ := strings.Cut(line, " ")
		switch strings.ToUpper(verb) {
		case "EHLO":
			if !reply("250-smtptest greets %s", arg) || !reply("250-8BITMIME") || !reply("250 SMTPUTF8") {
				return
			}
		case "HELO":
			reply("250 smtptest")
		case "MAIL":
			cur = Message{From: addrArg(arg)}
			reply("250 OK")
		case "RCPT":
			cur.To = append(cur.To, addrArg(arg))
			reply("250 OK")
		case "DATA":
			if cur.From == "" || len(cur.To) == 0 {
				reply("503 need MAIL and RCPT first")
				continue
			}
			if s.OnData != nil {
				s.OnData()
			}
			if !reply("354 end data with <CR><LF>.<CR><LF>") {
				return
			}
			b, err := r.ReadDotBytes()
			if err != nil {
				return
			}
			cur.Data = string(b)
			s.mu.Lock()
			s.msgs = append(s.msgs, cur)
			close(s.changed)
			s.changed = make(chan struct{})
			s.mu.Unlock()
			cur = Message{}
			reply("250 OK queued")
		case "RSET":
			cur = Message{}
			reply("250 OK")
		case "NOOP":
			reply("250 OK")
		case "QUIT":
			reply("221 bye")
			return
		default:
			reply("502 command not implemented")
		}
	}
}

// addrArg extracts the address of "FROM:<a@b> SIZE=1" or "TO:<a@b>".
func addrArg(arg string) string {
	if i := strings.IndexByte(arg, '<'); i >= 0 {
		if j := strings.IndexByte(arg[i:], '>'); j > 0 {
			return arg[i+1 : i+j]
		}
	}
	return arg
}
