package discord

import "testing"

func TestEscape(t *testing.T) {
	tests := []struct{ in, want string }{
		{"@everyone @here", "@\u200beveryone @\u200bhere"},
		{"<@123> <#456> <@&789>", `\<@` + "\u200b" + `123\> \<\#456\> \<@` + "\u200b" + `&789\>`},
		{"[x](http://evil)", `\[x\]\(http://evil\)`},
		{"*b* _i_ ~s~ `c` ||sp|| > q", `\*b\* \_i\_ \~s\~ \` + "`c\\`" + ` \|\|sp\|\| \> q`},
		{"# h", `\# h`},
		{"- item", `\- item`},
		{"1. item", `1\. item`},
		{"in 2026. Fine", "in 2026. Fine"},
		{`back\slash`, `back\\slash`},
		{"a\u200b@\u200dhere", "a@\u200bhere"},
	}
	for _, tt := range tests {
		if got := escape(clean(tt.in)); got != tt.want {
			t.Errorf("escape(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestLink(t *testing.T) {
	tests := []struct{ in, want string }{
		{"https://example.org/a_(b)?c=1&d=2", "https://example.org/a_%28b%29?c=1&d=2"},
		{"HTTP://Example.org/a b|c<d>", "HTTP://Example.org/a%20b%7Cc%3Cd%3E"},
		{"javascript:alert(1)", ""},
		{"https://user:pw@example.org/", ""},
		{"//example.org/", ""},
		{"https://example.org/\u200b", ""},
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
		{`ab\*cd`, 4, "ab…"},
		{"a@\u200beveryone", 3, "a…"},
		{"e\u0301e\u0301e\u0301", 4, "e\u0301…"},
		{"👍👍👍", 5, "👍👍…"},
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
