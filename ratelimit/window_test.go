package ratelimit_test

import (
	"context"
	"testing"
	"time"

	"memebot/kv/kvtest"
	"memebot/ratelimit"
)

func TestWindowAllowsLimitThenRefusesWithRetryTime(t *testing.T) {
	w := ratelimit.NewWindow(kvtest.NewRedis(t), "uploads", 3, time.Hour)
	ctx := context.Background()
	var grants []ratelimit.Grant
	for i := range 3 {
		g, ok, _, err := w.Take(ctx, "u1")
		if err != nil || !ok {
			t.Fatalf("take %d: ok=%v err=%v", i, ok, err)
		}
		grants = append(grants, g)
	}
	_, ok, retryIn, err := w.Take(ctx, "u1")
	if err != nil || ok {
		t.Fatalf("4th take allowed=%v err=%v", ok, err)
	}
	if retryIn <= 59*time.Minute || retryIn > time.Hour {
		t.Fatalf("retry in %v, want just under an hour", retryIn)
	}
	if _, ok, _, _ := w.Take(ctx, "u2"); !ok {
		t.Fatal("another user is limited by u1's uploads")
	}
	if err := w.Release(ctx, grants[0]); err != nil {
		t.Fatal(err)
	}
	if _, ok, _, _ := w.Take(ctx, "u1"); !ok {
		t.Fatal("a released slot was not reusable")
	}
}

func TestWindowRolls(t *testing.T) {
	w := ratelimit.NewWindow(kvtest.NewRedis(t), "short", 1, 300*time.Millisecond)
	ctx := context.Background()
	if _, ok, _, _ := w.Take(ctx, "k"); !ok {
		t.Fatal("first take refused")
	}
	if _, ok, _, _ := w.Take(ctx, "k"); ok {
		t.Fatal("second take inside the window allowed")
	}
	time.Sleep(350 * time.Millisecond)
	if _, ok, _, _ := w.Take(ctx, "k"); !ok {
		t.Fatal("take after the window refused")
	}
}
