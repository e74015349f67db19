package app

import (
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// A feed URL with credentials is never printed whole: not in `fetch`
// lines (ok or failed), nor in `sources`, nor in `config`.
func TestFeedCredentialsRedacted(t *testing.T) {
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path == "/gone.xml" {
			http.Redirect(w, r, "http://mallory:t0ps3cret@127.0.0.1:1/x", http.StatusFound)
			return
		}
		w.Header().Set("Content-Type", "application/rss+xml")
		w.Write([]byte(`<rss version="2.0"><channel><title>t</title><item><title>a</title><link>http://x/a</link></item></channel></rss>`))
	}))
	defer srv.Close()
	withCreds := strings.Replace(srv.URL, "http://", "http://alice:pa55w0rd@", 1)
	dir := t.TempDir()
	cfg := filepath.Join(dir, "c.yaml")
	yml := "sources:\n  - name: ok\n    url: " + withCreds + "/feed.xml\n  - name: gone\n    url: " + withCreds + "/gone.xml\n"
	if err := os.WriteFile(cfg, []byte(yml), 0o600); err != nil {
		t.Fatal(err)
	}
	env := map[string]string{"SAHELBRIEF_CONFIG": cfg, "SAHELBRIEF_DB": filepath.Join(dir, "r.db"),
		"SLACK_API_URL": "https://bob:hunter2@proxy.example/api/"}
	for _, args := range [][]string{{"fetch", "--json"}, {"fetch"}, {"sources", "--json"}, {"sources"}, {"config"}} {
		r := runCLI(t, env, args...)
		out := r.stdout + r.stderr
		for _, s := range []string{"pa55w0rd", "alice", "t0ps3cret", "mallory", "hunter2", "bob"} {
			if strings.Contains(out, s) {
				t.Errorf("%v shows %q:\n%s", args, s, out)
			}
		}
	}
}
