# essnap container image: built here, pushed to your registry, named REGISTRY/essnap:VERSION
# (README, Install). From the source tree:
#
#   docker build -t REGISTRY/essnap:0.1.0 --build-arg ESSNAP_GIT_COMMIT=$(git rev-parse --short=12 HEAD) .
#   (or: make image REGISTRY=registry.example.com/team)
#
# Stage 1 builds the .deb on Debian with only the build dependencies (scripts/install-deps.sh
# package); stage 2 is Debian slim with that .deb installed through apt, which pulls exactly the
# libraries it declares (Depends: computed by dpkg-shlibdeps). Both stages use the same release,
# so the sonames the binary was linked against are the ones installed.
ARG DEBIAN_RELEASE=bookworm

FROM debian:${DEBIAN_RELEASE} AS build
WORKDIR /src
COPY scripts/install-deps.sh scripts/install-deps.sh
RUN scripts/install-deps.sh package && rm -rf /var/lib/apt/lists/*
COPY . .
# The image is built without .git (.dockerignore): the commit for `essnap --version` is passed in.
ARG ESSNAP_GIT_COMMIT=unknown
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo \
      -DESSNAP_BUILD_TESTS=OFF -DESSNAP_BUILD_BENCH=OFF -DESSNAP_GIT_COMMIT="${ESSNAP_GIT_COMMIT}" \
 && cmake --build /build \
 && cd /build && cpack -G DEB \
 && mkdir /out && cp essnap_*.deb essnap.debug /out/

FROM debian:${DEBIAN_RELEASE}-slim
COPY --from=build /out/essnap_*.deb /tmp/
# ca-certificates: TLS to clusters and S3 (the package recommends it; slim installs no recommends).
RUN apt-get update \
 && DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends /tmp/essnap_*.deb ca-certificates \
 && rm -rf /var/lib/apt/lists/* /tmp/essnap_*.deb \
 && essnap --version
# An unprivileged user (no home, no shell); the config is mounted at /etc/essnap (deploy/kubernetes).
RUN useradd --system --no-create-home --shell /usr/sbin/nologin --uid 10001 essnap
USER 10001
ENTRYPOINT ["/usr/bin/essnap"]
CMD ["--help"]
