package agentgate

import (
	"bytes"
	"fmt"
	"testing"
	"time"
)

// BenchmarkValidate measures intake checks on the gate check's body and on large params.
func BenchmarkValidate(b *testing.B) {
	var big bytes.Buffer
	big.WriteString(`{"items":[`)
	for i := range 2000 {
		if i > 0 {
			big.WriteByte(',')
		}
		fmt.Fprintf(&big, `{"id":%d,"name":"item %d","amount":%d.25,"tags":["a","b"],"ok":true}`, i, i, i*7)
	}
	big.WriteString(`]}`)
	for _, tc := range []struct{ name, params, context string }{
		{"gatecheck", `{"path":"/srv/app/README.md","bytes":4096}`, `{"agent":"bench","run":42}`},
		{"100KB", big.String(), `{}`},
	} {
		in := NewRequest{Action: "read_file", Params: []byte(tc.params), Context: []byte(tc.context), Urgency: "low"}
		b.Run(tc.name, func(b *testing.B) {
			b.SetBytes(int64(len(tc.params) + len(tc.context)))
			b.ReportAllocs()
			for b.Loop() {
				if _, err := in.Validate(time.Time{}); err != nil {
					b.Fatal(err)
				}
			}
		})
	}
}
