"""``.zkey`` write → read round trips and FormatError on malformed files."""

from __future__ import annotations

import struct
from collections.abc import Callable
from pathlib import Path

import pytest

from algebra.backend import Backend
from algebra.constants import FIELD_MODULUS_Q
from algebra.errors import FormatError
from prover.keys import UNSAFE_LABEL, ProvingKey
from prover.prove import prove
from prover.qap import domain_size_for
from prover.zkey import load_zkey, read_zkey, read_zkey_summary, write_zkey
from tests.prover.conftest import tiny_witness
from verifier.provenance import KeyProvenance
from verifier.verify import verify


def _sections(data: bytes) -> list[tuple[int, int, int]]:
    """Return ``(type, body offset, size)`` of every section."""
    out, pos = [], 12
    for _ in range(struct.unpack_from("<I", data, 8)[0]):
        kind, size = struct.unpack_from("<IQ", data, pos)
        out.append((kind, pos + 12, size))
        pos += 12 + size
    return out


def _body(data: bytes, kind: int) -> tuple[int, int]:
    for found, offset, size in _sections(data):
        if found == kind:
            return offset, size
    raise AssertionError(f"no section {kind}")


def test_domain_size_follows_snarkjs() -> None:
    # rows = m + n_public + 1; the domain is the next power of two (at least 2)
    assert [domain_size_for(m, 1) for m in (0, 1, 2, 3, 6, 7, 8)] == [2, 4, 4, 8, 8, 16, 16]


def test_round_trip_keeps_key_and_bytes(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    write_zkey(dev_key, tmp_path / "a.zkey", backend=backend)
    again = read_zkey(tmp_path / "a.zkey", backend=backend)
    assert again == dev_key
    assert again.provenance is KeyProvenance.DEV
    write_zkey(again, tmp_path / "b.zkey", backend=backend)
    assert (tmp_path / "a.zkey").read_bytes() == (tmp_path / "b.zkey").read_bytes()
    summary = read_zkey_summary(tmp_path / "a.zkey", backend=backend)
    assert summary.vk == dev_key.vk and summary.provenance is KeyProvenance.DEV


def test_key_read_back_still_proves(backend: Backend, dev_key: ProvingKey, tmp_path: Path) -> None:
    write_zkey(dev_key, tmp_path / "k.zkey", backend=backend)
    again = read_zkey(tmp_path / "k.zkey", backend=backend)
    proof, public = prove(again, tiny_witness(2, 9), backend=backend, self_check=False)
    assert verify(dev_key.vk, proof, public, backend=backend)


def test_loaded_zkey_proves_like_the_read_key(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    write_zkey(dev_key, tmp_path / "k.zkey", backend=backend)
    loaded = load_zkey(tmp_path / "k.zkey", backend=backend)
    assert loaded.vk == dev_key.vk and loaded.provenance is KeyProvenance.DEV
    assert (loaded.n_wires, loaded.domain_size) == (dev_key.n_wires, dev_key.domain_size)
    proof, public = prove(loaded, tiny_witness(4, 7))
    _, expected_public = prove(dev_key, tiny_witness(4, 7), backend=backend)
    assert public == expected_public
    assert verify(dev_key.vk, proof, public, backend=backend)
    assert not verify(dev_key.vk, proof, [public[0], public[1] + 1], backend=backend)


def test_loaded_zkey_refuses_another_backend(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    write_zkey(dev_key, tmp_path / "k.zkey", backend=backend)
    loaded = load_zkey(tmp_path / "k.zkey", backend=backend)
    other = type(backend)()  # same kind, but not the instance that owns the tables
    with pytest.raises(ValueError, match="loaded into"):
        prove(loaded, tiny_witness(), backend=other)


def test_dev_key_is_labelled_unsafe(dev_key: ProvingKey) -> None:
    assert UNSAFE_LABEL in str(dev_key)
    assert "UNSAFE" in repr(dev_key)


def _flip_magic(data: bytearray) -> None:
    data[0:4] = b"zkez"


def _truncate(data: bytearray) -> None:
    del data[-10:]


def _protocol_plonk(data: bytearray) -> None:
    offset, _ = _body(bytes(data), 1)
    data[offset : offset + 4] = (2).to_bytes(4, "little")


def _wrong_prime(data: bytearray) -> None:
    offset, _ = _body(bytes(data), 2)
    data[offset + 4] ^= 1


def _coefficient_signal_out_of_range(data: bytearray) -> None:
    offset, _ = _body(bytes(data), 4)
    data[offset + 4 + 8 : offset + 4 + 12] = (10**6).to_bytes(4, "little")


def _coordinate_not_below_q(data: bytearray) -> None:
    offset, _ = _body(bytes(data), 5)
    data[offset : offset + 32] = FIELD_MODULUS_Q.to_bytes(32, "little")


def _point_off_curve(data: bytearray) -> None:
    offset, _ = _body(bytes(data), 9)
    data[offset] ^= 1


def _drop_h_section(data: bytearray) -> None:
    offset, _ = _body(bytes(data), 9)
    struct.pack_into("<I", data, offset - 12, 99)


def _ic_section_too_short(data: bytearray) -> None:
    offset, size = _body(bytes(data), 3)
    struct.pack_into("<Q", data, offset - 8, size - 64)
    del data[offset + size - 64 : offset + size]


@pytest.mark.parametrize("reader", [read_zkey, load_zkey])
@pytest.mark.parametrize(
    "corrupt",
    [
        _flip_magic,
        _truncate,
        _protocol_plonk,
        _wrong_prime,
        _coefficient_signal_out_of_range,
        _coordinate_not_below_q,
        _point_off_curve,
        _drop_h_section,
        _ic_section_too_short,
    ],
)
def test_malformed_zkey_is_a_format_error(
    backend: Backend,
    dev_key: ProvingKey,
    tmp_path: Path,
    corrupt: Callable[[bytearray], None],
    reader: Callable[..., object],
) -> None:
    path = tmp_path / "bad.zkey"
    write_zkey(dev_key, path, backend=backend)
    data = bytearray(path.read_bytes())
    corrupt(data)
    path.write_bytes(bytes(data))
    with pytest.raises(FormatError):
        reader(path, backend=backend)
