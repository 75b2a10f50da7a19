package tgfake

import (
	"encoding/json"
	"reflect"
	"strings"
)

// parseReplyMarkup splits a reply_markup parameter into the inline keyboard
// (echoed in the Message) and any other keyboard (kept only for tests).
func parseReplyMarkup(raw string) (*InlineKeyboardMarkup, json.RawMessage, *APIError) {
	raw = strings.TrimSpace(raw)
	if raw == "" || raw == "null" {
		return nil, nil, nil
	}
	var probe map[string]json.RawMessage
	if err := json.Unmarshal([]byte(raw), &probe); err != nil {
		return nil, nil, badRequest("can't parse reply keyboard markup JSON object")
	}
	if _, ok := probe["inline_keyboard"]; !ok {
		if len(probe) == 0 {
			return nil, nil, nil
		}
		return nil, json.RawMessage(raw), nil
	}
	var mk InlineKeyboardMarkup
	if err := json.Unmarshal([]byte(raw), &mk); err != nil {
		return nil, nil, badRequest("can't parse inline keyboard button: Field \"inline_keyboard\" must be of type Array")
	}
	if err := validateInlineKeyboard(mk); err != nil {
		return nil, nil, err
	}
	if len(mk.InlineKeyboard) == 0 {
		return nil, nil, nil // an empty keyboard means no keyboard
	}
	return &mk, nil, nil
}

func validateInlineKeyboard(mk InlineKeyboardMarkup) *APIError {
	for _, row := range mk.InlineKeyboard {
		for _, b := range row {
			if b.Text == "" {
				return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			if !b.hasAction() {
				return badRequest("can't parse inline keyboard button: Text buttons are unallowed in the inline keyboard")
			}
			if b.CallbackData != "" && len(b.CallbackData) > 64 {
				return badRequest("BUTTON_DATA_INVALID")
			}
		}
	}
	return nil
}

func (b InlineKeyboardButton) hasAction() bool {
	return b.URL != "" || b.CallbackData != "" || len(b.WebApp) > 0 || len(b.LoginURL) > 0 ||
		b.SwitchInlineQuery != nil || b.SwitchInlineQueryCurrentChat != nil ||
		len(b.SwitchInlineQueryChosenChat) > 0 || len(b.CopyText) > 0 || len(b.CallbackGame) > 0 || b.Pay
}

func sameMarkup(a, b *InlineKeyboardMarkup) bool {
	if a == nil || b == nil {
		return a == b
	}
	return reflect.DeepEqual(a, b)
}

func sameEntities(a, b []MessageEntity) bool {
	if len(a) == 0 && len(b) == 0 {
		return true
	}
	return reflect.DeepEqual(a, b)
}
