package slack

import (
	stdctx "context"
	"log/slog"
	"sync"
	"time"

	slackgo "github.com/slack-go/slack"
)

const (
	defaultManagersTTL  = 10 * time.Minute
	managersLookupLimit = time.Second // users.info must fit in the ack budget
	managersCacheMax    = 10000
)

// Managers decides who may manage a channel (subscribe, digest): the users
// in Listed, and, when API is set, the workspace admins and owners as
// users.info reports them. Answers from users.info are cached per user for
// TTL; failed lookups deny and are not cached. Safe for concurrent use.
type Managers struct {
	// Listed are Slack user ids always allowed, without an API call.
	Listed map[string]bool
	// API is a Web API client (bot token with users:read); nil means only
	// Listed can manage.
	API *slackgo.Client
	// TTL is how long a users.info answer is trusted; zero means 10 minutes.
	TTL time.Duration
	// Log is the logger; nil means slog.Default().
	Log *slog.Logger

	mu    sync.Mutex
	cache map[string]managerEntry
}

type managerEntry struct {
	manage  bool
	expires time.Time
}

// CanManage reports whether userID may manage channels. It denies on any
// doubt (empty id, users.info error or timeout).
func (m *Managers) CanManage(ctx stdctx.Context, userID string) bool {
	if m == nil || userID == "" {
		return false
	}
	if m.Listed[userID] {
		return true
	}
	if m.API == nil {
		return false
	}
	now := time.Now()
	m.mu.Lock()
	e, ok := m.cache[userID]
	m.mu.Unlock()
	if ok && now.Before(e.expires) {
		return e.manage
	}

	lctx, cancel := stdctx.WithTimeout(ctx, managersLookupLimit)
	defer cancel()
	u, err := m.API.GetUserInfoContext(lctx, userID)
	if err != nil {
		// The token travels in a header, never in err: safe to log.
		m.log().Warn("slack: users.info failed, denying manage", "user", userID, "error", err)
		return false
	}
	manage := u.IsAdmin || u.IsOwner || u.IsPrimaryOwner

	m.mu.Lock()
	defer m.mu.Unlock()
	if m.cache == nil {
		m.cache = make(map[string]managerEntry)
	}
	if _, ok := m.cache[userID]; !ok && len(m.cache) >= managersCacheMax {
		for id, old := range m.cache { // drop the expired ones first
			if !now.Before(old.expires) {
				delete(m.cache, id)
			}
		}
		for id := range m.cache { // still full: drop arbitrary entries
			if len(m.cache) < managersCacheMax {
				break
			}
			delete(m.cache, id)
		}
	}
	m.cache[userID] = managerEntry{manage: manage, expires: now.Add(m.ttl())}
	return manage
}

func (m *Managers) ttl() time.Duration {
	if m.TTL > 0 {
		return m.TTL
	}
	return defaultManagersTTL
}

func (m *Managers) log() *slog.Logger {
	if m.Log != nil {
		return m.Log
	}
	return slog.Default()
}
