//! Sparse R1CS matrices in CSR form and the products A·w, B·w, C·w (parallel over rows).

use ark_bn254::Fr;
use ark_ff::{PrimeField, Zero};
use rayon::prelude::*;

use crate::codec::{count, fr_vector, KResult};

/// One R1CS side (A, B or C) in compressed-sparse-row form, checked at load.
///
/// Values are stored once each in `pool` and named per entry by `coeff_ids`: a circuit's
/// coefficients repeat (3,715 distinct among 1.3 M entries of the standard margin circuit),
/// so 4 bytes per entry replace 32 and the pool stays in cache during mat-vec.
pub struct Csr {
    row_offsets: Vec<usize>,
    col_indices: Vec<u32>,
    coeff_ids: Vec<u32>,
    pool: Vec<Fr>,
}

/// Deduplicates coefficient values into a pool.
#[derive(Default)]
pub struct CoeffPool {
    index: std::collections::HashMap<Fr, u32>,
    values: Vec<Fr>,
}

impl CoeffPool {
    /// The pool index of `value`, adding it on first sight.
    pub fn id(&mut self, value: Fr) -> u32 {
        let next = self.values.len() as u32;
        let id = *self.index.entry(value).or_insert(next);
        if id == next {
            self.values.push(value);
        }
        id
    }

    /// The distinct values, by index.
    pub fn into_values(self) -> Vec<Fr> {
        self.values
    }
}

impl Csr {
    /// Parse and check a CSR matrix: offsets monotone from 0 to nnz, columns < n_cols, values < r.
    pub fn parse(
        side: &str,
        n_rows: usize,
        n_cols: usize,
        row_offsets: &[u8],
        col_indices: &[u8],
        values: &[u8],
    ) -> KResult<Self> {
        let fail = |msg: String| format!("R1CS matrix {side}: {msg}");
        if count(row_offsets, 8, "row_offsets").map_err(fail)? != n_rows + 1 {
            return Err(fail(format!("expected {} row offsets", n_rows + 1)));
        }
        let offsets: Vec<usize> = row_offsets
            .chunks_exact(8)
            .map(|c| u64::from_le_bytes(c.try_into().expect("8 bytes")) as usize)
            .collect();
        if !col_indices.len().is_multiple_of(4) {
            return Err(fail("col_indices length is not a multiple of 4".into()));
        }
        let cols: Vec<u32> = col_indices
            .chunks_exact(4)
            .map(|c| u32::from_le_bytes(c.try_into().expect("4 bytes")))
            .collect();
        let vals = fr_vector(values, "values").map_err(fail)?;
        let nnz = cols.len();
        if vals.len() != nnz {
            return Err(fail(format!(
                "{} values for {nnz} column indices",
                vals.len()
            )));
        }
        if offsets[0] != 0 || offsets[n_rows] != nnz || offsets.windows(2).any(|w| w[0] > w[1]) {
            return Err(fail("row offsets are not monotone from 0 to nnz".into()));
        }
        if let Some(i) = cols.iter().position(|&c| c as usize >= n_cols) {
            return Err(fail(format!(
                "column index #{i} = {} ≥ n_cols {n_cols}",
                cols[i]
            )));
        }
        let mut pool = CoeffPool::default();
        let coeff_ids = vals.into_iter().map(|v| pool.id(v)).collect();
        Ok(Self {
            row_offsets: offsets,
            col_indices: cols,
            coeff_ids,
            pool: pool.into_values(),
        })
    }

    /// Return M·w, one row per constraint, computed in parallel.
    pub fn matvec(&self, w: &[Fr]) -> Vec<Fr> {
        (0..self.row_offsets.len() - 1)
            .into_par_iter()
            .with_min_len(256)
            .map(|row| {
                let (start, end) = (self.row_offsets[row], self.row_offsets[row + 1]);
                let mut acc = Fr::zero();
                for k in start..end {
                    acc += self.pool[self.coeff_ids[k] as usize] * w[self.col_indices[k] as usize];
                }
                acc
            })
            .collect()
    }
}

impl Csr {
    /// Build a matrix from `(row, column, value)` entries (rows < n_rows), keeping their
    /// order within each row.
    fn from_entries(n_rows: usize, entries: &[(u32, u32, Fr)]) -> Self {
        let mut row_offsets = vec![0usize; n_rows + 1];
        for &(row, _, _) in entries {
            row_offsets[row as usize + 1] += 1;
        }
        for i in 0..n_rows {
            row_offsets[i + 1] += row_offsets[i];
        }
        let mut fill = row_offsets.clone();
        let mut col_indices = vec![0u32; entries.len()];
        let mut coeff_ids = vec![0u32; entries.len()];
        let mut pool = CoeffPool::default();
        for &(row, col, value) in entries {
            let at = &mut fill[row as usize];
            col_indices[*at] = col;
            coeff_ids[*at] = pool.id(value);
            *at += 1;
        }
        Self {
            row_offsets,
            col_indices,
            coeff_ids,
            pool: pool.into_values(),
        }
    }

    /// The all-zero `n_rows`-row matrix.
    pub fn empty(n_rows: usize) -> Self {
        Self::from_entries(n_rows, &[])
    }
}

/// Parse a snarkjs zkey coefficient section (u32 count, then `matrix ‖ row ‖ column` as u32
/// and the value stored as `x·R² mod r`, R = 2^256) into the A and B matrices.
///
/// Checks: the size matches the count, matrix ∈ {0, 1}, row < n_rows, column < n_cols,
/// every stored word < r.
pub fn zkey_coefficients(section: &[u8], n_rows: usize, n_cols: usize) -> KResult<[Csr; 2]> {
    const ENTRY: usize = 12 + 32;
    if section.len() < 4 {
        return Err("coefficient section is truncated".into());
    }
    let n = u32::from_le_bytes(section[..4].try_into().expect("4 bytes")) as usize;
    if section.len() != 4 + n * ENTRY {
        return Err("coefficient section size does not match its count".into());
    }
    let u32_at =
        |e: &[u8], k: usize| u32::from_le_bytes(e[4 * k..4 * k + 4].try_into().expect("4"));
    let parsed: KResult<Vec<(u32, u32, u32, Fr)>> = section[4..]
        .par_chunks_exact(ENTRY)
        .enumerate()
        .map(|(i, e)| {
            let (m, row, col) = (u32_at(e, 0), u32_at(e, 1), u32_at(e, 2));
            if m > 1 || row as usize >= n_rows || col as usize >= n_cols {
                return Err(format!(
                    "coefficient #{i} names a matrix, row or signal out of range"
                ));
            }
            let stored = crate::codec::word(&e[12..]);
            if stored >= Fr::MODULUS {
                return Err(format!("coefficient #{i}: value word is not below r"));
            }
            // The word is the internal (Montgomery, R = 2^256) form of x·R: strip R twice.
            let x_r = Fr::new_unchecked(stored).into_bigint();
            Ok((m, row, col, Fr::new_unchecked(x_r)))
        })
        .collect();
    let parsed = parsed?;
    let side = |k: u32| -> Vec<(u32, u32, Fr)> {
        parsed
            .iter()
            .filter(|e| e.0 == k)
            .map(|&(_, row, col, v)| (row, col, v))
            .collect()
    };
    Ok([
        Csr::from_entries(n_rows, &side(0)),
        Csr::from_entries(n_rows, &side(1)),
    ])
}

impl Csr {
    /// Assemble a matrix from parts its builder has already checked (offsets monotone from
    /// 0 to nnz over `n_rows + 1` entries, columns and pool ids of length nnz, ids < pool).
    pub fn from_parts(
        row_offsets: Vec<usize>,
        col_indices: Vec<u32>,
        coeff_ids: Vec<u32>,
        pool: Vec<Fr>,
    ) -> Self {
        Self {
            row_offsets,
            col_indices,
            coeff_ids,
            pool,
        }
    }
}
