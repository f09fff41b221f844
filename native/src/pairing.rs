//! Multi-pairing product check: one multi-Miller loop and one final exponentiation.

use ark_bn254::{Bn254, G1Affine, G2Affine};
use ark_ec::bn::{G1Prepared, G2Prepared};
use ark_ec::pairing::Pairing;
use ark_ff::One;
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

fn product_is_one(p: &[G1Affine], q: &[G2Affine]) -> bool {
    // Preparing G2 (the line coefficients) is a large share of the work; arkworks does it
    // serially inside multi_miller_loop, so do it here in parallel first.
    let q_prep: Vec<G2Prepared<ark_bn254::Config>> = q.par_iter().map(|x| (*x).into()).collect();
    let p_prep: Vec<G1Prepared<ark_bn254::Config>> = p.iter().map(|x| (*x).into()).collect();
    let f = Bn254::multi_miller_loop(p_prep, q_prep);
    match Bn254::final_exponentiation(f) {
        Some(gt) => gt.0.is_one(),
        None => false,
    }
}
