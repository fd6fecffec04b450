# syntax=docker/dockerfile:1
# Build: the SQLite driver needs cgo, so build on Debian and run on a slim Debian.
# cmd/agentgate's tests run this file's go build line and test the binary it makes.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/agentgate ./cmd/agentgate

# Run: the binary, CA certificates (SMTP, chat and webhooks over TLS) and time zones, as a
# numeric non-root user (so Kubernetes' runAsNonRoot can check it); data in /data.
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && groupadd --system --gid 10001 agentgate \
    && useradd --system --uid 10001 --gid 10001 --home-dir /data --shell /usr/sbin/nologin agentgate \
    && mkdir -p /data && chown 10001:10001 /data
COPY --from=build /out/agentgate /usr/local/bin/agentgate
USER 10001:10001
WORKDIR /data
ENV PORT=3000 DATABASE_URL=/data/agentgate.db LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 3000
# No curl in the slim image: the binary GETs its own /ready.
HEALTHCHECK --interval=30s --timeout=5s --start-period=15s --retries=3 CMD ["agentgate", "healthcheck"]
ENTRYPOINT ["agentgate"]
CMD ["serve"]
