//! Native interpreter of a stored solve program (the `.solve` file of
//! `circuits/formats/solve_file.py`): replays its steps over Fr in arkworks' Montgomery
//! form and checks its rows.
//!
//! The Python interpreter (`circuits/frontend/program.py` and the hints it names) is the
//! specification; this is its accelerator and must give the same witness for every
//! program and input (differential tests in `tests/margin/test_native_solve.py`). The
//! program is untrusted input: every count, offset, wire, coefficient, hint and
//! combination index is checked before use, and every failure is a typed error, never a
//! panic or an out-of-range write.

use ark_bn254::Fr;
use ark_ff::{BigInteger, Field, One, PrimeField, Zero};
use num_bigint::{BigInt, BigUint, Sign};
use num_integer::Integer;

/// Why a program could not be solved (mapped to a `ZkError` subclass by the bindings).
#[derive(Debug, PartialEq, Eq)]
pub enum SolveError {
    /// The program is malformed (`FormatError`).
    Format(String),
    /// A hint cannot compute its outputs (`HintError`).
    Hint(String),
    /// The inputs or cached values are malformed (`MalformedInputError`).
    Input(String),
}

pub type SolveResult<T> = Result<T, SolveError>;

fn format_err<T>(message: impl Into<String>) -> SolveResult<T> {
    Err(SolveError::Format(message.into()))
}

/// The hints a margin circuit's program may name (`circuits.frontend.hints` registry).
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub enum Hint {
    Bits,
    InverseOrZero,
    FloorDivmod,
    SignedExtreme,
    SecondBinds,
    CeilDiv,
    FloorDiv,
    TierMax,
    HaircutMin,
}

/// The names of the hints this interpreter implements (programs using any other hint are
/// solved by the Python interpreter).
pub const HINT_NAMES: [&str; 9] = [
    "bits",
    "inverse_or_zero",
    "floor_divmod",
    "signed_extreme",
    "margin/second_binds",
    "margin/ceil_div",
    "margin/floor_div",
    "margin/tier_max",
    "margin/haircut_min",
];

impl Hint {
    /// The hint registered under `name`, if this interpreter implements it.
    pub fn from_name(name: &str) -> Option<Self> {
        Some(match name {
            "bits" => Self::Bits,
            "inverse_or_zero" => Self::InverseOrZero,
            "floor_divmod" => Self::FloorDivmod,
            "signed_extreme" => Self::SignedExtreme,
            "margin/second_binds" => Self::SecondBinds,
            "margin/ceil_div" => Self::CeilDiv,
            "margin/floor_div" => Self::FloorDiv,
            "margin/tier_max" => Self::TierMax,
            "margin/haircut_min" => Self::HaircutMin,
            _ => return None,
        })
    }
}

#[cfg(test)]
mod hint_name_tests {
    use super::*;

    #[test]
    fn every_listed_hint_name_is_implemented() {
        for name in HINT_NAMES {
            assert!(Hint::from_name(name).is_some(), "{name}");
        }
        assert!(Hint::from_name("margin/ceil_sqrt").is_none());
    }
}

/// `U`, the ppm unit of `circuits/margin/units.py`.
const PPM_UNIT: u64 = 1_000_000;

/// Linear combinations of one segment: combination `i` is the terms `offsets[i]..offsets[i+1]`.
struct Combinations {
    offsets: Vec<usize>,
    wires: Vec<u32>,
    coeffs: Vec<Fr>,
}

impl Combinations {
    fn len(&self) -> usize {
        self.offsets.len() - 1
    }

    fn evaluate(&self, lc: u32, w: &[Fr]) -> Fr {
        let lc = lc as usize;
        let (start, end) = (self.offsets[lc], self.offsets[lc + 1]);
        let mut acc = Fr::zero();
        for k in start..end {
            acc += self.coeffs[k] * w[self.wires[k] as usize];
        }
        acc
    }

    fn is_empty_at(&self, lc: u32) -> bool {
        self.offsets[lc as usize] == self.offsets[lc as usize + 1]
    }
}

/// One recorded step; hint inputs and outputs are ranges into the segment's index vectors.
enum Step {
    Mul {
        out: u32,
        a: u32,
        b: u32,
    },
    Quotient {
        out: u32,
        a: u32,
        b: u32,
    },
    Hint {
        hint: Hint,
        ins: (usize, usize),
        outs: (usize, usize),
    },
}

/// A decoded, bounds-checked segment of steps.
pub struct Segment {
    lcs: Combinations,
    steps: Vec<Step>,
    hint_ins: Vec<u32>,
    hint_outs: Vec<u32>,
}

/// The shape every index of a program is checked against.
pub struct Limits<'a> {
    pub n_wires: usize,
    pub n_inputs: usize,
    pub n_constraints: usize,
    pub pool: &'a [Fr],
    pub hints: &'a [Hint],
}

/// A bounds-checked cursor over a section's little-endian u32 words.
struct Cursor<'a> {
    words: &'a [u8],
    pos: usize,
    what: &'a str,
}

impl<'a> Cursor<'a> {
    fn new(body: &'a [u8], what: &'a str) -> SolveResult<Self> {
        if !body.len().is_multiple_of(4) {
            return format_err(format!("{what} is not a whole number of u32 words"));
        }
        Ok(Self {
            words: body,
            pos: 0,
            what,
        })
    }

    fn remaining(&self) -> usize {
        self.words.len() / 4 - self.pos
    }

    fn one(&mut self) -> SolveResult<u32> {
        if self.remaining() == 0 {
            return format_err(format!("{} is truncated", self.what));
        }
        let at = 4 * self.pos;
        self.pos += 1;
        Ok(u32::from_le_bytes(
            self.words[at..at + 4].try_into().expect("4 bytes"),
        ))
    }

    fn take(&mut self, count: usize) -> SolveResult<Vec<u32>> {
        if count > self.remaining() {
            return format_err(format!("{} is truncated", self.what));
        }
        let at = 4 * self.pos;
        self.pos += count;
        Ok(self.words[at..at + 4 * count]
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect())
    }
}

/// Parse the coefficient pool: 32-byte little-endian canonical values.
pub fn parse_pool(body: &[u8]) -> SolveResult<Vec<Fr>> {
    if !body.len().is_multiple_of(32) {
        return format_err("coefficient pool is not a whole number of 32-byte values");
    }
    body.chunks_exact(32)
        .map(|c| {
            canonical(c).ok_or_else(|| SolveError::Format("a coefficient is not in [0, r)".into()))
        })
        .collect()
}

/// Read a canonical 32-byte little-endian value; None if it is ≥ r.
fn canonical(bytes: &[u8]) -> Option<Fr> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        *limb = u64::from_le_bytes(bytes[8 * i..8 * i + 8].try_into().expect("8 bytes"));
    }
    Fr::from_bigint(ark_ff::BigInt(limbs))
}

/// Parse `n` canonical values; `what` names them in the error.
pub fn parse_values(body: &[u8], what: &str) -> SolveResult<Vec<Fr>> {
    if !body.len().is_multiple_of(32) {
        return Err(SolveError::Input(format!(
            "{what} is not a whole number of 32-byte values"
        )));
    }
    body.chunks_exact(32)
        .enumerate()
        .map(|(i, c)| {
            canonical(c).ok_or_else(|| SolveError::Input(format!("{what} #{i} is not in [0, r)")))
        })
        .collect()
}

/// Encode values as canonical 32-byte little-endian words.
pub fn values_bytes(values: &[Fr]) -> Vec<u8> {
    let mut out = Vec::with_capacity(32 * values.len());
    for v in values {
        out.extend_from_slice(&v.into_bigint().to_bytes_le());
    }
    out
}

fn decode_lcs(cursor: &mut Cursor<'_>, limits: &Limits<'_>) -> SolveResult<Combinations> {
    let what = cursor.what;
    let n_lcs = cursor.one()? as usize;
    let n_terms = cursor.one()? as usize;
    let offsets = cursor.take(n_lcs + 1)?;
    let wires = cursor.take(n_terms)?;
    let coeff_ids = cursor.take(n_terms)?;
    if offsets[0] != 0 || offsets[n_lcs] as usize != n_terms {
        return format_err(format!(
            "{what}: linear-combination offsets do not span the terms"
        ));
    }
    if offsets.windows(2).any(|p| p[0] > p[1]) {
        return format_err(format!("{what}: linear-combination offsets decrease"));
    }
    if wires.iter().any(|&w| w as usize >= limits.n_wires)
        || coeff_ids.iter().any(|&c| c as usize >= limits.pool.len())
    {
        return format_err(format!(
            "{what}: a term names a wire or coefficient out of range"
        ));
    }
    Ok(Combinations {
        offsets: offsets.into_iter().map(|o| o as usize).collect(),
        wires,
        coeffs: coeff_ids
            .into_iter()
            .map(|c| limits.pool[c as usize])
            .collect(),
    })
}

/// Decode a steps section (`n_lcs ‖ n_terms ‖ offsets ‖ wires ‖ coeff_ids ‖ n_steps ‖ steps`).
pub fn decode_steps(body: &[u8], limits: &Limits<'_>, what: &str) -> SolveResult<Segment> {
    let mut cursor = Cursor::new(body, what)?;
    let lcs = decode_lcs(&mut cursor, limits)?;
    let n_lcs = lcs.len();
    let written = |w: u32| limits.n_inputs < w as usize && (w as usize) < limits.n_wires;
    let n_steps = cursor.one()?;
    let mut steps = Vec::with_capacity((n_steps as usize).min(cursor.remaining()));
    let (mut hint_ins, mut hint_outs) = (Vec::new(), Vec::new());
    for _ in 0..n_steps {
        let kind = cursor.one()?;
        match kind {
            0 | 1 => {
                let (out, a, b) = (cursor.one()?, cursor.one()?, cursor.one()?);
                if !written(out) || a as usize >= n_lcs || b as usize >= n_lcs {
                    return format_err(format!(
                        "{what}: a step's wire or combination is out of range"
                    ));
                }
                steps.push(if kind == 0 {
                    Step::Mul { out, a, b }
                } else {
                    Step::Quotient { out, a, b }
                });
            }
            2 => {
                let hint = cursor.one()? as usize;
                let n_in = cursor.one()? as usize;
                let ins = cursor.take(n_in)?;
                let n_out = cursor.one()? as usize;
                let outs = cursor.take(n_out)?;
                let Some(&hint) = limits.hints.get(hint) else {
                    return format_err(format!(
                        "{what}: a hint step is truncated or names no hint"
                    ));
                };
                if ins.iter().any(|&i| i as usize >= n_lcs) || !outs.iter().all(|&w| written(w)) {
                    return format_err(format!(
                        "{what}: a hint's wire or combination is out of range"
                    ));
                }
                let ins_at = (hint_ins.len(), hint_ins.len() + ins.len());
                let outs_at = (hint_outs.len(), hint_outs.len() + outs.len());
                hint_ins.extend(ins);
                hint_outs.extend(outs);
                steps.push(Step::Hint {
                    hint,
                    ins: ins_at,
                    outs: outs_at,
                });
            }
            _ => return format_err(format!("{what}: unknown step kind {kind}")),
        }
    }
    if cursor.remaining() != 0 {
        return format_err(format!("{what}: {} unexpected words", cursor.remaining()));
    }
    Ok(Segment {
        lcs,
        steps,
        hint_ins,
        hint_outs,
    })
}

impl Segment {
    /// The wires this segment writes, in step order.
    pub fn outputs(&self) -> Vec<u32> {
        let mut out = Vec::new();
        for step in &self.steps {
            match step {
                Step::Mul { out: o, .. } | Step::Quotient { out: o, .. } => out.push(*o),
                Step::Hint { outs, .. } => out.extend_from_slice(&self.hint_outs[outs.0..outs.1]),
            }
        }
        out
    }

    /// Replay the steps in order over `w` (`w.len()` is the program's wire count).
    pub fn run(&self, w: &mut [Fr]) -> SolveResult<()> {
        let mut values = Vec::new();
        for step in &self.steps {
            match *step {
                Step::Mul { out, a, b } => {
                    w[out as usize] = self.lcs.evaluate(a, w) * self.lcs.evaluate(b, w);
                }
                Step::Quotient { out, a, b } => {
                    let divisor = self.lcs.evaluate(b, w);
                    w[out as usize] = match divisor.inverse() {
                        Some(inv) => self.lcs.evaluate(a, w) * inv,
                        None => Fr::zero(),
                    };
                }
                Step::Hint { hint, ins, outs } => {
                    values.clear();
                    values.extend(
                        self.hint_ins[ins.0..ins.1]
                            .iter()
                            .map(|&lc| self.lcs.evaluate(lc, w)),
                    );
                    let wires = &self.hint_outs[outs.0..outs.1];
                    let result = run_hint(hint, &values, wires.len())?;
                    if result.len() != wires.len() {
                        return Err(SolveError::Hint(format!(
                            "hint {hint:?} returned {} values, expected {}",
                            result.len(),
                            wires.len()
                        )));
                    }
                    for (&wire, value) in wires.iter().zip(result) {
                        w[wire as usize] = value;
                    }
                }
            }
        }
        Ok(())
    }
}

/// A decoded checks section: `(row, a, b, c)` over its own combinations.
pub struct Checks {
    lcs: Combinations,
    items: Vec<[u32; 4]>,
}

/// Decode a checks section (`lcs ‖ n_checks ‖ (row a b c)…`).
pub fn decode_checks(body: &[u8], limits: &Limits<'_>, what: &str) -> SolveResult<Checks> {
    let mut cursor = Cursor::new(body, what)?;
    let lcs = decode_lcs(&mut cursor, limits)?;
    let n_checks = cursor.one()? as usize;
    if cursor.remaining() != 4 * n_checks {
        return format_err(format!("{what}: {n_checks} checks do not fill the section"));
    }
    let words = cursor.take(4 * n_checks)?;
    let items: Vec<[u32; 4]> = words
        .chunks_exact(4)
        .map(|c| [c[0], c[1], c[2], c[3]])
        .collect();
    if items.iter().any(|i| i[0] as usize >= limits.n_constraints) {
        return format_err(format!("{what}: a check names a row out of range"));
    }
    if items
        .iter()
        .any(|i| i[1..].iter().any(|&lc| lc as usize >= lcs.len()))
    {
        return format_err(format!(
            "{what}: a check names a linear combination out of range"
        ));
    }
    Ok(Checks { lcs, items })
}

impl Checks {
    /// The row of the first check that `w` fails, or None.
    pub fn first_failure(&self, w: &[Fr]) -> Option<u32> {
        self.items.iter().find_map(|&[row, a, b, c]| {
            let lhs = if self.lcs.is_empty_at(a) {
                Fr::zero()
            } else {
                self.lcs.evaluate(a, w) * self.lcs.evaluate(b, w)
            };
            (lhs != self.lcs.evaluate(c, w)).then_some(row)
        })
    }
}

fn r_int() -> BigInt {
    BigInt::from_biguint(Sign::Plus, Fr::MODULUS.into())
}

fn unsigned(v: &Fr) -> BigInt {
    BigInt::from_biguint(Sign::Plus, v.into_bigint().into())
}

/// The field element read as a signed integer in (−r/2, r/2].
fn signed(v: &Fr) -> BigInt {
    let u: BigUint = v.into_bigint().into();
    let half: BigUint = Fr::MODULUS_MINUS_ONE_DIV_TWO.into();
    if u > half {
        BigInt::from_biguint(Sign::Plus, u) - r_int()
    } else {
        BigInt::from_biguint(Sign::Plus, u)
    }
}

/// `x mod r` (Python's `%`: non-negative).
fn reduce(x: &BigInt) -> Fr {
    let m = x.mod_floor(&r_int());
    Fr::from(m.to_biguint().expect("non-negative"))
}

fn hint_err<T>(hint: Hint, message: &str) -> SolveResult<T> {
    Err(SolveError::Hint(format!("hint {hint:?}: {message}")))
}

fn need(hint: Hint, inputs: &[Fr], count: usize) -> SolveResult<()> {
    if inputs.len() < count {
        return hint_err(hint, &format!("needs {count} inputs, got {}", inputs.len()));
    }
    Ok(())
}

fn positive_divisor(hint: Hint, d: &Fr) -> SolveResult<BigInt> {
    if d.is_zero() {
        return hint_err(hint, "division by zero");
    }
    Ok(unsigned(d))
}

fn from_bool(b: bool) -> Fr {
    if b {
        Fr::one()
    } else {
        Fr::zero()
    }
}

/// Run one hint with the semantics of its Python definition.
fn run_hint(hint: Hint, inputs: &[Fr], n_outputs: usize) -> SolveResult<Vec<Fr>> {
    match hint {
        Hint::Bits => {
            need(hint, inputs, 1)?;
            let value = inputs[0].into_bigint();
            Ok((0..n_outputs)
                .map(|i| from_bool(i < 256 && value.get_bit(i)))
                .collect())
        }
        Hint::InverseOrZero => {
            need(hint, inputs, 1)?;
            Ok(vec![inputs[0].inverse().unwrap_or_else(Fr::zero)])
        }
        Hint::FloorDivmod => {
            need(hint, inputs, 2)?;
            let a = signed(&inputs[0]);
            let d = unsigned(&inputs[1]);
            let half = BigInt::from_biguint(Sign::Plus, Fr::MODULUS_MINUS_ONE_DIV_TWO.into());
            if d < BigInt::one() || d > half {
                return Err(SolveError::Hint(
                    "floor division needs a divisor in [1, r/2]".into(),
                ));
            }
            let (q, rho) = a.div_mod_floor(&d);
            let mut out = vec![reduce(&q), reduce(&rho)];
            out.truncate(n_outputs);
            Ok(out)
        }
        Hint::SignedExtreme => {
            need(hint, inputs, 2)?;
            let values = inputs[1..].iter().map(signed);
            let extreme = if inputs[0].is_one() {
                values.max()
            } else {
                values.min()
            };
            Ok(vec![reduce(&extreme.expect("at least one value"))])
        }
        Hint::SecondBinds => {
            need(hint, inputs, 3)?;
            let (first, second) = (signed(&inputs[0]), signed(&inputs[1]));
            let binds = if inputs[2].is_one() {
                second < first
            } else {
                second > first
            };
            Ok(vec![from_bool(binds)])
        }
        Hint::CeilDiv => {
            need(hint, inputs, 2)?;
            let d = positive_divisor(hint, &inputs[1])?;
            let q = -((-signed(&inputs[0])).div_floor(&d));
            Ok(vec![reduce(&q)])
        }
        Hint::FloorDiv => {
            need(hint, inputs, 2)?;
            let d = positive_divisor(hint, &inputs[1])?;
            Ok(vec![reduce(&signed(&inputs[0]).div_floor(&d))])
        }
        Hint::TierMax => {
            need(hint, inputs, 1)?;
            let unit = BigInt::from(PPM_UNIT);
            let ceil = |x: &Fr| -((-signed(x)).div_floor(&unit));
            let best = inputs.iter().map(ceil).max().expect("at least one input");
            Ok(vec![reduce(&best.max(BigInt::zero()))])
        }
        Hint::HaircutMin => {
            need(hint, inputs, 2)?;
            let d = positive_divisor(hint, &inputs[0])?;
            let least = inputs[1..].iter().map(|y| signed(y).div_floor(&d)).min();
            Ok(vec![reduce(&least.expect("at least one piece"))])
        }
    }
}

/// Everything one solve needs, borrowed from the `.solve` file's sections.
pub struct SolveRequest<'a> {
    pub n_wires: usize,
    pub n_inputs: usize,
    pub pool: &'a [u8],
    pub hints: &'a [String],
    pub own_steps: &'a [u8],
    pub shared_outputs: &'a [u8],
    pub inputs: &'a [u8],
    pub shared_steps: Option<&'a [u8]>,
    pub shared_values: Option<&'a [u8]>,
}

/// A solved witness and the shared segment's output values (what a cache holds).
pub struct Solved {
    pub witness: Vec<Fr>,
    pub shared: Vec<Fr>,
}

/// Resolve hint names; an unknown name makes the program unusable here.
pub fn resolve_hints(names: &[String]) -> SolveResult<Vec<Hint>> {
    names
        .iter()
        .map(|n| {
            Hint::from_name(n)
                .ok_or_else(|| SolveError::Format(format!("no native hint named {n:?}")))
        })
        .collect()
}

fn check_shape(n_wires: usize, n_inputs: usize) -> SolveResult<()> {
    if n_inputs >= n_wires || n_wires >= 1 << 32 {
        return format_err("inconsistent wire counts");
    }
    Ok(())
}

/// Solve the program for `inputs` (the flattened input values in wire order).
pub fn solve(req: &SolveRequest<'_>) -> SolveResult<Solved> {
    check_shape(req.n_wires, req.n_inputs)?;
    let pool = parse_pool(req.pool)?;
    let hints = resolve_hints(req.hints)?;
    let limits = Limits {
        n_wires: req.n_wires,
        n_inputs: req.n_inputs,
        n_constraints: 0,
        pool: &pool,
        hints: &hints,
    };
    let own = decode_steps(req.own_steps, &limits, "own steps")?;
    let outputs = shared_outputs(req.shared_outputs, &limits)?;
    let inputs = parse_values(req.inputs, "input")?;
    if inputs.len() != req.n_inputs {
        return Err(SolveError::Input(format!(
            "{} input values, the program has {} inputs",
            inputs.len(),
            req.n_inputs
        )));
    }
    let mut w = vec![Fr::zero(); req.n_wires];
    w[0] = Fr::one();
    w[1..=req.n_inputs].copy_from_slice(&inputs);
    let shared = match (req.shared_values, req.shared_steps) {
        (Some(values), _) => {
            let values = parse_values(values, "cached shared value")?;
            if values.len() != outputs.len() {
                return Err(SolveError::Input(format!(
                    "{} cached shared values, expected {}",
                    values.len(),
                    outputs.len()
                )));
            }
            for (&wire, &v) in outputs.iter().zip(&values) {
                w[wire as usize] = v;
            }
            values
        }
        (None, Some(body)) => {
            let segment = decode_steps(body, &limits, "shared steps")?;
            if segment.outputs() != outputs {
                return format_err("the shared outputs do not match the shared steps");
            }
            segment.run(&mut w)?;
            outputs.iter().map(|&wire| w[wire as usize]).collect()
        }
        (None, None) => {
            return Err(SolveError::Input(
                "neither shared steps nor cached shared values".into(),
            ))
        }
    };
    own.run(&mut w)?;
    Ok(Solved { witness: w, shared })
}

fn shared_outputs(body: &[u8], limits: &Limits<'_>) -> SolveResult<Vec<u32>> {
    let mut cursor = Cursor::new(body, "shared outputs")?;
    let outputs = cursor.take(cursor.remaining())?;
    if outputs
        .iter()
        .any(|&w| !(limits.n_inputs < w as usize && (w as usize) < limits.n_wires))
    {
        return format_err("a shared output is outside the internal wires");
    }
    Ok(outputs)
}

/// The row of the first failing check of `checks` (a checks section) under `witness`.
pub fn first_failure(
    n_wires: usize,
    n_constraints: usize,
    pool: &[u8],
    checks: &[u8],
    witness: &[u8],
) -> SolveResult<Option<u32>> {
    let pool = parse_pool(pool)?;
    let limits = Limits {
        n_wires,
        n_inputs: 0,
        n_constraints,
        pool: &pool,
        hints: &[],
    };
    let checks = decode_checks(checks, &limits, "checks")?;
    let w = parse_values(witness, "witness value")?;
    if w.len() != n_wires {
        return Err(SolveError::Input(format!(
            "witness has {} values, expected {n_wires}",
            w.len()
        )));
    }
    Ok(checks.first_failure(&w))
}

#[cfg(test)]
mod tests {
    use super::*;

    fn fr(v: i64) -> Fr {
        reduce(&BigInt::from(v))
    }

    fn words(ws: &[u32]) -> Vec<u8> {
        ws.iter().flat_map(|w| w.to_le_bytes()).collect()
    }

    fn pool(values: &[i64]) -> Vec<u8> {
        values_bytes(&values.iter().map(|&v| fr(v)).collect::<Vec<_>>())
    }

    #[test]
    fn floor_and_ceil_division_round_toward_minus_and_plus_infinity() {
        assert_eq!(
            run_hint(Hint::FloorDiv, &[fr(-7), fr(2)], 1).unwrap(),
            vec![fr(-4)]
        );
        assert_eq!(
            run_hint(Hint::CeilDiv, &[fr(-7), fr(2)], 1).unwrap(),
            vec![fr(-3)]
        );
        assert_eq!(
            run_hint(Hint::FloorDivmod, &[fr(-7), fr(2)], 2).unwrap(),
            vec![fr(-4), fr(1)]
        );
        assert_eq!(
            run_hint(Hint::FloorDivmod, &[fr(7), fr(2)], 1).unwrap(),
            vec![fr(3)]
        );
    }

    #[test]
    fn hints_refuse_zero_divisors_and_missing_inputs() {
        assert!(matches!(
            run_hint(Hint::FloorDiv, &[fr(1), fr(0)], 1),
            Err(SolveError::Hint(_))
        ));
        assert!(matches!(
            run_hint(Hint::FloorDivmod, &[fr(1), fr(0)], 2),
            Err(SolveError::Hint(_))
        ));
        assert!(matches!(
            run_hint(Hint::FloorDivmod, &[fr(1), fr(-1)], 2),
            Err(SolveError::Hint(_))
        ));
        assert!(matches!(
            run_hint(Hint::HaircutMin, &[fr(0), fr(5)], 1),
            Err(SolveError::Hint(_))
        ));
        assert!(matches!(
            run_hint(Hint::SignedExtreme, &[fr(1)], 1),
            Err(SolveError::Hint(_))
        ));
        assert!(matches!(
            run_hint(Hint::TierMax, &[], 1),
            Err(SolveError::Hint(_))
        ));
    }

    #[test]
    fn extremes_and_tiers_read_values_as_signed() {
        assert_eq!(
            run_hint(Hint::SignedExtreme, &[fr(1), fr(-5), fr(3)], 1).unwrap(),
            vec![fr(3)]
        );
        assert_eq!(
            run_hint(Hint::SignedExtreme, &[fr(0), fr(-5), fr(3)], 1).unwrap(),
            vec![fr(-5)]
        );
        assert_eq!(
            run_hint(Hint::TierMax, &[fr(-3_000_000), fr(1_000_001)], 1).unwrap(),
            vec![fr(2)]
        );
        assert_eq!(
            run_hint(Hint::TierMax, &[fr(-3_000_000)], 1).unwrap(),
            vec![fr(0)]
        );
        assert_eq!(
            run_hint(Hint::HaircutMin, &[fr(10), fr(25), fr(-1)], 1).unwrap(),
            vec![fr(-1)]
        );
        assert_eq!(
            run_hint(Hint::SecondBinds, &[fr(2), fr(-1), fr(1)], 1).unwrap(),
            vec![fr(1)]
        );
        assert_eq!(
            run_hint(Hint::SecondBinds, &[fr(2), fr(-1), fr(0)], 1).unwrap(),
            vec![fr(0)]
        );
    }

    #[test]
    fn bits_are_least_significant_first_and_zero_past_the_value() {
        let out = run_hint(Hint::Bits, &[fr(6)], 4).unwrap();
        assert_eq!(out, vec![fr(0), fr(1), fr(1), fr(0)]);
        assert_eq!(run_hint(Hint::Bits, &[fr(-1)], 300).unwrap()[299], fr(0));
    }

    /// A 4-wire program: w1 input, w2 = w1·w1 (mul), w3 = bits(w2)[0] (hint).
    fn tiny_steps() -> Vec<u8> {
        // lcs: [w1], ; steps: mul(out 2, lc0, lc0), hint(bits, [lc1 = w2], outs [3])
        words(&[2, 2, 0, 1, 2, 1, 2, 0, 0, 2, 0, 2, 0, 0, 2, 0, 1, 1, 1, 3])
    }

    fn request<'a>(
        steps: &'a [u8],
        pool: &'a [u8],
        hints: &'a [String],
        inputs: &'a [u8],
    ) -> SolveRequest<'a> {
        SolveRequest {
            n_wires: 4,
            n_inputs: 1,
            pool,
            hints,
            own_steps: steps,
            shared_outputs: &[],
            inputs,
            shared_steps: Some(&[0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0, 0]),
            shared_values: None,
        }
    }

    #[test]
    fn solve_replays_products_and_hints() {
        let (steps, pool, inputs) = (tiny_steps(), pool(&[1]), values_bytes(&[fr(3)]));
        let hints = vec!["bits".to_string()];
        let solved = solve(&request(&steps, &pool, &hints, &inputs)).unwrap();
        assert_eq!(solved.witness, vec![fr(1), fr(3), fr(9), fr(1)]);
    }

    #[test]
    fn solve_refuses_every_truncation_and_out_of_range_index() {
        let (steps, pool, inputs) = (tiny_steps(), pool(&[1]), values_bytes(&[fr(3)]));
        let hints = vec!["bits".to_string()];
        for cut in 0..steps.len() / 4 {
            let short = &steps[..4 * cut];
            let result = solve(&request(short, &pool, &hints, &inputs));
            assert!(matches!(result, Err(SolveError::Format(_))), "cut at {cut}");
        }
        for at in 0..steps.len() / 4 {
            let mut bad = steps.clone();
            bad[4 * at..4 * at + 4].copy_from_slice(&u32::MAX.to_le_bytes());
            let result = solve(&request(&bad, &pool, &hints, &inputs));
            assert!(result.is_err(), "word {at} = u32::MAX was accepted");
        }
        let unknown = vec!["no such hint".to_string()];
        assert!(matches!(
            solve(&request(&steps, &pool, &unknown, &inputs)),
            Err(SolveError::Format(_))
        ));
        let big = values_bytes(&[fr(-1)])
            .iter()
            .map(|_| 0xffu8)
            .collect::<Vec<_>>();
        assert!(matches!(
            solve(&request(&steps, &big, &hints, &inputs)),
            Err(SolveError::Format(_))
        ));
        assert!(matches!(
            solve(&request(&steps, &pool, &hints, &big)),
            Err(SolveError::Input(_))
        ));
    }

    #[test]
    fn checks_name_the_first_failing_row() {
        // lcs: [w1], [w2]; one check row 7: w1·w1 = w2
        let body = words(&[2, 2, 0, 1, 2, 1, 2, 0, 0, 1, 7, 0, 0, 1]);
        let pool = pool(&[1]);
        let good = values_bytes(&[fr(1), fr(3), fr(9), fr(0)]);
        let bad = values_bytes(&[fr(1), fr(3), fr(8), fr(0)]);
        assert_eq!(first_failure(4, 8, &pool, &body, &good).unwrap(), None);
        assert_eq!(first_failure(4, 8, &pool, &body, &bad).unwrap(), Some(7));
        assert!(matches!(
            first_failure(4, 7, &pool, &body, &good),
            Err(SolveError::Format(_))
        ));
    }
}
