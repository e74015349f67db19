package health

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/store"
)

// serve's /healthz tells the database's truth: ok while it works, 503
// with the reason once its file is gone.
func TestServeHealthReportsTheDatabase(t *testing.T) {
	path := filepath.Join(t.TempDir(), "s.db")
	st, err := store.Open(context.Background(), path)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	get := func() *httptest.ResponseRecorder {
		rec := httptest.NewRecorder()
		ServeDatabase(rec, httptest.NewRequest("GET", "/healthz", nil), st)
		return rec
	}
	if rec := get(); rec.Code != 200 || rec.Body.String() != "ok\n" {
		t.Fatalf("working database: %d %q", rec.Code, rec.Body.String())
	}
	if err := os.Remove(path); err != nil {
		t.Fatal(err)
	}
	if rec := get(); rec.Code != 503 || !strings.Contains(rec.Body.String(), "unavailable: database:") {
		t.Errorf("deleted database: %d %q", rec.Code, rec.Body.String())
	}
}
