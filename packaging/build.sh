#!/usr/bin/env bash
# Build the one-folder app into dist/prompt-playground/ with the current platform's PyInstaller.
#   bash packaging/build.sh            (needs: pip install pyinstaller, and the app installed)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/prompt-playground.spec
echo "Built dist/prompt-playground/ ($(du -sh dist/prompt-playground | cut -f1))"
