package sources

import (
	"net/url"
	"reflect"
	"testing"
)

func TestCanonicalURL(t *testing.T) {
	base, _ := url.Parse("https://www.rfi.fr/fr/afrique/rss")
	cases := []struct{ in, want string }{
		{"https://www.rfi.fr/fr/afrique/20261126-mali?xtor=RSS-32", "https://www.rfi.fr/fr/afrique/20261126-mali"},
		{"https://WWW.Example.COM:443/a?utm_source=x&id=7&utm_medium=rss&fbclid=abc", "https://www.example.com/a?id=7"},
		{"http://example.com:80/a?gclid=1&mc_cid=2&ocid=3&at_medium=4", "http://example.com/a"},
		{"http://example.com:8080/a", "http://example.com:8080/a"},
		{"/fr/afrique/article-1.html", "https://www.rfi.fr/fr/afrique/article-1.html"},
		{"article-2.html", "https://www.rfi.fr/fr/afrique/article-2.html"},
		{"//cdn.example.org/x", "https://cdn.example.org/x"},
		{"https://news.google.com/rss/articles/CBMiX?oc=5&hl=fr", "https://news.google.com/rss/articles/CBMiX"},
		{"https://other.example/p?hl=fr", "https://other.example/p?hl=fr"}, // hl only tracks on Google News
		{"https://example.com/a#section-2", "https://example.com/a#section-2"},
		{"https://user:pw@example.com/a", "https://example.com/a"},
		{"https://example.com", "https://example.com/"},
		{"  https://example.com/a  ", "https://example.com/a"},
		{"mailto:desk@example.com", ""},
		{"javascript:alert(1)", ""},
		{"", ""},
	}
	for _, tc := range cases {
		if got := canonicalURL(base, tc.in); got != tc.want {
			t.Errorf("canonicalURL(%q) = %q, want %q", tc.in, got, tc.want)
		}
	}
}

func TestDropRedundantFragments(t *testing.T) {
	cases := []struct {
		name     string
		in, want []string
	}{
		{"anchors tell a blog's posts apart: all kept",
			[]string{"http://scripting.com/2017/06/26.html#a080605", "http://scripting.com/2017/06/26.html#a030658", "http://scripting.com/2017/06/20.html#a100647", ""},
			[]string{"http://scripting.com/2017/06/26.html#a080605", "http://scripting.com/2017/06/26.html#a030658", "http://scripting.com/2017/06/20.html#a100647", ""}},
		{"anchors are noise: dropped",
			[]string{"https://www.rfi.fr/fr/afrique/1#xtor=RSS", "https://example.com/b#comments", "https://example.com/b#comments", "https://example.com/c"},
			[]string{"https://www.rfi.fr/fr/afrique/1", "https://example.com/b", "https://example.com/b", "https://example.com/c"}},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			dropRedundantFragments(tc.in)
			if !reflect.DeepEqual(tc.in, tc.want) {
				t.Errorf("got %q\nwant %q", tc.in, tc.want)
			}
		})
	}
}
