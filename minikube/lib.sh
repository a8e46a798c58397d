#!/usr/bin/env bash
# Helpers shared by up.sh, experiment.sh and down.sh (sourced, never run).
# shellcheck disable=SC2034 # variables are read by the scripts that source this file

LAAS_ROOT="$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)"
DRY_RUN=0
PROFILE="${LAAS_MINIKUBE_PROFILE:-laas}"
NAMESPACE="${LAAS_NAMESPACE:-laas}"
RELEASE="${LAAS_RELEASE:-laas}"

# Prints the command, shell-quoted, prefixed with "+ "; runs it unless --dry-run was given.
run() {
  local quoted
  printf -v quoted '%q ' "$@"
  echo "+ ${quoted% }"
  if [[ "${DRY_RUN}" -eq 0 ]]; then
    "$@"
  fi
}

# Fails with a clear message when a required program is missing (only notes it under --dry-run,
# so the plan can be printed on any machine).
need() {
  local program="$1" hint="$2"
  if ! command -v "${program}" >/dev/null 2>&1; then
    if [[ "${DRY_RUN}" -eq 1 ]]; then
      echo "# note: ${program} is not installed (${hint})"
    else
      echo "error: ${program} is required but not installed: ${hint}" >&2
      exit 1
    fi
  fi
}

# helm from the repo's pinned tools when built (npm run tools), else from PATH.
find_helm() {
  if [[ -x "${LAAS_ROOT}/tools/bin/helm" ]]; then
    HELM="${LAAS_ROOT}/tools/bin/helm"
  else
    HELM="helm"
    need helm "install helm v3 (https://helm.sh/docs/intro/install/) or run 'npm run tools'"
  fi
}

die_usage() {
  echo "error: $1" >&2
  echo "run with --help for usage" >&2
  exit 2
}

# Prints the comment block at the top of the calling script (its usage).
usage() {
  awk 'NR > 1 && /^#/ { sub(/^# ?/, ""); print; next } NR > 1 { exit }' "$1"
}
