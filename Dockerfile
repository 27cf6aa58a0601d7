# syntax=docker/dockerfile:1
# Build: docker build -t tributary .
# Run:   docker run -p 8080:8080 -v tributary-data:/var/lib/tributary tributary

FROM golang:1.26-bookworm AS build
WORKDIR /src
COPY go.mod go.sum ./
RUN go mod download
COPY . .
RUN CGO_ENABLED=0 go build -trimpath -ldflags="-s -w" -o /out/tributary ./cmd/tributary
# Inside a container the server must listen on every interface, and the
# store lives on the volume.
RUN sed -e 's|listen: "127.0.0.1:8080"|listen: "0.0.0.0:8080"|' \
        -e 's|path: "data/tributary.db"|path: "/var/lib/tributary/tributary.db"|' \
        config.yaml > /out/config.yaml && \
    mkdir -p /out/data

# The run stage holds the static binary, the CA certificates it needs for
# HTTPS sources, the config and an empty data folder: nothing else.
FROM scratch
COPY --from=build /etc/ssl/certs/ca-certificates.crt /etc/ssl/certs/ca-certificates.crt
COPY --from=build /out/tributary /usr/local/bin/tributary
COPY --from=build /out/config.yaml /etc/tributary/config.yaml
COPY --from=build --chown=65532:65532 /out/data /var/lib/tributary
ENV TRIBUTARY_CONFIG=/etc/tributary/config.yaml
# An unprivileged user and group with no account in the image.
USER 65532:65532
WORKDIR /var/lib/tributary
VOLUME /var/lib/tributary
EXPOSE 8080
HEALTHCHECK --interval=30s --timeout=5s --start-period=10s CMD ["/usr/local/bin/tributary", "health"]
ENTRYPOINT ["/usr/local/bin/tributary"]
CMD ["serve"]
