//! Sparse R1CS matrices in CSR form and the products A·w, B·w, C·w (parallel over rows).

use ark_bn254::Fr;
use ark_ff::Zero;
use rayon::prelude::*;

use crate::codec::{count, fr_vector, KResult};

/// One R1CS side (A, B or C) in compressed-sparse-row form, checked at load.
pub struct Csr {
    row_offsets: Vec<usize>,
    col_indices: Vec<u32>,
    values: Vec<Fr>,
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
        Ok(Self {
            row_offsets: offsets,
            col_indices: cols,
            values: vals,
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
                    acc += self.values[k] * w[self.col_indices[k] as usize];
                }
                acc
            })
            .collect()
    }
}
