#!/usr/bin/env bash
# Runs every test: builds the TypeScript (some tests start the compiled services as processes,
# exactly as their containers do), then jest over all workspaces against the real servers of
# the test bed, then prints the closing line "N passed, N failed" that CI reads.
# Usage: npm test [-- <jest args>]   (e.g. npm test -- services/images)
set -euo pipefail
cd "$(dirname "$0")/.."

for tool in ferretdb kube-apiserver etcd k6 helm kubelet kube-controller-manager kube-scheduler kube-proxy coredns labtool kube-score prometheus metrics-server; do
  if [ ! -x "tools/bin/$tool" ]; then
    echo "test: tools/bin/$tool is missing; run 'npm run tools' first" >&2
    exit 2
  fi
done

echo "test: building (tsc -b)"
npx tsc -b

report=$(mktemp -t laas-jest-XXXXXX.json)
trap 'rm -f "$report"' EXIT
status=0
NODE_OPTIONS="${NODE_OPTIONS:-} --experimental-vm-modules" \
  npx jest --ci --maxWorkers=2 --json --outputFile="$report" "$@" || status=$?

node -e '
  const fs = require("node:fs");
  let r = {};
  try { r = JSON.parse(fs.readFileSync(process.argv[1], "utf8")); } catch {}
  const passed = r.numPassedTests ?? 0;
  // Suites that failed to run (syntax error, failing beforeAll) count as failures too.
  const failed = (r.numFailedTests ?? 0) + (r.numRuntimeErrorTestSuites ?? 0);
  const pending = (r.numPendingTests ?? 0) + (r.numTodoTests ?? 0);
  if (!r.numTotalTests) console.log("test: jest ran no test");
  console.log(`${passed} passed, ${failed} failed` + (pending ? `, ${pending} skipped` : ""));
' "$report"
exit "$status"
