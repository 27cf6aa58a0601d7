package parse

import "testing"

// TestSanitizeLeavesOutHiddenElements checks that what a browser keeps out
// of sight of an item's page is left out with what it holds, where the
// policy dropped the attribute or style that hid it and kept its text, and
// that text a browser shows stays.
func TestSanitizeLeavesOutHiddenElements(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<p>Shown</p><div style="display:none">casino casino</div>`, `<p>Shown</p>`},
		{`<p>Shown</p><div style="color: red ; Display : NONE !important">casino</div><p>After</p>`, `<p>Shown</p><p>After</p>`},
		{`<p>Shown <span style="visibility:hidden">casino</span>text</p>`, `<p>Shown text</p>`},
		{`<p>Shown <span style="visibility: collapse">casino</span>text</p>`, `<p>Shown text</p>`},
		{`<p>Shown</p><p hidden>casino</p><p HIDDEN="hidden">casino</p>`, `<p>Shown</p>`},
		{`<p>Shown</p><template><p>casino</p></template>`, `<p>Shown</p>`},
		// Nested elements of the hidden one's name end with it.
		{`<div hidden><div>casino</div>casino</div><div>Shown</div>`, `<div>Shown</div>`},
		// The end of an element open around it ends a hidden one left open.
		{`<p>One <span hidden>casino</p><p>Two</p>`, `<p>One </p><p>Two</p>`},
		// A hidden void element goes alone.
		{`<p>A <img hidden src="https://a.example/x.png" alt="casino">B</p>`, `<p>A B</p>`},
		// Shown: a later display undoes display:none, hidden="until-found"
		// is revealed by a reader's search, aria-hidden hides from screen
		// readers alone, and words in text are no attributes.
		{`<p style="display:none;display:block">Shown</p>`, `<p>Shown</p>`},
		{`<p hidden="until-found">Shown</p>`, `<p>Shown</p>`},
		{`<p aria-hidden="true">Shown</p>`, `<p>Shown</p>`},
		{`<p>The display had none hidden: hidden="x" style="display:none"</p>`, `<p>The display had none hidden: hidden=&#34;x&#34; style=&#34;display:none&#34;</p>`},
	} {
		if got := Sanitize(c.in, ""); got != c.want {
			t.Errorf("Sanitize(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// TestSanitizeDropsBidiOverrides checks that item HTML, as titles, keeps no
// character that forces the direction of the text after it: "Invoice
// \u202Egpj.exe" reads "Invoice exe.jpg". The embeddings and isolates that
// right-to-left text uses stay.
func TestSanitizeDropsBidiOverrides(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{"Invoice \u202egpj.exe attached", "Invoice gpj.exe attached"},
		{"<p>Invoice \u202egpj.exe</p>", "<p>Invoice gpj.exe</p>"},
		{"<p>Invoice &#x202E;gpj.exe &#8237;x</p>", "<p>Invoice gpj.exe x</p>"},
		{`<img src="https://a.example/x.png" alt="a&#x202E;b">`, `<img src="https://a.example/x.png" alt="ab">`},
		{"<p>\u2067שלום\u2069 world</p>", "<p>\u2067שלום\u2069 world</p>"},
	} {
		if got := Sanitize(c.in, ""); got != c.want {
			t.Errorf("Sanitize(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
