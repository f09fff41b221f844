//! Many independent scalar multiplications at once, in affine coordinates with shared inversions.
//!
//! Every slot of a chunk runs the same schedule (GLV split, width-5 NAF digits, 128 rounds of
//! "double, then add the digit's table entry"), so each round is one batched operation over
//! the chunk: all its affine doublings or additions share a single field inversion
//! (Montgomery's trick). An affine doubling then costs ≈ 5M + 2S and an addition ≈ 5M + 1S,
//! against ≈ 2M + 5S plus field additions and ≈ 7M + 4S for Jacobian arithmetic; measured on
//! the 2-core EPYC, about 20% less CPU per G1 multiplication (field multiplications dominate
//! either way: ~128 doublings per GLV half-length scalar). Rare cases (infinity, equal or opposite x, y = 0) are
//! computed exactly in projective coordinates.
//!
//! The point FFT of the ceremony (`fft`) keeps its data affine between stages and batches
//! each stage's twiddle multiplications and butterfly additions the same way.
//!
//! On CPUs with AVX-512 IFMA, `batch_mul` hands each chunk to the vector twin of
//! [`mul_chunk`] (`crate::ifma::batch`): the same schedule and the same exact results, eight
//! slots per instruction, 3–4× less CPU per multiplication; this file stays the portable
//! path and the reference the vector kernels are tested against.

use ark_bn254::Fr;
use ark_ec::models::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::scalar_mul::glv::GLVConfig;
use ark_ec::{AffineRepr, CurveGroup};
use ark_ff::{AdditiveGroup, Field, One, Zero};
use rayon::prelude::*;

use crate::ifma::Vectorized;
use crate::scalar_mul::{bit_reverse, stage_twiddles, wnaf};

/// Slots per batch: large enough to amortise one inversion per round, small enough for cache.
const CHUNK: usize = 1024;
/// Odd multiples P, 3P, …, 15P for width-5 NAF digits.
const TABLE: usize = 8;

/// `acc[i] += q` for every `(i, q)` in `terms` (each slot at most once), one inversion in all.
pub(crate) fn batch_add<P: SWCurveConfig>(
    acc: &mut [Affine<P>],
    terms: &[(usize, Affine<P>)],
    prefix: &mut Vec<P::BaseField>,
) {
    let special = |a: &Affine<P>, q: &Affine<P>| a.infinity || q.infinity || a.x == q.x;
    prefix.clear();
    let mut product = P::BaseField::one();
    for (i, q) in terms {
        prefix.push(product);
        let a = &acc[*i];
        if !special(a, q) {
            product *= q.x - a.x;
        }
    }
    let mut inverse = product.inverse().expect("product of nonzero denominators");
    for (t, (i, q)) in terms.iter().enumerate().rev() {
        let a = acc[*i];
        if special(&a, q) {
            acc[*i] = (a.into_group() + q).into_affine();
            continue;
        }
        let dx = q.x - a.x;
        let inv_dx = inverse * prefix[t];
        inverse *= dx;
        let lambda = (q.y - a.y) * inv_dx;
        let x = lambda.square() - a.x - q.x;
        let y = lambda * (a.x - x) - a.y;
        acc[*i] = Affine::new_unchecked(x, y);
    }
}

/// `acc[i] ← 2·acc[i]` for every slot (curves y² = x³ + b), one inversion in all.
pub(crate) fn batch_double<P: SWCurveConfig>(
    acc: &mut [Affine<P>],
    prefix: &mut Vec<P::BaseField>,
) {
    assert!(
        P::COEFF_A.is_zero(),
        "affine doubling is written for y² = x³ + b"
    );
    let special = |a: &Affine<P>| a.infinity || a.y.is_zero();
    prefix.clear();
    let mut product = P::BaseField::one();
    for a in acc.iter() {
        prefix.push(product);
        if !special(a) {
            product *= a.y.double();
        }
    }
    let mut inverse = product.inverse().expect("product of nonzero denominators");
    for (t, a) in acc.iter_mut().enumerate().rev() {
        if special(a) {
            *a = Affine::identity();
            continue;
        }
        let two_y = a.y.double();
        let inv = inverse * prefix[t];
        inverse *= two_y;
        let x_squared = a.x.square();
        let lambda = (x_squared.double() + x_squared) * inv;
        let x = lambda.square() - a.x.double();
        let y = lambda * (a.x - x) - a.y;
        *a = Affine::new_unchecked(x, y);
    }
}

/// One chunk of [`batch_mul`]: the per-slot digit schedule, tables, then the shared rounds.
pub(crate) fn mul_chunk<P: GLVConfig<ScalarField = Fr>>(
    points: &[Affine<P>],
    scalars: &[Fr],
    glv: bool,
) -> Vec<Affine<P>> {
    let n = points.len();
    let mut bases = Vec::with_capacity(n);
    let mut recoded = Vec::with_capacity(n);
    let mut flips = Vec::with_capacity(n);
    for (p, k) in points.iter().zip(scalars) {
        if glv {
            let ((positive1, k1), (positive2, k2)) = P::scalar_decomposition(*k);
            bases.push(if positive1 { *p } else { -*p });
            flips.push(positive1 != positive2);
            recoded.push([wnaf(&k1), wnaf(&k2)]);
        } else {
            bases.push(*p);
            flips.push(false);
            recoded.push([wnaf(k), Vec::new()]);
        }
    }
    // digits[(bit·2 + half)·n + i]: one contiguous row of digits per round and half.
    let rounds = recoded.iter().flatten().map(Vec::len).max().unwrap_or(0);
    let mut digits = vec![0i8; rounds * 2 * n];
    for (i, halves) in recoded.iter().enumerate() {
        for (half, d) in halves.iter().enumerate() {
            for (bit, &digit) in d.iter().enumerate() {
                digits[(bit * 2 + half) * n + i] = digit;
            }
        }
    }
    drop(recoded);
    let mut prefix = Vec::with_capacity(n);
    let tables = odd_multiples(&bases, &mut prefix);
    let mut acc = vec![Affine::<P>::identity(); n];
    let mut terms = Vec::with_capacity(n);
    for bit in (0..rounds).rev() {
        batch_double(&mut acc, &mut prefix);
        for half in 0..2 {
            terms.clear();
            let row = &digits[(bit * 2 + half) * n..(bit * 2 + half + 1) * n];
            for (i, &d) in row.iter().enumerate().filter(|(_, d)| **d != 0) {
                let mut q = tables[(d.unsigned_abs() as usize / 2) * n + i];
                if half == 1 {
                    q = P::endomorphism_affine(&q);
                    if flips[i] {
                        q = -q;
                    }
                }
                terms.push((i, if d < 0 { -q } else { q }));
            }
            batch_add(&mut acc, &terms, &mut prefix);
        }
    }
    acc
}

/// Slots per chunk: up to [`CHUNK`], but small enough that every thread gets a chunk.
///
/// Every round of a chunk costs one field inversion shared by its slots, so small inputs
/// (an audit chunk's 256 `rᵢ·Aᵢ`) want as few chunks as keep every thread busy: with 64
/// slots per chunk the inversions cost about as much as the curve arithmetic.
fn chunk_size(len: usize) -> usize {
    len.div_ceil(rayon::current_num_threads()).clamp(64, CHUNK)
}

/// `tables[j·n + i] = (2j + 1)·bases[i]` for j < TABLE.
fn odd_multiples<P: SWCurveConfig>(
    bases: &[Affine<P>],
    prefix: &mut Vec<P::BaseField>,
) -> Vec<Affine<P>> {
    let n = bases.len();
    let mut twice = bases.to_vec();
    batch_double(&mut twice, prefix);
    let terms: Vec<(usize, Affine<P>)> = twice.into_iter().enumerate().collect();
    let mut tables = Vec::with_capacity(TABLE * n);
    tables.extend_from_slice(bases);
    for j in 1..TABLE {
        let mut next = tables[(j - 1) * n..j * n].to_vec();
        batch_add(&mut next, &terms, prefix);
        tables.extend_from_slice(&next);
    }
    tables
}

/// Element-wise `k_i·P_i` for points on the curve, in parallel chunks.
///
/// `glv` must only be set when every point is in the order-r group (GLV is exact there).
pub fn batch_mul<P: Vectorized>(points: &[Affine<P>], scalars: &[Fr], glv: bool) -> Vec<Affine<P>> {
    assert_eq!(points.len(), scalars.len(), "one scalar per point");
    let chunk = if crate::ifma::available() {
        crate::ifma::chunk_size(points.len())
    } else {
        chunk_size(points.len())
    };
    points
        .par_chunks(chunk)
        .zip(scalars.par_chunks(chunk))
        .map(|(p, k)| P::mul_chunk(p, k, glv).unwrap_or_else(|| mul_chunk(p, k, glv)))
        .collect::<Vec<_>>()
        .concat()
}

/// In-place radix-2 decimation-in-time FFT `v_i ← c·Σ_j ω^{ij}·v_j` over affine points on
/// the curve (n = len, a power of two); `glv` as in [`batch_mul`].
///
/// The factor `c` (1 when `None`) is folded into the last stage, `a ± ω^j·b ↦ c·a ± (cω^j)·b`.
pub fn fft<P: Vectorized>(v: &mut [Affine<P>], omega: Fr, c: Option<Fr>, glv: bool) {
    let n = v.len();
    bit_reverse(v);
    let scale = c.filter(|c| !c.is_one());
    if n == 1 {
        if let Some(c) = scale {
            v[0] = batch_mul(&v[..1], &[c], glv)[0];
        }
        return;
    }
    let mut half = 1;
    while half < n {
        let last = 2 * half == n;
        let twiddles = stage_twiddles(omega, n, half, c);
        stage(v, half, &twiddles, if last { scale } else { None }, glv);
        half *= 2;
    }
}

/// One FFT stage: every butterfly `(a, b) ↦ (s·a + w·b, s·a − w·b)` of span `half`.
fn stage<P: Vectorized>(
    v: &mut [Affine<P>],
    half: usize,
    twiddles: &[Fr],
    scale_a: Option<Fr>,
    glv: bool,
) {
    let butterflies = v.len() / 2;
    let a_index = |u: usize| (u / half) * 2 * half + u % half;
    let scaled: Vec<usize> = (0..butterflies)
        .filter(|u| !twiddles[u % half].is_one())
        .collect();
    let products = batch_mul(
        &scaled
            .iter()
            .map(|&u| v[a_index(u) + half])
            .collect::<Vec<_>>(),
        &scaled
            .iter()
            .map(|&u| twiddles[u % half])
            .collect::<Vec<_>>(),
        glv,
    );
    let mut t: Vec<Affine<P>> = (0..butterflies).map(|u| v[a_index(u) + half]).collect();
    for (&u, p) in scaled.iter().zip(products) {
        t[u] = p;
    }
    let mut a: Vec<Affine<P>> = (0..butterflies).map(|u| v[a_index(u)]).collect();
    if let Some(s) = scale_a {
        a = batch_mul(&a, &vec![s; butterflies], glv);
    }
    let (plus, minus): (Vec<_>, Vec<_>) = a
        .par_chunks(chunk_size(butterflies))
        .zip(t.par_chunks(chunk_size(butterflies)))
        .map(|(a, t)| {
            let mut prefix = Vec::with_capacity(a.len());
            let mut plus = a.to_vec();
            let terms: Vec<_> = t.iter().copied().enumerate().collect();
            batch_add(&mut plus, &terms, &mut prefix);
            let mut minus = a.to_vec();
            let negated: Vec<_> = terms.into_iter().map(|(i, q)| (i, -q)).collect();
            batch_add(&mut minus, &negated, &mut prefix);
            (plus, minus)
        })
        .unzip();
    for (u, (p, m)) in plus.concat().into_iter().zip(minus.concat()).enumerate() {
        let i = a_index(u);
        v[i] = p;
        v[i + half] = m;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Affine, G2Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::UniformRand;
    use ark_std::test_rng;

    fn random_points<A: AffineRepr>(n: usize, rng: &mut impl ark_std::rand::Rng) -> Vec<A> {
        (0..n)
            .map(|i| {
                if i % 17 == 5 {
                    A::zero()
                } else {
                    (A::generator() * A::ScalarField::rand(rng)).into_affine()
                }
            })
            .collect()
    }

    fn scalars(n: usize, rng: &mut impl ark_std::rand::Rng) -> Vec<Fr> {
        let mut k: Vec<Fr> = (0..n).map(|_| Fr::rand(rng)).collect();
        k[0] = Fr::zero();
        k[1] = Fr::one();
        k[2] = -Fr::one();
        k
    }

    #[test]
    fn g1_batch_mul_equals_scalar_mul_with_and_without_glv() {
        let mut rng = test_rng();
        let points: Vec<G1Affine> = random_points(37, &mut rng);
        let k = scalars(37, &mut rng);
        let expected: Vec<G1Affine> = points
            .iter()
            .zip(&k)
            .map(|(p, s)| (*p * s).into_affine())
            .collect();
        for glv in [false, true] {
            assert_eq!(mul_chunk(&points, &k, glv), expected);
            assert_eq!(batch_mul(&points, &k, glv), expected);
        }
    }

    #[test]
    fn g2_batch_mul_equals_scalar_mul() {
        let mut rng = test_rng();
        let points: Vec<G2Affine> = random_points(19, &mut rng);
        let k = scalars(19, &mut rng);
        let expected: Vec<G2Affine> = points
            .iter()
            .zip(&k)
            .map(|(p, s)| (*p * s).into_affine())
            .collect();
        assert_eq!(mul_chunk(&points, &k, true), expected);
        assert_eq!(batch_mul(&points, &k, true), expected);
    }

    #[test]
    #[should_panic(expected = "one scalar per point")]
    fn batch_mul_rejects_ragged_inputs() {
        let points = vec![G1Affine::generator(); 3];
        batch_mul(&points, &[Fr::one(); 2], true);
    }
}
