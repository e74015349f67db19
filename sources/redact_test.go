package sources

import (
	"errors"
	"net/url"
	"strings"
	"testing"
)

// A fetch error quoting a URL (as net/http's do, password masked but the
// user kept) never shows its credentials: it is stored and shown.
func TestFetchErrorRedactsCredentials(t *testing.T) {
	err := &FetchError{Kind: KindOther, Message: "fetch failed",
		Err: &url.Error{Op: "Get", URL: "https://alice:***@feeds.example/rss", Err: errors.New("boom")}}
	if s := err.Error(); strings.Contains(s, "alice") || !strings.Contains(s, "https://redacted@feeds.example/rss") {
		t.Errorf("Error() = %q", s)
	}
}
