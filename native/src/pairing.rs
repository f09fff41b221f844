//! Multi-pairing product check: one multi-Miller loop and one final exponentiation.

use ark_bn254::{Bn254, Fq12, G1Affine, G2Affine};
use ark_ec::bn::{g2::EllCoeff, BnConfig, G2Prepared};
use ark_ec::pairing::{MillerLoopOutput, Pairing};
use ark_ec::AffineRepr;
use ark_ff::{Field, One};
use rayon::prelude::*;

use crate::codec::KResult;
use crate::curve::points;

/// Return whether `Π e(P_i, Q_i) = 1` in GT for n ≥ 1 pairs of on-curve points.
///
/// G2 subgroup membership is the caller's job (`g2_validate`), so keys validated once at
/// load time are not re-checked on every verification.
pub fn pairing_check(g1: &[u8], g2: &[u8]) -> KResult<bool> {
    let p = points::<ark_bn254::g1::Config>(g1)?;
    let q = points::<ark_bn254::g2::Config>(g2)?;
    if p.len() != q.len() {
        return Err(format!(
            "pairing check has {} G1 but {} G2 points",
            p.len(),
            q.len()
        ));
    }
    if p.is_empty() {
        return Err("pairing check needs at least one pair".into());
    }
    let on_curves = |(i, (a, b)): (usize, (&G1Affine, &G2Affine))| {
        (!a.is_on_curve() || !b.is_on_curve()).then_some(i)
    };
    if let Some(i) = p.iter().zip(q.iter()).enumerate().find_map(on_curves) {
        return Err(format!("pairing check: pair #{i} is not on the curves"));
    }
    Ok(product_is_one(&p, &q))
}

/// `f ← f · ℓ(P)` for one line with coefficients `c` (BN254 is a D-type twist).
fn ell(f: &mut Fq12, c: &EllCoeff<ark_bn254::Config>, p: &G1Affine) {
    let mut c0 = c.0;
    let mut c1 = c.1;
    c0.mul_assign_by_fp(&p.y);
    c1.mul_assign_by_fp(&p.x);
    f.mul_by_034(&c0, &c1, &c.2);
}

/// Line coefficients of a G2 point for the Miller loop (empty for the point at infinity).
pub type Lines = Vec<EllCoeff<ark_bn254::Config>>;

/// Return `q`'s line coefficients (arkworks' `G2Prepared`; empty for infinity).
pub fn prepare(q: &G2Affine) -> Lines {
    G2Prepared::<ark_bn254::Config>::from(*q).ell_coeffs
}

/// The product of the Miller loops of all pairs, with each Fq12 squaring shared by all of them.
///
/// Same schedule and line functions as arkworks' `multi_miller_loop` (which shares each
/// squaring among only 4 pairs); since squaring distributes over products the result is
/// the same field element. Pairs with a point at infinity contribute 1.
pub fn miller_loop_prepared(pairs: &[(G1Affine, &[EllCoeff<ark_bn254::Config>])]) -> Fq12 {
    let live: Vec<&(G1Affine, &[EllCoeff<ark_bn254::Config>])> = pairs
        .iter()
        .filter(|(p, coeffs)| !p.is_zero() && !coeffs.is_empty())
        .collect();
    let bits = <ark_bn254::Config as BnConfig>::ATE_LOOP_COUNT;
    let mut f = Fq12::one();
    let mut step = 0;
    for i in (1..bits.len()).rev() {
        if i != bits.len() - 1 {
            f.square_in_place();
        }
        let lines = if bits[i - 1] == 0 { 1 } else { 2 };
        for (p, coeffs) in &live {
            for c in &coeffs[step..step + lines] {
                ell(&mut f, c, p);
            }
        }
        step += lines;
    }
    // BN254's x is positive: no conjugation of f before the two Frobenius lines.
    const _: () = assert!(!<ark_bn254::Config as BnConfig>::X_IS_NEGATIVE);
    for (p, coeffs) in &live {
        ell(&mut f, &coeffs[step], p);
        ell(&mut f, &coeffs[step + 1], p);
    }
    f
}

fn miller_loop(ps: &[G1Affine], qs: &[G2Affine]) -> Fq12 {
    let lines: Vec<Lines> = qs.iter().map(prepare).collect();
    let pairs: Vec<(G1Affine, &[EllCoeff<ark_bn254::Config>])> = ps
        .iter()
        .zip(&lines)
        .map(|(p, l)| (*p, l.as_slice()))
        .collect();
    miller_loop_prepared(&pairs)
}

fn product_is_one(p: &[G1Affine], q: &[G2Affine]) -> bool {
    // One contiguous chunk per thread, its Miller loops sharing every squaring.
    let chunk = p.len().div_ceil(rayon::current_num_threads()).max(1);
    let f = p
        .par_chunks(chunk)
        .zip(q.par_chunks(chunk))
        .map(|(ps, qs)| miller_loop(ps, qs))
        .reduce(Fq12::one, |a, b| a * b);
    match Bn254::final_exponentiation(MillerLoopOutput(f)) {
        Some(gt) => gt.0.is_one(),
        None => false,
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Projective, G2Projective};
    use ark_ec::CurveGroup;
    use ark_ff::UniformRand;
    use ark_std::test_rng;

    #[test]
    fn shared_squaring_miller_loop_equals_arkworks() {
        let mut rng = test_rng();
        let mut p: Vec<G1Affine> = (0..11)
            .map(|_| G1Projective::rand(&mut rng).into_affine())
            .collect();
        let mut q: Vec<G2Affine> = (0..11)
            .map(|_| G2Projective::rand(&mut rng).into_affine())
            .collect();
        p[3] = G1Affine::identity();
        q[7] = G2Affine::identity();
        let ours = miller_loop(&p, &q);
        let theirs = Bn254::multi_miller_loop(p.clone(), q.clone()).0;
        assert_eq!(ours, theirs);
        assert_eq!(miller_loop(&[], &[]), Fq12::one());
    }
}
