package tagger

import "testing"

func TestGazetteerFingerprint(t *testing.T) {
	build := func(t *testing.T, ext string) *Gazetteer {
		t.Helper()
		spec := BuiltinGazetteerSpec()
		if ext != "" {
			e, err := ParseGazetteer([]byte(ext))
			if err != nil {
				t.Fatal(err)
			}
			spec = spec.Merge(e)
		}
		g, err := NewGazetteer(spec)
		if err != nil {
			t.Fatal(err)
		}
		return g
	}
	builtin := build(t, "")
	if builtin.Fingerprint() == "" {
		t.Fatal("empty fingerprint")
	}
	if got := build(t, "").Fingerprint(); got != builtin.Fingerprint() {
		t.Errorf("the same spec gave %s and %s", got, builtin.Fingerprint())
	}
	ext := "actors:\n  - id: wagner2\n    name: Africa Corps\n    aliases: [Africa Corps]\n"
	withExt := build(t, ext)
	if withExt.Fingerprint() == builtin.Fingerprint() {
		t.Error("an extension did not change the fingerprint")
	}
	// Comments and layout change nothing the tagger sees.
	same := build(t, "# new actor\nactors:\n- {id: wagner2, name: Africa Corps, aliases: [\"Africa Corps\"]}\n")
	if same.Fingerprint() != withExt.Fingerprint() {
		t.Errorf("a reformatted extension changed the fingerprint: %s vs %s", same.Fingerprint(), withExt.Fingerprint())
	}
}
