"""The ``MarginAttestation`` contract: an on-chain record of margin-compliance proofs.

It inherits the verifier :func:`verifier.solidity.render_verifier` exports for the margin
key (through that contract's internal ``_verifyProof``) and adds the margin statement's
rules:

- the venue posts each account's commitment C per epoch, the oracle each epoch's snapshot
  hash; both are immutable once posted;
- a commitment may be posted for only one account per epoch: a proof binds to C, not to the
  account, so the same C under two accounts would let one proof attest both;
- anyone submits a proof of ``[C, snapshotHash, kind, bufferPpm]`` for (account, epoch);
  the contract checks it against the posted records and stores the attestation;
- an owner rotates the venue and oracle addresses (a lost or compromised key) with events;
  ownership moves in two steps (``transferOwnership`` then ``acceptOwnership`` by the new
  owner), so it can be handed to a multisig without risking a typo. Rotation touches no
  commitment, snapshot or attestation: what was attested stays attested.

The contract cannot change once deployed: a new verifying key, or a fix to this contract,
means deploying a new one (``docs/onchain.md``).
"""

from __future__ import annotations

from algebra.errors import MalformedInputError
from circuits.margin.statement import MarginPublicInputs
from verifier.keys import VerifyingKey
from verifier.solidity import render_verifier

MARGIN_PUBLIC_INPUTS = len(MarginPublicInputs.__dataclass_fields__)
"""The margin statement's public inputs: [C, snapshot_hash, requirement_kind, buffer_ppm]."""
MARGIN_KIND_INPUT = 2
"""Index of requirement_kind (0 maintenance, 1 initial): 0 for most proofs, so it is skipped."""

MARGIN_VERIFIER_NAME = "MarginVerifier"

_ATTESTATION = """\
/// @title MarginAttestation: on-chain record of zkmargin margin-compliance proofs
/// @notice The venue posts each account's state commitment per epoch, the oracle posts each
/// epoch's snapshot hash; anyone may submit a proof for [C, snapshotHash, kind, bufferPpm].
/// The contract checks the proof against what was posted, records (account, epoch, kind,
/// buffer) and emits MarginAttested. Clearing protocols read isCompliant(account, epoch).
/// @dev The owner (a multisig in production) rotates the venue and oracle; ownership moves
/// in two steps. Rotation never touches posted records or attestations.
contract MarginAttestation is __VERIFIER__ {
    uint256 public constant MAINTENANCE = 0;
    uint256 public constant INITIAL = 1;
    uint256 public constant MIN_BUFFER_PPM = 1_000_000;

    struct Attestation {
        bool attested;
        uint64 timestamp;
        uint256 bufferPpm;
    }

    address public owner;
    address public pendingOwner;
    address public venue;
    address public oracle;
    mapping(bytes32 => mapping(uint64 => uint256)) public commitmentOf;
    mapping(uint64 => mapping(uint256 => bool)) public commitmentPosted;
    mapping(uint64 => uint256) public snapshotHashOf;
    mapping(bytes32 => mapping(uint64 => mapping(uint256 => Attestation))) internal attestations;

    error NotOwner();
    error NotPendingOwner();
    error ZeroAddress();
    error NotVenue();
    error NotOracle();
    error AlreadyPosted();
    error CommitmentInUse();
    error NotAFieldElement();
    error UnknownCommitment();
    error CommitmentMismatch();
    error UnknownSnapshot();
    error SnapshotMismatch();
    error BadRequirementKind();
    error BufferTooLow();
    error AlreadyAttested();
    error InvalidProof();

    event OwnershipTransferStarted(address indexed previousOwner, address indexed newOwner);
    event OwnershipTransferred(address indexed previousOwner, address indexed newOwner);
    event VenueChanged(address indexed previousVenue, address indexed newVenue);
    event OracleChanged(address indexed previousOracle, address indexed newOracle);
    event CommitmentPosted(bytes32 indexed account, uint64 indexed epoch, uint256 commitment);
    event SnapshotPosted(uint64 indexed epoch, uint256 snapshotHash);
    event MarginAttested(
        bytes32 indexed account, uint64 indexed epoch, uint256 kind, uint256 bufferPpm
    );

    /// @notice The deployer becomes the owner; hand ownership to a multisig with
    /// transferOwnership + acceptOwnership.
    constructor(address venue_, address oracle_) {
        if (venue_ == address(0) || oracle_ == address(0)) revert ZeroAddress();
        owner = msg.sender;
        venue = venue_;
        oracle = oracle_;
        emit OwnershipTransferred(address(0), msg.sender);
        emit VenueChanged(address(0), venue_);
        emit OracleChanged(address(0), oracle_);
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

    /// @notice Owner: replace the venue key (lost or compromised); posted records stay.
    function setVenue(address newVenue) external onlyOwner {
        if (newVenue == address(0)) revert ZeroAddress();
        emit VenueChanged(venue, newVenue);
        venue = newVenue;
    }

    /// @notice Owner: replace the oracle key (lost or compromised); posted records stay.
    function setOracle(address newOracle) external onlyOwner {
        if (newOracle == address(0)) revert ZeroAddress();
        emit OracleChanged(oracle, newOracle);
        oracle = newOracle;
    }

    /// @notice Venue: register the commitment C for (account, epoch); immutable once posted.
    /// A C already posted for any account in this epoch is refused: one proof must never
    /// attest two accounts.
    function postCommitment(bytes32 account, uint64 epoch, uint256 commitment) external {
        if (msg.sender != venue) revert NotVenue();
        if (commitment == 0 || commitment >= R) revert NotAFieldElement();
        if (commitmentOf[account][epoch] != 0) revert AlreadyPosted();
        if (commitmentPosted[epoch][commitment]) revert CommitmentInUse();
        commitmentOf[account][epoch] = commitment;
        commitmentPosted[epoch][commitment] = true;
        emit CommitmentPosted(account, epoch, commitment);
    }

    /// @notice Oracle: publish the epoch's snapshot hash; immutable once posted.
    function postSnapshotHash(uint64 epoch, uint256 snapshotHash) external {
        if (msg.sender != oracle) revert NotOracle();
        if (snapshotHash == 0 || snapshotHash >= R) revert NotAFieldElement();
        if (snapshotHashOf[epoch] != 0) revert AlreadyPosted();
        snapshotHashOf[epoch] = snapshotHash;
        emit SnapshotPosted(epoch, snapshotHash);
    }

    /// @notice Anyone: attest (account, epoch) with a proof of [C, snapshotHash, kind, bufferPpm].
    /// A statement no stronger than one already recorded is a replay and reverts.
    function submitProof(
        bytes32 account,
        uint64 epoch,
        uint256[2] calldata pA,
        uint256[2][2] calldata pB,
        uint256[2] calldata pC,
        uint256[4] calldata pubSignals
    ) external {
        uint256 commitment = commitmentOf[account][epoch];
        if (commitment == 0) revert UnknownCommitment();
        if (pubSignals[0] != commitment) revert CommitmentMismatch();
        uint256 snapshotHash = snapshotHashOf[epoch];
        if (snapshotHash == 0) revert UnknownSnapshot();
        if (pubSignals[1] != snapshotHash) revert SnapshotMismatch();
        uint256 kind = pubSignals[2];
        if (kind > INITIAL) revert BadRequirementKind();
        uint256 bufferPpm = pubSignals[3];
        if (bufferPpm < MIN_BUFFER_PPM) revert BufferTooLow();
        Attestation storage record = attestations[account][epoch][kind];
        if (record.attested && record.bufferPpm >= bufferPpm) revert AlreadyAttested();
        if (!_verifyProof(pA, pB, pC, pubSignals)) revert InvalidProof();
        record.attested = true;
        record.timestamp = uint64(block.timestamp);
        record.bufferPpm = bufferPpm;
        emit MarginAttested(account, epoch, kind, bufferPpm);
    }

    /// @notice True iff a maintenance or an initial margin proof is recorded for (account, epoch).
    function isCompliant(bytes32 account, uint64 epoch) external view returns (bool) {
        return attestations[account][epoch][MAINTENANCE].attested
            || attestations[account][epoch][INITIAL].attested;
    }

    /// @notice The recorded attestation for (account, epoch, kind), if any.
    function attestation(bytes32 account, uint64 epoch, uint256 kind)
        external
        view
        returns (bool attested, uint256 bufferPpm, uint64 timestamp)
    {
        Attestation storage record = attestations[account][epoch][kind];
        return (record.attested, record.bufferPpm, record.timestamp);
    }
}
"""


def render_margin_attestation(vk: VerifyingKey) -> str:
    """Return Solidity source with the margin verifier and the ``MarginAttestation`` contract.

    Raises:
        MalformedInputError: ``vk`` does not have the margin statement's 4 public inputs.
    """
    if vk.n_public != MARGIN_PUBLIC_INPUTS:
        raise MalformedInputError(
            f"a margin verifying key has {MARGIN_PUBLIC_INPUTS} public inputs,"
            f" this one has {vk.n_public}"
        )
    verifier = render_verifier(
        vk, contract_name=MARGIN_VERIFIER_NAME, skip_zero_inputs=(MARGIN_KIND_INPUT,)
    )
    return verifier + "\n" + _ATTESTATION.replace("__VERIFIER__", MARGIN_VERIFIER_NAME)
