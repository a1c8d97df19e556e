# My Community: a container image (see README, "Deploying"). Two stages: the first builds
# with the project's own Makefile (cargo, wasm-bindgen, wasm-opt and esbuild from npm, as
# on a developer's machine); the second holds only the server, its hash file and the site.
#   docker build -t mycommunity .
#   docker run -p 3000:3000 -v mc-data:/data mycommunity

FROM rust:1.95-bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends nodejs npm && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
ENV CARGO_TARGET_DIR=/src/target
RUN make build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends ca-certificates tzdata \
    && rm -rf /var/lib/apt/lists/* \
    && useradd --system --uid 10001 --home-dir /data --shell /usr/sbin/nologin mycommunity \
    && mkdir -p /data && chown mycommunity /data
# Leptos reads hash.txt beside the binary to name the hashed browser files.
COPY --from=build /src/target/release/server /app/server
COPY --from=build /src/target/release/hash.txt /app/hash.txt
COPY --from=build /src/target/site /app/site
ENV LEPTOS_SITE_ROOT=/app/site \
    LEPTOS_SITE_ADDR=0.0.0.0:3000 \
    DATABASE_URL=sqlite:///data/mycommunity.db \
    LOG_FORMAT=json
USER mycommunity
WORKDIR /data
VOLUME /data
EXPOSE 3000
# SIGTERM drains (live streams end, in-flight requests finish, 10 s at most).
STOPSIGNAL SIGTERM
ENTRYPOINT ["/app/server"]
CMD ["serve"]
