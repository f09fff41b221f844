#!/usr/bin/env bash
# The trader's flow with whatever `zkm` is first on PATH (an installed wheel): sample a
# market, commit to an account, dev setup, prove, verify (exit 0), and check that a
# tampered public input is rejected (exit 1). Used by scripts/test-wheel.sh and by every
# job of .github/workflows/release.yml.
set -euo pipefail
dir="$(mktemp -d)"
trap 'rm -rf "$dir"' EXIT
cd "$dir"
zkm version
zkm margin sample --size tiny --accounts 2 --out market > /dev/null
zkm margin commit market/accounts/account-000.json --out opening.json > /dev/null
zkm margin setup --size tiny --dev --out keys > /dev/null 2>&1
zkm margin prove opening.json market/snapshot.json --keys keys --out proof > /dev/null
zkm margin verify proof market/snapshot.json --keys keys
python - <<'PY'
import json
public = json.load(open("proof/public.json"))
public[-1] = str(int(public[-1]) + 1)
json.dump(public, open("proof/public.json", "w"))
PY
set +e
zkm margin verify proof market/snapshot.json --keys keys > /dev/null 2>&1
code=$?
set -e
[ "$code" = 1 ] || [ "$code" = 2 ] || { echo "trader-flow: tampered proof gave exit $code" >&2; exit 1; }
echo "trader-flow: ok (tampered public input rejected with exit $code)"
