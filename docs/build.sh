#!/usr/bin/env bash
# Build the HTML docs into docs/_build/html, warnings as errors. Installs nothing:
# run it from an environment with the docs extra (pip install -e ".[docs]"); with
# the nas extra too, the NAS example runs and the NAS API is read from torch.
# Extra arguments go to sphinx, e.g. `docs/build.sh -D plot_gallery=0` to show
# the examples without running them (a quick check).
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON="${PYTHON:-python}"
exec "$PYTHON" -m sphinx -W --keep-going -b html "$@" docs docs/_build/html
