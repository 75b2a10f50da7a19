package tgfake

import (
	"fmt"
	"net/http"
	"strings"
)

// Fault is an error injected in place of a Bot API answer. The call is
// refused before it has any effect, as Telegram does for flood limits.
type Fault struct {
	// Code is the HTTP status and error_code: 400, 403, 429, 500, 502 ...
	Code int `json:"code"`
	// Description overrides Telegram's wording for Code.
	Description string `json:"description,omitempty"`
	// RetryAfter (seconds) goes to parameters.retry_after of a 429.
	RetryAfter int `json:"retry_after,omitempty"`
}

type faultRule struct {
	method string // lower-case; "" matches any
	left   int
	fault  Fault
}

// Fail makes the next n calls of method (case-insensitive; "" = any method)
// fail with f. Rules are consumed in the order they were added.
func (s *Server) Fail(method string, n int, f Fault) {
	if n <= 0 {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = append(s.faults, faultRule{method: strings.ToLower(method), left: n, fault: f})
}

// ClearFaults drops every pending injected fault.
func (s *Server) ClearFaults() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.faults = nil
}

func (s *Server) takeFault(method string) (*APIError, bool) {
	s.mu.Lock()
	defer s.mu.Unlock()
	lower := strings.ToLower(method)
	for i := range s.faults {
		r := &s.faults[i]
		if r.method != "" && r.method != lower {
			continue
		}
		r.left--
		f := r.fault
		if r.left <= 0 {
			s.faults = append(s.faults[:i], s.faults[i+1:]...)
		}
		return f.apiError(), true
	}
	return nil, false
}

func (f Fault) apiError() *APIError {
	e := &APIError{Code: f.Code, Description: f.Description, RetryAfter: f.RetryAfter}
	if e.Code == 0 {
		e.Code = http.StatusInternalServerError
	}
	if e.Description != "" {
		return e
	}
	switch e.Code {
	case http.StatusTooManyRequests:
		if e.RetryAfter <= 0 {
			e.RetryAfter = 1
		}
		e.Description = fmt.Sprintf("Too Many Requests: retry after %d", e.RetryAfter)
	case http.StatusBadRequest:
		e.Description = "Bad Request"
	case http.StatusForbidden:
		e.Description = "Forbidden"
	case http.StatusInternalServerError:
		e.Description = "Internal Server Error"
	default:
		e.Description = http.StatusText(e.Code)
	}
	return e
}

// gatewayPage is what Telegram's nginx front answers on 502/504: HTML, not JSON.
const gatewayPage = "<html>\r\n<head><title>%[1]d %[2]s</title></head>\r\n<body>\r\n<center><h1>%[1]d %[2]s</h1></center>\r\n<hr><center>nginx</center>\r\n</body>\r\n</html>\r\n"

// writeFault writes an API error; 502 and 504 without a custom description
// come back as nginx HTML pages like Telegram's front end sends them.
func (s *Server) writeFault(w http.ResponseWriter, e *APIError) {
	if (e.Code == http.StatusBadGateway || e.Code == http.StatusGatewayTimeout) && e.Description == http.StatusText(e.Code) {
		w.Header().Set("Content-Type", "text/html")
		w.WriteHeader(e.Code)
		fmt.Fprintf(w, gatewayPage, e.Code, http.StatusText(e.Code))
		return
	}
	writeAPIError(w, e)
}
