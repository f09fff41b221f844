//! Groth16 batch verification by random linear combination, bisected inside one kernel.
//!
//! For proofs `(Aᵢ, Bᵢ, Cᵢ)` with inputs `xᵢ` and random scalars `rᵢ`, a subset S is
//! accepted iff its value
//!
//! `v(S) = Π_{i∈S} e(rᵢ·Aᵢ, Bᵢ) · e((Σ rᵢ)·α, −β) · e(Σⱼ sⱼ·ICⱼ, −γ) · e(Σ rᵢ·Cᵢ, −δ)`
//!
//! (sums over S, `s₀ = Σ rᵢ`, `sⱼ = Σ rᵢ·xᵢⱼ`) is 1 in GT — the check of
//! `verifier/batch.py`, which this kernel accelerates. Three things make it cheaper than
//! that Python driver calling `pairing_check` per subset:
//! - `rᵢ·Aᵢ` and the line coefficients of every `Bᵢ` are computed once per chunk and
//!   reused by every subset the bisection checks;
//! - `v` is multiplicative over disjoint subsets (bilinearity, and every G1 term above is
//!   linear in S), so after checking the left half L of a failing S the right half's value
//!   is `v(S)·v(L)⁻¹`, with no pairing at all;
//! - each subset's Miller loops share their Fq12 squarings (`pairing::miller_loop_prepared`).
//!
//! G2 subgroup membership of the `Bᵢ` is the caller's job (`g2_validate`), as for
//! `pairing_check`; every point is checked to be on its curve here.

use ark_bn254::{Bn254, Fq12, Fr, G1Affine, G2Affine};
use ark_ec::pairing::{MillerLoopOutput, Pairing};
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{Field, One, Zero};
use rayon::prelude::*;

use crate::codec::{fr_vector, fr_vector_bytes, g1_point, KResult};
use crate::curve::points;
use crate::pairing::{miller_loop_prepared, prepare, Lines};

type G1c = ark_bn254::g1::Config;
type G2c = ark_bn254::g2::Config;

/// The verifying key's parts the check needs: α, the IC table, prepared −β, −γ, −δ.
struct Key {
    alpha: G1Affine,
    ic: Vec<G1Affine>,
    fixed: [Lines; 3],
}

/// One chunk's statements, with everything that does not depend on the subset precomputed.
struct Chunk {
    scaled_a: Vec<G1Affine>,
    lines: Vec<Lines>,
    c: Vec<G1Affine>,
    inputs: Vec<Fr>,
    r: Vec<Fr>,
}

fn on_curve_g1(what: &str, buffer: &[u8]) -> KResult<Vec<G1Affine>> {
    let p = points::<G1c>(buffer).map_err(|e| format!("{what}: {e}"))?;
    match p.iter().position(|x| !x.is_on_curve()) {
        Some(i) => Err(format!("{what}: G1 point #{i} is not on the curve")),
        None => Ok(p),
    }
}

fn on_curve_g2(what: &str, buffer: &[u8]) -> KResult<Vec<G2Affine>> {
    let p = points::<G2c>(buffer).map_err(|e| format!("{what}: {e}"))?;
    match p.iter().position(|x| !x.is_on_curve()) {
        Some(i) => Err(format!("{what}: G2 point #{i} is not on the curve")),
        None => Ok(p),
    }
}

fn key(alpha: &[u8], ic: &[u8], neg_g2: &[u8]) -> KResult<Key> {
    let alpha = on_curve_g1("alpha", alpha)?;
    let ic = on_curve_g1("ic", ic)?;
    let fixed = on_curve_g2("neg_g2", neg_g2)?;
    if alpha.len() != 1 || ic.is_empty() || fixed.len() != 3 {
        return Err("batch key needs one alpha, a non-empty IC table and three G2 points".into());
    }
    Ok(Key {
        alpha: alpha[0],
        ic,
        fixed: [prepare(&fixed[0]), prepare(&fixed[1]), prepare(&fixed[2])],
    })
}

fn chunk(
    n_public: usize,
    a: &[u8],
    b: &[u8],
    c: &[u8],
    inputs: &[u8],
    scalars: &[u8],
) -> KResult<Chunk> {
    let a = on_curve_g1("a", a)?;
    let b = on_curve_g2("b", b)?;
    let c = on_curve_g1("c", c)?;
    let inputs = fr_vector(inputs, "inputs")?;
    let r = fr_vector(scalars, "scalars")?;
    let n = a.len();
    if b.len() != n || c.len() != n || r.len() != n || inputs.len() != n * n_public {
        return Err(format!(
            "batch of {n} A points has {} B, {} C, {} scalars and {} inputs (expected {} each)",
            b.len(),
            c.len(),
            r.len(),
            inputs.len(),
            n_public
        ));
    }
    // G1 has cofactor 1, so GLV is exact on every on-curve A.
    let scaled_a = crate::batch_mul::batch_mul(&a, &r, true);
    let lines = b.par_iter().map(prepare).collect();
    Ok(Chunk {
        scaled_a,
        lines,
        c,
        inputs,
        r,
    })
}

fn msm(bases: &[G1Affine], scalars: &[Fr]) -> KResult<G1Affine> {
    let encoded = crate::curve::msm::<G1c>(bases, &fr_vector_bytes(scalars))?;
    g1_point(&encoded, 0)
}

/// `v(S)` in GT, or None when the Miller loop value is not invertible (never 1).
fn value(key: &Key, st: &Chunk, subset: &[usize]) -> KResult<Option<Fq12>> {
    let m = key.ic.len() - 1;
    let mut columns = vec![Fr::zero(); m + 1];
    for &k in subset {
        columns[0] += st.r[k];
        for j in 0..m {
            columns[j + 1] += st.r[k] * st.inputs[k * m + j];
        }
    }
    let alpha = crate::scalar_mul::mul(&key.alpha.into_group(), &columns[0], true).into_affine();
    let vk_x = msm(&key.ic, &columns)?;
    let c_bases: Vec<G1Affine> = subset.iter().map(|&k| st.c[k]).collect();
    let c_scalars: Vec<Fr> = subset.iter().map(|&k| st.r[k]).collect();
    let c_sum = msm(&c_bases, &c_scalars)?;
    let per_thread = subset.len().div_ceil(rayon::current_num_threads()).max(1);
    let f = subset
        .par_chunks(per_thread)
        .map(|ks| {
            let pairs: Vec<(G1Affine, &[_])> = ks
                .iter()
                .map(|&k| (st.scaled_a[k], st.lines[k].as_slice()))
                .collect();
            miller_loop_prepared(&pairs)
        })
        .reduce(Fq12::one, |x, y| x * y);
    let fixed = miller_loop_prepared(&[
        (alpha, key.fixed[0].as_slice()),
        (vk_x, key.fixed[1].as_slice()),
        (c_sum, key.fixed[2].as_slice()),
    ]);
    Ok(Bn254::final_exponentiation(MillerLoopOutput(f * fixed)).map(|gt| gt.0))
}

fn passes(v: &Option<Fq12>) -> bool {
    matches!(v, Some(x) if x.is_one())
}

/// Append to `out` the members of `subset` (whose value is `v`) that fail on their own.
fn split(
    key: &Key,
    st: &Chunk,
    subset: &[usize],
    v: Option<Fq12>,
    out: &mut Vec<usize>,
) -> KResult<()> {
    if passes(&v) {
        return Ok(());
    }
    if subset.len() == 1 {
        out.push(subset[0]);
        return Ok(());
    }
    let (left, right) = subset.split_at(subset.len() / 2);
    let v_left = value(key, st, left)?;
    let v_right = match (v, v_left) {
        (Some(whole), Some(part)) => Some(whole * part.inverse().expect("GT elements are units")),
        _ => value(key, st, right)?,
    };
    split(key, st, left, v_left, out)?;
    split(key, st, right, v_right, out)
}

/// Return the indices (ascending) of the statements that fail the Groth16 equation.
///
/// `alpha` is α (one G1 point), `ic` the IC table (n_public + 1 points), `neg_g2` the
/// points −β ‖ −γ ‖ −δ; `a`, `b`, `c` the proofs' points, `inputs` their public inputs
/// (n × n_public scalars, row by row) and `scalars` the random combination scalars rᵢ
/// (nonzero, drawn by the caller after the proofs are fixed).
#[allow(clippy::too_many_arguments)]
pub fn batch_invalid(
    alpha: &[u8],
    ic: &[u8],
    neg_g2: &[u8],
    a: &[u8],
    b: &[u8],
    c: &[u8],
    inputs: &[u8],
    scalars: &[u8],
) -> KResult<Vec<usize>> {
    let key = key(alpha, ic, neg_g2)?;
    let st = chunk(key.ic.len() - 1, a, b, c, inputs, scalars)?;
    if st.r.is_empty() {
        return Ok(Vec::new());
    }
    let all: Vec<usize> = (0..st.r.len()).collect();
    let mut out = Vec::new();
    split(&key, &st, &all, value(&key, &st, &all)?, &mut out)?;
    out.sort_unstable();
    Ok(out)
}

/// Python entry point of [`batch_invalid`] (runs without the GIL).
#[pyo3::pyfunction]
#[allow(clippy::too_many_arguments)]
pub fn groth16_batch_invalid(
    py: pyo3::Python<'_>,
    alpha: &[u8],
    ic: &[u8],
    neg_g2: &[u8],
    a: &[u8],
    b: &[u8],
    c: &[u8],
    inputs: &[u8],
    scalars: &[u8],
) -> pyo3::PyResult<Vec<usize>> {
    let result = py.allow_threads(|| batch_invalid(alpha, ic, neg_g2, a, b, c, inputs, scalars));
    crate::check(py, result)
}
