package ingest

import (
	"strings"

	"golang.org/x/net/html"
)

// Small helpers over golang.org/x/net/html trees.

func attr(n *html.Node, key string) (string, bool) {
	for _, a := range n.Attr {
		if a.Key == key {
			return a.Val, true
		}
	}
	return "", false
}

func attrOr(n *html.Node, key string) string {
	v, _ := attr(n, key)
	return v
}

// hasClass tells whether n's class attribute holds the class name c.
func hasClass(n *html.Node, c string) bool {
	if n.Type != html.ElementNode {
		return false
	}
	for _, f := range strings.Fields(attrOr(n, "class")) {
		if f == c {
			return true
		}
	}
	return false
}

// walk visits n and its descendants depth-first; visit returns false to skip
// a node's children.
func walk(n *html.Node, visit func(*html.Node) bool) {
	if !visit(n) {
		return
	}
	for c := n.FirstChild; c != nil; c = c.NextSibling {
		walk(c, visit)
	}
}

// findFirst returns the first descendant (or n itself) that matches.
func findFirst(n *html.Node, match func(*html.Node) bool) *html.Node {
	var found *html.Node
	walk(n, func(x *html.Node) bool {
		if found != nil {
			return false
		}
		if match(x) {
			found = x
			return false
		}
		return true
	})
	return found
}

func byClass(c string) func(*html.Node) bool {
	return func(n *html.Node) bool { return hasClass(n, c) }
}

// text is the visible text under n, with <br> as a line break.
func text(n *html.Node) string {
	var b strings.Builder
	walk(n, func(x *html.Node) bool {
		switch {
		case x.Type == html.TextNode:
			b.WriteString(x.Data)
		case x.Type == html.ElementNode && x.Data == "br":
			b.WriteByte('\n')
		}
		return true
	})
	return strings.TrimSpace(b.String())
}

// backgroundImage reads the URL of background-image:url('...') in a style.
func backgroundImage(style string) string {
	i := strings.Index(style, "background-image")
	if i < 0 {
		return ""
	}
	rest := style[i:]
	j := strings.Index(rest, "url(")
	if j < 0 {
		return ""
	}
	rest = rest[j+len("url("):]
	k := strings.IndexByte(rest, ')')
	if k < 0 {
		return ""
	}
	return strings.Trim(strings.TrimSpace(rest[:k]), `'"`)
}
