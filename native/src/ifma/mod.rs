//! AVX-512 IFMA kernels: eight field elements per instruction (see [`fq8`]).
//!
//! Used when the CPU has AVX-512F and AVX-512 IFMA (checked at run time) and not turned off
//! by [`set_enabled`]; otherwise every caller keeps its portable arkworks code. Both paths
//! compute the same exact results and the tests compare them.

pub mod batch;
pub mod fq8;
pub mod lanes;

use std::sync::atomic::{AtomicBool, Ordering};
use std::sync::OnceLock;

use ark_bn254::Fr;
use ark_ec::models::short_weierstrass::Affine;
use ark_ec::scalar_mul::glv::GLVConfig;

static ENABLED: AtomicBool = AtomicBool::new(true);

/// Whether this CPU has AVX-512F and AVX-512 IFMA.
pub fn supported() -> bool {
    static SUPPORTED: OnceLock<bool> = OnceLock::new();
    *SUPPORTED.get_or_init(|| {
        assert!(
            fq8::constants_match(),
            "the lane constants disagree with arkworks' modulus"
        );
        std::arch::is_x86_feature_detected!("avx512f")
            && std::arch::is_x86_feature_detected!("avx512ifma")
    })
}

/// Whether the vector kernels are in use: supported and not turned off.
pub fn available() -> bool {
    supported() && ENABLED.load(Ordering::Relaxed)
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

impl Vectorized for ark_bn254::g1::Config {
    fn mul_chunk(points: &[Affine<Self>], scalars: &[Fr], glv: bool) -> Option<Vec<Affine<Self>>> {
        if !available() {
            return None;
        }
        // SAFETY: the CPU supports AVX-512F and AVX-512 IFMA (checked above).
        Some(unsafe { batch::mul_chunk::<Self, fq8::Fq8>(points, scalars, glv) })
    }
}

impl Vectorized for ark_bn254::g2::Config {
    fn mul_chunk(points: &[Affine<Self>], scalars: &[Fr], glv: bool) -> Option<Vec<Affine<Self>>> {
        if !available() {
            return None;
        }
        // SAFETY: the CPU supports AVX-512F and AVX-512 IFMA (checked above).
        Some(unsafe { batch::mul_chunk::<Self, lanes::Fq2x8>(points, scalars, glv) })
    }
}
