package views

import (
	"bytes"
	"encoding/json"
	"strings"
	"unicode/utf8"
)

// A request's params and context are laid out as a tree a person can read at any size:
// objects as labelled fields that fold, strings as text with their real line breaks, SQL
// and shell commands with their destructive words marked. The layout is bounded: past
// TreeLimit bytes of text or treeNodes values the rest is left out, and the page says how
// much.

// TreeLimit is the most text (keys and values, in bytes) one tree shows: as much as a
// pretty-printed value (PrettyLimit).
const TreeLimit = PrettyLimit

// treeNodes is the most values one tree shows; maxTreeDepth the deepest level laid out as
// fields (deeper values are shown as their JSON text).
const (
	treeNodes    = 4000
	maxTreeDepth = 32
)

// Node kinds.
const (
	KindObject = "object"
	KindArray  = "array"
	KindString = "string"
	KindNumber = "number"
	KindBool   = "bool"
	KindNull   = "null"
	KindJSON   = "json" // a value deeper than maxTreeDepth, or text that is not JSON
)

// Node is one JSON value laid out for reading.
type Node struct {
	Kind   string
	Key    string    // the field name, or "" for array items and the root
	Index  int       // the position in an array, from 0
	Text   []Segment // a scalar's text (a string without its quotes)
	Block  bool      // a string shown as a text block: it has line breaks or is long
	Lang   string    // "sql" or "shell" when the string reads as one
	Danger bool      // the string holds a destructive word
	Kids   []Node    // an object's fields or an array's items
	Copy   string    // what the copy button copies: the string, or compact JSON
	Depth  int
}

// Tree is a laid-out JSON document.
type Tree struct {
	Root Node
	More int // bytes of the document left out; 0 when all of it is shown
}

// Fields reports how many fields or items a node has, in words: "3 fields", "40 items".
func (n Node) Fields() string {
	if n.Kind == KindArray {
		return Count(len(n.Kids), "item")
	}
	return Count(len(n.Kids), "field")
}

// Open reports whether an object or array starts unfolded: the first levels, and any
// small enough to take in at a glance.
func (n Node) Open() bool { return n.Depth < 2 || len(n.Kids) <= 6 }

// LayOut builds the tree of raw, a JSON document, within the bounds above.
func LayOut(raw []byte) Tree {
	b := &treeBuilder{raw: raw, budget: TreeLimit, nodes: treeNodes}
	dec := json.NewDecoder(bytes.NewReader(raw))
	dec.UseNumber()
	b.dec = dec
	root, ok := b.value("", 0)
	switch {
	case len(bytes.TrimSpace(raw)) == 0:
		return Tree{Root: Node{Kind: KindObject, Copy: "{}"}}
	case !ok:
		return Tree{Root: b.plain(raw), More: max(len(raw)-TreeLimit, 0)}
	}
	t := Tree{Root: root}
	if b.cut {
		t.More = len(raw) - b.cutAt
	}
	return t
}

// treeBuilder reads a document's tokens into nodes, spending budget bytes and nodes.
type treeBuilder struct {
	raw    []byte
	dec    *json.Decoder
	budget int
	nodes  int
	cut    bool // the bounds were reached
	cutAt  int  // the offset in raw where showing stopped
}

func (b *treeBuilder) stop() {
	if !b.cut {
		b.cut, b.cutAt = true, int(b.dec.InputOffset())
	}
}

// value reads the next value; ok is false when the document ends or is not JSON.
func (b *treeBuilder) value(key string, depth int) (Node, bool) {
	if depth >= maxTreeDepth {
		var raw json.RawMessage
		if b.dec.Decode(&raw) != nil {
			return Node{}, false
		}
		n := b.plain(raw)
		n.Key, n.Depth = key, depth
		return n, true
	}
	tok, err := b.dec.Token()
	if err != nil {
		return Node{}, false
	}
	b.nodes--
	n := Node{Key: key, Depth: depth}
	switch t := tok.(type) {
	case json.Delim:
		n.Kind = KindObject
		if t == '[' {
			n.Kind = KindArray
		}
		start := int(b.dec.InputOffset()) - 1
		b.kids(&n)
		if end := int(b.dec.InputOffset()); !b.cut && end-start <= copyLimit {
			n.Copy = compactJSON(b.raw[start:end])
		}
	case string:
		n.Kind = KindString
		if len(t) <= copyLimit {
			n.Copy = t
		}
		n.Text, n.Block, n.Lang, n.Danger = b.text(key, t)
	case json.Number:
		n.Kind, n.Copy, n.Text = KindNumber, t.String(), []Segment{{Text: t.String()}}
	case bool:
		n.Kind, n.Copy = KindBool, "false"
		if t {
			n.Copy = "true"
		}
		n.Text = []Segment{{Text: n.Copy}}
	case nil:
		n.Kind, n.Copy, n.Text = KindNull, "null", []Segment{{Text: "null"}}
	}
	return n, true
}

// copyLimit is the largest value (a string's bytes, an object's or array's compact JSON)
// given a copy button: the text rides in the page, so huge ones would double its size. The
// whole of a larger value is at the raw link.
const copyLimit = 16 << 10

// kids reads an object's fields or an array's items, up to the closing delimiter.
func (b *treeBuilder) kids(n *Node) {
	for i := 0; b.dec.More(); i++ {
		if b.cut || b.nodes <= 0 || b.budget <= 0 {
			b.stop()
			b.skipRest()
			return
		}
		key := ""
		if n.Kind == KindObject {
			tok, err := b.dec.Token()
			if err != nil {
				return
			}
			key, _ = tok.(string)
			b.budget -= len(key)
		}
		kid, ok := b.value(key, n.Depth+1)
		if !ok {
			return
		}
		kid.Index = i
		n.Kids = append(n.Kids, kid)
	}
	_, _ = b.dec.Token() // the closing delimiter
}

// skipRest reads past the rest of the current object or array.
func (b *treeBuilder) skipRest() {
	for depth := 1; depth > 0; {
		tok, err := b.dec.Token()
		if err != nil {
			return
		}
		if d, ok := tok.(json.Delim); ok {
			if d == '{' || d == '[' {
				depth++
			} else {
				depth--
			}
		}
	}
}

// text lays out a string within the budget: a block when it has line breaks or is long,
// with destructive words marked when it reads as SQL or a shell command.
func (b *treeBuilder) text(key, s string) ([]Segment, bool, string, bool) {
	if len(s) > b.budget {
		cut := max(b.budget, 0)
		for cut > 0 && !utf8.RuneStart(s[cut]) {
			cut--
		}
		b.stop()
		b.cutAt -= len(s) - cut // the string's tail is left out too
		s = s[:cut]
	}
	b.budget -= len(s)
	block := strings.Contains(s, "\n") || utf8.RuneCountInString(s) > 80
	lang := codeLanguage(key, s)
	segs, danger := markDanger(lang, s)
	return segs, block, lang, danger
}

// plain is a node for text shown as it is: a value nested too deep, or a document that
// is not JSON, within the budget.
func (b *treeBuilder) plain(raw []byte) Node {
	s := string(raw)
	if len(s) > b.budget {
		s = strings.ToValidUTF8(s[:max(b.budget, 0)], "")
		b.stop()
	}
	b.budget -= len(s)
	n := Node{Kind: KindJSON, Text: Reveal(s), Block: true}
	if !b.cut && len(s) <= copyLimit {
		n.Copy = s
	}
	return n
}

// compactJSON is raw without insignificant space.
func compactJSON(raw []byte) string {
	var out bytes.Buffer
	if json.Compact(&out, raw) != nil {
		return string(raw)
	}
	return out.String()
}

// emptyOf is how an empty object or array reads.
func emptyOf(n Node) string {
	if n.Kind == KindArray {
		return "No items"
	}
	return "No fields"
}

// keyLabel names a field for a screen reader: its key, or its position in a list.
func keyLabel(parent, n Node) string {
	if parent.Kind == KindArray {
		return "item " + Itoa(n.Index+1)
	}
	return n.Key
}

// dangerLabel is the badge beside a string with destructive words.
func dangerLabel(lang string) string {
	if lang == LangSQL {
		return "Destructive SQL"
	}
	return "Destructive command"
}
