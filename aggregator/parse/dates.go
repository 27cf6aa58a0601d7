package parse

import (
	"strings"
	"time"
)

// months maps the names and abbreviations of months that feeds write in
// dates, lower-cased and without a trailing dot, in English, German,
// French, Spanish, Italian, Dutch and Portuguese, to English's.
var months = func() map[string]string {
	names := [12][]string{
		{"jan", "january", "januar", "jän", "jänner", "janv", "janvier", "ene", "enero", "gen", "gennaio", "januari", "janeiro"},
		{"feb", "february", "februar", "févr", "fevr", "février", "fevrier", "febrero", "febbraio", "februari", "fev", "fevereiro"},
		{"mar", "march", "mär", "märz", "maerz", "mrz", "mars", "marzo", "mrt", "maart", "março", "marco"},
		{"apr", "april", "avr", "avril", "abr", "abril", "aprile"},
		{"may", "mai", "mayo", "mag", "maggio", "mei", "maio"},
		{"jun", "june", "juni", "juin", "junio", "giu", "giugno", "junho"},
		{"jul", "july", "juli", "juil", "juillet", "julio", "lug", "luglio", "julho"},
		{"aug", "august", "août", "aout", "ago", "agosto", "augustus"},
		{"sep", "sept", "september", "septembre", "septiembre", "set", "settembre", "setembro"},
		{"oct", "october", "okt", "oktober", "octobre", "octubre", "ott", "ottobre", "out", "outubro"},
		{"nov", "november", "novembre", "noviembre", "novembro"},
		{"dec", "december", "dez", "dezember", "déc", "décembre", "decembre", "dic", "diciembre", "dicembre", "dezembro"},
	}
	m := map[string]string{}
	for i, ns := range names {
		for _, n := range ns {
			m[n] = time.Month(i + 1).String()[:3]
		}
	}
	return m
}()

// namedZones are the offsets of the zone names that a date written in
// another language may end in, besides zoneOffsets'.
var namedZones = map[string]time.Duration{
	"GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "WET": 0,
	"CET": time.Hour, "MEZ": time.Hour, "WEST": time.Hour,
	"CEST": 2 * time.Hour, "MESZ": 2 * time.Hour, "EET": 2 * time.Hour, "EEST": 3 * time.Hour,
}

// looseDate reads a date that gofeed cannot, or returns nil: one in RFC
// 822's order whose day and month are named in another language ("Mo, 03
// Mär 2025 10:00:00 +0100", "mar., 04 mars 2025 10:00 CET", "3. Oktober
// 2025") or with no space after the day's name ("Tue,03 Mar 2026"), one
// that ends in a comment, as RFC 5322 allows ("… +0200
// (CEST)"), and JavaScript's Date string ("Tue Mar 03 2026 10:00:00
// GMT+0200 (Central European Summer Time)"). A zone it does not know
// makes it nil too, rather than a guess hours off.
func looseDate(raw string) *time.Time {
	raw = strings.TrimSpace(raw)
	if strings.HasSuffix(raw, ")") {
		if i := strings.LastIndexByte(raw, '('); i > 0 {
			raw = raw[:i]
		}
	}
	f := strings.Fields(strings.ToLower(raw))
	if len(f) > 0 && (f[0][0] < '0' || f[0][0] > '9') && months[strings.TrimSuffix(f[0], ".")] == "" {
		// The day's name, and what its comma leaves without a space
		// ("Tue,03 Mar 2026").
		_, rest, _ := strings.Cut(f[0], ",")
		f = f[1:]
		if rest != "" {
			f = append([]string{rest}, f...)
		}
	}
	if len(f) > 1 && months[strings.TrimSuffix(f[0], ".")] != "" {
		f[0], f[1] = f[1], f[0] // the month before the day
	}
	if len(f) < 3 || len(f) > 5 {
		return nil
	}
	month, ok := months[strings.TrimSuffix(f[1], ".")]
	if !ok {
		return nil
	}
	s := strings.TrimSuffix(f[0], ".") + " " + month + " " + f[2]
	var t time.Time
	var err error
	switch {
	case len(f) == 3:
		t, err = time.Parse("2 Jan 2006", s)
	case strings.Count(f[3], ":") == 2:
		t, err = time.Parse("2 Jan 2006 15:04:05", s+" "+f[3])
	default:
		t, err = time.Parse("2 Jan 2006 15:04", s+" "+f[3])
	}
	if err != nil {
		return nil
	}
	if len(f) == 5 {
		zone := strings.ToUpper(f[4])
		off, ok := namedZones[zone]
		if !ok {
			off, ok = zoneOffsets[zone]
		}
		if !ok {
			off, ok = gmtOffset(zone)
		}
		if !ok {
			z, err := time.Parse("-0700", zone)
			if err != nil {
				if z, err = time.Parse("-07:00", zone); err != nil {
					return nil
				}
			}
			_, secs := z.Zone()
			off = time.Duration(secs) * time.Second
		}
		t = t.Add(-off)
	}
	return &t
}
