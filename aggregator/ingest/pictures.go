package ingest

import (
	"html"
	"net/url"
	"path"
	"regexp"
	"strings"

	"github.com/tributary-feeds/tributary/aggregator"
	"github.com/tributary-feeds/tributary/aggregator/near"
)

// cacheBusters are the names of the query parameters that sites add to a
// picture's URL to make browsers and caches fetch it again, some with the
// time of each request (?v=1712345678, ?t=…, ?cb=…): the picture at the
// same address with another of them is the same picture.
var cacheBusters = map[string]bool{
	"v": true, "ver": true, "version": true, "rev": true,
	"t": true, "ts": true, "time": true, "timestamp": true,
	"cb": true, "cache": true, "cachebust": true, "cachebuster": true, "cache_buster": true, "nocache": true,
	"_": true, "rnd": true, "rand": true, "random": true,
}

// samePictures reports whether the item HTML a and b, as the parser writes
// it, are the same but for the cache busting parameters (cacheBusters) in
// their pictures' URLs, an <img>'s src or a link's href to a picture's
// file: each picture at the same address, and every other byte the same.
// A new picture at a new address, or other parameters (another size), are
// an edit.
func samePictures(a, b string) bool {
	sa, sb := pictureURLs(a), pictureURLs(b)
	if len(sa) == 0 || len(sa) != len(sb) {
		return false
	}
	var pa, pb int
	for k := range sa {
		if a[pa:sa[k][0]] != b[pb:sb[k][0]] || !samePicture(a[sa[k][0]:sa[k][1]], b[sb[k][0]:sb[k][1]]) {
			return false
		}
		pa, pb = sa[k][1], sb[k][1]
	}
	return a[pa:] == b[pb:]
}

// pictureURLs returns where, in sanitised HTML h, the URLs of pictures
// stand: the value of each <img>'s src, and of each <a>'s href that names
// a picture's file. Sanitised HTML writes every value of an attribute in
// double quotes, with no quote and no ">" in it.
func pictureURLs(h string) [][2]int {
	var spans [][2]int
	for i := 0; ; {
		lt := strings.IndexByte(h[i:], '<')
		if lt < 0 {
			return spans
		}
		i += lt + 1
		end := strings.IndexByte(h[i:], '>')
		if end < 0 {
			return spans
		}
		tag, at := h[i:i+end], i
		i += end + 1
		var want string
		switch {
		case strings.HasPrefix(tag, "img "):
			want = "src"
		case strings.HasPrefix(tag, "a "):
			want = "href"
		default:
			continue
		}
		// Attributes: name="value", one space apart.
		for j := strings.IndexByte(tag, ' '); j >= 0 && j < len(tag); {
			j++
			eq := strings.Index(tag[j:], `="`)
			if eq < 0 {
				break
			}
			name, start := tag[j:j+eq], j+eq+2
			q := strings.IndexByte(tag[start:], '"')
			if q < 0 {
				break
			}
			if name == want && (want == "src" || picturePath(tag[start:start+q])) {
				spans = append(spans, [2]int{at + start, at + start + q})
			}
			j = start + q + 1
		}
	}
}

// picturePath reports whether the escaped URL u names a picture's file by
// its extension.
func picturePath(u string) bool {
	pu, err := url.Parse(html.UnescapeString(u))
	if err != nil {
		return false
	}
	switch strings.ToLower(path.Ext(pu.Path)) {
	case ".jpg", ".jpeg", ".png", ".gif", ".webp", ".avif":
		return true
	}
	return false
}

// samePicture reports whether the escaped URLs x and y name one picture
// (or one media file: sites stamp enclosures' URLs too): the same address,
// and the same query but for the values of cache busting parameters, which
// either may have or not.
func samePicture(x, y string) bool {
	if x == y {
		return true
	}
	kx, ok := pictureKey(x, false)
	if !ok {
		return false
	}
	ky, ok := pictureKey(y, false)
	return ok && kx == ky
}

// pictureKey returns what samePicture compares of the escaped URL u: its
// address, and its query without the cache busting parameters, in one
// string, the same for two URLs of one picture and for no others; false
// for a URL that does not parse. A pair of items' pictures are compared by
// their keys, each made once, where parsing both URLs of every pair cost
// the product of their numbers: two galleries of ninety pictures each,
// some eight thousand pairs, each parsed anew. With anySize, the key is
// the same for the picture at any size too: without the parameters that
// ask a site for a size or a format (sizeParams, "?w=640", "?w=1280"),
// and without the size WordPress writes into the names of the smaller
// copies it makes ("pier-300x200.jpg" is "pier.jpg").
func pictureKey(u string, anySize bool) (string, bool) {
	pu, err := url.Parse(html.UnescapeString(u))
	if err != nil {
		return "", false
	}
	q, err := url.ParseQuery(pu.RawQuery)
	if err != nil {
		return "", false
	}
	for k := range q {
		if cacheBusters[strings.ToLower(k)] || anySize && sizeParams[strings.ToLower(k)] {
			delete(q, k)
		}
	}
	pu.RawQuery = ""
	if anySize {
		pu.Path, pu.RawPath = wordPressSize.ReplaceAllString(pu.Path, "$1"), ""
	}
	return pu.String() + "\x00" + q.Encode(), true
}

// sizeParams are the names of the query parameters that picture hosts and
// resizing services read for the size, crop, quality or format of the
// picture they serve: the picture at another of them is the same picture.
var sizeParams = map[string]bool{
	"w": true, "h": true, "width": true, "height": true, "resize": true, "fit": true, "crop": true,
	"dpr": true, "quality": true, "q": true, "auto": true, "format": true, "fm": true,
}

// wordPressSize matches the size WordPress writes before the extension of
// each smaller copy of an uploaded picture ("-300x200" in
// "pier-300x200.jpg").
var wordPressSize = regexp.MustCompile(`-\d+x\d+(\.[A-Za-z]+)$`)

// otherPictures reports whether two items of one source are two pictures
// or galleries: short texts (near.ShortText), a caption and a credit, each
// with pictures and none of the other's (the same picture at an address
// with other cache busting parameters, or at another size, being the
// same: pictureKey), under
// headlines that each hold a word the other's headline and text lack
// (near.HeadlinesDiffer). A picture agency's galleries of one evening
// ("…: the red carpet – in pictures", "…: the winners – in pictures")
// share their credit line and most of their headline, which make a copy
// of one text that short, while the picture is what each is of, and each
// caption tells what its own headline does. One picture sent again under
// a new caption keeps its picture; an article and its video keep their
// headline; an article given again at a new link with a new picture and
// headline tells in its text the words its headline changed.
func otherPictures(a, b aggregator.Item) bool {
	ta, tb := itemText(a), itemText(b)
	if !near.ShortText(ta) || !near.ShortText(tb) || !near.HeadlinesDiffer(a.Title, "", b.Title, "") {
		return false // read the pictures only for headlines that differ
	}
	pa, pb := pictureURLs(ta), pictureURLs(tb)
	if len(pa) == 0 || len(pb) == 0 {
		return false
	}
	seen := make(map[string]bool, 2*len(pa))
	for _, x := range pa {
		u := ta[x[0]:x[1]]
		seen["u"+u] = true
		if k, ok := pictureKey(u, true); ok {
			seen["k"+k] = true
		}
	}
	for _, y := range pb {
		u := tb[y[0]:y[1]]
		if seen["u"+u] {
			return false
		}
		if k, ok := pictureKey(u, true); ok && seen["k"+k] {
			return false
		}
	}
	return near.HeadlinesDiffer(a.Title, ta, b.Title, tb)
}
