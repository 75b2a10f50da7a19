package telegram

import (
	"errors"
	"fmt"
	"testing"

	tele "gopkg.in/telebot.v3"
)

func TestIsBlocked(t *testing.T) {
	for _, tc := range []struct {
		name string
		err  error
		want bool
	}{
		{"telebot's blocked", tele.ErrBlockedByUser, true},
		{"telebot's deactivated", fmt.Errorf("send: %w", tele.ErrUserIsDeactivated), true},
		{"call's blocked", &APIError{Code: 403, Description: "Forbidden: bot was blocked by the user"}, true},
		{"call's deactivated, wrapped", fmt.Errorf("bot: send text to 5: %w", &APIError{Code: 403, Description: "Forbidden: user is deactivated"}), true},
		{"another refusal", &APIError{Code: 400, Description: "Bad Request: chat not found"}, false},
		{"a network failure", errors.New("connection refused"), false},
		{"no error", nil, false},
	} {
		if got := IsBlocked(tc.err); got != tc.want {
			t.Errorf("%s: IsBlocked = %v, want %v", tc.name, got, tc.want)
		}
	}
}
