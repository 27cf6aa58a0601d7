package parse

import (
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"

	// The time zone database, for the dates that name their zone as it
	// does ("Europe/Berlin"): the container image holds no other.
	_ "time/tzdata"
)

// months maps the names and abbreviations of months that feeds write in
// dates, lower-cased and without a trailing dot, in English, German,
// French, Spanish, Italian, Dutch, Portuguese, Swedish, Danish, Norwegian,
// Polish, Turkish, Russian and Greek (in the genitive too, as a date writes
// them: "28 ноября", "28 listopada", "28 Νοεμβρίου"; Greek with its accents
// and without, as capitals write it), to English's.
var months = func() map[string]string {
	names := [12][]string{
		{"jan", "january", "januar", "jän", "jänner", "janv", "janvier", "ene", "enero", "gen", "gennaio", "januari", "janeiro",
			"sty", "styczeń", "stycznia", "oca", "ocak", "янв", "январь", "января"},
		{"feb", "february", "februar", "févr", "fevr", "février", "fevrier", "febrero", "febbraio", "februari", "fev", "fevereiro",
			"lut", "luty", "lutego", "şub", "şubat", "sub", "subat", "фев", "февр", "февраль", "февраля"},
		{"mar", "march", "mär", "märz", "maerz", "mrz", "mars", "marzo", "mrt", "maart", "março", "marco",
			"marts", "marzec", "marca", "mart", "мар", "март", "марта"},
		{"apr", "april", "avr", "avril", "abr", "abril", "aprile", "kwi", "kwiecień", "kwietnia", "nis", "nisan",
			"апр", "апрель", "апреля"},
		{"may", "mai", "mayo", "mag", "maggio", "mei", "maio", "maj", "maja", "mayıs", "mayis", "май", "мая"},
		{"jun", "june", "juni", "juin", "junio", "giu", "giugno", "junho", "cze", "czerwiec", "czerwca", "haz", "haziran",
			"июн", "июнь", "июня"},
		{"jul", "july", "juli", "juil", "juillet", "julio", "lug", "luglio", "julho", "lip", "lipiec", "lipca", "tem", "temmuz",
			"июл", "июль", "июля"},
		{"aug", "august", "août", "aout", "ago", "agosto", "augustus", "augusti", "sie", "sierpień", "sierpnia",
			"ağu", "ağustos", "agu", "agustos", "авг", "август", "августа"},
		{"sep", "sept", "september", "septembre", "septiembre", "set", "settembre", "setembro", "wrz", "wrzesień", "września",
			"eyl", "eylül", "eylul", "сен", "сент", "сентябрь", "сентября"},
		{"oct", "october", "okt", "oktober", "octobre", "octubre", "ott", "ottobre", "out", "outubro", "paź", "październik", "października",
			"eki", "ekim", "окт", "октябрь", "октября"},
		{"nov", "november", "novembre", "noviembre", "novembro", "lis", "listopad", "listopada", "kas", "kasım", "kasim",
			"ноя", "нояб", "ноябрь", "ноября"},
		{"dec", "december", "dez", "dezember", "déc", "décembre", "decembre", "dic", "diciembre", "dicembre", "dezembro",
			"des", "desember", "gru", "grudzień", "grudnia", "ara", "aralık", "aralik", "дек", "декабрь", "декабря"},
	}
	greek := [12][]string{
		{"ιαν", "ιανουάριος", "ιανουαρίου"},
		{"φεβ", "φεβρουάριος", "φεβρουαρίου"},
		{"μαρ", "μάρτιος", "μαρτίου"},
		{"απρ", "απρίλιος", "απριλίου"},
		{"μαΐ", "μαϊ", "μάιος", "μαΐου", "μαϊου"},
		{"ιουν", "ιούνιος", "ιουνίου"},
		{"ιουλ", "ιούλιος", "ιουλίου"},
		{"αυγ", "αύγουστος", "αυγούστου"},
		{"σεπ", "σεπτ", "σεπτέμβριος", "σεπτεμβρίου"},
		{"οκτ", "οκτώβριος", "οκτωβρίου"},
		{"νοε", "νοέμβριος", "νοεμβρίου"},
		{"δεκ", "δεκέμβριος", "δεκεμβρίου"},
	}
	// Greek capitals drop the accents, and strings.ToLower writes a
	// capital sigma as σ, also at the end of a word.
	unaccent := strings.NewReplacer("ά", "α", "έ", "ε", "ή", "η", "ί", "ι", "ΐ", "ι", "ϊ", "ι", "ό", "ο", "ύ", "υ", "ώ", "ω")
	m := map[string]string{}
	for i, ns := range names {
		for _, n := range ns {
			m[n] = time.Month(i + 1).String()[:3]
		}
		for _, n := range greek[i] {
			for _, v := range []string{n, unaccent.Replace(n)} {
				m[v] = time.Month(i + 1).String()[:3]
				if w, ok := strings.CutSuffix(v, "ς"); ok {
					m[w+"σ"] = time.Month(i + 1).String()[:3]
				}
			}
		}
	}
	return m
}()

// namedZones are the offsets of the zone names that a date written in
// another language may end in, besides zoneOffsets': RFC 822's, which
// gofeed reads in the dates it reads itself, and Europe's.
var namedZones = map[string]time.Duration{
	"GMT": 0, "UT": 0, "UTC": 0, "Z": 0, "WET": 0,
	"CET": time.Hour, "MEZ": time.Hour, "WEST": time.Hour,
	"CEST": 2 * time.Hour, "MESZ": 2 * time.Hour, "EET": 2 * time.Hour, "EEST": 3 * time.Hour,
	"EST": -5 * time.Hour, "EDT": -4 * time.Hour, "CST": -6 * time.Hour, "CDT": -5 * time.Hour,
	"MST": -7 * time.Hour, "MDT": -6 * time.Hour, "PST": -8 * time.Hour, "PDT": -7 * time.Hour,
}

// Offsets of the three zones IST stands for: India Standard Time, which a
// date takes unless its feed's language is Irish or Israel's (istFor), Irish
// Standard Time (Ireland's summer time) and Israel Standard Time.
const (
	istIndia   = 5*time.Hour + 30*time.Minute
	istIreland = time.Hour
	istIsrael  = 2 * time.Hour
)

// istFor returns the offset IST stands for in a feed written in lang (a
// language tag, as RSS's <language> gives it: "en-IE", "he", "hi-IN"):
// Ireland's for Irish or a tag of Ireland, Israel's for Hebrew or a tag of
// Israel, else India's, by far the most feeds that write IST.
func istFor(lang string) time.Duration {
	lang = strings.ToLower(strings.TrimSpace(lang))
	if lang == "" {
		return istIndia
	}
	parts := strings.FieldsFunc(lang, func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) == 0 {
		return istIndia
	}
	switch {
	case parts[0] == "ga" || slices.Contains(parts[1:], "ie"):
		return istIreland
	case parts[0] == "he" || parts[0] == "iw" || slices.Contains(parts[1:], "il"):
		return istIsrael
	}
	return istIndia
}

// The offsets of the two zones CST stands for: China Standard Time, which
// servers in China and Taiwan write in a feed's dates ("Fri, 01 Mar 2024
// 17:00:00 CST", as PHP, Go and Java write their zone there), and North
// America's Central Standard Time, which gofeed reads, and which a date
// takes unless its feed's language is Chinese.
const (
	cstChina   = 8 * time.Hour
	cstCentral = -6 * time.Hour
)

// isChinese reports whether lang, a feed's language tag ("zh-cn",
// "zh_TW", "zh-Hans"), is Chinese.
func isChinese(lang string) bool {
	lang = strings.ToLower(strings.TrimSpace(lang))
	primary, _, _ := strings.Cut(strings.ReplaceAll(lang, "_", "-"), "-")
	return primary == "zh"
}

// chinaTime returns t, read from raw, moved from Central Standard Time to
// China Standard Time when raw ends in CST (rezone).
func chinaTime(raw string, t *time.Time) *time.Time {
	return rezone(raw, t, "CST", cstCentral, cstChina)
}

// The offsets of the two zones PST stands for: North America's Pacific
// Standard Time, which gofeed reads, and Philippine Standard Time, as
// Philippine newsrooms and servers write their zone, which a date takes
// when its feed's language is Filipino or of the Philippines.
const (
	pstPacific     = -8 * time.Hour
	pstPhilippines = 8 * time.Hour
)

// isPhilippine reports whether lang, a feed's language tag ("fil", "tl",
// "en-PH"), is Filipino or a tag of the Philippines.
func isPhilippine(lang string) bool {
	parts := strings.FieldsFunc(strings.ToLower(strings.TrimSpace(lang)), func(r rune) bool { return r == '-' || r == '_' })
	return len(parts) > 0 && (parts[0] == "fil" || parts[0] == "tl" || slices.Contains(parts[1:], "ph"))
}

// philippineTime returns t, read from raw, moved from Pacific Standard
// Time to Philippine Standard Time when raw ends in PST (rezone).
func philippineTime(raw string, t *time.Time) *time.Time {
	return rezone(raw, t, "PST", pstPacific, pstPhilippines)
}

// rezone returns t, read from raw, moved from the offset read to the
// offset means when raw ends in the abbreviation abbr and gives no offset
// in figures besides, and t was read at read (its clock there is the one
// raw shows).
func rezone(raw string, t *time.Time, abbr string, read, means time.Duration) *time.Time {
	if t == nil {
		return nil
	}
	f := strings.Fields(raw)
	if len(f) < 2 || !strings.EqualFold(f[len(f)-1], abbr) {
		return t
	}
	for _, w := range f[:len(f)-1] {
		if len(w) > 1 && (w[0] == '+' || w[0] == '-') && '0' <= w[1] && w[1] <= '9' {
			return t
		}
	}
	at := t.In(time.FixedZone(abbr, int(read/time.Second)))
	if !strings.Contains(raw, at.Format("15:04")) && !strings.Contains(raw, at.Format("3:04")) {
		return t
	}
	u := t.Add(read - means)
	return &u
}

// zoneNames are the zones that American feeds name by their region alone,
// "9:00 AM ET": their offset depends on the date, as daylight saving time
// begins and ends.
var zoneNames = map[string]string{
	"ET": "America/New_York", "CT": "America/Chicago", "MT": "America/Denver", "PT": "America/Los_Angeles",
}

// spelledZones are the zones that dates name in words, as Java's and
// .NET's date formats and newsrooms write them ("10:15 AM Eastern",
// "… 10:15:00 Eastern Standard Time", "… India Standard Time"), with the
// abbreviation or offset that looseDate reads in their place. A zone's
// standard or daylight time is read as its abbreviation is (Eastern
// Standard Time as EST, all year), and a region alone ("Eastern",
// "Pacific Time") as zoneNames has it, in daylight saving time or not as
// the date falls.
var spelledZones = map[string]string{
	"eastern": "ET", "eastern time": "ET", "eastern standard time": "EST", "eastern daylight time": "EDT",
	"central": "CT", "central time": "CT", "central standard time": "CST", "central daylight time": "CDT",
	"mountain": "MT", "mountain time": "MT", "mountain standard time": "MST", "mountain daylight time": "MDT",
	"pacific": "PT", "pacific time": "PT", "pacific standard time": "PST", "pacific daylight time": "PDT",
	"alaska standard time": "AKST", "alaska daylight time": "AKDT",
	"hawaii standard time": "HST", "hawaii-aleutian standard time": "HST",
	"atlantic standard time": "-0400", "atlantic daylight time": "-0300",
	"newfoundland standard time": "NST", "newfoundland daylight time": "NDT",
	"greenwich mean time": "GMT", "coordinated universal time": "UTC", "universal time": "UTC",
	"british summer time": "+0100", "irish standard time": "+0100",
	"western european time": "WET", "western european standard time": "WET", "western european summer time": "WEST",
	"central european time": "CET", "central european standard time": "CET", "central european summer time": "CEST",
	"eastern european time": "EET", "eastern european standard time": "EET", "eastern european summer time": "EEST",
	"moscow standard time": "MSK", "turkey time": "TRT",
	"israel standard time": "+0200", "israel daylight time": "IDT",
	"arabian standard time": "+0300", "arabia standard time": "+0300", "gulf standard time": "GST",
	"iran standard time": "IRST", "pakistan standard time": "PKT", "india standard time": "+0530",
	"nepal time": "NPT", "indochina time": "ICT", "western indonesia time": "WIB",
	"china standard time": "+0800", "hong kong standard time": "HKT", "singapore standard time": "SGT",
	"philippine standard time": "PHT", "malaysia time": "MYT",
	"japan standard time": "JST", "korean standard time": "KST", "korea standard time": "KST",
	"australian western standard time": "AWST",
	"australian central standard time": "ACST", "australian central daylight time": "ACDT",
	"australian eastern standard time": "AEST", "australian eastern daylight time": "AEDT",
	"new zealand standard time": "NZST", "new zealand daylight time": "NZDT",
	"west africa standard time": "WAT", "central africa time": "CAT", "east africa time": "EAT",
	"south africa standard time": "SAST", "brasilia standard time": "BRT", "argentina standard time": "ART",
}

// unspellZone returns raw with the zone its last words name in words
// (spelledZones) written as the abbreviation or offset looseDate reads.
func unspellZone(raw string) string {
	f := strings.Fields(raw)
	for n := min(len(f)-1, 4); n >= 1; n-- {
		if z, ok := spelledZones[strings.ToLower(strings.Join(f[len(f)-n:], " "))]; ok {
			return strings.Join(f[:len(f)-n], " ") + " " + z
		}
	}
	return raw
}

// locations caches the zones of the time zone database that dates have
// named: loading one reads the database.
var locations sync.Map // name → *time.Location

// location returns the zone of the time zone database that a date ends in,
// named as the database names it ("Europe/Berlin", "America/Sao_Paulo") or
// as zoneNames has it, or nil.
func location(name string) *time.Location {
	if n, ok := zoneNames[strings.ToUpper(name)]; ok {
		name = n
	} else if !strings.Contains(name, "/") || len(name) > 40 || strings.ContainsFunc(name, func(r rune) bool {
		return !(r == '/' || r == '_' || r == '-' || r == '+' || '0' <= r && r <= '9' || 'a' <= r && r <= 'z' || 'A' <= r && r <= 'Z')
	}) || strings.Contains(name, "..") {
		return nil
	}
	if l, ok := locations.Load(name); ok {
		return l.(*time.Location)
	}
	l, err := time.LoadLocation(name)
	if err != nil {
		return nil
	}
	locations.Store(name, l)
	return l
}

// compactLayouts are ISO 8601's basic format, without separators, as
// iCalendar writes dates and some feeds copy them ("20260301T090000Z").
var compactLayouts = []string{"20060102T150405Z0700", "20060102T150405Z07:00", "20060102T1504Z0700", "20060102T150405", "20060102T1504"}

// wallClockLayouts are dates without a zone that looseDate reads before a
// zone named as the time zone database names it.
var wallClockLayouts = []string{"2006-01-02 15:04:05", "2006-01-02T15:04:05", "2006-01-02 15:04", "2006-01-02T15:04"}

// maxLooseDate is the longest date looseDate reads: the longest real one,
// JavaScript's with its zone's name, runs to some 80 bytes.
const maxLooseDate = 200

// looseDate reads a date that gofeed cannot, or returns nil: one in RFC
// 822's order whose day and month are named in another language ("Mo, 03
// Mär 2025 10:00:00 +0100", "mar., 04 mars 2025 10:00 CET", "3. Oktober
// 2025", "1 mars 2026 à 10h00", "01.03.2026 10:00") or with no space after the day's name
// ("Tue,03 Mar 2026"), one in figures with the year first ("2026/03/01
// 09:00", "2026-03-01 09:00:00 +01:00"), one with the month first ("March
// 1, 2026 9:00 AM", SQL Server's "Mar  1 2026  9:00AM", Drupal's "Sunday,
// March 1, 2026 - 09:00"), one that ends in a comment,
// as RFC 5322 allows ("… +0200 (CEST)"), or in a zone of the time zone
// database ("2026-03-01 09:00:00 Europe/Berlin") or an American region's
// ("… ET"), or named in words ("… Eastern", "… India Standard Time":
// spelledZones), ISO 8601's basic format ("20260301T090000Z") and JavaScript's
// Date string ("Tue Mar 03 2026 10:00:00 GMT+0200 (Central European
// Summer Time)"). It reads the seconds or milliseconds since 1970
// ("1772359200"), Java's zoned date ("2026-03-01T10:15+01:00[Europe/Paris]"),
// Chinese, Japanese and Korean dates ("2026年3月1日 10:15", "2026년 3월 1일")
// and dates in figures with the year last ("28-11-2026", "11/28/2026"),
// day or month first as order says when the figures do not. IST is the
// zone ist gives. A zone it does not know makes it nil too, rather than a
// guess hours off.
func looseDate(raw string, ist time.Duration, order dayOrder) *time.Time {
	raw = strings.TrimSpace(raw)
	if len(raw) > maxLooseDate {
		return nil
	}
	if t := epochDate(raw); t != nil {
		return t
	}
	if r, id, ok := strings.Cut(raw, "["); ok && strings.HasSuffix(id, "]") && !strings.Contains(r, " ") {
		// Java's ZonedDateTime, its zone's id after its offset
		// ("2026-03-01T10:15+01:00[Europe/Paris]"), which the offset
		// says already; without one, the id is the zone.
		for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04Z07:00"} {
			if t, err := time.Parse(layout, r); err == nil {
				return &t
			}
		}
		raw = r + " " + strings.TrimSuffix(id, "]")
	}
	raw = unCJK(raw)
	raw = unspellZone(raw)
	if len(raw) >= 13 && (raw[8] == 'T' || raw[8] == 't') {
		for _, layout := range compactLayouts {
			if t, err := time.Parse(layout, strings.ToUpper(raw)); err == nil {
				return &t
			}
		}
	}
	if i := strings.LastIndexAny(raw, " \t"); i > 0 {
		if loc := location(raw[i+1:]); loc != nil {
			rest := strings.TrimSpace(raw[:i])
			var wall *time.Time
			for _, layout := range wallClockLayouts {
				if t, err := time.Parse(layout, rest); err == nil {
					wall = &t
					break
				}
			}
			if wall == nil {
				wall = dayMonthYear(rest, ist, order, false)
			}
			if wall == nil {
				return nil
			}
			t := time.Date(wall.Year(), wall.Month(), wall.Day(), wall.Hour(), wall.Minute(), wall.Second(), wall.Nanosecond(), loc).UTC()
			return &t
		}
	}
	return dayMonthYear(raw, ist, order, true)
}

// dateFillers are the words and signs between a date and its time, and
// after the year, without a trailing dot ("Sunday, March 1, 2026 - 09:00",
// "1 mars 2026 à 10h00", "28 ноября 2026 г. в 10:15", "28. nov. 2026 kl.
// 10:15").
var dateFillers = map[string]bool{"-": true, "–": true, "—": true, "at": true, "à": true, "um": true, "om": true, "alle": true, "às": true,
	"kl": true, "o": true, "saat": true, "г": true, "в": true}

// dayMonthYear reads the dates of looseDate that name their month, with a
// zone at the end when zoned is set.
func dayMonthYear(raw string, ist time.Duration, order dayOrder, zoned bool) *time.Time {
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
	if len(f) > 8 {
		return nil
	}
	g := f[:0]
	for _, w := range f {
		if w = strings.TrimRight(w, ","); w != "" && !dateFillers[strings.TrimSuffix(w, ".")] {
			g = append(g, w)
		}
	}
	f = g
	if len(f) > 0 && strings.Count(f[0], ".") == 2 {
		// A date in figures with dots, as German and others write
		// them: day first ("01.03.2026").
		if p := strings.Split(f[0], "."); len(p[0]) <= 2 && len(p[1]) <= 2 && len(p[2]) == 4 {
			if m, err := strconv.Atoi(p[1]); err == nil && m >= 1 && m <= 12 {
				f = append([]string{p[0], strings.ToLower(time.Month(m).String()[:3]), p[2]}, f[1:]...)
			}
		}
	}
	if len(f) > 0 {
		// A date in figures, the year last, with dashes or slashes
		// ("28-11-2026", "11/28/2026"): day or month first as order
		// tells, unless one of the two is past 12.
		if d, m, ok := figuresYearLast(f[0], order); ok {
			f = append([]string{strconv.Itoa(d), strings.ToLower(time.Month(m).String()[:3]), f[0][len(f[0])-4:]}, f[1:]...)
		}
	}
	if len(f) > 0 && len(f[0]) >= 8 && (f[0][4] == '-' || f[0][4] == '/') {
		// A date in figures, the year first, as ISO 8601 writes it and
		// Japanese and Chinese sites with slashes ("2026/03/01 09:00"),
		// its time after a T or a space, its zone after a space.
		d, clk, _ := strings.Cut(f[0], "t")
		if p := strings.Split(d, f[0][4:5]); len(p) == 3 && len(p[0]) == 4 && len(p[1]) <= 2 && len(p[2]) <= 2 {
			if m, err := strconv.Atoi(p[1]); err == nil && m >= 1 && m <= 12 {
				rest := f[1:]
				if clk != "" {
					rest = append([]string{clk}, rest...)
				}
				f = append([]string{p[2], strings.ToLower(time.Month(m).String()[:3]), p[0]}, rest...)
			}
		}
	}
	if len(f) > 1 && months[strings.TrimSuffix(f[0], ".")] != "" {
		f[0], f[1] = f[1], f[0] // the month before the day
	}
	if len(f) < 3 {
		return nil
	}
	month, ok := months[strings.TrimSuffix(f[1], ".")]
	if !ok {
		return nil
	}
	t, err := time.Parse("2 Jan 2006", strings.TrimSuffix(f[0], ".")+" "+month+" "+f[2])
	if err != nil {
		return nil
	}
	f = f[3:]
	if len(f) > 0 {
		for _, m := range []string{"am", "pm"} {
			// A twelve-hour time without a space before its "AM",
			// as SQL Server writes dates ("Mar  1 2026  9:00AM").
			if c, ok := strings.CutSuffix(f[0], m); ok && c != "" && c[len(c)-1] >= '0' && c[len(c)-1] <= '9' {
				f = append([]string{c, m}, f[1:]...)
				break
			}
		}
		c, ok := clock(f[0])
		if !ok {
			return nil
		}
		f = f[1:]
		if len(f) > 0 {
			if pm, ok := meridiem[f[0]]; ok {
				h := c / time.Hour
				if h < 1 || h > 12 {
					return nil
				}
				if h == 12 {
					c -= 12 * time.Hour
				}
				if pm {
					c += 12 * time.Hour
				}
				f = f[1:]
			}
		}
		t = t.Add(c)
	}
	if len(f) > 1 || len(f) == 1 && !zoned {
		return nil
	}
	if len(f) == 1 {
		zone := strings.ToUpper(f[0])
		off, ok := namedZones[zone]
		if !ok {
			off, ok = zoneOffsets[zone]
		}
		if !ok && zone == "IST" {
			off, ok = ist, true
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

// meridiem tells the words after a twelve-hour time: true for the
// afternoon, in English and Greek.
var meridiem = map[string]bool{"am": false, "a.m.": false, "pm": true, "p.m.": true, "π.μ.": false, "μ.μ.": true}

// clock reads a time of day, "9:00", "09:00:00" or, as French writes it,
// "10h00", or Danish and Norwegian "10.00", as the time since midnight.
func clock(s string) (time.Duration, bool) {
	parts := strings.FieldsFunc(s, func(r rune) bool { return r == ':' || r == 'h' || r == '.' })
	if len(parts) < 2 || len(parts) > 3 || strings.Count(s, "h") > 1 || strings.Contains(s, "h") && len(parts) != 2 {
		return 0, false
	}
	var d time.Duration
	for i, p := range parts {
		if len(p) > 2 || i > 0 && len(p) != 2 {
			return 0, false
		}
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || i == 0 && n > 23 || i > 0 && n > 59 {
			return 0, false
		}
		d += time.Duration(n) * []time.Duration{time.Hour, time.Minute, time.Second}[i]
	}
	return d, true
}

// dayOrder is the order of the day and the month in a feed's dates in
// figures with the year last ("03/04/2026"), which both orders write.
type dayOrder int

const (
	orderUnknown dayOrder = iota // either: such a date is left unread
	dayFirst                     // 03/04/2026 is 3 April
	monthFirst                   // 03/04/2026 is 4 March
)

// splitYearLast returns the day-or-month figures a and b of a date written
// a-b-yyyy or a/b/yyyy, or false.
func splitYearLast(s string) (a, b int, ok bool) {
	if len(s) < 8 || len(s) > 10 || s[len(s)-5] != '-' && s[len(s)-5] != '/' {
		return 0, 0, false
	}
	p := strings.Split(s, s[len(s)-5:len(s)-4])
	if len(p) != 3 || len(p[0]) < 1 || len(p[0]) > 2 || len(p[1]) < 1 || len(p[1]) > 2 || len(p[2]) != 4 {
		return 0, 0, false
	}
	for _, q := range p {
		if strings.ContainsFunc(q, func(r rune) bool { return r < '0' || r > '9' }) {
			return 0, 0, false
		}
	}
	a, _ = strconv.Atoi(p[0])
	b, _ = strconv.Atoi(p[1])
	return a, b, a >= 1 && b >= 1 && a <= 31 && b <= 31
}

// figuresYearLast returns the day and the month of a date written
// a-b-yyyy or a/b/yyyy: the figure past 12 is the day; when neither is,
// order decides, and a date it leaves undecided is not read (false), as
// both readings are dates.
func figuresYearLast(s string, order dayOrder) (day, month int, ok bool) {
	a, b, ok := splitYearLast(s)
	switch {
	case !ok || a > 12 && b > 12:
		return 0, 0, false
	case a > 12 || a == b || order == dayFirst && b <= 12:
		return a, b, true
	case b > 12 || order == monthFirst:
		return b, a, true
	}
	return 0, 0, false
}

// eitherOrder reports whether raw begins with a date in figures with the
// year last whose first two figures could each be the day ("03/04/2026").
// gofeed reads such a date by the first of its layouts that fits, with the
// day first in some forms ("03/04/2026", "03-04-2026", "03/04/2026
// 10:15:00") and the month first in others ("03/04/2026 3:04 PM"),
// whatever the feed's order: looseDate reads it as the feed's order has
// it instead.
func eitherOrder(raw string) bool {
	a, b, ok := splitYearLast(firstField(raw))
	return ok && a != b && a <= 12 && b <= 12
}

// firstField returns the first word of a date, without a comma after it:
// a date in figures is written before its time with one ("03/04/2026,
// 10:15") as without ("03/04/2026 10:15").
func firstField(raw string) string {
	f := strings.Fields(raw)
	if len(f) == 0 {
		return ""
	}
	return strings.TrimSuffix(f[0], ",")
}

// feedDayOrder returns the order of the day and the month in the dates in
// figures with the year last of one feed, from those whose day is past 12,
// when all of them agree; else as the feed's language writes dates
// (langDayOrder).
func feedDayOrder(dates []string, lang string) dayOrder {
	var seen [3]bool
	for _, raw := range dates {
		a, b, ok := splitYearLast(firstField(raw))
		switch {
		case !ok:
		case a > 12 && b <= 12:
			seen[dayFirst] = true
		case b > 12 && a <= 12:
			seen[monthFirst] = true
		}
	}
	switch {
	case seen[dayFirst] && seen[monthFirst]:
		return orderUnknown
	case seen[dayFirst]:
		return dayFirst
	case seen[monthFirst]:
		return monthFirst
	}
	return langDayOrder(lang)
}

// langDayOrder returns the order in which a feed in the language lang (a
// tag: "en-US", "de", "fil") writes the day and the month: the month first
// in Filipino and in the English of the United States and the
// Philippines; the day first in the English of other countries and in
// other languages, but for Chinese, Japanese and Korean, which write the
// year first; undecided for English of no country, or of Canada, which
// writes both.
func langDayOrder(lang string) dayOrder {
	parts := strings.FieldsFunc(strings.ToLower(strings.TrimSpace(lang)), func(r rune) bool { return r == '-' || r == '_' })
	if len(parts) == 0 {
		return orderUnknown
	}
	switch parts[0] {
	case "fil", "tl":
		return monthFirst
	case "zh", "ja", "ko":
		return orderUnknown
	case "en":
		if len(parts) == 1 {
			return orderUnknown
		}
		switch parts[1] {
		case "us", "ph":
			return monthFirst
		case "ca":
			return orderUnknown
		}
	}
	return dayFirst
}

// epochDate reads a date written as the seconds since 1970 (10 figures,
// "1772359200"), or the milliseconds (13), as some feeds copy a database's
// or JavaScript's timestamps, or returns nil.
func epochDate(raw string) *time.Time {
	if len(raw) != 10 && len(raw) != 13 || strings.ContainsFunc(raw, func(r rune) bool { return r < '0' || r > '9' }) {
		return nil
	}
	n, err := strconv.ParseInt(raw, 10, 64)
	if err != nil {
		return nil
	}
	t := time.Unix(n, 0).UTC()
	if len(raw) == 13 {
		t = time.UnixMilli(n).UTC()
	}
	return &t
}

// unCJK returns a date written as Chinese, Japanese and Korean write them
// ("2026年3月1日 10:15", "2026년 3월 1일 10:15") with slashes, as
// dayMonthYear reads them ("2026/3/1 10:15"), or raw. The day of the week
// in brackets after the day ("(土)", "（星期六）", "(토)") or in words
// ("星期六") is left out, a
// time in hours and minutes ("10時15分", "10시 15분") written with colons,
// and the words for morning and afternoon before the time ("午後",
// "下午", "오후") written after it as AM and PM.
func unCJK(raw string) string {
	if !strings.ContainsAny(raw, "年년") {
		return raw
	}
	s := raw
	for _, br := range [][2]string{{"(", ")"}, {"（", "）"}} {
		if i := strings.Index(s, br[0]); i >= 0 {
			if j := strings.Index(s[i:], br[1]); j > 0 {
				in := s[i+len(br[0]) : i+j]
				if in != "" && utf8.RuneCountInString(in) <= 3 && !strings.ContainsFunc(in, func(r rune) bool { return r < utf8.RuneSelf }) {
					s = s[:i] + " " + s[i+j+len(br[1]):]
				}
			}
		}
	}
	mer := ""
	for _, w := range [][2]string{{"午前", "am"}, {"午後", "pm"}, {"上午", "am"}, {"下午", "pm"}, {"오전", "am"}, {"오후", "pm"}} {
		if i := strings.Index(s, w[0]); i >= 0 {
			s, mer = s[:i]+" "+s[i+len(w[0]):], w[1]
			break
		}
	}
	s = strings.NewReplacer("年", "/", "년", "/", "月", "/", "월", "/", "日", " ", "일", " ",
		"時", ":", "时", ":", "시", ":", "分", ":", "분", ":", "秒", " ", "초", " ").Replace(s)
	p := strings.Split(s, "/")
	if len(p) != 3 {
		return raw
	}
	for i := range p {
		p[i] = strings.TrimSpace(p[i])
	}
	var f []string
	for _, w := range strings.Fields(p[2]) {
		// The day of the week in words ("星期五", "週五").
		if strings.ContainsFunc(w, func(r rune) bool { return r < utf8.RuneSelf }) {
			f = append(f, w)
		}
	}
	if len(f) == 0 {
		return raw
	}
	out := []string{p[0] + "/" + p[1] + "/" + f[0]}
	f = f[1:]
	if len(f) > 0 {
		// The time: its parts, split where a space followed "시".
		clk := f[0]
		f = f[1:]
		for len(f) > 0 && strings.HasSuffix(clk, ":") && '0' <= f[0][0] && f[0][0] <= '9' {
			clk, f = clk+f[0], f[1:]
		}
		if c, ok := strings.CutSuffix(clk, ":"); ok {
			clk = c
			if !strings.Contains(clk, ":") {
				clk += ":00" // hours alone, "10時"
			}
		}
		// Japanese and Korean count the hours of a half-day from 0: "午前0時30分"
		// is half past midnight and "午後0時" noon, which a 12-hour clock
		// writes as 12.
		if h, m, ok := strings.Cut(clk, ":"); ok && mer != "" && strings.Trim(h, "0") == "" {
			if mer == "am" {
				clk, mer = "00:"+m, ""
			} else {
				clk = "12:" + m
			}
		}
		out = append(out, clk)
		if mer != "" {
			out = append(out, mer)
		}
	}
	return strings.Join(append(out, f...), " ")
}
