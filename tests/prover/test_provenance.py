"""Key provenance read from ``.zkey`` files: the metadata claim, the structure, old files."""

from __future__ import annotations

import json
import struct
from dataclasses import replace
from pathlib import Path

import pytest

from algebra.backend import Backend
from algebra.constants import G2_GENERATOR
from prover.keys import UNCONTRIBUTED_LABEL, UNSAFE_LABEL, ProvingKey
from prover.zkey import METADATA_SECTION, load_zkey, read_zkey, read_zkey_summary, write_zkey
from verifier.keys import VerifyingKey
from verifier.provenance import KeyProvenance


def _sections(data: bytes) -> list[tuple[int, bytes]]:
    out, pos = [], 12
    for _ in range(struct.unpack_from("<I", data, 8)[0]):
        kind, size = struct.unpack_from("<IQ", data, pos)
        out.append((kind, data[pos + 12 : pos + 12 + size]))
        pos += 12 + size
    return out


def _rewrite(path: Path, sections: list[tuple[int, bytes]]) -> None:
    data = path.read_bytes()[:8] + struct.pack("<I", len(sections))
    for kind, body in sections:
        data += struct.pack("<IQ", kind, len(body)) + body
    path.write_bytes(data)


def _strip_metadata(path: Path) -> None:
    kept = [s for s in _sections(path.read_bytes()) if s[0] != METADATA_SECTION]
    assert len(kept) == len(_sections(path.read_bytes())) - 1
    _rewrite(path, kept)


def _set_metadata(path: Path, meta: object) -> None:
    kept = [s for s in _sections(path.read_bytes()) if s[0] != METADATA_SECTION]
    _rewrite(path, [*kept, (METADATA_SECTION, json.dumps(meta).encode())])


def _provenances(path: Path, backend: Backend) -> set[KeyProvenance | None]:
    return {
        read_zkey(path, backend=backend).provenance,
        load_zkey(path, backend=backend).provenance,
        read_zkey_summary(path, backend=backend).provenance,
    }


def _with_gamma_one(key: ProvingKey) -> ProvingKey:
    """The dev key dressed as a phase-2 key: γ = G2 (its IC no longer matches; shape only)."""
    vk = key.vk
    gamma_one = VerifyingKey(vk.alpha_g1, vk.beta_g2, G2_GENERATOR, vk.delta_g2, vk.gamma_abc_g1)
    return replace(key, vk=gamma_one, provenance=None, _prepared={})


def test_dev_key_metadata_names_its_provenance(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    path = tmp_path / "dev.zkey"
    write_zkey(dev_key, path, backend=backend)
    (meta_body,) = [body for kind, body in _sections(path.read_bytes()) if kind == METADATA_SECTION]
    assert json.loads(meta_body)["provenance"] == "dev"
    assert _provenances(path, backend) == {KeyProvenance.DEV}


def test_dev_key_stays_dev_when_its_metadata_section_is_stripped(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    path = tmp_path / "stripped.zkey"
    write_zkey(dev_key, path, backend=backend)
    _strip_metadata(path)
    assert _provenances(path, backend) == {KeyProvenance.DEV}
    assert UNSAFE_LABEL in str(read_zkey(path, backend=backend))


def test_dev_key_claiming_ceremony_verified_in_metadata_is_still_dev(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    path = tmp_path / "claims.zkey"
    write_zkey(dev_key, path, backend=backend)
    _set_metadata(path, {"generator": "zkmargin", "provenance": "ceremony-verified"})
    assert _provenances(path, backend) == {KeyProvenance.DEV}


def test_legacy_unsafe_dev_setup_flag_reads_as_dev(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    path = tmp_path / "legacy.zkey"
    write_zkey(_with_gamma_one(dev_key), path, backend=backend)
    _set_metadata(path, {"generator": "zkmargin", "unsafe_dev_setup": True})
    assert _provenances(path, backend) == {KeyProvenance.DEV}


def test_key_without_metadata_or_contributions_is_uncontributed(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    path = tmp_path / "fresh.zkey"
    write_zkey(_with_gamma_one(dev_key), path, backend=backend)
    assert METADATA_SECTION not in {kind for kind, _ in _sections(path.read_bytes())}
    assert _provenances(path, backend) == {KeyProvenance.UNCONTRIBUTED}
    key = read_zkey(path, backend=backend)
    assert key.is_unsafe and UNCONTRIBUTED_LABEL in str(key) and "UNSAFE" in repr(key)


def test_contributed_key_without_metadata_has_no_provenance_until_verified(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path
) -> None:
    path = tmp_path / "contributed.zkey"
    one_record = bytes(64) + (1).to_bytes(4, "little")
    write_zkey(replace(_with_gamma_one(dev_key), contributions=one_record), path, backend=backend)
    assert _provenances(path, backend) == {None}
    assert read_zkey_summary(path, backend=backend).n_contributions == 1
    assert not read_zkey(path, backend=backend).is_unsafe


@pytest.mark.parametrize("meta", [{"provenance": "trusted"}, {"generator": "zkmargin"}, [1]])
def test_metadata_without_a_valid_provenance_is_a_format_error(
    backend: Backend, dev_key: ProvingKey, tmp_path: Path, meta: object
) -> None:
    from algebra.errors import FormatError

    path = tmp_path / "bad-meta.zkey"
    write_zkey(dev_key, path, backend=backend)
    _set_metadata(path, meta)
    with pytest.raises(FormatError):
        read_zkey_summary(path, backend=backend)
