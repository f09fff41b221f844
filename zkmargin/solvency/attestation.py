"""The ``SolvencyAttestation`` contract: an epoch's solvency statement, attested by auditors.

Design (``docs/solvency.md``, "On-chain"): the venue's poster posts each epoch's statement —
the totals (liabilities, deficit, at-risk, maintenance, initial, count), the commitment-list
root, the snapshot hash, the venue's claimed reserves and insurance fund, and the SHA-256
fingerprint of the chunk verifying key — and registered auditors attest it with EIP-712
ECDSA signatures over exactly that statement (:func:`solvency_typed_data`), after running
``zkm solvency verify`` on the bundle. The contract checks a quorum of distinct registered
auditors with ``ecrecover``; an attested epoch is immutable. No Groth16 proof is verified
on-chain: the last chunk's proof alone proves nothing about the totals (its ``acc_in``
is bound to ``acc_0`` only through every earlier chunk), so the auditor's signature that
*all* chunks verified is what the chain records.

The signed domain is ``(name, version, chainId, verifyingContract)``, so a signature is valid
for one contract on one chain only; the epoch is a field of the signed statement, so it is
valid for one epoch only. Signatures must be low-s with v ∈ {27, 28} (no malleable twins) and
come in ascending signer order (distinct signers without a storage set).
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from algebra.constants import SCALAR_FIELD_R
from algebra.errors import MalformedInputError
from circuits.solvency.totals import COUNT_BITS, TOTAL_BITS, SolvencyTotals

CONTRACT_NAME = "SolvencyAttestation"
DOMAIN_NAME = "zkmargin SolvencyAttestation"
DOMAIN_VERSION = "1"

STATEMENT_FIELDS: tuple[tuple[str, str], ...] = (
    ("epoch", "uint64"),
    ("listRoot", "uint256"),
    ("snapshotHash", "uint256"),
    ("liabilities", "uint256"),
    ("deficit", "uint256"),
    ("atRisk", "uint256"),
    ("maintenance", "uint256"),
    ("initial", "uint256"),
    ("count", "uint256"),
    ("reserves", "uint256"),
    ("insurance", "uint256"),
    ("verifyingKey", "bytes32"),
)
"""The EIP-712 ``SolvencyStatement`` type, in encoding order (the Solidity struct's order)."""

STATEMENT_TYPE = "SolvencyStatement(" + ",".join(f"{t} {n}" for n, t in STATEMENT_FIELDS) + ")"


@dataclass(frozen=True)
class AttestedStatement:
    """What the venue posts for an epoch and the auditors sign (all values canonical)."""

    epoch: int
    list_root: int
    snapshot_hash: int
    totals: SolvencyTotals
    reserves: int
    insurance: int
    verifying_key: bytes

    def __post_init__(self) -> None:
        """Refuse values the contract would refuse (so nothing unpostable is ever signed)."""
        if not 0 <= self.epoch < 1 << 64:
            raise MalformedInputError("the epoch must fit in uint64")
        for name, value in (("list root", self.list_root), ("snapshot hash", self.snapshot_hash)):
            if not 0 < value < SCALAR_FIELD_R:
                raise MalformedInputError(f"the {name} is not a non-zero field element")
        for name, value in zip(SolvencyTotals.names(), self.totals.to_list(), strict=True):
            bits = COUNT_BITS if name == "count" else TOTAL_BITS
            if not 0 <= value < 1 << bits:
                raise MalformedInputError(f"total {name} is outside [0, 2^{bits})")
        if self.totals.count == 0:
            raise MalformedInputError("an epoch statement covers at least one account")
        for name, value in (("reserves", self.reserves), ("insurance", self.insurance)):
            if not 0 <= value < 1 << 256:
                raise MalformedInputError(f"{name} must fit in uint256")
        if len(self.verifying_key) != 32:
            raise MalformedInputError("the verifying-key fingerprint must be 32 bytes")

    def as_tuple(self) -> tuple[Any, ...]:
        """Return the Solidity ``Statement`` struct as a tuple (web3/ABI argument)."""
        t = self.totals
        return (
            self.epoch, self.list_root, self.snapshot_hash, t.liabilities, t.deficit, t.at_risk,
            t.maintenance, t.initial, t.count, self.reserves, self.insurance, self.verifying_key,
        )  # fmt: skip

    def message(self) -> dict[str, Any]:
        """Return the EIP-712 message (field name → value)."""
        return dict(zip((n for n, _ in STATEMENT_FIELDS), self.as_tuple(), strict=True))

    def to_json(self) -> dict[str, Any]:
        """Return the statement as JSON (big integers as decimal strings)."""
        return {
            name: ("0x" + value.hex() if isinstance(value, bytes) else str(value))
            for name, value in self.message().items()
        }


def statement_from_json(data: Mapping[str, Any]) -> AttestedStatement:
    """Parse :meth:`AttestedStatement.to_json` (as ``zkm solvency attest`` writes it).

    Raises:
        MalformedInputError: a field is missing or not a number.
    """
    try:
        values = {name: str(data[name]) for name, _ in STATEMENT_FIELDS}
        numbers = {n: int(v) for n, v in values.items() if n != "verifyingKey"}
        totals = SolvencyTotals(
            liabilities=numbers["liabilities"], deficit=numbers["deficit"],
            at_risk=numbers["atRisk"], maintenance=numbers["maintenance"],
            initial=numbers["initial"], count=numbers["count"],
        )  # fmt: skip
        return AttestedStatement(
            epoch=numbers["epoch"],
            list_root=numbers["listRoot"],
            snapshot_hash=numbers["snapshotHash"],
            totals=totals,
            reserves=numbers["reserves"],
            insurance=numbers["insurance"],
            verifying_key=bytes.fromhex(values["verifyingKey"].removeprefix("0x")),
        )
    except KeyError as error:
        raise MalformedInputError(f"not a solvency statement: no field {error}") from None
    except (TypeError, ValueError) as error:
        raise MalformedInputError(f"not a solvency statement: {error}") from None


def statement_from_report(report: Mapping[str, Any]) -> AttestedStatement:
    """Return the statement an auditor attests from a ``zkm solvency verify --json`` report.

    Raises:
        MalformedInputError: the report is not VALID with the registry checked, or malformed.
    """
    try:
        if not report["valid"]:
            raise MalformedInputError(
                f"the report's verdict is {report.get('verdict')}: an auditor attests only a"
                " bundle that verified"
            )
        if not report["registry_checked"]:
            raise MalformedInputError(
                "the report did not check the list against the service's registry: run"
                " zkm solvency verify with --registry before attesting"
            )
        return AttestedStatement(
            epoch=int(report["epoch"]),
            list_root=int(report["list_root"]),
            snapshot_hash=int(report["snapshot_hash"]),
            totals=SolvencyTotals.from_json(report["totals"]),
            reserves=int(report["reserves"]),
            insurance=int(report["insurance"]),
            verifying_key=bytes.fromhex(str(report["key_fingerprint"])),
        )
    except KeyError as error:
        raise MalformedInputError(f"not a solvency verify report: no field {error}") from None
    except (TypeError, ValueError) as error:
        raise MalformedInputError(f"not a solvency verify report: {error}") from None


def solvency_typed_data(
    statement: AttestedStatement, *, chain_id: int, contract: str
) -> dict[str, Any]:
    """Return the EIP-712 typed data an auditor signs for ``statement`` on ``contract``."""
    if chain_id <= 0:
        raise MalformedInputError("the chain id must be positive")
    if not (contract.startswith("0x") and len(contract) == 42):
        raise MalformedInputError("the contract address must be 0x followed by 40 hex digits")
    try:
        bytes.fromhex(contract[2:])
    except ValueError:
        raise MalformedInputError("the contract address is not hexadecimal") from None
    return {
        "types": {
            "EIP712Domain": [
                {"name": "name", "type": "string"},
                {"name": "version", "type": "string"},
                {"name": "chainId", "type": "uint256"},
                {"name": "verifyingContract", "type": "address"},
            ],
            "SolvencyStatement": [{"name": n, "type": t} for n, t in STATEMENT_FIELDS],
        },
        "primaryType": "SolvencyStatement",
        "domain": {
            "name": DOMAIN_NAME,
            "version": DOMAIN_VERSION,
            "chainId": chain_id,
            "verifyingContract": contract,
        },
        "message": statement.message(),
    }


def sign_statement(typed_data: Mapping[str, Any], private_key: bytes) -> tuple[str, bytes]:
    """Return ``(signer address, 65-byte r‖s‖v signature)`` of the EIP-712 ``typed_data``.

    Needs the ``onchain`` extra (eth-account). The key never leaves this function.

    Raises:
        MalformedInputError: the key is not a valid secp256k1 private key.
    """
    from eth_account import Account
    from eth_account.messages import encode_typed_data

    try:
        account = Account.from_key(private_key)
    except (ValueError, TypeError):
        raise MalformedInputError("the auditor key is not a secp256k1 private key") from None
    signed = account.sign_message(encode_typed_data(full_message=dict(typed_data)))
    return str(account.address), bytes(signed.signature)


def typed_data_digest(typed_data: Mapping[str, Any]) -> bytes:
    """Return the EIP-712 digest ``keccak256(0x19 0x01 ‖ domainSeparator ‖ structHash)``."""
    from eth_account.messages import encode_typed_data
    from eth_utils.crypto import keccak

    signable = encode_typed_data(full_message=dict(typed_data))
    return bytes(keccak(b"\x19" + signable.version + signable.header + signable.body))


def render_solvency_attestation() -> str:
    """Return the Solidity source of ``SolvencyAttestation`` (pragma ≥ 0.8.20, Apache-2.0)."""
    struct = "\n".join(f"        {t} {n};" for n, t in STATEMENT_FIELDS)
    return (
        _CONTRACT.replace("__STRUCT__", struct)
        .replace("__TYPE__", STATEMENT_TYPE)
        .replace("__NAME__", DOMAIN_NAME)
        .replace("__VERSION__", DOMAIN_VERSION)
        .replace("__R__", str(SCALAR_FIELD_R))
        .replace("__TOTAL_BITS__", str(TOTAL_BITS))
        .replace("__COUNT_BITS__", str(COUNT_BITS))
    )


_CONTRACT = """\
// SPDX-License-Identifier: Apache-2.0
// Generated by zkmargin (zkm solvency export-contract).
pragma solidity ^0.8.20;

/// @title SolvencyAttestation: venue-level solvency statements of zkmargin, per epoch
/// @notice The venue's poster posts an epoch's statement (totals, commitment-list root,
/// snapshot hash, claimed reserves and insurance, verifying-key fingerprint); a quorum of
/// registered auditors attests it with EIP-712 signatures after `zkm solvency verify`.
/// An attested epoch is immutable. isSolvent(epoch) is reserves + insurance >= liabilities
/// + deficit on an attested statement.
/// @dev The owner (a multisig in production) rotates the poster, manages the auditor set and
/// the quorum; ownership moves in two steps. None of them touches a posted or attested epoch.
contract SolvencyAttestation {
    struct Statement {
__STRUCT__
    }

    struct Record {
        bool posted;
        uint64 postedAt;
        uint64 attestedAt;
        uint32 signers;
    }

    uint256 internal constant R = __R__;
    uint256 internal constant TOTAL_LIMIT = 1 << __TOTAL_BITS__;
    uint256 internal constant COUNT_LIMIT = 1 << __COUNT_BITS__;
    uint256 internal constant HALF_N =
        0x7fffffffffffffffffffffffffffffff5d576e7357a4501ddfe92f46681b20a0;
    bytes32 public constant STATEMENT_TYPEHASH = keccak256("__TYPE__");
    bytes32 internal constant DOMAIN_TYPEHASH = keccak256(
        "EIP712Domain(string name,string version,uint256 chainId,address verifyingContract)"
    );
    bytes32 internal constant NAME_HASH = keccak256("__NAME__");
    bytes32 internal constant VERSION_HASH = keccak256("__VERSION__");

    address public owner;
    address public pendingOwner;
    address public poster;
    uint32 public auditorCount;
    uint32 public quorum;
    mapping(address => bool) public isAuditor;
    mapping(uint64 => Statement) internal statements;
    mapping(uint64 => Record) public records;

    error NotOwner();
    error NotPendingOwner();
    error ZeroAddress();
    error NotPoster();
    error AlreadyAuditor();
    error UnknownAuditor();
    error BadQuorum();
    error NotAFieldElement();
    error TotalOutOfRange();
    error EmptyEpoch();
    error UnknownEpoch();
    error AlreadyAttested();
    error QuorumNotMet();
    error BadSignature();
    error NotAuditor(address signer);
    error SignersNotAscending();

    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event PosterChanged(address indexed previousPoster, address indexed newPoster);
    event AuditorAdded(address indexed auditor);
    event AuditorRemoved(address indexed auditor);
    event QuorumChanged(uint32 quorum);
    event EpochPosted(uint64 indexed epoch, uint256 listRoot, uint256 snapshotHash, bytes32 digest);
    event EpochAttested(uint64 indexed epoch, bytes32 digest, address[] signers);

    /// @notice The deployer becomes the owner; the auditors given form the set, quorum 1
    /// (raise it with setQuorum).
    constructor(address poster_, address[] memory auditors) {
        if (poster_ == address(0)) revert ZeroAddress();
        owner = msg.sender;
        poster = poster_;
        emit OwnershipTransferred(address(0), msg.sender);
        emit PosterChanged(address(0), poster_);
        for (uint256 i = 0; i < auditors.length; i++) {
            _addAuditor(auditors[i]);
        }
        if (auditors.length == 0) revert BadQuorum();
        quorum = 1;
        emit QuorumChanged(1);
    }

    modifier onlyOwner() {
        if (msg.sender != owner) revert NotOwner();
        _;
    }

    /// @notice Owner: propose a new owner; nothing changes until it calls acceptOwnership.
    function transferOwnership(address newOwner) external onlyOwner {
        pendingOwner = newOwner;
        emit OwnershipTransferStarted(owner, newOwner);
    }

    /// @notice Pending owner: take ownership.
    function acceptOwnership() external {
        if (msg.sender != pendingOwner) revert NotPendingOwner();
        emit OwnershipTransferred(owner, msg.sender);
        owner = msg.sender;
        pendingOwner = address(0);
    }

    /// @notice Owner: replace the venue's poster key; posted and attested epochs stay.
    function setPoster(address newPoster) external onlyOwner {
        if (newPoster == address(0)) revert ZeroAddress();
        emit PosterChanged(poster, newPoster);
        poster = newPoster;
    }

    /// @notice Owner: register an auditor key.
    function addAuditor(address auditor) external onlyOwner {
        _addAuditor(auditor);
    }

    /// @notice Owner: deregister an auditor key; refused if the quorum would be unreachable.
    function removeAuditor(address auditor) external onlyOwner {
        if (!isAuditor[auditor]) revert UnknownAuditor();
        if (auditorCount - 1 < quorum) revert BadQuorum();
        isAuditor[auditor] = false;
        auditorCount -= 1;
        emit AuditorRemoved(auditor);
    }

    /// @notice Owner: how many distinct auditors must sign an epoch (1 … auditorCount).
    function setQuorum(uint32 newQuorum) external onlyOwner {
        if (newQuorum == 0 || newQuorum > auditorCount) revert BadQuorum();
        quorum = newQuorum;
        emit QuorumChanged(newQuorum);
    }

    function _addAuditor(address auditor) internal {
        if (auditor == address(0)) revert ZeroAddress();
        if (isAuditor[auditor]) revert AlreadyAuditor();
        isAuditor[auditor] = true;
        auditorCount += 1;
        emit AuditorAdded(auditor);
    }

    /// @notice Poster: post (or, until it is attested, correct) the statement of s.epoch.
    function postEpoch(Statement calldata s) external {
        if (msg.sender != poster) revert NotPoster();
        Record storage record = records[s.epoch];
        if (record.attestedAt != 0) revert AlreadyAttested();
        if (s.listRoot == 0 || s.listRoot >= R) revert NotAFieldElement();
        if (s.snapshotHash == 0 || s.snapshotHash >= R) revert NotAFieldElement();
        if (
            s.liabilities >= TOTAL_LIMIT || s.deficit >= TOTAL_LIMIT || s.atRisk >= TOTAL_LIMIT
                || s.maintenance >= TOTAL_LIMIT || s.initial >= TOTAL_LIMIT
                || s.count >= COUNT_LIMIT
        ) revert TotalOutOfRange();
        if (s.count == 0) revert EmptyEpoch();
        statements[s.epoch] = s;
        record.posted = true;
        record.postedAt = uint64(block.timestamp);
        emit EpochPosted(s.epoch, s.listRoot, s.snapshotHash, digestOf(s.epoch));
    }

    /// @notice Anyone: record the epoch as attested by `quorum` registered auditors, whose
    /// EIP-712 signatures over the posted statement come in ascending signer order.
    function attest(uint64 epoch, bytes[] calldata signatures) external {
        Record storage record = records[epoch];
        if (!record.posted) revert UnknownEpoch();
        if (record.attestedAt != 0) revert AlreadyAttested();
        if (signatures.length < quorum) revert QuorumNotMet();
        bytes32 digest = digestOf(epoch);
        address[] memory signers = new address[](signatures.length);
        address previous = address(0);
        for (uint256 i = 0; i < signatures.length; i++) {
            address signer = _recover(digest, signatures[i]);
            if (!isAuditor[signer]) revert NotAuditor(signer);
            if (signer <= previous) revert SignersNotAscending();
            signers[i] = signer;
            previous = signer;
        }
        record.attestedAt = uint64(block.timestamp);
        record.signers = uint32(signatures.length);
        emit EpochAttested(epoch, digest, signers);
    }

    /// @notice The EIP-712 digest auditors sign for the statement posted for `epoch`.
    function digestOf(uint64 epoch) public view returns (bytes32) {
        Statement memory s = statements[epoch];
        bytes32 structHash = keccak256(abi.encode(STATEMENT_TYPEHASH, s));
        return keccak256(abi.encodePacked("\\x19\\x01", domainSeparator(), structHash));
    }

    /// @notice This contract's EIP-712 domain separator, from the current chain id (a fork's
    /// copy of the contract does not accept the original chain's signatures).
    function domainSeparator() public view returns (bytes32) {
        return keccak256(
            abi.encode(DOMAIN_TYPEHASH, NAME_HASH, VERSION_HASH, block.chainid, address(this))
        );
    }

    /// @notice The statement posted for `epoch` (all zero if none).
    function statementOf(uint64 epoch) external view returns (Statement memory) {
        return statements[epoch];
    }

    /// @notice True iff `epoch` is attested.
    function isAttested(uint64 epoch) external view returns (bool) {
        return records[epoch].attestedAt != 0;
    }

    /// @notice True iff `epoch` is attested and reserves + insurance >= liabilities + deficit.
    function isSolvent(uint64 epoch) external view returns (bool) {
        Statement storage s = statements[epoch];
        uint256 covered = s.liabilities + s.deficit; // < 2^201: both totals are < 2^200
        // Compared without adding reserves to insurance, which could overflow uint256.
        return records[epoch].attestedAt != 0
            && (s.reserves >= covered || s.insurance >= covered - s.reserves);
    }

    function _recover(bytes32 digest, bytes calldata signature) internal pure returns (address) {
        if (signature.length != 65) revert BadSignature();
        bytes32 r = bytes32(signature[0:32]);
        bytes32 s = bytes32(signature[32:64]);
        uint8 v = uint8(signature[64]);
        if (uint256(s) > HALF_N || (v != 27 && v != 28)) revert BadSignature();
        address signer = ecrecover(digest, v, r, s);
        if (signer == address(0)) revert BadSignature();
        return signer;
    }
}
"""
