# syntax=docker/dockerfile:1
# Build: a static binary (pure-Go SQLite, no cgo).
# .dockerignore keeps the history, local data and Node.js packages out of the
# build context.
FROM golang:1.26-bookworm AS build
ARG VERSION=dev
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w -X main.version=${VERSION}" -o /out/fazhi ./cmd/fazhi \
 && install -d -o 65532 -g 65532 /out/data

# Run: no shell, no curl; the binary checks its own health.
FROM gcr.io/distroless/static-debian12:nonroot
ARG VERSION=dev
ARG REVISION=unknown
LABEL org.opencontainers.image.title="fazhi" \
      org.opencontainers.image.description="The API of a city's rule-of-law government programme (法治政府建设)" \
      org.opencontainers.image.version="${VERSION}" \
      org.opencontainers.image.revision="${REVISION}" \
      org.opencontainers.image.source="https://github.com/fazhi/fazhi" \
      org.opencontainers.image.licenses="LicenseRef-Proprietary"
COPY --from=build /out/fazhi /usr/local/bin/fazhi
COPY --from=build --chown=65532:65532 /out/data /data
ENV FAZHI_ADDR=:8080 \
    FAZHI_DATA_DIR=/data \
    FAZHI_ENV=production
USER 65532:65532
VOLUME ["/data"]
# 8080: the API, Swagger UI, /healthz and /readyz. 9090: /metrics, apart from
# the public port (FAZHI_METRICS_ADDR); publish it to the monitoring network only.
ENV FAZHI_METRICS_ADDR=:9090
EXPOSE 8080 9090
# The container is healthy when it is ready to serve: the database answers
# and its migrations are current (/readyz). An orchestrator restarts on
# liveness (`fazhi healthcheck --live`, /healthz) and routes on readiness.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/usr/local/bin/fazhi", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/fazhi"]
CMD ["serve"]
