package app

import (
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/briefing"
	"github.com/sahelbrief/sahelbrief/internal/discordfake"
)

// TestCrashAnywhereDiscord is TestCrashAnywhereLosesNothingAndPostsOnce
// for a bot that posts to Discord only: it kills the running bot with
// SIGKILL at each point where it commits something, restarts it, and
// checks on a fake Discord and in the database that no committed item is
// lost and every alert, reply and digest part is posted exactly once.
//
// Each point runs twice: with Discord's enforce_nonce deduplication
// ("nonce"), and with it off ("history"), as if the restart came after
// Discord's window, so the restarted bot must find what it posted in the
// channel's history by the parts' visible markers.
func TestCrashAnywhereDiscord(t *testing.T) {
	for _, mode := range []string{"nonce", "history"} {
		for _, point := range crashPoints {
			t.Run(mode+"/"+strings.ReplaceAll(point, ":", "_"), func(t *testing.T) {
				t.Parallel()
				discordCrashAndCheck(t, point, mode == "nonce")
			})
		}
	}
}

const (
	discordCrashChannelID = "123456789012345678"
	discordCrashChannel   = "discord:" + discordCrashChannelID
	// discordCrashToken looks like a bot token (id.timestamp.hmac) but is
	// none.
	discordCrashToken = "MTAwMDAwMDAwMDAwMDAwMDAx.Zm9vYmFy.crash-test-not-a-real-token"
)

func discordCrashAndCheck(t *testing.T, point string, nonceWindow bool) {
	dc := discordfake.New()
	t.Cleanup(dc.Close)
	if !nonceWindow {
		dc.SetNonceWindow(0)
	}
	ds := crashRestart(t, discordCrashChannel, point,
		map[string]string{"DISCORD_BOT_TOKEN": discordCrashToken, "DISCORD_API_URL": dc.URL()},
		func(ds []briefing.Delivery) bool { return discordAllPosted(ds, dc) },
		func() string { return fmt.Sprint(discordNonces(dc.Messages())) })
	discordCheckPosted(t, ds, dc.Messages())
	if problems := dc.Problems(); len(problems) > 0 {
		t.Errorf("Discord API misuse: %v", problems)
	}
	// The first run may die before its gateway session identifies; the
	// second runs until the deliveries are done.
	if dc.Gateways() == 0 {
		t.Error("the bot never identified on the gateway")
	}
}

// discordCheckPosted checks the channel's messages against the
// deliveries: each message is a part of one delivery (by its nonce, which
// its visible marker matches), each part is there exactly once, parts run
// 0..n-1 with no gap, each delivery's Ref is its first part's message,
// and each reply answers its alert's message.
func discordCheckPosted(t *testing.T, ds []briefing.Delivery, msgs []discordfake.Message) {
	t.Helper()
	byHash := map[string]briefing.Delivery{}
	for _, d := range ds {
		byHash[discordKeyHash(d.Key)] = d
	}
	parts := map[string]map[int][]discordfake.Message{} // key → part → messages
	for _, m := range msgs {
		d, part, ok := discordPartOf(m, byHash)
		if !ok {
			t.Errorf("message %s is no part of a delivery: nonce %q, content %q", m.ID, m.Nonce, m.Content)
			continue
		}
		if m.ChannelID != discordCrashChannelID || m.AuthorID != discordfake.BotUserID {
			t.Errorf("%s part %d in channel %s by %s", d.Key, part, m.ChannelID, m.AuthorID)
		}
		if mk := discordMarkers(m); len(mk) != 1 || mk[0] != discordMarker(d.Key, part) {
			t.Errorf("%s part %d has markers %q; want %q", d.Key, part, mk, discordMarker(d.Key, part))
		}
		if parts[d.Key] == nil {
			parts[d.Key] = map[int][]discordfake.Message{}
		}
		parts[d.Key][part] = append(parts[d.Key][part], m)
	}
	first := map[int64]string{} // delivery id → its first part's message id
	kinds := map[string]int{}
	for _, d := range ds {
		kinds[d.Kind]++
		ps := parts[d.Key]
		if len(ps) == 0 {
			t.Errorf("%s %s: nothing posted", d.Kind, d.Key)
			continue
		}
		for i := range len(ps) {
			switch n := len(ps[i]); n {
			case 0:
				t.Errorf("%s %s: part %d of %d missing", d.Kind, d.Key, i, len(ps))
			case 1:
			default:
				t.Errorf("%s %s: part %d posted %d times", d.Kind, d.Key, i, n)
			}
		}
		if len(ps[0]) > 0 {
			first[d.ID] = ps[0][0].ID
			if d.Ref != ps[0][0].ID {
				t.Errorf("%s %s: recorded ref %q; its first part is message %s", d.Kind, d.Key, d.Ref, ps[0][0].ID)
			}
		}
	}
	if kinds["alert"] == 0 || kinds["reply"] == 0 || kinds["digest"] == 0 {
		t.Errorf("deliveries by kind: %v; want an alert, a reply and a digest", kinds)
	}
	for _, d := range ds {
		if d.Kind != "reply" || len(parts[d.Key][0]) == 0 {
			continue
		}
		alert, ok := first[d.ParentID]
		ref := parts[d.Key][0][0].Reference
		if !ok || ref == nil || ref["message_id"] != alert {
			t.Errorf("reply %s answers %v; want its alert's message %q", d.Key, ref, alert)
		}
		for i, ms := range parts[d.Key] {
			if i > 0 && len(ms) > 0 && ms[0].Reference != nil {
				t.Errorf("reply %s part %d is a reply too", d.Key, i)
			}
		}
	}
}

// discordAllPosted reports whether the alert, its reply and the digest
// are visible on Discord.
func discordAllPosted(ds []briefing.Delivery, dc *discordfake.Server) bool {
	byHash := map[string]briefing.Delivery{}
	for _, d := range ds {
		byHash[discordKeyHash(d.Key)] = d
	}
	posted := map[string]bool{}
	for _, m := range dc.Messages() {
		if d, _, ok := discordPartOf(m, byHash); ok {
			posted[d.Kind] = true
		}
	}
	return posted["alert"] && posted["reply"] && posted["digest"]
}

// discordKeyHash is the 20 hex digits of sha256(key) that begin the
// nonces of a delivery's parts (bot/discord's nonce: "<hash>.<part in
// base 36>").
func discordKeyHash(key string) string {
	h := sha256.Sum256([]byte(key))
	return hex.EncodeToString(h[:])[:20]
}

// discordPartOf returns the delivery and part a message's nonce names.
func discordPartOf(m discordfake.Message, byHash map[string]briefing.Delivery) (briefing.Delivery, int, bool) {
	hash, p, ok := strings.Cut(m.Nonce, ".")
	if !ok {
		return briefing.Delivery{}, 0, false
	}
	d, ok := byHash[hash]
	part, err := strconv.ParseInt(p, 36, 32)
	if !ok || err != nil {
		return briefing.Delivery{}, 0, false
	}
	return d, int(part), true
}

// discordMarker is the visible marker of a delivery's part.
func discordMarker(key string, part int) string {
	return "ref " + discordKeyHash(key)[:8] + "·" + strconv.Itoa(part)
}

var discordMarkerPattern = regexp.MustCompile(`ref [0-9a-f]{8}·[0-9]+`)

// discordMarkers returns the markers in a message's content and embed
// footers.
func discordMarkers(m discordfake.Message) []string {
	texts := []string{m.Content}
	for _, e := range m.Embeds {
		if f, ok := e["footer"].(map[string]any); ok {
			if s, ok := f["text"].(string); ok {
				texts = append(texts, s)
			}
		}
	}
	var out []string
	for _, s := range texts {
		out = append(out, discordMarkerPattern.FindAllString(s, -1)...)
	}
	return out
}

// discordNonces lists the messages' nonces, for failure messages.
func discordNonces(msgs []discordfake.Message) []string {
	var out []string
	for _, m := range msgs {
		out = append(out, fmt.Sprintf("%s:%s", m.ID, m.Nonce))
	}
	sort.Strings(out)
	return out
}
