# timelined container image: Debian 12 build stage, slim runtime with only the shared
# libraries the binary links (deploy/README.md). Build from the repository root:
#   docker build -t timelined:0.1.0 .
# Runs as uid 10001, works with a read-only root filesystem; the SQLite store lives on the
# volume /var/lib/timelined and the config at /etc/timelined/timelined.toml
# (deploy/container/timelined.toml: tokens from /run/secrets/timelined/*).

FROM debian:bookworm AS build
ARG DEBIAN_FRONTEND=noninteractive
WORKDIR /src
# Dependencies first, so the layer is reused while only the sources change.
COPY scripts/deps scripts/deps
RUN scripts/deps && rm -rf /var/lib/apt/lists/*
COPY . .
RUN cmake -S . -B /build -DCMAKE_BUILD_TYPE=Release -DCMAKE_INSTALL_PREFIX=/usr \
      -DTIMELINED_TESTS=OFF -DTIMELINED_BENCH=OFF \
 && cmake --build /build --target timelined -j"$(nproc)" \
 && DESTDIR=/staging cmake --install /build --strip \
 && /staging/usr/bin/timelined --version

FROM debian:bookworm-slim AS runtime
ARG DEBIAN_FRONTEND=noninteractive
# Exactly the libraries in the binary's NEEDED entries (readelf -d), plus CA certificates
# for the outbound HTTPS clients (PagerDuty, Slack, the Kubernetes API server).
# scripts/check-deploy checks this list against the binary.
RUN apt-get update \
 && apt-get install -y --no-install-recommends \
      ca-certificates \
      libfmt9 \
      librdkafka1 \
      libre2-9 \
      libsnappy1v5 \
      libspdlog1.10 \
      libsqlite3-0 \
      libssl3 \
      libtomlplusplus3 \
      zlib1g \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 timelined \
 && useradd --system --uid 10001 --gid 10001 --home-dir /var/lib/timelined --no-create-home \
      --shell /usr/sbin/nologin timelined \
 && install -d -o 10001 -g 10001 -m 0750 /var/lib/timelined
COPY --from=build /staging/usr/bin/timelined /usr/bin/timelined
COPY --from=build /staging/usr/share/doc/timelined /usr/share/doc/timelined
COPY deploy/container/timelined.toml /etc/timelined/timelined.toml
USER 10001:10001
WORKDIR /var/lib/timelined
VOLUME ["/var/lib/timelined"]
EXPOSE 8080
# For plain `docker run`; Kubernetes ignores it and uses the probes in deploy/kubernetes.
# bash's /dev/tcp: no HTTP client in the image.
HEALTHCHECK --interval=30s --timeout=5s --start-period=30s --retries=3 \
  CMD ["/bin/bash", "-c", "exec 3<>/dev/tcp/127.0.0.1/8080 && printf 'GET /healthz HTTP/1.1\\r\\nHost: localhost\\r\\nConnection: close\\r\\n\\r\\n' >&3 && head -n1 <&3 | grep -q ' 200 '"]
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/bin/timelined"]
CMD ["serve", "--config", "/etc/timelined/timelined.toml"]
