package sources

import (
	"bytes"
	"mime"
	"regexp"
	"strings"
	"unicode/utf8"

	"golang.org/x/net/html/charset"
	"golang.org/x/text/encoding"
	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

// xmlDecl matches the XML declaration's encoding attribute, which must be
// rewritten once the bytes are UTF-8 or the XML parser would decode twice.
var xmlDeclEncoding = regexp.MustCompile(`^(\s*<\?xml[^>]*?encoding\s*=\s*)(["'])([A-Za-z0-9._:-]+)(["'])`)

// toUTF8 returns body as valid UTF-8 XML or JSON, whatever the publisher
// sent. gofeed only honours the XML declaration; real feeds also declare
// their charset only in the HTTP Content-Type, send Latin-1 with no
// declaration at all, mislabel UTF-8 as ISO-8859-1, or carry stray invalid
// bytes and control characters that make Go's XML parser give up.
//
// The rules, in order: a byte-order mark wins; a non-UTF-8 charset in the
// HTTP header is believed; otherwise valid UTF-8 is UTF-8; otherwise the
// XML declaration is believed; otherwise mostly-UTF-8 text is UTF-8 with the
// bad bytes replaced, and anything else is Windows-1252 (a superset of
// Latin-1 that browsers also assume).
func toUTF8(body []byte, contentType string) ([]byte, string) {
	if enc, name, ok := fromBOM(body); ok {
		return finish(decodeWith(enc, body), name)
	}
	httpLabel := charsetParam(contentType)
	if httpLabel != "" && !isUTF8Label(httpLabel) {
		if enc, name := charset.Lookup(httpLabel); enc != nil {
			return finish(decodeWith(enc, body), name)
		}
	}
	declLabel := declaredEncoding(body)
	if utf8.Valid(body) {
		// A declaration of Latin-1 on bytes that are valid UTF-8 and use
		// multi-byte characters is a mislabel: Latin-1 text almost never
		// forms valid UTF-8 sequences by chance.
		if declLabel == "" || isUTF8Label(declLabel) || hasMultiByte(body) {
			return finish(body, "utf-8")
		}
	}
	if declLabel != "" && !isUTF8Label(declLabel) {
		if enc, name := charset.Lookup(declLabel); enc != nil {
			return finish(decodeWith(enc, body), name)
		}
	}
	if mostlyUTF8(body) {
		return finish(bytes.ToValidUTF8(body, []byte("\uFFFD")), "utf-8")
	}
	return finish(decodeWith(charmap.Windows1252, body), "windows-1252")
}

// finish rewrites the XML declaration to say UTF-8 and drops characters XML
// forbids, so the parser accepts the now-UTF-8 bytes.
func finish(b []byte, name string) ([]byte, string) {
	if m := xmlDeclEncoding.FindSubmatchIndex(b); m != nil && !isUTF8Label(string(b[m[6]:m[7]])) {
		out := make([]byte, 0, len(b))
		out = append(out, b[:m[6]]...)
		out = append(out, "UTF-8"...)
		out = append(out, b[m[7]:]...)
		b = out
	}
	return dropXMLControls(b), name
}

func decodeWith(enc encoding.Encoding, b []byte) []byte {
	out, err := enc.NewDecoder().Bytes(b)
	if err != nil {
		return bytes.ToValidUTF8(b, []byte("\uFFFD"))
	}
	return out
}

func fromBOM(b []byte) (encoding.Encoding, string, bool) {
	switch {
	case bytes.HasPrefix(b, []byte{0xEF, 0xBB, 0xBF}):
		return unicode.UTF8BOM, "utf-8", true
	case bytes.HasPrefix(b, []byte{0xFE, 0xFF}):
		return unicode.UTF16(unicode.BigEndian, unicode.UseBOM), "utf-16be", true
	case bytes.HasPrefix(b, []byte{0xFF, 0xFE}):
		return unicode.UTF16(unicode.LittleEndian, unicode.UseBOM), "utf-16le", true
	}
	return nil, "", false
}

func charsetParam(contentType string) string {
	if contentType == "" {
		return ""
	}
	_, params, err := mime.ParseMediaType(contentType)
	if err != nil {
		return ""
	}
	return strings.TrimSpace(params["charset"])
}

func declaredEncoding(b []byte) string {
	head := b
	if len(head) > 512 {
		head = head[:512]
	}
	if m := xmlDeclEncoding.FindSubmatch(head); m != nil {
		return string(m[3])
	}
	return ""
}

func isUTF8Label(label string) bool {
	l := strings.ToLower(strings.TrimSpace(label))
	return l == "utf-8" || l == "utf8" || l == "unicode-1-1-utf-8"
}

func hasMultiByte(b []byte) bool {
	for _, c := range b {
		if c >= 0x80 {
			return true
		}
	}
	return false
}

// mostlyUTF8 reports whether b reads as UTF-8 with some damaged bytes:
// it has valid multi-byte sequences, at least as many as invalid bytes.
// Latin-1 text almost never forms a valid UTF-8 sequence by chance, so
// one real sequence is strong evidence.
func mostlyUTF8(b []byte) bool {
	valid, invalid := 0, 0
	for len(b) > 0 {
		if b[0] < utf8.RuneSelf {
			b = b[1:]
			continue
		}
		r, size := utf8.DecodeRune(b)
		if r == utf8.RuneError && size == 1 {
			invalid++
		} else {
			valid++
		}
		b = b[size:]
	}
	return valid > 0 && valid >= invalid
}

// dropXMLControls removes C0 control characters that XML 1.0 forbids (all
// but tab, newline and carriage return). Publishers paste them in from word
// processors; Go's XML parser rejects the whole feed for one of them.
func dropXMLControls(b []byte) []byte {
	bad := false
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			bad = true
			break
		}
	}
	if !bad {
		return b
	}
	out := make([]byte, 0, len(b))
	for _, c := range b {
		if c < 0x20 && c != '\t' && c != '\n' && c != '\r' {
			continue
		}
		out = append(out, c)
	}
	return out
}
