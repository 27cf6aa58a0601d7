package parse

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"reflect"
	"slices"
	"strings"

	"github.com/mmcdole/gofeed"
	jsonfeed "github.com/mmcdole/gofeed/json"
)

// JSON Feeds in the wild write "author": "Name" where the spec has an
// object, "tags": "news" where it has a list, a number where it has a
// string, and items that are no objects at all; gofeed refuses the whole
// feed for one such member, where the XML parsers read around it. A feed
// gofeed reads as it is costs nothing more; one it refuses is read again
// once, as plain JSON, and each member of the wrong type is read as the
// value it stands for or left out (normaliseJSON), before gofeed is given
// it again.

// maxJSONDepth is the deepest nesting of arrays and objects that
// encoding/json, which gofeed reads JSON Feeds with, accepts.
const maxJSONDepth = 10000

// jsonTranslator is gofeed's JSON Feed translator, which fails (on a nil
// pointer) on an item or an author given as null: it leaves them out of
// the decoded feed first. The decoded feed it changes is the one Parse
// reads alongside gofeed's, so that the two keep their items in step.
//
// It refuses a document without an "items" list (or whose "items" is
// null), which gofeed reads as a feed with no items: any JSON object is
// taken for a JSON Feed, and a server's error answer given with status 200
// ({"error":"rate limited"}) is no feed. "items": [] is a feed with none.
type jsonTranslator struct{ gofeed.DefaultJSONTranslator }

func (t *jsonTranslator) Translate(feed any) (*gofeed.Feed, error) {
	if jf, ok := feed.(*jsonfeed.Feed); ok && jf != nil {
		if jf.Items == nil {
			return nil, fmt.Errorf(`JSON Feed: no "items" list: %w`, ErrNotFeed)
		}
		isNilAuthor := func(a *jsonfeed.Author) bool { return a == nil }
		jf.Items = slices.DeleteFunc(jf.Items, func(it *jsonfeed.Item) bool { return it == nil })
		jf.Authors = slices.DeleteFunc(jf.Authors, isNilAuthor)
		for _, it := range jf.Items {
			it.Authors = slices.DeleteFunc(it.Authors, isNilAuthor)
		}
	}
	return t.DefaultJSONTranslator.Translate(feed)
}

// reparseJSON reads again a JSON Feed, doc, that gofeed refused with perr:
// it returns gofeed's feed of the document with its members of the wrong
// type mended, and that document; or doc and an error that says what is
// wrong with the feed. A document that is not JSON fails with perr itself (the
// decoder's syntax error), or, when it is nested deeper than the decoder
// reads, with an error wrapping ErrTooComplex.
func reparseJSON(doc []byte, perr error) (*gofeed.Feed, []byte, error) {
	d := json.NewDecoder(bytes.NewReader(doc))
	d.UseNumber() // numbers keep the text they are written in
	var root any
	err := d.Decode(&root)
	if err == nil {
		if _, err2 := d.Token(); err2 != io.EOF {
			err = errors.New("text after the document") // refused as encoding/json does
		}
	}
	if err != nil {
		if jsonDepth(doc) > maxJSONDepth {
			return nil, doc, fmt.Errorf("%w: JSON nested more than %d deep", ErrTooComplex, maxJSONDepth)
		}
		return nil, doc, jsonFeedError(perr)
	}
	feed, ok := root.(map[string]any)
	if !ok {
		return nil, doc, fmt.Errorf("JSON Feed: not an object: %w", ErrNotFeed)
	}
	if err := normaliseJSON(feed, jsonFeedMembers); err != nil {
		return nil, doc, err
	}
	fixed, err := json.Marshal(feed)
	if err != nil {
		return nil, doc, jsonFeedError(perr)
	}
	gf, err := feedParser.Parse(bytes.NewReader(fixed))
	if err != nil {
		return nil, doc, jsonFeedError(err)
	}
	return gf, fixed, nil
}

// jsonFeedError says what gofeed's err, for a JSON Feed, finds wrong with
// the feed, in the feed's terms rather than those of gofeed's types.
func jsonFeedError(err error) error {
	var te *json.UnmarshalTypeError
	if !errors.As(err, &te) {
		return err
	}
	var path []string
	for _, p := range strings.Split(te.Field, ".") {
		if p != "" && p != "alias" {
			path = append(path, p)
		}
	}
	kind, _, _ := strings.Cut(te.Value, " ") // "number 1e400" is a number
	want := "another type"
	if te.Type != nil {
		switch te.Type.Kind() {
		case reflect.String:
			want = "a string"
		case reflect.Bool:
			want = "true or false"
		case reflect.Int, reflect.Int8, reflect.Int16, reflect.Int32, reflect.Int64,
			reflect.Uint, reflect.Uint8, reflect.Uint16, reflect.Uint32, reflect.Uint64, reflect.Float32, reflect.Float64:
			want = "a number"
		case reflect.Slice, reflect.Array:
			want = "a list"
		case reflect.Struct, reflect.Pointer, reflect.Map:
			want = "an object"
		}
	}
	got := map[string]string{"string": "a string", "number": "a number", "bool": "true or false", "array": "a list", "object": "an object"}[kind]
	if got == "" {
		got = "of another type"
	}
	return fmt.Errorf("JSON Feed: %q is %s where %s is expected", strings.Join(path, "."), got, want)
}

// jsonShape is what a member of a JSON Feed holds, and how a value of
// another type is read.
type jsonShape int

const (
	// jsonAny: gofeed reads any type (ids, "expired", attachment sizes).
	jsonAny jsonShape = iota
	// jsonText: a string of text; a number or true/false stands for its
	// text, any other value is left out.
	jsonText
	// jsonString: a string that is no text (a URL, a date, a code): any
	// other value is left out.
	jsonString
	// jsonDate: a date, a string; a number stands for its text, as some
	// feeds write a date as the seconds since 1970 (looseDate reads it),
	// any other value is left out.
	jsonDate
	// jsonAuthor: an author object; a string stands for an author of that
	// name.
	jsonAuthor
	// jsonAuthors: a list of authors; one author stands for a list of it.
	jsonAuthors
	// jsonTags: a list of text; a string stands for a list of it.
	jsonTags
	// jsonAttachments: a list of attachment objects; one stands for a
	// list of it.
	jsonAttachments
	// jsonItems: the list of items, which must be one.
	jsonItems
)

// The members of a JSON Feed (1.0 and 1.1) that gofeed reads, by object;
// others are left as they are.
var (
	jsonFeedMembers = map[string]jsonShape{
		"version": jsonString, "title": jsonText, "home_page_url": jsonString, "feed_url": jsonString,
		"description": jsonText, "user_comment": jsonText, "next_url": jsonString, "icon": jsonString,
		"favicon": jsonString, "author": jsonAuthor, "authors": jsonAuthors, "expired": jsonAny,
		"language": jsonString, "items": jsonItems,
	}
	jsonItemMembers = map[string]jsonShape{
		"id": jsonAny, "url": jsonString, "external_url": jsonString, "title": jsonText,
		"content_html": jsonText, "content_text": jsonText, "summary": jsonText, "image": jsonString,
		"banner_image": jsonString, "date_published": jsonDate, "date_modified": jsonDate,
		"author": jsonAuthor, "authors": jsonAuthors, "tags": jsonTags, "attachments": jsonAttachments,
		"language": jsonString,
	}
	jsonAuthorMembers = map[string]jsonShape{
		"name": jsonText, "url": jsonString, "avatar": jsonString,
	}
	jsonAttachmentMembers = map[string]jsonShape{
		"url": jsonString, "mime_type": jsonString, "title": jsonText,
		"size_in_bytes": jsonAny, "duration_in_seconds": jsonAny,
	}
)

// normaliseJSON mends, in place, the members of obj, decoded with
// UseNumber, that members describes and that hold a value of another type
// than the one gofeed reads them into: each is read as the value it
// stands for (a number for its text, a string for a list of it or for an
// author of that name, one object for a list of it) or left out, and
// items, authors and attachments are mended in turn. Null stays null,
// except as an element of a list, where it is left out. Keys match as
// encoding/json matches them, in any case. It fails, with an error
// wrapping ErrNotFeed, only for a feed whose items are not a list.
func normaliseJSON(obj map[string]any, members map[string]jsonShape) error {
	for key, v := range obj {
		shape, ok := memberShape(members, key)
		if !ok || v == nil {
			continue
		}
		switch shape {
		case jsonText:
			if s, ok := jsonTextOf(v); ok {
				obj[key] = s
			} else {
				delete(obj, key)
			}
		case jsonString:
			if _, ok := v.(string); !ok {
				delete(obj, key)
			}
		case jsonDate:
			switch t := v.(type) {
			case string:
			case json.Number:
				obj[key] = t.String()
			default:
				delete(obj, key)
			}
		case jsonAuthor:
			if a := jsonAuthorOf(v); a != nil {
				obj[key] = a
			} else {
				delete(obj, key)
			}
		case jsonAuthors:
			obj[key] = jsonListOf(v, jsonAuthorOf)
		case jsonTags:
			obj[key] = jsonListOf(v, func(v any) any {
				if s, ok := jsonTextOf(v); ok {
					return s
				}
				return nil
			})
		case jsonAttachments:
			obj[key] = jsonListOf(v, func(v any) any {
				if m, ok := v.(map[string]any); ok {
					normaliseJSON(m, jsonAttachmentMembers)
					return m
				}
				return nil
			})
		case jsonItems:
			items, ok := v.([]any)
			if !ok {
				return fmt.Errorf("JSON Feed: %q is not a list: %w", key, ErrNotFeed)
			}
			obj[key] = jsonListOf(items, func(v any) any {
				if m, ok := v.(map[string]any); ok {
					normaliseJSON(m, jsonItemMembers)
					return m
				}
				return nil
			})
		}
	}
	return nil
}

// memberShape returns the shape members gives key, matched as
// encoding/json matches a key to a field: exactly, else under case
// folding.
func memberShape(members map[string]jsonShape, key string) (jsonShape, bool) {
	if s, ok := members[key]; ok {
		return s, true
	}
	for name, s := range members {
		if strings.EqualFold(name, key) {
			return s, true
		}
	}
	return 0, false
}

// jsonTextOf returns the text a string, a number or a boolean stands for.
func jsonTextOf(v any) (string, bool) {
	switch t := v.(type) {
	case string:
		return t, true
	case json.Number:
		return t.String(), true
	case bool:
		if t {
			return "true", true
		}
		return "false", true
	}
	return "", false
}

// jsonAuthorOf returns the author object v stands for (itself, mended,
// or, for a name, an object of that name), or nil.
func jsonAuthorOf(v any) any {
	switch t := v.(type) {
	case map[string]any:
		normaliseJSON(t, jsonAuthorMembers)
		return t
	case string:
		if strings.TrimSpace(t) != "" {
			return map[string]any{"name": t}
		}
	}
	return nil
}

// jsonListOf returns the list v stands for (v itself, or a list of it
// when it is one value), each element as elem reads it, and those elem
// reads as nil left out.
func jsonListOf(v any, elem func(any) any) []any {
	list, ok := v.([]any)
	if !ok {
		list = []any{v}
	}
	out := list[:0]
	for _, e := range list {
		if e == nil {
			continue
		}
		if e = elem(e); e != nil {
			out = append(out, e)
		}
	}
	return out
}

// jsonDepth returns how deep the arrays and objects of a JSON document
// nest, counting brackets outside strings; it stops counting past
// maxJSONDepth.
func jsonDepth(b []byte) int {
	depth, deepest := 0, 0
	inString, escaped := false, false
	for _, c := range b {
		switch {
		case escaped:
			escaped = false
		case inString:
			switch c {
			case '\\':
				escaped = true
			case '"':
				inString = false
			}
		case c == '"':
			inString = true
		case c == '[' || c == '{':
			depth++
			if depth > deepest {
				if deepest = depth; deepest > maxJSONDepth {
					return deepest
				}
			}
		case c == ']' || c == '}':
			depth--
		}
	}
	return deepest
}
