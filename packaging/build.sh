#!/usr/bin/env bash
# Build the one-folder app into dist/prompt-playground/ with the current platform's PyInstaller.
#   bash packaging/build.sh            (needs: pip install pyinstaller, and the app installed)
set -euo pipefail
cd "$(dirname "$0")/.."
PYTHON=${PYTHON:-.venv/bin/python}
"$PYTHON" -m PyInstaller --noconfirm --clean --log-level WARN \
  --distpath dist --workpath build/pyinstaller packaging/prompt-playground.spec
# The size as tests/integration/test_packaging.py counts it: bytes of files (not links), in MB of 10^6.
"$PYTHON" - <<'EOF'
from pathlib import Path
files = [p for p in Path("dist/prompt-playground").rglob("*") if p.is_file() and not p.is_symlink()]
print(f"Built dist/prompt-playground/ ({sum(p.stat().st_size for p in files) / 1e6:.1f} MB; budget 200 MB)")
EOF
