#!/usr/bin/env bash
# `make bundle`: one archive for an intranet with no network: every wheel the runtime needs (downloaded
# against the hashes in requirements/base.txt), Minsheng's own wheel with its front-end assets, the
# checksums of every file, and install.sh. Built for this machine's platform and Python 3.11.
set -euo pipefail
cd "$(dirname "$0")/.."
PY=${PY:-.venv/bin/python}
VERSION=$($PY -c "import tomllib; print(tomllib.load(open('pyproject.toml','rb'))['project']['version'])")
NAME="minsheng-bundle-$VERSION"
WORK=build/bundle/$NAME
rm -rf build/bundle && mkdir -p "$WORK/wheels" dist

echo "== wheels (hashes checked against requirements/base.txt)"
$PY -m pip download --quiet --require-hashes --no-deps -r requirements/base.txt -d build/bundle/downloads
# A few projects publish only source archives: build their wheels here, where the build tools are.
for source in build/bundle/downloads/*.tar.gz build/bundle/downloads/*.zip; do
  [ -e "$source" ] || continue
  $PY -m pip wheel --quiet --no-deps -w build/bundle/downloads "$source"
  rm "$source"
done
mv build/bundle/downloads/*.whl "$WORK/wheels/"

echo "== minsheng itself (templates, catalogues and the vendored front-end files inside)"
test -f src/minsheng/web/static/vendor/htmx.min.js || { echo "run make setup first (front-end assets)"; exit 1; }
$PY -m pip wheel --quiet --no-deps -w "$WORK/wheels" .

# The install resolves only from these files and checks each against this list.
(cd "$WORK/wheels" && for wheel in *.whl; do
   name=${wheel%%-*}
   echo "$name @ file:///BUNDLE/wheels/$wheel --hash=sha256:$(sha256sum "$wheel" | cut -d' ' -f1)"
 done) > "$WORK/requirements.txt"
cp bundle/install.sh "$WORK/install.sh"
chmod +x "$WORK/install.sh"
(cd "$WORK" && find . -type f ! -name SHA256SUMS -print0 | sort -z | xargs -0 sha256sum > SHA256SUMS)
tar -C build/bundle -czf "dist/$NAME.tar.gz" "$NAME"
echo "dist/$NAME.tar.gz ($(du -h "dist/$NAME.tar.gz" | cut -f1), $(ls "$WORK/wheels" | wc -l) wheels)"
