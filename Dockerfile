# syntax=docker/dockerfile:1
# Build: the SQLite driver needs cgo, so build on Debian and run on a slim Debian.
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
ARG VERSION=dev
RUN CGO_ENABLED=1 go build -trimpath -ldflags "-s -w -X main.version=${VERSION}" -o /out/agentgate ./cmd/agentgate

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin agentgate \
    && mkdir -p /data && chown agentgate /data
COPY --from=build /out/agentgate /usr/local/bin/agentgate
USER agentgate
WORKDIR /data
ENV PORT=3000 DATABASE_URL=/data/agentgate.db LOG_FORMAT=json
VOLUME ["/data"]
EXPOSE 3000
ENTRYPOINT ["agentgate"]
CMD ["serve"]
