package sources

import (
	"net/url"
	"strings"
)

// trackingParams are query parameters that only tell a publisher where a
// click came from. They make one article look like many, so they go.
var trackingParams = map[string]bool{
	"fbclid": true, "gclid": true, "dclid": true, "msclkid": true, "yclid": true,
	"mc_cid": true, "mc_eid": true, "_ga": true, "_gl": true, "igshid": true,
	"xtor": true, "xtref": true, "xts": true, // AT Internet (RFI, France 24, Le Monde)
	"ocid": true, "cmpid": true, "cmp": true, "ito": true, "at_medium": true,
	"at_campaign": true, "at_link": true, "at_ptr_name": true, "at_format": true,
	"smid": true, "smtyp": true, "soc_src": true, "soc_trk": true, "ref_src": true,
	"mbid": true, "wt.mc_id": true, "spm": true, "__twitter_impression": true,
}

// trackingPrefixes catch parameter families such as utm_source, utm_medium.
var trackingPrefixes = []string{"utm_", "ns_", "at_", "pk_", "mtm_", "hsa_"}

// googleNewsParams are Google News' own click parameters on its article links.
var googleNewsParams = map[string]bool{"oc": true, "hl": true, "gl": true, "ceid": true}

func isTrackingParam(host, name string) bool {
	name = strings.ToLower(name)
	if trackingParams[name] {
		return true
	}
	for _, p := range trackingPrefixes {
		if strings.HasPrefix(name, p) {
			return true
		}
	}
	return host == "news.google.com" && googleNewsParams[name]
}

// canonicalURL resolves link against base and removes what does not
// identify the article: tracking parameters, default ports, letter case of
// scheme and host. It keeps the fragment; the feed-level pass decides
// whether fragments matter (see dropRedundantFragments). It returns "" for
// links that are not http(s) after resolution.
func canonicalURL(base *url.URL, link string) string {
	link = strings.TrimSpace(link)
	if link == "" {
		return ""
	}
	u, err := url.Parse(link)
	if err != nil {
		return ""
	}
	if base != nil {
		u = base.ResolveReference(u)
	}
	u.Scheme = strings.ToLower(u.Scheme)
	if u.Scheme != "http" && u.Scheme != "https" {
		return ""
	}
	if u.Host == "" {
		return ""
	}
	host := strings.ToLower(u.Hostname())
	port := u.Port()
	if (u.Scheme == "http" && port == "80") || (u.Scheme == "https" && port == "443") {
		port = ""
	}
	if port != "" {
		u.Host = host + ":" + port
	} else {
		u.Host = host
	}
	u.User = nil
	if u.Path == "" {
		u.Path = "/"
	}
	if u.RawQuery != "" {
		u.RawQuery = stripTracking(host, u.RawQuery)
	}
	u.ForceQuery = false
	return u.String()
}

// stripTracking drops tracking parameters but otherwise keeps the query as
// the publisher wrote it: order and encoding can matter to some servers.
func stripTracking(host, rawQuery string) string {
	parts := strings.Split(rawQuery, "&")
	kept := parts[:0]
	for _, p := range parts {
		if p == "" {
			continue
		}
		name := p
		if i := strings.IndexByte(p, '='); i >= 0 {
			name = p[:i]
		}
		if n, err := url.QueryUnescape(name); err == nil {
			name = n
		}
		if isTrackingParam(host, name) {
			continue
		}
		kept = append(kept, p)
	}
	return strings.Join(kept, "&")
}

// withoutFragment returns u without its #fragment.
func withoutFragment(u string) string {
	if i := strings.IndexByte(u, '#'); i >= 0 {
		return u[:i]
	}
	return u
}

// dropRedundantFragments removes #fragments from a feed's links unless
// fragments are what tell its entries apart: on blogs that link every post
// to one daily page with an anchor per post, two entries share a page, and
// then the whole feed keeps its anchors (a day with one post included).
// Elsewhere anchors such as "#comments" or "#xtor=RSS" are noise that
// would make one article look like two.
func dropRedundantFragments(links []string) {
	pages := make(map[string]string, len(links)) // page -> first link seen
	for _, l := range links {
		if l == "" || strings.IndexByte(l, '#') < 0 {
			continue
		}
		page := withoutFragment(l)
		if first, ok := pages[page]; ok && first != l {
			return // anchors distinguish entries: keep them all
		}
		pages[page] = l
	}
	for i, l := range links {
		links[i] = withoutFragment(l)
	}
}
