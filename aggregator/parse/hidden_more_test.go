package parse

import "testing"

// TestSanitizeLeavesOutHiddenElementsAsBrowsersRead checks hidden elements
// written in ways a browser reads as hidden although the words are not
// there to see: a style spelled with character references, CSS escapes or
// comments.
func TestSanitizeLeavesOutHiddenElementsAsBrowsersRead(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		{`<p>Shown</p><div style="d&#105;splay:none">casino</div>`, `<p>Shown</p>`},
		{`<p>Shown</p><div style="&#x64;isplay:&#110;one">casino</div>`, `<p>Shown</p>`},
		{`<p>Shown</p><div style="d\isplay:none">casino</div>`, `<p>Shown</p>`},
		{`<p>Shown</p><div style="display:n\6f ne">casino</div>`, `<p>Shown</p>`},
		{`<p>Shown</p><div style="display:/* a */none/**/">casino</div>`, `<p>Shown</p>`},
		{`<p>Shown</p><div style="display:none ! important">casino</div>`, `<p>Shown</p>`},
		{`<p>A content:"display:none" B</p>`, `<p>A content:&#34;display:none&#34; B</p>`},
	} {
		if got := Sanitize(c.in, ""); got != c.want {
			t.Errorf("Sanitize(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}

// TestSanitizeEndsHiddenElementsAsBrowsersDo checks that a hidden element
// left open ends where a browser ends it: a <p> or <li> at the start of
// another (a <p> at the start of a block too), whose text is shown; and
// that the </p> of a paragraph a block closed already ends no hidden
// element.
func TestSanitizeEndsHiddenElementsAsBrowsersDo(t *testing.T) {
	for _, c := range []struct{ in, want string }{
		// A <div> closes the <p> open around it, so the </p> after it
		// closes nothing and the div goes on.
		{`<p>Shown<div hidden>casino</p>casino</div><p>After</p>`, `<p>Shown<p>After</p>`},
		// Shown: a browser reads the first of two style attributes; a <p>
		// or <li> ends a hidden one open.
		{`<p style="color:red" style="display:none">Shown</p>`, `<p>Shown</p>`},
		{`<p hidden>casino<p>Shown</p>`, `<p>Shown</p>`},
		{`<ul><li hidden>casino<li>Shown</ul>`, `<ul><li>Shown</ul>`},
		{`<p hidden>casino<div>Shown</div>`, `<div>Shown</div>`},
		{`<table><tr><td hidden>casino<td>Shown</tr></table>`, `<table><tr><td>Shown</tr></table>`},
		{`<table><tr hidden><td>casino<tr><td>Shown</table>`, `<table><tr><td>Shown</table>`},
	} {
		if got := Sanitize(c.in, ""); got != c.want {
			t.Errorf("Sanitize(%q) = %q; want %q", c.in, got, c.want)
		}
	}
}
