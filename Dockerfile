# syntax=docker/dockerfile:1
# Build: a static binary (pure-Go SQLite, no cgo).
FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/fazhi ./cmd/fazhi \
 && install -d -o 65532 -g 65532 /out/data

# Run: no shell, no curl; the binary checks its own health.
FROM gcr.io/distroless/static-debian12:nonroot
COPY --from=build /out/fazhi /usr/local/bin/fazhi
COPY --from=build --chown=65532:65532 /out/data /data
ENV FAZHI_ADDR=:8080 \
    FAZHI_DATA_DIR=/data \
    FAZHI_ENV=production
USER 65532:65532
VOLUME ["/data"]
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=20s --retries=3 \
  CMD ["/usr/local/bin/fazhi", "healthcheck"]
ENTRYPOINT ["/usr/local/bin/fazhi"]
CMD ["serve"]
