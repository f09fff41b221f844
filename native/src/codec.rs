//! Byte codecs between the Python-side encodings (`algebra/encoding.py`) and arkworks types.
//!
//! Every element is 32 bytes little-endian and canonical (< modulus); a G1 point is
//! `x ‖ y`, a G2 point `x.c0 ‖ x.c1 ‖ y.c0 ‖ y.c1`; all-zero bytes are the point at
//! infinity. Decoders reject non-canonical words instead of reducing them.

use ark_bn254::{Fq, Fq2, Fr, G1Affine, G2Affine};
use ark_ec::AffineRepr;
use ark_ff::{BigInt, PrimeField};
use rayon::prelude::*;

pub const FR_BYTES: usize = 32;
pub const G1_BYTES: usize = 64;
pub const G2_BYTES: usize = 128;

/// A kernel failure caused by malformed input; the Python layer raises `MalformedInputError`.
pub type KResult<T> = Result<T, String>;

/// Read a 32-byte little-endian word as a 256-bit integer.
pub fn word(bytes: &[u8]) -> BigInt<4> {
    let mut limbs = [0u64; 4];
    for (i, limb) in limbs.iter_mut().enumerate() {
        let mut chunk = [0u8; 8];
        chunk.copy_from_slice(&bytes[8 * i..8 * i + 8]);
        *limb = u64::from_le_bytes(chunk);
    }
    BigInt::new(limbs)
}

/// Write a 256-bit integer as 32 little-endian bytes.
pub fn put_word(out: &mut [u8], value: &BigInt<4>) {
    for (i, limb) in value.0.iter().enumerate() {
        out[8 * i..8 * i + 8].copy_from_slice(&limb.to_le_bytes());
    }
}

/// Split a buffer into `width`-byte items, rejecting a ragged length.
pub fn count(buffer: &[u8], width: usize, what: &str) -> KResult<usize> {
    if !buffer.len().is_multiple_of(width) {
        return Err(format!(
            "{what} buffer length {} is not a multiple of {width}",
            buffer.len()
        ));
    }
    Ok(buffer.len() / width)
}

/// Decode one canonical Fr scalar as its integer (not Montgomery) representation.
pub fn fr_bigint(bytes: &[u8], index: usize) -> KResult<BigInt<4>> {
    let value = word(bytes);
    if value >= Fr::MODULUS {
        return Err(format!("scalar #{index} is not in [0, r)"));
    }
    Ok(value)
}

/// Decode fixed-width items in parallel; on failure report the lowest bad index (deterministic).
pub fn par_decode<T, F>(buffer: &[u8], width: usize, what: &str, decode: F) -> KResult<Vec<T>>
where
    T: Send,
    F: Fn(&[u8], usize) -> KResult<T> + Sync,
{
    count(buffer, width, what)?;
    let decoded: KResult<Vec<T>> = buffer
        .par_chunks_exact(width)
        .enumerate()
        .map(|(i, chunk)| decode(chunk, i))
        .collect();
    decoded.map_err(|_| {
        let first = buffer
            .chunks_exact(width)
            .enumerate()
            .find_map(|(i, chunk)| decode(chunk, i).err())
            .expect("a failing item exists");
        format!("{what}: {first}")
    })
}

/// Decode an n × 32-byte buffer of canonical scalars into integers (not Montgomery form).
pub fn fr_bigints(buffer: &[u8], what: &str) -> KResult<Vec<BigInt<4>>> {
    par_decode(buffer, FR_BYTES, what, fr_bigint)
}

/// Decode an n × 32-byte buffer of canonical scalars into field elements.
pub fn fr_vector(buffer: &[u8], what: &str) -> KResult<Vec<Fr>> {
    par_decode(buffer, FR_BYTES, what, |chunk, i| {
        Ok(Fr::from_bigint(fr_bigint(chunk, i)?).expect("checked < r"))
    })
}

/// Encode field elements as one contiguous n × 32-byte buffer, in parallel.
pub fn fr_vector_bytes(values: &[Fr]) -> Vec<u8> {
    let mut out = vec![0u8; values.len() * FR_BYTES];
    out.par_chunks_exact_mut(FR_BYTES)
        .zip(values.par_iter())
        .for_each(|(chunk, value)| put_word(chunk, &value.into_bigint()));
    out
}

/// Decode one canonical Fq coordinate; `what` names it in the error.
pub fn fq(bytes: &[u8], index: usize, what: &str) -> KResult<Fq> {
    Fq::from_bigint(word(bytes))
        .ok_or_else(|| format!("point #{index}: {what} coordinate is not in [0, q)"))
}

fn put_fq(out: &mut [u8], value: &Fq) {
    put_word(out, &value.into_bigint());
}

/// Decode a 64-byte G1 point (zeros → infinity); coordinates must be < q, no curve check.
pub fn g1_point(bytes: &[u8], index: usize) -> KResult<G1Affine> {
    if bytes.iter().all(|b| *b == 0) {
        return Ok(G1Affine::identity());
    }
    let x = fq(&bytes[0..32], index, "x")?;
    let y = fq(&bytes[32..64], index, "y")?;
    Ok(G1Affine::new_unchecked(x, y))
}

/// Decode a 128-byte G2 point (zeros → infinity); coordinates must be < q, no curve check.
pub fn g2_point(bytes: &[u8], index: usize) -> KResult<G2Affine> {
    if bytes.iter().all(|b| *b == 0) {
        return Ok(G2Affine::identity());
    }
    let x = Fq2::new(
        fq(&bytes[0..32], index, "x.c0")?,
        fq(&bytes[32..64], index, "x.c1")?,
    );
    let y = Fq2::new(
        fq(&bytes[64..96], index, "y.c0")?,
        fq(&bytes[96..128], index, "y.c1")?,
    );
    Ok(G2Affine::new_unchecked(x, y))
}

/// Encode a G1 point into 64 bytes (infinity → zeros).
pub fn put_g1(out: &mut [u8], point: &G1Affine) {
    if point.is_zero() {
        out[..G1_BYTES].fill(0);
        return;
    }
    put_fq(&mut out[0..32], &point.x);
    put_fq(&mut out[32..64], &point.y);
}

/// Encode a G2 point into 128 bytes (infinity → zeros).
pub fn put_g2(out: &mut [u8], point: &G2Affine) {
    if point.is_zero() {
        out[..G2_BYTES].fill(0);
        return;
    }
    put_fq(&mut out[0..32], &point.x.c0);
    put_fq(&mut out[32..64], &point.x.c1);
    put_fq(&mut out[64..96], &point.y.c0);
    put_fq(&mut out[96..128], &point.y.c1);
}
