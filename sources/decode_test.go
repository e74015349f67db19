package sources

import (
	"strings"
	"testing"
	"unicode/utf8"

	"golang.org/x/text/encoding/charmap"
	"golang.org/x/text/encoding/unicode"
)

func latin1(s string) string {
	b, err := charmap.ISO8859_1.NewEncoder().String(s)
	if err != nil {
		panic(err)
	}
	return b
}

func TestToUTF8(t *testing.T) {
	const text = "Tillabéri : l’armée nigérienne à Niamey"
	const textLatin1 = "Tillabéri : armée nigérienne à Niamey" // Latin-1 has no curly apostrophe
	utf16, _ := unicode.UTF16(unicode.LittleEndian, unicode.UseBOM).NewEncoder().String(`<?xml version="1.0" encoding="UTF-16"?><t>` + text + `</t>`)
	cases := []struct {
		name, body, ctype, want, charset string
	}{
		{"plain UTF-8", `<t>` + text + `</t>`, "application/rss+xml", text, "utf-8"},
		{"charset only in HTTP header", latin1(`<t>` + textLatin1 + `</t>`), "text/xml; charset=ISO-8859-1", textLatin1, "windows-1252"},
		{"Latin-1 without any declaration", latin1(`<?xml version="1.0"?><t>` + textLatin1 + `</t>`), "", textLatin1, "windows-1252"},
		{"XML declaration", latin1(`<?xml version="1.0" encoding="iso-8859-1"?><t>` + textLatin1 + `</t>`), "text/xml", textLatin1, "windows-1252"},
		{"declaration believed over a wrong UTF-8 header", latin1(`<?xml version="1.0" encoding="ISO-8859-1"?><t>` + textLatin1 + `</t>`), "text/xml; charset=utf-8", textLatin1, "windows-1252"},
		{"UTF-8 mislabelled as Latin-1", `<?xml version="1.0" encoding="ISO-8859-1"?><t>` + text + `</t>`, "", text, "utf-8"},
		{"UTF-8 BOM", "\xEF\xBB\xBF<t>" + text + "</t>", "", text, "utf-8"},
		{"UTF-16 BOM", utf16, "", text, "utf-16le"},
		{"Windows-1252 curly quotes", "<t>l\x92arm\xe9e \x93Wagner\x94</t>", "", "l’armée “Wagner”", "windows-1252"},
		{"stray invalid byte in UTF-8", "<t>" + text + "\xff</t>", "", text + "\uFFFD", "utf-8"},
		{"forbidden control characters", "<t>Mali\x0b junte\x1a</t>", "", "Mali junte", "utf-8"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			out, cs := toUTF8([]byte(tc.body), tc.ctype)
			if !utf8.Valid(out) {
				t.Fatalf("output is not valid UTF-8: %q", out)
			}
			if !strings.Contains(string(out), tc.want) {
				t.Errorf("got %q, want it to contain %q", out, tc.want)
			}
			if cs != tc.charset {
				t.Errorf("charset %q, want %q", cs, tc.charset)
			}
			if decl := declaredEncoding(out); decl != "" && !isUTF8Label(decl) {
				t.Errorf("declaration still says %q after conversion", decl)
			}
		})
	}
}
