package main

import (
	"context"
	"time"

	"github.com/sahelbrief/sahelbrief/store"
)

// databaseCheckEvery is how often the running bot probes its database
// (a stat and a fresh connection reading the schema: about a millisecond),
// besides each /healthz; the file is also checked before each write.
const databaseCheckEvery = 5 * time.Second

// databaseHealth is /healthz's "database" object.
type databaseHealth struct {
	OK       bool   `json:"ok"`
	Kind     string `json:"kind,omitempty"`  // full, corrupt, io, readonly, busy, gone
	Error    string `json:"error,omitempty"` // the reason, for people
	Since    string `json:"since,omitempty"` // RFC 3339
	Failures int    `json:"failures,omitempty"`
}

// databaseReport probes the database (its file, a fresh connection) and
// reads the store's error tracker, which records what the probe found.
func databaseReport(ctx context.Context, st *store.Store) databaseHealth {
	st.Probe(ctx)
	h := st.Health()
	if h.OK {
		return databaseHealth{OK: true}
	}
	d := databaseHealth{Kind: h.Kind, Error: h.Reason, Failures: h.Failures}
	if !h.Since.IsZero() {
		d.Since = h.Since.UTC().Format(time.RFC3339)
	}
	return d
}

// watchDatabase checks the database file every databaseCheckEvery until
// ctx ends or the file is lost (the run loop then stops the bot).
func (r *runner) watchDatabase(ctx context.Context) error {
	t := time.NewTicker(databaseCheckEvery)
	defer t.Stop()
	for {
		select {
		case <-ctx.Done():
			return nil
		case <-r.st.Gone():
			return nil
		case <-t.C:
			r.st.Probe(ctx)
		}
	}
}
