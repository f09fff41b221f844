//! BN254 G2 subgroup membership, the same predicate as arkworks, computed with fewer additions.
//!
//! A point P on the twist E'(Fq2) lies in the order-r group G2 iff ψ(P) = [6x²]P, where ψ is
//! the untwist-Frobenius-twist endomorphism and 6x² = t − 1 (Scott, "A note on group
//! membership tests for G1, G2 and GT on BLS pairing-friendly curves", ePrint 2021/1130,
//! §4.3; arkworks' `is_in_correct_subgroup_assuming_on_curve`). arkworks computes [6x²]P
//! by plain double-and-add over the 127-bit constant (126 doublings, 69 additions). Here the
//! constant's width-4 NAF (25 non-zero digits) drives the same doublings with 25 mixed
//! additions from a table [P, 3P, 5P, 7P], whose entries are made affine for a whole batch
//! of points with one shared inversion. The group element [6x²]P is the same, so the test
//! is exactly arkworks' test.

use std::sync::OnceLock;

use ark_bn254::{Fq2, G2Affine, G2Projective};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup};
use ark_ff::{Field, MontFp, Zero};
use rayon::prelude::*;

/// BN254's curve parameter x (positive).
const X: u128 = 4_965_661_367_192_848_881;
/// 6x² = t − 1, 127 bits.
const SIX_X_SQUARED: u128 = 6 * X * X;
/// NAF window: digits are odd and in [−7, 7].
const WINDOW: u32 = 4;
/// Odd multiples P, 3P, 5P, 7P.
const TABLE: usize = 1 << (WINDOW - 2);
/// Points whose tables share one inversion.
const BATCH: usize = 128;

/// ψ's x-coefficient (u + 9)^((p−1)/3).
const PSI_X: Fq2 = Fq2::new(
    MontFp!("21575463638280843010398324269430826099269044274347216827212613867836435027261"),
    MontFp!("10307601595873709700152284273816112264069230130616436755625194854815875713954"),
);
/// ψ's y-coefficient (u + 9)^((p−1)/2).
const PSI_Y: Fq2 = Fq2::new(
    MontFp!("2821565182194536844548159561693502659359617185244120367078079554186484126554"),
    MontFp!("3505843767911556378687030309984248845540243509899259641013678093033130930403"),
);

/// Width-4 NAF digits of 6x², least significant first.
fn digits() -> &'static [i8] {
    static DIGITS: OnceLock<Vec<i8>> = OnceLock::new();
    DIGITS.get_or_init(|| {
        let mut k = SIX_X_SQUARED;
        let mut out = Vec::with_capacity(130);
        while k != 0 {
            let mut d: i64 = 0;
            if k & 1 == 1 {
                d = (k % (1 << WINDOW)) as i64;
                if d >= 1 << (WINDOW - 1) {
                    d -= 1 << WINDOW;
                }
                // k − d, with d odd and |d| < 8: never underflows since k ≥ d when d > 0.
                k = if d >= 0 {
                    k - d as u128
                } else {
                    k + d.unsigned_abs() as u128
                };
            }
            out.push(d as i8);
            k >>= 1;
        }
        out
    })
}

/// ψ(P) = (x̄·PSI_X, ȳ·PSI_Y) (infinity stays infinity).
pub fn psi(p: &G2Affine) -> G2Affine {
    if p.infinity {
        return *p;
    }
    let mut x = p.x;
    let mut y = p.y;
    x.frobenius_map_in_place(1);
    y.frobenius_map_in_place(1);
    G2Affine::new_unchecked(x * PSI_X, y * PSI_Y)
}

fn odd_multiples(p: &G2Affine) -> [G2Projective; TABLE] {
    let double = p.into_group().double();
    let mut table = [p.into_group(); TABLE];
    for i in 1..TABLE {
        table[i] = table[i - 1] + double;
    }
    table
}

/// [6x²]P from P's affine table [P, 3P, 5P, 7P].
fn times_six_x_squared(table: &[G2Affine]) -> G2Projective {
    let mut acc = G2Projective::zero();
    for &d in digits().iter().rev() {
        acc.double_in_place();
        if d > 0 {
            acc += &table[(d as usize) / 2];
        } else if d < 0 {
            acc += &-table[(d.unsigned_abs() as usize) / 2];
        }
    }
    acc
}

fn batch_in_subgroup(points: &[G2Affine]) -> Vec<bool> {
    let tables: Vec<G2Projective> = points.iter().flat_map(odd_multiples).collect();
    let affine = G2Projective::normalize_batch(&tables);
    points
        .iter()
        .zip(affine.chunks_exact(TABLE))
        .map(|(p, table)| p.infinity || times_six_x_squared(table) == psi(p).into_group())
        .collect()
}

/// Whether each on-curve point of E'(Fq2) is in G2 (infinity is); callers check on-curve first.
pub fn g2_in_subgroup(points: &[G2Affine]) -> Vec<bool> {
    points
        .par_chunks(BATCH)
        .flat_map_iter(batch_in_subgroup)
        .collect()
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::Fq;
    use ark_ec::short_weierstrass::SWCurveConfig;
    use ark_ff::UniformRand;
    use ark_std::test_rng;

    fn twist_point(rng: &mut impl ark_std::rand::Rng) -> G2Affine {
        loop {
            let x = Fq2::new(Fq::rand(rng), Fq::rand(rng));
            if let Some(p) = G2Affine::get_point_from_x_unchecked(x, rng.gen()) {
                return p;
            }
        }
    }

    #[test]
    fn digits_recompose_to_six_x_squared() {
        let mut value: i128 = 0;
        for &d in digits().iter().rev() {
            value = 2 * value + d as i128;
        }
        assert_eq!(value as u128, SIX_X_SQUARED);
        assert!(digits()
            .iter()
            .all(|d| *d == 0 || (d % 2 != 0 && d.abs() < 8)));
    }

    #[test]
    fn agrees_with_arkworks_on_twist_points_in_and_out_of_g2() {
        let mut rng = test_rng();
        let mut points: Vec<G2Affine> = (0..300).map(|_| twist_point(&mut rng)).collect();
        let cleared: Vec<G2Affine> = points[..100]
            .iter()
            .map(<ark_bn254::g2::Config as SWCurveConfig>::clear_cofactor)
            .collect();
        points.extend(cleared);
        points.push(G2Affine::identity());
        points.push(G2Affine::generator());
        let ours = g2_in_subgroup(&points);
        let theirs: Vec<bool> = points
            .iter()
            .map(|p| p.is_in_correct_subgroup_assuming_on_curve())
            .collect();
        assert_eq!(ours, theirs);
        assert!(ours[300..].iter().all(|ok| *ok));
        assert!(ours[..300].iter().filter(|ok| !**ok).count() > 290);
    }
}
