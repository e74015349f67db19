// Package redact keeps credentials out of what sahelbrief prints: the one
// place where URLs lose their user information before they reach
// `config` output, errors, logs and the fetch and sources reports. It
// imports nothing of ours, so config and sources may both use it.
package redact

import "regexp"

// userinfo matches the user information of a URL: after the scheme's
// "//", everything up to the "@" that ends the authority. The password
// may hold almost anything, so the match runs to the last "@" before
// the path, query, fragment or the end of the URL in running text.
var userinfo = regexp.MustCompile(`(?i)\b([a-z][a-z0-9+.-]*://)[^/?#\s"'<>@]*(?:@[^/?#\s"'<>@]*)*@`)

// Placeholder replaces the user information of a URL.
const Placeholder = "redacted"

// URLs returns s with the user information (user:password@, or a lone
// token@) of every URL in it replaced by "redacted@". s may be one URL or
// running text such as an error message that quotes URLs.
func URLs(s string) string {
	return userinfo.ReplaceAllString(s, "${1}"+Placeholder+"@")
}
