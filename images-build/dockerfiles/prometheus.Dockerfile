# The lab cluster's Prometheus image: the prometheus binary of this machine's Debian package
# (2.42 in bookworm; the chart's default image is prom/prometheus:v2.55.1, which cannot be pulled
# here) on the local Debian bookworm-slim base, whose glibc is the one it was built against.
# Laid out like prom/prometheus: /bin/prometheus, user nobody (65534), data in /prometheus.
# Build context: a folder holding only the prometheus binary (images-build copies it).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
COPY prometheus /bin/prometheus
RUN mkdir -p /prometheus /etc/prometheus \
 && chown 65534:65534 /prometheus
USER 65534:65534
WORKDIR /prometheus
EXPOSE 9090
ENTRYPOINT ["/bin/prometheus"]
CMD ["--config.file=/etc/prometheus/prometheus.yml", "--storage.tsdb.path=/prometheus"]
