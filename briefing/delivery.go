package briefing

import "time"

// DeliveryStatus is where a delivery stands.
type DeliveryStatus string

// Delivery statuses.
const (
	DeliveryPending DeliveryStatus = "pending" // to be sent (or being sent)
	DeliverySent    DeliveryStatus = "sent"    // posted; Ref says where
	DeliveryFailed  DeliveryStatus = "failed"  // a permanent error: will not be retried
	DeliveryRolled  DeliveryStatus = "rolled"  // an alert carried by a summary (ParentID)
)

// Delivery is one message the bot owes a channel, as persisted: recorded
// pending before it is sent and sent after, so restarts neither lose nor
// repeat it. Kind is "digest", "alert", "reply" or "summary".
type Delivery struct {
	ID      int64
	Key     string // identity: the same key is the same message
	Channel string
	Kind    string
	Status  DeliveryStatus
	// ParentID: for a reply, the alert it threads under; for a rolled
	// alert, its summary. On enqueue, ParentKey names the parent instead
	// (it may be queued in the same batch).
	ParentID  int64
	ParentKey string
	// ThreadRef (read only) is the platform reference a reply threads
	// under: its parent's, or the parent's summary's when the parent was
	// rolled into one; empty until that message is sent.
	ThreadRef string
	// ParentStatus (read only) is the parent's status ("" without one).
	ParentStatus DeliveryStatus
	ItemID       int64
	Payload      []byte // what the bot renders from (JSON)
	Scheduled    time.Time
	Since, Until time.Time // digest window
	Attempts     int
	NextAttempt  time.Time
	LastError    string
	Ref          string
	Created      time.Time
	Sent         time.Time
}
