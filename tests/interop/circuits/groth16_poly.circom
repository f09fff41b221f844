pragma circom 2.0.0;

// zkmargin Groth16 interop fixture (our own circuit): y = Σ coeffs[i]·x^i by Horner's rule,
// with x public, plus an 8-bit range check on the private `small` (bits · (bits − 1) = 0).
template PolyEval(n) {
    signal input coeffs[n];
    signal input x;
    signal input small;
    signal output y;

    signal acc[n];
    acc[0] <== coeffs[n - 1];
    for (var i = 1; i < n; i++) {
        acc[i] <== acc[i - 1] * x + coeffs[n - 1 - i];
    }
    y <== acc[n - 1];

    signal bits[8];
    var total = 0;
    for (var i = 0; i < 8; i++) {
        bits[i] <-- (small >> i) & 1;
        bits[i] * (bits[i] - 1) === 0;
        total += bits[i] * (1 << i);
    }
    total === small;
}

component main {public [x]} = PolyEval(6);
