//! Poseidon's permutation over BN254's Fr with caller-given round constants and MDS matrix.
//!
//! The specification is the Python reference (`circuits/std/poseidon_reference.py`), and the
//! constants come from our own Grain generator there (`circuits/std/poseidon_constants.py`);
//! this kernel only runs the rounds natively. Per round: add the round's constants, apply
//! x ↦ x⁵ to every element (full rounds: the first and last `R_F / 2`) or to the first
//! (partial rounds), then multiply by the MDS matrix.

use ark_bn254::Fr;
use ark_ff::{Field, PrimeField, Zero};

use crate::codec::{self, KResult, FR_BYTES};

/// The widest state the generator makes (16 inputs + 1).
pub const MAX_WIDTH: usize = 17;

/// One Poseidon instance: width, round structure and constants in Montgomery form.
pub struct Permutation {
    width: usize,
    full_rounds: usize,
    rounds: usize,
    constants: Vec<Fr>,
    mds: Vec<Fr>,
}

/// Decode canonical 32-byte words sequentially (these buffers are small: no rayon).
pub fn decode(buffer: &[u8], what: &str) -> KResult<Vec<Fr>> {
    codec::count(buffer, FR_BYTES, what)?;
    buffer
        .chunks_exact(FR_BYTES)
        .enumerate()
        .map(|(i, chunk)| {
            let value = codec::fr_bigint(chunk, i).map_err(|e| format!("{what}: {e}"))?;
            Ok(Fr::from_bigint(value).expect("checked < r"))
        })
        .collect()
}

fn pow5(x: Fr) -> Fr {
    let x4 = x.square().square();
    x4 * x
}

impl Permutation {
    /// Check the shapes: 2 ≤ width ≤ 17, `rounds × width` constants with `rounds > R_F`,
    /// `R_F` even, and a `width × width` matrix.
    pub fn new(
        width: usize,
        full_rounds: usize,
        round_constants: &[u8],
        mds: &[u8],
    ) -> KResult<Self> {
        if !(2..=MAX_WIDTH).contains(&width) {
            return Err(format!("Poseidon width {width} is outside 2..{MAX_WIDTH}"));
        }
        if full_rounds == 0 || !full_rounds.is_multiple_of(2) {
            return Err(format!(
                "full rounds must be even and positive, got {full_rounds}"
            ));
        }
        let constants = decode(round_constants, "round constants")?;
        if !constants.len().is_multiple_of(width) || constants.len() / width <= full_rounds {
            return Err(format!(
                "{} round constants are not (R_F + R_P) × {width} with R_P > 0",
                constants.len()
            ));
        }
        let mds = decode(mds, "MDS matrix")?;
        if mds.len() != width * width {
            return Err(format!(
                "the MDS matrix has {} entries, not {width}²",
                mds.len()
            ));
        }
        Ok(Self {
            width,
            full_rounds,
            rounds: constants.len() / width,
            constants,
            mds,
        })
    }

    /// The state width t.
    pub fn width(&self) -> usize {
        self.width
    }

    /// Apply the permutation to `state` (length t) in place.
    pub fn permute(&self, state: &mut [Fr]) {
        let t = self.width;
        assert_eq!(state.len(), t, "state of the permutation's width");
        let half = self.full_rounds / 2;
        let partial = self.rounds - self.full_rounds;
        let mut next = [Fr::zero(); MAX_WIDTH];
        for round in 0..self.rounds {
            for (x, c) in state
                .iter_mut()
                .zip(&self.constants[round * t..(round + 1) * t])
            {
                *x += c;
            }
            if round < half || round >= half + partial {
                for x in state.iter_mut() {
                    *x = pow5(*x);
                }
            } else {
                state[0] = pow5(state[0]);
            }
            for (i, out) in next.iter_mut().take(t).enumerate() {
                let row = &self.mds[i * t..(i + 1) * t];
                *out = row.iter().zip(state.iter()).map(|(m, x)| *m * x).sum();
            }
            state.copy_from_slice(&next[..t]);
        }
    }

    /// Absorb `inputs` (a multiple of t − 1 elements, already padded) into `state`, one
    /// rate-(t − 1) block per permutation, adding each block to elements 1 … t − 1.
    pub fn absorb(&self, state: &mut [Fr], inputs: &[Fr]) -> KResult<()> {
        let rate = self.width - 1;
        if inputs.is_empty() || !inputs.len().is_multiple_of(rate) {
            return Err(format!(
                "{} sponge inputs are not whole blocks of {rate}",
                inputs.len()
            ));
        }
        for block in inputs.chunks_exact(rate) {
            for (x, v) in state[1..].iter_mut().zip(block) {
                *x += v;
            }
            self.permute(state);
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn word(v: u64) -> Vec<u8> {
        let mut out = vec![0u8; FR_BYTES];
        out[..8].copy_from_slice(&v.to_le_bytes());
        out
    }

    fn words(values: &[u64]) -> Vec<u8> {
        values.iter().flat_map(|v| word(*v)).collect()
    }

    #[test]
    fn shapes_are_checked() {
        let mds = words(&[1, 0, 0, 1]);
        let constants = words(&[0; 2 * 3]);
        assert!(Permutation::new(2, 2, &constants, &mds).is_ok());
        assert!(Permutation::new(1, 2, &constants, &mds).is_err());
        assert!(Permutation::new(18, 2, &constants, &mds).is_err());
        assert!(Permutation::new(2, 3, &constants, &mds).is_err());
        assert!(Permutation::new(2, 2, &words(&[0; 4]), &mds).is_err()); // no partial round
        assert!(Permutation::new(2, 2, &constants, &words(&[1, 0, 0])).is_err());
        let mut not_canonical = constants.clone();
        not_canonical[..32].copy_from_slice(&[0xff; 32]);
        assert!(Permutation::new(2, 2, &not_canonical, &mds).is_err());
    }

    #[test]
    fn identity_matrix_and_zero_constants_give_fifth_powers() {
        // R_F = 2 (one full round each side) and one partial round, identity MDS:
        // x ↦ x⁵ (full), then only x₀ (partial), then x⁵ again: x₀^125, x₁^25.
        let p = Permutation::new(2, 2, &words(&[0; 6]), &words(&[1, 0, 0, 1])).unwrap();
        let mut state = [Fr::from(2u64), Fr::from(3u64)];
        p.permute(&mut state);
        assert_eq!(state[0], Fr::from(2u64).pow([125u64]));
        assert_eq!(state[1], Fr::from(3u64).pow([25u64]));
        assert!(p.absorb(&mut state, &[]).is_err());
        assert!(p.absorb(&mut state, &[Fr::from(1u64)]).is_ok());
    }
}
