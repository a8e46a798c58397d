#!/usr/bin/env bash
# Starts a minikube cluster with the ingress and metrics-server addons, builds the laas images
# inside it, installs the Helm chart and waits until every workload is rolled out.
#
# Usage: minikube/up.sh [--dry-run] [--profile NAME] [--cpus N] [--memory SIZE]
#                       [--namespace NS] [--release NAME] [--host HOST] [--cni NAME] [--skip-build]
#   --dry-run     print every command without running any
#   --skip-build  reuse the images already in the cluster (after a first up.sh)
#   --cni calico  a CNI that enforces the chart's NetworkPolicies (the default one ignores them)
set -euo pipefail
# shellcheck source=minikube/lib.sh
source "$(dirname "${BASH_SOURCE[0]}")/lib.sh"

CPUS=4
MEMORY=8g
HOST=laas.local
BUILD=1
CNI=""
TAG=dev
COMPONENTS=(images auth gateway autoscaler)

while [[ $# -gt 0 ]]; do
  case "$1" in
    --dry-run) DRY_RUN=1 ;;
    --profile) PROFILE="${2:?--profile needs a value}"; shift ;;
    --cpus) CPUS="${2:?--cpus needs a value}"; shift ;;
    --memory) MEMORY="${2:?--memory needs a value}"; shift ;;
    --namespace) NAMESPACE="${2:?--namespace needs a value}"; shift ;;
    --release) RELEASE="${2:?--release needs a value}"; shift ;;
    --host) HOST="${2:?--host needs a value}"; shift ;;
    --cni) CNI="${2:?--cni needs a value}"; shift ;;
    --skip-build) BUILD=0 ;;
    -h | --help) usage "${BASH_SOURCE[0]}"; exit 0 ;;
    *) die_usage "unknown option: $1" ;;
  esac
  shift
done

need minikube "install minikube: https://minikube.sigs.k8s.io/docs/start/"
need kubectl "install kubectl: https://kubernetes.io/docs/tasks/tools/"
find_helm
cd "${LAAS_ROOT}"

echo "# 1. cluster: ${CPUS} CPUs, ${MEMORY} memory (images pods are limited to 250m each)"
start=(minikube start --profile "${PROFILE}" --cpus "${CPUS}" --memory "${MEMORY}" --kubernetes-version v1.32.0)
[[ -n "${CNI}" ]] && start+=(--cni "${CNI}")
run "${start[@]}"
run minikube addons enable ingress --profile "${PROFILE}"
run minikube addons enable metrics-server --profile "${PROFILE}"

if [[ "${BUILD}" -eq 1 ]]; then
  echo "# 2. images, built by the cluster's own container runtime (nothing to push or load)"
  for component in "${COMPONENTS[@]}"; do
    dockerfile="services/${component}/Dockerfile"
    [[ "${component}" == autoscaler ]] && dockerfile="autoscaler/Dockerfile"
    run minikube image build --profile "${PROFILE}" -t "laas/${component}:${TAG}" -f "${dockerfile}" .
  done
fi

echo "# 3. chart (values for locally built images: minikube/values.yaml)"
run "${HELM}" upgrade --install "${RELEASE}" charts/laas \
  --kube-context "${PROFILE}" --namespace "${NAMESPACE}" --create-namespace \
  --values minikube/values.yaml --set "ingress.host=${HOST}"

echo "# 4. wait for the rollout"
prefix="${RELEASE}"
[[ "${RELEASE}" == *laas* ]] || prefix="${RELEASE}-laas"
for deployment in gateway images auth prometheus autoscaler; do
  run kubectl --context "${PROFILE}" --namespace "${NAMESPACE}" rollout status "deployment/${prefix}-${deployment}" --timeout=300s
done
run kubectl --context "${PROFILE}" --namespace "${NAMESPACE}" rollout status "statefulset/${prefix}-mongodb" --timeout=300s

if [[ "${DRY_RUN}" -eq 1 ]]; then
  ip="<minikube ip>"
else
  ip="$(minikube ip --profile "${PROFILE}")"
fi
cat <<MSG

laas is up.
  Through the ingress:  curl -H 'Host: ${HOST}' "http://${ip}/random?count=5"
                        (or add "${ip} ${HOST}" to /etc/hosts and open http://${HOST}/)
  Port-forward:         kubectl --context ${PROFILE} -n ${NAMESPACE} port-forward service/${prefix}-gateway 4002:4002
                        curl "http://127.0.0.1:4002/random?count=5"
  Experiment:           minikube/experiment.sh
  Tear down:            minikube/down.sh
MSG
