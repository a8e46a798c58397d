#!/usr/bin/env bash
# Installs the pinned external tools into tools/bin (git-ignored). Idempotent: a tool whose
# binary already reports the pinned version is skipped, so a warm run takes seconds.
#
#   npm run tools                 # = bash tools/install.sh
#   TOOLS_FORCE=1 npm run tools   # rebuild everything
#
# Go tools are built from the Go module proxy with the default module and build caches
# ($HOME/go/pkg/mod, $HOME/.cache/go-build), so a rebuild after a version bump is fast.
# Prometheus, nginx and shellcheck come from Debian packages. See tools/README.md.
set -Eeuo pipefail

TOOLS_DIR="$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)"
# LAAS_TOOLS_BIN overrides the install folder (e.g. to measure a cold build without touching tools/bin).
BIN="${LAAS_TOOLS_BIN:-$TOOLS_DIR/bin}"
CACHE="$TOOLS_DIR/.cache"
mkdir -p "$BIN" "$CACHE"

# shellcheck source-path=SCRIPTDIR source=versions.env
source "$TOOLS_DIR/versions.env"

# Build one package at a time with two compile jobs: the machine has two cores, and
# kube-apiserver alone needs several GiB of RAM to link.
export GOFLAGS="${GOFLAGS:-} -p=2 -buildvcs=false"
export GOBIN="$BIN"
export CGO_ENABLED=0

STARTED_AT=$SECONDS
CURRENT_TOOL=""
CURRENT_STEP=""

log() { printf '[tools] %s\n' "$*"; }

on_error() {
  local code=$?
  printf '[tools] FAILED: %s (step: %s), exit code %s\n' "${CURRENT_TOOL:-?}" "${CURRENT_STEP:-?}" "$code" >&2
  if [[ -n "${BUILD_LOG:-}" && -s "${BUILD_LOG:-}" ]]; then
    printf '[tools] last lines of %s:\n' "$BUILD_LOG" >&2
    tail -n 30 "$BUILD_LOG" >&2
  fi
  exit "$code"
}
trap on_error ERR

step() {
  CURRENT_TOOL="$1"
  CURRENT_STEP="$2"
}

# reports_version BINARY EXPECTED ARGS... -> true when BINARY ARGS prints EXPECTED.
reports_version() {
  local binary="$1" expected="$2" out
  shift 2
  [[ -x "$binary" ]] || return 1
  out="$("$binary" "$@" 2>&1)" || return 1
  [[ "$out" == *"$expected"* ]]
}

# already_installed BINARY EXPECTED ARGS... -> reports_version, unless TOOLS_FORCE=1 asks for a rebuild.
already_installed() {
  [[ "${TOOLS_FORCE:-}" != "1" ]] && reports_version "$@"
}

# require_pin GO_MOD_DIR MODULE VERSION -> fails when the wrapper's go.mod disagrees with versions.env.
require_pin() {
  local dir="$1" module="$2" version="$3"
  if ! grep -Eq "^[[:space:]]*(require[[:space:]]+)?${module//./\\.}[[:space:]]+${version//./\\.}([[:space:]]|$)" "$dir/go.mod"; then
    log "$dir/go.mod does not require $module $version (versions.env); edit one of them"
    return 1
  fi
}

# timed NAME COMMAND... -> runs COMMAND with its output in tools/.cache/NAME.log.
timed() {
  local name="$1" t0=$SECONDS
  shift
  BUILD_LOG="$CACHE/$name.log"
  "$@" >"$BUILD_LOG" 2>&1
  log "$CURRENT_TOOL $CURRENT_STEP took $((SECONDS - t0))s"
  BUILD_LOG=""
}

install_go_tool() {
  local tool="$1" package="$2" version="$3" ldflags="$4" expected="$5"
  shift 5
  step "$tool" "check"
  if already_installed "$BIN/$tool" "$expected" "$@"; then
    log "$tool $version: ok (present)"
    return
  fi
  step "$tool" "go install $package@$version"
  log "$tool $version: building..."
  timed "$tool" go install -ldflags "$ldflags" "$package@$version"
  step "$tool" "verify"
  reports_version "$BIN/$tool" "$expected" "$@" || { log "$tool does not report $expected"; return 1; }
  log "$tool $version: ok (built)"
}

# go_build_in DIR LDFLAGS OUTPUT -> builds the main package of the module in DIR.
go_build_in() {
  (cd "$1" && go build -ldflags "$2" -o "$3.tmp" .)
  mv -f "$3.tmp" "$3"
}

build_wrapper() {
  local tool="$1" version="$2" ldflags="$3" expected="$4"
  shift 4
  local dir="$TOOLS_DIR/go/$tool"
  step "$tool" "check"
  if already_installed "$BIN/$tool" "$expected" "$@"; then
    log "$tool $version: ok (present)"
    return
  fi
  step "$tool" "go build (tools/go/$tool)"
  log "$tool $version: building..."
  timed "$tool" go_build_in "$dir" "$ldflags" "$BIN/$tool"
  step "$tool" "verify"
  reports_version "$BIN/$tool" "$expected" "$@" || { log "$tool does not report $expected"; return 1; }
  log "$tool $version: ok (built)"
}

# ---- preflight --------------------------------------------------------------------------
step "go" "preflight"
command -v go >/dev/null || { log "go is not on PATH; install Go >= 1.26"; exit 1; }

# ---- Debian packages -------------------------------------------------------------------
# prometheus, nginx, shellcheck for the test bed; containerd, runc, the CNI plugins, iptables,
# nftables, conntrack and iproute2 for the lab cluster's node (cluster/).
have_nginx() { command -v nginx >/dev/null || [[ -x /usr/sbin/nginx ]]; }
have_cmd() { command -v "$1" >/dev/null || [[ -x "/usr/sbin/$1" ]]; }
# The cgroup-v2 guest (tools/guest): qemu, a kernel with the 9p modules, a static busybox.
have_guest_kernel() { compgen -G '/lib/modules/*/kernel/fs/9p/9p.ko*' >/dev/null; }
have_static_busybox() {
  local out
  [[ -x /bin/busybox ]] || return 1
  out=$(LC_ALL=C ldd /bin/busybox 2>&1 || true)
  [[ $out == *"not a dynamic executable"* ]]
}

# ---- without root: name every missing Debian package once, and stop ------------------------
# Only root installs Debian packages. A normal user gets the one command that installs all of
# them, and nothing is half-installed; the Go builds below need no root.
step "apt" "check (all sections)"
if [[ "$(id -u)" != "0" ]]; then
  all_missing=()
  have_cmd prometheus || all_missing+=(prometheus)
  have_nginx || all_missing+=(nginx-light)
  have_cmd shellcheck || all_missing+=(shellcheck)
  have_cmd containerd || all_missing+=(containerd)
  have_cmd runc || all_missing+=(runc)
  [[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
    all_missing+=(containernetworking-plugins)
  have_cmd iptables || all_missing+=(iptables)
  have_cmd nft || all_missing+=(nftables)
  have_cmd conntrack || all_missing+=(conntrack)
  have_cmd ip || all_missing+=(iproute2)
  [[ -x /usr/bin/chromium ]] || all_missing+=(chromium)
  command -v buildah >/dev/null || all_missing+=(buildah)
  command -v debootstrap >/dev/null || all_missing+=(debootstrap)
  have_cmd qemu-system-x86_64 || all_missing+=(qemu-system-x86)
  have_guest_kernel || all_missing+=(linux-image-amd64)
  have_static_busybox || all_missing+=(busybox-static)
  if [[ ${#all_missing[@]} -gt 0 ]]; then
    mapfile -t all_missing < <(printf '%s\n' "${all_missing[@]}" | sort -u)
    {
      log "these Debian packages are missing, and only root can install them:"
      printf '\n  sudo apt-get update && sudo apt-get install -y --no-install-recommends %s\n\n' "${all_missing[*]}"
      log "run that line, then 'npm run tools' again (as yourself: the Go builds need no root)."
      log "The test bed and the lab cluster start their own prometheus, nginx and containerd; the"
      log "packaged services can be stopped: sudo systemctl disable --now prometheus nginx containerd"
    } >&2
    exit 3
  fi
  log "Debian packages: ok (present)"
fi

step "apt" "check"
apt_missing=()
have_cmd prometheus || apt_missing+=(prometheus)
have_nginx || apt_missing+=(nginx)
have_cmd shellcheck || apt_missing+=(shellcheck)
have_cmd containerd || apt_missing+=(containerd)
have_cmd runc || apt_missing+=(runc)
# The package can be registered as installed while /usr/lib/cni was removed: check the files.
[[ -x /usr/lib/cni/bridge && -x /usr/lib/cni/host-local && -x /usr/lib/cni/loopback ]] ||
  apt_missing+=(containernetworking-plugins)
have_cmd iptables || apt_missing+=(iptables)
have_cmd nft || apt_missing+=(nftables)
have_cmd conntrack || apt_missing+=(conntrack)
have_cmd ip || apt_missing+=(iproute2)
if [[ ${#apt_missing[@]} -eq 0 ]]; then
  log "Debian packages (prometheus nginx shellcheck containerd runc CNI plugins iptables nftables conntrack iproute2): ok (present)"
else
  step "apt" "apt-get update"
  log "apt: installing ${apt_missing[*]}..."
  timed apt-update apt-get update
  packages=()
  for pkg in "${apt_missing[@]}"; do
    if [[ "$pkg" == nginx ]] && apt-cache show nginx-light >/dev/null 2>&1; then pkg=nginx-light; fi
    packages+=("$pkg")
  done
  # The packages ship services; the test bed and the lab cluster run their own instances, so
  # keep the packaged ones from starting (and holding ports 9090/80, or /run/containerd) with a
  # policy-rc.d.
  created_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    created_policy=1
  fi
  step "apt" "apt-get install ${packages[*]}"
  # --reinstall restores the files of a package that dpkg lists as installed but whose files are gone.
  timed apt-install env DEBIAN_FRONTEND=noninteractive apt-get install -y --reinstall --no-install-recommends "${packages[@]}"
  if [[ -n "$created_policy" ]]; then rm -f /usr/sbin/policy-rc.d; fi
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now prometheus nginx containerd >/dev/null 2>&1 || true
  fi
  log "${packages[*]}: ok (installed)"
fi

# ---- Debian package: chromium (the web page's browser tests) ------------------------------
# services/web/test drives Debian's chromium through playwright-core (executablePath /usr/bin/chromium):
# Playwright's own browser downloads are not reachable from every machine that runs the tests.
step "chromium" "check"
if [[ -x /usr/bin/chromium ]]; then
  log "chromium: ok (present)"
else
  step "chromium" "apt-get update"
  log "apt: installing chromium..."
  timed apt-update-chromium apt-get update
  step "chromium" "apt-get install chromium"
  timed apt-chromium env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends chromium
  log "chromium: ok (installed)"
fi

# ---- Go tools, smallest first so a failure in the big ones comes last --------------------
install_go_tool actionlint github.com/rhysd/actionlint/cmd/actionlint "$ACTIONLINT_VERSION" \
  "-s -w" "$ACTIONLINT_VERSION" -version

install_go_tool k6 go.k6.io/k6 "$K6_VERSION" "-s -w" "k6 $K6_VERSION" version

# ---- kube-score: scores the chart's rendered manifests (charts/delivery/test/kube-score.test.ts) --
# `go install` leaves its version at "development": stamp it, so the check above can tell a
# stale binary from the pinned one (main.version is what `kube-score version` prints).
install_go_tool kube-score github.com/zegl/kube-score/cmd/kube-score "$KUBE_SCORE_VERSION" \
  "-s -w -X main.version=${KUBE_SCORE_VERSION#v}" "kube-score version: ${KUBE_SCORE_VERSION#v}" version
# ---- end of kube-score -------------------------------------------------------------------

KUBE_MINOR="$(cut -d. -f2 <<<"$KUBERNETES_VERSION")"
install_go_tool helm helm.sh/helm/v3/cmd/helm "$HELM_VERSION" \
  "-s -w -X helm.sh/helm/v3/internal/version.version=$HELM_VERSION -X helm.sh/helm/v3/internal/version.gitTreeState=clean -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMajor=1 -X helm.sh/helm/v3/pkg/chartutil.k8sVersionMinor=$KUBE_MINOR" \
  "$HELM_VERSION" version --template '{{.Version}}'

step ferretdb "check go.mod pin"
require_pin "$TOOLS_DIR/go/ferretdb" github.com/FerretDB/FerretDB "$FERRETDB_VERSION"
build_wrapper ferretdb "$FERRETDB_VERSION" "-s -w" "ferretdb $FERRETDB_VERSION" --version

step etcd "check go.mod pin"
require_pin "$TOOLS_DIR/go/etcd" go.etcd.io/etcd/server/v3 "$ETCD_VERSION"
build_wrapper etcd "$ETCD_VERSION" "-s -w" "etcd Version: ${ETCD_VERSION#v}" --version

# One multi-call binary (tools/go/kube) holds kube-apiserver, kubelet, kube-controller-manager,
# kube-scheduler and kube-proxy; tools/bin/<command> are symlinks to it. One link instead of five.
KUBE_COMMANDS=(kube-apiserver kubelet kube-controller-manager kube-scheduler kube-proxy)
step kube "check go.mod pin"
require_pin "$TOOLS_DIR/go/kube" k8s.io/kubernetes "$KUBERNETES_VERSION"
staging_version="v0.${KUBERNETES_VERSION#v1.}"
if grep -E '=> k8s\.io/' "$TOOLS_DIR/go/kube/go.mod" | grep -vq "$staging_version\$"; then
  log "tools/go/kube/go.mod: every staging replace must be $staging_version"
  false
fi
kube_ldflags="-s -w"
for pkg in k8s.io/component-base/version k8s.io/client-go/pkg/version; do
  kube_ldflags+=" -X $pkg.gitVersion=$KUBERNETES_VERSION -X $pkg.gitMajor=1 -X $pkg.gitMinor=$KUBE_MINOR"
  kube_ldflags+=" -X $pkg.gitTreeState=clean -X $pkg.buildDate=1970-01-01T00:00:00Z"
done
kube_present() {
  local command
  for command in "${KUBE_COMMANDS[@]}"; do
    [[ -L "$BIN/$command" ]] || return 1
    already_installed "$BIN/$command" "Kubernetes $KUBERNETES_VERSION" --version || return 1
  done
}
step kube "check"
if kube_present; then
  log "kube ($KUBERNETES_VERSION: ${KUBE_COMMANDS[*]}): ok (present)"
else
  step kube "go build (tools/go/kube)"
  log "kube $KUBERNETES_VERSION (${KUBE_COMMANDS[*]}): building..."
  timed kube go_build_in "$TOOLS_DIR/go/kube" "$kube_ldflags" "$BIN/kube"
  step kube "verify"
  for command in "${KUBE_COMMANDS[@]}"; do
    ln -sfn kube "$BIN/$command"
    reports_version "$BIN/$command" "Kubernetes $KUBERNETES_VERSION" --version ||
      { log "$command does not report Kubernetes $KUBERNETES_VERSION"; false; }
  done
  log "kube $KUBERNETES_VERSION: ok (built)"
fi

step coredns "check go.mod pin"
require_pin "$TOOLS_DIR/go/coredns" github.com/coredns/coredns "$COREDNS_VERSION"
build_wrapper coredns "$COREDNS_VERSION" "-s -w" "CoreDNS-${COREDNS_VERSION#v}" -version

# Prometheus (tools/go/prometheus): the lab cluster's laas/prometheus:dev image (lab/container-images/)
# needs Kubernetes service discovery, which Debian's 2.42 lacks. Same version as the chart's
# default image (prom/prometheus:v2.55.1 = module v0.55.1). Built without `builtinassets`: the pod
# serves only the HTTP API (PromQL, targets), no web UI. Tags as upstream's release builds, minus
# builtinassets: netgo (pure-Go resolver) and stringlabels (compact label sets). 2.55 has no tags
# to leave service discoveries out (3.x added remove_all_sd): every discovery is compiled in.
PROMETHEUS_TAGS="netgo,stringlabels"
step prometheus "check go.mod pin"
require_pin "$TOOLS_DIR/go/prometheus" github.com/prometheus/prometheus "$PROMETHEUS_MODULE_VERSION"
prometheus_ldflags="-s -w"
for kv in "Version=$PROMETHEUS_VERSION" "Revision=$PROMETHEUS_MODULE_VERSION" "Branch=$PROMETHEUS_MODULE_VERSION" \
  "BuildUser=laas-tools" "BuildDate=19700101-00:00:00"; do
  prometheus_ldflags+=" -X github.com/prometheus/common/version.$kv"
done
# go_build_tool DIR TAGS LDFLAGS PACKAGE OUTPUT -> builds a main package the module in DIR requires
# as a `tool` (a dependency's main package cannot be imported by a wrapper main.go).
go_build_tool() {
  (cd "$1" && go build -tags "$2" -ldflags "$3" -o "$5.tmp" "$4")
  mv -f "$5.tmp" "$5"
}
prometheus_expected="version $PROMETHEUS_VERSION"
step prometheus "check"
if already_installed "$BIN/prometheus" "$prometheus_expected" --version &&
  reports_version "$BIN/prometheus" "tags:             $PROMETHEUS_TAGS" --version; then
  log "prometheus $PROMETHEUS_VERSION: ok (present)"
else
  step prometheus "go build (tools/go/prometheus)"
  log "prometheus $PROMETHEUS_VERSION: building..."
  timed prometheus go_build_tool "$TOOLS_DIR/go/prometheus" "$PROMETHEUS_TAGS" "$prometheus_ldflags" \
    github.com/prometheus/prometheus/cmd/prometheus "$BIN/prometheus"
  step prometheus "verify"
  reports_version "$BIN/prometheus" "$prometheus_expected" --version ||
    { log "prometheus does not report $prometheus_expected"; false; }
  log "prometheus $PROMETHEUS_VERSION: ok (built)"
fi

# metrics-server (tools/go/metrics-server): the lab cluster's resource metrics API
# (v1beta1.metrics.k8s.io), which the HPA controller reads for CPU utilisation. It prints the
# version of k8s.io/client-go, which upstream stamps with its own tag; so do we.
step metrics-server "check go.mod pin"
require_pin "$TOOLS_DIR/go/metrics-server" sigs.k8s.io/metrics-server "$METRICS_SERVER_VERSION"
step metrics-server "check"
if already_installed "$BIN/metrics-server" "$METRICS_SERVER_VERSION" --version; then
  log "metrics-server $METRICS_SERVER_VERSION: ok (present)"
else
  step metrics-server "go build (tools/go/metrics-server)"
  log "metrics-server $METRICS_SERVER_VERSION: building..."
  timed metrics-server go_build_tool "$TOOLS_DIR/go/metrics-server" "" \
    "-s -w -X k8s.io/client-go/pkg/version.gitVersion=$METRICS_SERVER_VERSION" \
    sigs.k8s.io/metrics-server/cmd/metrics-server "$BIN/metrics-server"
  step metrics-server "verify"
  reports_version "$BIN/metrics-server" "$METRICS_SERVER_VERSION" --version ||
    { log "metrics-server does not report $METRICS_SERVER_VERSION"; false; }
  log "metrics-server $METRICS_SERVER_VERSION: ok (built)"
fi

# labtool (tools/go/labtool, ours): the binary inside the lab cluster's pause and test images.
# It has no upstream version: the hash of its source stands in for one.
labtool_hash="$(cat "$TOOLS_DIR/go/labtool/main.go" "$TOOLS_DIR/go/labtool/go.mod" | sha256sum | cut -c1-12)"
build_wrapper labtool "$labtool_hash" "-s -w -X main.sourceHash=$labtool_hash" "labtool $labtool_hash" version

# ---- lab images (lab/container-images/): Debian's daemonless builder and its helpers ----------
# buildah builds the repo's Dockerfiles (RUN steps in chroot isolation, no daemon, no runc),
# debootstrap lays out the local Debian bookworm-slim base, and containerd's `ctr` imports the
# archives (the image tests start a private containerd for that). Debian packages, not pinned.
step lab-images "check"
if command -v buildah >/dev/null && command -v debootstrap >/dev/null && command -v ctr >/dev/null; then
  log "buildah, debootstrap, ctr: ok (present)"
else
  step lab-images "apt-get update"
  timed apt-update-lab apt-get update
  # containerd ships a service; keep it from starting (each cluster runs its own instance).
  lab_policy=""
  if [[ ! -e /usr/sbin/policy-rc.d ]]; then
    printf '#!/bin/sh\nexit 101\n' > /usr/sbin/policy-rc.d
    chmod +x /usr/sbin/policy-rc.d
    lab_policy=1
  fi
  step lab-images "apt-get install buildah debootstrap containerd"
  timed apt-install-lab env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends buildah debootstrap containerd
  if [[ -n "$lab_policy" ]]; then rm -f /usr/sbin/policy-rc.d; fi
  if [[ -d /run/systemd/system ]]; then
    systemctl disable --now containerd >/dev/null 2>&1 || true
  fi
  log "buildah, debootstrap, ctr: ok (installed)"
fi
# ---- end of lab images -------------------------------------------------------------------

# ---- the cgroup-v2 guest (tools/guest/run.sh): qemu, Debian's generic kernel, busybox-static --
# The cloud kernel has no 9p modules, so the guest boots the generic one (linux-image-amd64).
step guest "check"
if have_cmd qemu-system-x86_64 && have_guest_kernel && have_static_busybox; then
  log "qemu, a kernel with 9p, busybox-static: ok (present)"
else
  step guest "apt-get update"
  timed apt-update-guest apt-get update
  guest_missing=()
  have_cmd qemu-system-x86_64 || guest_missing+=(qemu-system-x86)
  have_guest_kernel || guest_missing+=(linux-image-amd64)
  have_static_busybox || guest_missing+=(busybox-static)
  step guest "apt-get install ${guest_missing[*]}"
  timed apt-install-guest env DEBIAN_FRONTEND=noninteractive apt-get install -y --no-install-recommends "${guest_missing[@]}"
  log "qemu, a kernel with 9p, busybox-static: ok (installed)"
fi

# ---- summary ----------------------------------------------------------------------------
step summary print
first_line() { { "$@" 2>&1 || true; } | head -n 1; }
nginx_bin="$(command -v nginx || echo /usr/sbin/nginx)"
printf '\n%-16s %-48s %s\n' TOOL VERSION PATH
printf '%-16s %-48s %s\n' k6 "$(first_line "$BIN/k6" version)" "$BIN/k6"
printf '%-16s %-48s %s\n' helm "$(first_line "$BIN/helm" version --template '{{.Version}}')" "$BIN/helm"
printf '%-16s %-48s %s\n' actionlint "$(first_line "$BIN/actionlint" -version)" "$BIN/actionlint"
printf '%-16s %-48s %s\n' kube-score "$(first_line "$BIN/kube-score" version | cut -d, -f1)" "$BIN/kube-score"
printf '%-16s %-48s %s\n' ferretdb "$(first_line "$BIN/ferretdb" --version)" "$BIN/ferretdb"
printf '%-16s %-48s %s\n' etcd "$(first_line "$BIN/etcd" --version)" "$BIN/etcd"
for command in "${KUBE_COMMANDS[@]}"; do
  printf '%-16s %-48s %s\n' "$command" "$(first_line "$BIN/$command" --version)" "$BIN/$command -> kube"
done
printf '%-16s %-48s %s\n' coredns "$(first_line "$BIN/coredns" -version)" "$BIN/coredns"
printf '%-16s %-48s %s\n' prometheus "$(first_line "$BIN/prometheus" --version)" "$BIN/prometheus"
printf '%-16s %-48s %s\n' metrics-server "$(first_line "$BIN/metrics-server" --version)" "$BIN/metrics-server"
printf '%-16s %-48s %s\n' labtool "$(first_line "$BIN/labtool" version)" "$BIN/labtool"
printf '%-16s %-48s %s\n' containerd "$(first_line containerd --version)" "$(command -v containerd)"
printf '%-16s %-48s %s\n' runc "$(first_line runc --version)" "$(command -v runc)"
printf '%-16s %-48s %s\n' "prometheus (apt)" "$(first_line prometheus --version)" "$(command -v prometheus)"
printf '%-16s %-48s %s\n' nginx "$(first_line "$nginx_bin" -v)" "$nginx_bin"
printf '%-16s %-48s %s\n' chromium "$(/usr/bin/chromium --version 2>/dev/null | head -n 1)" /usr/bin/chromium
printf '%-16s %-48s %s\n' shellcheck "$(shellcheck --version | sed -n 's/^version: //p')" "$(command -v shellcheck)"
printf '%-16s %-48s %s\n' kubectl "$(first_line kubectl version --client)" "$(command -v kubectl || echo 'missing (not installed by this script)')"
printf '%-16s %-48s %s\n' buildah "$(first_line buildah --version)" "$(command -v buildah)"
printf '%-16s %-48s %s\n' qemu "$(first_line qemu-system-x86_64 --version)" "$(command -v qemu-system-x86_64)"
log "done in $((SECONDS - STARTED_AT))s"
