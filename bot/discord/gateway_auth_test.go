package discord

import (
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"testing"

	gorilla "github.com/gorilla/websocket"

	"github.com/sahelbrief/sahelbrief/bot"
)

// A refused token ends the gateway's Run with bot.ErrAuthRejected (no
// retry fixes it); other failures do not.
func TestGatewayMarksARejectedToken(t *testing.T) {
	api := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		w.Header().Set("Content-Type", "application/json")
		w.WriteHeader(http.StatusUnauthorized)
		io.WriteString(w, `{"message": "401: Unauthorized", "code": 0}`)
	}))
	defer api.Close()
	s, err := NewSession("bad-token", api.URL+"/api/v10/", nil)
	if err != nil {
		t.Fatal(err)
	}
	b := bot.New(nil, nil, nil, bot.Limits{})
	err = (&Gateway{Bot: b, Session: s}).Run(t.Context())
	if !errors.Is(err, bot.ErrAuthRejected) {
		t.Errorf("Run = %v; want it marked bot.ErrAuthRejected", err)
	}
	for _, tc := range []struct {
		err  error
		want bool
	}{
		{fmt.Errorf("open: %w", &gorilla.CloseError{Code: 4004, Text: "Authentication failed."}), true},
		{&gorilla.CloseError{Code: 4000, Text: "Unknown error"}, false},
		{errors.New("HTTP 401 in some text"), false},
	} {
		if got := authFailure(tc.err); got != tc.want {
			t.Errorf("authFailure(%v) = %v", tc.err, got)
		}
	}
}
