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
