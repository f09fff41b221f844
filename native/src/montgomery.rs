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
