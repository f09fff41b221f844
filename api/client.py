"""A typed Python client of the verifier service (httpx), one method per route.

Used by ``zkm submit``/``zkm status``, the demo and auditors. Every non-2xx answer
raises :class:`ServiceCallError` carrying the status code and the service's ``detail``.
"""

from __future__ import annotations

import json
from collections.abc import Iterator, Mapping, Sequence
from typing import Any, TypeVar

import httpx
from pydantic import BaseModel, TypeAdapter

from algebra.errors import ZkError
from api.schemas import (
    AccountPublic,
    AccountStatus,
    AuditEntryPublic,
    BatchVerifyResult,
    CircuitPolicyPublic,
    CircuitPublic,
    CommitmentPublic,
    EpochPublic,
    EpochReport,
    HealthPublic,
    ProofExport,
    ProofPublic,
    SigningKeyPublic,
    SnapshotFull,
    SnapshotProvenance,
    SnapshotPublic,
    VerifyResult,
    VoidedPublic,
)
from api.solvency_schemas import (
    RegistryExport,
    RegistryFreezePublic,
    SolvencyCircuitPolicyPublic,
    SolvencyPublic,
    SolvencySummary,
)

T = TypeVar("T", bound=BaseModel)
JsonObject = Mapping[str, Any]


class ServiceCallError(ZkError):
    """The service refused a request: ``status_code`` and its ``detail`` line."""

    def __init__(
        self,
        status_code: int,
        detail: str,
        findings: Sequence[str] = (),
        extra: Mapping[str, Any] | None = None,
    ) -> None:
        self.status_code = status_code
        self.detail = detail
        self.findings = list(findings)
        """Every finding of a refused solvency bundle (empty for other refusals)."""
        self.extra = dict(extra or {})
        """The answer's other fields, e.g. ``code`` and ``declared_circuit`` of a solvency
        bundle under a circuit not declared for its epoch (empty for most refusals)."""
        super().__init__(f"service answered {status_code}: {detail}")


def _extra(response: httpx.Response) -> dict[str, Any]:
    try:
        body = response.json()
    except ValueError:
        return {}
    if not isinstance(body, dict):
        return {}
    return {k: v for k, v in body.items() if k not in ("detail", "errors", "findings")}


def _findings(response: httpx.Response) -> list[str]:
    try:
        body = response.json()
    except ValueError:
        return []
    found = body.get("findings") if isinstance(body, dict) else None
    return [str(f) for f in found] if isinstance(found, list) else []


def _detail(response: httpx.Response) -> str:
    try:
        body = response.json()
    except ValueError:
        return response.text[:200] or response.reason_phrase
    detail = body.get("detail") if isinstance(body, dict) else None
    return str(detail) if detail is not None else response.reason_phrase


class ZkmClient:
    """Client for one service URL and API key; use as a context manager or call :meth:`close`."""

    def __init__(
        self,
        base_url: str,
        key: str | None,
        *,
        timeout: float = 30.0,
        http: httpx.Client | None = None,
    ) -> None:
        """Connect to ``base_url`` with ``key``; ``http`` reuses an existing client (tests)."""
        self._auth = {"Authorization": f"Bearer {key}"} if key else {}
        self._http = http or httpx.Client(base_url=base_url, timeout=timeout)
        self._owns_http = http is None

    def __enter__(self) -> ZkmClient:
        return self

    def __exit__(self, *_: object) -> None:
        self.close()

    def close(self) -> None:
        """Close the underlying connection pool (unless it was passed in)."""
        if self._owns_http:
            self._http.close()

    def _call(self, method: str, path: str, model: type[T], **kwargs: Any) -> T:
        response = self._http.request(method, path, headers=self._auth, **kwargs)
        if response.is_error:
            raise ServiceCallError(
                response.status_code, _detail(response), _findings(response), _extra(response)
            )
        return model.model_validate(response.json())

    def _call_list(self, path: str, model: type[T], **kwargs: Any) -> list[T]:
        response = self._http.get(path, headers=self._auth, **kwargs)
        if response.is_error:
            raise ServiceCallError(response.status_code, _detail(response))
        return TypeAdapter(list[model]).validate_python(response.json())  # type: ignore[valid-type]

    # --- routes --------------------------------------------------------------------------
    def health(self) -> HealthPublic:
        """``GET /v1/health``."""
        return self._call("GET", "/v1/health", HealthPublic)

    def register_circuit(
        self,
        circuit_id: str,
        verifying_key: JsonObject,
        *,
        margin: bool = True,
        description: str = "",
        provenance: str | None = None,
        ceremony: JsonObject | None = None,
        margin_shape: JsonObject | None = None,
    ) -> CircuitPublic:
        """``POST /v1/circuits`` (admin); ``ceremony`` is the provenance evidence, if any;
        ``margin_shape`` the slot counts when the key file lacks ``zkm_margin_shape``."""
        body: dict[str, Any] = {
            "circuit_id": circuit_id,
            "verifying_key": verifying_key,
            "margin": margin,
            "description": description,
        }
        if provenance is not None:
            body["provenance"] = provenance
        if ceremony is not None:
            body["ceremony"] = dict(ceremony)
        if margin_shape is not None:
            body["margin_shape"] = dict(margin_shape)
        return self._call("POST", "/v1/circuits", CircuitPublic, json=body)

    def retire_circuit(self, circuit_id: str) -> CircuitPublic:
        """``POST /v1/circuits/{circuit_id}/retire`` (admin)."""
        return self._call("POST", f"/v1/circuits/{circuit_id}/retire", CircuitPublic)

    def declare_margin_circuit(
        self,
        circuit_id: str,
        *,
        from_epoch: int,
        to_epoch: int | None = None,
        fingerprint: str | None = None,
    ) -> CircuitPolicyPublic:
        """``POST /v1/policy/margin-circuits`` (admin): the circuit that counts from an epoch."""
        body: dict[str, Any] = {"circuit_id": circuit_id, "from_epoch": from_epoch}
        if to_epoch is not None:
            body["to_epoch"] = to_epoch
        if fingerprint is not None:
            body["fingerprint"] = fingerprint
        return self._call("POST", "/v1/policy/margin-circuits", CircuitPolicyPublic, json=body)

    def margin_circuit_policy(self) -> list[CircuitPolicyPublic]:
        """``GET /v1/policy/margin-circuits``."""
        return self._call_list("/v1/policy/margin-circuits", CircuitPolicyPublic)

    def declare_solvency_circuit(
        self,
        circuit_id: str,
        *,
        from_epoch: int,
        to_epoch: int | None = None,
        fingerprint: str | None = None,
    ) -> SolvencyCircuitPolicyPublic:
        """``POST /v1/policy/solvency-circuits`` (admin): the SolvencyChunk circuit that counts
        for venues' solvency bundles from an epoch."""
        body: dict[str, Any] = {"circuit_id": circuit_id, "from_epoch": from_epoch}
        if to_epoch is not None:
            body["to_epoch"] = to_epoch
        if fingerprint is not None:
            body["fingerprint"] = fingerprint
        path = "/v1/policy/solvency-circuits"
        return self._call("POST", path, SolvencyCircuitPolicyPublic, json=body)

    def solvency_circuit_policy(self) -> list[SolvencyCircuitPolicyPublic]:
        """``GET /v1/policy/solvency-circuits``."""
        return self._call_list("/v1/policy/solvency-circuits", SolvencyCircuitPolicyPublic)

    def open_epoch(self, epoch: int, *, market: str = "default") -> EpochPublic:
        """``POST /v1/epochs`` (admin)."""
        body = {"epoch": epoch, "market": market}
        return self._call("POST", "/v1/epochs", EpochPublic, json=body)

    def get_epoch(self, epoch: int) -> EpochPublic:
        """``GET /v1/epochs/{epoch}``."""
        return self._call("GET", f"/v1/epochs/{epoch}", EpochPublic)

    def enroll_accounts(self, venue_id: str, account_ids: Sequence[str]) -> list[AccountPublic]:
        """``POST /v1/venues/{venue_id}/accounts`` (admin)."""
        response = self._http.post(
            f"/v1/venues/{venue_id}/accounts",
            headers=self._auth,
            json={"account_ids": list(account_ids)},
        )
        if response.is_error:
            raise ServiceCallError(response.status_code, _detail(response))
        return TypeAdapter(list[AccountPublic]).validate_python(response.json())

    def venue_accounts(self, venue_id: str) -> list[AccountPublic]:
        """``GET /v1/venues/{venue_id}/accounts`` (that venue's keys, admin)."""
        return self._call_list(f"/v1/venues/{venue_id}/accounts", AccountPublic)

    def list_circuits(self) -> list[CircuitPublic]:
        """``GET /v1/circuits``."""
        return self._call_list("/v1/circuits", CircuitPublic)

    def get_circuit(self, circuit_id: str) -> CircuitPublic:
        """``GET /v1/circuits/{circuit_id}``."""
        return self._call("GET", f"/v1/circuits/{circuit_id}", CircuitPublic)

    def post_snapshot(
        self, epoch: int, snapshot: JsonObject, signed: JsonObject | None = None
    ) -> SnapshotPublic:
        """``POST /v1/snapshots`` (oracle); returns the ``snapshot_hash``.

        ``signed`` is ``{"metadata", "market_inputs", "policy"}`` (see ``SignedParts``).
        """
        body: dict[str, Any] = {"epoch": epoch, "snapshot": snapshot}
        if signed is not None:
            body["signed"] = signed
        return self._call("POST", "/v1/snapshots", SnapshotPublic, json=body)

    def snapshot_provenance(self, epoch: int) -> SnapshotProvenance:
        """``GET /v1/snapshots/{epoch}/provenance``: signed metadata, signer, inputs, policy."""
        return self._call("GET", f"/v1/snapshots/{epoch}/provenance", SnapshotProvenance)

    def register_signing_key(self, api_key_id: str, public_key_pem: str) -> SigningKeyPublic:
        """``POST /v1/oracle-keys`` (admin): tie an Ed25519 public key to an oracle key."""
        body = {"api_key_id": api_key_id, "public_key": public_key_pem}
        return self._call("POST", "/v1/oracle-keys", SigningKeyPublic, json=body)

    def revoke_signing_key(self, signer_key_id: str) -> SigningKeyPublic:
        """``POST /v1/oracle-keys/{signer_key_id}/revoke`` (admin): refuse the key's snapshots."""
        return self._call("POST", f"/v1/oracle-keys/{signer_key_id}/revoke", SigningKeyPublic)

    def signing_keys(self) -> list[SigningKeyPublic]:
        """``GET /v1/oracle-keys``."""
        return self._call_list("/v1/oracle-keys", SigningKeyPublic)

    def get_snapshot(self, epoch: int) -> SnapshotFull:
        """``GET /v1/snapshots/{epoch}``."""
        return self._call("GET", f"/v1/snapshots/{epoch}", SnapshotFull)

    def void_snapshot(self, epoch: int, reason: str) -> VoidedPublic:
        """``POST /v1/snapshots/{epoch}/void`` (its poster, or admin)."""
        body = {"reason": reason}
        return self._call("POST", f"/v1/snapshots/{epoch}/void", VoidedPublic, json=body)

    def register_commitment(self, account_id: str, epoch: int, commitment: int) -> CommitmentPublic:
        """``POST /v1/commitments`` (venue)."""
        body = {"account_id": account_id, "epoch": epoch, "commitment": str(commitment)}
        return self._call("POST", "/v1/commitments", CommitmentPublic, json=body)

    def get_commitment(self, account_id: str, epoch: int) -> CommitmentPublic:
        """``GET /v1/commitments/{account_id}/{epoch}``."""
        return self._call("GET", f"/v1/commitments/{account_id}/{epoch}", CommitmentPublic)

    def void_commitment(self, account_id: str, epoch: int, reason: str) -> VoidedPublic:
        """``POST /v1/commitments/{account_id}/{epoch}/void`` (its poster, or admin)."""
        path = f"/v1/commitments/{account_id}/{epoch}/void"
        return self._call("POST", path, VoidedPublic, json={"reason": reason})

    def submit_proof(
        self,
        account_id: str,
        epoch: int,
        circuit_id: str,
        proof: JsonObject,
        public_inputs: Sequence[str | int],
    ) -> ProofPublic:
        """``POST /v1/proofs`` (trader); the verdict is ``.valid``."""
        body = submission_body(account_id, epoch, circuit_id, proof, public_inputs)
        return self._call("POST", "/v1/proofs", ProofPublic, json=body)

    def get_proof(self, proof_id: int) -> ProofPublic:
        """``GET /v1/proofs/{proof_id}``."""
        return self._call("GET", f"/v1/proofs/{proof_id}", ProofPublic)

    def status(self, account_id: str, epoch: int) -> AccountStatus:
        """``GET /v1/accounts/{account_id}/status?epoch=E`` (clearing, auditor)."""
        return self._call(
            "GET", f"/v1/accounts/{account_id}/status", AccountStatus, params={"epoch": epoch}
        )

    def verify(
        self, circuit_id: str, proof: JsonObject, public_inputs: Sequence[str | int]
    ) -> VerifyResult:
        """``POST /v1/verify`` (any role; nothing stored)."""
        body = {
            "circuit_id": circuit_id,
            "proof": proof,
            "public_inputs": [str(x) for x in public_inputs],
        }
        return self._call("POST", "/v1/verify", VerifyResult, json=body)

    def batch_verify(
        self,
        circuit_id: str,
        items: Sequence[tuple[JsonObject, Sequence[str | int]]],
        ids: Sequence[str] | None = None,
    ) -> BatchVerifyResult:
        """``POST /v1/batch-verify`` (auditor); ``ids`` label the items in the answer."""
        body_items = [
            {
                "proof": proof,
                "public_inputs": [str(x) for x in public],
                "id": ids[i] if ids is not None else None,
            }
            for i, (proof, public) in enumerate(items)
        ]
        body = {"circuit_id": circuit_id, "items": body_items}
        return self._call("POST", "/v1/batch-verify", BatchVerifyResult, json=body)

    def epoch_proofs(self, epoch: int) -> Iterator[ProofExport]:
        """``GET /v1/epochs/{epoch}/proofs`` (auditor), parsed line by line as it streams."""
        path = f"/v1/epochs/{epoch}/proofs"
        with self._http.stream("GET", path, headers=self._auth) as response:
            if response.is_error:
                response.read()
                raise ServiceCallError(response.status_code, _detail(response))
            for line in response.iter_lines():
                if line.strip():
                    yield ProofExport.model_validate(json.loads(line))

    def epoch_report(self, epoch: int) -> EpochReport:
        """``GET /v1/epochs/{epoch}/report`` (clearing, auditor)."""
        return self._call("GET", f"/v1/epochs/{epoch}/report", EpochReport)

    # --- venue-level solvency (issue #18) ---------------------------------------------------
    def freeze_registry(self, epoch: int) -> RegistryFreezePublic:
        """``POST /v1/epochs/{epoch}/freeze`` (venue): the cut-off of the key's venue's registry."""
        return self._call("POST", f"/v1/epochs/{epoch}/freeze", RegistryFreezePublic)

    def registry(self, epoch: int, venue_id: str) -> RegistryExport:
        """``GET /v1/epochs/{epoch}/registry``: the venue's frozen list, canonical order."""
        params = {"venue": venue_id}
        return self._call("GET", f"/v1/epochs/{epoch}/registry", RegistryExport, params=params)

    def post_solvency(
        self,
        epoch: int,
        bundle: JsonObject,
        *,
        circuit_id: str,
        reserves: int,
        insurance: int,
    ) -> SolvencySummary:
        """``POST /v1/epochs/{epoch}/solvency`` (venue); ``bundle`` is ``{"statement",
        "chunks"}`` (:func:`zkmargin.solvency.bundle.bundle_json`). A refused bundle raises
        :class:`ServiceCallError` with every finding in ``findings``."""
        body = {
            "circuit_id": circuit_id,
            "reserves": str(reserves),
            "insurance": str(insurance),
            "statement": bundle["statement"],
            "chunks": bundle["chunks"],
        }
        return self._call("POST", f"/v1/epochs/{epoch}/solvency", SolvencySummary, json=body)

    def solvency(self, epoch: int, venue_id: str) -> SolvencyPublic:
        """``GET /v1/epochs/{epoch}/solvency``: the venue's stored bundle and verdict."""
        params = {"venue": venue_id}
        return self._call("GET", f"/v1/epochs/{epoch}/solvency", SolvencyPublic, params=params)

    def solvency_summary(self, epoch: int, venue_id: str) -> SolvencySummary:
        """``GET /v1/epochs/{epoch}/solvency/summary``: the venue's verdict and totals."""
        path = f"/v1/epochs/{epoch}/solvency/summary"
        return self._call("GET", path, SolvencySummary, params={"venue": venue_id})

    def audit_log(self, *, after_id: int = 0, limit: int = 100) -> list[AuditEntryPublic]:
        """``GET /v1/audit`` (auditor)."""
        params = {"after_id": after_id, "limit": limit}
        return self._call_list("/v1/audit", AuditEntryPublic, params=params)


def submission_body(
    account_id: str,
    epoch: int,
    circuit_id: str,
    proof: JsonObject,
    public_inputs: Sequence[str | int],
) -> dict[str, Any]:
    """Return the JSON body of ``POST /v1/proofs`` (also used by the async benchmark)."""
    return {
        "account_id": account_id,
        "epoch": epoch,
        "circuit_id": circuit_id,
        "proof": dict(proof),
        "public_inputs": [str(x) for x in public_inputs],
    }
