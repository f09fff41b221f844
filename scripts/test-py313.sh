#!/usr/bin/env bash
# The trader-path subset on Python 3.13 (the full suite runs on 3.11 in scripts/test.sh): margin
# prove/verify from the CLI, groth16 prove/verify, the audit of a small epoch, the extras' errors.
# The abi3 extension built for 3.11 (algebra/*.abi3.so) is the one 3.13 loads.
#   scripts/test-py313.sh [pytest args]   (PYTHON313 overrides the interpreter)
set -euo pipefail
cd "$(dirname "$0")/.."
py313="${PYTHON313:-$(ls /root/.pyenv/versions/3.13*/bin/python3 2>/dev/null | tail -n 1)}"
[ -x "${py313:-}" ] || py313="$(command -v python3.13 || true)"
[ -x "${py313:-}" ] || { echo "test-py313: no Python 3.13 found (set PYTHON313)" >&2; exit 1; }
venv="$HOME/.cache/zkmargin/py313-venv"
if [ ! -x "$venv/bin/python" ]; then
  "$py313" -m venv "$venv"
fi
# The project's runtime dependencies and extras (not the package itself: the tests import the
# checkout), plus the test tools the subset uses.
deps="$("$venv/bin/python" - <<'PY'
import tomllib
project = tomllib.load(open("pyproject.toml", "rb"))["project"]
extras = project["optional-dependencies"]
names = project["dependencies"] + extras["service"] + extras["audit"]
tools = ("pytest", "pytest-timeout", "hypothesis")
names += [d for d in extras["dev"] if d.split(">")[0].split("=")[0].split("[")[0] in tools]
print("\n".join(names))
PY
)"
mapfile -t requirements <<< "$deps"
"$venv/bin/python" -m pip install --quiet --disable-pip-version-check "${requirements[@]}"
echo "== pytest on $("$venv/bin/python" --version): trader-path subset"
PYTHONPATH="$PWD" "$venv/bin/python" -m pytest -q -p no:cacheprovider \
  tests/margin/test_cli.py tests/prover/test_prove.py \
  tests/cli/test_groth16_prove_cli.py tests/cli/test_groth16_verify_cli.py \
  tests/audit/test_audit_cli.py tests/audit/test_audit_run.py tests/cli/test_extras_cli.py \
  tests/algebra/test_native_portability.py "$@"
