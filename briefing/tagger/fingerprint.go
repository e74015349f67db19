package tagger

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
)

// taggerVersion names the tagging rules (tokenizer, matching, senses) that
// a gazetteer spec is applied with. Bump it when a change to tagger.go or
// senses.go changes the tags of some text: the fingerprint then changes
// and stored items are retagged, as when the YAML changes.
const taggerVersion = "1"

// specFingerprint identifies what a gazetteer tags: a hash of its whole
// spec (built-in YAML merged with the config file's extensions) and of the
// tagger's rules. Two gazetteers with one fingerprint tag every text alike,
// so stored tags made with one need no retagging under the other.
func specFingerprint(spec GazetteerSpec) string {
	// JSON of the struct, not the YAML text: comments, key order and
	// formatting do not change tags and must not change the fingerprint.
	b, err := json.Marshal(spec)
	if err != nil {
		panic(err) // plain strings and slices always marshal
	}
	h := sha256.New()
	h.Write([]byte("tagger " + taggerVersion + "\n"))
	h.Write(b)
	return hex.EncodeToString(h.Sum(nil))[:16]
}

// Fingerprint identifies the tags this gazetteer gives (see
// specFingerprint): stored items tagged under another fingerprint may need
// retagging.
func (g *Gazetteer) Fingerprint() string { return g.fingerprint }
