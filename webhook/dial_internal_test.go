package webhook

import (
	"context"
	"errors"
	"testing"
)

// TestDialControl tests the check the client runs on the exact address it is about to
// connect to, in the forms the net package hands it.
func TestDialControl(t *testing.T) {
	tests := []struct {
		network, address string
		allowPrivate     bool
		refused          bool
	}{
		{"tcp4", "93.184.215.14:443", false, false},
		{"tcp6", "[2606:4700:4700::1111]:443", false, false},
		{"tcp4", "127.0.0.1:8080", false, true},
		{"tcp4", "127.0.0.1:8080", true, false},
		{"tcp4", "10.0.0.5:80", false, true},
		{"tcp4", "192.168.1.1:80", false, true},
		{"tcp6", "[::1]:8080", false, true},
		{"tcp6", "[::ffff:127.0.0.1]:8080", false, true},
		{"tcp6", "[fe80::1%eth0]:80", false, true},
		{"tcp6", "[fe80::1%eth0]:80", true, false},
		{"tcp4", "169.254.169.254:80", true, true},
		{"tcp6", "[::ffff:169.254.169.254]:80", true, true},
		{"tcp6", "[fd00:ec2::254]:80", true, true},
		{"tcp4", "0.0.0.0:3000", true, true},
		{"tcp4", "224.0.0.1:80", true, true},
	}
	for _, tt := range tests {
		err := dialControl(tt.allowPrivate)(context.Background(), tt.network, tt.address, nil)
		var refused *AddrError
		if tt.refused != errors.As(err, &refused) || (!tt.refused && err != nil) {
			t.Errorf("dial %s %s (allowPrivate=%v) = %v, want refused=%v", tt.network, tt.address, tt.allowPrivate, err, tt.refused)
		}
	}
	// An address the check cannot read is not dialled: fail closed.
	for _, address := range []string{"", "localhost:80", "127.0.0.1", "[::1]"} {
		if err := dialControl(true)(context.Background(), "tcp", address, nil); err == nil {
			t.Errorf("dial %q was allowed", address)
		}
	}
}
