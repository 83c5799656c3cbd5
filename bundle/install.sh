#!/bin/sh
# Install Minsheng from this folder with no network: check every file, make a virtualenv, install the
# wheels it holds (each against its hash). Needs Python 3.11 (`PYTHON=/path/to/python3.11` to choose).
#   ./install.sh [TARGET]        default TARGET: ./minsheng (the virtualenv)
# Then: MINSHENG_DATA_DIR=/var/lib/minsheng TARGET/bin/minsheng demo   (or `serve`, see docs/operations.md)
set -eu
HERE=$(cd "$(dirname "$0")" && pwd)
TARGET=${1:-$HERE/minsheng}
PYTHON=${PYTHON:-python3.11}
cd "$HERE"
sha256sum --quiet -c SHA256SUMS
"$PYTHON" -c 'import sys; sys.exit(0 if sys.version_info[:2] == (3, 11) else "Python 3.11 is needed")'
"$PYTHON" -m venv "$TARGET"
sed "s#file:///BUNDLE/#file://$HERE/#" requirements.txt > "$TARGET/bundle-requirements.txt"
"$TARGET/bin/python" -m pip install --quiet --no-index --require-hashes --no-deps \
  -r "$TARGET/bundle-requirements.txt"
echo "installed: $TARGET/bin/minsheng"
echo "try:       MINSHENG_DATA_DIR=$HERE/data $TARGET/bin/minsheng demo --bind 127.0.0.1:8000"
