//! BN254 base-field arithmetic for the MSM's inner loop: branch-free and lazily reduced.
//!
//! Elements are ark-ff's own Montgomery words (`a·2^256 mod p`, four little-endian limbs),
//! so a coordinate of an arkworks point is read and written without conversion. Inside the
//! loop a value may be any representative in `[0, 2p)` rather than the canonical one in
//! `[0, p)`: since `4p < 2^256`, the Montgomery product of two such values is again below
//! `2p` without its final conditional subtraction, and sums and differences are brought
//! back below `2p` with a mask instead of a data-dependent branch. ark-ff's generic
//! `sub_assign` compares the limbs and branches on the result, which is a coin toss for
//! the random-looking coordinates of an MSM; here no step branches on a value.
//! [`LazyField::canonical`] gives the unique representative in `[0, p)` (used for equality
//! and when a value leaves the loop).
//!
//! The product is the kernels' unit of cost (six per batched G1 addition, about fifteen
//! for G2). In the x86-64-v3 build it is MULX/ADCX/ADOX assembly (`mont_mul_adx`: 14 ns
//! against 18 ns for the compiler's code on an AMD EPYC Zen 4, where gnark-crypto's takes
//! 15.6 ns; `product_timing` in `msm.rs` measures it).

use ark_bn254::{Fq, Fq2};
use ark_ff::{BigInt, Field};

/// The BN254 base-field modulus p, little-endian limbs.
const P: [u64; 4] = [
    0x3c208c16d87cfd47,
    0x97816a916871ca8d,
    0xb85045b68181585d,
    0x30644e72e131a029,
];

/// 2p (fits in 256 bits: p < 2^254).
const P2: [u64; 4] = [
    0x7841182db0f9fa8e,
    0x2f02d522d0e3951a,
    0x70a08b6d0302b0bb,
    0x60c89ce5c2634053,
];

/// −p⁻¹ mod 2^64.
const INV: u64 = 0x87d20782e4866389;

/// Arithmetic on lazily reduced values (every input and output in `[0, 2p)`).
pub trait LazyField: Copy + Send + Sync {
    /// The multiplicative identity (canonical).
    fn one() -> Self;
    /// `self + other`, in `[0, 2p)`.
    fn add(&self, other: &Self) -> Self;
    /// `self − other`, in `[0, 2p)`.
    fn sub(&self, other: &Self) -> Self;
    /// `self · other`, in `[0, 2p)`.
    fn mul(&self, other: &Self) -> Self;
    /// `self²`, in `[0, 2p)`.
    fn square(&self) -> Self;
    /// The representative in `[0, p)`.
    fn canonical(&self) -> Self;
    /// Whether two canonical values are equal (both must be canonical).
    fn same(&self, other: &Self) -> bool;
    /// The inverse (canonical), or None for zero.
    fn inverse(&self) -> Option<Self>;
    /// The base field the norm lands in (Fq for both fields here).
    type Norm: LazyField;
    /// The norm `N(x) = x·x̄` to the base field (zero exactly for x = 0): batch inversions
    /// invert norms, in the base field, instead of the elements themselves.
    fn norm(&self) -> Self::Norm;
    /// `x⁻¹ = x̄·N(x)⁻¹`, given `N(x)⁻¹`.
    fn inverse_from_norm(&self, norm_inverse: &Self::Norm) -> Self;
}

/// One element of Fq as four Montgomery limbs, any representative below 2p.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LazyFq(pub [u64; 4]);

/// `a + b·c + carry` as (low, high).
#[inline(always)]
fn mac(a: u64, b: u64, c: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) * (c as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// `a + b + carry` as (sum, carry out), carry in and out 0 or 1.
#[inline(always)]
fn adc(a: u64, b: u64, carry: u64) -> (u64, u64) {
    let t = (a as u128) + (b as u128) + (carry as u128);
    (t as u64, (t >> 64) as u64)
}

/// `a − b − borrow` as (difference, borrow out), borrow in and out 0 or 1.
#[inline(always)]
fn sbb(a: u64, b: u64, borrow: u64) -> (u64, u64) {
    let t = (a as u128).wrapping_sub((b as u128) + (borrow as u128));
    (t as u64, ((t >> 64) as u64) & 1)
}

/// `a − m` when `a ≥ m`, else `a` (no branch on the values).
#[inline(always)]
fn reduce_once(a: [u64; 4], m: &[u64; 4]) -> [u64; 4] {
    let (d0, b) = sbb(a[0], m[0], 0);
    let (d1, b) = sbb(a[1], m[1], b);
    let (d2, b) = sbb(a[2], m[2], b);
    let (d3, b) = sbb(a[3], m[3], b);
    // b = 1: a < m, keep a.
    let keep = 0u64.wrapping_sub(b);
    [
        (a[0] & keep) | (d0 & !keep),
        (a[1] & keep) | (d1 & !keep),
        (a[2] & keep) | (d2 & !keep),
        (a[3] & keep) | (d3 & !keep),
    ]
}

impl LazyFq {
    /// The limbs of an arkworks element (canonical Montgomery form).
    #[inline(always)]
    pub fn lift(x: &Fq) -> Self {
        LazyFq(x.0 .0)
    }

    /// The arkworks element with this value.
    #[inline(always)]
    pub fn lower(&self) -> Fq {
        Fq::new_unchecked(BigInt(self.canonical().0))
    }
}

/// `a + b` reduced below `2m` (inputs below `2m`, `4m < 2^256`; `m2` = 2m).
#[inline(always)]
pub(crate) fn add_below_2m(a: &[u64; 4], b: &[u64; 4], m2: &[u64; 4]) -> [u64; 4] {
    // a + b < 4m < 2^256: no carry out.
    let (s0, c) = adc(a[0], b[0], 0);
    let (s1, c) = adc(a[1], b[1], c);
    let (s2, c) = adc(a[2], b[2], c);
    let (s3, _) = adc(a[3], b[3], c);
    reduce_once([s0, s1, s2, s3], m2)
}

/// `a − b` as a value below `2m` (inputs below `2m`; `m2` = 2m).
#[inline(always)]
pub(crate) fn sub_below_2m(a: &[u64; 4], b: &[u64; 4], m2: &[u64; 4]) -> [u64; 4] {
    let (d0, w) = sbb(a[0], b[0], 0);
    let (d1, w) = sbb(a[1], b[1], w);
    let (d2, w) = sbb(a[2], b[2], w);
    let (d3, w) = sbb(a[3], b[3], w);
    // Borrow: a − b + 2^256 was computed; add 2m to land in [0, 2m).
    let mask = 0u64.wrapping_sub(w);
    let (r0, c) = adc(d0, m2[0] & mask, 0);
    let (r1, c) = adc(d1, m2[1] & mask, c);
    let (r2, c) = adc(d2, m2[2] & mask, c);
    let (r3, _) = adc(d3, m2[3] & mask, c);
    [r0, r1, r2, r3]
}

/// Montgomery product `a·b·2^−256 mod m` below `2m` for inputs below `2m`: CIOS with the
/// no-carry shortcut (m's top limb is below 2^63 − 1) and no final subtraction (for
/// `4m < 2^256` the result is below `4m²/2^256 + m < 2m`). `inv` = −m⁻¹ mod 2^64.
///
/// Where the build targets BMI2 and ADX (the x86-64-v3 extension) this is
/// [`mont_mul_adx`], the same algorithm in assembly with two carry chains; elsewhere the
/// portable [`mont_mul_portable`]. Both give the same words (`mont_mul_adx_equals_portable`).
#[inline(always)]
pub(crate) fn mont_mul(a: &[u64; 4], b: &[u64; 4], m: &[u64; 4], inv: u64) -> [u64; 4] {
    #[cfg(target_arch = "x86_64")]
    #[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
    {
        mont_mul_adx(a, b, m, inv)
    }
    #[cfg(not(all(
        target_arch = "x86_64",
        target_feature = "bmi2",
        target_feature = "adx"
    )))]
    {
        mont_mul_portable(a, b, m, inv)
    }
}

/// [`mont_mul`] in portable Rust (the compiler's single carry chain).
#[cfg_attr(
    all(
        target_arch = "x86_64",
        target_feature = "bmi2",
        target_feature = "adx"
    ),
    allow(dead_code)
)]
#[inline(always)]
pub(crate) fn mont_mul_portable(a: &[u64; 4], b: &[u64; 4], m: &[u64; 4], inv: u64) -> [u64; 4] {
    let mut t = [0u64; 4];
    for &bi in b.iter() {
        let (t0, mut hi_a) = mac(t[0], a[0], bi, 0);
        let k = t0.wrapping_mul(inv);
        let (_, mut hi_c) = mac(t0, k, m[0], 0);
        for j in 1..4 {
            let (tj, ha) = mac(t[j], a[j], bi, hi_a);
            hi_a = ha;
            let (tj1, hc) = mac(tj, k, m[j], hi_c);
            hi_c = hc;
            t[j - 1] = tj1;
        }
        t[3] = hi_c + hi_a;
    }
    t
}

/// Assembly text: `t = x·y₀` into `t0 … t3` and the overflow word `top` (MULX, with the low
/// halves added on the ADOX chain). `$x`, `$y`: the factors' addresses.
#[cfg(target_arch = "x86_64")]
#[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
macro_rules! adx_first_word {
    ($x:literal, $y:literal) => {
        concat!(
            "mov rdx, qword ptr [",
            $y,
            "]\n",
            "xor eax, eax\n",
            "mulx {t1}, {t0}, qword ptr [",
            $x,
            "]\n",
            "mulx {t2}, rax, qword ptr [",
            $x,
            " + 8]\n",
            "adox {t1}, rax\n",
            "mulx {t3}, rax, qword ptr [",
            $x,
            " + 16]\n",
            "adox {t2}, rax\n",
            "mulx {top}, rax, qword ptr [",
            $x,
            " + 24]\n",
            "adox {t3}, rax\n",
            "mov eax, 0\n",
            "adox {top}, rax\n",
        )
    };
}

/// Assembly text: `t += x·yᵢ` (`$y` the address of the word yᵢ), low halves on the ADOX
/// chain and high halves on the ADCX chain; the new overflow word goes to `$high` (`{top}`
/// when `top` is free, else `{hi}` for the caller to add).
#[cfg(target_arch = "x86_64")]
#[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
macro_rules! adx_add_word {
    ($x:literal, $y:literal, $high:literal) => {
        concat!(
            "mov rdx, qword ptr [",
            $y,
            "]\n",
            "xor eax, eax\n",
            "mulx {hi}, rax, qword ptr [",
            $x,
            "]\n",
            "adox {t0}, rax\n",
            "adcx {t1}, {hi}\n",
            "mulx {hi}, rax, qword ptr [",
            $x,
            " + 8]\n",
            "adox {t1}, rax\n",
            "adcx {t2}, {hi}\n",
            "mulx {hi}, rax, qword ptr [",
            $x,
            " + 16]\n",
            "adox {t2}, rax\n",
            "adcx {t3}, {hi}\n",
            "mulx ",
            $high,
            ", rax, qword ptr [",
            $x,
            " + 24]\n",
            "adox {t3}, rax\n",
            "mov eax, 0\n",
            "adcx ",
            $high,
            ", rax\n",
            "adox ",
            $high,
            ", rax\n",
        )
    };
}

/// Assembly text: one reduction step, `k = t₀·inv`, `t = (t + k·m) / 2^64` with `top`
/// folded into the new high word (`$m`: the modulus's address).
#[cfg(target_arch = "x86_64")]
#[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
macro_rules! adx_reduce_step {
    ($m:literal) => {
        concat!(
            "mov rdx, {inv}\n",
            "imul rdx, {t0}\n",
            "xor eax, eax\n",
            "mulx {hi}, rax, qword ptr [",
            $m,
            "]\n",
            "adcx rax, {t0}\n",
            "mov {t0}, {hi}\n",
            "adcx {t0}, {t1}\n",
            "mulx {t1}, rax, qword ptr [",
            $m,
            " + 8]\n",
            "adox {t0}, rax\n",
            "adcx {t1}, {t2}\n",
            "mulx {t2}, rax, qword ptr [",
            $m,
            " + 16]\n",
            "adox {t1}, rax\n",
            "adcx {t2}, {t3}\n",
            "mulx {t3}, rax, qword ptr [",
            $m,
            " + 24]\n",
            "adox {t2}, rax\n",
            "mov eax, 0\n",
            "adcx {t3}, rax\n",
            "adox {t3}, {top}\n",
        )
    };
}

/// [`mont_mul`] with MULX and the two independent carry chains of ADCX (CF) and ADOX (OF).
///
/// Word by word of `b` (the multiplier in RDX): `t += a·bᵢ` with the low halves of the four
/// products going into the OF chain and the high halves into the CF chain, the overflow
/// word in `top`; then `k = t₀·inv` and `t = (t + k·m) / 2^64`, again on two chains, with
/// `top` folded into the new high word. This is the no-carry CIOS of El Housni and Botrel
/// ("Faster Montgomery multiplication and multi-scalar-multiplication for SNARKs", TCHES
/// 2023, Algorithm 2), written here from the paper; for inputs below `2m` every sum fits
/// five words (`t < 3m` throughout), so no carry out of `top` or of the final word is lost.
#[cfg(target_arch = "x86_64")]
#[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
#[inline(always)]
pub(crate) fn mont_mul_adx(a: &[u64; 4], b: &[u64; 4], m: &[u64; 4], inv: u64) -> [u64; 4] {
    let (t0, t1, t2, t3): (u64, u64, u64, u64);
    // SAFETY: reads 32 bytes behind each of `a`, `b`, `m` (valid `[u64; 4]` references),
    // writes only its output registers; no stack use. Flags are clobbered (the default).
    unsafe {
        core::arch::asm!(
            adx_first_word!("{a}", "{b}"),
            adx_reduce_step!("{m}"),
            adx_add_word!("{a}", "{b} + 8", "{top}"),
            adx_reduce_step!("{m}"),
            adx_add_word!("{a}", "{b} + 16", "{top}"),
            adx_reduce_step!("{m}"),
            adx_add_word!("{a}", "{b} + 24", "{top}"),
            adx_reduce_step!("{m}"),
            a = in(reg) a.as_ptr(),
            b = in(reg) b.as_ptr(),
            m = in(reg) m.as_ptr(),
            inv = in(reg) inv,
            t0 = out(reg) t0,
            t1 = out(reg) t1,
            t2 = out(reg) t2,
            t3 = out(reg) t3,
            top = out(reg) _,
            hi = out(reg) _,
            out("rax") _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    [t0, t1, t2, t3]
}

/// `2p − x` for `x < 2p` (so in `(0, 2p]`), without reduction: the negation that lets a
/// difference of products be one sum ([`mont_mul2_adx`] takes factors up to 2p).
#[cfg(target_arch = "x86_64")]
#[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
#[inline(always)]
fn two_p_minus(x: &[u64; 4]) -> [u64; 4] {
    let (d0, w) = sbb(P2[0], x[0], 0);
    let (d1, w) = sbb(P2[1], x[1], w);
    let (d2, w) = sbb(P2[2], x[2], w);
    let (d3, _) = sbb(P2[3], x[3], w);
    [d0, d1, d2, d3]
}

/// BN254's p in a static, for the assembly to address RIP-relative.
#[cfg(target_arch = "x86_64")]
#[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
static P_WORDS: [u64; 4] = P;

/// `(a·b + c·d)·2^−256 mod p` below `2p`, for `a, c < 2p` and `b, d ≤ 2p`: one Montgomery
/// reduction for two products (the CIOS of [`mont_mul_adx`] with both products added in
/// before each reduction step), four fewer multiplications and one reduction less than
/// two products and a sum.
///
/// Bounds: `a·bᵢ + c·dᵢ < 4p·2^64`, so the running value stays below `5p < 2^256` and
/// every sum before a shift fits five words; the result is below
/// `8p²/2^256 + p < 2.6p`, and one masked subtraction of 2p brings it below 2p.
#[cfg(target_arch = "x86_64")]
#[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
#[inline(always)]
pub(crate) fn mont_mul2_adx(a: &[u64; 4], b: &[u64; 4], c: &[u64; 4], d: &[u64; 4]) -> [u64; 4] {
    let (t0, t1, t2, t3): (u64, u64, u64, u64);
    // SAFETY: reads 32 bytes behind each of `a`, `b`, `c`, `d` (valid `[u64; 4]`
    // references) and the static `P_WORDS`; writes only its output registers; no stack
    // use. Flags are clobbered (the default).
    unsafe {
        core::arch::asm!(
            adx_first_word!("{a}", "{b}"),
            adx_add_word!("{c}", "{d}", "{hi}"),
            "add {top}, {hi}",
            adx_reduce_step!("rip + {p}"),
            adx_add_word!("{a}", "{b} + 8", "{top}"),
            adx_add_word!("{c}", "{d} + 8", "{hi}"),
            "add {top}, {hi}",
            adx_reduce_step!("rip + {p}"),
            adx_add_word!("{a}", "{b} + 16", "{top}"),
            adx_add_word!("{c}", "{d} + 16", "{hi}"),
            "add {top}, {hi}",
            adx_reduce_step!("rip + {p}"),
            adx_add_word!("{a}", "{b} + 24", "{top}"),
            adx_add_word!("{c}", "{d} + 24", "{hi}"),
            "add {top}, {hi}",
            adx_reduce_step!("rip + {p}"),
            a = in(reg) a.as_ptr(),
            b = in(reg) b.as_ptr(),
            c = in(reg) c.as_ptr(),
            d = in(reg) d.as_ptr(),
            p = sym P_WORDS,
            inv = const INV,
            t0 = out(reg) t0,
            t1 = out(reg) t1,
            t2 = out(reg) t2,
            t3 = out(reg) t3,
            top = out(reg) _,
            hi = out(reg) _,
            out("rax") _,
            out("rdx") _,
            options(pure, readonly, nostack),
        );
    }
    reduce_once([t0, t1, t2, t3], &P2)
}

/// The representative below `m` of a value below `2m`.
#[inline(always)]
pub(crate) fn canonical_below_m(a: &[u64; 4], m: &[u64; 4]) -> [u64; 4] {
    reduce_once(*a, m)
}

impl LazyField for LazyFq {
    #[inline(always)]
    fn one() -> Self {
        LazyFq::lift(&Fq::ONE)
    }

    #[inline(always)]
    fn add(&self, other: &Self) -> Self {
        LazyFq(add_below_2m(&self.0, &other.0, &P2))
    }

    #[inline(always)]
    fn sub(&self, other: &Self) -> Self {
        LazyFq(sub_below_2m(&self.0, &other.0, &P2))
    }

    #[inline(always)]
    fn mul(&self, other: &Self) -> Self {
        LazyFq(mont_mul(&self.0, &other.0, &P, INV))
    }

    #[inline(always)]
    fn square(&self) -> Self {
        self.mul(self)
    }

    #[inline(always)]
    fn canonical(&self) -> Self {
        LazyFq(reduce_once(self.0, &P))
    }

    #[inline(always)]
    fn same(&self, other: &Self) -> bool {
        self.0 == other.0
    }

    fn inverse(&self) -> Option<Self> {
        self.lower().inverse().map(|x| LazyFq::lift(&x))
    }

    type Norm = LazyFq;

    #[inline(always)]
    fn norm(&self) -> LazyFq {
        *self
    }

    #[inline(always)]
    fn inverse_from_norm(&self, norm_inverse: &LazyFq) -> Self {
        *norm_inverse
    }
}

/// One element of Fq2 = Fq[u]/(u² + 1), both coordinates lazily reduced.
#[derive(Clone, Copy, Debug, PartialEq, Eq)]
pub struct LazyFq2 {
    pub c0: LazyFq,
    pub c1: LazyFq,
}

impl LazyFq2 {
    /// The coordinates of an arkworks element.
    #[inline(always)]
    pub fn lift(x: &Fq2) -> Self {
        LazyFq2 {
            c0: LazyFq::lift(&x.c0),
            c1: LazyFq::lift(&x.c1),
        }
    }

    /// The arkworks element with this value.
    #[inline(always)]
    pub fn lower(&self) -> Fq2 {
        Fq2::new(self.c0.lower(), self.c1.lower())
    }
}

impl LazyField for LazyFq2 {
    #[inline(always)]
    fn one() -> Self {
        LazyFq2 {
            c0: LazyFq::one(),
            c1: LazyFq([0; 4]),
        }
    }

    #[inline(always)]
    fn add(&self, other: &Self) -> Self {
        LazyFq2 {
            c0: self.c0.add(&other.c0),
            c1: self.c1.add(&other.c1),
        }
    }

    #[inline(always)]
    fn sub(&self, other: &Self) -> Self {
        LazyFq2 {
            c0: self.c0.sub(&other.c0),
            c1: self.c1.sub(&other.c1),
        }
    }

    /// With the x86-64-v3 assembly: `c0 = a0b0 + a1·(2p − b1)`, `c1 = a0b1 + a1b0`, each
    /// one reduction for two products ([`mont_mul2_adx`]). Elsewhere Karatsuba on lazy
    /// values: with v0 = a0b0, v1 = a1b1 and s = (a0 + a1)(b0 + b1), c0 = v0 − v1 and
    /// c1 = s − v0 − v1, three Montgomery products (the sums brought below 2p first).
    #[inline(always)]
    fn mul(&self, other: &Self) -> Self {
        #[cfg(target_arch = "x86_64")]
        #[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
        {
            let (a0, a1, b0, b1) = (&self.c0.0, &self.c1.0, &other.c0.0, &other.c1.0);
            LazyFq2 {
                c0: LazyFq(mont_mul2_adx(a0, b0, a1, &two_p_minus(b1))),
                c1: LazyFq(mont_mul2_adx(a0, b1, a1, b0)),
            }
        }
        #[cfg(not(all(
            target_arch = "x86_64",
            target_feature = "bmi2",
            target_feature = "adx"
        )))]
        {
            let v0 = self.c0.mul(&other.c0);
            let v1 = self.c1.mul(&other.c1);
            let s = self.c0.add(&self.c1).mul(&other.c0.add(&other.c1));
            LazyFq2 {
                c0: v0.sub(&v1),
                c1: s.sub(&v0).sub(&v1),
            }
        }
    }

    /// (a0 + a1u)² = (a0 + a1)(a0 − a1) + 2a0a1·u.
    #[inline(always)]
    fn square(&self) -> Self {
        let p = self.c0.mul(&self.c1);
        LazyFq2 {
            c0: self.c0.add(&self.c1).mul(&self.c0.sub(&self.c1)),
            c1: p.add(&p),
        }
    }

    #[inline(always)]
    fn canonical(&self) -> Self {
        LazyFq2 {
            c0: self.c0.canonical(),
            c1: self.c1.canonical(),
        }
    }

    #[inline(always)]
    fn same(&self, other: &Self) -> bool {
        self.c0.same(&other.c0) && self.c1.same(&other.c1)
    }

    fn inverse(&self) -> Option<Self> {
        self.lower().inverse().map(|x| LazyFq2::lift(&x))
    }

    type Norm = LazyFq;

    /// (c0 + c1u)(c0 − c1u) = c0² + c1² (u² = −1); zero only for zero, as −1 is not a
    /// square in Fq (p ≡ 3 mod 4).
    #[inline(always)]
    fn norm(&self) -> LazyFq {
        #[cfg(target_arch = "x86_64")]
        #[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
        {
            let (c0, c1) = (&self.c0.0, &self.c1.0);
            LazyFq(mont_mul2_adx(c0, c0, c1, c1))
        }
        #[cfg(not(all(
            target_arch = "x86_64",
            target_feature = "bmi2",
            target_feature = "adx"
        )))]
        {
            self.c0.square().add(&self.c1.square())
        }
    }

    #[inline(always)]
    fn inverse_from_norm(&self, norm_inverse: &LazyFq) -> Self {
        LazyFq2 {
            c0: self.c0.mul(norm_inverse),
            c1: LazyFq([0; 4]).sub(&self.c1.mul(norm_inverse)),
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::{AdditiveGroup, BigInteger, PrimeField, UniformRand};
    use ark_std::test_rng;

    /// Any representative below 2p of `x`: the canonical one, or it plus p.
    fn lazy(x: &Fq, plus_p: bool) -> LazyFq {
        let mut limbs = x.0;
        if plus_p {
            limbs.add_with_carry(&BigInt(P));
        }
        LazyFq(limbs.0)
    }

    fn below_2p(x: &LazyFq) -> bool {
        BigInt(x.0) < BigInt(P2)
    }

    fn edge_values() -> Vec<Fq> {
        let mut rng = test_rng();
        let mut v = vec![Fq::ZERO, Fq::ONE, -Fq::ONE, Fq::from(2u64), -Fq::from(2u64)];
        // The largest canonical Montgomery word, p − 1, and small words.
        v.push(Fq::new_unchecked(BigInt([P[0] - 1, P[1], P[2], P[3]])));
        v.push(Fq::new_unchecked(BigInt([1, 0, 0, 0])));
        v.extend((0..200).map(|_| Fq::rand(&mut rng)));
        v
    }

    /// The assembly product gives the portable product's words, for Fq and Fr, on edge
    /// values and random representatives below 2m (where both are compiled).
    #[cfg(target_arch = "x86_64")]
    #[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
    #[test]
    fn mont_mul_adx_equals_portable() {
        use ark_bn254::Fr;
        let mut rng = test_rng();
        let fr_modulus = Fr::MODULUS.0;
        // −m₀⁻¹ mod 2^64 by Newton's iteration (each step doubles the correct low bits).
        let fr_inv = (0..6)
            .fold(1u64, |x, _| {
                x.wrapping_mul(2u64.wrapping_sub(fr_modulus[0].wrapping_mul(x)))
            })
            .wrapping_neg();
        for (m, inv) in [(P, INV), (fr_modulus, fr_inv)] {
            assert_eq!(m[0].wrapping_mul(inv), u64::MAX, "inv = −m⁻¹ mod 2^64");
            let mut two_m = BigInt(m);
            two_m.mul2();
            let mut values: Vec<[u64; 4]> =
                vec![[0; 4], [1, 0, 0, 0], [m[0] - 1, m[1], m[2], m[3]]];
            let mut top = two_m;
            top.sub_with_borrow(&BigInt([1, 0, 0, 0]));
            values.push(top.0);
            values.push(m);
            for _ in 0..2000 {
                let mut v = BigInt::<4>::rand(&mut rng);
                while v >= two_m {
                    v.div2();
                }
                values.push(v.0);
            }
            for (k, a) in values.iter().enumerate() {
                let b = &values[(k * 7 + 3) % values.len()];
                let product = mont_mul_adx(a, b, &m, inv);
                assert_eq!(
                    product,
                    mont_mul_portable(a, b, &m, inv),
                    "a = {a:?}, b = {b:?}"
                );
                assert!(BigInt(product) < two_m);
                assert_eq!(
                    mont_mul_adx(a, a, &m, inv),
                    mont_mul_portable(a, a, &m, inv)
                );
            }
        }
    }

    /// The two-product assembly gives a representative below 2p of `a·b + c·d` (Montgomery
    /// form), on edge values (0, 1, 2p − 1, factors of exactly 2p) and random ones.
    #[cfg(target_arch = "x86_64")]
    #[cfg(all(target_feature = "bmi2", target_feature = "adx"))]
    #[test]
    fn mont_mul2_adx_is_the_sum_of_two_products() {
        let mut rng = test_rng();
        let mut top = BigInt(P2);
        top.sub_with_borrow(&BigInt([1, 0, 0, 0]));
        let mut values: Vec<[u64; 4]> = vec![[0; 4], [1, 0, 0, 0], top.0, P];
        for _ in 0..1500 {
            let mut v = BigInt::<4>::rand(&mut rng);
            while v >= BigInt(P2) {
                v.div2();
            }
            values.push(v.0);
        }
        let len = values.len();
        for (k, a) in values.iter().enumerate() {
            let (b, c) = (&values[(k * 7 + 3) % len], &values[(k * 5 + 1) % len]);
            for d in [&values[(k * 3 + 2) % len], &P2] {
                let sum = mont_mul2_adx(a, b, c, d);
                assert!(BigInt(sum) < BigInt(P2), "not below 2p");
                let expected = LazyFq(mont_mul_portable(a, b, &P, INV))
                    .add(&LazyFq(mont_mul_portable(c, d, &P, INV)));
                assert_eq!(
                    LazyFq(sum).canonical(),
                    expected.canonical(),
                    "a = {a:?}, b = {b:?}, c = {c:?}, d = {d:?}"
                );
            }
            let minus = two_p_minus(b);
            assert!(BigInt(minus) <= BigInt(P2));
            assert_eq!(LazyFq(minus).add(&LazyFq(*b)).canonical(), LazyFq([0; 4]));
        }
    }

    #[test]
    fn constants_are_p_2p_and_minus_p_inverse() {
        assert_eq!(BigInt(P), <Fq as PrimeField>::MODULUS);
        let mut two_p = BigInt(P);
        two_p.mul2();
        assert_eq!(BigInt(P2), two_p);
        assert_eq!(P[0].wrapping_mul(INV), u64::MAX, "p·(−p⁻¹) ≡ −1 mod 2^64");
    }

    #[test]
    fn fq_operations_agree_with_arkworks_on_every_representative() {
        let values = edge_values();
        for (i, x) in values.iter().enumerate() {
            let y = &values[(i * 7 + 3) % values.len()];
            for (hx, hy) in [(false, false), (true, false), (false, true), (true, true)] {
                let (a, b) = (lazy(x, hx), lazy(y, hy));
                for (got, want) in [
                    (a.add(&b), *x + y),
                    (a.sub(&b), *x - y),
                    (a.mul(&b), *x * y),
                    (a.square(), x.square()),
                ] {
                    assert!(below_2p(&got), "result not below 2p");
                    assert_eq!(got.lower(), want);
                    assert_eq!(got.canonical(), LazyFq::lift(&want));
                }
            }
        }
    }

    #[test]
    fn fq2_operations_agree_with_arkworks() {
        let mut rng = test_rng();
        let mut values: Vec<Fq2> = (0..100).map(|_| Fq2::rand(&mut rng)).collect();
        values.push(Fq2::ZERO);
        values.push(Fq2::ONE);
        values.push(-Fq2::ONE);
        values.push(Fq2::new(Fq::ZERO, -Fq::ONE));
        let top = Fq::new_unchecked(BigInt([P[0] - 1, P[1], P[2], P[3]]));
        values.push(Fq2::new(top, top));
        values.push(Fq2::new(top, Fq::ZERO));
        values.push(Fq2::new(Fq::ZERO, top));
        for (i, x) in values.iter().enumerate() {
            let y = &values[(i * 5 + 1) % values.len()];
            let (a, b) = (LazyFq2::lift(x), LazyFq2::lift(y));
            // The same values as the largest representatives below 2p (x + p per coordinate).
            let (wa, wb) = (
                LazyFq2 {
                    c0: lazy(&x.c0, true),
                    c1: lazy(&x.c1, true),
                },
                LazyFq2 {
                    c0: lazy(&y.c0, true),
                    c1: lazy(&y.c1, true),
                },
            );
            for (u, v) in [(a, wb), (wa, b), (wa, wb)] {
                let product = u.mul(&v);
                assert!(below_2p(&product.c0) && below_2p(&product.c1));
                assert_eq!(product.lower(), *x * y);
                assert_eq!(u.square().lower(), x.square());
            }
            assert_eq!(a.add(&b).lower(), *x + y);
            assert_eq!(a.sub(&b).lower(), *x - y);
            assert_eq!(a.mul(&b).lower(), *x * y);
            assert_eq!(a.square().lower(), x.square());
            // Chains of lazy results stay correct (inputs no longer canonical).
            let chained = a.mul(&b).sub(&a).square().add(&b).mul(&a.sub(&b));
            assert_eq!(chained.lower(), ((*x * y - x).square() + y) * (*x - y));
            match x.inverse() {
                Some(inv) => {
                    assert_eq!(a.inverse().map(|v| v.lower()), Some(inv));
                    let n = a.norm();
                    assert!(below_2p(&n));
                    assert_eq!(n.lower(), x.c0.square() + x.c1.square());
                    let n_inv = n.inverse().expect("nonzero norm");
                    assert_eq!(a.inverse_from_norm(&n_inv).lower(), inv);
                    assert_eq!(
                        wa.inverse_from_norm(&wa.norm().inverse().unwrap()).lower(),
                        inv
                    );
                }
                None => {
                    assert!(a.inverse().is_none());
                    assert!(a.norm().canonical().same(&LazyFq([0; 4])));
                }
            }
        }
    }

    #[test]
    fn fq_inverse_and_equality_use_the_canonical_value() {
        for x in edge_values() {
            let (a, b) = (lazy(&x, false), lazy(&x, true));
            assert!(a.canonical().same(&b.canonical()));
            assert_eq!(a.inverse().map(|v| v.lower()), x.inverse());
            assert_eq!(b.inverse().map(|v| v.lower()), x.inverse());
            // A nonzero value's canonical form is never zero's.
            assert_eq!(
                a.canonical().same(&LazyFq([0; 4])),
                x.into_bigint().is_zero()
            );
        }
    }
}
