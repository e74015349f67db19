// Package metrics exposes sahelbrief's Prometheus metrics. It is the only
// package that imports the Prometheus client: the rest of the bot talks to
// it through bot.Observer and a few plain methods the runner calls.
//
// Every label has a small, fixed set of values so the series count stays
// bounded whatever the configuration or the users type: sources are not a
// label (per-source health is what `sahelbrief sources` is for), command
// names outside the known commands become "other", and unknown statuses and
// delivery kinds are folded the same way. Platform names come from the
// bot's own adapters ("slack", "discord", "console") and pass through.
//
// A nil *Metrics is valid: every method on it is a no-op, so callers can
// hold a nil when metrics are off.
package metrics

import (
	"net/http"
	"slices"
	"strings"
	"time"

	"github.com/prometheus/client_golang/prometheus"
	"github.com/prometheus/client_golang/prometheus/collectors"
	"github.com/prometheus/client_golang/prometheus/promhttp"

	"github.com/sahelbrief/sahelbrief/bot"
)

const namespace = "sahelbrief"

// Fetch statuses, as passed to Fetch.
const (
	StatusOK          = "ok"
	StatusNotModified = "not_modified"
	StatusError       = "error"
)

// other is the label value that unknown values are folded into.
const other = "other"

// fetchBuckets suit HTTP feed polls: tens of milliseconds to a minute.
var fetchBuckets = []float64{0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10, 20, 30, 60}

// commandBuckets suit chat commands: Slack wants an answer within 3 s.
var commandBuckets = []float64{0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 0.5, 1, 2.5, 5, 10}

// Metrics holds sahelbrief's Prometheus collectors in its own registry (not
// the global one), plus Go runtime and process collectors.
type Metrics struct {
	reg *prometheus.Registry

	fetches       *prometheus.CounterVec // status
	fetchFailures *prometheus.CounterVec // kind
	fetchDuration prometheus.Histogram
	itemsStored   prometheus.Counter

	posts           *prometheus.CounterVec   // platform, kind, result
	rateLimitWaits  *prometheus.CounterVec   // platform
	rateLimitWaited *prometheus.CounterVec   // platform
	commandDuration *prometheus.HistogramVec // platform, command

	pending          prometheus.Gauge
	sourcesHealthy   prometheus.Gauge
	sources          prometheus.Gauge
	adapterConnected *prometheus.GaugeVec   // platform
	storeErrors      *prometheus.CounterVec // kind
}

var _ bot.Observer = (*Metrics)(nil)

// opts names a metric of ours.
func opts(name, help string) prometheus.Opts {
	return prometheus.Opts{Namespace: namespace, Name: name, Help: help}
}

// counterVec is a counter of ours by the given labels.
func counterVec(name, help string, labels ...string) *prometheus.CounterVec {
	return prometheus.NewCounterVec(prometheus.CounterOpts(opts(name, help)), labels)
}

// histogramOpts names a histogram of ours.
func histogramOpts(name, help string, buckets []float64) prometheus.HistogramOpts {
	return prometheus.HistogramOpts{Namespace: namespace, Name: name, Help: help, Buckets: buckets}
}

// New makes a Metrics with its own registry.
func New() *Metrics {
	m := &Metrics{
		reg:           prometheus.NewRegistry(),
		fetches:       counterVec("fetches_total", "Source polls, by outcome (ok, not_modified, error).", "status"),
		fetchFailures: counterVec("fetch_failures_total", "Failed source polls, by failure kind (dns, timeout, http_status, ...).", "kind"),
		fetchDuration: prometheus.NewHistogram(histogramOpts("fetch_duration_seconds",
			"How long one source poll took, whatever its outcome.", fetchBuckets)),
		itemsStored:     prometheus.NewCounter(prometheus.CounterOpts(opts("items_stored_total", "News items stored as new."))),
		posts:           counterVec("posts_total", "Delivery attempts, by platform, kind (digest, alert, reply, summary) and result (ok, error).", "platform", "kind", "result"),
		rateLimitWaits:  counterVec("rate_limit_waits_total", "Times a platform asked the bot to wait.", "platform"),
		rateLimitWaited: counterVec("rate_limit_wait_seconds_total", "Total wait platforms asked for, in seconds.", "platform"),
		commandDuration: prometheus.NewHistogramVec(histogramOpts("command_duration_seconds",
			"How long a /sahel command took to answer, by platform and command.", commandBuckets), []string{"platform", "command"}),
		pending:          prometheus.NewGauge(prometheus.GaugeOpts(opts("deliveries_pending", "Deliveries waiting to be posted."))),
		sourcesHealthy:   prometheus.NewGauge(prometheus.GaugeOpts(opts("sources_healthy", "Configured sources whose last poll succeeded."))),
		sources:          prometheus.NewGauge(prometheus.GaugeOpts(opts("sources", "Configured sources."))),
		adapterConnected: prometheus.NewGaugeVec(prometheus.GaugeOpts(opts("adapter_connected", "1 when the platform adapter is connected, 0 when not.")), []string{"platform"}),
		storeErrors:      counterVec("store_errors_total", "Database errors, by kind (full, corrupt, io, readonly, busy, gone: the file deleted or replaced).", "kind"),
	}
	m.reg.MustRegister(
		collectors.NewGoCollector(),
		collectors.NewProcessCollector(collectors.ProcessCollectorOpts{}),
		m.fetches, m.fetchFailures, m.fetchDuration, m.itemsStored,
		m.posts, m.rateLimitWaits, m.rateLimitWaited, m.commandDuration,
		m.pending, m.sourcesHealthy, m.sources, m.adapterConnected, m.storeErrors,
	)
	// Start the fetch outcomes at zero so rates and ratios work from the
	// first scrape, before any poll has failed.
	for _, s := range []string{StatusOK, StatusNotModified, StatusError} {
		m.fetches.WithLabelValues(s)
	}
	for _, k := range storeErrorKinds {
		m.storeErrors.WithLabelValues(k)
	}
	return m
}

// Handler serves the registry in the Prometheus text format. On a nil
// Metrics it answers 404.
func (m *Metrics) Handler() http.Handler {
	if m == nil {
		return http.NotFoundHandler()
	}
	return promhttp.HandlerFor(m.reg, promhttp.HandlerOpts{
		// Serve what can be gathered rather than nothing; errors are
		// counted in promhttp_metric_handler_errors_total.
		ErrorHandling: promhttp.ContinueOnError,
		Registry:      m.reg,
	})
}

// Fetch records one source poll: status is "ok", "not_modified" or
// "error"; kind is the failure kind ("" when ok), newItems the items stored
// as new, took its duration. Failures are counted by kind only for status
// "error" (a missing kind counts as "other"), so the kinds sum to
// sahelbrief_fetches_total{status="error"}; unknown statuses count as
// "other".
//
// source is not recorded: it is accepted so callers need not change when
// per-source metrics are wanted, but keeping it out of the labels keeps
// the series count independent of the source list. Per-source health is
// in `sahelbrief sources` and the store.
func (m *Metrics) Fetch(source, status, kind string, newItems int, took time.Duration) {
	if m == nil {
		return
	}
	_ = source
	switch status {
	case StatusOK, StatusNotModified, StatusError:
	default:
		status = other
	}
	m.fetches.WithLabelValues(status).Inc()
	if status == StatusError {
		if kind == "" {
			kind = other
		}
		m.fetchFailures.WithLabelValues(kind).Inc()
	}
	m.fetchDuration.Observe(seconds(took))
	if newItems > 0 {
		m.itemsStored.Add(float64(newItems))
	}
}

// CommandServed records one /sahel command answered. Commands other than
// the bot's own become "other", so mistyped commands cannot grow the
// series.
func (m *Metrics) CommandServed(platform, command string, took time.Duration) {
	if m == nil {
		return
	}
	m.commandDuration.WithLabelValues(platform, commandLabel(command)).Observe(seconds(took))
}

// Delivered records one delivery attempt of kind to platform; err is nil
// on success.
func (m *Metrics) Delivered(platform string, kind bot.Kind, err error) {
	if m == nil {
		return
	}
	result := "ok"
	if err != nil {
		result = "error"
	}
	m.posts.WithLabelValues(platform, kindLabel(kind), result).Inc()
}

// RateLimited records that a platform asked the bot to wait.
func (m *Metrics) RateLimited(platform string, wait time.Duration) {
	if m == nil {
		return
	}
	m.rateLimitWaits.WithLabelValues(platform).Inc()
	m.rateLimitWaited.WithLabelValues(platform).Add(seconds(wait))
}

// SetPending sets the number of deliveries waiting to be posted.
func (m *Metrics) SetPending(n int) {
	if m == nil {
		return
	}
	m.pending.Set(float64(n))
}

// SetSourcesHealthy sets how many of the configured sources are healthy,
// and how many there are.
func (m *Metrics) SetSourcesHealthy(healthy, total int) {
	if m == nil {
		return
	}
	m.sourcesHealthy.Set(float64(healthy))
	m.sources.Set(float64(total))
}

// SetAdapterConnected records whether platform's adapter is connected.
func (m *Metrics) SetAdapterConnected(platform string, up bool) {
	if m == nil {
		return
	}
	v := 0.0
	if up {
		v = 1
	}
	m.adapterConnected.WithLabelValues(platform).Set(v)
}

// storeErrorKinds are the store's error kinds (store.Kind*), started at
// zero so an alert on any increase works from the first scrape.
var storeErrorKinds = []string{"full", "corrupt", "io", "readonly", "busy", "gone"}

// StoreError records one database error of kind (the store's kinds;
// others count as "other").
func (m *Metrics) StoreError(kind string) {
	if m == nil {
		return
	}
	if !slices.Contains(storeErrorKinds, kind) {
		kind = other
	}
	m.storeErrors.WithLabelValues(kind).Inc()
}

// seconds converts a duration for a counter or histogram; negative
// durations (a clock step) count as zero, since counters cannot go down.
func seconds(d time.Duration) float64 {
	if d < 0 {
		return 0
	}
	return d.Seconds()
}

// commandLabel bounds the command label to the bot's commands.
func commandLabel(c string) string {
	if l, ok := knownCommand(c); ok {
		return l
	}
	if l, ok := knownCommand(strings.ToLower(strings.TrimSpace(c))); ok {
		return l
	}
	return other
}

func knownCommand(c string) (string, bool) {
	switch c {
	case "brief", "country", "actor", "search", "subscribe", "unsubscribe",
		"subscriptions", "digest", "sources", "help":
		return c, true
	}
	return "", false
}

// kindLabel bounds the delivery kind label to the known kinds.
func kindLabel(k bot.Kind) string {
	switch k {
	case bot.KindDigest, bot.KindAlert, bot.KindReply, bot.KindSummary:
		return string(k)
	}
	return other
}
