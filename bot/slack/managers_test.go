package slack

import (
	stdctx "context"
	"encoding/json"
	"log/slog"
	"net/http"
	"net/http/httptest"
	"net/url"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"testing/synctest"
	"time"

	slackgo "github.com/slack-go/slack"
)

const managersToken = "xoxb-s3cr3t-managers"

// inProcess is an http.RoundTripper that answers with its handler, with no
// network, so a test can run in a synctest bubble (where loopback reads
// never count as blocked).
type inProcess http.HandlerFunc

func (h inProcess) RoundTrip(r *http.Request) (*http.Response, error) {
	rec := httptest.NewRecorder()
	h(rec, r)
	res := rec.Result()
	res.Request = r
	return res, nil
}

// usersInfoServer is a Slack API, answered in-process, whose users.info
// knows U_ADMIN (admin), U_MEMBER (not) and fails for U_BROKEN; it counts
// calls per user.
func usersInfoServer(t *testing.T) (*slackgo.Client, *sync.Map) {
	t.Helper()
	calls := &sync.Map{}
	api := inProcess(func(w http.ResponseWriter, r *http.Request) {
		if r.URL.Path != "/api/users.info" {
			http.NotFound(w, r)
			return
		}
		r.ParseForm()
		id := r.Form.Get("user")
		n, _ := calls.LoadOrStore(id, new(atomic.Int32))
		n.(*atomic.Int32).Add(1)
		w.Header().Set("Content-Type", "application/json")
		switch id {
		case "U_ADMIN", "U_MEMBER":
			json.NewEncoder(w).Encode(map[string]any{"ok": true,
				"user": map[string]any{"id": id, "is_admin": id == "U_ADMIN"}})
		case "U_BROKEN":
			w.WriteHeader(http.StatusInternalServerError)
			w.Write([]byte(`{"ok":false,"error":"internal_error"}`))
		default:
			w.Write([]byte(`{"ok":false,"error":"user_not_found"}`))
		}
	})
	return slackgo.New(managersToken, slackgo.OptionAPIURL("http://slack.test/api/"),
		slackgo.OptionHTTPClient(&http.Client{Transport: api})), calls
}

func callCount(calls *sync.Map, id string) int {
	n, ok := calls.Load(id)
	if !ok {
		return 0
	}
	return int(n.(*atomic.Int32).Load())
}

func TestManagersListedNoAPICall(t *testing.T) {
	api, calls := usersInfoServer(t)
	m := &Managers{Listed: map[string]bool{"U_LISTED": true}, API: api}
	if !m.CanManage(stdctx.Background(), "U_LISTED") {
		t.Fatal("listed user denied")
	}
	if n := callCount(calls, "U_LISTED"); n != 0 {
		t.Fatalf("users.info called %d times for a listed user", n)
	}
	if (&Managers{Listed: map[string]bool{"U_LISTED": true}}).CanManage(stdctx.Background(), "U_ADMIN") {
		t.Fatal("without an API only Listed may manage")
	}
}

func TestManagersAdminMemberBroken(t *testing.T) {
	api, calls := usersInfoServer(t)
	logs := &syncBuffer{}
	m := &Managers{API: api, Log: slog.New(slog.NewTextHandler(logs, nil))}
	ctx := stdctx.Background()
	if !m.CanManage(ctx, "U_ADMIN") {
		t.Error("admin denied")
	}
	if m.CanManage(ctx, "U_MEMBER") {
		t.Error("member allowed")
	}
	for i := 1; i <= 2; i++ {
		if m.CanManage(ctx, "U_BROKEN") {
			t.Fatal("broken lookup allowed")
		}
		if n := callCount(calls, "U_BROKEN"); n != i {
			t.Fatalf("after %d tries users.info called %d times: errors must not be cached", i, n)
		}
	}
	if !strings.Contains(logs.String(), "users.info failed") {
		t.Errorf("error not logged: %s", logs)
	}
	if strings.Contains(logs.String(), managersToken) {
		t.Errorf("token logged: %s", logs)
	}
}

func TestManagersCacheTTL(t *testing.T) {
	synctest.Test(t, func(t *testing.T) {
		api, calls := usersInfoServer(t)
		m := &Managers{API: api, TTL: time.Minute}
		ctx := stdctx.Background()
		for range 3 {
			if !m.CanManage(ctx, "U_ADMIN") || m.CanManage(ctx, "U_MEMBER") {
				t.Fatal("wrong answer")
			}
		}
		if a, b := callCount(calls, "U_ADMIN"), callCount(calls, "U_MEMBER"); a != 1 || b != 1 {
			t.Fatalf("within TTL: users.info calls admin=%d member=%d, want 1 each", a, b)
		}
		time.Sleep(59 * time.Second)
		m.CanManage(ctx, "U_ADMIN")
		if n := callCount(calls, "U_ADMIN"); n != 1 {
			t.Fatalf("before TTL: %d calls", n)
		}
		time.Sleep(2 * time.Second)
		if !m.CanManage(ctx, "U_ADMIN") {
			t.Fatal("admin denied after refetch")
		}
		if n := callCount(calls, "U_ADMIN"); n != 2 {
			t.Fatalf("after TTL: %d calls, want 2", n)
		}
	})
}

func TestManagersConcurrent(t *testing.T) {
	api, _ := usersInfoServer(t)
	m := &Managers{API: api}
	var wg sync.WaitGroup
	for i := range 20 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			id := "U_ADMIN"
			if i%2 == 1 {
				id = "U_MEMBER"
			}
			if m.CanManage(stdctx.Background(), id) != (id == "U_ADMIN") {
				t.Errorf("wrong answer for %s", id)
			}
		}()
	}
	wg.Wait()
}

// doAs sends a signed slash command from user.
func (e *env) doAs(t *testing.T, user, text string) gotReply {
	t.Helper()
	form := url.Values{"command": {"/sahel"}, "text": {text}, "channel_id": {"C1"}, "user_id": {user},
		"team_id": {"T1"}, "response_url": {e.hookURL()}}
	body := form.Encode()
	ts := strconv.FormatInt(e.now.Unix(), 10)
	req := httptest.NewRequest(http.MethodPost, "/slack/commands", strings.NewReader(body))
	req.Header.Set("Content-Type", "application/x-www-form-urlencoded")
	req.Header.Set(HeaderTimestamp, ts)
	req.Header.Set(HeaderSignature, sign(exampleSecret, ts, body))
	rec := httptest.NewRecorder()
	e.h.Handler(0).ServeHTTP(rec, req)
	e.h.Wait()
	var rp gotReply
	if rec.Code != http.StatusOK {
		t.Fatalf("status %d", rec.Code)
	}
	if err := json.Unmarshal(rec.Body.Bytes(), &rp); err != nil {
		t.Fatalf("reply %q: %v", rec.Body, err)
	}
	return rp
}

func TestCommandHandlerManagers(t *testing.T) {
	api, _ := usersInfoServer(t)
	e := newEnv(t, &fakeStore{}, newHook(t))
	e.h.Admins = map[string]bool{"U_MEMBER": true} // ignored once Managers is set
	e.h.Managers = &Managers{API: api}
	const refused = "only people who manage"
	if rp := e.doAs(t, "U_ADMIN", "subscribe Kidal"); strings.Contains(rp.Text, refused) {
		t.Errorf("admin refused: %+v", rp)
	}
	if rp := e.doAs(t, "U_MEMBER", "subscribe Kidal"); !strings.Contains(rp.Text, refused) {
		t.Errorf("member not refused: %+v", rp)
	}
	if rp := e.doAs(t, "U_BROKEN", "subscribe Kidal"); !strings.Contains(rp.Text, refused) {
		t.Errorf("broken lookup not refused: %+v", rp)
	}
}
