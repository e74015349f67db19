package slack

import "testing"

func TestEscaping(t *testing.T) {
	tests := []struct{ in, want string }{
		{"<!channel> & <@U123>", "&lt;!channel&gt; &amp; &lt;@U123&gt;"},
		{"a\u200bb\u202ec\x1b[0m", "abc[0m"},
		{"  line\n\tbreak  ", "line break"},
		{"&amp;", "&amp;amp;"},
	}
	for _, tt := range tests {
		if got := feed(tt.in, 3000); got != tt.want {
			t.Errorf("feed(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/a?b=1&c=2", "https://example.org/a?b=1&amp;c=2"},
		{"HTTP://Example.org/a b|c<d>", "HTTP://Example.org/a%20b%7Cc%3Cd%3E"},
		{"javascript:alert(1)", ""},
		{" javascript:alert(1)", ""},
		{"https://user:pw@example.org/", ""},
		{"//example.org/", ""},
		{"http://", ""},
		{"https://example.org/\u200b", ""},
		{"mailto:a@example.org", ""},
	}
	for _, tt := range tests {
		if got := link(tt.in); got != tt.want {
			t.Errorf("link(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestCut(t *testing.T) {
	tests := []struct {
		in   string
		max  int
		want string
	}{
		{"short", 10, "short"},
		{"the quick brown fox", 12, "the quick…"},
		{"abcdefghij", 5, "abcd…"},
		{"a &amp; b", 4, "a…"},
		{"xx&amp;yy", 5, "xx…"},
		{"éééé", 3, "éé…"},
		{"e\u0301e\u0301e\u0301", 4, "e\u0301…"},
		{"👍👍👍", 5, "👍👍…"},
		{"abc", 0, ""},
	}
	for _, tt := range tests {
		got := cut(tt.in, tt.max)
		if got != tt.want {
			t.Errorf("cut(%q, %d) = %q, want %q", tt.in, tt.max, got, tt.want)
		}
		if units(got) > tt.max {
			t.Errorf("cut(%q, %d) is %d units", tt.in, tt.max, units(got))
		}
	}
}
