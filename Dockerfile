# Multi-stage build: compile in the Rust image, run in a slim Debian.
# libpq is built from source (pq-sys `bundled`), so no libpq-dev is needed.
FROM rust:1-bookworm AS build
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs diesel.toml ./
COPY src ./src
COPY migrations ./migrations
RUN cargo build --release --locked --bin runstrong

FROM debian:bookworm-slim
RUN apt-get update \
    && apt-get install -y --no-install-recommends ca-certificates curl \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 runstrong
COPY --from=build /src/target/release/runstrong /usr/local/bin/runstrong
USER runstrong
ENV RUNSTRONG_ADDR=0.0.0.0:8080
EXPOSE 8080
STOPSIGNAL SIGTERM
ENTRYPOINT ["/usr/local/bin/runstrong"]
