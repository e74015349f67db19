package redact

import "testing"

func TestURLs(t *testing.T) {
	for _, tt := range []struct{ in, want string }{
		{"https://slack.com/api/", "https://slack.com/api/"},
		{"https://user:pass@proxy.example/api/", "https://redacted@proxy.example/api/"},
		{"https://tok3n@proxy.example", "https://redacted@proxy.example"},
		{"HTTP://u:p@h/x?y=1#z", "HTTP://redacted@h/x?y=1#z"},
		{"https://u:p@ss@h/x", "https://redacted@h/x"},
		{`Get "https://u:***@feeds.example/rss": dial tcp: refused`, `Get "https://redacted@feeds.example/rss": dial tcp: refused`},
		{"two: http://a:b@x/ and https://c:d@y/", "two: http://redacted@x/ and https://redacted@y/"},
		{"mailto-ish user@example.com stays", "mailto-ish user@example.com stays"},
		{"https://h/path@not-userinfo", "https://h/path@not-userinfo"},
		{"/var/feeds/local.xml", "/var/feeds/local.xml"},
	} {
		if got := URLs(tt.in); got != tt.want {
			t.Errorf("URLs(%q) = %q, want %q", tt.in, got, tt.want)
		}
	}
}
