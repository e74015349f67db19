package app

import (
	"context"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/store"
)

// leaseEnv is a bot's environment over one local feed and a database in
// a temporary directory, with the short lease of the child tests.
func leaseEnv(t *testing.T) (map[string]string, string) {
	t.Helper()
	desk := newNewsDesk(t)
	desk.add("desk", boulkessi, "Dozens of soldiers were killed on Tuesday.")
	dir := t.TempDir()
	dbPath := filepath.Join(dir, "sahelbrief.db")
	return map[string]string{
		"SAHELBRIEF_CONFIG":        deskConfig(t, dir, desk, "", "desk"),
		"SAHELBRIEF_DB":            dbPath,
		"SAHELBRIEF_POLL_INTERVAL": "1s",
		"SAHELBRIEF_HTTP_ADDR":     "127.0.0.1:0",
		"SAHELBRIEF_LEASE_TTL":     childLeaseTTL,
	}, dbPath
}

// TestOneBotPerDatabase runs the bot as real processes on one database: a
// second `run` (or a `serve`) is refused at start, naming the database and
// the holder, while fetch, brief and sources still run beside it; after
// the first is killed (SIGKILL: no release), its lease expires and the
// next `run` takes it over, saying so; a clean stop releases the lease.
func TestOneBotPerDatabase(t *testing.T) {
	env, dbPath := leaseEnv(t)
	first := startChild(t, env, "", "run")
	first.waitRunning(t)
	host, _ := os.Hostname()
	pid := first.cmd.Process.Pid

	for _, args := range [][]string{{"run"}, {"serve", "--addr", "127.0.0.1:0"}} {
		second := startChild(t, env, "", args...)
		if code := second.waitExit(t, 30*time.Second); code != exitFail {
			t.Fatalf("%s beside a running bot exited %d; want %d\nstderr:\n%s", args[0], code, exitFail, second.stderr.String())
		}
		msg := second.stderr.String()
		for _, want := range []string{"sahelbrief " + args[0] + ": the database " + dbPath + " is in use by another sahelbrief",
			fmt.Sprintf("pid %d on host %s, since ", pid, host), "One bot per database"} {
			if !strings.Contains(msg, want) {
				t.Errorf("%s refused with:\n%s\nwant it to say %q", args[0], msg, want)
			}
		}
	}
	// Commands that write items or only read are not the bot: they run beside it.
	for _, args := range [][]string{{"fetch", "--all"}, {"brief", "--no-fetch"}, {"search", "boulkessi"}, {"shell"}, {"sources"}} {
		if r := runCLI(t, env, args...); r.code != exitOK {
			t.Errorf("%s beside the bot: exit %d\n%s", args[0], r.code, r.stderr)
		}
	}

	if err := first.cmd.Process.Kill(); err != nil {
		t.Fatal(err)
	}
	<-first.done
	held := waitLeaseFree(t, dbPath)
	if held.PID != pid {
		t.Fatalf("the killed bot left the lease %+v; want pid %d's", held, pid)
	}
	third := startChild(t, env, "", "run")
	third.stop(t) // once running
	if msg := third.stderr.String(); !strings.Contains(msg, "took over the lease") || !strings.Contains(msg, fmt.Sprintf(`"previous_pid":%d`, pid)) {
		t.Errorf("the next bot did not say it took over pid %d's lease:\n%s", pid, msg)
	}
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if l, err := st.Lease(context.Background(), briefing.LeaseBot); !errors.Is(err, store.ErrNotFound) {
		t.Errorf("after a clean stop the lease is %+v, %v; want released", l, err)
	}
}

// TestRunStopsWhenItsLeaseIsTaken takes the running bot's lease from under
// it (as a process whose clock jumped, or a restored database, would): at
// its next heartbeat the bot stops delivering and exits 1, saying why.
func TestRunStopsWhenItsLeaseIsTaken(t *testing.T) {
	env, dbPath := leaseEnv(t)
	bot := startChild(t, env, "", "run")
	bot.waitRunning(t)
	st, err := store.Open(context.Background(), dbPath)
	if err != nil {
		t.Fatal(err)
	}
	defer st.Close()
	if _, err := st.AcquireLease(context.Background(), briefing.Lease{Name: briefing.LeaseBot, Owner: "intruder", Host: "elsewhere", PID: 1},
		time.Now().Add(time.Hour), time.Hour); err != nil {
		t.Fatal(err)
	}
	if code := bot.waitExit(t, 30*time.Second); code != exitFail {
		t.Fatalf("bot whose lease was taken exited %d; want %d\n%s", code, exitFail, bot.stderr.String())
	}
	msg := bot.stderr.String()
	if !strings.Contains(msg, "lost the database's bot lease") || !strings.Contains(msg, "pid 1 on host elsewhere") {
		t.Errorf("the bot did not say it lost its lease to pid 1 on elsewhere:\n%s", msg)
	}
	if l, err := st.Lease(context.Background(), briefing.LeaseBot); err != nil || l.Owner != "intruder" {
		t.Errorf("the stopped bot touched the new holder's lease: %+v, %v", l, err)
	}
}
