//! One interface over eight lanes of Fq ([`Fq8`]) or Fq2 ([`Fq2x8`]), so that the
//! batch-affine kernels in `super::batch` are written once for G1 and G2.
//!
//! A coordinate array of n slots is stored limb-major in a `Vec<u64>`: row `j` (of
//! [`Lanes::WORDS`]) holds limb j of every slot, `src[j·stride + slot]`.
//!
//! Bounds: every value a reducing operation returns (and every stored coordinate) is below
//! 2p per base-field component; `add_lazy`/`sub_lazy` results are below 4p and may only feed
//! `mul`/`square`, which accept components below 4p.
//!
//! The methods are `#[inline(always)]` without a `target_feature` of their own so that they
//! (and the intrinsics in them) inline into the kernels of `super::batch`, which are compiled
//! with AVX-512F and AVX-512 IFMA; they must only be called from such functions, on a CPU
//! that [`super::available`] accepted. (Closures do not inherit the kernels' features: the
//! kernels use plain loops.)

use std::arch::x86_64::*;

use ark_bn254::{Fq, Fq2};
use ark_ff::Field;

use super::fq8::{Fq8, LIMBS};

/// Eight field elements processed together.
pub trait Lanes: Copy {
    /// The arkworks field of one lane.
    type Ark: Field;
    /// Storage rows (64-bit words) per element.
    const WORDS: usize;
    /// All lanes one.
    unsafe fn one() -> Self;
    /// `a + b`.
    unsafe fn add(self, b: Self) -> Self;
    /// `a − b`.
    unsafe fn sub(self, b: Self) -> Self;
    /// `a + b` left unreduced: a product input only (inputs below 2p).
    unsafe fn add_lazy(self, b: Self) -> Self;
    /// `a − b` left unreduced: a product input only (inputs below 2p).
    unsafe fn sub_lazy(self, b: Self) -> Self;
    /// `−a`.
    unsafe fn neg(self) -> Self;
    /// `a·b` (each base-field component of the inputs below 4p; result below 2p).
    unsafe fn mul(self, b: Self) -> Self;
    /// `a²`.
    unsafe fn square(self) -> Self;
    /// `mask` bit set takes `b`, clear keeps `self`.
    unsafe fn select(self, mask: __mmask8, b: Self) -> Self;
    /// Lanes equal to zero in the field.
    unsafe fn zero_lanes(self) -> __mmask8;
    /// From eight arkworks elements.
    unsafe fn from_ark(v: &[Self::Ark; 8]) -> Self;
    /// To eight arkworks elements.
    unsafe fn to_ark(self) -> [Self::Ark; 8];
    /// Contiguous load of slots `at..at+8`.
    unsafe fn load(src: &[u64], stride: usize, at: usize) -> Self;
    /// Contiguous store of slots `at..at+8`.
    unsafe fn store(self, dst: &mut [u64], stride: usize, at: usize);
    /// Load slots `idx[0..8]`.
    unsafe fn gather(src: &[u64], stride: usize, idx: &[u32]) -> Self;
    /// Store to slots `idx[k]` for lanes k in `mask`.
    unsafe fn scatter(self, dst: &mut [u64], stride: usize, idx: &[u32], mask: __mmask8);
}

impl Lanes for Fq8 {
    type Ark = Fq;
    const WORDS: usize = LIMBS;
    #[inline(always)]
    unsafe fn one() -> Self {
        Fq8::one()
    }
    #[inline(always)]
    unsafe fn add(self, b: Self) -> Self {
        Fq8::add(self, b)
    }
    #[inline(always)]
    unsafe fn sub(self, b: Self) -> Self {
        Fq8::sub(self, b)
    }
    #[inline(always)]
    unsafe fn add_lazy(self, b: Self) -> Self {
        Fq8::add_lazy(self, b)
    }
    #[inline(always)]
    unsafe fn sub_lazy(self, b: Self) -> Self {
        Fq8::sub_lazy(self, b)
    }
    #[inline(always)]
    unsafe fn neg(self) -> Self {
        Fq8::neg(self)
    }
    #[inline(always)]
    unsafe fn mul(self, b: Self) -> Self {
        Fq8::mul(self, b)
    }
    #[inline(always)]
    unsafe fn square(self) -> Self {
        Fq8::square(self)
    }
    #[inline(always)]
    unsafe fn select(self, mask: __mmask8, b: Self) -> Self {
        Fq8::select(self, mask, b)
    }
    #[inline(always)]
    unsafe fn zero_lanes(self) -> __mmask8 {
        Fq8::zero_lanes(self)
    }
    #[inline(always)]
    unsafe fn from_ark(v: &[Fq; 8]) -> Self {
        Fq8::from_ark(v)
    }
    #[inline(always)]
    unsafe fn to_ark(self) -> [Fq; 8] {
        Fq8::to_ark(self)
    }
    #[inline(always)]
    unsafe fn load(src: &[u64], stride: usize, at: usize) -> Self {
        Fq8::load(src, stride, at)
    }
    #[inline(always)]
    unsafe fn store(self, dst: &mut [u64], stride: usize, at: usize) {
        Fq8::store(self, dst, stride, at)
    }
    #[inline(always)]
    unsafe fn gather(src: &[u64], stride: usize, idx: &[u32]) -> Self {
        Fq8::gather(src, stride, idx)
    }
    #[inline(always)]
    unsafe fn scatter(self, dst: &mut [u64], stride: usize, idx: &[u32], mask: __mmask8) {
        Fq8::scatter(self, dst, stride, idx, mask)
    }
}

/// Eight elements of Fq2 = Fq[u]/(u² + 1), as `c0 + c1·u`.
#[derive(Clone, Copy)]
pub struct Fq2x8 {
    c0: Fq8,
    c1: Fq8,
}

impl Lanes for Fq2x8 {
    type Ark = Fq2;
    const WORDS: usize = 2 * LIMBS;
    #[inline(always)]
    unsafe fn one() -> Self {
        Fq2x8 {
            c0: Fq8::one(),
            c1: Fq8::zero(),
        }
    }
    #[inline(always)]
    unsafe fn add(self, b: Self) -> Self {
        Fq2x8 {
            c0: self.c0.add(b.c0),
            c1: self.c1.add(b.c1),
        }
    }
    #[inline(always)]
    unsafe fn sub(self, b: Self) -> Self {
        Fq2x8 {
            c0: self.c0.sub(b.c0),
            c1: self.c1.sub(b.c1),
        }
    }
    #[inline(always)]
    unsafe fn add_lazy(self, b: Self) -> Self {
        Fq2x8 {
            c0: self.c0.add_lazy(b.c0),
            c1: self.c1.add_lazy(b.c1),
        }
    }
    #[inline(always)]
    unsafe fn sub_lazy(self, b: Self) -> Self {
        Fq2x8 {
            c0: self.c0.sub_lazy(b.c0),
            c1: self.c1.sub_lazy(b.c1),
        }
    }
    #[inline(always)]
    unsafe fn neg(self) -> Self {
        Fq2x8 {
            c0: self.c0.neg(),
            c1: self.c1.neg(),
        }
    }
    /// Karatsuba: three base-field products (the sums of components below 4p stay below
    /// 8p, where the base-field product is exact).
    #[inline(always)]
    unsafe fn mul(self, b: Self) -> Self {
        let v0 = self.c0.mul(b.c0);
        let v1 = self.c1.mul(b.c1);
        let s = self.c0.add_lazy(self.c1).mul(b.c0.add_lazy(b.c1));
        Fq2x8 {
            c0: v0.sub(v1),
            c1: s.sub(v0).sub(v1),
        }
    }
    /// `(c0 + c1)(c0 − c1) + 2·c0·c1·u`: two base-field products.
    #[inline(always)]
    unsafe fn square(self) -> Self {
        let c0 = self.c0.add_lazy(self.c1).mul(self.c0.sub_lazy_4p(self.c1));
        let c1 = self.c0.mul(self.c1).double();
        Fq2x8 { c0, c1 }
    }
    #[inline(always)]
    unsafe fn select(self, mask: __mmask8, b: Self) -> Self {
        Fq2x8 {
            c0: self.c0.select(mask, b.c0),
            c1: self.c1.select(mask, b.c1),
        }
    }
    #[inline(always)]
    unsafe fn zero_lanes(self) -> __mmask8 {
        self.c0.zero_lanes() & self.c1.zero_lanes()
    }
    #[inline(always)]
    unsafe fn from_ark(v: &[Fq2; 8]) -> Self {
        Fq2x8 {
            c0: Fq8::from_ark(&v.map(|x| x.c0)),
            c1: Fq8::from_ark(&v.map(|x| x.c1)),
        }
    }
    #[inline(always)]
    unsafe fn to_ark(self) -> [Fq2; 8] {
        let (c0, c1) = (self.c0.to_ark(), self.c1.to_ark());
        std::array::from_fn(|k| Fq2::new(c0[k], c1[k]))
    }
    #[inline(always)]
    unsafe fn load(src: &[u64], stride: usize, at: usize) -> Self {
        Fq2x8 {
            c0: Fq8::load(src, stride, at),
            c1: Fq8::load(&src[LIMBS * stride..], stride, at),
        }
    }
    #[inline(always)]
    unsafe fn store(self, dst: &mut [u64], stride: usize, at: usize) {
        self.c0.store(dst, stride, at);
        self.c1.store(&mut dst[LIMBS * stride..], stride, at);
    }
    #[inline(always)]
    unsafe fn gather(src: &[u64], stride: usize, idx: &[u32]) -> Self {
        Fq2x8 {
            c0: Fq8::gather(src, stride, idx),
            c1: Fq8::gather(&src[LIMBS * stride..], stride, idx),
        }
    }
    #[inline(always)]
    unsafe fn scatter(self, dst: &mut [u64], stride: usize, idx: &[u32], mask: __mmask8) {
        self.c0.scatter(dst, stride, idx, mask);
        self.c1
            .scatter(&mut dst[LIMBS * stride..], stride, idx, mask);
    }
}
