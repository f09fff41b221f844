//! The zkey's coefficient section (snarkjs section 4) read from the file in two streaming
//! passes straight into CSR matrices, so the prover never holds the section's bytes, a
//! parsed entry list and the matrices at once (about 1.3 M entries at 2^16 constraints).
//!
//! Pass 1 checks every entry (matrix ∈ {0, 1}, row < n_rows, column < n_cols, stored word
//! < r) and counts entries per row; pass 2 fills columns and values in file order within
//! each row, as `r1cs::zkey_coefficients` does from bytes.

use std::fs::File;
use std::io::{BufReader, Read, Seek, SeekFrom};

use ark_bn254::Fr;
use ark_ff::PrimeField;

use crate::codec::KResult;
use crate::r1cs::{CoeffPool, Csr};

const ENTRY: usize = 12 + 32;
/// Entries read per chunk (~1.4 MB).
const CHUNK_ENTRIES: usize = 1 << 15;

struct Entry {
    matrix: usize,
    row: usize,
    col: u32,
    value: Fr,
}

fn decode(e: &[u8], i: usize, n_rows: usize, n_cols: usize) -> KResult<Entry> {
    let u32_at = |k: usize| u32::from_le_bytes(e[4 * k..4 * k + 4].try_into().expect("4 bytes"));
    let (m, row, col) = (u32_at(0), u32_at(1), u32_at(2));
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
    Ok(Entry {
        matrix: m as usize,
        row: row as usize,
        col,
        value: Fr::new_unchecked(x_r),
    })
}

/// Visit every entry of the section at `offset` (`length` bytes) in file order.
fn stream(
    path: &str,
    offset: u64,
    length: u64,
    n_rows: usize,
    n_cols: usize,
    mut visit: impl FnMut(Entry),
) -> KResult<()> {
    let io = |e: std::io::Error| format!("{path}: {e}");
    let mut file = File::open(path).map_err(io)?;
    file.seek(SeekFrom::Start(offset)).map_err(io)?;
    let mut reader = BufReader::with_capacity(1 << 16, file);
    let mut head = [0u8; 4];
    if length < 4 {
        return Err("coefficient section is truncated".into());
    }
    reader.read_exact(&mut head).map_err(io)?;
    let n = u32::from_le_bytes(head) as u64;
    if length != 4 + n * ENTRY as u64 {
        return Err("coefficient section size does not match its count".into());
    }
    let mut buffer = vec![0u8; CHUNK_ENTRIES * ENTRY];
    let mut done = 0usize;
    while (done as u64) < n {
        let take = CHUNK_ENTRIES.min(n as usize - done);
        let chunk = &mut buffer[..take * ENTRY];
        reader.read_exact(chunk).map_err(io)?;
        for (k, e) in chunk.chunks_exact(ENTRY).enumerate() {
            visit(decode(e, done + k, n_rows, n_cols)?);
        }
        done += take;
    }
    Ok(())
}

/// Read the A and B matrices from the zkey coefficient section at `offset` of `path`.
pub fn zkey_coefficients_from_file(
    path: &str,
    offset: u64,
    length: u64,
    n_rows: usize,
    n_cols: usize,
) -> KResult<[Csr; 2]> {
    let mut offsets = [vec![0usize; n_rows + 1], vec![0usize; n_rows + 1]];
    stream(path, offset, length, n_rows, n_cols, |e| {
        offsets[e.matrix][e.row + 1] += 1
    })?;
    for side in offsets.iter_mut() {
        for i in 0..n_rows {
            side[i + 1] += side[i];
        }
    }
    let nnz = [offsets[0][n_rows], offsets[1][n_rows]];
    let mut cols = [vec![0u32; nnz[0]], vec![0u32; nnz[1]]];
    let mut ids = [vec![0u32; nnz[0]], vec![0u32; nnz[1]]];
    let mut pools = [CoeffPool::default(), CoeffPool::default()];
    let mut fill = offsets.clone();
    let mut overflow = false;
    stream(path, offset, length, n_rows, n_cols, |e| {
        let at = &mut fill[e.matrix][e.row];
        // The file could change between the passes: never write past a row's slots.
        if *at >= offsets[e.matrix][e.row + 1] {
            overflow = true;
            return;
        }
        cols[e.matrix][*at] = e.col;
        ids[e.matrix][*at] = pools[e.matrix].id(e.value);
        *at += 1;
    })?;
    if overflow
        || fill
            .iter()
            .zip(&offsets)
            .any(|(f, o)| f[..n_rows] != o[1..])
    {
        return Err(format!("{path} changed while it was read"));
    }
    let [c0, c1] = cols;
    let [i0, i1] = ids;
    let [p0, p1] = pools.map(CoeffPool::into_values);
    let [o0, o1] = offsets;
    Ok([
        Csr::from_parts(o0, c0, i0, p0),
        Csr::from_parts(o1, c1, i1, p1),
    ])
}

/// `r1cs_load_zkey_file(path, offset, length, n_rows, n_cols)`: the prover's matrices
/// streamed from the zkey's coefficient section (`offset`/`length` from its section table).
#[pyo3::pyfunction]
pub fn r1cs_load_zkey_file(
    py: pyo3::Python<'_>,
    path: &str,
    offset: u64,
    length: u64,
    n_rows: usize,
    n_cols: usize,
) -> pyo3::PyResult<crate::R1csMatrices> {
    let parsed =
        py.allow_threads(|| zkey_coefficients_from_file(path, offset, length, n_rows, n_cols));
    let [a, b] = crate::check(py, parsed)?;
    Ok(crate::R1csMatrices {
        n_rows,
        n_cols,
        sides: [a, b, Csr::empty(n_rows)],
    })
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{BigInteger, UniformRand};
    use ark_std::rand::{rngs::StdRng, Rng, SeedableRng};

    /// A coefficient section of `n` random entries over few distinct values.
    fn section(rng: &mut StdRng, n: usize, n_rows: u32, n_cols: u32) -> Vec<u8> {
        let values: Vec<Fr> = (0..7).map(|_| Fr::rand(rng)).collect();
        let mut out = (n as u32).to_le_bytes().to_vec();
        for _ in 0..n {
            for word in [
                rng.gen_range(0..2),
                rng.gen_range(0..n_rows),
                rng.gen_range(0..n_cols),
            ] {
                out.extend_from_slice(&word.to_le_bytes());
            }
            // Stored as x·R² mod r: the Montgomery form of x·R, i.e. of Fr::new_unchecked(x).
            let x = values[rng.gen_range(0..values.len())];
            let stored = Fr::from_bigint(x.0).expect("x's Montgomery words are below r");
            out.extend_from_slice(&stored.0.to_bytes_le());
        }
        out
    }

    fn file_with(prefix: usize, body: &[u8], name: &str) -> std::path::PathBuf {
        let path =
            std::env::temp_dir().join(format!("zkm-zkey-stream-{}-{name}", std::process::id()));
        let mut data = vec![0xabu8; prefix];
        data.extend_from_slice(body);
        std::fs::write(&path, data).expect("temp file");
        path
    }

    #[test]
    fn streamed_matrices_equal_the_in_memory_parse() {
        let mut rng = StdRng::seed_from_u64(7);
        let (n_rows, n_cols) = (50usize, 40usize);
        // More entries than one chunk, so the chunk boundary is crossed.
        let body = section(&mut rng, CHUNK_ENTRIES + 123, n_rows as u32, n_cols as u32);
        let path = file_with(17, &body, "equal");
        let streamed = zkey_coefficients_from_file(
            path.to_str().unwrap(),
            17,
            body.len() as u64,
            n_rows,
            n_cols,
        )
        .unwrap();
        let parsed = crate::r1cs::zkey_coefficients(&body, n_rows, n_cols).unwrap();
        let w: Vec<Fr> = (0..n_cols).map(|_| Fr::rand(&mut rng)).collect();
        for (s, p) in streamed.iter().zip(&parsed) {
            assert_eq!(s.matvec(&w), p.matvec(&w));
        }
        std::fs::remove_file(path).ok();
    }

    #[test]
    fn malformed_sections_are_errors() {
        let mut rng = StdRng::seed_from_u64(8);
        let body = section(&mut rng, 10, 5, 5);
        let path = file_with(0, &body, "bad");
        let p = path.to_str().unwrap();
        assert!(zkey_coefficients_from_file(p, 0, body.len() as u64 - 1, 5, 5).is_err());
        assert!(zkey_coefficients_from_file(p, 0, body.len() as u64 + 44, 5, 5).is_err());
        assert!(
            zkey_coefficients_from_file(p, 0, body.len() as u64, 4, 5).is_err()
                || zkey_coefficients_from_file(p, 0, body.len() as u64, 5, 4).is_err()
        );
        assert!(zkey_coefficients_from_file(p, 0, body.len() as u64, 1, 1).is_err());
        std::fs::remove_file(path).ok();
    }
}
