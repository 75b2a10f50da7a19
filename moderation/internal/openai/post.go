// Package openai makes the one kind of call the moderation and vision clients
// share: a JSON POST to an OpenAI-compatible endpoint with a bearer key.
package openai

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
)

// maxResponse bounds what is read of an answer.
const maxResponse = 1 << 20

// Response is an answer: its status, headers and (bounded) body.
type Response struct {
	Status int
	Header http.Header
	Body   []byte
}

// PostJSON sends payload as JSON to url with the key (if any) and reads the
// answer whatever its status; errors are for requests that got no answer.
func PostJSON(ctx context.Context, client *http.Client, url, key string, payload any) (Response, error) {
	body, err := json.Marshal(payload)
	if err != nil {
		return Response{}, fmt.Errorf("encode request: %w", err)
	}
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return Response{}, fmt.Errorf("build request: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	if key != "" {
		req.Header.Set("Authorization", "Bearer "+key)
	}
	resp, err := client.Do(req)
	if err != nil {
		return Response{}, fmt.Errorf("call: %w", err)
	}
	defer resp.Body.Close()
	raw, err := io.ReadAll(io.LimitReader(resp.Body, maxResponse))
	if err != nil {
		return Response{}, fmt.Errorf("read response: %w", err)
	}
	return Response{Status: resp.StatusCode, Header: resp.Header, Body: raw}, nil
}
