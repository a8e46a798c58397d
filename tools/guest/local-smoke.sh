#!/bin/sh
# Run inside the guest (tools/guest/run.sh [--user] -- sh tools/guest/local-smoke.sh): the local
# system with 2 images replicas limited to 500m (250m replicas start too slowly emulated); fetches 3 llamas through nginx and prints each
# replica's cgroup and its cpu.max, then stops it with Ctrl-C (SIGINT) as a user would.
out=/tmp/local.log
node lab/local/dist/main.js --services images --replicas 2 --cpu 500m --no-prometheus > "$out" 2>&1 &
pid=$!
i=0
until grep -q 'Ctrl-C stops everything' "$out"; do
  i=$((i + 1))
  if [ "$i" -gt 600 ] || ! kill -0 "$pid" 2>/dev/null; then cat "$out"; echo "local-smoke: not ready"; exit 1; fi
  sleep 1
done
cat "$out"
url=$(sed -n 's/.*ready: \(http:[^ ]*\).*/\1/p' "$out" | head -1)
url=${url%%\?*}
status=$(curl -s -o /tmp/body -w '%{http_code}' "${url}?count=3")
echo "local-smoke: GET ${url}?count=3 -> $status $(head -c 120 /tmp/body)"
for replica in $(pgrep -f services/images/dist/main.js); do
  path=$(sed -n 's/^0:://p' "/proc/$replica/cgroup")
  echo "local-smoke: replica $replica in $path, cpu.max $(cat "/sys/fs/cgroup$path/cpu.max"), memory.max $(cat "/sys/fs/cgroup$path/memory.max")"
done
kill -INT "$pid"
wait "$pid"
code=$?
echo "local-smoke: npm run local exited with $code"
[ "$status" = 200 ] && [ "$code" = 0 ]
