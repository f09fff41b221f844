"""The native one-kernel batch check against its specification, the Python bisection path.

``NativeBackend.groth16_batch_invalid`` must name exactly the proofs the specification
path of :func:`verifier.batch.batch_verify` names (same scalars), wherever the invalid
proofs sit: first, last, on either side of a bisection border, all of them, none.
"""

from __future__ import annotations

import random
from dataclasses import replace
from typing import Any, cast

import pytest

from algebra.backend import Backend, get_backend
from algebra.constants import G1_GENERATOR, SCALAR_FIELD_R
from algebra.encoding import fr_vector_to_bytes, g1_from_bytes, g1_to_bytes
from algebra.errors import BackendUnavailableError, MalformedInputError
from tests.conftest import require
from tests.verifier.vectors import random_inputs, toy_key, toy_proofs
from verifier.batch import FAILED_PAIRING, batch_verify
from verifier.checks import encode_proof
from verifier.keys import PreparedVerifyingKey, prepared
from verifier.proof import Proof

N = 40
N_PUBLIC = 3
Items = list[tuple[Proof, list[int]]]


class SpecificationBackend:
    """The native backend without its batch kernel: batch_verify takes the Python path."""

    def __init__(self, inner: Backend) -> None:
        self._inner = inner
        self.name = inner.name

    def __getattr__(self, attribute: str) -> Any:
        if attribute == "groth16_batch_invalid":
            raise AttributeError(attribute)
        return getattr(self._inner, attribute)


@pytest.fixture(scope="module")
def native() -> Backend:
    """The native backend; skips locally and fails in CI when it is not built."""
    try:
        return get_backend("native")
    except BackendUnavailableError as error:
        require(False, f"native backend ({error})")
        raise


@pytest.fixture(scope="module")
def setup(native: Backend) -> tuple[PreparedVerifyingKey, Items]:
    """A toy key and ``N`` valid proofs under it."""
    key = toy_key(native, N_PUBLIC, seed=21)
    inputs = random_inputs(N, N_PUBLIC, seed=22)
    proofs = toy_proofs(native, key, inputs, seed=23)
    return prepared(key.vk, native), list(zip(proofs, inputs, strict=True))


def _break(native: Backend, items: Items, bad: set[int]) -> Items:
    """Invalidate the items in ``bad``: a shifted C for even indices, a changed input for odd."""
    out = list(items)
    step = g1_to_bytes(G1_GENERATOR)
    for i in bad:
        proof, x = out[i]
        if i % 2:
            out[i] = (proof, [x[0], (x[1] + 1) % SCALAR_FIELD_R, *x[2:]])
        else:
            shifted = g1_from_bytes(native.g1_add(g1_to_bytes(proof.c), step))
            out[i] = (replace(proof, c=shifted), x)
    return out


@pytest.mark.parametrize(
    "bad",
    [
        set(),
        {0},
        {N - 1},
        {N // 2 - 1, N // 2},  # both sides of the first bisection border
        {N // 4 - 1, N // 4, 3 * N // 4},
        set(range(0, N, 2)),
        set(range(N)),  # every proof invalid
    ],
    ids=["none", "first", "last", "border", "quarters", "every-other", "all"],
)
def test_batch_kernel_names_exactly_what_the_specification_path_names(
    native: Backend, setup: tuple[PreparedVerifyingKey, Items], bad: set[int]
) -> None:
    pvk, items = setup
    broken = _break(native, items, bad)
    spec = cast(Backend, SpecificationBackend(native))
    kernel_result = batch_verify(pvk, broken, backend=native, rng=random.Random(4))
    spec_result = batch_verify(prepared(pvk.vk, spec), broken, backend=spec, rng=random.Random(4))
    assert kernel_result == spec_result
    assert kernel_result.invalid_indices == sorted(bad)
    assert kernel_result.reasons == dict.fromkeys(sorted(bad), FAILED_PAIRING)


def test_batch_kernel_handles_single_and_odd_sized_chunks(
    native: Backend, setup: tuple[PreparedVerifyingKey, Items]
) -> None:
    pvk, items = setup
    for size, bad in ((1, {0}), (1, set()), (7, {3, 6}), (13, {0, 12})):
        broken = _break(native, items[:size], bad)
        assert batch_verify(pvk, broken, backend=native).invalid_indices == sorted(bad)


def _kernel_args(pvk: PreparedVerifyingKey, items: Items, scalars: list[int]) -> dict[str, bytes]:
    encoded = [encode_proof(proof) for proof, _ in items]
    return {
        "alpha": pvk.alpha_g1_bytes,
        "ic": b"".join(g1_to_bytes(p) for p in pvk.vk.gamma_abc_g1),
        "neg_g2": pvk.neg_beta_g2_bytes + pvk.neg_gamma_g2_bytes + pvk.neg_delta_g2_bytes,
        "a": b"".join(a for a, _, _ in encoded),
        "b": b"".join(b for _, b, _ in encoded),
        "c": b"".join(c for _, _, c in encoded),
        "inputs": fr_vector_to_bytes(x for _, row in items for x in row),
        "scalars": fr_vector_to_bytes(scalars),
    }


def test_batch_kernel_rejects_malformed_buffers(
    native: Backend, setup: tuple[PreparedVerifyingKey, Items]
) -> None:
    pvk, items = setup
    kernel = native.groth16_batch_invalid  # type: ignore[attr-defined]
    good = _kernel_args(pvk, items[:4], [5, 6, 7, 8])
    assert kernel(**good) == []
    off_curve = g1_to_bytes((1, 3))
    cases = {
        "a": off_curve + good["a"][64:],
        "c": good["c"][:64],
        "inputs": good["inputs"][:-32],
        "scalars": good["scalars"][:-32] + SCALAR_FIELD_R.to_bytes(32, "little"),
        "neg_g2": good["neg_g2"][:256],
    }
    for name, value in cases.items():
        with pytest.raises(MalformedInputError):
            kernel(**{**good, name: value})
