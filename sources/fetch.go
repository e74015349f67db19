// Package sources polls news feeds and turns their entries into
// briefing.Items: a polite HTTP fetcher (conditional GET, timeouts, size
// cap, backoff), charset repair, parsing with gofeed, normalization, and a
// poller that bounds concurrency overall and per host.
package sources

import (
	"bytes"
	"context"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/url"
	"os"
	"strconv"
	"strings"
	"time"

	"github.com/mmcdole/gofeed"
	"github.com/mmcdole/gofeed/rss"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/backoff"
	"github.com/sahelbrief/sahelbrief/internal/defaults"
)

// Defaults for a Fetcher; config can override each.
const (
	DefaultUserAgent  = "sahelbrief/0.1 (+https://github.com/sahelbrief/sahelbrief; Sahel news briefing bot)"
	DefaultMaxBody    = defaults.MaxFeedBytes
	DefaultTimeout    = defaults.FetchTimeout
	DefaultDial       = 10 * time.Second
	DefaultInterval   = defaults.PollInterval
	DefaultMaxBackoff = defaults.MaxBackoff
	// maxHonoured caps how far a server's Retry-After or max-age can push
	// the next poll: a misconfigured header must not silence a source for a week.
	maxHonoured  = 24 * time.Hour
	maxRedirects = 5
)

const acceptFeeds = "application/rss+xml, application/atom+xml, application/rdf+xml, application/feed+json, " +
	"application/xml;q=0.9, text/xml;q=0.9, application/json;q=0.8, */*;q=0.5"

var errRedirectLoop = errors.New("too many redirects")

// Options configure a Fetcher. Zero values take the defaults above.
type Options struct {
	UserAgent       string
	MaxBody         int64         // largest body accepted, after decompression
	MaxItems        int           // entries taken from one feed a poll, the newest (0: DefaultMaxItems)
	Timeout         time.Duration // whole fetch, from dial to last byte
	DialTimeout     time.Duration
	DefaultInterval time.Duration // poll interval of sources that set none
	MaxBackoff      time.Duration // longest wait after repeated failures
	// Now stamps attempts, next checks and durations (nil: time.Now). A
	// fetch never waits on the clock; Now stays injectable because the
	// Fetcher's tests talk to real loopback servers (timeouts, redirects,
	// conditional GETs), which cannot run in a synctest bubble, and assert
	// dates and durations exactly.
	Now func() time.Time
	// Transport replaces the HTTP transport (tests inject fakes; nil builds
	// one with the dial timeout and gzip support).
	Transport http.RoundTripper
}

// Fetcher fetches one source at a time; it is safe for concurrent use.
type Fetcher struct {
	client          *http.Client
	userAgent       string
	maxBody         int64
	maxItems        int
	timeout         time.Duration
	defaultInterval time.Duration
	maxBackoff      time.Duration
	now             func() time.Time
}

// NewFetcher builds a Fetcher from o.
func NewFetcher(o Options) *Fetcher {
	f := &Fetcher{
		userAgent:       o.UserAgent,
		maxBody:         o.MaxBody,
		maxItems:        o.MaxItems,
		timeout:         o.Timeout,
		defaultInterval: o.DefaultInterval,
		maxBackoff:      o.MaxBackoff,
		now:             o.Now,
	}
	if f.userAgent == "" {
		f.userAgent = DefaultUserAgent
	}
	if f.maxBody <= 0 {
		f.maxBody = DefaultMaxBody
	}
	if f.maxItems <= 0 {
		f.maxItems = DefaultMaxItems
	}
	if f.timeout <= 0 {
		f.timeout = DefaultTimeout
	}
	if f.defaultInterval <= 0 {
		f.defaultInterval = DefaultInterval
	}
	if f.maxBackoff <= 0 {
		f.maxBackoff = DefaultMaxBackoff
	}
	if f.now == nil {
		f.now = time.Now
	}
	tr := o.Transport
	if tr == nil {
		dial := o.DialTimeout
		if dial <= 0 {
			dial = DefaultDial
		}
		tr = &http.Transport{
			Proxy:                 http.ProxyFromEnvironment,
			DialContext:           (&net.Dialer{Timeout: dial, KeepAlive: 30 * time.Second}).DialContext,
			TLSHandshakeTimeout:   dial,
			ResponseHeaderTimeout: f.timeout,
			MaxIdleConns:          64,
			MaxIdleConnsPerHost:   4,
			IdleConnTimeout:       90 * time.Second,
			ForceAttemptHTTP2:     true,
			// Compression stays on: the transport asks for gzip and
			// decompresses, and the body cap applies to the decompressed
			// bytes, which is what defuses gzip bombs.
		}
	}
	f.client = &http.Client{
		Transport: tr,
		CheckRedirect: func(req *http.Request, via []*http.Request) error {
			if len(via) >= maxRedirects {
				return errRedirectLoop
			}
			for _, prev := range via {
				if prev.URL.String() == req.URL.String() {
					return errRedirectLoop
				}
			}
			return nil
		},
	}
	return f
}

// Mode says how a fetch treats remembered state.
type Mode int

const (
	// Conditional sends the stored validators, so an unchanged feed costs a 304.
	Conditional Mode = iota
	// Fresh ignores validators: `sources --check` wants the real document.
	Fresh
)

// Result is the outcome of fetching one source.
type Result struct {
	Source briefing.Source
	State  briefing.SourceState // the source's state after this fetch, to persist
	Status briefing.FetchStatus
	Items  []briefing.Item // normalized entries; empty unless Status is ok
	// Skipped counts the feed's older entries beyond Options.MaxItems,
	// neither parsed nor stored.
	Skipped  int
	Err      error // a *FetchError when Status is error
	Duration time.Duration
	Charset  string // the charset the body was decoded from
}

// Fetch polls src once and returns its items and new state. It never
// returns a Go error: failures are part of the Result so one broken feed
// cannot stop the others.
func (f *Fetcher) Fetch(ctx context.Context, src briefing.Source, prev briefing.SourceState, mode Mode) Result {
	return f.Download(ctx, src, prev, mode).Process()
}

// Download is the network half of a fetch: the request and the body.
// Process does the rest. The poller splits them so that parsing does not
// hold a host's politeness slot.
func (f *Fetcher) Download(ctx context.Context, src briefing.Source, prev briefing.SourceState, mode Mode) *Downloaded {
	d := &Downloaded{f: f, start: f.now()}
	d.res = Result{Source: src, State: prev}
	d.res.State.Name, d.res.State.URL = src.Name, src.URL
	d.res.State.LastAttempt = d.start
	if isLocalPath(src.URL) {
		d.body, d.err = f.readFile(src.URL, prev, mode, &d.res)
	} else {
		d.body, d.ctype, d.header, d.base, d.err = f.get(ctx, src, prev, mode, &d.res)
	}
	d.done = f.now()
	return d
}

// Downloaded is a fetched body waiting to be processed.
type Downloaded struct {
	f           *Fetcher
	res         Result
	start, done time.Time
	body        []byte
	ctype       string
	header      http.Header
	base        *url.URL
	err         error
}

// Process decodes, parses and normalizes the body and records the outcome.
func (d *Downloaded) Process() Result {
	res := d.res
	switch {
	case d.err != nil:
		res.Status = briefing.StatusError
		res.Err = d.err
	case res.Status == briefing.StatusNotModified:
	default:
		utf8Body, cs := toUTF8(d.body, d.ctype)
		res.Charset = cs
		d.body = nil
		utf8Body, res.Skipped = capXMLItems(utf8Body, d.f.maxItems)
		feed, perr := parseFeed(utf8Body, d.ctype)
		if perr != nil {
			res.Status, res.Err, res.Skipped = briefing.StatusError, perr, 0
			break
		}
		res.Skipped += capItems(feed, d.f.maxItems)
		res.Status = briefing.StatusOK
		res.Items = normalize(feed, res.Source, d.base, d.done)
		res.State.ItemsLastTime = len(feed.Items) + res.Skipped
	}
	d.body = nil
	res.Duration = d.f.now().Sub(d.start)
	d.f.recordOutcome(&res, d.header, d.done)
	return res
}

// get performs the HTTP request. On a 304 it sets res.Status and returns no body.
func (f *Fetcher) get(ctx context.Context, src briefing.Source, prev briefing.SourceState, mode Mode, res *Result) (body []byte, ctype string, header http.Header, base *url.URL, err error) {
	ctx, cancel := context.WithTimeout(ctx, f.timeout)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodGet, src.URL, nil)
	if err != nil {
		return nil, "", nil, nil, &FetchError{Kind: KindOther, Message: "invalid URL", Err: err}
	}
	req.Header.Set("User-Agent", f.userAgent)
	req.Header.Set("Accept", acceptFeeds)
	if mode == Conditional {
		if prev.ETag != "" {
			req.Header.Set("If-None-Match", prev.ETag)
		}
		if prev.LastModified != "" {
			req.Header.Set("If-Modified-Since", prev.LastModified)
		}
	}
	resp, err := f.client.Do(req)
	if err != nil {
		return nil, "", nil, nil, classifyTransportError(ctx, err)
	}
	defer func() {
		// Drain a little so the connection can be reused, then close.
		_, _ = io.CopyN(io.Discard, resp.Body, 4<<10)
		resp.Body.Close()
	}()
	header = resp.Header
	base = resp.Request.URL // after redirects: relative links resolve against it

	switch {
	case resp.StatusCode == http.StatusNotModified:
		res.Status = briefing.StatusNotModified
		return nil, "", header, base, nil
	case resp.StatusCode == http.StatusTooManyRequests || resp.StatusCode == http.StatusServiceUnavailable:
		ra := retryAfter(resp.Header.Get("Retry-After"), f.now())
		msg := fmt.Sprintf("server is rate limiting or unavailable (HTTP %d)", resp.StatusCode)
		if ra > 0 {
			msg += fmt.Sprintf("; retry after %s", ra.Round(time.Second))
		}
		return nil, "", header, base, &FetchError{Kind: KindRateLimited, Message: msg, StatusCode: resp.StatusCode, RetryAfter: ra}
	case resp.StatusCode < 200 || resp.StatusCode > 299:
		return nil, "", header, base, &FetchError{Kind: KindHTTPStatus, StatusCode: resp.StatusCode,
			Message: fmt.Sprintf("HTTP %d %s", resp.StatusCode, http.StatusText(resp.StatusCode))}
	}
	if resp.ContentLength > f.maxBody {
		return nil, "", header, base, tooLarge(f.maxBody)
	}
	body, err = readCapped(resp.Body, f.maxBody)
	if err != nil {
		var fe *FetchError
		if errors.As(err, &fe) {
			return nil, "", header, base, err
		}
		return nil, "", header, base, classifyTransportError(ctx, err)
	}
	return body, resp.Header.Get("Content-Type"), header, base, nil
}

// readFile reads a local source. Its modification time plays the part of
// Last-Modified, so an unchanged file is "not modified".
func (f *Fetcher) readFile(path string, prev briefing.SourceState, mode Mode, res *Result) ([]byte, error) {
	path = strings.TrimPrefix(path, "file://")
	fi, err := os.Stat(path)
	if err != nil {
		return nil, &FetchError{Kind: KindFile, Message: "cannot read local feed file", Err: err}
	}
	if fi.IsDir() {
		return nil, &FetchError{Kind: KindFile, Message: "local feed path is a directory"}
	}
	stamp := fi.ModTime().UTC().Format(http.TimeFormat) + " " + strconv.FormatInt(fi.Size(), 10)
	if mode == Conditional && prev.LastModified == stamp {
		res.Status = briefing.StatusNotModified
		return nil, nil
	}
	if fi.Size() > f.maxBody {
		return nil, tooLarge(f.maxBody)
	}
	fh, err := os.Open(path)
	if err != nil {
		return nil, &FetchError{Kind: KindFile, Message: "cannot read local feed file", Err: err}
	}
	defer fh.Close()
	body, err := readCapped(fh, f.maxBody)
	if err != nil {
		return nil, err
	}
	res.State.LastModified = stamp
	res.State.ETag = ""
	return body, nil
}

// recordOutcome updates health counters, validators and the next poll time.
func (f *Fetcher) recordOutcome(res *Result, header http.Header, now time.Time) {
	st := &res.State
	st.LastStatus = res.Status
	interval := f.intervalOf(res.Source)
	if res.Status == briefing.StatusError {
		st.ConsecutiveFailures++
		st.LastError = res.Err.Error()
		wait := failureWait(interval, st.ConsecutiveFailures, f.maxBackoff)
		var fe *FetchError
		if errors.As(res.Err, &fe) && fe.RetryAfter > wait {
			wait = min(fe.RetryAfter, maxHonoured)
		}
		st.NextCheck = now.Add(wait)
		return
	}
	st.ConsecutiveFailures = 0
	st.LastError = ""
	st.LastSuccess = now
	if header != nil {
		// A 200 replaces the validators; a 304 may refresh them.
		etag, lm := header.Get("ETag"), header.Get("Last-Modified")
		if res.Status == briefing.StatusOK || etag != "" {
			st.ETag = etag
		}
		if res.Status == briefing.StatusOK || lm != "" {
			st.LastModified = lm
		}
	}
	wait := interval
	if fresh := freshness(header, now); fresh > wait {
		wait = min(fresh, maxHonoured)
	}
	st.NextCheck = now.Add(wait)
}

// intervalOf is src's poll interval: its own, else the default.
func (f *Fetcher) intervalOf(src briefing.Source) time.Duration {
	if src.Interval > 0 {
		return src.Interval
	}
	return f.defaultInterval
}

// NextCheckCap is the latest next check the current settings give a
// source at now: one poll interval away, or for a failing source its
// backoff from that interval. A next check stored under an older, longer
// interval is capped to it when the bot starts, so a shorter interval
// takes effect at once rather than after the old one. (A longer wait a
// feed asked for, by Retry-After or caching headers, is not remembered
// across that cap: the next poll asks again.)
func (f *Fetcher) NextCheckCap(src briefing.Source, st briefing.SourceState, now time.Time) time.Time {
	wait := f.intervalOf(src)
	if st.ConsecutiveFailures > 0 {
		wait = failureWait(wait, st.ConsecutiveFailures, f.maxBackoff)
	}
	return now.Add(wait)
}

// failureWait doubles the wait with each consecutive failure, from one poll
// interval up to limit (but never below the interval itself).
func failureWait(interval time.Duration, failures int, limit time.Duration) time.Duration {
	return backoff.Policy{First: interval, Max: max(limit, interval)}.Wait(failures - 1)
}

// freshness is how long the response says it stays fresh: Cache-Control
// max-age, else Expires.
func freshness(h http.Header, now time.Time) time.Duration {
	if h == nil {
		return 0
	}
	for _, d := range strings.Split(h.Get("Cache-Control"), ",") {
		d = strings.TrimSpace(strings.ToLower(d))
		if v, ok := strings.CutPrefix(d, "max-age="); ok {
			if secs, err := strconv.ParseInt(strings.Trim(v, `"`), 10, 64); err == nil && secs > 0 {
				return seconds(secs)
			}
		}
	}
	if exp := h.Get("Expires"); exp != "" {
		if t, err := http.ParseTime(exp); err == nil && t.After(now) {
			return t.Sub(now)
		}
	}
	return 0
}

// seconds converts a server's count of seconds, capped at maxHonoured
// before multiplying: max-age=99999999999 must not wrap around.
func seconds(secs int64) time.Duration {
	if secs > int64(maxHonoured/time.Second) {
		return maxHonoured
	}
	return time.Duration(secs) * time.Second
}

// retryAfter reads a Retry-After value in seconds or as an HTTP date,
// capped at maxHonoured.
func retryAfter(v string, now time.Time) time.Duration {
	return backoff.RetryAfter(v, now, maxHonoured)
}

func tooLarge(limit int64) error {
	return &FetchError{Kind: KindTooLarge, Message: fmt.Sprintf("feed is larger than the %s limit", byteSize(limit))}
}

// readCapped reads at most limit bytes and fails if there are more, without
// reading further: a 1 GiB body costs limit bytes of memory, not 1 GiB.
func readCapped(r io.Reader, limit int64) ([]byte, error) {
	var buf bytes.Buffer
	n, err := buf.ReadFrom(io.LimitReader(r, limit+1))
	if err != nil {
		return nil, err
	}
	if n > limit {
		return nil, tooLarge(limit)
	}
	return buf.Bytes(), nil
}

func byteSize(n int64) string {
	switch {
	case n >= 1<<30 && n%(1<<30) == 0:
		return fmt.Sprintf("%d GiB", n>>30)
	case n >= 1<<20 && n%(1<<20) == 0:
		return fmt.Sprintf("%d MiB", n>>20)
	case n >= 1<<10 && n%(1<<10) == 0:
		return fmt.Sprintf("%d KiB", n>>10)
	}
	return fmt.Sprintf("%d bytes", n)
}

// classifyTransportError turns a client or body-read error into a FetchError
// whose message says what a person can check.
func classifyTransportError(ctx context.Context, err error) error {
	var dnsErr *net.DNSError
	var opErr *net.OpError
	var netErr net.Error
	switch {
	case errors.Is(err, errRedirectLoop):
		return &FetchError{Kind: KindRedirectLoop, Message: fmt.Sprintf("redirect loop (more than %d redirects or a repeated URL)", maxRedirects), Err: errRedirectLoop}
	case errors.As(err, &dnsErr):
		return &FetchError{Kind: KindDNS, Message: fmt.Sprintf("cannot resolve host %q", dnsErr.Name), Err: dnsErr}
	case errors.Is(err, context.DeadlineExceeded) || ctx.Err() == context.DeadlineExceeded || (errors.As(err, &netErr) && netErr.Timeout()):
		return &FetchError{Kind: KindTimeout, Message: "timed out", Err: err}
	case errors.Is(err, context.Canceled):
		return &FetchError{Kind: KindOther, Message: "canceled", Err: err}
	case errors.As(err, &opErr):
		return &FetchError{Kind: KindUnreachable, Message: "cannot connect to host", Err: opErr.Err}
	case strings.Contains(err.Error(), "gzip") || strings.Contains(err.Error(), "flate"):
		return &FetchError{Kind: KindMalformed, Message: "corrupt compressed body", Err: err}
	}
	return &FetchError{Kind: KindOther, Message: "fetch failed", Err: err}
}

// parseFeed parses a UTF-8 body with gofeed, naming HTML pages and broken
// XML plainly.
func parseFeed(body []byte, ctype string) (*gofeed.Feed, error) {
	p := gofeed.NewParser()
	// No item's image is read: the HTML parse gofeed runs per item to find
	// one cost a third of its translation.
	p.RSSTranslator = &outletTranslator{gofeed.DefaultRSSTranslator{DisableContentImageScan: true}}
	feed, err := p.Parse(bytes.NewReader(body))
	if err == nil {
		// gofeed takes any JSON object for a JSON Feed; an API error
		// document has no version, no title and no items.
		if feed.FeedType == "json" && feed.FeedVersion == "" && feed.Title == "" && len(feed.Items) == 0 {
			return nil, &FetchError{Kind: KindNotAFeed, Message: "not a feed: JSON without a JSON Feed version"}
		}
		return feed, nil
	}
	if errors.Is(err, gofeed.ErrFeedTypeNotDetected) {
		if len(bytes.TrimSpace(body)) == 0 {
			return nil, &FetchError{Kind: KindNotAFeed, Message: "empty response body"}
		}
		if looksLikeHTML(body, ctype) {
			return nil, &FetchError{Kind: KindNotAFeed, Message: "not a feed: the server sent an HTML page"}
		}
		kind := ctype
		if kind == "" {
			kind = "no content type"
		}
		return nil, &FetchError{Kind: KindNotAFeed, Message: fmt.Sprintf("not a feed (%s)", kind)}
	}
	return nil, &FetchError{Kind: KindMalformed, Message: "cannot parse feed", Err: err}
}

func looksLikeHTML(body []byte, ctype string) bool {
	if strings.Contains(strings.ToLower(ctype), "html") {
		return true
	}
	head := bytes.ToLower(body[:min(len(body), 512)])
	return bytes.Contains(head, []byte("<!doctype html")) || bytes.Contains(head, []byte("<html"))
}

// outletTranslator keeps an RSS item's <source> element (the real
// publisher on Google News and other aggregators), which gofeed's
// universal Item drops.
type outletTranslator struct{ gofeed.DefaultRSSTranslator }

// outletKey is where outletTranslator leaves the publisher in Item.Custom.
const outletKey = "sahelbrief:outlet"

func (t *outletTranslator) Translate(feed interface{}) (*gofeed.Feed, error) {
	out, err := t.DefaultRSSTranslator.Translate(feed)
	if err != nil {
		return nil, err
	}
	in, ok := feed.(*rss.Feed)
	if !ok || len(in.Items) != len(out.Items) {
		return out, nil
	}
	for i, it := range in.Items {
		if it.Source == nil || strings.TrimSpace(it.Source.Title) == "" {
			continue
		}
		custom := make(map[string]string, len(out.Items[i].Custom)+1)
		for k, v := range out.Items[i].Custom {
			custom[k] = v
		}
		custom[outletKey] = strings.TrimSpace(it.Source.Title)
		out.Items[i].Custom = custom
	}
	return out, nil
}

// isLocalPath reports whether a source URL names a local file rather than
// an http(s) resource.
func isLocalPath(u string) bool {
	l := strings.ToLower(u)
	return !strings.HasPrefix(l, "http://") && !strings.HasPrefix(l, "https://")
}
