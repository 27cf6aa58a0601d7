package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
)

// maxJSONRepairs bounds how many wrongly typed members repairJSON mends in
// one document, one kind of mistake a pass.
const maxJSONRepairs = 8

// repairJSON mends the member of a JSON Feed that perr, gofeed's error,
// says has the wrong type, and returns the document re-encoded, or nil
// when perr is no such error or nothing was mended. JSON Feeds in the wild
// write "author": "Name" where the spec has an object, "tags": "news" where
// it has a list, a number where it has a string: gofeed refuses the whole
// feed for one such member, where the XML parsers would read around it. An
// author or authors given as a string becomes {"name": …}, tags given as a
// string a list of it; any other member of the wrong type is dropped,
// wherever the path the error names leads to a value of that JSON type (in
// every item, when the path goes through items). Members of the right type
// stay as they are.
func repairJSON(doc []byte, perr error) []byte {
	var te *json.UnmarshalTypeError
	if !errors.As(perr, &te) || te.Field == "" {
		return nil
	}
	var path []string
	for _, p := range strings.Split(te.Field, ".") {
		if p != "" && p != "alias" {
			path = append(path, p)
		}
	}
	if len(path) == 0 {
		return nil
	}
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber()
	var root any
	if d.Decode(&root) != nil {
		return nil
	}
	kind, _, _ := strings.Cut(te.Value, " ") // "number 1e400" is a number
	if !mend(root, path, kind) {
		return nil
	}
	out, err := json.Marshal(root)
	if err != nil {
		return nil
	}
	return out
}

// mend walks v along path (object keys; arrays are walked element by
// element) and mends the last key's values whose JSON type is kind, as
// json.UnmarshalTypeError.Value names it ("string", "number", "object",
// "array", "bool"). It reports whether it changed anything.
func mend(v any, path []string, kind string) bool {
	switch t := v.(type) {
	case []any:
		changed := false
		for _, e := range t {
			changed = mend(e, path, kind) || changed
		}
		return changed
	case map[string]any:
		key := matchKey(t, path[0])
		if key == "" {
			return false
		}
		if len(path) > 1 {
			return mend(t[key], path[1:], kind)
		}
		if jsonKind(t[key]) != kind {
			return false
		}
		switch s, _ := t[key].(string); {
		case kind == "string" && path[0] == "author" && strings.TrimSpace(s) != "":
			t[key] = map[string]any{"name": s}
		case kind == "string" && path[0] == "authors" && strings.TrimSpace(s) != "":
			t[key] = []any{map[string]any{"name": s}}
		case kind == "string" && path[0] == "tags" && strings.TrimSpace(s) != "":
			t[key] = []any{s}
		default:
			delete(t, key)
		}
		return true
	}
	return false
}

// matchKey returns the key of m that name selects as encoding/json does
// (an exact match, else one equal under case folding), or "".
func matchKey(m map[string]any, name string) string {
	if _, ok := m[name]; ok {
		return name
	}
	for k := range m {
		if strings.EqualFold(k, name) {
			return k
		}
	}
	return ""
}

// jsonKind names the JSON type of a decoded value as
// json.UnmarshalTypeError.Value does.
func jsonKind(v any) string {
	switch v.(type) {
	case string:
		return "string"
	case json.Number, float64:
		return "number"
	case bool:
		return "bool"
	case []any:
		return "array"
	case map[string]any:
		return "object"
	}
	return ""
}

// jsonTranslator is gofeed's JSON Feed translator, which fails (on a nil
// pointer) on an item or an author given as null: it leaves them out of
// the decoded feed first. The decoded feed it changes is the one Parse
// reads alongside gofeed's, so that the two keep their items in step.
type jsonTranslator struct{ gofeed.DefaultJSONTranslator }

func (t *jsonTranslator) Translate(feed any) (*gofeed.Feed, error) {
	if jf, ok := feed.(*jsonfeed.Feed); ok && jf != nil {
		isNilAuthor := func(a *jsonfeed.Author) bool { return a == nil }
		jf.Items = slices.DeleteFunc(jf.Items, func(it *jsonfeed.Item) bool { return it == nil })
		jf.Authors = slices.DeleteFunc(jf.Authors, isNilAuthor)
		for _, it := range jf.Items {
			it.Authors = slices.DeleteFunc(it.Authors, isNilAuthor)
		}
	}
	return t.DefaultJSONTranslator.Translate(feed)
}
