//! Eight BN254 base-field elements at once, one per 64-bit lane of an AVX-512 register.
//!
//! An element is five 52-bit limbs (radix 2^52, 260 bits) in Montgomery form with
//! R = 2^260, kept *redundant*: every stored value is in [0, 2p) with each limb < 2^52.
//! Multiplication is word-by-word Montgomery (CIOS) on the 52×52-bit multiply-accumulate
//! instructions `vpmadd52{lo,hi}uq` (AVX-512 IFMA): 5 rounds of 10 products of a·b and 10
//! of m·p. For inputs below 8p the result is below ab/R + p < 2p (p < 2^254), so products
//! need no final subtraction; additions and subtractions subtract 2p when they reach it.
//!
//! Conversion to and from arkworks' form (R = 2^256, four 64-bit words) is one Montgomery
//! multiplication by 2^264 or 2^256 mod p plus a limb repacking.
//!
//! Every function here needs AVX-512F and AVX-512 IFMA; callers check
//! [`super::available`] first.

use std::arch::x86_64::*;

use ark_bn254::Fq;
use ark_ff::{BigInt, Field, PrimeField};

/// Limbs per element.
pub const LIMBS: usize = 5;
const MASK: u64 = (1 << 52) - 1;

/// Eight field elements, limb-major: `l[j]` holds limb j of all eight lanes.
#[derive(Clone, Copy)]
pub struct Fq8 {
    pub l: [__m512i; LIMBS],
}

/// p in limbs.
const P: [u64; LIMBS] = [
    0x8c16d87cfd47,
    0x916871ca8d3c2,
    0x181585d97816a,
    0xa029b85045b68,
    0x30644e72e131,
];
/// 2p in limbs.
const TWO_P: [u64; LIMBS] = [
    0x1182db0f9fa8e,
    0x22d0e3951a784,
    0x302b0bb2f02d5,
    0x405370a08b6d0,
    0x60c89ce5c263,
];
/// 4p in limbs.
const FOUR_P: [u64; LIMBS] = [
    0x2305b61f3f51c,
    0x45a1c72a34f08,
    0x60561765e05aa,
    0x80a6e14116da0,
    0xc19139cb84c6,
];
/// −p⁻¹ mod 2^52.
const P_INV: u64 = 0x20782e4866389;
/// 2^260 mod p, the lane form of one.
const ONE: [u64; LIMBS] = [
    0x20880f6fce4b4,
    0x49baa989a8455,
    0x18f014a498908,
    0x724f85a9201d8,
    0x1f16424e1bb7,
];
/// 2^264 mod p: Montgomery-multiplying arkworks' form x·2^256 by it gives x·2^260.
const TO_LANES: [u64; LIMBS] = [
    0xb0f2afaec667a,
    0xed9626b0fffbd,
    0x9e2a0fcad825a,
    0xe357276f48b70,
    0xd791464ef86,
];
/// 2^256 mod p: Montgomery-multiplying x·2^260 by it gives arkworks' x·2^256.
const TO_ARK: [u64; LIMBS] = [
    0xd438dc58f0d9d,
    0x28f5c70b3dd35,
    0x879462c0a78eb,
    0xdf2f666ea36f7,
    0xe0a77c19a07,
];

/// Split four 64-bit words into five 52-bit limbs.
pub fn split(w: &[u64; 4]) -> [u64; LIMBS] {
    [
        w[0] & MASK,
        ((w[0] >> 52) | (w[1] << 12)) & MASK,
        ((w[1] >> 40) | (w[2] << 24)) & MASK,
        ((w[2] >> 28) | (w[3] << 36)) & MASK,
        w[3] >> 16,
    ]
}

/// Join five 52-bit limbs (value < 2^256) into four 64-bit words.
pub fn join(l: &[u64; LIMBS]) -> [u64; 4] {
    [
        l[0] | (l[1] << 52),
        (l[1] >> 12) | (l[2] << 40),
        (l[2] >> 24) | (l[3] << 28),
        (l[3] >> 36) | (l[4] << 16),
    ]
}

/// `2·l` in normalized limbs (the top limb keeps any excess).
fn double_limbs(l: &[u64; LIMBS]) -> [u64; LIMBS] {
    let mut out = [0u64; LIMBS];
    let mut carry = 0u64;
    for j in 0..LIMBS {
        let v = 2 * l[j] + carry;
        out[j] = v & MASK;
        carry = v >> 52;
    }
    out[LIMBS - 1] += carry << 52;
    out
}

/// Whether the constants above are the ones derived from arkworks' modulus (checked once
/// before the kernels are first used).
pub fn constants_match() -> bool {
    let modulus = <Fq as PrimeField>::MODULUS.0;
    let p = split(&modulus);
    // Newton's iteration for p⁻¹ mod 2^64 (p is odd), then −p⁻¹ mod 2^52.
    let mut inv = 1u64;
    for _ in 0..6 {
        inv = inv.wrapping_mul(2u64.wrapping_sub(modulus[0].wrapping_mul(inv)));
    }
    let power = |e: u64| split(&Fq::from(2u64).pow([e]).into_bigint().0);
    p == P
        && double_limbs(&p) == TWO_P
        && double_limbs(&TWO_P) == FOUR_P
        && inv.wrapping_neg() & MASK == P_INV
        && power(260) == ONE
        && power(264) == TO_LANES
        && power(256) == TO_ARK
}

#[inline(always)]
unsafe fn splat_limbs(l: &[u64; LIMBS]) -> Fq8 {
    Fq8 {
        l: [
            _mm512_set1_epi64(l[0] as i64),
            _mm512_set1_epi64(l[1] as i64),
            _mm512_set1_epi64(l[2] as i64),
            _mm512_set1_epi64(l[3] as i64),
            _mm512_set1_epi64(l[4] as i64),
        ],
    }
}

#[inline(always)]
unsafe fn mask() -> __m512i {
    _mm512_set1_epi64(MASK as i64)
}

/// Propagate carries (limbs may be negative as signed words) so that limbs 0..3 are in
/// [0, 2^52); limb 4 keeps the sign of the whole value.
#[inline(always)]
unsafe fn normalize_signed(mut t: [__m512i; LIMBS]) -> [__m512i; LIMBS] {
    let m = mask();
    for j in 0..LIMBS - 1 {
        t[j + 1] = _mm512_add_epi64(t[j + 1], _mm512_srai_epi64::<52>(t[j]));
        t[j] = _mm512_and_si512(t[j], m);
    }
    t
}

/// `v − 2p` if that is non-negative, else `v` (v normalized, below 4p).
#[inline(always)]
unsafe fn reduce_2p(v: [__m512i; LIMBS]) -> Fq8 {
    let mut t = [_mm512_setzero_si512(); LIMBS];
    for j in 0..LIMBS {
        t[j] = _mm512_sub_epi64(v[j], _mm512_set1_epi64(TWO_P[j] as i64));
    }
    let t = normalize_signed(t);
    let negative = _mm512_movepi64_mask_emul(t[LIMBS - 1]);
    let mut out = [_mm512_setzero_si512(); LIMBS];
    for j in 0..LIMBS {
        out[j] = _mm512_mask_blend_epi64(negative, t[j], v[j]);
    }
    Fq8 { l: out }
}

/// Lanes whose signed 64-bit word is negative (AVX-512F only; `vpmovq2m` needs DQ).
#[inline(always)]
unsafe fn _mm512_movepi64_mask_emul(v: __m512i) -> __mmask8 {
    _mm512_cmplt_epi64_mask(v, _mm512_setzero_si512())
}

impl Fq8 {
    /// All lanes zero.
    #[inline(always)]
    pub unsafe fn zero() -> Self {
        Fq8 {
            l: [_mm512_setzero_si512(); LIMBS],
        }
    }

    /// All lanes one.
    #[inline(always)]
    pub unsafe fn one() -> Self {
        splat_limbs(&ONE)
    }

    /// `a + b` (both below 2p; result below 2p).
    #[inline(always)]
    pub unsafe fn add(self, b: Self) -> Self {
        let mut t = [_mm512_setzero_si512(); LIMBS];
        for j in 0..LIMBS {
            t[j] = _mm512_add_epi64(self.l[j], b.l[j]);
        }
        reduce_2p(normalize_signed(t))
    }

    /// `a − b` (both below 2p; result below 2p).
    #[inline(always)]
    pub unsafe fn sub(self, b: Self) -> Self {
        let mut t = [_mm512_setzero_si512(); LIMBS];
        for j in 0..LIMBS {
            t[j] = _mm512_sub_epi64(
                _mm512_add_epi64(self.l[j], _mm512_set1_epi64(TWO_P[j] as i64)),
                b.l[j],
            );
        }
        reduce_2p(normalize_signed(t))
    }

    /// `a + b` without reduction (result below the sum of the bounds; a product input).
    #[inline(always)]
    pub unsafe fn add_lazy(self, b: Self) -> Self {
        let mut t = [_mm512_setzero_si512(); LIMBS];
        for j in 0..LIMBS {
            t[j] = _mm512_add_epi64(self.l[j], b.l[j]);
        }
        Fq8 {
            l: normalize_signed(t),
        }
    }

    /// `a + 2p − b` without reduction (b below 2p; a product input).
    #[inline(always)]
    pub unsafe fn sub_lazy(self, b: Self) -> Self {
        self.offset_sub(&TWO_P, b)
    }

    /// `a + 4p − b` without reduction (b below 4p; a product input).
    #[inline(always)]
    pub unsafe fn sub_lazy_4p(self, b: Self) -> Self {
        self.offset_sub(&FOUR_P, b)
    }

    #[inline(always)]
    unsafe fn offset_sub(self, offset: &[u64; LIMBS], b: Self) -> Self {
        let mut t = [_mm512_setzero_si512(); LIMBS];
        for j in 0..LIMBS {
            t[j] = _mm512_sub_epi64(
                _mm512_add_epi64(self.l[j], _mm512_set1_epi64(offset[j] as i64)),
                b.l[j],
            );
        }
        Fq8 {
            l: normalize_signed(t),
        }
    }

    /// `−a` (below 2p).
    #[inline(always)]
    pub unsafe fn neg(self) -> Self {
        Fq8::zero().sub(self)
    }

    /// `a + a`.
    #[inline(always)]
    pub unsafe fn double(self) -> Self {
        self.add(self)
    }

    /// Montgomery product `a·b·2^-260 mod p`, below 2p for inputs below 8p.
    ///
    /// (a·b + m·p)/2^260 < 64p²/2^260 + p < 2p since 64p < 2^260.
    #[inline(always)]
    pub unsafe fn mul(self, b: Self) -> Self {
        let p = [
            _mm512_set1_epi64(P[0] as i64),
            _mm512_set1_epi64(P[1] as i64),
            _mm512_set1_epi64(P[2] as i64),
            _mm512_set1_epi64(P[3] as i64),
            _mm512_set1_epi64(P[4] as i64),
        ];
        let p_inv = _mm512_set1_epi64(P_INV as i64);
        let zero = _mm512_setzero_si512();
        let mut t = [zero; LIMBS + 1];
        for i in 0..LIMBS {
            let a = self.l[i];
            for j in 0..LIMBS {
                t[j] = _mm512_madd52lo_epu64(t[j], a, b.l[j]);
                t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], a, b.l[j]);
            }
            let m = _mm512_madd52lo_epu64(zero, t[0], p_inv);
            for j in 0..LIMBS {
                t[j] = _mm512_madd52lo_epu64(t[j], m, p[j]);
                t[j + 1] = _mm512_madd52hi_epu64(t[j + 1], m, p[j]);
            }
            // t[0] ≡ 0 mod 2^52 now: drop it, carrying its high bits into the next limb.
            let carry = _mm512_srli_epi64::<52>(t[0]);
            t = [_mm512_add_epi64(t[1], carry), t[2], t[3], t[4], t[5], zero];
        }
        let m = mask();
        let mut out = [t[0], t[1], t[2], t[3], t[4]];
        for j in 0..LIMBS - 1 {
            out[j + 1] = _mm512_add_epi64(out[j + 1], _mm512_srli_epi64::<52>(out[j]));
            out[j] = _mm512_and_si512(out[j], m);
        }
        Fq8 { l: out }
    }

    /// `a²`.
    #[inline(always)]
    pub unsafe fn square(self) -> Self {
        self.mul(self)
    }

    /// Per lane: `mask` bit set takes `b`, clear keeps `self`.
    #[inline(always)]
    pub unsafe fn select(self, mask: __mmask8, b: Self) -> Self {
        let mut out = self.l;
        for j in 0..LIMBS {
            out[j] = _mm512_mask_blend_epi64(mask, self.l[j], b.l[j]);
        }
        Fq8 { l: out }
    }

    /// Lanes whose element is ≡ 0 mod p (value 0 or p, as values stay below 2p).
    #[inline(always)]
    pub unsafe fn zero_lanes(self) -> __mmask8 {
        let mut is_zero: __mmask8 = 0xff;
        let mut is_p: __mmask8 = 0xff;
        for j in 0..LIMBS {
            is_zero &= _mm512_cmpeq_epi64_mask(self.l[j], _mm512_setzero_si512());
            is_p &= _mm512_cmpeq_epi64_mask(self.l[j], _mm512_set1_epi64(P[j] as i64));
        }
        is_zero | is_p
    }

    /// Lane form of eight arkworks elements.
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub unsafe fn from_ark(v: &[Fq; 8]) -> Self {
        let mut limbs = [[0u64; 8]; LIMBS];
        for (lane, x) in v.iter().enumerate() {
            let l = split(&x.0 .0);
            for j in 0..LIMBS {
                limbs[j][lane] = l[j];
            }
        }
        let raw = Fq8 {
            l: [
                _mm512_loadu_si512(limbs[0].as_ptr() as *const _),
                _mm512_loadu_si512(limbs[1].as_ptr() as *const _),
                _mm512_loadu_si512(limbs[2].as_ptr() as *const _),
                _mm512_loadu_si512(limbs[3].as_ptr() as *const _),
                _mm512_loadu_si512(limbs[4].as_ptr() as *const _),
            ],
        };
        raw.mul(splat_limbs(&TO_LANES))
    }

    /// The eight lanes as arkworks elements (fully reduced).
    #[target_feature(enable = "avx512f,avx512ifma")]
    pub unsafe fn to_ark(self) -> [Fq; 8] {
        let v = self.mul(splat_limbs(&TO_ARK));
        // Below 2p: subtract p where that stays non-negative.
        let mut t = [_mm512_setzero_si512(); LIMBS];
        for j in 0..LIMBS {
            t[j] = _mm512_sub_epi64(v.l[j], _mm512_set1_epi64(P[j] as i64));
        }
        let t = normalize_signed(t);
        let negative = _mm512_movepi64_mask_emul(t[LIMBS - 1]);
        let mut limbs = [[0u64; 8]; LIMBS];
        for j in 0..LIMBS {
            let r = _mm512_mask_blend_epi64(negative, t[j], v.l[j]);
            _mm512_storeu_si512(limbs[j].as_mut_ptr() as *mut _, r);
        }
        std::array::from_fn(|lane| {
            let l = std::array::from_fn(|j| limbs[j][lane]);
            Fq::new_unchecked(BigInt(join(&l)))
        })
    }

    /// Load eight lanes from limb-major storage `src[j·stride + i]`, i = `at`..`at`+8.
    #[inline(always)]
    pub unsafe fn load(src: &[u64], stride: usize, at: usize) -> Self {
        let mut l = [_mm512_setzero_si512(); LIMBS];
        for (j, limb) in l.iter_mut().enumerate() {
            let s = &src[j * stride + at..j * stride + at + 8];
            *limb = _mm512_loadu_si512(s.as_ptr() as *const _);
        }
        Fq8 { l }
    }

    /// Store eight lanes to limb-major storage (inverse of [`Fq8::load`]).
    #[inline(always)]
    pub unsafe fn store(self, dst: &mut [u64], stride: usize, at: usize) {
        for j in 0..LIMBS {
            let d = &mut dst[j * stride + at..j * stride + at + 8];
            _mm512_storeu_si512(d.as_mut_ptr() as *mut _, self.l[j]);
        }
    }

    /// Gather lanes `src[j·stride + idx[k]]` for the 8 indices `idx`.
    ///
    /// Panics unless every index is below `stride` and `src` holds `LIMBS` rows of
    /// `stride` words: the indices come from data, so the bound is checked, not assumed.
    #[inline(always)]
    pub unsafe fn gather(src: &[u64], stride: usize, idx: &[u32]) -> Self {
        let idx = checked_indices(idx, stride, src.len());
        let mut l = [_mm512_setzero_si512(); LIMBS];
        for (j, limb) in l.iter_mut().enumerate() {
            let base = src[j * stride..].as_ptr() as *const i64;
            // In bounds: j·stride + idx[k] < LIMBS·stride ≤ src.len() (checked_indices).
            *limb = _mm512_i32gather_epi64::<8>(idx, base);
        }
        Fq8 { l }
    }

    /// Scatter lanes to `dst[j·stride + idx[k]]` for lanes in `mask` (distinct indices;
    /// bounds checked as in [`Fq8::gather`]).
    #[inline(always)]
    pub unsafe fn scatter(self, dst: &mut [u64], stride: usize, idx: &[u32], mask: __mmask8) {
        let idx = checked_indices(idx, stride, dst.len());
        for j in 0..LIMBS {
            let base = dst[j * stride..].as_mut_ptr() as *mut i64;
            // In bounds: j·stride + idx[k] < LIMBS·stride ≤ dst.len() (checked_indices).
            _mm512_mask_i32scatter_epi64::<8>(base, mask, idx, self.l[j]);
        }
    }
}

/// The 8 indices as a vector of signed 32-bit offsets, after [`check_indices`].
#[inline(always)]
unsafe fn checked_indices(idx: &[u32], stride: usize, len: usize) -> __m256i {
    let idx = check_indices(idx, stride, len);
    _mm256_loadu_si256(idx.as_ptr() as *const __m256i)
}

/// `idx` as 8 indices, after checking that each is below `stride` (and below 2^31, as the
/// gather instructions sign-extend them) and that a buffer of `len` words holds `LIMBS`
/// rows of `stride`; panics otherwise.
#[inline(always)]
fn check_indices(idx: &[u32], stride: usize, len: usize) -> &[u32; 8] {
    let idx: &[u32; 8] = idx.try_into().expect("8 gather/scatter indices");
    let bound = stride.min(i32::MAX as usize);
    assert!(
        len >= LIMBS * stride && idx.iter().all(|&i| (i as usize) < bound),
        "gather/scatter index out of bounds"
    );
    idx
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_ff::UniformRand;
    use ark_std::test_rng;

    /// Runs `check` only where the vector kernels can run (the portable path has no lanes).
    fn on_ifma(check: impl FnOnce()) {
        if crate::ifma::supported() {
            check();
        } else {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (or ZKM_NATIVE_CPU=portable)");
        }
    }

    #[test]
    fn constants_are_derived_from_the_modulus() {
        assert!(constants_match());
    }

    #[test]
    fn lane_arithmetic_equals_arkworks() {
        on_ifma(|| {
            let mut rng = test_rng();
            for _ in 0..50 {
                let a: [Fq; 8] = std::array::from_fn(|_| Fq::rand(&mut rng));
                let mut b: [Fq; 8] = std::array::from_fn(|_| Fq::rand(&mut rng));
                b[3] = -a[3]; // a sum of zero
                b[4] = a[4]; // a difference of zero
                             // SAFETY: `on_ifma` checked that the CPU has AVX-512F and AVX-512 IFMA.
                let (sum, diff, prod, sq, zeros) = unsafe {
                    let (x, y) = (Fq8::from_ark(&a), Fq8::from_ark(&b));
                    (
                        x.add(y).to_ark(),
                        x.sub(y).to_ark(),
                        x.mul(y).to_ark(),
                        x.square().to_ark(),
                        x.add(y).zero_lanes(),
                    )
                };
                for k in 0..8 {
                    assert_eq!(sum[k], a[k] + b[k]);
                    assert_eq!(diff[k], a[k] - b[k]);
                    assert_eq!(prod[k], a[k] * b[k]);
                    assert_eq!(sq[k], a[k] * a[k]);
                }
                assert_eq!(zeros, 1 << 3);
            }
        });
    }

    #[test]
    fn index_check_accepts_indices_below_the_stride() {
        let idx = [0, 1, 2, 3, 4, 5, 6, 7];
        assert_eq!(check_indices(&idx, 8, LIMBS * 8), &idx);
    }

    #[test]
    #[should_panic(expected = "gather/scatter index out of bounds")]
    fn index_check_rejects_an_index_past_the_stride() {
        check_indices(&[0, 1, 2, 3, 4, 5, 6, 8], 8, LIMBS * 8);
    }

    #[test]
    #[should_panic(expected = "gather/scatter index out of bounds")]
    fn index_check_rejects_a_buffer_shorter_than_its_rows() {
        check_indices(&[0, 1, 2, 3, 4, 5, 6, 7], 8, LIMBS * 8 - 1);
    }

    #[test]
    #[should_panic(expected = "gather/scatter index out of bounds")]
    fn index_check_rejects_indices_the_instruction_would_sign_extend() {
        let huge = 1usize << 31;
        check_indices(
            &[0, 0, 0, 0, 0, 0, 0, 1 << 31],
            huge + 1,
            LIMBS * (huge + 1),
        );
    }

    #[test]
    fn gather_reads_the_indexed_slots() {
        on_ifma(|| {
            let src: Vec<u64> = (0..LIMBS as u64 * 16).collect();
            let idx = [15, 0, 3, 3, 7, 8, 1, 2];
            // SAFETY: `on_ifma` checked that the CPU has AVX-512F and AVX-512 IFMA.
            let lanes = unsafe { Fq8::gather(&src, 16, &idx) };
            let mut row = [0u64; 8];
            for j in 0..LIMBS {
                // SAFETY: as above; `row` holds 8 words.
                unsafe { _mm512_storeu_si512(row.as_mut_ptr() as *mut _, lanes.l[j]) };
                let expected: Vec<u64> = idx.iter().map(|&i| (j * 16) as u64 + i as u64).collect();
                assert_eq!(row.to_vec(), expected);
            }
        });
    }
}
