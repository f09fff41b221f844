//! Python bindings of the native solve-program interpreter (`witness.rs`).

use pyo3::prelude::*;
use pyo3::types::PyBytes;

use crate::witness::{self, SolveError, SolveRequest};

/// Turn an interpreter error into its `ZkError` subclass.
fn solve_error(py: Python<'_>, error: SolveError) -> PyErr {
    let (module, class, message) = match error {
        SolveError::Format(m) => ("algebra.errors", "FormatError", m),
        SolveError::Hint(m) => ("circuits.errors", "HintError", m),
        SolveError::Input(m) => ("algebra.errors", "MalformedInputError", m),
    };
    let class = py.import(module).and_then(|m| m.getattr(class));
    match class.and_then(|c| c.call1((message,))) {
        Ok(instance) => PyErr::from_value(instance),
        Err(err) => err,
    }
}

/// The names of the hints the native interpreter implements.
#[pyfunction]
pub fn solve_hint_names() -> Vec<&'static str> {
    witness::HINT_NAMES.to_vec()
}

/// Solve a stored program: returns `(witness, shared)` as canonical 32-byte words.
///
/// `shared_values` (a cache's bytes) replaces running `shared_steps`; one of them is needed.
#[pyfunction]
#[pyo3(signature = (n_wires, n_inputs, pool, hints, own_steps, shared_outputs, inputs, shared_steps=None, shared_values=None))]
#[allow(clippy::too_many_arguments)]
pub fn solve_program<'py>(
    py: Python<'py>,
    n_wires: usize,
    n_inputs: usize,
    pool: &[u8],
    hints: Vec<String>,
    own_steps: &[u8],
    shared_outputs: &[u8],
    inputs: &[u8],
    shared_steps: Option<&[u8]>,
    shared_values: Option<&[u8]>,
) -> PyResult<(Bound<'py, PyBytes>, Bound<'py, PyBytes>)> {
    let request = SolveRequest {
        n_wires,
        n_inputs,
        pool,
        hints: &hints,
        own_steps,
        shared_outputs,
        inputs,
        shared_steps,
        shared_values,
    };
    let solved = py.allow_threads(|| {
        witness::solve(&request).map(|s| {
            (
                witness::values_bytes(&s.witness),
                witness::values_bytes(&s.shared),
            )
        })
    });
    let (w, shared) = solved.map_err(|e| solve_error(py, e))?;
    Ok((PyBytes::new(py, &w), PyBytes::new(py, &shared)))
}

/// Return the row of the first check in `checks` (a checks section) that `witness` fails.
#[pyfunction]
pub fn solve_first_failure(
    py: Python<'_>,
    n_wires: usize,
    n_constraints: usize,
    pool: &[u8],
    checks: &[u8],
    witness: &[u8],
) -> PyResult<Option<u32>> {
    py.allow_threads(|| witness::first_failure(n_wires, n_constraints, pool, checks, witness))
        .map_err(|e| solve_error(py, e))
}
