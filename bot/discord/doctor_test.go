package discord

import (
	"slices"
	"strings"
	"testing"

	"github.com/sahelbrief/sahelbrief/internal/discordfake"
)

func TestInviteURL(t *testing.T) {
	// View Channel 1<<10, Send Messages 1<<11, Embed Links 1<<14, Read
	// Message History 1<<16: nothing more (no threads, no administration).
	if BotPermissions != 1024+2048+16384+65536 {
		t.Errorf("BotPermissions = %d", BotPermissions)
	}
	want := "https://discord.com/oauth2/authorize?client_id=42&integration_type=0&permissions=84992&scope=bot+applications.commands"
	if got := InviteURL("42"); got != want {
		t.Errorf("InviteURL = %s\nwant        %s", got, want)
	}
}

func TestDoctorCallsAgainstTheFake(t *testing.T) {
	fake := discordfake.New()
	defer fake.Close()
	fake.SetToken("good")
	s, err := NewSession("good", fake.URL(), nil)
	if err != nil {
		t.Fatal(err)
	}
	name, id, err := BotUser(t.Context(), s)
	if err != nil || id != discordfake.BotUserID || name != "sahelbrief" {
		t.Fatalf("BotUser = %s %s, %v", name, id, err)
	}
	app, err := Application(t.Context(), s)
	if err != nil || app.ID != discordfake.BotUserID || app.VerifyKey != discordfake.PublicKey {
		t.Fatalf("Application = %+v, %v", app, err)
	}
	if err := CheckApplicationID(app, discordfake.BotUserID); err != nil {
		t.Errorf("CheckApplicationID: %v", err)
	}
	if err := CheckApplicationID(app, "7"); err == nil || !strings.Contains(err.Error(), "not DISCORD_APPLICATION_ID 7") {
		t.Errorf("CheckApplicationID with another id: %v", err)
	}
	for key, want := range map[string]string{
		discordfake.PublicKey:                  "",
		strings.ToUpper(discordfake.PublicKey): "",
		strings.Repeat("ab", 32):               "not the application's public key",
		strings.Repeat("ab", 31):               "public key",
		strings.Repeat("zz", 32):               "not hex",
	} {
		err := CheckPublicKey(app, key)
		if (want == "") != (err == nil) || (err != nil && !strings.Contains(err.Error(), want)) {
			t.Errorf("CheckPublicKey(%s) = %v, want %q", key, err, want)
		}
	}

	if ok, err := CommandRegistered(t.Context(), s, app.ID, ""); ok || err != nil {
		t.Errorf("before register: %v, %v", ok, err)
	}
	if err := Register(t.Context(), s, app.ID, "", testBot()); err != nil {
		t.Fatal(err)
	}
	if ok, err := CommandRegistered(t.Context(), s, app.ID, ""); !ok || err != nil {
		t.Errorf("after register: %v, %v (fake holds %v)", ok, err, fake.Commands(""))
	}

	if ok, err := CommandRegistered(t.Context(), s, app.ID, "55"); ok || err != nil {
		t.Errorf("in a server where it was not registered: %v, %v", ok, err)
	}

	bad, _ := NewSession("stale", fake.URL(), nil)
	if _, _, err := BotUser(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "401") || !Rejected(err) {
		t.Errorf("BotUser with a wrong token: %v", err)
	}
	if p := fake.Problems(); !slices.Equal(p, nil) {
		t.Errorf("fake saw misuse: %v", p)
	}
}
