package console

import "testing"

func TestMarkdownEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"*b* _i_ [x](http://evil) <b>", `\*b\* \_i\_ \[x\](http://evil) \<b\>`},
		{"![img](x)", `\!\[img\](x)`},
		{"Guinea-Bissau: junta (AFP) +3 wow!", "Guinea-Bissau: junta (AFP) +3 wow!"},
		{"- not a list", `\- not a list`},
		{"+ not a list", `\+ not a list`},
		{"a | b ~~c~~", `a \| b \~\~c\~\~`},
		{"# h", `\# h`},
		{"1. item", `1\. item`},
		{"in 2026. ok", "in 2026. ok"},
		{"&amp; `c`", "\\&amp; \\`c\\`"},
	}
	for _, tt := range tests {
		if got := mdEscape(tt.in); got != tt.want {
			t.Errorf("mdEscape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

// Text is cut at a word, never leaving an escaping backslash without what
// it escapes, nor a combining mark without its letter.
func TestCutKeepsEscapes(t *testing.T) {
	for _, tt := range []struct {
		in   string
		max  int
		want string
	}{
		{`ab\*cd`, 4, "ab…"},
		{`a\\bcd`, 4, `a\\…`},
		{"cafe\u0301s!", 6, "cafe\u0301…"},
		{"cafe\u0301s", 5, "caf…"},
		{"short", 5, "short"},
	} {
		if got := cut(tt.in, tt.max); got != tt.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
	}
}

func TestLink(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://x.example/a b\"<>", "https://x.example/a%20b%22%3C%3E"},
		{"javascript:alert(1)", ""},
		{"https://user@x.example/", ""},
	} {
		if got := link(tt.in); got != tt.want {
			t.Errorf("link(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
