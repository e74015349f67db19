// Package health is what the running bot says of itself: the /healthz
// handlers of `run` (the bot's state, its sources, adapters, pending
// deliveries and database) and of `serve` (the database alone), and the
// watch that probes the database file while the bot runs.
package health

import (
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"sort"
	"sync/atomic"
	"time"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/store"
)

// DatabaseStore is what the database checks need of the store.
type DatabaseStore interface {
	// Probe checks the file and a fresh connection, recording what it
	// finds in the store's error tracker.
	Probe(ctx context.Context) error
	Health() store.Health
	// Gone is closed when the database file was deleted or replaced.
	Gone() <-chan struct{}
}

// Store is what the bot's /healthz needs of the store.
type Store interface {
	DatabaseStore
	PendingCount(ctx context.Context) (int, error)
	SourceStates(ctx context.Context) (map[string]briefing.SourceState, error)
}

// Gauges are the metrics the checks keep current.
type Gauges interface {
	SetPending(n int)
	SetSourcesHealthy(healthy, total int)
}

// CheckEvery is how often the running bot probes its database (a stat
// and a fresh connection reading the schema: about a millisecond),
// besides each /healthz; the file is also checked before each write.
const CheckEvery = 5 * time.Second

// Database is /healthz's "database" object.
type Database struct {
	OK       bool   `json:"ok"`
	Kind     string `json:"kind,omitempty"`  // full, corrupt, io, readonly, busy, gone
	Error    string `json:"error,omitempty"` // the reason, for people
	Since    string `json:"since,omitempty"` // RFC 3339
	Failures int    `json:"failures,omitempty"`
}

// DatabaseReport probes the database (its file, a fresh connection) and
// reads the store's error tracker, which records what the probe found.
func DatabaseReport(ctx context.Context, st DatabaseStore) Database {
	st.Probe(ctx)
	h := st.Health()
	if h.OK {
		return Database{OK: true}
	}
	d := Database{Kind: h.Kind, Error: h.Reason, Failures: h.Failures}
	if !h.Since.IsZero() {
		d.Since = h.Since.UTC().Format(time.RFC3339)
	}
	return d
}

// WatchDatabase checks the database file every CheckEvery until ctx ends
// or the file is lost (the bot then stops: it waits on st.Gone too).
func WatchDatabase(ctx context.Context, st DatabaseStore) error {
	t := time.NewTicker(CheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-st.Gone():
			return nil
		case <-t.C:
			st.Probe(ctx)
		}
	}
}

// ServeDatabase is serve's /healthz: the database's health, as run
// reports it (serve answers from the database alone): 200 "ok", or 503
// with the reason when its file is lost or it keeps failing.
func ServeDatabase(w http.ResponseWriter, r *http.Request, st DatabaseStore) {
	ctx, cancel := context.WithTimeout(r.Context(), 2*time.Second)
	defer cancel()
	db := DatabaseReport(ctx, st)
	w.Header().Set("Content-Type", "text/plain; charset=utf-8")
	w.Header().Set("Cache-Control", "no-store")
	if !db.OK {
		w.WriteHeader(http.StatusServiceUnavailable)
		fmt.Fprintf(w, "unavailable: database: %s\n", db.Error)
		return
	}
	io.WriteString(w, "ok\n")
}

// Report is GET /healthz's body for the running bot.
type Report struct {
	Status   string          `json:"status"`           // "ok" or "unavailable"
	Reason   string          `json:"reason,omitempty"` // why the database makes it unavailable
	Ready    bool            `json:"ready"`
	Sources  Sources         `json:"sources"`
	Adapters map[string]bool `json:"adapters"` // platform → connected
	Pending  int             `json:"pending_deliveries"`
	Database Database        `json:"database"`
}

// Sources is the report's "sources" object.
type Sources struct {
	Total   int      `json:"total"`
	Healthy int      `json:"healthy"`
	Failing []string `json:"failing,omitempty"`
	Silent  []string `json:"silent,omitempty"`
	New     int      `json:"not_polled_yet,omitempty"`
}

// Bot is the running bot's health: its /healthz handler (ServeHTTP) and
// the source count kept after every poll round. Set its fields before
// serving; Adapters is read, not changed, while serving.
type Bot struct {
	Store   Store
	Sources []briefing.Source
	Gauges  Gauges
	// Adapters reports, per platform, whether its adapter is connected.
	Adapters map[string]func() bool

	ready atomic.Bool
}

// SetReady says whether the bot runs (from its start to its shutdown).
func (b *Bot) SetReady(ready bool) { b.ready.Store(ready) }

// ServeHTTP answers 200 when the bot is running, every adapter is
// connected and the database works (its file is the one opened, queries
// and commits are not failing), 503 otherwise; failing sources are
// reported but do not make the bot unhealthy (a feed being down is not
// ours to fix by restarting).
func (b *Bot) ServeHTTP(w http.ResponseWriter, req *http.Request) {
	rep := Report{Ready: b.ready.Load(), Adapters: map[string]bool{}}
	ok := rep.Ready
	for name, up := range b.Adapters {
		rep.Adapters[name] = up()
		ok = ok && rep.Adapters[name]
	}
	ctx, cancel := context.WithTimeout(req.Context(), 2*time.Second)
	defer cancel()
	if sh, err := b.SourceHealth(ctx); err == nil {
		rep.Sources = sh
	} else {
		ok = false
	}
	if n, err := b.Store.PendingCount(ctx); err == nil {
		rep.Pending = n
		b.Gauges.SetPending(n)
	}
	rep.Database = DatabaseReport(ctx, b.Store)
	if !rep.Database.OK {
		ok, rep.Reason = false, "database: "+rep.Database.Error
	}
	rep.Status = "ok"
	code := http.StatusOK
	if !ok {
		rep.Status, code = "unavailable", http.StatusServiceUnavailable
	}
	w.Header().Set("Content-Type", "application/json")
	w.Header().Set("Cache-Control", "no-store")
	w.WriteHeader(code)
	json.NewEncoder(w).Encode(rep)
}

// SourceHealth counts the healthy and failing sources and updates the
// sources gauges (after every poll round, and on /healthz).
func (b *Bot) SourceHealth(ctx context.Context) (Sources, error) {
	states, err := b.Store.SourceStates(ctx)
	if err != nil {
		return Sources{}, err
	}
	sh := Sources{Total: len(b.Sources)}
	now := time.Now()
	for _, s := range b.Sources {
		switch states[s.Name].Health(now) {
		case briefing.HealthFailing:
			sh.Failing = append(sh.Failing, s.Name)
		case briefing.HealthSilent:
			sh.Silent = append(sh.Silent, s.Name)
		case briefing.HealthNew:
			sh.New++
		default:
			sh.Healthy++
		}
	}
	sort.Strings(sh.Failing)
	sort.Strings(sh.Silent)
	b.Gauges.SetSourcesHealthy(sh.Healthy, sh.Total)
	return sh, nil
}
