//! Montgomery-form conversions as snarkjs `.zkey` files store field elements:
//! the 32-byte little-endian word `a·2^256 mod p` for the element `a`.

use ark_ff::{BigInt, Fp, MontBackend, MontConfig, PrimeField};
use rayon::prelude::*;

use crate::codec::{count, par_decode, put_word, word, KResult};

fn encode(words: &[BigInt<4>]) -> Vec<u8> {
    let mut out = vec![0u8; words.len() * 32];
    out.par_chunks_exact_mut(32)
        .zip(words.par_iter())
        .for_each(|(chunk, w)| put_word(chunk, w));
    out
}

fn canonical<P: MontConfig<4>>(bytes: &[u8], index: usize) -> KResult<BigInt<4>> {
    let w = word(bytes);
    if w >= P::MODULUS {
        return Err(format!("word #{index} is not below the modulus"));
    }
    Ok(w)
}

/// Map Montgomery words `a·2^256 mod p` (each < p) to canonical `a`.
pub fn from_montgomery<P: MontConfig<4>>(values: &[u8], what: &str) -> KResult<Vec<u8>> {
    count(values, 32, what)?;
    let out: Vec<BigInt<4>> = par_decode(values, 32, what, |b, i| {
        // arkworks stores field elements in Montgomery form with R = 2^256, so the word is
        // exactly the internal representation of `a`.
        Ok(Fp::<MontBackend<P, 4>, 4>::new_unchecked(canonical::<P>(b, i)?).into_bigint())
    })?;
    Ok(encode(&out))
}

/// Map canonical `a` (each < p) to Montgomery words `a·2^256 mod p`.
pub fn to_montgomery<P: MontConfig<4>>(values: &[u8], what: &str) -> KResult<Vec<u8>> {
    count(values, 32, what)?;
    let out: Vec<BigInt<4>> = par_decode(values, 32, what, |b, i| {
        Ok(
            Fp::<MontBackend<P, 4>, 4>::from_bigint(canonical::<P>(b, i)?)
                .expect("checked < p")
                .0,
        )
    })?;
    Ok(encode(&out))
}

/// Affine points whose coordinates are stored as zkey Montgomery words.
pub trait MontgomeryPoint: ark_ec::short_weierstrass::SWCurveConfig {
    /// Bytes per point (two coordinates of 1 or 2 words).
    const BYTES: usize;
    /// Decode one point (all-zero words → infinity); every word must be < q.
    fn from_words(bytes: &[u8], index: usize) -> KResult<ark_ec::short_weierstrass::Affine<Self>>;
    /// Whether the point is on the curve (arkworks' `is_on_curve`).
    fn on_curve(p: &ark_ec::short_weierstrass::Affine<Self>) -> bool {
        p.is_on_curve()
    }
}

fn fq_word(bytes: &[u8], index: usize) -> KResult<ark_bn254::Fq> {
    let w = word(bytes);
    if w >= <ark_bn254::FqConfig as MontConfig<4>>::MODULUS {
        return Err(format!("point #{index}: a coordinate word is not below q"));
    }
    // arkworks stores Fq in Montgomery form with R = 2^256: the word is the element.
    Ok(ark_bn254::Fq::new_unchecked(w))
}

impl MontgomeryPoint for ark_bn254::g1::Config {
    const BYTES: usize = 64;
    fn from_words(bytes: &[u8], index: usize) -> KResult<ark_bn254::G1Affine> {
        if bytes.iter().all(|b| *b == 0) {
            return Ok(ark_bn254::G1Affine::identity());
        }
        let (x, y) = (
            fq_word(&bytes[..32], index)?,
            fq_word(&bytes[32..64], index)?,
        );
        Ok(ark_bn254::G1Affine::new_unchecked(x, y))
    }

    /// `y² = x³ + 3` in the lazily reduced field of the MSM (its Montgomery product is the
    /// x86-64-v3 build's assembly): a zkey's G1 tables are checked point by point on every
    /// load, and arkworks' generic check costs a third more here.
    fn on_curve(p: &ark_bn254::G1Affine) -> bool {
        use crate::lazy_field::{LazyField, LazyFq};
        use ark_ec::short_weierstrass::SWCurveConfig;
        if p.infinity {
            return true;
        }
        let (x, y) = (LazyFq::lift(&p.x), LazyFq::lift(&p.y));
        let b = LazyFq::lift(&ark_bn254::g1::Config::COEFF_B);
        let rhs = x.square().mul(&x).add(&b);
        y.square().canonical().same(&rhs.canonical())
    }
}

impl MontgomeryPoint for ark_bn254::g2::Config {
    const BYTES: usize = 128;
    fn from_words(bytes: &[u8], index: usize) -> KResult<ark_bn254::G2Affine> {
        if bytes.iter().all(|b| *b == 0) {
            return Ok(ark_bn254::G2Affine::identity());
        }
        let c = |k: usize| fq_word(&bytes[32 * k..32 * k + 32], index);
        let x = ark_bn254::Fq2::new(c(0)?, c(1)?);
        let y = ark_bn254::Fq2::new(c(2)?, c(3)?);
        Ok(ark_bn254::G2Affine::new_unchecked(x, y))
    }
}

/// Parse zkey points (Montgomery words) straight into affine points, with no conversion
/// pass: every word < q; with `on_curve`, every point on the curve and in the order-r
/// subgroup too (errors name the lowest bad index). Decodes in parallel into one
/// preallocated table, so a large key's table is never built twice.
pub fn points_from_montgomery<P: MontgomeryPoint>(
    buffer: &[u8],
    what: &str,
    on_curve: bool,
) -> KResult<Vec<ark_ec::short_weierstrass::Affine<P>>> {
    let n = count(buffer, P::BYTES, what)?;
    let decode = |bytes: &[u8], index: usize| -> KResult<ark_ec::short_weierstrass::Affine<P>> {
        let p = P::from_words(bytes, index)?;
        if on_curve && !P::on_curve(&p) {
            return Err(format!("point #{index} is not on the curve"));
        }
        if on_curve && !p.is_in_correct_subgroup_assuming_on_curve() {
            return Err(format!("point #{index} is not in the prime-order subgroup"));
        }
        Ok(p)
    };
    let mut table = vec![ark_ec::short_weierstrass::Affine::<P>::identity(); n];
    let failed = table
        .par_iter_mut()
        .zip(buffer.par_chunks_exact(P::BYTES))
        .enumerate()
        .filter_map(|(index, (slot, bytes))| match decode(bytes, index) {
            Ok(p) => {
                *slot = p;
                None
            }
            Err(_) => Some(index),
        })
        .min();
    match failed {
        None => Ok(table),
        Some(index) => {
            let bytes = &buffer[index * P::BYTES..(index + 1) * P::BYTES];
            Err(format!(
                "{what}: {}",
                decode(bytes, index).expect_err("failed above")
            ))
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fq, Fr, G1Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{One, UniformRand, Zero};
    use ark_std::test_rng;

    /// The lazy-field curve check says what arkworks says, on and off the curve.
    #[test]
    fn g1_on_curve_agrees_with_arkworks() {
        let mut rng = test_rng();
        let mut points = vec![G1Affine::identity(), G1Affine::generator()];
        for _ in 0..500 {
            let p = (G1Affine::generator() * Fr::rand(&mut rng)).into_affine();
            points.push(p);
            points.push(G1Affine::new_unchecked(p.x, p.y + Fq::one()));
            points.push(G1Affine::new_unchecked(p.y, p.x));
            points.push(G1Affine::new_unchecked(
                Fq::rand(&mut rng),
                Fq::rand(&mut rng),
            ));
        }
        points.push(G1Affine::new_unchecked(Fq::zero(), Fq::zero()));
        points.push(G1Affine::new_unchecked(-Fq::one(), Fq::zero()));
        for p in &points {
            assert_eq!(
                <ark_bn254::g1::Config as MontgomeryPoint>::on_curve(p),
                p.is_on_curve(),
                "{p:?}"
            );
        }
    }
}
