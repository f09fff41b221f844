//! `algebra._native`: BN254 kernels for zkmargin on arkworks, parallel with rayon.
//!
//! Every kernel takes and returns contiguous `bytes` in the encodings of
//! `algebra/encoding.py` and releases the GIL while it works. Malformed input
//! (ragged lengths, non-canonical words, bad points where checked) raises
//! `algebra.errors.MalformedInputError`.

mod batch_mul;
mod codec;
mod cpu;
mod curve;
mod groth16;
mod ifma;
mod lazy_field;
mod montgomery;
mod msm;
mod ntt;
mod pairing;
mod poseidon;
mod r1cs;
mod scalar_mul;
mod solve_bindings;
mod subgroup;
mod witness;
mod zkey_stream;

use ark_bn254::{G1Affine, G2Affine};
use pyo3::prelude::*;
use pyo3::types::{PyBytes, PyDict};

use codec::KResult;

type G1c = ark_bn254::g1::Config;
type G2c = ark_bn254::g2::Config;
type FqP = ark_bn254::FqConfig;
type FrP = ark_bn254::FrConfig;

/// Turn a kernel's error string into `algebra.errors.MalformedInputError`.
fn malformed(py: Python<'_>, message: String) -> PyErr {
    let class = py
        .import("algebra.errors")
        .and_then(|m| m.getattr("MalformedInputError"));
    match class.and_then(|c| c.call1((message,))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(err) => err,
    }
}

fn check<T>(py: Python<'_>, result: KResult<T>) -> PyResult<T> {
    result.map_err(|m| malformed(py, m))
}

/// Run a byte-returning kernel without the GIL and wrap its output as `bytes`.
fn run_bytes<'py, F>(py: Python<'py>, kernel: F) -> PyResult<Bound<'py, PyBytes>>
where
    F: FnOnce() -> KResult<Vec<u8>> + Send,
{
    let out = check(py, py.allow_threads(kernel))?;
    Ok(PyBytes::new(py, &out))
}

/// One Poseidon instance (width, `R_F`, round constants, MDS), parsed once; see
/// `native/src/poseidon.rs` and the Python reference it runs.
#[pyclass(frozen, module = "algebra._native")]
struct PoseidonPermutation {
    inner: poseidon::Permutation,
}

#[pymethods]
impl PoseidonPermutation {
    #[new]
    fn new(
        py: Python<'_>,
        width: usize,
        full_rounds: usize,
        round_constants: &[u8],
        mds: &[u8],
    ) -> PyResult<Self> {
        let inner = check(
            py,
            poseidon::Permutation::new(width, full_rounds, round_constants, mds),
        )?;
        Ok(Self { inner })
    }

    /// The permutation of `state` (t canonical 32-byte words), as t words.
    fn permute<'py>(&self, py: Python<'py>, state: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
        self.absorb(py, state, &[])
    }

    /// `state` (t words) after absorbing `inputs` (whole blocks of t − 1 words), one
    /// permutation per block; with no inputs, one permutation of `state`.
    fn absorb<'py>(
        &self,
        py: Python<'py>,
        state: &[u8],
        inputs: &[u8],
    ) -> PyResult<Bound<'py, PyBytes>> {
        let mut values = check(py, poseidon::decode(state, "Poseidon state"))?;
        if values.len() != self.inner.width() {
            return Err(malformed(
                py,
                format!(
                    "Poseidon state has {} elements, not {}",
                    values.len(),
                    self.inner.width()
                ),
            ));
        }
        if inputs.is_empty() {
            self.inner.permute(&mut values);
        } else {
            let inputs = check(py, poseidon::decode(inputs, "sponge inputs"))?;
            check(py, self.inner.absorb(&mut values, &inputs))?;
        }
        Ok(PyBytes::new(py, &codec::fr_vector_bytes(&values)))
    }
}

/// A G1 base table parsed once into affine points.
#[pyclass(frozen, module = "algebra._native")]
struct G1Bases {
    points: Vec<G1Affine>,
}

#[pymethods]
impl G1Bases {
    fn __len__(&self) -> usize {
        self.points.len()
    }
}

/// A G2 base table parsed once into affine points.
#[pyclass(frozen, module = "algebra._native")]
struct G2Bases {
    points: Vec<G2Affine>,
}

#[pymethods]
impl G2Bases {
    fn __len__(&self) -> usize {
        self.points.len()
    }
}

/// The three CSR matrices of an R1CS, parsed and checked once.
#[pyclass(frozen, module = "algebra._native")]
struct R1csMatrices {
    n_rows: usize,
    n_cols: usize,
    sides: [r1cs::Csr; 3],
}

#[pymethods]
impl R1csMatrices {
    #[getter]
    fn n_constraints(&self) -> usize {
        self.n_rows
    }

    #[getter]
    fn n_wires(&self) -> usize {
        self.n_cols
    }
}

#[pyfunction]
#[pyo3(signature = (values, inverse = false))]
fn fr_ntt<'py>(py: Python<'py>, values: &[u8], inverse: bool) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || ntt::fr_ntt(values, inverse))
}

#[pyfunction]
#[pyo3(signature = (values, shift, inverse = false))]
fn fr_coset_ntt<'py>(
    py: Python<'py>,
    values: &[u8],
    shift: &[u8],
    inverse: bool,
) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || ntt::fr_coset_ntt(values, shift, inverse))
}

#[pyfunction]
fn fr_mul_sub<'py>(py: Python<'py>, a: &[u8], b: &[u8], c: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || ntt::fr_mul_sub(a, b, c))
}

type CsrBytes<'py> = (
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
);

#[pyfunction]
fn r1cs_load<'py>(
    py: Python<'py>,
    n_rows: usize,
    n_cols: usize,
    a: CsrBytes<'py>,
    b: CsrBytes<'py>,
    c: CsrBytes<'py>,
) -> PyResult<R1csMatrices> {
    let raw = [&a, &b, &c].map(|m| (m.0.as_bytes(), m.1.as_bytes(), m.2.as_bytes()));
    let parsed = py.allow_threads(|| -> KResult<[r1cs::Csr; 3]> {
        let one = |side: &str, (offsets, cols, values): (&[u8], &[u8], &[u8])| {
            r1cs::Csr::parse(side, n_rows, n_cols, offsets, cols, values)
        };
        Ok([one("A", raw[0])?, one("B", raw[1])?, one("C", raw[2])?])
    });
    Ok(R1csMatrices {
        n_rows,
        n_cols,
        sides: check(py, parsed)?,
    })
}

#[pyfunction]
fn r1cs_load_zkey(
    py: Python<'_>,
    n_rows: usize,
    n_cols: usize,
    coefficients: &[u8],
) -> PyResult<R1csMatrices> {
    let parsed = py.allow_threads(|| r1cs::zkey_coefficients(coefficients, n_rows, n_cols));
    let [a, b] = check(py, parsed)?;
    Ok(R1csMatrices {
        n_rows,
        n_cols,
        sides: [a, b, r1cs::Csr::empty(n_rows)],
    })
}

#[pyfunction]
fn r1cs_matvec<'py>(
    py: Python<'py>,
    matrices: &Bound<'py, R1csMatrices>,
    witness: &[u8],
) -> PyResult<(
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
    Bound<'py, PyBytes>,
)> {
    let m = matrices.get();
    let out = py.allow_threads(|| -> KResult<[Vec<u8>; 3]> {
        let w = codec::fr_vector(witness, "witness")?;
        if w.len() != m.n_cols {
            return Err(format!(
                "witness has {} wires, the R1CS has {}",
                w.len(),
                m.n_cols
            ));
        }
        let [a, b, c] = &m.sides;
        Ok([a, b, c].map(|side| codec::fr_vector_bytes(&side.matvec(&w))))
    });
    let [a, b, c] = check(py, out)?;
    Ok((
        PyBytes::new(py, &a),
        PyBytes::new(py, &b),
        PyBytes::new(py, &c),
    ))
}

#[pyfunction]
fn g1_load_bases(py: Python<'_>, points: &[u8]) -> PyResult<G1Bases> {
    let parsed = py.allow_threads(|| curve::points::<G1c>(points));
    Ok(G1Bases {
        points: check(py, parsed)?,
    })
}

#[pyfunction]
fn g2_load_bases(py: Python<'_>, points: &[u8]) -> PyResult<G2Bases> {
    let parsed = py.allow_threads(|| curve::points::<G2c>(points));
    Ok(G2Bases {
        points: check(py, parsed)?,
    })
}

#[pyfunction]
fn groth16_quotient<'py>(
    py: Python<'py>,
    matrices: &Bound<'py, R1csMatrices>,
    witness: &[u8],
    shift: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let m = matrices.get();
    run_bytes(py, || {
        let w = codec::fr_vector(witness, "witness")?;
        if w.len() != m.n_cols {
            return Err(format!(
                "witness has {} wires, the R1CS has {}",
                w.len(),
                m.n_cols
            ));
        }
        let (a, b) = rayon::join(|| m.sides[0].matvec(&w), || m.sides[1].matvec(&w));
        ntt::quotient(a, b, shift)
    })
}

#[pyfunction]
fn g1_load_bases_montgomery(py: Python<'_>, words: &[u8]) -> PyResult<G1Bases> {
    let parsed = py.allow_threads(|| {
        montgomery::points_from_montgomery::<G1c>(words, "G1 Montgomery points", true)
    });
    Ok(G1Bases {
        points: check(py, parsed)?,
    })
}

#[pyfunction]
fn g2_load_bases_montgomery(py: Python<'_>, words: &[u8]) -> PyResult<G2Bases> {
    let parsed = py.allow_threads(|| {
        montgomery::points_from_montgomery::<G2c>(words, "G2 Montgomery points", false)
    });
    Ok(G2Bases {
        points: check(py, parsed)?,
    })
}

#[pyfunction]
fn g1_msm<'py>(
    py: Python<'py>,
    bases: &Bound<'py, G1Bases>,
    scalars: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let table = &bases.get().points;
    run_bytes(py, || curve::msm::<G1c>(table, scalars))
}

#[pyfunction]
fn g2_msm<'py>(
    py: Python<'py>,
    bases: &Bound<'py, G2Bases>,
    scalars: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    let table = &bases.get().points;
    run_bytes(py, || curve::msm::<G2c>(table, scalars))
}

#[pyfunction]
fn g1_scale<'py>(py: Python<'py>, points: &[u8], scalars: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::scale::<G1c>(points, scalars))
}

#[pyfunction]
fn g2_scale<'py>(py: Python<'py>, points: &[u8], scalars: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::scale::<G2c>(points, scalars))
}

#[pyfunction]
fn g1_fixed_base<'py>(
    py: Python<'py>,
    base: &[u8],
    scalars: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::fixed_base::<G1c>(base, scalars))
}

#[pyfunction]
fn g2_fixed_base<'py>(
    py: Python<'py>,
    base: &[u8],
    scalars: &[u8],
) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::fixed_base::<G2c>(base, scalars))
}

#[pyfunction]
#[pyo3(signature = (points, inverse = false))]
fn g1_ntt<'py>(py: Python<'py>, points: &[u8], inverse: bool) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::ntt::<G1c>(points, inverse))
}

#[pyfunction]
#[pyo3(signature = (points, inverse = false))]
fn g2_ntt<'py>(py: Python<'py>, points: &[u8], inverse: bool) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::ntt::<G2c>(points, inverse))
}

#[pyfunction]
fn g1_add<'py>(py: Python<'py>, p: &[u8], q: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::add::<G1c>(p, q))
}

#[pyfunction]
fn g2_add<'py>(py: Python<'py>, p: &[u8], q: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::add::<G2c>(p, q))
}

#[pyfunction]
fn g1_neg<'py>(py: Python<'py>, p: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || curve::neg::<G1c>(p))
}

#[pyfunction]
fn g1_validate(py: Python<'_>, points: &[u8]) -> PyResult<()> {
    check(py, py.allow_threads(|| curve::validate::<G1c>(points)))
}

#[pyfunction]
fn g2_validate(py: Python<'_>, points: &[u8]) -> PyResult<()> {
    check(py, py.allow_threads(|| curve::validate::<G2c>(points)))
}

#[pyfunction]
fn pairing_check(py: Python<'_>, g1_points: &[u8], g2_points: &[u8]) -> PyResult<bool> {
    check(
        py,
        py.allow_threads(|| pairing::pairing_check(g1_points, g2_points)),
    )
}

#[pyfunction]
fn fq_from_montgomery<'py>(py: Python<'py>, values: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || {
        montgomery::from_montgomery::<FqP>(values, "Fq Montgomery words")
    })
}

#[pyfunction]
fn fq_to_montgomery<'py>(py: Python<'py>, values: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || {
        montgomery::to_montgomery::<FqP>(values, "Fq elements")
    })
}

#[pyfunction]
fn fr_from_montgomery<'py>(py: Python<'py>, values: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || {
        montgomery::from_montgomery::<FrP>(values, "Fr Montgomery words")
    })
}

#[pyfunction]
fn fr_to_montgomery<'py>(py: Python<'py>, values: &[u8]) -> PyResult<Bound<'py, PyBytes>> {
    run_bytes(py, || {
        montgomery::to_montgomery::<FrP>(values, "Fr elements")
    })
}

/// Whether this CPU can run the AVX-512 IFMA kernels (and `ZKM_NATIVE_CPU` allows them).
#[pyfunction]
fn ifma_supported() -> bool {
    ifma::supported()
}

/// Turn the AVX-512 IFMA kernels on or off (differential tests); returns the previous setting.
#[pyfunction]
fn set_ifma(enabled: bool) -> bool {
    ifma::set_enabled(enabled)
}

/// How many chunks the AVX-512 IFMA kernels have multiplied in this process.
#[pyfunction]
fn ifma_chunks_run() -> u64 {
    ifma::chunks_run()
}

/// Test hook: make every n-th batched vector operation take its exact portable fallback
/// (0 turns this off). Only in builds with the `fault-injection` feature.
#[cfg(all(target_arch = "x86_64", feature = "fault-injection"))]
#[pyfunction]
fn ifma_force_fallback_every(n: usize) {
    ifma::batch::force_fallback_every(n)
}

/// What this build is and what it runs: target, compiled-in and detected CPU features,
/// and the kernel chosen for each job (`zkm version --verbose` prints it).
#[pyfunction]
fn build_info(py: Python<'_>) -> PyResult<Bound<'_, PyDict>> {
    let info = PyDict::new(py);
    info.set_item("target_arch", std::env::consts::ARCH)?;
    info.set_item("compiled_features", cpu::compiled_features())?;
    info.set_item("cpu_features", cpu::detected_features().to_vec())?;
    info.set_item("forced_portable", cpu::forced_portable())?;
    info.set_item("field_arithmetic", cpu::field_arithmetic())?;
    info.set_item("batch_scalar_mul", ifma::kernel_name())?;
    info.set_item("ifma_chunks_run", ifma::chunks_run())?;
    info.set_item("threads", rayon::current_num_threads())?;
    Ok(info)
}

/// Number of threads in the rayon pool the kernels run on.
#[pyfunction]
fn num_threads() -> usize {
    rayon::current_num_threads()
}

#[pymodule]
fn _native(m: &Bound<'_, PyModule>) -> PyResult<()> {
    m.add_class::<G1Bases>()?;
    m.add_class::<G2Bases>()?;
    m.add_class::<R1csMatrices>()?;
    m.add_class::<PoseidonPermutation>()?;
    m.add_function(wrap_pyfunction!(fr_ntt, m)?)?;
    m.add_function(wrap_pyfunction!(fr_coset_ntt, m)?)?;
    m.add_function(wrap_pyfunction!(fr_mul_sub, m)?)?;
    m.add_function(wrap_pyfunction!(r1cs_load, m)?)?;
    m.add_function(wrap_pyfunction!(r1cs_load_zkey, m)?)?;
    m.add_function(wrap_pyfunction!(zkey_stream::r1cs_load_zkey_file, m)?)?;
    m.add_function(wrap_pyfunction!(solve_bindings::solve_program, m)?)?;
    m.add_function(wrap_pyfunction!(solve_bindings::solve_hint_names, m)?)?;
    m.add_function(wrap_pyfunction!(solve_bindings::solve_first_failure, m)?)?;
    m.add_function(wrap_pyfunction!(r1cs_matvec, m)?)?;
    m.add_function(wrap_pyfunction!(g1_load_bases, m)?)?;
    m.add_function(wrap_pyfunction!(g2_load_bases, m)?)?;
    m.add_function(wrap_pyfunction!(groth16_quotient, m)?)?;
    m.add_function(wrap_pyfunction!(g1_load_bases_montgomery, m)?)?;
    m.add_function(wrap_pyfunction!(g2_load_bases_montgomery, m)?)?;
    m.add_function(wrap_pyfunction!(g1_msm, m)?)?;
    m.add_function(wrap_pyfunction!(g2_msm, m)?)?;
    m.add_function(wrap_pyfunction!(g1_scale, m)?)?;
    m.add_function(wrap_pyfunction!(g2_scale, m)?)?;
    m.add_function(wrap_pyfunction!(g1_fixed_base, m)?)?;
    m.add_function(wrap_pyfunction!(g2_fixed_base, m)?)?;
    m.add_function(wrap_pyfunction!(g1_ntt, m)?)?;
    m.add_function(wrap_pyfunction!(g2_ntt, m)?)?;
    m.add_function(wrap_pyfunction!(g1_add, m)?)?;
    m.add_function(wrap_pyfunction!(g2_add, m)?)?;
    m.add_function(wrap_pyfunction!(g1_neg, m)?)?;
    m.add_function(wrap_pyfunction!(g1_validate, m)?)?;
    m.add_function(wrap_pyfunction!(g2_validate, m)?)?;
    m.add_function(wrap_pyfunction!(pairing_check, m)?)?;
    m.add_function(wrap_pyfunction!(fq_from_montgomery, m)?)?;
    m.add_function(wrap_pyfunction!(fq_to_montgomery, m)?)?;
    m.add_function(wrap_pyfunction!(fr_from_montgomery, m)?)?;
    m.add_function(wrap_pyfunction!(fr_to_montgomery, m)?)?;
    m.add_function(wrap_pyfunction!(num_threads, m)?)?;
    m.add_function(wrap_pyfunction!(build_info, m)?)?;
    m.add_function(wrap_pyfunction!(ifma_supported, m)?)?;
    m.add_function(wrap_pyfunction!(set_ifma, m)?)?;
    m.add_function(wrap_pyfunction!(ifma_chunks_run, m)?)?;
    #[cfg(all(target_arch = "x86_64", feature = "fault-injection"))]
    m.add_function(wrap_pyfunction!(ifma_force_fallback_every, m)?)?;
    m.add_function(wrap_pyfunction!(groth16::groth16_batch_invalid, m)?)?;
    Ok(())
}
