// Package handles passes a Store's database handles to storagetest and to
// nothing else: the program reaches the database through Store's methods,
// while tests may look at and set up rows directly. Go's internal rule keeps
// this package to storage and its subpackages.
package handles

import (
	"github.com/jackc/pgx/v5/pgxpool"
	"gorm.io/gorm"
)

// Set by package storage when it loads; store is a *storage.Store.
var (
	Gorm func(store any) *gorm.DB
	Pool func(store any) *pgxpool.Pool
	// EncodeVector and DecodeVector are how a factor vector is stored.
	EncodeVector func([]float32) []byte
	DecodeVector func([]byte) []float32
)
