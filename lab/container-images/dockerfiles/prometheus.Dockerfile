# The lab cluster's Prometheus image: tools/bin/prometheus, Prometheus 2.55.1 built from the Go
# module by tools/install.sh (tools/go/prometheus) -- the version of the chart's default image
# prom/prometheus:v2.55.1, which cannot be pulled here -- with Kubernetes service discovery (the
# chart's scrape config needs kubernetes_sd_configs; Debian's 2.42 lacks it). Static (CGO off,
# netgo). No web UI: built without the builtinassets tag, so only the HTTP API answers.
# Laid out like prom/prometheus: /bin/prometheus, user nobody (65534), data in /prometheus.
# Build context: a folder holding only the prometheus binary (lab/container-images copies it).
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
