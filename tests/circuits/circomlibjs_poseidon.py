"""Known answers from circomlibjs (pinned npm package): many Poseidon vectors, one node call."""

from __future__ import annotations

import json
import random
import subprocess
from functools import lru_cache

from algebra.constants import SCALAR_FIELD_R
from tests.conftest import INTEROP_DIR, require, require_executable

CIRCOMLIBJS = INTEROP_DIR / "node_modules" / "circomlibjs" / "build" / "main.cjs"

_SCRIPT = """
const { buildPoseidon, buildPoseidonReference } = require(process.argv[1]);
let text = "";
process.stdin.on("data", (chunk) => { text += chunk; });
process.stdin.on("end", async () => {
  const vectors = JSON.parse(text).map((v) => v.map((x) => BigInt(x)));
  const fast = await buildPoseidon();
  const reference = await buildPoseidonReference();
  const out = vectors.map((v) => [fast.F.toString(fast(v)), reference.F.toString(reference(v))]);
  process.stdout.write(JSON.stringify(out));
});
"""


def random_vectors(seed: int = 20190458, per_arity: int = 2) -> tuple[tuple[int, ...], ...]:
    """Return ``per_arity`` random canonical vectors for each arity 1 … 16, plus edge cases."""
    rng = random.Random(seed)
    vectors = [
        tuple(rng.randrange(SCALAR_FIELD_R) for _ in range(arity))
        for arity in range(1, 17)
        for _ in range(per_arity)
    ]
    vectors += [(0,), (SCALAR_FIELD_R - 1,) * 16, (1, 2), tuple(range(16))]
    return tuple(vectors)


@lru_cache(maxsize=4)
def circomlibjs_poseidon(vectors: tuple[tuple[int, ...], ...]) -> list[int]:
    """Return circomlibjs's ``poseidon(v)`` for each vector (asserting its two builds agree)."""
    node = require_executable("node")
    require(CIRCOMLIBJS.exists(), "circomlibjs in tests/interop/node_modules (run `npm ci`)")
    done = subprocess.run(
        [node, "-e", _SCRIPT, str(CIRCOMLIBJS)],
        input=json.dumps([[str(x) for x in v] for v in vectors]),
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    pairs = json.loads(done.stdout)
    assert all(fast == reference for fast, reference in pairs), "circomlibjs builds disagree"
    return [int(fast) for fast, _ in pairs]
