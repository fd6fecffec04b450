package mail_test

import (
	"bufio"
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"crypto/x509/pkix"
	"errors"
	"io"
	"math/big"
	"net"
	"strconv"
	"sync"
	"testing"
	"time"

	"github.com/emersion/go-sasl"
	"github.com/emersion/go-smtp"
)

// received is one message as the SMTP server got it.
type received struct {
	From string
	To   []string
	Data []byte
	TLS  bool
}

// smtpServer is a real SMTP server (emersion/go-smtp) on 127.0.0.1, recording what it gets.
type smtpServer struct {
	Port int
	// rcpt, when set, answers RCPT TO (nil accepts); n counts its calls from 1.
	rcpt     func(to string, n int) error
	user     string // non-empty: AUTH PLAIN with user and pass is required
	pass     string
	tls      *tls.Config // non-nil: STARTTLS is offered
	implicit bool        // the listener speaks TLS from the first byte

	mu    sync.Mutex
	rcpts int
	msgs  []received
}

// start serves on port (0: any free one) until the test ends.
func (s *smtpServer) start(t *testing.T, port int) *smtpServer {
	t.Helper()
	l, err := net.Listen("tcp", net.JoinHostPort("127.0.0.1", strconv.Itoa(port)))
	if err != nil {
		t.Fatal(err)
	}
	s.Port = l.Addr().(*net.TCPAddr).Port
	if s.implicit {
		l = tls.NewListener(l, s.tls)
	}
	srv := smtp.NewServer(smtp.BackendFunc(func(c *smtp.Conn) (smtp.Session, error) {
		_, isTLS := c.TLSConnectionState()
		sess := &session{srv: s, tls: isTLS || s.implicit, conn: c}
		if s.user != "" {
			return authSession{sess}, nil
		}
		return sess, nil
	}))
	srv.Domain = "mx.test"
	srv.AllowInsecureAuth = true // AUTH PLAIN without TLS, on loopback only
	srv.ReadTimeout, srv.WriteTimeout = 10*time.Second, 10*time.Second
	if !s.implicit {
		srv.TLSConfig = s.tls
	}
	go func() { _ = srv.Serve(l) }()
	t.Cleanup(func() { _ = srv.Close() })
	return s
}

func (s *smtpServer) messages() []received {
	s.mu.Lock()
	defer s.mu.Unlock()
	return append([]received(nil), s.msgs...)
}

type session struct {
	srv    *smtpServer
	conn   *smtp.Conn
	tls    bool
	authed bool
	from   string
	to     []string
}

func (s *session) Mail(from string, _ *smtp.MailOptions) error {
	if s.srv.user != "" && !s.authed {
		return smtp.ErrAuthRequired
	}
	s.from = from
	return nil
}

func (s *session) Rcpt(to string, _ *smtp.RcptOptions) error {
	s.srv.mu.Lock()
	s.srv.rcpts++
	n := s.srv.rcpts
	s.srv.mu.Unlock()
	if s.srv.rcpt != nil {
		if err := s.srv.rcpt(to, n); err != nil {
			return err
		}
	}
	s.to = append(s.to, to)
	return nil
}

func (s *session) Data(r io.Reader) error {
	b, err := io.ReadAll(r)
	if err != nil {
		return err
	}
	_, nowTLS := s.conn.TLSConnectionState()
	s.srv.mu.Lock()
	s.srv.msgs = append(s.srv.msgs, received{From: s.from, To: s.to, Data: b, TLS: s.tls || nowTLS})
	s.srv.mu.Unlock()
	return nil
}

func (s *session) Reset()        { s.from, s.to = "", nil }
func (s *session) Logout() error { return nil }

// authSession offers AUTH PLAIN; go-smtp advertises AUTH for sessions that implement it.
type authSession struct{ *session }

func (a authSession) AuthMechanisms() []string { return []string{sasl.Plain} }

func (a authSession) Auth(string) (sasl.Server, error) {
	return sasl.NewPlainServer(func(_, user, pass string) error {
		if user != a.srv.user || pass != a.srv.pass {
			return smtp.ErrAuthFailed
		}
		a.authed = true
		return nil
	}), nil
}

// smtpReply is an SMTP answer a test server gives.
func smtpReply(code int, enhanced smtp.EnhancedCode, msg string) error {
	return &smtp.SMTPError{Code: code, EnhancedCode: enhanced, Message: msg}
}

// selfSigned makes a certificate for 127.0.0.1 and the pool that trusts it.
func selfSigned(t *testing.T) (*tls.Config, *x509.CertPool) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	if err != nil {
		t.Fatal(err)
	}
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(1), Subject: pkix.Name{CommonName: "mx.test"},
		NotBefore: time.Now().Add(-time.Hour), NotAfter: time.Now().Add(time.Hour),
		IPAddresses: []net.IP{net.IPv4(127, 0, 0, 1)}, DNSNames: []string{"localhost"},
		KeyUsage: x509.KeyUsageDigitalSignature | x509.KeyUsageCertSign, BasicConstraintsValid: true, IsCA: true,
		ExtKeyUsage: []x509.ExtKeyUsage{x509.ExtKeyUsageServerAuth},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	if err != nil {
		t.Fatal(err)
	}
	cert, err := x509.ParseCertificate(der)
	if err != nil {
		t.Fatal(err)
	}
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	return &tls.Config{Certificates: []tls.Certificate{{Certificate: [][]byte{der}, PrivateKey: key, Leaf: cert}}}, pool
}

// freePort returns a port nothing listens on (a server may take it later).
func freePort(t *testing.T) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	port := l.Addr().(*net.TCPAddr).Port
	if err := l.Close(); err != nil && !errors.Is(err, net.ErrClosed) {
		t.Fatal(err)
	}
	return port
}

// hungServer greets, reads the client's first command and never answers it, as a hung
// server does, telling heard once it has the command; it returns its port.
func hungServer(t *testing.T, heard chan<- struct{}) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	var mu sync.Mutex
	var conns []net.Conn
	t.Cleanup(func() {
		_ = l.Close()
		mu.Lock()
		defer mu.Unlock()
		for _, c := range conns {
			_ = c.Close()
		}
	})
	go func() {
		for {
			c, err := l.Accept()
			if err != nil {
				return
			}
			mu.Lock()
			conns = append(conns, c)
			mu.Unlock()
			go func() {
				if _, err := io.WriteString(c, "220 mx.test ESMTP\r\n"); err != nil {
					return
				}
				if _, err := bufio.NewReader(c).ReadString('\n'); err == nil {
					heard <- struct{}{}
				}
			}()
		}
	}()
	return l.Addr().(*net.TCPAddr).Port
}
