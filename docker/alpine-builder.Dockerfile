# Builds the musl (Alpine) profiler the standard way: rustup's musl target on
# Alpine, as a dynamically linked cdylib (-crt-static off), then checks it
# with build_targets/check-artifact (exports, SONAME, NEEDED = musl's libc only).
# x86_64 and aarch64 hosts (or buildx --platform) both work.
#
# From the repository root:
#   docker build -f docker/alpine-builder.Dockerfile -t newrelic-profiler-musl-builder .
#   docker build -f docker/alpine-builder.Dockerfile --target artifact -o out .   # writes out/libNewRelicProfiler.so
FROM rust:1-alpine AS build
RUN apk add --no-cache musl-dev gcc binutils bash
# With -crt-static off, Rust's std links its unwinder as -lgcc_s, which would
# add a libgcc_s.so.1 dependency. Point that name at GCC's static unwinder
# (what the original's -static-libgcc used), so the library needs musl only.
RUN mkdir -p /opt/static-unwind \
 && ln -s "$(gcc -print-file-name=libgcc_eh.a)" /opt/static-unwind/libgcc_s.a
WORKDIR /src
COPY Cargo.toml Cargo.lock build.rs ./
COPY .cargo/ .cargo/
COPY src/ src/
COPY benches/ benches/
COPY build_targets/ build_targets/
# RUSTFLAGS replaces .cargo/config.toml's per-target flags: repeat -crt-static.
ENV RUSTFLAGS="-C target-feature=-crt-static -L native=/opt/static-unwind"
RUN case "$(uname -m)" in \
      aarch64) target=aarch64-unknown-linux-musl; platform=linux-musl-arm64 ;; \
      *) target=x86_64-unknown-linux-musl; platform=linux-musl-x64 ;; \
    esac \
 && cargo build --locked --release --lib --target "$target" \
 && build_targets/check-artifact "$platform" "target/$target/release/libNewRelicProfiler.so" \
 && mkdir -p /out \
 && cp "target/$target/release/libNewRelicProfiler.so" /out/

FROM scratch AS artifact
COPY --from=build /out/libNewRelicProfiler.so /
