"""Drive an audit: items in, chunks out to a runner, verdicts tallied into an :class:`AuditReport`.

Items stream from the source; unparseable ones and those that failed the service-record
checks are recorded at once, the others are grouped into chunks of ``chunk_size``
statements and verified by the runner (this process or Dask). With ``sample`` set, a
uniform random subset of that size is drawn first (reservoir sampling, seeded, the seed
recorded in the report) and only it is verified.
"""

from __future__ import annotations

import random
import secrets
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass
from datetime import UTC, datetime

from algebra.backend import get_backend
from algebra.errors import MalformedInputError, ZkError
from verifier.audit.chunks import INDEPENDENT_BACKENDS, ChunkStatement
from verifier.audit.items import AuditItem
from verifier.audit.runners import ChunkJob, ChunkRunner, LocalRunner
from verifier.batch import FAILED_PAIRING
from verifier.keys import VerifyingKey, prepare_verifying_key
from zkmargin.audit.report import AuditReport, InvalidEntry, KeyInfo
from zkmargin.audit.stats import MARGIN_N_PUBLIC, Tally

Advance = Callable[[int], None]


class KeyMismatchError(ZkError):
    """The verifying key cannot be the one the audited proofs were made for."""


@dataclass(frozen=True)
class AuditOptions:
    """How to audit: backend, chunk size, optional sample (size and seed)."""

    backend: str = "native"
    chunk_size: int = 256
    sample: int | None = None
    seed: int | None = None


def method_of(backend_name: str) -> str:
    """Return how a backend's audit checks proofs (batched or one by one)."""
    if backend_name in INDEPENDENT_BACKENDS:
        return "independent verification of each proof"
    return "random-linear-combination batch verification, bisected on failure"


def sample_items(items: Iterable[AuditItem], size: int, seed: int) -> tuple[list[AuditItem], int]:
    """Return a uniform random sample of ``size`` items (all if fewer) in source order, and
    the number of items seen."""
    rng = random.Random(seed)
    reservoir: list[AuditItem] = []
    seen = 0
    for seen, item in enumerate(items, start=1):
        if seen <= size:
            reservoir.append(item)
        else:
            slot = rng.randrange(seen)
            if slot < size:
                reservoir[slot] = item
    return sorted(reservoir, key=lambda item: item.position), seen


def check_key(vk: VerifyingKey, backend_name: str) -> None:
    """Validate the key with the chosen backend before reading any proof.

    Raises:
        BackendUnavailableError: the backend does not exist or is not built.
        KeyMismatchError: the key is malformed (a point off its curve, …).
    """
    try:
        prepare_verifying_key(vk, get_backend(backend_name))
    except MalformedInputError as error:
        raise KeyMismatchError(f"the verifying key is unusable: {error}") from error


class _Auditor:
    """Mutable state of one audit run: the report under construction and the chunks in flight."""

    def __init__(self, report: AuditReport, n_public: int, advance: Advance) -> None:
        self.report = report
        self.tally = Tally(margin=report.key.margin)
        self.n_public = n_public
        self.advance = advance
        self.pending: dict[int, list[AuditItem]] = {}
        self.next_index = 0
        self.input_count_matches = 0
        self.input_count_mismatches = 0

    def record(self, item: AuditItem, reason: str | None) -> None:
        self.tally.add(item, reason is None)
        if item.service_valid is not None and item.service_valid != (reason is None):
            self.report.disagreements.append(
                {
                    "id": item.item_id,
                    "service_valid": item.service_valid,
                    "audit_valid": reason is None,
                }
            )
        if reason is None:
            self.report.valid += 1
            return
        kind = item.error_kind or ("verification" if reason == FAILED_PAIRING else "malformed")
        self.report.invalid.append(
            InvalidEntry(item.position, item.item_id, reason, kind, item.epoch, item.service_valid)
        )

    def jobs(self, items: Iterable[AuditItem], chunk_size: int) -> Iterator[ChunkJob]:
        chunk: list[AuditItem] = []
        for item in items:
            self.report.entries += 1
            if not item.checkable:
                self.record(item, item.error)
                self.advance(1)
                continue
            assert item.public is not None
            if len(item.public) == self.n_public:
                self.input_count_matches += 1
            else:
                self.input_count_mismatches += 1
            chunk.append(item)
            if len(chunk) == chunk_size:
                yield self._job(chunk)
                chunk = []
        if chunk:
            yield self._job(chunk)

    def _job(self, chunk: list[AuditItem]) -> ChunkJob:
        index = self.next_index
        self.next_index += 1
        self.pending[index] = chunk
        statements: list[ChunkStatement] = []
        for item in chunk:
            assert item.public is not None
            proof = item.proof if item.proof is not None else item.proof_json
            statements.append((proof, item.public))
        return index, statements

    def finish_chunk(self, index: int, invalid: dict[int, str]) -> None:
        chunk = self.pending.pop(index)
        for k, item in enumerate(chunk):
            self.record(item, invalid.get(k))
        self.advance(len(chunk))


def run_audit(
    vk: VerifyingKey,
    items: Iterable[AuditItem],
    *,
    source: str,
    options: AuditOptions,
    runner: ChunkRunner | None = None,
    advance: Advance | None = None,
) -> AuditReport:
    """Audit ``items`` against ``vk`` and return the report (invalid entries in source order).

    Args:
        vk: the verifying key every proof must verify under.
        items: the source's items (parse failures included, as invalid items).
        source: a description of the source for the report.
        options: backend, chunk size and sampling.
        runner: where chunks run (default: this process).
        advance: called with the number of items resolved, for progress display.

    Raises:
        KeyMismatchError: the key is malformed, or no proof has the key's input count.
        BackendUnavailableError: the backend is unknown or not built.
    """
    check_key(vk, options.backend)
    chosen_runner = runner if runner is not None else LocalRunner()
    report = AuditReport(
        source=source,
        backend=options.backend,
        method=method_of(options.backend),
        runner=chosen_runner.description,
        chunk_size=options.chunk_size,
        key=KeyInfo(vk.fingerprint(), vk.n_public, vk.n_public == MARGIN_N_PUBLIC),
        started_at=datetime.now(UTC).isoformat(timespec="seconds"),
    )
    start = time.perf_counter()
    if options.sample is not None:
        seed = options.seed if options.seed is not None else secrets.randbits(32)
        items, seen = sample_items(items, options.sample, seed)
        report.sample = {"requested": options.sample, "seed": seed, "drawn_from": seen}
    auditor = _Auditor(report, vk.n_public, advance or (lambda _: None))
    verdicts = chosen_runner.run(vk, options.backend, auditor.jobs(items, options.chunk_size))
    for index, invalid in verdicts:
        auditor.finish_chunk(index, invalid)
    report.total_seconds = time.perf_counter() - start
    if report.sample is not None:
        report.entries = report.sample["drawn_from"]
    report.invalid.sort(key=lambda entry: entry.position)
    report.epochs = auditor.tally.ordered()
    if auditor.input_count_matches == 0 and auditor.input_count_mismatches > 0:
        raise KeyMismatchError(
            f"the verifying key takes {vk.n_public} public inputs but none of the "
            f"{auditor.input_count_mismatches} proofs has that many: wrong key?"
        )
    return report
