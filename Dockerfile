# syntax=docker/dockerfile:1
# Build stage: cgo is needed for OCR (tesseract).
FROM golang:1.26-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libtesseract-dev libleptonica-dev libturbojpeg0-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
# .dockerignore keeps .env (secrets), .tmp/ (local databases) and .git out.
COPY . .
# -tags nosandbox: the fake Telegram Bot API (tgfake) and the sandbox page stay out of the image.
RUN CGO_ENABLED=1 go build -tags nosandbox -trimpath -ldflags="-s -w" -o /out/memebot .

# Runtime stage: the shared libraries, OCR language data and ffmpeg only.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
        libtesseract5 liblept5 libturbojpeg0 tesseract-ocr-eng tesseract-ocr-rus ffmpeg ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 memebot
COPY --from=build /out/memebot /usr/local/bin/memebot
USER memebot
ENV OMP_THREAD_LIMIT=1 HTTP_ADDR=0.0.0.0:8080
EXPOSE 8080
# Ready = /readyz answers 200 (PostgreSQL and Redis answer), asked by the binary
# itself: the slim image has no curl or wget, and its /bin/sh (dash) no /dev/tcp.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 CMD ["memebot", "healthcheck"]
ENTRYPOINT ["memebot"]
CMD ["run"]
