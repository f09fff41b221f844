pragma circom 2.0.0;

// zkmargin interop fixture (our own circuit): out = a·b·c + k and t = (a + b)·k,
// plus a ≠ 0 through its inverse. `sum` is linear, so circom eliminates it and the
// file has more labels than wires.
template MulThree() {
    signal input a;
    signal input b;
    signal input c;
    signal input k;
    signal output out;
    signal output t;

    signal ab;
    signal sum;
    signal inv;

    ab <== a * b;
    out <== ab * c + k;
    sum <== a + b;
    t <== sum * k;
    inv <-- 1 / a;
    inv * a === 1;
}

component main {public [k]} = MulThree();
