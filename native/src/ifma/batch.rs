//! `crate::batch_mul`'s lock-step scalar multiplication with eight slots per instruction.
//!
//! Same schedule as the portable kernel (GLV split, width-5 NAF, 128 rounds of "double every
//! slot, then add each slot's digit entry"), but coordinates live in limb-major lane form
//! ([`Lanes`]) and every batched affine doubling or addition runs on eight slots at once;
//! Montgomery's trick runs as 2 × 8 product chains (vector v of a batch belongs to chain
//! v mod 2, each lane to its own chain), closed by one arkworks batch inversion of the 16
//! chain products; the backward pass handles one vector of each chain side by side.
//!
//! Exceptional additions (equal or opposite x) make a lane product zero; the kernel detects
//! that before writing anything and redoes that one batched operation with the portable,
//! exact code (`crate::batch_mul::{batch_add, batch_double}`). Points at infinity are tracked
//! per slot and handled in the vector code (doubling keeps them, adding to one copies).

#[cfg(any(test, feature = "fault-injection"))]
use std::sync::atomic::{AtomicUsize, Ordering};

use ark_bn254::Fr;
use ark_ec::models::short_weierstrass::{Affine, SWCurveConfig};
use ark_ec::scalar_mul::glv::GLVConfig;

use super::lanes::Lanes;
use crate::scalar_mul::wnaf;

/// Odd multiples P, 3P, …, 15P for width-5 NAF digits.
const TABLE: usize = 8;

/// Fault injection for tests: when nonzero, every n-th batched operation takes the
/// portable fallback as if a lane product were zero. Compiled only into `cargo test` and
/// builds with the `fault-injection` feature, never into a release extension.
#[cfg(any(test, feature = "fault-injection"))]
static FORCE_FALLBACK_EVERY: AtomicUsize = AtomicUsize::new(0);
#[cfg(any(test, feature = "fault-injection"))]
static OPERATIONS: AtomicUsize = AtomicUsize::new(0);

/// Make every n-th batched operation take the exact fallback (0 turns this off).
#[cfg(any(test, feature = "fault-injection"))]
pub fn force_fallback_every(n: usize) {
    FORCE_FALLBACK_EVERY.store(n, Ordering::SeqCst);
}

#[cfg(any(test, feature = "fault-injection"))]
fn forced_fallback() -> bool {
    let every = FORCE_FALLBACK_EVERY.load(Ordering::Relaxed);
    every != 0
        && OPERATIONS
            .fetch_add(1, Ordering::Relaxed)
            .is_multiple_of(every)
}

#[cfg(not(any(test, feature = "fault-injection")))]
#[inline(always)]
fn forced_fallback() -> bool {
    false
}

/// n affine points (n a multiple of 8) in lane form, with a bit per slot for infinity.
#[derive(Clone)]
struct Slots {
    n: usize,
    x: Vec<u64>,
    y: Vec<u64>,
    /// Bit k of `inf[v]`: slot 8v + k is the point at infinity.
    inf: Vec<u8>,
}

/// Scratch of one batched addition, one entry per group of eight terms.
struct AddScratch<L> {
    ax: Vec<L>,
    ay: Vec<L>,
    qx: Vec<L>,
    qy: Vec<L>,
    dx: Vec<L>,
    prefix: Vec<L>,
    /// Lanes whose accumulator is at infinity (their sum is the term itself).
    acc_inf: Vec<u8>,
}

impl<L: Lanes> AddScratch<L> {
    fn new() -> Self {
        AddScratch {
            ax: Vec::new(),
            ay: Vec::new(),
            qx: Vec::new(),
            qy: Vec::new(),
            dx: Vec::new(),
            prefix: Vec::new(),
            acc_inf: Vec::new(),
        }
    }
    fn clear(&mut self) {
        self.ax.clear();
        self.ay.clear();
        self.qx.clear();
        self.qy.clear();
        self.dx.clear();
        self.prefix.clear();
        self.acc_inf.clear();
    }
}

/// Terms of one batched addition: slot `slots[k]` gains entry `sources[k]` of a table,
/// negated where bit k of `negate[k/8]` is set.
struct Terms {
    slots: Vec<u32>,
    sources: Vec<u32>,
    negate: Vec<u8>,
}

impl Terms {
    fn with_capacity(n: usize) -> Self {
        Terms {
            slots: Vec::with_capacity(n + 8),
            sources: Vec::with_capacity(n + 8),
            negate: Vec::with_capacity(n / 8 + 1),
        }
    }
    fn clear(&mut self) {
        self.slots.clear();
        self.sources.clear();
        self.negate.clear();
    }
    fn push(&mut self, slot: usize, source: usize, negate: bool) {
        let k = self.slots.len();
        if k.is_multiple_of(8) {
            self.negate.push(0);
        }
        self.slots.push(slot as u32);
        self.sources.push(source as u32);
        if negate {
            *self.negate.last_mut().expect("pushed above") |= 1 << (k % 8);
        }
    }
    fn len(&self) -> usize {
        self.slots.len()
    }
    /// Pad to a multiple of 8 with slot 0 / source 0 (masked out by the kernel).
    fn pad(&mut self) {
        while !self.slots.len().is_multiple_of(8) {
            self.slots.push(0);
            self.sources.push(0);
        }
    }
}

/// A table of points: `x[j·stride + s]`, `y[j·stride + s]` for source index s.
struct Table<'a> {
    x: &'a [u64],
    y: &'a [u64],
    stride: usize,
}

#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn to_slots<P: SWCurveConfig, L: Lanes<Ark = P::BaseField>>(points: &[Affine<P>]) -> Slots {
    let n = points.len().div_ceil(8) * 8;
    let mut s = Slots {
        n,
        x: vec![0; L::WORDS * n],
        y: vec![0; L::WORDS * n],
        inf: vec![0; n / 8],
    };
    let one = <P::BaseField as ark_ff::One>::one();
    for v in 0..n / 8 {
        let mut xs = [one; 8];
        let mut ys = [one; 8];
        let mut inf = 0u8;
        for k in 0..8 {
            match points.get(8 * v + k) {
                Some(p) if !p.infinity => {
                    xs[k] = p.x;
                    ys[k] = p.y;
                }
                _ => inf |= 1 << k,
            }
        }
        L::from_ark(&xs).store(&mut s.x, n, 8 * v);
        L::from_ark(&ys).store(&mut s.y, n, 8 * v);
        s.inf[v] = inf;
    }
    s
}

#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn from_slots<P: SWCurveConfig, L: Lanes<Ark = P::BaseField>>(
    s: &Slots,
    len: usize,
) -> Vec<Affine<P>> {
    let mut out = Vec::with_capacity(s.n);
    for v in 0..s.n / 8 {
        let xs = L::load(&s.x, s.n, 8 * v).to_ark();
        let ys = L::load(&s.y, s.n, 8 * v).to_ark();
        for k in 0..8 {
            out.push(if s.inf[v] >> k & 1 == 1 {
                Affine::identity()
            } else {
                Affine::new_unchecked(xs[k], ys[k])
            });
        }
    }
    out.truncate(len);
    out
}

/// Independent product chains per batched operation: vector v belongs to chain v mod
/// `CHAINS`, and the backward pass handles one vector of each chain side by side, so that
/// the multiplier works on independent products instead of waiting on one chain.
const CHAINS: usize = 2;

/// The inverses of every lane of every chain product, or `None` if one is zero.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn invert<L: Lanes>(products: [L; CHAINS]) -> Option<[L; CHAINS]> {
    let mut lanes: Vec<L::Ark> = Vec::with_capacity(8 * CHAINS);
    for p in &products {
        if p.zero_lanes() != 0 {
            return None;
        }
        lanes.extend_from_slice(&p.to_ark());
    }
    ark_ff::batch_inversion(&mut lanes);
    let mut inverses = products;
    for (c, inverse) in inverses.iter_mut().enumerate() {
        let chunk: &[L::Ark; 8] = lanes[8 * c..8 * c + 8].try_into().expect("8 lanes");
        *inverse = L::from_ark(chunk);
    }
    Some(inverses)
}

/// The vectors of the backward pass, highest first, in groups of one vector per chain (the
/// last group may be shorter).
fn backward_groups(vectors: usize) -> impl Iterator<Item = ([usize; CHAINS], usize)> {
    (0..vectors.div_ceil(CHAINS)).map(move |g| {
        let top = vectors - g * CHAINS;
        let count = top.min(CHAINS);
        (std::array::from_fn(|k| top.saturating_sub(k + 1)), count)
    })
}

/// `s[i] ← 2·s[i]` for every slot; `false` (nothing written) if a lane product is zero.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn double_slots<L: Lanes>(s: &mut Slots, prefix: &mut Vec<L>) -> bool {
    if forced_fallback() {
        return false;
    }
    let vectors = s.n / 8;
    let one = L::one();
    prefix.clear();
    let mut products = [one; CHAINS];
    for v in 0..vectors {
        let chain = v % CHAINS;
        prefix.push(products[chain]);
        let y = L::load(&s.y, s.n, 8 * v);
        products[chain] = products[chain].mul(y.add_lazy(y).select(s.inf[v], one));
    }
    let Some(mut inverses) = invert(products) else {
        return false;
    };
    for (vs, count) in backward_groups(vectors) {
        if count == CHAINS {
            double_group::<L, CHAINS>(s, vs, prefix, &mut inverses);
        } else {
            for &v in &vs[..count] {
                double_group::<L, 1>(s, [v], prefix, &mut inverses);
            }
        }
    }
    true
}

/// The backward step of [`double_slots`] for `G` vectors of distinct chains, interleaved.
#[inline(always)]
unsafe fn double_group<L: Lanes, const G: usize>(
    s: &mut Slots,
    vs: [usize; G],
    prefix: &[L],
    inverses: &mut [L; CHAINS],
) {
    let one = L::one();
    let mut inf: [u8; G] = [0; G];
    for k in 0..G {
        inf[k] = s.inf[vs[k]];
    }
    let mut x: [L; G] = [one; G];
    for k in 0..G {
        x[k] = L::load(&s.x, s.n, 8 * vs[k]);
    }
    let mut y: [L; G] = [one; G];
    for k in 0..G {
        y[k] = L::load(&s.y, s.n, 8 * vs[k]);
    }
    let mut two_y: [L; G] = [one; G];
    for k in 0..G {
        two_y[k] = y[k].add_lazy(y[k]).select(inf[k], one);
    }
    let mut inv: [L; G] = [one; G];
    for k in 0..G {
        inv[k] = inverses[vs[k] % CHAINS].mul(prefix[vs[k]]);
    }
    for k in 0..G {
        let c = vs[k] % CHAINS;
        inverses[c] = inverses[c].mul(two_y[k]);
    }
    let mut xx: [L; G] = [one; G];
    for k in 0..G {
        xx[k] = x[k].square();
    }
    let mut lambda: [L; G] = [one; G];
    for k in 0..G {
        lambda[k] = xx[k].add(xx[k]).add_lazy(xx[k]).mul(inv[k]);
    }
    let mut lambda2: [L; G] = [one; G];
    for k in 0..G {
        lambda2[k] = lambda[k].square();
    }
    let mut x3: [L; G] = [one; G];
    for k in 0..G {
        x3[k] = lambda2[k].sub(x[k].add(x[k]));
    }
    let mut y3: [L; G] = [one; G];
    for k in 0..G {
        y3[k] = lambda[k].mul(x[k].sub_lazy(x3[k])).sub(y[k]);
    }
    for k in 0..G {
        x3[k].select(inf[k], x[k]).store(&mut s.x, s.n, 8 * vs[k]);
        y3[k].select(inf[k], y[k]).store(&mut s.y, s.n, 8 * vs[k]);
    }
}

/// `acc[slots[k]] += ±φ?(table[sources[k]])` for the first `count` terms (distinct slots,
/// finite terms; `terms` padded to a multiple of 8); `endo` multiplies the term's x (the GLV
/// endomorphism φ(x, y) = (βx, y)). `false` (nothing written) if a lane product is zero.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn add_terms<L: Lanes>(
    acc: &mut Slots,
    terms: &Terms,
    table: &Table<'_>,
    endo: Option<L>,
    scratch: &mut AddScratch<L>,
    count: usize,
) -> bool {
    if forced_fallback() {
        return false;
    }
    debug_assert!(terms.slots.len().is_multiple_of(8) && terms.slots.len() >= count);
    let vectors = terms.slots.len() / 8;
    let one = L::one();
    scratch.clear();
    let mut products = [one; CHAINS];
    for v in 0..vectors {
        let chain = v % CHAINS;
        let ids = &terms.slots[8 * v..8 * v + 8];
        let sources = &terms.sources[8 * v..8 * v + 8];
        let (live, valid) = live_lanes(count, v);
        let mut acc_inf = 0u8;
        for k in 0..live {
            let slot = terms.slots[8 * v + k] as usize;
            acc_inf |= (acc.inf[slot / 8] >> (slot % 8) & 1) << k;
        }
        let ax = L::gather(&acc.x, acc.n, ids);
        let ay = L::gather(&acc.y, acc.n, ids);
        let mut qx = L::gather(table.x, table.stride, sources);
        let mut qy = L::gather(table.y, table.stride, sources);
        if let Some(beta) = endo {
            qx = qx.mul(beta);
        }
        qy = qy.select(terms.negate[v], qy.neg());
        let dx = qx.sub_lazy(ax).select(acc_inf | !valid, one);
        scratch.prefix.push(products[chain]);
        products[chain] = products[chain].mul(dx);
        scratch.ax.push(ax);
        scratch.ay.push(ay);
        scratch.qx.push(qx);
        scratch.qy.push(qy);
        scratch.dx.push(dx);
        scratch.acc_inf.push(acc_inf);
    }
    let Some(mut inverses) = invert(products) else {
        return false;
    };
    for (vs, group) in backward_groups(vectors) {
        if group == CHAINS {
            add_group::<L, CHAINS>(acc, terms, count, vs, scratch, &mut inverses);
        } else {
            for &v in &vs[..group] {
                add_group::<L, 1>(acc, terms, count, [v], scratch, &mut inverses);
            }
        }
    }
    true
}

/// Of the terms in vector v (the first `count` terms are real, the rest padding): how many
/// lanes are real, and their mask.
#[inline(always)]
fn live_lanes(count: usize, v: usize) -> (usize, u8) {
    let live = count.saturating_sub(8 * v).min(8);
    (live, if live == 8 { 0xff } else { (1u8 << live) - 1 })
}

/// The backward step of [`add_terms`] for `G` vectors of distinct chains, interleaved.
#[inline(always)]
unsafe fn add_group<L: Lanes, const G: usize>(
    acc: &mut Slots,
    terms: &Terms,
    count: usize,
    vs: [usize; G],
    scratch: &AddScratch<L>,
    inverses: &mut [L; CHAINS],
) {
    let one = L::one();
    let mut inv: [L; G] = [one; G];
    for k in 0..G {
        inv[k] = inverses[vs[k] % CHAINS].mul(scratch.prefix[vs[k]]);
    }
    for k in 0..G {
        let c = vs[k] % CHAINS;
        inverses[c] = inverses[c].mul(scratch.dx[vs[k]]);
    }
    let mut ax: [L; G] = [one; G];
    for k in 0..G {
        ax[k] = scratch.ax[vs[k]];
    }
    let mut ay: [L; G] = [one; G];
    for k in 0..G {
        ay[k] = scratch.ay[vs[k]];
    }
    let mut qx: [L; G] = [one; G];
    for k in 0..G {
        qx[k] = scratch.qx[vs[k]];
    }
    let mut qy: [L; G] = [one; G];
    for k in 0..G {
        qy[k] = scratch.qy[vs[k]];
    }
    let mut lambda: [L; G] = [one; G];
    for k in 0..G {
        lambda[k] = qy[k].sub_lazy(ay[k]).mul(inv[k]);
    }
    let mut lambda2: [L; G] = [one; G];
    for k in 0..G {
        lambda2[k] = lambda[k].square();
    }
    let mut x3: [L; G] = [one; G];
    for k in 0..G {
        x3[k] = lambda2[k].sub(ax[k]).sub(qx[k]);
    }
    let mut y3: [L; G] = [one; G];
    for k in 0..G {
        y3[k] = lambda[k].mul(ax[k].sub_lazy(x3[k])).sub(ay[k]);
    }
    for k in 0..G {
        let v = vs[k];
        let acc_inf = scratch.acc_inf[v];
        let (live, valid) = live_lanes(count, v);
        let ids = &terms.slots[8 * v..8 * v + 8];
        x3[k]
            .select(acc_inf, qx[k])
            .scatter(&mut acc.x, acc.n, ids, valid);
        y3[k]
            .select(acc_inf, qy[k])
            .scatter(&mut acc.y, acc.n, ids, valid);
        for j in 0..live {
            let slot = terms.slots[8 * v + j] as usize;
            acc.inf[slot / 8] &= !(1 << (slot % 8));
        }
    }
}

/// The exact fallback for one batched operation: through arkworks points and the portable
/// kernels. `terms` as in [`add_terms`], `table` given in arkworks form.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn fallback<P: GLVConfig, L: Lanes<Ark = P::BaseField>>(
    acc: &mut Slots,
    add: Option<(&Terms, &[Affine<P>], bool)>,
) {
    let mut points = from_slots::<P, L>(acc, acc.n);
    let mut prefix = Vec::new();
    match add {
        None => crate::batch_mul::batch_double(&mut points, &mut prefix),
        Some((terms, table, endo)) => {
            let list: Vec<(usize, Affine<P>)> = (0..terms.len())
                .map(|k| {
                    let mut q = table[terms.sources[k] as usize];
                    if endo {
                        q = P::endomorphism_affine(&q);
                    }
                    if terms.negate[k / 8] >> (k % 8) & 1 == 1 {
                        q = -q;
                    }
                    (terms.slots[k] as usize, q)
                })
                .collect();
            crate::batch_mul::batch_add(&mut points, &list, &mut prefix);
        }
    }
    *acc = to_slots::<P, L>(&points);
}

/// Arkworks form of a lane-form table with `entries` rows of `n` slots.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn table_points<P: SWCurveConfig, L: Lanes<Ark = P::BaseField>>(
    table: &Table<'_>,
) -> Vec<Affine<P>> {
    let s = Slots {
        n: table.stride,
        x: table.x.to_vec(),
        y: table.y.to_vec(),
        inf: vec![0; table.stride / 8],
    };
    from_slots::<P, L>(&s, table.stride)
}

/// Batched addition with the exact fallback.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn add_or_fallback<P: GLVConfig, L: Lanes<Ark = P::BaseField>>(
    acc: &mut Slots,
    terms: &mut Terms,
    table: &Table<'_>,
    endo: Option<L>,
    scratch: &mut AddScratch<L>,
) {
    let count = terms.len();
    if count == 0 {
        return;
    }
    terms.pad();
    let done = add_terms(acc, terms, table, endo, scratch, count);
    terms.slots.truncate(count);
    terms.sources.truncate(count);
    if !done {
        let points = table_points::<P, L>(table);
        fallback::<P, L>(acc, Some((terms, &points, endo.is_some())));
    }
}

/// Batched doubling with the exact fallback.
#[target_feature(enable = "avx512f,avx512ifma")]
unsafe fn double_or_fallback<P: GLVConfig, L: Lanes<Ark = P::BaseField>>(
    acc: &mut Slots,
    prefix: &mut Vec<L>,
) {
    if !double_slots(acc, prefix) {
        fallback::<P, L>(acc, None);
    }
}

/// `k_i·P_i` for one chunk of slots (the vector twin of `crate::batch_mul::mul_chunk`).
///
/// `glv` must only be set when every point is in the order-r group.
///
/// # Safety
/// The CPU must support AVX-512F and AVX-512 IFMA (`super::available()`). Every index
/// the kernel gathers or scatters with is bounds-checked (`Lanes::gather`/`scatter`).
#[target_feature(enable = "avx512f,avx512ifma")]
pub unsafe fn mul_chunk<P: GLVConfig<ScalarField = Fr>, L: Lanes<Ark = P::BaseField>>(
    points: &[Affine<P>],
    scalars: &[Fr],
    glv: bool,
) -> Vec<Affine<P>> {
    let len = points.len();
    let mut bases = Vec::with_capacity(len);
    let mut flips = Vec::with_capacity(len);
    // Recodings of distinct scalars, and which one each slot uses: a run of equal scalars
    // (a contribution rescales every point by one secret) is decomposed and recoded once.
    let mut recodings: Vec<[Vec<i8>; 2]> = Vec::new();
    let mut recoding_of: Vec<u32> = Vec::with_capacity(len);
    let mut previous: Option<(Fr, bool, bool)> = None;
    for (p, k) in points.iter().zip(scalars) {
        let (positive1, flip) = match previous.filter(|(s, _, _)| s == k) {
            Some((_, positive1, flip)) => (positive1, flip),
            None => {
                let (positive1, flip) = if glv {
                    let ((positive1, k1), (positive2, k2)) = P::scalar_decomposition(*k);
                    recodings.push([wnaf(&k1), wnaf(&k2)]);
                    (positive1, positive1 != positive2)
                } else {
                    recodings.push([wnaf(k), Vec::new()]);
                    (true, false)
                };
                previous = Some((*k, positive1, flip));
                (positive1, flip)
            }
        };
        bases.push(if positive1 { *p } else { -*p });
        flips.push(flip);
        recoding_of.push((recodings.len() - 1) as u32);
    }
    let base_slots = to_slots::<P, L>(&bases);
    let n = base_slots.n;
    let finite: Vec<usize> = (0..len).filter(|&i| !bases[i].infinity).collect();

    // tables: entry e of slot i at column e·n + i, i.e. (2e + 1)·base_i.
    let stride = TABLE * n;
    let mut table_x = vec![0u64; L::WORDS * stride];
    let mut table_y = vec![0u64; L::WORDS * stride];
    let mut prefix = Vec::with_capacity(n / 8);
    let mut scratch = AddScratch::new();
    let mut terms = Terms::with_capacity(n);
    let mut twice = base_slots.clone();
    double_or_fallback::<P, L>(&mut twice, &mut prefix);
    let mut entry = base_slots;
    for e in 0..TABLE {
        if e > 0 {
            terms.clear();
            for &i in &finite {
                terms.push(i, i, false);
            }
            let source = Table {
                x: &twice.x,
                y: &twice.y,
                stride: n,
            };
            add_or_fallback::<P, L>(&mut entry, &mut terms, &source, None, &mut scratch);
        }
        for j in 0..L::WORDS {
            table_x[j * stride + e * n..j * stride + (e + 1) * n]
                .copy_from_slice(&entry.x[j * n..(j + 1) * n]);
            table_y[j * stride + e * n..j * stride + (e + 1) * n]
                .copy_from_slice(&entry.y[j * n..(j + 1) * n]);
        }
    }
    drop(entry);
    drop(twice);
    let table = Table {
        x: &table_x,
        y: &table_y,
        stride,
    };
    let beta = if glv {
        Some(L::from_ark(&[P::ENDO_COEFFS[0]; 8]))
    } else {
        None
    };

    let rounds = recodings.iter().flatten().map(Vec::len).max().unwrap_or(0);
    // The terms of every round and half, gathered in one pass over the slots' nonzero digits.
    let mut round_terms: Vec<Terms> = (0..2 * rounds).map(|_| Terms::with_capacity(0)).collect();
    for &i in &finite {
        for (half, recoding) in recodings[recoding_of[i] as usize].iter().enumerate() {
            for (bit, &d) in recoding.iter().enumerate() {
                if d != 0 {
                    let negate = (d < 0) != (half == 1 && flips[i]);
                    let source = (d.unsigned_abs() as usize / 2) * n + i;
                    round_terms[bit * 2 + half].push(i, source, negate);
                }
            }
        }
    }
    let mut acc = to_slots::<P, L>(&vec![Affine::<P>::identity(); len]);
    let mut started = false;
    for bit in (0..rounds).rev() {
        if started {
            double_or_fallback::<P, L>(&mut acc, &mut prefix);
        }
        for half in 0..2 {
            let terms = &mut round_terms[bit * 2 + half];
            started |= terms.len() > 0;
            let endo = if half == 1 { beta } else { None };
            add_or_fallback::<P, L>(&mut acc, terms, &table, endo, &mut scratch);
        }
    }
    from_slots::<P, L>(&acc, len)
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{G1Affine, G2Affine};
    use ark_ec::{AffineRepr, CurveGroup};
    use ark_ff::{UniformRand, Zero};
    use ark_std::test_rng;

    fn case<A: AffineRepr<ScalarField = Fr>>(n: usize) -> (Vec<A>, Vec<Fr>) {
        let mut rng = test_rng();
        let points = (0..n)
            .map(|i| {
                if i == 5 {
                    A::zero()
                } else {
                    (A::generator() * Fr::rand(&mut rng)).into_affine()
                }
            })
            .collect();
        let mut scalars: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        scalars[1] = Fr::zero();
        (points, scalars)
    }

    /// The exact fallback (taken when a lane product is zero) is exact wherever it strikes:
    /// forced on every n-th batched operation, the vector kernel still equals the portable one.
    #[test]
    fn forced_fallbacks_give_the_same_points() {
        if !crate::ifma::supported() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (or ZKM_NATIVE_CPU=portable)");
            return;
        }
        let (g1, k1) = case::<G1Affine>(300);
        let (g2, k2) = case::<G2Affine>(100);
        let portable1 = crate::batch_mul::mul_chunk(&g1, &k1, true);
        let portable2 = crate::batch_mul::mul_chunk(&g2, &k2, true);
        for every in [1, 2, 7] {
            force_fallback_every(every);
            // SAFETY: the CPU has AVX-512F and AVX-512 IFMA (checked above); the points
            // are multiples of the generators, so in the order-r group as GLV needs.
            let (vector1, vector2) = unsafe {
                (
                    mul_chunk::<_, crate::ifma::fq8::Fq8>(&g1, &k1, true),
                    mul_chunk::<_, crate::ifma::lanes::Fq2x8>(&g2, &k2, true),
                )
            };
            force_fallback_every(0);
            assert_eq!(vector1, portable1, "G1, every {every}");
            assert_eq!(vector2, portable2, "G2, every {every}");
        }
    }

    #[test]
    fn vector_kernel_equals_portable_without_glv() {
        if !crate::ifma::supported() {
            eprintln!("skipped: this CPU has no AVX-512 IFMA (or ZKM_NATIVE_CPU=portable)");
            return;
        }
        let (g1, k1) = case::<G1Affine>(77);
        // SAFETY: the CPU has AVX-512F and AVX-512 IFMA (checked above).
        let vector = unsafe { mul_chunk::<_, crate::ifma::fq8::Fq8>(&g1, &k1, false) };
        assert_eq!(vector, crate::batch_mul::mul_chunk(&g1, &k1, false));
    }
}
