package slack

import (
	"net/http"
	"slices"
	"strings"
	"testing"

	slackgo "github.com/slack-go/slack"
	"github.com/slack-go/slack/slacktest"
)

// doctorServer is a slacktest server whose auth.test grants scopes (in
// the X-OAuth-Scopes header, as Slack does) and whose apps.connections.open
// fails with socketErr when it is not "".
func doctorServer(t *testing.T, scopes, socketErr string) *slacktest.Server {
	t.Helper()
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			w.Header().Set("Content-Type", "application/json")
			w.Header().Set("X-OAuth-Scopes", scopes)
			w.Write([]byte(`{"ok":true,"team":"Sahel desk","user":"sahelbrief","bot_id":"B1"}`))
		})
		if socketErr != "" {
			c.Handle("/apps.connections.open", func(w http.ResponseWriter, r *http.Request) {
				w.Header().Set("Content-Type", "application/json")
				w.Write([]byte(`{"ok":false,"error":"` + socketErr + `"}`))
			})
		}
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	return srv
}

func TestAuthenticateReadsGrantedScopes(t *testing.T) {
	srv := doctorServer(t, "commands, chat:write,users:read", "")
	id, err := Authenticate(t.Context(), NewClient("xoxb-t", srv.GetAPIURL(), nil))
	if err != nil {
		t.Fatal(err)
	}
	if id.Team != "Sahel desk" || id.User != "sahelbrief" || !slices.Equal(id.Scopes, []string{"commands", "chat:write", "users:read"}) {
		t.Errorf("Authenticate = %+v", id)
	}
	want := []string{"chat:write.public", "channels:history", "groups:history"}
	if got := MissingScopes(id.Scopes); !slices.Equal(got, want) {
		t.Errorf("MissingScopes = %v, want %v", got, want)
	}
	if got := MissingScopes(BotScopes()); got != nil {
		t.Errorf("MissingScopes(BotScopes()) = %v", got)
	}
}

func TestAuthenticateFails(t *testing.T) {
	srv := slacktest.NewTestServer(func(c slacktest.Customize) {
		c.Handle("/auth.test", func(w http.ResponseWriter, r *http.Request) {
			w.Write([]byte(`{"ok":false,"error":"invalid_auth"}`))
		})
	})
	srv.Start()
	t.Cleanup(srv.Stop)
	_, err := Authenticate(t.Context(), NewClient("xoxb-bad", srv.GetAPIURL(), nil))
	if err == nil || !strings.Contains(err.Error(), "invalid_auth") || !Rejected(err) {
		t.Errorf("Authenticate = %v, want invalid_auth", err)
	}
	srv.Stop()
	if _, err := Authenticate(t.Context(), NewClient("xoxb-t", srv.GetAPIURL(), nil)); err == nil || Rejected(err) {
		t.Errorf("Authenticate with Slack unreachable = %v, want a network error", err)
	}
}

func TestCheckSocketMode(t *testing.T) {
	ok := doctorServer(t, "", "")
	if err := CheckSocketMode(t.Context(), NewSocketClient("xoxb-t", "xapp-t", ok.GetAPIURL())); err != nil {
		t.Errorf("CheckSocketMode: %v", err)
	}
	bad := doctorServer(t, "", "not_allowed_token_type")
	err := CheckSocketMode(t.Context(), slackgo.New("xoxb-t", slackgo.OptionAppLevelToken("xoxb-t"), slackgo.OptionAPIURL(bad.GetAPIURL())))
	if err == nil || !strings.Contains(err.Error(), "not_allowed_token_type") {
		t.Errorf("CheckSocketMode = %v, want not_allowed_token_type", err)
	}
}
