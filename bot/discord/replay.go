package discord

import (
	"sync"
	"time"
)

// An interaction id is remembered for twice the verifier's clock skew
// (10 minutes by default), since a signed timestamp is accepted from skew
// in the past to skew in the future.
const (
	// maxSeenIDs bounds the memory kept for replays (~100 bytes an id).
	// Only Discord can sign interactions, so reaching it means real
	// traffic far above a bot's; the oldest ids are forgotten first.
	maxSeenIDs = 100_000
)

// seenIDs remembers interaction ids for a window, at most maxSeenIDs
// of them, in arrival order. The zero value is ready.
type seenIDs struct {
	mu    sync.Mutex
	at    map[string]time.Time
	order []seenID // oldest first, from head
	head  int
	limit int // maxSeenIDs when 0; tests set it lower
}

type seenID struct {
	id string
	at time.Time
}

// first records id at now and reports whether it was not seen within
// window. An empty id is never remembered (nothing to compare).
func (s *seenIDs) first(id string, now time.Time, window time.Duration) bool {
	if id == "" {
		return true
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	if s.at == nil {
		s.at = map[string]time.Time{}
	}
	s.expire(now, window)
	if _, dup := s.at[id]; dup {
		return false
	}
	limit := s.limit
	if limit <= 0 {
		limit = maxSeenIDs
	}
	if len(s.at) >= limit {
		s.drop()
	}
	s.at[id] = now
	s.order = append(s.order, seenID{id, now})
	return true
}

// expire forgets the ids older than window.
func (s *seenIDs) expire(now time.Time, window time.Duration) {
	for s.head < len(s.order) && now.Sub(s.order[s.head].at) >= window {
		s.drop()
	}
}

// drop forgets the oldest id, and compacts the queue once half of it is
// spent so that its backing array does not grow forever.
func (s *seenIDs) drop() {
	delete(s.at, s.order[s.head].id)
	s.order[s.head] = seenID{}
	s.head++
	if s.head > len(s.order)/2 {
		s.order = append(s.order[:0], s.order[s.head:]...)
		s.head = 0
	}
}
