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
        if on_curve && !p.is_on_curve() {
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
