// Package query is Tributary's text matching: phrases matched on whole words,
// case-insensitively, and a small boolean query language over them.
//
// A query combines terms with AND, OR and NOT and parentheses:
//
//	("Xi Jinping" OR Beijing) AND (Taiwan OR "national security") NOT sport
//
// A term is a bare word or a quoted phrase (in "…", “…”, „…“, „…”, «…»,
// »…«, »…», ‹…›, ›…‹, ›…›, 「…」 or 『…』, as the languages that use them
// print them); a
// bare word that holds punctuation is a phrase of its words ("COVID-19" is
// the phrase "covid 19"), and a '"' between two Hebrew letters is the
// gershayim of an acronym ("צה"ל", "ארה"ב"), not a quotation mark. Fullwidth parentheses and operators ("（", "ＯＲ")
// are parentheses and operators, as typed in Chinese and Japanese.
// A word that ends in "*" is a prefix: econom* matches "economy" and
// "economic", and "prime minist*" matches "prime minister" (see Phrase).
// A term matches as Phrase says: "US" is an acronym, which "us" is not,
// and "C++" is not "C".
// Adjacent terms are joined by an implicit AND, and "a NOT b" means
// "a AND NOT b". NOT binds tighter than AND, and AND tighter than OR.
// Operators are upper-case only; a bare "and", "or" or "not" in another
// case is an error rather than the word, which a quoted "and" finds, and so
// is a bare word that starts with "-" ("-sport"): NOT leaves a word out.
//
// The package depends on nothing else in Tributary, so that configuration
// loading can check queries without importing the topic package.
package query

import (
	"fmt"
	"strings"
	"unicode"
	"unicode/utf8"

	"golang.org/x/text/width"
)

// maxDepth bounds the nesting of parentheses and NOT, so that a hostile
// query cannot exhaust the stack.
const maxDepth = 100

// Error is a syntax error in a query.
type Error struct {
	Column int    // 1-based, in characters
	Msg    string // what is wrong there
}

// Error returns the error as "column N: message".
func (e *Error) Error() string { return fmt.Sprintf("column %d: %s", e.Column, e.Msg) }

// Query is a parsed boolean query. It is immutable and safe for concurrent use.
type Query struct {
	src   string
	root  *node
	terms []term // distinct terms, in order of first appearance
	index *Index // the terms, for Match
	ids   []int  // index id of each term
}

type term struct {
	text   string   // as written: the bare word, or the phrase inside its quotes
	quoted bool     //
	words  []string // Words(text)
}

type op int

const (
	opTerm op = iota
	opAnd
	opOr
	opNot
)

type node struct {
	op   op
	term int     // for opTerm: index into Query.terms
	kids []*node // for opAnd and opOr: two or more; for opNot: one
}

// Parse parses a query. A syntax error is an *Error.
func Parse(s string) (*Query, error) {
	p := &parser{src: s, q: &Query{src: s}}
	if err := p.lex(); err != nil {
		return nil, err
	}
	if p.toks[0].kind == tokEOF {
		return nil, &Error{Column: 1, Msg: "empty query"}
	}
	root, err := p.parseOr(0)
	if err != nil {
		return nil, err
	}
	if t := p.peek(); t.kind != tokEOF {
		if t.kind == tokRParen {
			return nil, &Error{Column: t.col, Msg: `unexpected ")"`}
		}
		return nil, &Error{Column: t.col, Msg: "unexpected " + t.describe()}
	}
	q := p.q
	q.root = root
	q.index = NewIndex()
	q.ids = make([]int, len(q.terms))
	for i, t := range q.terms {
		q.ids[i] = q.index.Add(t.words)
	}
	return q, nil
}

// Source returns the query as it was written.
func (q *Query) Source() string { return q.src }

// Terms returns the words of each distinct term of the query, in order of
// first appearance; Eval asks about terms by their position in this list.
func (q *Query) Terms() [][]string {
	out := make([][]string, len(q.terms))
	for i, t := range q.terms {
		out[i] = t.words
	}
	return out
}

// Term returns the term at position i of Terms as the query writes it: a
// bare word as it is, a phrase in quotes.
func (q *Query) Term(i int) string {
	t := q.terms[i]
	if !t.quoted {
		return t.text
	}
	// The first quotes whose closer the phrase does not hold: one of them
	// is those it was written in, which it cannot hold.
	for _, q := range [...][2]string{{`"`, `"`}, {"“", "”"}, {"«", "»"}, {"「", "」"}, {"『", "』"}} {
		if !strings.Contains(t.text, q[1]) {
			return q[0] + t.text + q[1]
		}
	}
	return "＂" + t.text + "＂"
}

// maxConstantTerms bounds the distinct terms Constant tries every
// combination of.
const maxConstantTerms = 16

// Constant reports whether the query has the same value whatever the text,
// and which: "a NOT a" never holds, "a OR NOT a" always does. It tries
// every combination of its terms being found or not, as if each could be
// found without the others; when none makes a difference, no text can. It
// reports false for a query of more than 16 distinct terms.
func (q *Query) Constant() (value, ok bool) {
	n := len(q.terms)
	if n > maxConstantTerms {
		return false, false
	}
	first := q.Eval(func(int) bool { return false })
	for set := uint32(1); set < 1<<n; set++ {
		if q.Eval(func(i int) bool { return set&(1<<i) != 0 }) != first {
			return false, false
		}
	}
	return first, true
}

// Eval evaluates the query given has, which reports whether the term at
// position i of Terms appears in the text.
func (q *Query) Eval(has func(i int) bool) bool { return q.root.eval(has) }

func (n *node) eval(has func(int) bool) bool {
	switch n.op {
	case opTerm:
		return has(n.term)
	case opNot:
		return !n.kids[0].eval(has)
	case opAnd:
		for _, k := range n.kids {
			if !k.eval(has) {
				return false
			}
		}
		return true
	default: // opOr
		for _, k := range n.kids {
			if k.eval(has) {
				return true
			}
		}
		return false
	}
}

// Match reports whether the query holds for a text made of fields. Terms
// match whole words case-insensitively (see Words) within one field.
func (q *Query) Match(fields ...string) bool {
	found := make([]bool, q.index.Len())
	q.index.Find(found, fields)
	return q.Eval(func(i int) bool { return q.ids[i] >= 0 && found[q.ids[i]] })
}

// String returns the query in a canonical form that parses back to the same
// structure: explicit AND, nested groups in parentheses, terms as written.
func (q *Query) String() string {
	var b strings.Builder
	q.write(&b, q.root, false)
	return b.String()
}

func (q *Query) write(b *strings.Builder, n *node, group bool) {
	switch n.op {
	case opTerm:
		b.WriteString(q.Term(n.term))
	case opNot:
		b.WriteString("NOT ")
		q.write(b, n.kids[0], true)
	default:
		sep := " AND "
		if n.op == opOr {
			sep = " OR "
		}
		if group {
			b.WriteByte('(')
		}
		for i, k := range n.kids {
			if i > 0 {
				b.WriteString(sep)
			}
			q.write(b, k, true)
		}
		if group {
			b.WriteByte(')')
		}
	}
}

// dump returns the structure of the query with terms as their words, for
// comparing two parses.
func (q *Query) dump() string {
	var b strings.Builder
	var walk func(n *node)
	walk = func(n *node) {
		switch n.op {
		case opTerm:
			fmt.Fprintf(&b, "%q", q.terms[n.term].words)
			return
		case opNot:
			b.WriteString("(not ")
		case opAnd:
			b.WriteString("(and")
		case opOr:
			b.WriteString("(or")
		}
		for _, k := range n.kids {
			b.WriteByte(' ')
			walk(k)
		}
		b.WriteByte(')')
	}
	walk(q.root)
	return b.String()
}

type tokKind int

const (
	tokEOF tokKind = iota
	tokWord
	tokPhrase
	tokLParen
	tokRParen
	tokAnd
	tokOr
	tokNot
)

type token struct {
	kind tokKind
	text string
	col  int
}

func (t token) describe() string {
	switch t.kind {
	case tokEOF:
		return "end of query"
	case tokLParen:
		return `"("`
	case tokRParen:
		return `")"`
	case tokAnd:
		return "AND"
	case tokOr:
		return "OR"
	case tokNot:
		return "NOT"
	default:
		return fmt.Sprintf("%q", t.text)
	}
}

type parser struct {
	src  string
	toks []token
	pos  int
	q    *Query
}

func isSpecial(r rune) bool {
	return paren(r) != 0 || quoteClosers[r] != "" || strings.ContainsRune(closingQuotes, r) || unicode.IsSpace(r)
}

// paren returns '(' or ')' for r, that parenthesis or its fullwidth form,
// which Chinese and Japanese text is typed with ("（北京 OR 上海）"), and 0
// for any other rune.
func paren(r rune) rune {
	switch r {
	case '(', '（':
		return '('
	case ')', '）':
		return ')'
	}
	return 0
}

// quoteClosers maps each quotation mark a phrase may open with to the
// marks that may close it, as the languages that use them print them:
// "…" and its fullwidth form, English “…”, German „…“ and »…«, Polish
// „…”, French, Russian, Arabic and Persian «…», Swedish »…», the single
// guillemets of Swiss and French ‹…›, German ›…‹ and Swedish ›…›, and the
// corner brackets of Chinese and Japanese 「…」 and 『…』.
var quoteClosers = map[rune]string{
	'"': `"`, '＂': "＂", '“': "”", '„': "“”", '«': "»", '»': "«»", '‹': "›", '›': "‹›", '「': "」", '『': "』",
}

// closingQuotes are the quotation marks that only close a phrase.
const closingQuotes = "”」』"

// gershayim reports whether the '"' at s[i], inside the bare word that
// starts at s[start], stands between two Hebrew letters: the gershayim of
// a Hebrew acronym, which Hebrew is typed with on a keyboard ("צה"ל",
// "ארה"ב"), rather than a quotation mark. One that a later '"' at the end
// of a word closes, before any other that may open a phrase, opens one:
// Hebrew writes a prefix of one letter before a quotation (ב"הארץ",
// ו"ידיעות אחרונות"), which is that letter and the phrase.
func gershayim(s string, start, i int) bool {
	if !betweenHebrewLetters(s, start, i) {
		return false
	}
	for j := i + 1; j < len(s); j++ {
		if s[j] != '"' {
			continue
		}
		if betweenHebrewLetters(s, start, j) {
			return true // a later one, which a closing '"' closes if any
		}
		before, _ := utf8.DecodeLastRuneInString(s[:j])
		return unicode.IsSpace(before) || isSpecial(before) // one that opens a phrase, or else closes this one
	}
	return true
}

// betweenHebrewLetters reports whether the '"' at s[i], after s[start],
// stands between two Hebrew letters.
func betweenHebrewLetters(s string, start, i int) bool {
	if s[i] != '"' || i == start || i+1 >= len(s) {
		return false
	}
	before, _ := utf8.DecodeLastRuneInString(s[start:i])
	after, _ := utf8.DecodeRuneInString(s[i+1:])
	return hebrewLetter(before) && hebrewLetter(after)
}

func hebrewLetter(r rune) bool { return unicode.Is(unicode.Hebrew, r) && unicode.IsLetter(r) }

// operator returns the operator that text, a bare word, spells in
// capitals, in ASCII or in the fullwidth letters that Chinese and Japanese
// input methods may type ("ＯＲ"), and tokWord when it spells none.
func operator(text string) tokKind {
	switch width.Fold.String(text) {
	case "AND":
		return tokAnd
	case "OR":
		return tokOr
	case "NOT":
		return tokNot
	}
	return tokWord
}

// lex splits the source into tokens, columns counted in characters.
func (p *parser) lex() error {
	s := p.src
	col := 1
	for i := 0; i < len(s); {
		r, size := utf8.DecodeRuneInString(s[i:])
		switch {
		case unicode.IsSpace(r):
			i += size
			col++
		case paren(r) != 0:
			k := tokLParen
			if paren(r) == ')' {
				k = tokRParen
			}
			p.toks = append(p.toks, token{kind: k, text: string(paren(r)), col: col})
			i += size
			col++
		case quoteClosers[r] != "":
			end := strings.IndexAny(s[i+size:], quoteClosers[r])
			if end < 0 {
				return &Error{Column: col, Msg: "unterminated quote"}
			}
			text := s[i+size : i+size+end]
			_, closeSize := utf8.DecodeRuneInString(s[i+size+end:])
			p.toks = append(p.toks, token{kind: tokPhrase, text: text, col: col})
			i += size + end + closeSize
			col += 2 + utf8.RuneCountInString(text)
		case strings.ContainsRune(closingQuotes, r):
			return &Error{Column: col, Msg: "closing quote without an opening one"}
		default:
			start, startCol := i, col
			for i < len(s) {
				r, size := utf8.DecodeRuneInString(s[i:])
				if isSpecial(r) && !gershayim(s, start, i) {
					break
				}
				i += size
				col++
			}
			text := s[start:i]
			p.toks = append(p.toks, token{kind: operator(text), text: text, col: startCol})
		}
	}
	p.toks = append(p.toks, token{kind: tokEOF, col: col})
	return nil
}

func (p *parser) peek() token { return p.toks[p.pos] }

func (p *parser) next() token {
	t := p.toks[p.pos]
	if t.kind != tokEOF {
		p.pos++
	}
	return t
}

func startsTerm(k tokKind) bool {
	return k == tokWord || k == tokPhrase || k == tokLParen || k == tokNot
}

// parseOr parses: and { OR and }.
func (p *parser) parseOr(depth int) (*node, error) {
	first, err := p.parseAnd(depth, token{})
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for p.peek().kind == tokOr {
		opTok := p.next()
		k, err := p.parseAnd(depth, opTok)
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &node{op: opOr, kids: kids}, nil
}

// parseAnd parses: unary { [AND] unary }; after names the operator before
// it, for messages.
func (p *parser) parseAnd(depth int, after token) (*node, error) {
	first, err := p.parseUnary(depth, after)
	if err != nil {
		return nil, err
	}
	kids := []*node{first}
	for {
		t := p.peek()
		if t.kind == tokAnd {
			p.next()
			k, err := p.parseUnary(depth, t)
			if err != nil {
				return nil, err
			}
			kids = append(kids, k)
			continue
		}
		if !startsTerm(t.kind) {
			break
		}
		k, err := p.parseUnary(depth, token{}) // implicit AND
		if err != nil {
			return nil, err
		}
		kids = append(kids, k)
	}
	if len(kids) == 1 {
		return first, nil
	}
	return &node{op: opAnd, kids: kids}, nil
}

// parseUnary parses: NOT unary | "(" or ")" | term.
func (p *parser) parseUnary(depth int, after token) (*node, error) {
	t := p.peek()
	if depth > maxDepth {
		return nil, &Error{Column: t.col, Msg: "query nested too deeply"}
	}
	switch t.kind {
	case tokNot:
		p.next()
		k, err := p.parseUnary(depth+1, t)
		if err != nil {
			return nil, err
		}
		return &node{op: opNot, kids: []*node{k}}, nil
	case tokLParen:
		p.next()
		if p.peek().kind == tokRParen {
			return nil, &Error{Column: t.col, Msg: "empty parentheses"}
		}
		inner, err := p.parseOr(depth + 1)
		if err != nil {
			return nil, err
		}
		if c := p.peek(); c.kind != tokRParen {
			return nil, &Error{Column: c.col, Msg: fmt.Sprintf(`expected ")" to close "(" at column %d`, t.col)}
		}
		p.next()
		return inner, nil
	case tokWord, tokPhrase:
		p.next()
		return p.term(t)
	default:
		if after.kind != tokEOF {
			return nil, &Error{Column: t.col, Msg: fmt.Sprintf("expected a term after %s, got %s", after.describe(), t.describe())}
		}
		if t.kind == tokRParen {
			return nil, &Error{Column: t.col, Msg: `unexpected ")"`}
		}
		return nil, &Error{Column: t.col, Msg: fmt.Sprintf("expected a term before %s", t.describe())}
	}
}

func (p *parser) term(t token) (*node, error) {
	if minus, _ := utf8.DecodeRuneInString(t.text); t.kind == tokWord && (minus == '-' || minus == '－' || minus == '−') {
		// A search engine's "-word" leaves the word out; here the "-" would
		// be dropped as punctuation and the word required instead. So
		// would the fullwidth "－" of Chinese and Japanese input methods,
		// and the minus sign.
		rest := t.text[utf8.RuneLen(minus):]
		if r, _ := utf8.DecodeRuneInString(rest); isWordRune(r) {
			return nil, &Error{Column: t.col, Msg: fmt.Sprintf("%s: write NOT %s to leave it out, or quote it", t.describe(), rest)}
		}
	}
	if t.kind == tokWord {
		// "tea or coffee" would ask for the three words, "or" among
		// them, which nearly every long text has: never what was meant.
		for _, op := range []string{"AND", "OR", "NOT"} {
			if strings.EqualFold(width.Fold.String(t.text), op) {
				return nil, &Error{Column: t.col, Msg: fmt.Sprintf("%s: write %s for the operator, or quote %s to find the word", t.describe(), op, t.describe())}
			}
		}
	}
	words, err := Phrase(t.text)
	if err != nil {
		switch {
		case t.kind == tokPhrase && strings.TrimSpace(t.text) == "":
			return nil, &Error{Column: t.col, Msg: "empty phrase"}
		case len(Words(t.text)) == 0:
			return nil, &Error{Column: t.col, Msg: fmt.Sprintf("%s has no letters or digits", t.describe())}
		}
		return nil, &Error{Column: t.col, Msg: fmt.Sprintf("%s: %v", t.describe(), err)}
	}
	key := strings.Join(words, " ")
	for i, old := range p.q.terms {
		if strings.Join(old.words, " ") == key {
			return &node{op: opTerm, term: i}, nil
		}
	}
	p.q.terms = append(p.q.terms, term{text: t.text, quoted: t.kind == tokPhrase, words: words})
	return &node{op: opTerm, term: len(p.q.terms) - 1}, nil
}
