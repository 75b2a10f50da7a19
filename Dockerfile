# syntax=docker/dockerfile:1
# Build stage: cgo is needed for OCR (tesseract).
FROM golang:1.26-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends libtesseract-dev libleptonica-dev libturbojpeg0-dev \
    && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=1 go build -trimpath -ldflags="-s -w" -o /out/memebot .

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
HEALTHCHECK --interval=30s --timeout=3s CMD ["/bin/sh", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080"]
ENTRYPOINT ["memebot"]
CMD ["run"]
