//! What this CPU can run, detected once per process, and the kernels chosen from it.
//!
//! The portable arkworks code is the default everywhere; architecture-specific kernels
//! (today only the AVX-512 IFMA batch scalar multiplication on x86-64) are chosen at run
//! time when the CPU has the features they need and `ZKM_NATIVE_CPU` is not `portable`.
//! Field multiplication is chosen at compile time instead (ark-ff's mulx/adcx/adox
//! assembly needs `target-feature=+bmi2,+adx`); `algebra/native_build.py` loads the build
//! this CPU can run, and [`field_arithmetic`] reports which one it got.

use std::sync::OnceLock;

/// Environment variable: `portable` turns every run-time-chosen kernel off (tests, bug reports);
/// `avx2` keeps the x86-64-v3 build but turns the AVX-512 kernels off, which is what a CPU
/// with AVX2/BMI2/ADX and no AVX-512 (most laptops, AMD before Zen 4) runs.
pub const CPU_ENV: &str = "ZKM_NATIVE_CPU";

fn env_is(value: &str) -> bool {
    std::env::var(CPU_ENV)
        .map(|v| v.trim().eq_ignore_ascii_case(value))
        .unwrap_or(false)
}

/// Whether `ZKM_NATIVE_CPU=portable` was set when the kernels were first used.
pub fn forced_portable() -> bool {
    static FORCED: OnceLock<bool> = OnceLock::new();
    *FORCED.get_or_init(|| env_is("portable"))
}

/// Whether the AVX-512 kernels are off by request: `ZKM_NATIVE_CPU` is `portable` or `avx2`.
pub fn avx512_forbidden() -> bool {
    static FORBIDDEN: OnceLock<bool> = OnceLock::new();
    *FORBIDDEN.get_or_init(|| forced_portable() || env_is("avx2"))
}

/// The CPU features that matter to the kernels and that this CPU has (detected once).
pub fn detected_features() -> &'static [&'static str] {
    static DETECTED: OnceLock<Vec<&'static str>> = OnceLock::new();
    DETECTED.get_or_init(detect)
}

#[cfg(target_arch = "x86_64")]
fn detect() -> Vec<&'static str> {
    let mut found = Vec::new();
    macro_rules! probe {
        ($($name:tt),*) => {
            $(if std::arch::is_x86_feature_detected!($name) {
                found.push($name);
            })*
        };
    }
    probe!("bmi2", "adx", "avx2", "fma", "avx512f", "avx512ifma");
    found
}

#[cfg(target_arch = "aarch64")]
fn detect() -> Vec<&'static str> {
    let mut found = Vec::new();
    if std::arch::is_aarch64_feature_detected!("neon") {
        found.push("neon");
    }
    found
}

#[cfg(not(any(target_arch = "x86_64", target_arch = "aarch64")))]
fn detect() -> Vec<&'static str> {
    Vec::new()
}

/// Whether this CPU has `feature` (one of the names [`detected_features`] probes).
pub fn has(feature: &str) -> bool {
    detected_features().contains(&feature)
}

/// The target features this build was compiled with (what its instructions assume).
pub fn compiled_features() -> Vec<&'static str> {
    let mut on = Vec::new();
    macro_rules! compiled {
        ($($name:tt),*) => {
            $(if cfg!(target_feature = $name) {
                on.push($name);
            })*
        };
    }
    compiled!("bmi2", "adx", "avx2", "fma", "avx512f", "neon");
    on
}

/// The Montgomery multiplication arkworks was compiled with.
pub fn field_arithmetic() -> &'static str {
    if cfg!(all(
        target_arch = "x86_64",
        target_feature = "bmi2",
        target_feature = "adx"
    )) {
        "arkworks-asm-mulx-adx"
    } else {
        "arkworks-portable"
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn compiled_features_are_present_on_this_cpu() {
        // A build may only assume features the CPU it runs on has.
        for feature in compiled_features() {
            assert!(has(feature), "compiled with {feature} but the CPU lacks it");
        }
    }

    #[test]
    fn field_arithmetic_names_the_asm_only_with_bmi2_and_adx() {
        let asm = field_arithmetic() == "arkworks-asm-mulx-adx";
        let flags = compiled_features();
        assert_eq!(asm, flags.contains(&"bmi2") && flags.contains(&"adx"));
    }
}
