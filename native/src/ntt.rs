//! Fr vector kernels: radix-2 NTT (ω = 5^((r−1)/2^28) squared down, as arkworks and snarkjs),
//! coset NTT with an arbitrary shift, and the element-wise `a·b − c` of the Groth16 quotient.

use ark_bn254::Fr;
use ark_ff::{BigInt, FftField, Field, One, PrimeField, Zero};
use ark_poly::{EvaluationDomain, Radix2EvaluationDomain};
use rayon::prelude::*;

use crate::codec::{fr_bigint, fr_vector, fr_vector_bytes, KResult};

pub fn domain(n: usize) -> KResult<Radix2EvaluationDomain<Fr>> {
    if n == 0 || !n.is_power_of_two() || n.trailing_zeros() > Fr::TWO_ADICITY {
        return Err(format!("NTT length {n} is not a power of two ≤ 2^28"));
    }
    Radix2EvaluationDomain::new(n).ok_or_else(|| format!("no radix-2 domain of size {n}"))
}

/// Evaluate (or, with `inverse`, interpolate) on the subgroup of size n = len/32.
pub fn fr_ntt(values: &[u8], inverse: bool) -> KResult<Vec<u8>> {
    let mut v = fr_vector(values, "NTT input")?;
    let d = domain(v.len())?;
    if inverse {
        d.ifft_in_place(&mut v);
    } else {
        d.fft_in_place(&mut v);
    }
    Ok(fr_vector_bytes(&v))
}

/// Evaluate at `shift·ω^i` (or, with `inverse`, interpolate from those points); shift ∈ [1, r).
pub fn fr_coset_ntt(values: &[u8], shift: &[u8], inverse: bool) -> KResult<Vec<u8>> {
    let shift = fr_bigint(shift, 0)
        .ok()
        .and_then(Fr::from_bigint)
        .filter(|s| !s.is_zero())
        .ok_or("coset shift must be in [1, r)")?;
    let mut v = fr_vector(values, "coset NTT input")?;
    let coset = domain(v.len())?
        .get_coset(shift)
        .expect("nonzero shift is invertible");
    if inverse {
        coset.ifft_in_place(&mut v);
    } else {
        coset.fft_in_place(&mut v);
    }
    Ok(fr_vector_bytes(&v))
}

/// Element-wise `a_i·b_i − c_i` of three equal-length vectors.
pub fn fr_mul_sub(a: &[u8], b: &[u8], c: &[u8]) -> KResult<Vec<u8>> {
    if a.len() != b.len() || a.len() != c.len() {
        return Err(format!(
            "fr_mul_sub needs equal lengths, got {}, {} and {} bytes",
            a.len(),
            b.len(),
            c.len()
        ));
    }
    let mut va = fr_vector(a, "a")?;
    let vb = fr_vector(b, "b")?;
    let vc = fr_vector(c, "c")?;
    va.par_iter_mut()
        .zip(vb.par_iter().zip(vc.par_iter()))
        .for_each(|(x, (y, z))| {
            *x *= y;
            *x -= z;
        });
    Ok(fr_vector_bytes(&va))
}

/// The Groth16 quotient on the odd coset, from `a = A·w` and `b = B·w` over the domain:
/// with `c = a∘b`, each of a, b, c is interpolated and re-evaluated at `shift·ω^i`, and
/// `h_i = a_i·b_i − c_i` is returned. The same as composing `fr_mul_sub`, `fr_ntt`
/// (inverse) and `fr_coset_ntt` in the obvious way (tested against that).
///
/// Each vector goes through a decimation-in-frequency inverse transform (natural order in,
/// bit-reversed out), one pass multiplying coefficient i by `n⁻¹·shiftⁱ` at its bit-reversed
/// position, and a decimation-in-time forward transform (bit-reversed in, natural out): no
/// bit-reversal permutation at all, twiddles from one table per direction, and the lazily
/// reduced arithmetic of `lazy_field` (values below 2r; `4r < 2^256`). The three vectors
/// are transformed side by side.
pub fn quotient(a: Vec<Fr>, b: Vec<Fr>, shift: &[u8]) -> KResult<Vec<u8>> {
    let shift = fr_bigint(shift, 0)
        .ok()
        .and_then(Fr::from_bigint)
        .filter(|s| !s.is_zero())
        .ok_or("coset shift must be in [1, r)")?;
    if a.len() != b.len() {
        return Err(format!("A·w has {} rows but B·w {}", a.len(), b.len()));
    }
    let d = domain(a.len())?;
    let n = a.len();
    let half = (n / 2).max(1);
    let (forward, inverse) = rayon::join(
        || powers(d.group_gen, Fr::one(), half),
        || powers(d.group_gen_inv, Fr::one(), half),
    );
    let scale = powers(shift, d.size_inv, n);
    let lift = |v: &[Fr]| -> Vec<Limbs> { v.par_iter().map(|x| x.0 .0).collect() };
    let (mut a, mut b) = (lift(&a), lift(&b));
    let mut c: Vec<Limbs> = a
        .par_iter()
        .zip(b.par_iter())
        .map(|(x, y)| fr_mul(x, y))
        .collect();
    let to_coset = |v: &mut Vec<Limbs>| {
        dif(v, &inverse);
        let bits = n.trailing_zeros();
        for (p, x) in v.iter_mut().enumerate() {
            let i = if bits == 0 {
                0
            } else {
                p.reverse_bits() >> (usize::BITS - bits)
            };
            *x = fr_mul(x, &scale[i]);
        }
        dit(v, &forward);
    };
    rayon::join(
        || to_coset(&mut a),
        || rayon::join(|| to_coset(&mut b), || to_coset(&mut c)),
    );
    let h: Vec<Fr> = a
        .par_iter()
        .zip(b.par_iter().zip(c.par_iter()))
        .map(|(x, (y, z))| {
            let v = crate::lazy_field::canonical_below_m(&fr_sub(&fr_mul(x, y), z), &R);
            Fr::new_unchecked(BigInt(v))
        })
        .collect();
    Ok(fr_vector_bytes(&h))
}

/// An Fr element as its four Montgomery limbs, any representative below 2r.
type Limbs = [u64; 4];

/// The scalar-field modulus r, 2r and −r⁻¹ mod 2^64.
const R: Limbs = [
    0x43e1f593f0000001,
    0x2833e84879b97091,
    0xb85045b68181585d,
    0x30644e72e131a029,
];
const R_TWICE: Limbs = [
    0x87c3eb27e0000002,
    0x5067d090f372e122,
    0x70a08b6d0302b0ba,
    0x60c89ce5c2634053,
];
const R_INV: u64 = 0xc2e1f593efffffff;

#[inline(always)]
fn fr_mul(a: &Limbs, b: &Limbs) -> Limbs {
    crate::lazy_field::mont_mul(a, b, &R, R_INV)
}

#[inline(always)]
fn fr_add(a: &Limbs, b: &Limbs) -> Limbs {
    crate::lazy_field::add_below_2m(a, b, &R_TWICE)
}

#[inline(always)]
fn fr_sub(a: &Limbs, b: &Limbs) -> Limbs {
    crate::lazy_field::sub_below_2m(a, b, &R_TWICE)
}

/// `start·gⁱ` for i < count (canonical limbs), in parallel blocks.
fn powers(g: Fr, start: Fr, count: usize) -> Vec<Limbs> {
    const BLOCK: usize = 4096;
    let mut out = vec![[0u64; 4]; count];
    out.par_chunks_mut(BLOCK)
        .enumerate()
        .for_each(|(k, chunk)| {
            let mut x = start * g.pow([(k * BLOCK) as u64]);
            for slot in chunk.iter_mut() {
                *slot = x.0 .0;
                x *= g;
            }
        });
    out
}

/// In-place transform by decimation in frequency: natural order in, bit-reversed out;
/// `twiddles[j] = ω^j` for j < n/2, ω of order n.
fn dif(a: &mut [Limbs], twiddles: &[Limbs]) {
    let n = a.len();
    let mut h = n / 2;
    while h >= 1 {
        let stride = n / (2 * h);
        for block in a.chunks_exact_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            for j in 0..h {
                let (u, v) = (lo[j], hi[j]);
                lo[j] = fr_add(&u, &v);
                hi[j] = if j == 0 {
                    fr_sub(&u, &v)
                } else {
                    fr_mul(&fr_sub(&u, &v), &twiddles[j * stride])
                };
            }
        }
        h /= 2;
    }
}

/// In-place transform by decimation in time: bit-reversed order in, natural out.
fn dit(a: &mut [Limbs], twiddles: &[Limbs]) {
    let n = a.len();
    let mut h = 1;
    while h < n {
        let stride = n / (2 * h);
        for block in a.chunks_exact_mut(2 * h) {
            let (lo, hi) = block.split_at_mut(h);
            for j in 0..h {
                let u = lo[j];
                let v = if j == 0 {
                    hi[j]
                } else {
                    fr_mul(&hi[j], &twiddles[j * stride])
                };
                lo[j] = fr_add(&u, &v);
                hi[j] = fr_sub(&u, &v);
            }
        }
        h *= 2;
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{Field, One, UniformRand};
    use ark_std::test_rng;

    #[test]
    fn ntt_evaluates_at_powers_of_omega_and_inverts() {
        let mut rng = test_rng();
        let coefficients: Vec<Fr> = (0..16).map(|_| Fr::rand(&mut rng)).collect();
        let bytes = crate::codec::fr_vector_bytes(&coefficients);
        let evaluations = fr_vector(&fr_ntt(&bytes, false).unwrap(), "out").unwrap();
        let omega = domain(16).unwrap().group_gen;
        for (i, e) in evaluations.iter().enumerate() {
            let x = omega.pow([i as u64]);
            let direct = coefficients
                .iter()
                .rev()
                .fold(Fr::zero(), |acc, c| acc * x + c);
            assert_eq!(*e, direct);
        }
        let back = fr_ntt(&crate::codec::fr_vector_bytes(&evaluations), true).unwrap();
        assert_eq!(back, bytes);
    }

    /// The quotient kernel equals interpolating a, b and a∘b and re-evaluating them on the
    /// coset with arkworks' transforms, then `a·b − c`, at every size up to 2^12.
    #[test]
    fn quotient_equals_arkworks_interpolation_and_coset_evaluation() {
        let mut rng = test_rng();
        for log_n in 0..=12 {
            let n = 1usize << log_n;
            let a: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            let mut b: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            b[0] = -Fr::one();
            let shift = if log_n % 2 == 0 {
                Fr::rand(&mut rng)
            } else {
                domain(2 * n).unwrap().group_gen
            };
            let d = domain(n).unwrap();
            let coset = d.get_coset(shift).unwrap();
            let to_coset = |v: &[Fr]| {
                let mut v = v.to_vec();
                d.ifft_in_place(&mut v);
                coset.fft_in_place(&mut v);
                v
            };
            let c: Vec<Fr> = a.iter().zip(&b).map(|(x, y)| *x * y).collect();
            let (ea, eb, ec) = (to_coset(&a), to_coset(&b), to_coset(&c));
            let expected: Vec<Fr> = (0..n).map(|i| ea[i] * eb[i] - ec[i]).collect();
            let shift_bytes = crate::codec::fr_vector_bytes(&[shift]);
            let got = quotient(a, b, &shift_bytes).unwrap();
            assert_eq!(got, crate::codec::fr_vector_bytes(&expected), "n = {n}");
        }
    }

    #[test]
    fn ntt_rejects_lengths_that_are_not_powers_of_two() {
        let bytes = crate::codec::fr_vector_bytes(&[Fr::one(); 3]);
        assert!(fr_ntt(&bytes, false).is_err());
        assert!(fr_ntt(&[0u8; 31], false).is_err());
    }
}
