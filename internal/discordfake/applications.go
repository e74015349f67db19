package discordfake

import (
	"encoding/json"
	"net/http"
	"time"
)

func (s *Server) me(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	writeJSON(w, http.StatusOK, botUser())
}

// SetApplication sets the id and verify_key GET /oauth2/applications/@me
// answers (BotUserID and PublicKey by default).
func (s *Server) SetApplication(id, verifyKey string) {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.appID, s.verifyKey = id, verifyKey
}

// Commands returns the names of the application commands registered in
// guild ("" for the global ones).
func (s *Server) Commands(guild string) []string {
	s.mu.Lock()
	defer s.mu.Unlock()
	var names []string
	for _, c := range s.commands[guild] {
		name, _ := c["name"].(string)
		names = append(names, name)
	}
	return names
}

// application answers GET /oauth2/applications/@me.
func (s *Server) application(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	s.mu.Lock()
	v := map[string]any{"id": s.appID, "name": "sahelbrief", "verify_key": s.verifyKey, "bot_public": false, "bot": botUser()}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, v)
}

// appOK checks the path's application is the fake's.
func (s *Server) appOK(w http.ResponseWriter, r *http.Request) bool {
	s.mu.Lock()
	ok := r.PathValue("app") == s.appID
	s.mu.Unlock()
	if !ok {
		writeError(w, http.StatusForbidden, 50001, "Missing Access")
	}
	return ok
}

// listCommands answers GET /applications/{app}/commands and
// /applications/{app}/guilds/{guild}/commands.
func (s *Server) listCommands(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if !s.appOK(w, r) {
		return
	}
	s.mu.Lock()
	out := cloneAny(s.commands[r.PathValue("guild")]) // never nil: an empty list is []
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

// putCommands answers PUT /applications/{app}/commands and its guild
// variant (bulk overwrite): the commands sent replace the registered ones
// and are answered with ids.
func (s *Server) putCommands(w http.ResponseWriter, r *http.Request) {
	if !s.checkAuth(r) {
		writeError(w, http.StatusUnauthorized, 0, "401: Unauthorized")
		return
	}
	if !s.appOK(w, r) {
		return
	}
	var cmds []map[string]any
	if err := json.NewDecoder(r.Body).Decode(&cmds); err != nil {
		writeError(w, http.StatusBadRequest, 50035, "Invalid Form Body")
		return
	}
	s.mu.Lock()
	for _, c := range cmds {
		c["id"] = s.nextID(time.Now())
		c["application_id"] = s.appID
	}
	s.commands[r.PathValue("guild")] = cmds
	out := cloneAny(cmds)
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}
