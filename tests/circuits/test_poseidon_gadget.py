"""In-circuit Poseidon and sponge: equal to the reference and circomlibjs, sound, pinned costs."""

from __future__ import annotations

import random
import subprocess
from pathlib import Path

import pytest

from algebra.constants import SCALAR_FIELD_R as R
from algebra.errors import MalformedInputError
from circuits.frontend import API, Circuit, CompiledCircuit, Variable, compile, public, secret
from circuits.std.poseidon import poseidon, poseidon_hash, poseidon_sponge, poseidon_sponge_hash
from circuits.testing import check_circuit, tamper_witness, unsatisfied_label
from tests.circuits.circomlibjs_poseidon import circomlibjs_poseidon, random_vectors
from tests.conftest import npm_tool, require_executable

# circomlib's Poseidon(n), n = 1 … 16, compiled with circom --O2 (our gadget's exact count)
# and with circom's default --O1; see docs/circuits.md.
CIRCOMLIB_O2 = [213, 240, 261, 297, 321, 354, 381, 402, 417, 459, 465, 504, 543, 537, 573, 609]


class Hash(Circuit):
    xs: list[Variable] = secret(length="n")
    digest: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(poseidon_hash(api, self.xs), self.digest)


class Sponge(Circuit):
    xs: list[Variable] = secret(length="n")
    digest: Variable = public()

    def define(self, api: API) -> None:
        api.assert_is_equal(poseidon_sponge_hash(api, self.xs, self.params["domain"]), self.digest)


def _compiled(arity: int) -> CompiledCircuit:
    return compile(Hash, {"n": arity})


def _row_of(compiled: CompiledCircuit, label: str) -> int:
    return compiled.r1cs.labels.index(label)


def _output_wire(compiled: CompiledCircuit, label: str) -> int:
    (wire,) = compiled.r1cs.constraints[_row_of(compiled, label)].c
    return wire


@pytest.mark.interop
def test_gadget_equals_circomlibjs_for_every_arity() -> None:
    vectors = random_vectors()
    expected = circomlibjs_poseidon(vectors)
    circuits = {arity: _compiled(arity) for arity in range(1, 17)}
    for vector, digest in zip(vectors, expected, strict=True):
        compiled = circuits[len(vector)]
        witness = compiled.solve({"xs": list(vector), "digest": digest})
        assert compiled.r1cs.is_satisfied(witness)


@pytest.mark.parametrize("arity", range(1, 17))
def test_gadget_cost_is_3_per_sbox_and_matches_circomlib_o2(arity: int) -> None:
    compiled = _compiled(arity)
    # + 1 linear row for assert_is_equal(digest).
    assert compiled.n_constraints == CIRCOMLIB_O2[arity - 1] + 1


@pytest.mark.parametrize("arity", [1, 2, 5, 16])
def test_gadget_equals_reference_on_random_inputs(arity: int) -> None:
    rng = random.Random(arity)
    inputs = [rng.randrange(R) for _ in range(arity)]
    check_circuit(
        Hash,
        {"n": arity},
        valid=[{"xs": inputs, "digest": poseidon(inputs)}],
        invalid=[{"xs": inputs, "digest": (poseidon(inputs) + 1) % R}],
    )


def test_tampered_partial_round_sbox_is_rejected_by_its_own_constraint() -> None:
    compiled = _compiled(2)
    inputs = [3, 4]
    witness = compiled.solve({"xs": inputs, "digest": poseidon(inputs)})
    for label in ("poseidon/round[30]/sbox[0]/x^5", "poseidon/round[30]/sbox[0]/x^2"):
        tampered = tamper_witness(witness, _output_wire(compiled, label), 12345)
        assert unsatisfied_label(compiled, tampered) == label


def test_tampered_full_round_sbox_is_rejected_by_its_own_constraint() -> None:
    compiled = _compiled(3)
    inputs = [1, 2, 3]
    witness = compiled.solve({"xs": inputs, "digest": poseidon(inputs)})
    label = "poseidon/round[2]/sbox[1]/x^4"
    tampered = tamper_witness(witness, _output_wire(compiled, label), witness[1] + 1)
    assert unsatisfied_label(compiled, tampered) == label


def test_tampered_output_is_rejected() -> None:
    compiled = _compiled(2)
    inputs = [3, 4]
    witness = compiled.solve({"xs": inputs, "digest": poseidon(inputs)})
    forged_digest = tamper_witness(witness, 1, poseidon([3, 5]))
    assert unsatisfied_label(compiled, forged_digest) == "assert_is_equal"
    last = "poseidon/round[64]/sbox[2]/x^5"
    assert (
        unsatisfied_label(compiled, tamper_witness(witness, _output_wire(compiled, last), 0))
        == last
    )


def test_consistent_forgery_of_the_last_sbox_still_breaks_the_output() -> None:
    """Recomputing x^5 from a tampered x^4 keeps that row true; the next row catches it."""
    compiled = _compiled(2)
    inputs = [3, 4]
    witness = compiled.solve({"xs": inputs, "digest": poseidon(inputs)})
    x4_wire = _output_wire(compiled, "poseidon/round[64]/sbox[0]/x^4")
    tampered = tamper_witness(witness, x4_wire, witness[x4_wire] + 1)
    assert unsatisfied_label(compiled, tampered) == "poseidon/round[64]/sbox[0]/x^4"


def test_constant_inputs_fold_to_no_constraint() -> None:
    class ConstantHash(Circuit):
        digest: Variable = public()

        def define(self, api: API) -> None:
            api.assert_is_equal(poseidon_hash(api, [1, 2]), self.digest)

    compiled = check_circuit(ConstantHash, valid=[{"digest": poseidon([1, 2])}])
    assert compiled.n_constraints == 1


@pytest.mark.parametrize("count", [0, 17])
def test_gadget_rejects_input_counts_outside_1_to_16(count: int) -> None:
    with pytest.raises(MalformedInputError):
        compile(Hash, {"n": count})


@pytest.mark.parametrize(
    ("length", "domain", "cost"),
    [(0, 0, 0), (1, 7, 3 * (8 * 17 + 68 - 16)), (16, 0, 609), (17, 2**64 - 1, 609 + 612)],
)
def test_sponge_gadget_equals_reference_with_pinned_cost(
    length: int, domain: int, cost: int
) -> None:
    rng = random.Random(length)
    inputs = [rng.randrange(R) for _ in range(length)]
    params = {"n": length, "domain": domain}
    digest = poseidon_sponge(inputs, domain)
    compiled = check_circuit(
        Sponge,
        params,
        valid=[{"xs": inputs, "digest": digest}],
        invalid=[{"xs": inputs, "digest": poseidon_sponge(inputs, (domain + 1) % 2**64)}],
    )
    assert compiled.n_constraints == cost + 1


def test_sponge_gadget_tampered_second_block_is_rejected() -> None:
    inputs = list(range(20))
    compiled = compile(Sponge, {"n": 20, "domain": 0})
    witness = compiled.solve({"xs": inputs, "digest": poseidon_sponge(inputs)})
    label = "poseidon_sponge/block[1]/round[40]/sbox[0]/x^2"
    tampered = tamper_witness(witness, _output_wire(compiled, label), 99)
    assert unsatisfied_label(compiled, tampered) == label


def test_sponge_gadget_rejects_a_domain_above_64_bits() -> None:
    with pytest.raises(MalformedInputError, match="domain"):
        compile(Sponge, {"n": 1, "domain": 2**64})


@pytest.mark.interop
def test_poseidon_circuit_passes_snarkjs_wtns_check(tmp_path: Path) -> None:
    node = require_executable("node")
    snarkjs = npm_tool("snarkjs")
    compiled = _compiled(2)
    witness = compiled.solve({"xs": [3, 4], "digest": poseidon([3, 4])})
    compiled.write_r1cs(tmp_path / "poseidon2.r1cs")
    compiled.write_wtns(witness, tmp_path / "poseidon2.wtns")
    done = subprocess.run(
        [node, str(snarkjs), "wtns", "check", "poseidon2.r1cs", "poseidon2.wtns"],
        cwd=tmp_path,
        capture_output=True,
        text=True,
        timeout=300,
        check=False,
    )
    assert done.returncode == 0, done.stdout + done.stderr
    assert "WITNESS IS CORRECT" in done.stdout + done.stderr
