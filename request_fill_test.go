package agentgate

import (
	"encoding/json"
	"reflect"
	"strconv"
	"testing"
	"time"
)

// filler sets every field reachable from a value to something other than its zero value,
// each field to a value of its own, so that an encoder that drops or swaps a field shows.
// A field of a kind it does not know, or one it cannot set, fails the test by name: a new
// field is checked from the day it is added, not from the day someone adds it to a sample.
type filler struct {
	t testing.TB
	n int
}

var (
	rawMessageType = reflect.TypeFor[json.RawMessage]()
	timeType       = reflect.TypeFor[time.Time]()
)

// fill sets v, found at path, and everything in it.
func (f *filler) fill(v reflect.Value, path string) {
	f.t.Helper()
	f.n++
	switch v.Type() {
	case rawMessageType: // must be JSON; HTML characters make the encoder escape them
		v.SetBytes([]byte(`{"n":` + strconv.Itoa(f.n) + `,"html":"<a&b>"}`))
		return
	case timeType:
		v.Set(reflect.ValueOf(time.Date(2026, 11, 27, 15, 4, 5, f.n*1001, time.UTC)))
		return
	}
	switch v.Kind() {
	case reflect.String: // every other one needs escaping
		s := path + "-" + strconv.Itoa(f.n)
		if f.n%2 == 0 {
			s += ` "quoted" <é>`
		}
		v.SetString(s)
	case reflect.Bool:
		v.SetBool(true)
	case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64:
		v.SetInt(int64(f.n))
	case reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64:
		v.SetUint(uint64(f.n))
	case reflect.Float32, reflect.Float64:
		v.SetFloat(float64(f.n) + 0.5)
	case reflect.Pointer:
		p := reflect.New(v.Type().Elem())
		f.fill(p.Elem(), path)
		v.Set(p)
	case reflect.Slice:
		s := reflect.MakeSlice(v.Type(), 2, 2)
		for i := range 2 {
			f.fill(s.Index(i), path+"["+strconv.Itoa(i)+"]")
		}
		v.Set(s)
	case reflect.Map:
		m := reflect.MakeMapWithSize(v.Type(), 1)
		k, e := reflect.New(v.Type().Key()).Elem(), reflect.New(v.Type().Elem()).Elem()
		f.fill(k, path+".key")
		f.fill(e, path+".value")
		m.SetMapIndex(k, e)
		v.Set(m)
	case reflect.Struct:
		for i := range v.NumField() {
			name := path + "." + v.Type().Field(i).Name
			if !v.Field(i).CanSet() {
				f.t.Errorf("cannot fill %s: it is unexported; teach filler how to set it", name)
				continue
			}
			f.fill(v.Field(i), name)
		}
	default:
		f.t.Errorf("cannot fill %s of type %s; teach filler that kind", path, v.Type())
	}
	if v.IsZero() {
		f.t.Errorf("%s of type %s is still zero after filling", path, v.Type())
	}
}

// filled returns a T with every field set.
func filled[T any](t testing.TB) T {
	t.Helper()
	var v T
	name := reflect.TypeFor[T]().Name()
	if name == "" {
		name = reflect.TypeFor[T]().String()
	}
	(&filler{t: t}).fill(reflect.ValueOf(&v).Elem(), name)
	return v
}
