# The lab cluster's pod sandbox image: one static binary (tools/go/pause) and nothing else.
# Build context: a folder holding only the pause binary (lab/container-images builds it with Go).
FROM scratch
COPY pause /pause
USER 65535:65535
ENTRYPOINT ["/pause"]
