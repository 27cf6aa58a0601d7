package parse

import (
	"bytes"
	"mime"
	"regexp"
	"strconv"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/japanese"
	"golang.org/x/text/encoding/korean"
	"golang.org/x/text/encoding/simplifiedchinese"
	"golang.org/x/text/encoding/traditionalchinese"
	"golang.org/x/text/encoding/unicode"
	"golang.org/x/text/encoding/unicode/utf32"
)

// xmlDecl matches an XML declaration at the start of a document, and
// xmlEncoding its encoding pseudo-attribute.
var (
	xmlDecl     = regexp.MustCompile(`^\s*<\?xml\s[^>]*\?>`)
	xmlEncoding = regexp.MustCompile(`encoding\s*=\s*["']([^"']*)["']`)
)

// declaredEncoding returns the location of the encoding label in the XML
// declaration that starts b, or nil.
func declaredEncoding(b []byte) []int {
	decl := xmlDecl.Find(head(b, 512))
	if decl == nil {
		return nil
	}
	m := xmlEncoding.FindSubmatchIndex(decl)
	if m == nil {
		return nil
	}
	return m[2:4]
}

// toUTF8 returns body as valid UTF-8 XML or JSON: decoded from the encoding
// named by its byte-order mark, else the HTTP charset, else the XML
// declaration (see chooseLabel), with guesses for the common mislabellings
// (a document in UTF-8 but for a few bytes is UTF-8, see mostlyUTF8);
// with the XML declaration rewritten to say UTF-8; and with characters XML
// forbids (control characters, invalid sequences, U+FFFE/U+FFFF) removed,
// in XML also when written as character references.
func toUTF8(body []byte, contentType string) []byte {
	b, enc := decodeUnicode(body)
	if enc == unicode.UTF8 && !utf8.Valid(b) {
		// A UTF-8 byte-order mark before bytes that are not all UTF-8.
		// Most often they are UTF-8 but for a few, a character cut in
		// two or one pasted in from Windows-1252: those few are read
		// as Windows-1252 (repairUTF8), and the rest as the mark says.
		// Else the mark is a template's, saved with one, around text
		// in Latin-1 or another encoding: taken at its word, every
		// letter beyond ASCII would be lost, so the bytes are read as
		// they would be without it, as their labels say.
		if markedUTF8(b) {
			b = repairUTF8(b)
		} else {
			enc = nil
		}
	}
	if enc == nil {
		if !utf8.Valid(b) && mostlyUTF8(b) {
			b = repairUTF8(b)
		}
		declared := ""
		if loc := declaredEncoding(b); loc != nil {
			declared = string(b[loc[0]:loc[1]])
		}
		b = decodeLabelled(b, chooseLabel(b, httpCharset(contentType), declared))
	}
	b = rewriteDecl(b)
	b = cleanXMLChars(b)
	if startsLikeXML(b) {
		b = dropForbiddenCharRefs(b)
	}
	return b
}

func head(b []byte, n int) []byte {
	if len(b) > n {
		return b[:n]
	}
	return b
}

// decodeUnicode recognises UTF-8, UTF-16 and UTF-32 by a byte-order mark or,
// without one, by the zero bytes around the first '<' or '{'. It returns the
// UTF-8 bytes and the encoding found, or body and nil when none was found
// (the document is then in UTF-8 or an ASCII-compatible encoding).
func decodeUnicode(body []byte) ([]byte, encoding.Encoding) {
	var enc encoding.Encoding
	switch {
	case bytes.HasPrefix(body, []byte{0xEF, 0xBB, 0xBF}):
		return body[3:], unicode.UTF8
	case bytes.HasPrefix(body, []byte{0x00, 0x00, 0xFE, 0xFF}):
		enc = utf32.UTF32(utf32.BigEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE, 0x00, 0x00}):
		enc = utf32.UTF32(utf32.LittleEndian, utf32.ExpectBOM)
	case bytes.HasPrefix(body, []byte{0xFE, 0xFF}):
		enc = unicode.UTF16(unicode.BigEndian, unicode.ExpectBOM)
	case bytes.HasPrefix(body, []byte{0xFF, 0xFE}):
		enc = unicode.UTF16(unicode.LittleEndian, unicode.ExpectBOM)
	case len(body) >= 4 && body[0] == 0 && body[1] == 0 && body[2] == 0 && body[3] != 0:
		enc = utf32.UTF32(utf32.BigEndian, utf32.IgnoreBOM)
	case len(body) >= 4 && body[0] != 0 && body[1] == 0 && body[2] == 0 && body[3] == 0:
		enc = utf32.UTF32(utf32.LittleEndian, utf32.IgnoreBOM)
	case len(body) >= 2 && body[0] == 0 && body[1] != 0:
		enc = unicode.UTF16(unicode.BigEndian, unicode.IgnoreBOM)
	case len(body) >= 2 && body[0] != 0 && body[1] == 0:
		enc = unicode.UTF16(unicode.LittleEndian, unicode.IgnoreBOM)
	default:
		return body, nil
	}
	out, err := enc.NewDecoder().Bytes(body)
	if err != nil {
		return body, nil
	}
	return out, enc
}

// httpCharset returns the charset parameter of a Content-Type header.
func httpCharset(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		// Tolerate sloppy headers such as "text/xml;charset = us-ascii".
		i := indexASCIIFold(contentType, "charset")
		if i < 0 {
			return ""
		}
		v := strings.TrimLeft(contentType[i+len("charset"):], " \t=")
		v, _, _ = strings.Cut(v, ";")
		return strings.Trim(strings.TrimSpace(v), `"'`)
	}
	return params["charset"]
}

// indexASCIIFold returns the index in s of the first instance of the ASCII
// word w, in any case, or -1. It compares windows of s's bytes: lower-casing
// s first would move the index wherever s holds bytes that are not UTF-8,
// which a hostile header can.
func indexASCIIFold(s, w string) int {
	for i := 0; i+len(w) <= len(s); i++ {
		if strings.EqualFold(s[i:i+len(w)], w) {
			return i
		}
	}
	return -1
}

// mostlyUTF8 reports whether b, which is not valid UTF-8, is UTF-8 with a
// few bytes in another encoding, as a feed is when one item was pasted in
// from Windows-1252: its multi-byte UTF-8 sequences are at least twice as
// many as the bytes that are in none. Text in a legacy encoding has few
// such sequences by chance (a pair of Latin-1 letters, "Ã©"; a tenth of
// the pairs of EUC-KR or GBK), and many bytes that are in none.
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			invalid++
		} else {
			valid++
		}
		i += n
	}
	return valid >= 2*invalid
}

// markedUTF8 reports whether b, which follows a UTF-8 byte-order mark and
// is not valid UTF-8, is UTF-8 with a few bytes that are not: its
// multi-byte UTF-8 sequences are at least as many as its broken ones (a
// byte in no sequence, with the continuation bytes right after it, as
// a character cut short leaves them). The mark says UTF-8, so that a
// document whose one character beyond ASCII is beside one cut short is
// UTF-8, where mostlyUTF8 would read it in another encoding, each of its
// letters garbled. Text in a legacy encoding makes few multi-byte
// sequences by chance, and many broken ones (mostlyUTF8).
func markedUTF8(b []byte) bool {
	valid, broken := 0, 0
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r != utf8.RuneError || n > 1 {
			valid++
			i += n
			continue
		}
		broken++
		i++
		for j := 0; j < utf8.UTFMax-1 && i < len(b) && !utf8.RuneStart(b[i]); j++ {
			i++
		}
	}
	return valid >= broken
}

// repairUTF8 returns b, UTF-8 but for a few bytes (mostlyUTF8), with each
// of those bytes read as Windows-1252, which is what a byte that is not
// UTF-8 in a feed almost always is ("caf\xe9", "don\x92t"), rather than
// the whole document read as Windows-1252 for their sake.
func repairUTF8(b []byte) []byte {
	out := make([]byte, 0, len(b)+16)
	for i := 0; i < len(b); {
		if b[i] < utf8.RuneSelf {
			out = append(out, b[i])
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			r = charmap.Windows1252.DecodeByte(b[i])
			out = utf8.AppendRune(out, r)
		} else {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// chooseLabel returns the label of the encoding to read an ASCII-compatible
// document b in: the HTTP charset, as RFC 7303 says, else the XML
// declaration's. The declaration is taken instead when the bytes are not in
// the HTTP charset (invalid as UTF-8, or as the multi-byte encoding it
// names) and are in the declared one, and when the HTTP charset is
// Windows-1252 or one of its subsets (ISO-8859-1, US-ASCII), which servers
// send by default for files they know nothing of, and the declaration names
// another encoding the bytes are in: a Japanese feed declared Shift_JIS
// and served as ISO-8859-1 is Shift_JIS.
func chooseLabel(b []byte, httpLabel, declared string) string {
	if httpLabel == "" {
		return declared
	}
	if declared == "" || !hasNonASCII(b) || utf8.Valid(b) {
		return httpLabel
	}
	enc, name := lookupCharset(httpLabel)
	denc, dname := lookupCharset(declared)
	if denc == nil || dname == name || dname == "utf-8" || strings.HasPrefix(dname, "utf-16") {
		return httpLabel
	}
	if enc != nil && name != "windows-1252" && inEncoding(b, enc, name) {
		return httpLabel
	}
	if !inEncoding(b, denc, dname) {
		return httpLabel
	}
	return declared
}

// lookupCharset returns the encoding a charset label names and its
// canonical name, as charset.Lookup does, or nil for an unknown label and
// for the labels the WHATWG Encoding Standard maps to its "replacement"
// encoding (ISO-2022-KR, ISO-2022-CN, HZ-GB-2312): that encoding decodes
// any document to one U+FFFD, so that a browser shows nothing of it, and a
// feed served under such a label by a misconfigured or hostile server
// would be lost whole. Its bytes are read as those of an unlabelled one.
func lookupCharset(label string) (encoding.Encoding, string) {
	enc, name := charset.Lookup(strings.TrimSpace(label))
	if name == "replacement" {
		return nil, ""
	}
	return enc, name
}

// inEncoding reports whether b, which holds bytes beyond ASCII and is not
// valid UTF-8, reads as text in the encoding enc named name: never in
// UTF-8 or UTF-16 (b has no zero bytes, or decodeUnicode would have
// decoded it), always in a single-byte encoding that gives every byte a
// character, and in a multi-byte one when every sequence is valid.
func inEncoding(b []byte, enc encoding.Encoding, name string) bool {
	if name == "utf-8" || strings.HasPrefix(name, "utf-16") {
		return false
	}
	out, err := enc.NewDecoder().Bytes(b)
	return err == nil && !bytes.ContainsRune(out, utf8.RuneError)
}

// decodeLabelled decodes an ASCII-compatible document whose encoding is
// declared as label (possibly empty or wrong).
func decodeLabelled(b []byte, label string) []byte {
	enc, name := lookupCharset(label)
	if enc == nil || name == "utf-8" || strings.HasPrefix(name, "utf-16") {
		// Unknown, UTF-8, or a UTF-16 label on bytes that are plainly not
		// UTF-16 (decodeUnicode found no zero bytes): read as UTF-8.
		if utf8.Valid(b) {
			return b
		}
		if out, ok := guessMultiByte(b); ok {
			return out
		}
		return decodeSingleByte(b, guessSingleByte(b, charmap.Windows1252))
	}
	if hasNonASCII(b) && utf8.Valid(b) {
		// Bytes of a legacy encoding almost never form valid multi-byte
		// UTF-8 sequences by chance: a document that does is UTF-8
		// whatever it says.
		return b
	}
	if isLatin(name) {
		enc = guessSingleByte(b, enc)
	}
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

// guessMultiByte reads b, which no label names the encoding of and which
// is not UTF-8, as Japanese or Korean text when its bytes are that text in
// one of the encodings Japanese and Korean sites used before UTF-8:
// Shift_JIS or EUC-JP when hiragana, which Japanese writes in every
// sentence, make up a fifth of the characters beyond ASCII, else EUC-KR
// when Hangul syllables make up three fifths of them. Bytes in another encoding
// come out otherwise: Latin, Cyrillic or Greek letters as kanji and
// half-width katakana, Korean in a Japanese encoding as kanji and
// katakana, Japanese in EUC-KR as jamo, and a byte that is no character
// in the encoding rules it out, as does, for EUC-KR, a byte of ASCII
// second in a pair (lowTrail). Else it reads b as Chinese in GB18030
// (and so GBK) or Big5 when guessChinese finds it that. It reports false
// for any other text.
func guessMultiByte(b []byte) ([]byte, bool) {
	for _, c := range []struct {
		enc       encoding.Encoding
		lo, hi    rune
		numerator int  // of the characters beyond ASCII, in lo–hi, at least numerator/5
		pairs     bool // every character beyond ASCII is two bytes beyond it
	}{
		{japanese.ShiftJIS, 0x3040, 0x309F, 1, false},
		{japanese.EUCJP, 0x3040, 0x309F, 1, false},
		{korean.EUCKR, 0xAC00, 0xD7A3, 3, true},
	} {
		if c.pairs && lowTrail(b, 0x80, 0) {
			continue
		}
		out, err := c.enc.NewDecoder().Bytes(b)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			continue
		}
		var beyond, in int
		for _, r := range string(out) {
			if r >= utf8.RuneSelf {
				beyond++
				if c.lo <= r && r <= c.hi {
					in++
				}
			}
		}
		if beyond >= 4 && in*5 >= beyond*c.numerator {
			return out, true
		}
	}
	return guessChinese(b)
}

// commonHan are the hundred characters that Chinese writes most often, in
// their simplified and traditional forms, with those of dates and news:
// together they make up some two fifths of a Chinese text.
var commonHan = func() map[rune]bool {
	m := map[rune]bool{}
	for _, r := range "的一是不了在人有我他这个们中来上大为和国地到以说时要就出会可也你对生能而子那得于着下自之年过发后作里用道行所然家种事成方多经么去法学如都同现当没动面起看定天分还进好小部其些主样理心她本前开但因只从想实" +
		"這個們來為國說時會對於著後過發裡裏種經麼學現當沒動還進樣開從實" + "日月新市与將将等已被区區报報" {
		m[r] = true
	}
	return m
}()

// guessChinese reads b, which no label names the encoding of, as Chinese
// in GB18030 (a superset of GBK and GB2312) or in Big5, the encodings of
// mainland and of Taiwan and Hong Kong sites before UTF-8, when b decodes
// in it without an invalid sequence and its Chinese characters are
// Chinese by their frequencies: at least 16 of them, of which commonHan
// make up a tenth or more. Text read in the wrong one of the two, and
// Latin, Cyrillic, Greek, Korean or Japanese bytes read as either, come
// out as characters spread over the thousands each encoding holds, of
// which the hundred most common make up a few in a hundred. When both
// encodings read b so, the one with the larger share of commonHan wins.
//
// Big5 is tried only when one of b's characters ends in a byte below 0x80,
// as some two fifths of Big5's do (是, 人, 他) and none of EUC-JP's,
// EUC-KR's or GB2312's: Japanese kana in EUC-JP read as Big5 come out as
// the characters of fewest strokes, among them the most common (中, 月,
// 生), and would pass for Chinese.
func guessChinese(b []byte) ([]byte, bool) {
	var best []byte
	bestShare := 0.0
	for _, enc := range []encoding.Encoding{simplifiedchinese.GB18030, traditionalchinese.Big5} {
		if enc == traditionalchinese.Big5 && !lowTrail(b, 0x81, 0x40) {
			continue
		}
		out, err := enc.NewDecoder().Bytes(b)
		if err != nil || bytes.ContainsRune(out, utf8.RuneError) {
			continue
		}
		var han, common int
		for _, r := range string(out) {
			if 0x4E00 <= r && r <= 0x9FFF {
				han++
				if commonHan[r] {
					common++
				}
			}
		}
		if share := float64(common) / float64(max(han, 1)); han >= 16 && common*10 >= han && share > bestShare {
			best, bestShare = out, share
		}
	}
	return best, best != nil
}

// lowTrail reports whether b, read in pairs of bytes whose first is lead
// or above, has a pair whose second is low or above but ASCII.
//
// With lead 0x80 and low 0, as EUC-KR reads b: EUC-KR has no such pair,
// but the decoder reads Windows' extension of it (code page 949), which
// makes a syllable of one, so that text in Windows-1252 would read as
// Korean wherever a curly apostrophe or quotation mark comes before a
// letter ("it’s", "“Yes"), the letter lost.
//
// With lead 0x81 and low 0x40: the second byte of a character of Big5,
// GBK or Shift_JIS may be such a byte, and one of the EUC encodings' may
// not.
func lowTrail(b []byte, lead, low byte) bool {
	for i := 0; i+1 < len(b); i++ {
		if b[i] < lead {
			continue
		}
		if low <= b[i+1] && b[i+1] < utf8.RuneSelf {
			return true
		}
		i++
	}
	return false
}

func decodeSingleByte(b []byte, enc encoding.Encoding) []byte {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return b
	}
	return out
}

func hasNonASCII(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

func isLatin(name string) bool {
	switch name {
	case "windows-1252", "iso-8859-15", "iso-8859-2", "windows-1250":
		return true
	}
	return false
}

// guessSingleByte tells Cyrillic or Greek text mislabelled as a Latin
// encoding, or not labelled, from real Latin text. Latin languages rarely
// put three letters outside ASCII in a row, while Cyrillic and Greek words
// are made of nothing else; among Cyrillic encodings, Windows-1251 has its
// lower-case letters in 0xE0–0xFF and KOI8-R its upper-case ones.
// ISO-8859-7 has Greek's lower-case letters in 0xE0–0xFE too, but its
// vowels with an accent (ά, έ, ή, ί) in 0xDC–0xDF, where Windows-1251 has
// the capitals Ь, Э, Ю and Я: Greek puts one after a lower-case letter in
// most words of more than one syllable, Russian and its neighbours hardly
// ever.
func guessSingleByte(b []byte, fallback encoding.Encoding) encoding.Encoding {
	var high, inRuns, runs, upperHalf, accented int
	run := 0
	flush := func() {
		if run >= 3 {
			inRuns += run
			runs++
		}
		run = 0
	}
	for i, c := range b {
		if c >= 0xC0 {
			high++
			run++
			if c >= 0xE0 {
				upperHalf++
			} else if c >= 0xDC && i > 0 && b[i-1] >= 0xE0 {
				accented++
			}
			continue
		}
		if c >= 0x80 {
			high++
		}
		flush()
	}
	flush()
	if high < 8 || inRuns*2 < high {
		return fallback
	}
	if upperHalf*2 >= high {
		if accented*10 >= runs {
			return charmap.ISO8859_7
		}
		return charmap.Windows1251
	}
	return charmap.KOI8R
}

// rewriteDecl makes the XML declaration of a document now in UTF-8 say so, so
// that the XML decoder does not convert it a second time.
func rewriteDecl(b []byte) []byte {
	loc := declaredEncoding(b)
	if loc == nil || strings.EqualFold(string(b[loc[0]:loc[1]]), "utf-8") {
		return b
	}
	out := make([]byte, 0, len(b))
	out = append(out, b[:loc[0]]...)
	out = append(out, "utf-8"...)
	out = append(out, b[loc[1]:]...)
	return out
}

// cleanXMLChars removes what XML 1.0 forbids from UTF-8 text: invalid byte
// sequences, C0 controls other than tab, newline and carriage return, and
// U+FFFE/U+FFFF. It returns b itself when there is nothing to remove.
func cleanXMLChars(b []byte) []byte {
	i := 0
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf {
			if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
				break
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 || r == 0xFFFE || r == 0xFFFF {
			break
		}
		i += n
	}
	if i == len(b) {
		return b
	}
	out := make([]byte, i, len(b))
	copy(out, b[:i])
	for i < len(b) {
		c := b[i]
		if c < utf8.RuneSelf {
			if c >= 0x20 || c == '\t' || c == '\n' || c == '\r' {
				out = append(out, c)
			}
			i++
			continue
		}
		r, n := utf8.DecodeRune(b[i:])
		if r == utf8.RuneError && n == 1 {
			out = append(out, "\uFFFD"...)
		} else if r != 0xFFFE && r != 0xFFFF {
			out = append(out, b[i:i+n]...)
		}
		i += n
	}
	return out
}

// dropForbiddenCharRefs removes from an XML document the numeric character
// references to characters XML forbids (&#x1b;, &#11;, &#xFFFE;), which
// the XML decoder refuses, failing the whole document for one of them, as
// cleanXMLChars removes the characters themselves. References inside CDATA
// sections, comments, declarations and processing instructions, which the
// decoder does not read as references, stay, as do all others. It returns
// b itself when there is nothing to remove: most documents hold no "&#",
// and the rest are checked first without regard to CDATA sections, whose
// contents rarely hold such a reference.
func dropForbiddenCharRefs(b []byte) []byte {
	found := false
	for i := 0; ; {
		j := bytes.Index(b[i:], []byte("&#"))
		if j < 0 {
			break
		}
		i += j
		n, forbidden := charRef(b[i:])
		if forbidden {
			found = true
			break
		}
		i += max(n, 2)
	}
	if !found {
		return b
	}
	out := make([]byte, 0, len(b))
	last := 0 // b[last:i] is still to be copied
	for i := 0; i < len(b); {
		j := bytes.IndexAny(b[i:], "<&")
		if j < 0 {
			break
		}
		i += j
		if end, ok := skipUnread(b, i); ok {
			i = end
			continue
		}
		if b[i] != '&' {
			i++
			continue
		}
		n, forbidden := charRef(b[i:])
		if forbidden {
			out = append(out, b[last:i]...)
			last = i + n
		}
		i += max(n, 1)
	}
	return append(out, b[last:]...)
}

// charRef reads the numeric character reference that b may start with as
// the XML decoder does ("&#" and decimal digits, or "&#x" and hexadecimal
// ones, then ";"). It returns its length, or 0 when b starts with none, and
// whether it stands for a character XML forbids, which the decoder
// refuses. A number past the last code point is no reference to the
// decoder, and one of a surrogate reads as U+FFFD.
func charRef(b []byte) (n int, forbidden bool) {
	if !bytes.HasPrefix(b, []byte("&#")) {
		return 0, false
	}
	i, base := 2, 10
	if i < len(b) && b[i] == 'x' {
		i, base = 3, 16
	}
	start := i
	for i < len(b) && ('0' <= b[i] && b[i] <= '9' || base == 16 && ('a' <= b[i] && b[i] <= 'f' || 'A' <= b[i] && b[i] <= 'F')) {
		i++
	}
	if i == len(b) || b[i] != ';' {
		return 0, false
	}
	v, err := strconv.ParseUint(string(b[start:i]), base, 64)
	if err != nil || v > utf8.MaxRune {
		return 0, false
	}
	r := rune(v)
	if !utf8.ValidRune(r) {
		r = utf8.RuneError
	}
	return i + 1, !isXMLChar(r)
}

// isXMLChar reports whether XML 1.0 allows r in a document.
func isXMLChar(r rune) bool {
	return r == '\t' || r == '\n' || r == '\r' || 0x20 <= r && r <= 0xD7FF || 0xE000 <= r && r <= 0xFFFD || 0x10000 <= r && r <= utf8.MaxRune
}
