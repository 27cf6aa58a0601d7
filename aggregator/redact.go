package aggregator

import (
	"net/url"
	"strings"
	"unicode"
)

// Redacted is what a credential in a URL reads as wherever Tributary shows
// or logs the URL, as net/url's URL.Redacted gives a password.
const Redacted = "xxxxx"

// secretWords are the words of a parameter name that mark its value as a
// credential: ?key=, ?api_key=, ?X-Amz-Signature=, ?sid=. Words are
// compared whole, so that ?keyword=, ?author= and ?passage= stay.
var secretWords = map[string]bool{
	"key": true, "apikey": true, "appkey": true,
	"token": true, "secret": true, "jwt": true, "bearer": true,
	"password": true, "passwd": true, "pass": true, "pwd": true, "pw": true,
	"passphrase": true, "passcode": true, "otp": true,
	"auth": true, "oauth": true, "authorization": true, "authentication": true,
	"credential": true, "credentials": true, "creds": true,
	"sig": true, "sign": true, "signature": true, "hmac": true,
	"session": true, "sessionid": true, "sessid": true, "sid": true,
}

// secretParts are the pieces that mark a parameter name as a credential
// wherever they stand in it, once it is lower-cased and stripped of all but
// letters and digits: ?accesstoken=, ?clientSecret=, ?x-api-key=,
// ?PHPSESSID=.
var secretParts = []string{"token", "secret", "passw", "apikey", "accesskey", "privatekey",
	"authkey", "signature", "credential", "sessionid", "sessid"}

// SecretParam reports whether a URL query parameter named name carries a
// credential, judged by the words of the name in any case and spelling
// (access_token, accessToken, X-Api-Key): names such as token, key, api_key,
// secret, password, auth, sig, signature or session do; format, feed, cat,
// page, author or keyword do not.
func SecretParam(name string) bool {
	var compact strings.Builder
	word := make([]rune, 0, len(name))
	found := false
	flush := func() {
		if len(word) > 0 && secretWords[string(word)] {
			found = true
		}
		word = word[:0]
	}
	prev := rune(0)
	for _, r := range name {
		switch {
		case unicode.IsUpper(r):
			if unicode.IsLower(prev) || unicode.IsDigit(prev) {
				flush() // accessToken: a new word
			}
			r = unicode.ToLower(r)
		case unicode.IsLetter(r):
			if unicode.IsDigit(prev) {
				flush()
			}
		case unicode.IsDigit(r):
			if unicode.IsLetter(prev) {
				flush() // key2: the word is key
			}
		default:
			flush()
			prev = r
			continue
		}
		word = append(word, r)
		compact.WriteRune(r)
		prev = r
	}
	flush()
	if found {
		return true
	}
	c := compact.String()
	for _, p := range secretParts {
		if strings.Contains(c, p) {
			return true
		}
	}
	return false
}

// RedactURL returns raw with its credentials replaced by "xxxxx": the
// password of its user information, as URL.Redacted gives it, and the value
// of every query or fragment parameter whose name SecretParam judges a
// credential. The rest of raw is left byte for byte, so it works on URLs
// quoted in messages, whether url.Parse takes them or not. Errors, logs and
// the web pages show source URLs this way; fetches use the URL itself.
func RedactURL(raw string) string {
	rest, frag, hasFrag := strings.Cut(raw, "#")
	head, query, hasQuery := strings.Cut(rest, "?")
	var b strings.Builder
	b.Grow(len(raw))
	b.WriteString(redactUserinfo(head))
	if hasQuery {
		b.WriteByte('?')
		b.WriteString(redactParams(query))
	}
	if hasFrag {
		b.WriteByte('#')
		b.WriteString(redactParams(frag))
	}
	return b.String()
}

// redactUserinfo redacts the password in the authority of head, a URL cut
// before its query and fragment.
func redactUserinfo(head string) string {
	i := strings.Index(head, "://")
	if i < 0 {
		return head
	}
	start := i + 3
	end := len(head)
	if j := strings.IndexByte(head[start:], '/'); j >= 0 {
		end = start + j
	}
	// The user information ends at the authority's last "@", where
	// url.Parse ends it.
	at := strings.LastIndexByte(head[start:end], '@')
	if at < 0 {
		return head
	}
	colon := strings.IndexByte(head[start:start+at], ':')
	if colon < 0 {
		return head
	}
	return head[:start+colon+1] + Redacted + head[start+at:]
}

// redactParams redacts the credential values in a query or a fragment.
// Parameters are split at "&" and, as some servers also do, at ";": the
// value of a credential runs to the next "&", so that a server splitting
// only at "&" finds none of it left. A name is judged as both kinds of
// server read it: ?key;=S is a credential named "key;" to one splitting
// only at "&".
func redactParams(q string) string {
	if !strings.Contains(q, "=") {
		return q
	}
	parts := strings.Split(q, "&")
	for i, part := range parts {
		if key, value, ok := strings.Cut(part, "="); ok && value != "" && SecretParam(unescapeParam(key)) {
			parts[i] = key + "=" + Redacted
			continue
		}
		off := 0
		for seg := range strings.SplitSeq(part, ";") {
			key, value, ok := strings.Cut(seg, "=")
			if ok && SecretParam(unescapeParam(key)) {
				if value = part[off+len(key)+1:]; value != "" {
					parts[i] = part[:off+len(key)+1] + Redacted
				}
				break
			}
			off += len(seg) + 1
		}
	}
	return strings.Join(parts, "&")
}

func unescapeParam(s string) string {
	if u, err := url.QueryUnescape(s); err == nil {
		return u
	}
	return s
}

// ReplaceURLs returns text with each http or https URL in it replaced by
// fn(URL). A URL runs from its scheme to a space, a quote, an angle bracket
// or the end of text; punctuation that ends a clause after it (".", ",",
// ";", ":") is not part of it.
func ReplaceURLs(text string, fn func(string) string) string {
	var b strings.Builder
	for {
		i := indexURL(text)
		if i < 0 {
			if b.Len() == 0 {
				return text
			}
			b.WriteString(text)
			return b.String()
		}
		end := i + strings.IndexAny(text[i:]+" ", " \t\r\n\"'`<>")
		for end > i && strings.IndexByte(".,;:", text[end-1]) >= 0 {
			end--
		}
		b.WriteString(text[:i])
		b.WriteString(fn(text[i:end]))
		text = text[end:]
	}
}

// indexURL returns the index of the first "http://" or "https://" in s, in
// any case, or -1.
func indexURL(s string) int {
	for i := 0; i+len("http://") <= len(s); i++ {
		if s[i]|0x20 != 'h' {
			continue
		}
		rest := strings.ToLower(s[i:min(len(s), i+len("https://"))])
		if strings.HasPrefix(rest, "http://") || strings.HasPrefix(rest, "https://") {
			return i
		}
	}
	return -1
}

// RedactURLs returns text, such as an error message, with every http or
// https URL in it redacted as RedactURL does.
func RedactURLs(text string) string { return ReplaceURLs(text, RedactURL) }

// URLName is the name of a source that has neither a configured name nor a
// feed title yet: the host, path and query of its URL, so that several
// feeds of one host are told apart, those that differ only in their query
// too (?section=world, ?section=sport), without the user name and password,
// and with the value of every query parameter that SecretParam judges a
// credential as "xxxxx" (redactParams), as RedactURL shows it. The
// fragment, which no server sees, is left out. A URL that names no host is
// given whole, with its credentials as "xxxxx".
func URLName(raw string) string {
	if u, err := url.Parse(strings.TrimSpace(raw)); err == nil && u.Host != "" {
		name := u.Host + strings.TrimSuffix(u.EscapedPath(), "/")
		if u.RawQuery != "" {
			name += "?" + redactParams(u.RawQuery)
		}
		return name
	}
	return RedactURL(raw)
}
