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
	u, err := BotUser(t.Context(), s)
	if err != nil || u.ID != discordfake.BotUserID {
		t.Fatalf("BotUser = %v, %v", u, err)
	}
	app, err := Application(t.Context(), s)
	if err != nil || app.ID != discordfake.BotUserID || app.VerifyKey != discordfake.PublicKey {
		t.Fatalf("Application = %+v, %v", app, err)
	}
	if err := CheckApplication(app, discordfake.BotUserID, discordfake.PublicKey); err != nil {
		t.Errorf("CheckApplication: %v", err)
	}
	if err := CheckApplication(app, "7", ""); err == nil || !strings.Contains(err.Error(), "not DISCORD_APPLICATION_ID 7") {
		t.Errorf("CheckApplication with another id: %v", err)
	}
	other := strings.Repeat("ab", 32)
	if err := CheckApplication(app, discordfake.BotUserID, other); err == nil || !strings.Contains(err.Error(), "DISCORD_PUBLIC_KEY") {
		t.Errorf("CheckApplication with another key: %v", err)
	}

	if ok, err := CommandRegistered(t.Context(), s, app.ID, ""); ok || err != nil {
		t.Errorf("before register: %v, %v", ok, err)
	}
	if err := Register(t.Context(), s, app.ID, "", testBot()); err != nil {
		t.Fatal(err)
	}
	if ok, err := CommandRegistered(t.Context(), s, app.ID, ""); !ok || err != nil {
		t.Errorf("after register: %v, %v (fake holds %v)", ok, err, fake.Commands())
	}

	bad, _ := NewSession("stale", fake.URL(), nil)
	if _, err := BotUser(t.Context(), bad); err == nil || !strings.Contains(err.Error(), "401") {
		t.Errorf("BotUser with a wrong token: %v", err)
	}
	if p := fake.Problems(); !slices.Equal(p, nil) {
		t.Errorf("fake saw misuse: %v", p)
	}
}
