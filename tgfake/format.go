package tgfake

import (
	"encoding/json"
	"html"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"unicode/utf16"
	"unicode/utf8"
)

// formatText applies parse_mode or explicit entities the way Telegram does
// for HTML; Markdown and MarkdownV2 text is kept verbatim (simplification).
func formatText(text, parseMode, entitiesJSON string) (string, []MessageEntity, *APIError) {
	if strings.TrimSpace(entitiesJSON) != "" {
		var ents []MessageEntity
		if err := json.Unmarshal([]byte(entitiesJSON), &ents); err != nil {
			return "", nil, badRequest("can't parse entities JSON object")
		}
		return text, ents, nil
	}
	switch strings.ToLower(parseMode) {
	case "":
		return text, nil, nil
	case "html":
		return parseHTML(text)
	case "markdown", "markdownv2":
		return text, nil, nil
	default:
		return "", nil, badRequest("unsupported parse_mode")
	}
}

func utf16Len(s string) int {
	n := 0
	for _, r := range s {
		n += utf16.RuneLen(r)
	}
	return n
}

var attrRE = regexp.MustCompile(`([a-zA-Z][\w-]*)(?:\s*=\s*(?:"([^"]*)"|'([^']*)'|([^\s"'>]+)))?`)

type openTag struct {
	name      string
	ent       MessageEntity
	skip      bool   // <code class="language-x"> inside <pre>: sets the pre's language
	language  string // for skip
	byteStart int
}

func parseHTML(s string) (string, []MessageEntity, *APIError) {
	var (
		out   strings.Builder
		u16   int
		ents  []MessageEntity
		stack []openTag
	)
	for i := 0; i < len(s); {
		switch s[i] {
		case '<':
			j := strings.IndexByte(s[i:], '>')
			if j < 0 {
				return "", nil, badRequest("can't parse entities: Unclosed start tag at byte offset %d", i)
			}
			tag := s[i+1 : i+j]
			if strings.HasPrefix(tag, "/") {
				name := strings.ToLower(strings.TrimSpace(tag[1:]))
				if len(stack) == 0 {
					return "", nil, badRequest("can't parse entities: Unexpected end tag at byte offset %d", i)
				}
				top := stack[len(stack)-1]
				if top.name != name {
					return "", nil, badRequest("can't parse entities: Unmatched end tag at byte offset %d, expected \"</%s>\", found \"</%s>\"", i, top.name, name)
				}
				stack = stack[:len(stack)-1]
				if top.skip {
					stack[len(stack)-1].ent.Language = top.language
				} else if top.ent.Length = u16 - top.ent.Offset; top.ent.Length > 0 {
					ents = append(ents, top.ent)
				}
			} else {
				t, err := startTag(tag, i, u16, stack)
				if err != nil {
					return "", nil, err
				}
				stack = append(stack, t)
			}
			i += j + 1
		case '&':
			if j := strings.IndexByte(s[i:], ';'); j > 1 && j < 12 {
				if r := html.UnescapeString(s[i : i+j+1]); r != s[i:i+j+1] {
					out.WriteString(r)
					u16 += utf16Len(r)
					i += j + 1
					continue
				}
			}
			out.WriteByte('&')
			u16++
			i++
		default:
			r, size := utf8.DecodeRuneInString(s[i:])
			out.WriteString(s[i : i+size])
			u16 += utf16.RuneLen(r)
			i += size
		}
	}
	if len(stack) > 0 {
		return "", nil, badRequest("can't parse entities: Can't find end tag corresponding to start tag \"%s\"", stack[len(stack)-1].name)
	}
	sort.SliceStable(ents, func(a, b int) bool { return ents[a].Offset < ents[b].Offset })
	return out.String(), ents, nil
}

func startTag(tag string, byteOffset, u16 int, stack []openTag) (openTag, *APIError) {
	name, rest, _ := strings.Cut(strings.TrimSpace(tag), " ")
	name = strings.ToLower(name)
	attrs := map[string]string{}
	for _, m := range attrRE.FindAllStringSubmatch(rest, -1) {
		attrs[strings.ToLower(m[1])] = m[2] + m[3] + m[4]
	}
	t := openTag{name: name, byteStart: byteOffset, ent: MessageEntity{Offset: u16}}
	switch name {
	case "b", "strong":
		t.ent.Type = "bold"
	case "i", "em":
		t.ent.Type = "italic"
	case "u", "ins":
		t.ent.Type = "underline"
	case "s", "strike", "del":
		t.ent.Type = "strikethrough"
	case "tg-spoiler":
		t.ent.Type = "spoiler"
	case "span":
		if attrs["class"] != "tg-spoiler" {
			return t, badRequest("can't parse entities: Tag \"span\" must have class \"tg-spoiler\" at byte offset %d", byteOffset)
		}
		t.ent.Type = "spoiler"
	case "a":
		href := attrs["href"]
		if id, ok := strings.CutPrefix(href, "tg://user?id="); ok {
			uid, _ := strconv.ParseInt(id, 10, 64)
			t.ent.Type, t.ent.User = "text_mention", &User{ID: uid}
		} else {
			t.ent.Type, t.ent.URL = "text_link", href
		}
	case "code":
		if lang, ok := strings.CutPrefix(attrs["class"], "language-"); ok && len(stack) > 0 && stack[len(stack)-1].name == "pre" {
			t.skip, t.language = true, lang
		}
		t.ent.Type = "code"
	case "pre":
		t.ent.Type = "pre"
	case "blockquote":
		t.ent.Type = "blockquote"
		if _, ok := attrs["expandable"]; ok {
			t.ent.Type = "expandable_blockquote"
		}
	case "tg-emoji":
		t.ent.Type, t.ent.EmojiID = "custom_emoji", attrs["emoji-id"]
	default:
		return t, badRequest("can't parse entities: Unsupported start tag \"%s\" at byte offset %d", name, byteOffset)
	}
	return t, nil
}
