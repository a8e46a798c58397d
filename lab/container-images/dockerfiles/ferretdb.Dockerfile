# The lab cluster's MongoDB stand-in: FerretDB v1 (MongoDB wire protocol, SQLite backend), the
# pinned static binary of tools/bin (tools/go/ferretdb), on the local Debian bookworm-slim base.
# The official mongo image cannot be pulled here and no mongod binary is reachable, so the lab
# values run the chart's MongoDB StatefulSet with this image (command/args overridden there).
# Data lives in /data/db, the chart's PVC mount; it listens on 27017 on every address; it runs
# as uid/gid 10001, the chart's mongodb.podSecurityContext (fsGroup 10001 owns the volume).
# Build context: a folder holding only the ferretdb binary (lab/container-images writes it).
ARG BASE_IMAGE=debian:bookworm-slim
FROM ${BASE_IMAGE}
COPY ferretdb /usr/bin/ferretdb
RUN groupadd --gid 10001 ferretdb \
 && useradd --uid 10001 --gid ferretdb --no-create-home --home-dir /data/db --shell /usr/sbin/nologin ferretdb \
 && mkdir -p /data/db \
 && chown 10001:10001 /data/db
USER 10001:10001
WORKDIR /data/db
EXPOSE 27017
ENTRYPOINT ["/usr/bin/ferretdb"]
CMD ["--listen-addr=:27017", "--data-dir=/data/db", "--log-level=info"]
