#!/usr/bin/env bash
# Removes what up.sh created: by default the whole minikube profile; with --keep-cluster only the
# Helm release (the cluster, its images and the MongoDB volume stay).
#
# Usage: minikube/down.sh [--dry-run] [--keep-cluster] [--profile NAME] [--namespace NS] [--release NAME]
set -euo pipefail
# shellcheck source=minikube/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

KEEP_CLUSTER=0
while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --keep-cluster) KEEP_CLUSTER=1 ;;
    --profile) PROFILE="${2:?--profile needs a value}"; shift ;;
    --namespace) NAMESPACE="${2:?--namespace needs a value}"; shift ;;
    --release) RELEASE="${2:?--release needs a value}"; shift ;;
    -h | --help) usage "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die_usage "unknown option: $1" ;;
  esac
  shift
done

need minikube "install minikube: https://minikube.sigs.k8s.io/docs/start/"
if [[ "${KEEP_CLUSTER}" -eq 1 ]]; then
  find_helm
  run "${HELM}" uninstall "${RELEASE}" --kube-context "${PROFILE}" --namespace "${NAMESPACE}" --wait
else
  run minikube delete --profile "${PROFILE}"
fi
