//! Fr vector kernels: radix-2 NTT (ω = 5^((r−1)/2^28) squared down, as arkworks and snarkjs),
//! coset NTT with an arbitrary shift, and the element-wise `a·b − c` of the Groth16 quotient.

use ark_bn254::Fr;
use ark_ff::{FftField, PrimeField, Zero};
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
/// `h_i = a_i·b_i − c_i` is returned (the three transforms run side by side, and nothing
/// leaves Montgomery form in between). The same as composing `fr_mul_sub`, `fr_ntt`
/// (inverse) and `fr_coset_ntt` in the obvious way.
pub fn quotient(mut a: Vec<Fr>, mut b: Vec<Fr>, shift: &[u8]) -> KResult<Vec<u8>> {
    let shift = fr_bigint(shift, 0)
        .ok()
        .and_then(Fr::from_bigint)
        .filter(|s| !s.is_zero())
        .ok_or("coset shift must be in [1, r)")?;
    if a.len() != b.len() {
        return Err(format!("A·w has {} rows but B·w {}", a.len(), b.len()));
    }
    let d = domain(a.len())?;
    let coset = d.get_coset(shift).expect("nonzero shift is invertible");
    let mut c: Vec<Fr> = a
        .par_iter()
        .zip(b.par_iter())
        .map(|(x, y)| *x * y)
        .collect();
    let to_coset = |v: &mut Vec<Fr>| {
        d.ifft_in_place(v);
        coset.fft_in_place(v);
    };
    rayon::join(
        || to_coset(&mut a),
        || rayon::join(|| to_coset(&mut b), || to_coset(&mut c)),
    );
    a.par_iter_mut()
        .zip(b.par_iter().zip(c.par_iter()))
        .for_each(|(x, (y, z))| {
            *x *= y;
            *x -= z;
        });
    Ok(fr_vector_bytes(&a))
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

    #[test]
    fn ntt_rejects_lengths_that_are_not_powers_of_two() {
        let bytes = crate::codec::fr_vector_bytes(&[Fr::one(); 3]);
        assert!(fr_ntt(&bytes, false).is_err());
        assert!(fr_ntt(&[0u8; 31], false).is_err());
    }
}
