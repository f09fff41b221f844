//! Multi-pairing product check: one multi-Miller loop and one final exponentiation.

use ark_bn254::{Bn254, Fq12, G1Affine, G2Affine};
use ark_ec::bn::{G1Prepared, G2Prepared};
use ark_ec::pairing::{MillerLoopOutput, Pairing};
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
    // arkworks' multi-Miller loop prepares G2 serially and shares each Fq12 squaring among
    // only 4 pairs; one contiguous chunk per thread shares them among all of its pairs.
    let chunk = p.len().div_ceil(rayon::current_num_threads()).max(1);
    let f = p
        .par_chunks(chunk)
        .zip(q.par_chunks(chunk))
        .map(|(ps, qs)| {
            let q_prep: Vec<G2Prepared<ark_bn254::Config>> =
                qs.iter().map(|x| (*x).into()).collect();
            let p_prep: Vec<G1Prepared<ark_bn254::Config>> =
                ps.iter().map(|x| (*x).into()).collect();
            Bn254::multi_miller_loop(p_prep, q_prep).0
        })
        .reduce(Fq12::one, |a, b| a * b);
    match Bn254::final_exponentiation(MillerLoopOutput(f)) {
        Some(gt) => gt.0.is_one(),
        None => false,
    }
}
