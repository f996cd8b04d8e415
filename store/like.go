package store

import "strings"

// likeEscape makes s match itself in a LIKE pattern whose ESCAPE character is '!', the same on
// SQLite and MariaDB (a backslash would need escaping twice on MariaDB).
func likeEscape(s string) string {
	return strings.NewReplacer("!", "!!", "%", "!%", "_", "!_").Replace(s)
}
