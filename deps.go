//go:build tools

package main

import (
	_ "github.com/alicebob/miniredis/v2"
	_ "github.com/caarlos0/env/v11"
	_ "github.com/corona10/goimagehash"
	_ "github.com/disintegration/imaging"
	_ "github.com/go-redis/redis_rate/v10"
	_ "github.com/jackc/pgx/v5"
	_ "github.com/joho/godotenv"
	_ "github.com/otiai10/gosseract/v2"
	_ "github.com/pressly/goose/v3"
	_ "github.com/prometheus/client_golang/prometheus"
	_ "github.com/redis/go-redis/v9"
	_ "github.com/robfig/cron/v3"
	_ "golang.org/x/image/font/opentype"
	_ "golang.org/x/sync/errgroup"
	_ "gopkg.in/telebot.v3"
	_ "gorm.io/driver/postgres"
	_ "gorm.io/gorm"
)
