package db

import (
	"strconv"
	"testing"
)

// parseInt reads what SQLite writes for an INTEGER as strconv.ParseInt does, and refuses
// what strconv refuses.
func TestParseInt(t *testing.T) {
	for _, s := range []string{"0", "7", "-1", "1780000000000000", "-62135596800000000",
		"253402300799999999", "999999999999999999", "9223372036854775807", "-9223372036854775808",
		"9223372036854775808", "", "-", "1a", "+1", " 1", "--1", "12345678901234567890"} {
		want, wantErr := strconv.ParseInt(s, 10, 64)
		got, err := parseInt(s)
		if got != want || (err == nil) != (wantErr == nil) {
			t.Errorf("parseInt(%q) = %d, %v; want %d, %v", s, got, err, want, wantErr)
		}
	}
}
