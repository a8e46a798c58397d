#!/usr/bin/env bash
# Runs the laas scaling experiment against the minikube cluster that up.sh started; every other
# argument is passed on to the experiment command (npm run experiment -- --help lists them).
# The experiment sets the images replica count itself (1, 2, 3, 5 replicas), so the images
# LatencyAutoscaler is turned off first (a helm upgrade; minikube/up.sh turns it back on).
#
# Usage: minikube/experiment.sh [--dry-run] [--keep-autoscaler] [--profile NAME]
#                               [--namespace NS] [--release NAME] [EXPERIMENT ARGS...]
set -euo pipefail
# shellcheck source=minikube/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP_AUTOSCALER=0
args=()
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --keep-autoscaler) KEEP_AUTOSCALER=1 ;;
    --profile) PROFILE="${2:?--profile needs a value}"; shift ;;
    --namespace) NAMESPACE="${2:?--namespace needs a value}"; shift ;;
    --release) RELEASE="${2:?--release needs a value}"; shift ;;
    -h | --help) usage "${BASH_SOURCE[0]}"; exit 0 ;;
    *) args+=("$1") ;;
  esac
  shift
done

need npm "install Node.js 20+ (it ships npm)"
need minikube "install minikube and run minikube/up.sh first"
cd "${LAAS_ROOT}"
if [[ "${DRY_RUN}" -eq 0 ]] && ! minikube status --profile "${PROFILE}" >/dev/null 2>&1; then
  echo "error: minikube profile '${PROFILE}' is not running: start it with minikube/up.sh" >&2
  exit 1
fi

prefix="${RELEASE}"
[[ "${RELEASE}" == *laas* ]] || prefix="${RELEASE}-laas"
if [[ "${KEEP_AUTOSCALER}" -eq 0 ]]; then
  find_helm
  run "${HELM}" upgrade "${RELEASE}" charts/laas --kube-context "${PROFILE}" --namespace "${NAMESPACE}" \
    --reuse-values --set images.autoscaling.enabled=false --wait --timeout 5m
fi
# The same path as `--target cluster` (the lab cluster's README section): only the context differs.
run npm run experiment -- --target minikube --context "${PROFILE}" --namespace "${NAMESPACE}" \
  --deployment "${prefix}-images" --service-url "http://${prefix}-images:4000" "${args[@]}"
