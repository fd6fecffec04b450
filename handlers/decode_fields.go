package handlers

import (
	"bytes"
	"encoding/json"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"time"
)

// encoding/json refuses two mistakes with errors that have no type, only text that may
// change with any Go release: a key that names no field (under DisallowUnknownFields) and
// a time that is not a JSON string (time.Time's UnmarshalJSON). When a decode fails without
// a typed error, findFieldError reads the body again against the target's type and names
// the field at fault. It runs only on that error path, so a good body is decoded once.

// unknownFieldError is a key in the body that names no field of the type it decodes into.
type unknownFieldError struct {
	Key   string // the key as sent
	Field string // its dotted path, as encoding/json names fields: "rules.decison"
	Where string // the object that holds it, with indexes ("rules[0]"); "" at the top
}

func (e *unknownFieldError) Error() string { return "unknown field " + strconv.Quote(e.Field) }

// timeTypeError is a time field whose value is not a JSON string.
type timeTypeError struct {
	Field string // dotted path
}

func (e *timeTypeError) Error() string {
	return "field " + strconv.Quote(e.Field) + " is not a time string"
}

var (
	timeType        = reflect.TypeFor[time.Time]()
	unmarshalerType = reflect.TypeFor[json.Unmarshaler]()
)

// findFieldError returns the first time given as a non-string in body, as decoded into a
// value of type t, else the first unknown key, else nil. That is the order in which
// encoding/json reports them: a time's error ends decoding, an unknown key is noted and
// decoding goes on.
func findFieldError(body []byte, t reflect.Type) error {
	var w fieldWalk
	w.value(json.RawMessage(body), t, fieldPath{})
	switch {
	case w.badTime != nil:
		return w.badTime
	case w.unknown != nil:
		return w.unknown
	}
	return nil
}

// fieldWalk goes through a body along a type and notes the problems it finds.
type fieldWalk struct {
	badTime *timeTypeError     // stops the walk
	unknown *unknownFieldError // the first one
}

// fieldPath is where walkFields is: the dotted path encoding/json reports and the same
// with array indexes, for people.
type fieldPath struct{ dotted, indexed string }

func (p fieldPath) field(name string) fieldPath {
	if p.dotted == "" {
		return fieldPath{name, name}
	}
	return fieldPath{p.dotted + "." + name, p.indexed + "." + name}
}

func (p fieldPath) index(i int) fieldPath {
	return fieldPath{p.dotted, p.indexed + "[" + strconv.Itoa(i) + "]"}
}

// value walks raw decoded as t, in document order, until it finds a bad time. Values that
// do not parse or do not have the shape t expects are skipped: encoding/json words those
// errors itself, with types.
func (w *fieldWalk) value(raw json.RawMessage, t reflect.Type, at fieldPath) {
	for t.Kind() == reflect.Pointer {
		t = t.Elem()
	}
	switch {
	case t == timeType:
		if s := strings.TrimSpace(string(raw)); s != "null" && !strings.HasPrefix(s, `"`) {
			w.badTime = &timeTypeError{Field: at.dotted}
		}
		return
	case reflect.PointerTo(t).Implements(unmarshalerType):
		return // the type reads itself, with errors of its own
	}
	switch t.Kind() {
	case reflect.Struct:
		w.object(raw, t, at)
	case reflect.Slice, reflect.Array:
		var items []json.RawMessage
		if json.Unmarshal(raw, &items) != nil {
			return
		}
		for i, item := range items {
			if w.value(item, t.Elem(), at.index(i)); w.badTime != nil {
				return
			}
		}
	case reflect.Map:
		for _, e := range objectEntries(raw) {
			if w.value(e.value, t.Elem(), at.field(e.key)); w.badTime != nil {
				return
			}
		}
	}
}

// object checks each key of the object raw against struct type t's JSON fields.
func (w *fieldWalk) object(raw json.RawMessage, t reflect.Type, at fieldPath) {
	fields := jsonFields(t)
	for _, e := range objectEntries(raw) {
		f, ok := fields.lookup(e.key)
		if !ok {
			if w.unknown == nil {
				w.unknown = &unknownFieldError{Key: e.key, Field: at.field(e.key).dotted, Where: at.indexed}
			}
			continue
		}
		if w.value(e.value, f.typ, at.field(f.name)); w.badTime != nil {
			return
		}
	}
}

// objectEntry is one key of an object with its value.
type objectEntry struct {
	key   string
	value json.RawMessage
}

// objectEntries returns the entries of the object raw in the order encoding/json meets
// them, a key sent twice twice (as encoding/json decodes both), in one pass; nil when raw
// is not valid JSON or not an object.
func objectEntries(raw json.RawMessage) []objectEntry {
	if !json.Valid(raw) {
		return nil
	}
	dec := json.NewDecoder(bytes.NewReader(raw))
	if tok, err := dec.Token(); err != nil || tok != json.Delim('{') {
		return nil
	}
	var entries []objectEntry
	for dec.More() {
		tok, err := dec.Token()
		if err != nil {
			return entries
		}
		e := objectEntry{key: tok.(string)}
		if dec.Decode(&e.value) != nil {
			return entries
		}
		entries = append(entries, e)
	}
	return entries
}

// structFields are the JSON fields of a struct type, by name.
type structFields map[string]jsonField

type jsonField struct {
	name string // as encoding/json names it in errors: the key it is spelled as
	typ  reflect.Type
}

// lookup finds the field a key decodes into: the exact name, else one that matches
// ignoring case, as encoding/json does.
func (fs structFields) lookup(key string) (jsonField, bool) {
	if f, ok := fs[key]; ok {
		return f, true
	}
	for name, f := range fs {
		if strings.EqualFold(name, key) {
			return f, true
		}
	}
	return jsonField{}, false
}

// fieldCache holds jsonFields' answer per struct type, worked out once.
var fieldCache sync.Map // reflect.Type → structFields

// jsonFields lists the fields encoding/json decodes into for struct type t, with the
// fields of embedded structs promoted, as encoding/json promotes them.
func jsonFields(t reflect.Type) structFields {
	if fs, ok := fieldCache.Load(t); ok {
		return fs.(structFields)
	}
	fs := structFields{}
	addJSONFields(fs, t)
	fieldCache.Store(t, fs)
	return fs
}

// addJSONFields adds t's own fields first and then those of its embedded structs, so that
// a field declared at a shallower depth wins over a promoted one of the same name.
func addJSONFields(fs structFields, t reflect.Type) {
	var embedded []reflect.Type
	for i := range t.NumField() {
		f := t.Field(i)
		tag := f.Tag.Get("json")
		if tag == "-" {
			continue
		}
		name, _, _ := strings.Cut(tag, ",")
		ft := f.Type
		if ft.Kind() == reflect.Pointer {
			ft = ft.Elem()
		}
		switch {
		case f.Anonymous && name == "" && ft.Kind() == reflect.Struct:
			embedded = append(embedded, ft)
			continue
		case !f.IsExported():
			continue
		case name == "":
			name = f.Name
		}
		if _, taken := fs[name]; !taken {
			fs[name] = jsonField{name: name, typ: f.Type}
		}
	}
	for _, e := range embedded {
		addJSONFields(fs, e)
	}
}
