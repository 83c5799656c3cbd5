#!/usr/bin/env bash
# CI: install the bundle inside a network namespace with loopback only, start the demo, fetch the home page.
set -euo pipefail
cd "$(dirname "$0")/.."
ARCHIVE=$(ls -t dist/minsheng-bundle-*.tar.gz | head -n 1)
WORK=$(mktemp -d /tmp/minsheng-offline.XXXXXX)
PORT=${PORT:-8190}
tar -C "$WORK" -xzf "$ARCHIVE"
BUNDLE=$(ls -d "$WORK"/minsheng-bundle-*)
PYTHON=${PYTHON:-$(command -v python3.11)}
unshare --net -- env -u DATABASE_URL -u MINSHENG_REPLICA_DATABASE_URL BUNDLE="$BUNDLE" PORT="$PORT" PYTHON="$PYTHON" bash -euo pipefail -c '
  ip link set lo up
  if python3 -c "import socket; socket.create_connection((\"1.1.1.1\", 443), 3)" 2>/dev/null; then
    echo "the namespace reaches the network: not an offline test"; exit 1
  fi
  "$BUNDLE/install.sh" "$BUNDLE/venv"
  MINSHENG_DATA_DIR="$BUNDLE/data" MINSHENG_WORKERS=1 setsid "$BUNDLE/venv/bin/minsheng" demo \
    --bind "127.0.0.1:$PORT" > "$BUNDLE/demo.log" 2>&1 &
  demo=$!
  for _ in $(seq 1 600); do
    if "$BUNDLE/venv/bin/python" -c "import urllib.request,sys; r=urllib.request.urlopen(\"http://127.0.0.1:$PORT/\", timeout=5); sys.exit(0 if r.status == 200 and \"民声\" in r.read().decode() else 1)" 2>/dev/null; then
      echo "offline install serves the home page on 127.0.0.1:$PORT"
      kill -TERM -- -"$demo"; wait "$demo" || true
      exit 0
    fi
    sleep 1
  done
  echo "the demo did not answer; its log:"; tail -n 50 "$BUNDLE/demo.log"
  kill -TERM -- -"$demo" || true
  exit 1
'
rm -rf "$WORK"
