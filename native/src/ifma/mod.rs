//! AVX-512 IFMA kernels: eight field elements per instruction (see `fq8`).
//!
//! Used when the target is x86-64, the CPU has AVX-512F and AVX-512 IFMA (checked once at
//! run time), `ZKM_NATIVE_CPU` is neither `portable` nor `avx2` and [`set_enabled`] did not
//! turn them off; otherwise every caller keeps its portable arkworks code, which is the only
//! code on other architectures. Both paths compute the same exact results and the tests compare them.

// The lane code indexes several limb arrays in lock-step, where `for j in 0..LIMBS` reads
// better than zipped iterators (and unrolls the same).
#[cfg(target_arch = "x86_64")]
#[allow(clippy::needless_range_loop)]
pub mod batch;
#[cfg(target_arch = "x86_64")]
#[allow(clippy::needless_range_loop)]
pub mod fq8;
#[cfg(target_arch = "x86_64")]
pub mod lanes;

use std::sync::atomic::{AtomicBool, AtomicU64, Ordering};
use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ec::models::short_weierstrass::Affine;
use ark_ec::scalar_mul::glv::GLVConfig;

static ENABLED: AtomicBool = AtomicBool::new(true);
/// Chunks the vector kernels have multiplied (lets tests and `zkm version` show they ran).
static CHUNKS_RUN: AtomicU64 = AtomicU64::new(0);

/// Whether this build and CPU can run the vector kernels: x86-64 with AVX-512F and
/// AVX-512 IFMA, and `ZKM_NATIVE_CPU` is neither `portable` nor `avx2` (decided once).
pub fn supported() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(|| {
        #[cfg(target_arch = "x86_64")]
        assert!(
            fq8::constants_match(),
            "the lane constants disagree with arkworks' modulus"
        );
        cfg!(target_arch = "x86_64")
            && !crate::cpu::avx512_forbidden()
            && crate::cpu::has("avx512f")
            && crate::cpu::has("avx512ifma")
    })
}

/// Whether the vector kernels are in use: supported and not turned off.
pub fn available() -> bool {
    supported() && ENABLED.load(Ordering::Relaxed)
}

/// How many chunks the vector kernels have multiplied in this process.
pub fn chunks_run() -> u64 {
    CHUNKS_RUN.load(Ordering::Relaxed)
}

/// The name of the batch scalar-multiplication kernel in use.
pub fn kernel_name() -> &'static str {
    if available() {
        "avx512-ifma"
    } else {
        "portable"
    }
}

/// Turn the vector kernels on or off (for differential tests); returns the previous setting.
pub fn set_enabled(enabled: bool) -> bool {
    ENABLED.swap(enabled, Ordering::SeqCst)
}

/// Slots per chunk of the vector kernels: up to `ZKM_IFMA_CHUNK` (tuning knob, default
/// 4096) and small enough that every thread gets two chunks, but at least 512: each batched
/// operation of a chunk pays one field inversion (~5 µs, as much as ~25 vector steps), which
/// small chunks would not amortise.
pub fn chunk_size(len: usize) -> usize {
    static LIMIT: OnceLock<usize> = OnceLock::new();
    let limit = *LIMIT.get_or_init(|| {
        std::env::var("ZKM_IFMA_CHUNK")
            .ok()
            .and_then(|v| v.parse().ok())
            .unwrap_or(4096)
    });
    (len / (2 * rayon::current_num_threads())).clamp(512, limit.max(512))
}

/// Curves whose base field has a lane type.
pub trait Vectorized: GLVConfig<ScalarField = Fr> {
    /// `k_i·P_i` for one chunk with the vector kernels, or `None` when they are unavailable.
    fn mul_chunk(points: &[Affine<Self>], scalars: &[Fr], glv: bool) -> Option<Vec<Affine<Self>>>;
}

#[cfg(target_arch = "x86_64")]
impl Vectorized for ark_bn254::g1::Config {
    fn mul_chunk(points: &[Affine<Self>], scalars: &[Fr], glv: bool) -> Option<Vec<Affine<Self>>> {
        if !available() {
            return None;
        }
        CHUNKS_RUN.fetch_add(1, Ordering::Relaxed);
        // SAFETY: `batch::mul_chunk` is compiled for AVX-512F/IFMA and `available()` just
        // confirmed this CPU has both; its other preconditions are on the arguments' values
        // (GLV only for subgroup points), which callers of this trait uphold as for the
        // portable kernel.
        Some(unsafe { batch::mul_chunk::<Self, fq8::Fq8>(points, scalars, glv) })
    }
}

#[cfg(target_arch = "x86_64")]
impl Vectorized for ark_bn254::g2::Config {
    fn mul_chunk(points: &[Affine<Self>], scalars: &[Fr], glv: bool) -> Option<Vec<Affine<Self>>> {
        if !available() {
            return None;
        }
        CHUNKS_RUN.fetch_add(1, Ordering::Relaxed);
        // SAFETY: as for G1 above: the CPU has AVX-512F and AVX-512 IFMA (`available()`).
        Some(unsafe { batch::mul_chunk::<Self, lanes::Fq2x8>(points, scalars, glv) })
    }
}

/// Other architectures have no vector kernels: every chunk takes the portable path.
#[cfg(not(target_arch = "x86_64"))]
impl Vectorized for ark_bn254::g1::Config {
    fn mul_chunk(_: &[Affine<Self>], _: &[Fr], _: bool) -> Option<Vec<Affine<Self>>> {
        None
    }
}

#[cfg(not(target_arch = "x86_64"))]
impl Vectorized for ark_bn254::g2::Config {
    fn mul_chunk(_: &[Affine<Self>], _: &[Fr], _: bool) -> Option<Vec<Affine<Self>>> {
        None
    }
}
