"""Registered-circuit fixtures for the service tests and benchmark: keys and valid 4-input proofs.

The service sees only a verifying key, proofs and public inputs ``[C, snapshot_hash,
requirement_kind, buffer_ppm]``, so two sources of margin-shaped proofs serve here:

- :func:`standin_circuit` / :func:`snarkjs_proofs`: a tiny circom circuit of our own
  (``circuits/margin_standin.circom``) with that public layout, compiled by the pinned
  circom2, set up and proven by the pinned snarkjs (cached under ``tests/interop/.cache``);
  these are real proofs from the reference toolchain.
- :class:`SimulatingKey`: an UNSAFE Groth16 key whose trapdoor the test knows, so it can
  produce a valid proof for any public inputs in one scalar multiplication — Groth16's
  zero-knowledge simulator. The verifier cannot tell these from honest proofs, which is the
  point; the benchmark uses it to make thousands of distinct statements quickly.
"""

from __future__ import annotations

import hashlib
import json
import random
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from py_ecc.optimized_bn128 import G1, G2, multiply, normalize

from algebra.backend import Backend
from algebra.constants import SCALAR_FIELD_R
from algebra.encoding import fr_vector_to_bytes, g1_to_bytes, g1_vector_from_bytes
from tests.conftest import INTEROP_DIR, npm_tool, require_executable
from tests.interop.fixtures import CACHE_DIR, compile_circom, run_snarkjs

HERE = Path(__file__).resolve().parent
STANDIN_SOURCE = HERE / "circuits" / "margin_standin.circom"
PROVE_MANY_JS = HERE / "prove_many.js"
MARGIN_N_PUBLIC = 4

JsonObject = dict[str, Any]


def _g1_json(scalar: int) -> list[str]:
    x, y = normalize(multiply(G1, scalar % SCALAR_FIELD_R))
    return [str(x.n), str(y.n), "1"]


def _g2_json(scalar: int) -> list[list[str]]:
    x, y = normalize(multiply(G2, scalar % SCALAR_FIELD_R))
    return [[str(c) for c in x.coeffs], [str(c) for c in y.coeffs], ["1", "0"]]


@dataclass(frozen=True)
class SimulatingKey:
    """An UNSAFE verifying key with known trapdoor (α, β, γ, δ, ICᵢ scalars) — tests only.

    A proof for inputs ``x`` is ``A = a·G1``, ``B = b·G2``, ``C = c·G1`` with
    ``c = (a·b − α·β − γ·(ic₀ + Σ xᵢ·icᵢ)) / δ``, which satisfies the verification equation.
    """

    alpha: int
    beta: int
    gamma: int
    delta: int
    ic: tuple[int, ...]
    a: int
    b: int
    vk_json: JsonObject
    a_json: list[str]
    b_json: list[list[str]]

    @classmethod
    def generate(cls, n_public: int = MARGIN_N_PUBLIC, seed: int = 1) -> SimulatingKey:
        """Return a key with ``n_public`` inputs drawn from a seeded RNG (reproducible)."""
        rng = random.Random(seed)
        alpha, beta, gamma, delta, a, b = (rng.randrange(1, SCALAR_FIELD_R) for _ in range(6))
        ic = tuple(rng.randrange(1, SCALAR_FIELD_R) for _ in range(n_public + 1))
        vk_json: JsonObject = {
            "protocol": "groth16",
            "curve": "bn128",
            "nPublic": n_public,
            "vk_alpha_1": _g1_json(alpha),
            "vk_beta_2": _g2_json(beta),
            "vk_gamma_2": _g2_json(gamma),
            "vk_delta_2": _g2_json(delta),
            "IC": [_g1_json(s) for s in ic],
        }
        return cls(alpha, beta, gamma, delta, ic, a, b, vk_json, _g1_json(a), _g2_json(b))

    def prove(self, public: Sequence[int]) -> JsonObject:
        """Return a valid snarkjs-JSON proof for ``public`` (one G1 scalar multiplication)."""
        c = self._c_scalar(public)
        return {
            "pi_a": list(self.a_json),
            "pi_b": [list(pair) for pair in self.b_json],
            "pi_c": _g1_json(c),
            "protocol": "groth16",
            "curve": "bn128",
        }

    def prove_many(self, publics: Sequence[Sequence[int]], backend: Backend) -> list[JsonObject]:
        """Return :meth:`prove` of each input vector, with one batched fixed-base multiplication."""
        scalars = [self._c_scalar(public) for public in publics]
        generator = g1_to_bytes((1, 2))
        points = g1_vector_from_bytes(backend.g1_fixed_base(generator, fr_vector_to_bytes(scalars)))
        proofs = []
        for point in points:
            assert point is not None
            proofs.append(
                {
                    "pi_a": list(self.a_json),
                    "pi_b": [list(pair) for pair in self.b_json],
                    "pi_c": [str(point[0]), str(point[1]), "1"],
                    "protocol": "groth16",
                    "curve": "bn128",
                }
            )
        return proofs

    def _c_scalar(self, public: Sequence[int]) -> int:
        assert len(public) == len(self.ic) - 1
        pairs = zip(public, self.ic[1:], strict=True)
        vk_x = (self.ic[0] + sum(x * s for x, s in pairs)) % SCALAR_FIELD_R
        numerator = self.a * self.b - self.alpha * self.beta - self.gamma * vk_x
        return numerator * pow(self.delta, -1, SCALAR_FIELD_R) % SCALAR_FIELD_R


def tamper(proof: Mapping[str, Any]) -> JsonObject:
    """Return ``proof`` with ``pi_c`` replaced by another valid point (so it no longer verifies)."""
    changed = json.loads(json.dumps(proof))
    changed["pi_c"] = _g1_json(12345)
    return changed


@dataclass(frozen=True)
class StandinCircuit:
    """The compiled stand-in circuit with a snarkjs Groth16 key (dev setup: UNSAFE, tests only)."""

    wasm: Path
    zkey: Path
    vk_json: JsonObject


def standin_circuit() -> StandinCircuit:
    """Compile and set up the stand-in circuit with snarkjs, once (cached)."""
    compiled = compile_circom(STANDIN_SOURCE)
    directory = compiled.directory / "groth16"
    vk_path = directory / "verification_key.json"
    zkey = directory / "circuit.zkey"
    if not vk_path.exists():
        directory.mkdir(exist_ok=True)
        ptau0, ptau1, ptau = (directory / f"pot{i}.ptau" for i in ("0", "1", "_final"))
        run_snarkjs("powersoftau", "new", "bn128", "10", ptau0)
        run_snarkjs("powersoftau", "contribute", ptau0, ptau1, "--name=t", "-e=zkmargin tests")
        run_snarkjs("powersoftau", "prepare", "phase2", ptau1, ptau)
        zkey0 = directory / "circuit_0.zkey"
        run_snarkjs("groth16", "setup", compiled.r1cs, ptau, zkey0)
        run_snarkjs("zkey", "contribute", zkey0, zkey, "--name=t", "-e=zkmargin tests")
        staging = directory / "verification_key.tmp"
        run_snarkjs("zkey", "export", "verificationkey", zkey, staging)
        staging.rename(vk_path)
    return StandinCircuit(compiled.wasm, zkey, json.loads(vk_path.read_text()))


@dataclass(frozen=True)
class Statement:
    """A private witness for the stand-in circuit (salt, equity, requirement) and its publics."""

    salt: int
    equity: int
    requirement: int
    snapshot_hash: int
    requirement_kind: int = 0
    buffer_ppm: int = 1_000_000

    def circuit_input(self) -> dict[str, str]:
        """Return the snarkjs input object."""
        return {
            "snapshot_hash": str(self.snapshot_hash),
            "requirement_kind": str(self.requirement_kind),
            "buffer_ppm": str(self.buffer_ppm),
            "salt": str(self.salt),
            "equity": str(self.equity),
            "requirement": str(self.requirement),
        }


def snarkjs_proofs(
    circuit: StandinCircuit, statements: Sequence[Statement]
) -> list[tuple[JsonObject, list[str]]]:
    """Return (proof.json, public.json) per statement, proven by snarkjs in one node process."""
    inputs = [s.circuit_input() for s in statements]
    digest = hashlib.sha256(json.dumps([str(circuit.zkey), inputs]).encode()).hexdigest()[:20]
    cached = CACHE_DIR / f"api-proofs-{digest}.json"
    if not cached.exists():
        node = require_executable("node")
        npm_tool("snarkjs")
        inputs_path = CACHE_DIR / f"api-inputs-{digest}.json"
        inputs_path.write_text(json.dumps(inputs))
        staging = cached.with_suffix(".tmp")
        import subprocess

        subprocess.run(
            [
                node,
                str(PROVE_MANY_JS),
                str(INTEROP_DIR / "node_modules" / "snarkjs"),
                str(circuit.wasm),
                str(circuit.zkey),
                str(inputs_path),
                str(staging),
            ],
            check=True,
            capture_output=True,
            timeout=600,
        )
        staging.rename(cached)
    return [(item["proof"], item["public"]) for item in json.loads(cached.read_text())]


def tiny_snapshot_json(epoch: int = 5) -> JsonObject:
    """Return a small valid ``MarketSnapshot`` JSON (1 perp, 1 collateral, 2 scenarios).

    Requires the margin model (``circuits.margin``): skipped locally, a failure in CI without it.
    """
    import importlib.util

    from tests.conftest import require

    present = all(
        importlib.util.find_spec(name) is not None
        for name in ("circuits.margin.loading", "circuits.margin.commitment")
    )
    require(present, "the margin model (circuits.margin.loading and circuits.margin.commitment)")
    return {
        "version": 1,
        "epoch": epoch,
        "timestamp": 1_700_000_000 + 3600 * epoch,
        "quote_decimals": 6,
        "tier_slots": 1,
        "haircut_tier_slots": 1,
        "scenarios": [
            {"name": "up", "price_move_ppm": 100_000, "vol_move_ppm": 0, "cover_ppm": 1_000_000},
            {"name": "down", "price_move_ppm": -100_000, "vol_move_ppm": 0, "cover_ppm": 1_000_000},
        ],
        "instruments": [
            {
                "symbol": "BTC-PERP",
                "kind": "perp",
                "size_scale": 100_000_000,
                "mark_price": 60_000_000_000,
                "funding_index": 0,
                "maintenance_tiers": [{"rate_ppm": 30_000, "deduction": 0}],
                "initial_tiers": [{"rate_ppm": 50_000, "deduction": 0}],
                "risk_array": [-6_000_000_000, 6_000_000_000],
                "short_option_minimum": 0,
            }
        ],
        "collateral": [
            {
                "symbol": "USDC",
                "price": 1_000_000,
                "scale": 1_000_000,
                "haircut_tiers": [{"weight_ppm": 1_000_000, "addition": 0}],
                "liability_weight_ppm": 1_000_000,
            }
        ],
    }
