# The lab cluster's k6 image: the pinned k6 binary of tools/bin (a static Go build) on the local
# Debian bookworm-slim base, laid out like grafana/k6 (user k6 uid 12345, ENTRYPOINT k6). The
# chart's loadtest Job runs `sh /scripts/run.sh`, so the image needs a shell, which Debian has.
# Build context: a folder holding only the k6 binary (lab/container-images writes it).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
COPY k6 /usr/bin/k6
RUN groupadd --gid 12345 k6 \
 && useradd --uid 12345 --gid k6 --shell /bin/sh --create-home k6
USER 12345:12345
WORKDIR /home/k6
ENTRYPOINT ["k6"]
