pragma circom 2.0.0;

// Test stand-in for the margin circuit, used only by tests/api and bench/bench_service.py:
// same public-input layout [C, snapshot_hash, requirement_kind, buffer_ppm], a much smaller
// statement: C = Poseidon(salt, equity) and 10^6 * equity >= buffer_ppm * requirement.
include "circomlib/circuits/poseidon.circom";
include "circomlib/circuits/bitify.circom";
include "circomlib/circuits/comparators.circom";

template MarginStandIn() {
    signal output commitment;
    signal input snapshot_hash;
    signal input requirement_kind;
    signal input buffer_ppm;
    signal input salt;
    signal input equity;
    signal input requirement;

    component hash = Poseidon(2);
    hash.inputs[0] <== salt;
    hash.inputs[1] <== equity;
    commitment <== hash.out;

    requirement_kind * (requirement_kind - 1) === 0;

    component equity_bits = Num2Bits(64);
    equity_bits.in <== equity;
    component requirement_bits = Num2Bits(64);
    requirement_bits.in <== requirement;
    component buffer_bits = Num2Bits(64);
    buffer_bits.in <== buffer_ppm;

    signal needed;
    needed <== buffer_ppm * requirement;
    component enough = GreaterEqThan(129);
    enough.in[0] <== 1000000 * equity;
    enough.in[1] <== needed;
    enough.out === 1;

    signal snapshot_square;
    snapshot_square <== snapshot_hash * snapshot_hash;
}

component main {public [snapshot_hash, requirement_kind, buffer_ppm]} = MarginStandIn();
