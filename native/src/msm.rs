//! Pippenger multi-scalar multiplication with affine buckets and batched inversions.
//!
//! Scalars are recoded once into signed base-2^c digits in (−2^(c−1), 2^(c−1)], stored
//! window-major so each window streams its own contiguous row; windows run in parallel on
//! rayon. Within a window the points are streamed in order into 2^(c−1) affine buckets:
//! a point whose bucket is free joins the current batch, and a full batch adds all its
//! points into their buckets with one shared field inversion (Montgomery's trick), about
//! 6 multiplications per addition instead of 11 for a mixed projective addition. A point
//! whose bucket already has an addition in flight waits in a queue until the next batch.
//! The top window, whose digits cover only a few bits and so hit a handful of buckets,
//! is summed by a pairwise tree instead (one batch per round). Rare cases (equal or
//! opposite points, infinity) fall back to projective arithmetic. This is the
//! "batch-affine" Pippenger that gnark-crypto also uses, written here from the
//! algorithm's description. Three things on top: the bucket loop runs in the branch-free,
//! lazily reduced field of `lazy_field`; a batch inverts the x-differences' norms in Fq
//! (for G2, cheaper than inverting in Fq2); and a window's final `Σ (b+1)·B_b` is taken
//! over a √B × √B grid of buckets by batched affine trees (`weigh_buckets_grid`).

use ark_ec::models::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, Zero};
use rayon::prelude::*;
use std::sync::Mutex;

use crate::lazy_field::{LazyField, LazyFq, LazyFq2};

/// Below this many terms arkworks' own Pippenger is as fast and simpler.
const SMALL_MSM: usize = 64;

/// Widest window: digits must fit an `i16` (|d| ≤ 2^14).
const MAX_WINDOW: usize = 15;

/// Marks a negated point in a batch or queue entry (the low 31 bits are its index).
const NEG: u32 = 1 << 31;

/// `Σ s_i·P_i` for integer scalars `s_i < r` (bases and scalars have equal length).
pub fn msm<P: LazyCurve<ScalarField = ark_bn254::Fr>>(
    bases: &[Affine<P>],
    scalars: &[BigInt<4>],
) -> Projective<P> {
    assert_eq!(bases.len(), scalars.len(), "one scalar per base");
    if scalars.len() < SMALL_MSM {
        return Projective::<P>::msm_bigint(bases, scalars);
    }
    msm_digits(bases, &Digits::new(scalars, P::BUCKET_WEIGHT))
}

/// Signed base-2^c digits of a scalar vector, window-major: `d[k·n + i]` is digit k of s_i.
pub struct Digits {
    c: usize,
    windows: usize,
    n: usize,
    d: Vec<i16>,
}

impl Digits {
    /// Recode `scalars` (each < 2^254) with the window width the cost model picks for them
    /// (`bucket_weight`: see [`window_bits`]).
    ///
    /// With ⌈255/c⌉ windows the top window holds at most c−1 bits of a 254-bit scalar, so
    /// the final carry is always absorbed.
    ///
    /// The model counts only the scalars of 16 bits or more: the rest (zeros, and the bits
    /// and small integers a circuit's witness is full of) leave every window above the
    /// lowest empty, so they add no work to the bucket loop that the width trades off.
    pub fn new(scalars: &[BigInt<4>], bucket_weight: usize) -> Self {
        let wide = scalars
            .par_iter()
            .filter(|s| s.0[1] | s.0[2] | s.0[3] != 0 || s.0[0] >> 16 != 0)
            .count();
        Self::with_window(scalars, window_bits(wide.max(1), bucket_weight))
    }

    /// Recode `scalars` with window width `c` (2 ≤ c ≤ 15).
    pub fn with_window(scalars: &[BigInt<4>], c: usize) -> Self {
        assert!(
            (2..=MAX_WINDOW).contains(&c),
            "window width {c} out of range"
        );
        let n = scalars.len();
        let windows = 255usize.div_ceil(c);
        let half = 1i64 << (c - 1);
        let mut d = vec![0i16; n * windows];
        let chunk = 4096;
        // Each parallel task recodes one block of `chunk` scalars and writes that block's
        // segment of every window row, so rows come out window-major with no transpose.
        let mut segments: Vec<Vec<&mut [i16]>> = Vec::new();
        for row in d.chunks_mut(n.max(1)) {
            for (j, seg) in row.chunks_mut(chunk).enumerate() {
                if segments.len() <= j {
                    segments.push(Vec::with_capacity(windows));
                }
                segments[j].push(seg);
            }
        }
        segments
            .into_par_iter()
            .zip(scalars.par_chunks(chunk))
            .for_each(|(mut segs, block)| {
                for (i, s) in block.iter().enumerate() {
                    let mut carry = 0i64;
                    for (k, seg) in segs.iter_mut().enumerate() {
                        let mut v = bits(s, k * c, c) as i64 + carry;
                        carry = 0;
                        if v > half {
                            v -= 1 << c;
                            carry = 1;
                        }
                        seg[i] = v as i16;
                    }
                    debug_assert_eq!(carry, 0);
                }
            });
        Digits { c, windows, n, d }
    }

    fn row(&self, k: usize) -> &[i16] {
        &self.d[k * self.n..(k + 1) * self.n]
    }

    /// Whether window k's digits reach (nearly) all 2^(c−1) buckets, as the batched
    /// accumulator needs to keep conflicts rare; narrower top windows use the tree.
    fn is_wide(&self, k: usize) -> bool {
        254usize.saturating_sub(k * self.c) + 1 >= self.c
    }
}

/// `Σ s_i·P_i` over the first `digits.n` bases, from precomputed digits.
pub fn msm_digits<P: LazyCurve>(bases: &[Affine<P>], digits: &Digits) -> Projective<P> {
    let bases = &bases[..digits.n];
    let pool: Mutex<Vec<Scratch<P>>> = Mutex::new(Vec::new());
    let sums: Vec<Projective<P>> = (0..digits.windows)
        .into_par_iter()
        .map(|k| {
            // Buffers go back to the call's pool after each window, so a worker's next
            // window reuses them; they are freed when the call returns.
            let mut scratch = take_scratch(&pool);
            let sum = if digits.is_wide(k) {
                stream_window_sum(bases, digits.row(k), digits.c, &mut scratch)
            } else {
                tree_window_sum(bases, digits.row(k), digits.c, &mut scratch)
            };
            pool.lock().unwrap_or_else(|e| e.into_inner()).push(scratch);
            sum
        })
        .collect();
    let mut total = Projective::<P>::zero();
    for sum in sums.iter().rev() {
        for _ in 0..digits.c {
            total.double_in_place();
        }
        total += sum;
    }
    total
}

/// Pick the window width minimising ⌈255/c⌉·(6n + w·2^(c−1)): per window, n batched
/// affine additions at ~6 multiplications each plus the bucket sums, whose cost per bucket
/// `w` (in the same units) was fitted to CPU-time measurements at n = 2^16..2^18 on
/// x86-64 (`msm_timing`) with the grid bucket sum: 5 for G1, 6 for G2.
fn window_bits(n: usize, bucket_weight: usize) -> usize {
    (2..=MAX_WINDOW)
        .min_by_key(|&c| 255usize.div_ceil(c) * (6 * n + bucket_weight * (1usize << (c - 1))))
        .expect("non-empty range")
}

/// The `c` bits of `s` starting at bit `start` (zero past the top).
fn bits(s: &BigInt<4>, start: usize, c: usize) -> u64 {
    let (limb, shift) = (start / 64, start % 64);
    if limb >= 4 {
        return 0;
    }
    let mut v = s.0[limb] >> shift;
    if shift + c > 64 && limb + 1 < 4 {
        v |= s.0[limb + 1] << (64 - shift);
    }
    v & ((1u64 << c) - 1)
}

/// `Σ_b (b+1)·B_b` from affine buckets (running sums, projective).
fn weigh_buckets<P: SWCurveConfig>(
    buckets: impl DoubleEndedIterator<Item = Affine<P>>,
) -> (Projective<P>, Projective<P>) {
    let mut running = Projective::<P>::zero();
    let mut sum = Projective::<P>::zero();
    for bucket in buckets.rev() {
        running += &bucket;
        sum += &running;
    }
    (sum, running)
}

/// `Σ_t (t+1)·S_t` over the affine buckets `S_0 … S_{B−1}` of one window.
///
/// The plain running sum costs two projective additions per bucket. Here the buckets are
/// laid out as a `rows × m` grid, `t = i·m + j`, and
/// `Σ (t+1)·S_t = m·Σ_i i·U_i + Σ_j j·V_j + Σ_i U_i` with row sums `U_i = Σ_j S_{i,j}` and
/// column sums `V_j = Σ_i S_{i,j}`. The row and column sums are many independent sums of
/// points, done together by pairwise trees in affine coordinates with one inversion per
/// round (about 2B cheap additions); only the `rows + m ≈ 2√B` weighted sums stay projective.
fn weigh_buckets_grid<P: LazyCurve>(buckets: &[Affine<P>], grid: &mut Grid<P>) -> Projective<P> {
    let b = buckets.len();
    if b < 64 || !b.is_power_of_two() {
        return weigh_buckets(buckets.iter().copied()).0;
    }
    let log_m = b.trailing_zeros() / 2;
    let m = 1usize << log_m;
    let rows = b / m;
    let u = segment_sums(buckets.iter().copied(), rows, m, grid);
    let v = segment_sums(
        (0..m).flat_map(|j| (0..rows).map(move |i| buckets[i * m + j])),
        m,
        rows,
        grid,
    );
    // weigh_buckets gives (Σ (i+1)·X_i, Σ X_i).
    let (u_weighted, u_total) = weigh_buckets(u.into_iter());
    let (v_weighted, v_total) = weigh_buckets(v.into_iter());
    let mut total = u_weighted - u_total;
    for _ in 0..log_m {
        total.double_in_place();
    }
    total + (v_weighted - v_total) + u_total
}

/// The sums of `count` consecutive segments of `len` points each (identities skipped).
fn segment_sums<P: LazyCurve>(
    points: impl Iterator<Item = Affine<P>>,
    count: usize,
    len: usize,
    grid: &mut Grid<P>,
) -> Vec<Affine<P>> {
    let Grid {
        flat,
        starts,
        lens,
        pair,
        ..
    } = grid;
    flat.clear();
    starts.clear();
    lens.clear();
    lens.resize(count, 0);
    for (k, p) in points.enumerate() {
        if k % len == 0 {
            starts.push(flat.len());
        }
        if !p.infinity {
            flat.push(p);
            lens[k / len] += 1;
        }
    }
    reduce_buckets(flat, starts, lens, pair);
    (0..count)
        .map(|s| {
            if lens[s] == 1 {
                flat[starts[s]]
            } else {
                Affine::<P>::identity()
            }
        })
        .collect()
}

/// Buffers reused from window to window within one MSM: a fresh allocation of this size is
/// fresh pages, one page fault each.
struct Scratch<P: LazyCurve> {
    buckets: Vec<Bucket<P::F>>,
    busy: Vec<bool>,
    targets: Vec<u32>,
    sources: Vec<u32>,
    prefix: Vec<Norm<P>>,
    norms: Vec<Norm<P>>,
    queue: Vec<(u32, u32)>,
    retry: Vec<(u32, u32)>,
    grid: Grid<P>,
}

/// Buffers of the pairwise-tree sums (bucket sums and the narrow windows).
struct Grid<P: LazyCurve> {
    affine: Vec<Affine<P>>,
    flat: Vec<Affine<P>>,
    starts: Vec<usize>,
    lens: Vec<u32>,
    pair: PairBuffers<P>,
}

/// Buffers of one round of pairwise additions.
struct PairBuffers<P: LazyCurve> {
    pairs: Vec<usize>,
    scratch: Vec<(Norm<P>, Norm<P>)>,
    sums: Vec<Affine<P>>,
}

impl<P: LazyCurve> Scratch<P> {
    fn new() -> Self {
        Scratch {
            buckets: Vec::new(),
            busy: Vec::new(),
            targets: Vec::new(),
            sources: Vec::new(),
            prefix: Vec::new(),
            norms: Vec::new(),
            queue: Vec::new(),
            retry: Vec::new(),
            grid: Grid {
                affine: Vec::new(),
                flat: Vec::new(),
                starts: Vec::new(),
                lens: Vec::new(),
                pair: PairBuffers {
                    pairs: Vec::new(),
                    scratch: Vec::new(),
                    sums: Vec::new(),
                },
            },
        }
    }
}

/// The curves whose MSM buckets use the lazily reduced field of `lazy_field`.
pub trait LazyCurve: SWCurveConfig {
    /// The base field's lazy twin.
    type F: LazyField;
    /// Cost of one bucket in the window's final sum, for [`window_bits`].
    const BUCKET_WEIGHT: usize;
    /// The same element, as lazy limbs.
    fn lift(x: &Self::BaseField) -> Self::F;
    /// The canonical arkworks element.
    fn lower(x: &Self::F) -> Self::BaseField;
}

/// A scratch from the call's pool, or a new one.
fn take_scratch<P: LazyCurve>(pool: &Mutex<Vec<Scratch<P>>>) -> Scratch<P> {
    pool.lock()
        .unwrap_or_else(|e| e.into_inner())
        .pop()
        .unwrap_or_else(Scratch::new)
}

impl LazyCurve for ark_bn254::g1::Config {
    type F = LazyFq;
    const BUCKET_WEIGHT: usize = 5;
    #[inline(always)]
    fn lift(x: &ark_bn254::Fq) -> LazyFq {
        LazyFq::lift(x)
    }
    #[inline(always)]
    fn lower(x: &LazyFq) -> ark_bn254::Fq {
        x.lower()
    }
}

impl LazyCurve for ark_bn254::g2::Config {
    type F = LazyFq2;
    const BUCKET_WEIGHT: usize = 6;
    #[inline(always)]
    fn lift(x: &ark_bn254::Fq2) -> LazyFq2 {
        LazyFq2::lift(x)
    }
    #[inline(always)]
    fn lower(x: &LazyFq2) -> ark_bn254::Fq2 {
        x.lower()
    }
}

/// The field a curve's batch inversions run in (Fq for G1 and G2).
type Norm<P> = <<P as LazyCurve>::F as LazyField>::Norm;

/// An affine bucket: x canonical (compared for equality), y any representative below 2p.
#[derive(Clone, Copy)]
struct Bucket<F: LazyField> {
    x: F,
    y: F,
    empty: bool,
}

impl<F: LazyField> Bucket<F> {
    fn to_affine<P: LazyCurve<F = F>>(self) -> Affine<P> {
        if self.empty {
            Affine::<P>::identity()
        } else {
            Affine::<P>::new_unchecked(P::lower(&self.x), P::lower(&self.y))
        }
    }

    fn from_affine<P: LazyCurve<F = F>>(p: &Affine<P>) -> Self {
        Bucket {
            x: P::lift(&p.x),
            y: P::lift(&p.y),
            empty: p.infinity,
        }
    }
}

/// Ask the CPU to start loading the cache lines of `value` (only a hint: no effect on any
/// result). The buckets of a wide window outgrow the L1 cache, and the digits say which one
/// the loop will touch next.
#[cfg(target_arch = "x86_64")]
#[inline(always)]
fn prefetch<T>(value: &T) {
    use core::arch::x86_64::{_mm_prefetch, _MM_HINT_T0};
    let start = value as *const T as *const i8;
    // SAFETY: prefetch never faults and reads nothing architecturally; both addresses are
    // inside the live object `value`.
    unsafe {
        _mm_prefetch::<_MM_HINT_T0>(start);
        _mm_prefetch::<_MM_HINT_T0>(start.add(std::mem::size_of::<T>() - 1));
    }
}

/// Off x86-64 the hint is left out.
#[cfg(not(target_arch = "x86_64"))]
#[inline(always)]
fn prefetch<T>(_value: &T) {}

/// How many points ahead the bucket loop prefetches the bucket it will touch.
const PREFETCH_AHEAD: usize = 16;

/// One window by streaming the points into affine buckets in batches (see the module doc).
fn stream_window_sum<P: LazyCurve>(
    bases: &[Affine<P>],
    digits: &[i16],
    c: usize,
    scratch: &mut Scratch<P>,
) -> Projective<P> {
    let n_buckets = 1usize << (c - 1);
    let mut acc = BucketBatch::new(bases, n_buckets, (n_buckets / 4).clamp(16, 2048), scratch);
    for (i, (base, &d)) in bases.iter().zip(digits).enumerate() {
        if let Some(&ahead) = digits.get(i + PREFETCH_AHEAD) {
            if ahead != 0 {
                prefetch(&acc.s.buckets[(ahead.unsigned_abs() - 1) as usize]);
            }
        }
        if d == 0 || base.infinity {
            continue;
        }
        let source = i as u32 | if d < 0 { NEG } else { 0 };
        if acc.push((d.unsigned_abs() - 1) as u32, source) {
            acc.flush_and_drain();
        }
    }
    acc.finish();
    let Scratch { buckets, grid, .. } = scratch;
    let mut affine = std::mem::take(&mut grid.affine);
    affine.clear();
    affine.extend(buckets.iter().map(|b| b.to_affine::<P>()));
    let sum = weigh_buckets_grid(&affine, grid);
    grid.affine = affine;
    sum
}

/// Affine buckets plus the batch of additions in flight and the points waiting for a bucket
/// (all in the worker's reused `Scratch`).
struct BucketBatch<'a, P: LazyCurve> {
    bases: &'a [Affine<P>],
    s: &'a mut Scratch<P>,
    capacity: usize,
}

impl<'a, P: LazyCurve> BucketBatch<'a, P> {
    fn new(
        bases: &'a [Affine<P>],
        n_buckets: usize,
        capacity: usize,
        s: &'a mut Scratch<P>,
    ) -> Self {
        let empty = Bucket {
            x: P::F::one(),
            y: P::F::one(),
            empty: true,
        };
        s.buckets.clear();
        s.buckets.resize(n_buckets, empty);
        s.busy.clear();
        s.busy.resize(n_buckets, false);
        s.targets.clear();
        s.sources.clear();
        s.prefix.clear();
        s.norms.clear();
        s.queue.clear();
        s.retry.clear();
        BucketBatch { bases, s, capacity }
    }

    /// The source point's coordinates (x canonical; y negated for a negative digit).
    #[inline(always)]
    fn point(&self, source: u32) -> (P::F, P::F) {
        let p = &self.bases[(source & !NEG) as usize];
        let (x, y) = (P::lift(&p.x), P::lift(&p.y));
        if source & NEG != 0 {
            (x, P::lift(&P::BaseField::ZERO).sub(&y))
        } else {
            (x, y)
        }
    }

    /// Add the point `source` into bucket `b` (now, in the batch, or later); true when the
    /// batch is full.
    #[inline(always)]
    fn push(&mut self, b: u32, source: u32) -> bool {
        let slot = b as usize;
        if self.s.busy[slot] {
            self.s.queue.push((b, source));
            return false;
        }
        let (x, y) = self.point(source);
        let bucket = &mut self.s.buckets[slot];
        if bucket.empty {
            *bucket = Bucket { x, y, empty: false };
            return false;
        }
        if bucket.x.same(&x) {
            // Doubling or cancellation: rare, done exactly in projective coordinates.
            let p = Bucket { x, y, empty: false }.to_affine::<P>();
            let sum = (bucket.to_affine::<P>().into_group() + p).into_affine();
            *bucket = Bucket::from_affine(&sum);
            return false;
        }
        self.s.busy[slot] = true;
        self.s.targets.push(b);
        self.s.sources.push(source);
        self.s.targets.len() == self.capacity
    }

    /// Perform the batch's additions with one inversion (every x-difference is nonzero).
    ///
    /// The batch inverts the x-differences' norms (in Fq, for G2 too) and recovers each
    /// `1/dx = d̄x·N(dx)⁻¹`: for G2 that is 2 squarings + 2 multiplications in Fq per
    /// element instead of 3 multiplications in Fq2.
    fn flush(&mut self) {
        if self.s.targets.is_empty() {
            return;
        }
        self.s.prefix.clear();
        self.s.norms.clear();
        let mut acc = <P::F as LazyField>::Norm::one();
        for (&b, &source) in self.s.targets.iter().zip(&self.s.sources) {
            self.s.prefix.push(acc);
            let x = P::lift(&self.bases[(source & !NEG) as usize].x);
            let norm = x.sub(&self.s.buckets[b as usize].x).norm();
            self.s.norms.push(norm);
            acc = acc.mul(&norm);
        }
        let mut inv = acc
            .inverse()
            .expect("product of nonzero x-difference norms");
        for t in (0..self.s.targets.len()).rev() {
            if t >= 4 {
                prefetch(&self.s.buckets[self.s.targets[t - 4] as usize]);
            }
            let slot = self.s.targets[t] as usize;
            let a = self.s.buckets[slot];
            let (px, py) = self.point(self.s.sources[t]);
            let dx = px.sub(&a.x);
            let inv_dx = dx.inverse_from_norm(&inv.mul(&self.s.prefix[t]));
            inv = inv.mul(&self.s.norms[t]);
            let lambda = py.sub(&a.y).mul(&inv_dx);
            let x = lambda.square().sub(&a.x).sub(&px).canonical();
            let y = lambda.mul(&a.x.sub(&x)).sub(&a.y);
            self.s.buckets[slot] = Bucket { x, y, empty: false };
            self.s.busy[slot] = false;
        }
        self.s.targets.clear();
        self.s.sources.clear();
    }

    /// Flush, then move queued points into the next batch (flushing again while it fills).
    fn flush_and_drain(&mut self) {
        loop {
            self.flush();
            std::mem::swap(&mut self.s.queue, &mut self.s.retry);
            let mut next = 0;
            let mut full = false;
            while next < self.s.retry.len() && !full {
                let (b, source) = self.s.retry[next];
                next += 1;
                full = self.push(b, source);
            }
            self.s.queue.extend_from_slice(&self.s.retry[next..]);
            self.s.retry.clear();
            if !full {
                return;
            }
        }
    }

    /// Complete every pending addition.
    fn finish(&mut self) {
        while !self.s.targets.is_empty() || !self.s.queue.is_empty() {
            self.flush_and_drain();
        }
    }
}

/// One window by bucket sort and a pairwise tree per bucket (for windows with few buckets).
fn tree_window_sum<P: LazyCurve>(
    bases: &[Affine<P>],
    digits: &[i16],
    c: usize,
    scratch: &mut Scratch<P>,
) -> Projective<P> {
    let n_buckets = 1usize << (c - 1);
    let grid = &mut scratch.grid;
    let (points, starts, lens) = (&mut grid.flat, &mut grid.starts, &mut grid.lens);
    lens.clear();
    lens.resize(n_buckets, 0);
    for (base, &d) in bases.iter().zip(digits) {
        if d != 0 && !base.infinity {
            lens[(d.unsigned_abs() - 1) as usize] += 1;
        }
    }
    starts.clear();
    let mut total = 0usize;
    for &len in lens.iter() {
        starts.push(total);
        total += len as usize;
    }
    points.clear();
    points.resize(total, Affine::<P>::identity());
    let mut fill = starts.clone();
    for (base, &d) in bases.iter().zip(digits) {
        if d != 0 && !base.infinity {
            let b = (d.unsigned_abs() - 1) as usize;
            points[fill[b]] = if d < 0 { -*base } else { *base };
            fill[b] += 1;
        }
    }
    reduce_buckets(points, starts, lens, &mut grid.pair);
    let mut firsts = std::mem::take(&mut grid.affine);
    firsts.clear();
    firsts.extend((0..n_buckets).map(|b| {
        if grid.lens[b] == 1 {
            grid.flat[grid.starts[b]]
        } else {
            Affine::<P>::identity()
        }
    }));
    let sum = weigh_buckets_grid(&firsts, grid);
    grid.affine = firsts;
    sum
}

/// Sum each bucket segment `points[starts[b] .. starts[b] + lens[b]]` into its first slot,
/// halving every segment per round; afterwards each `lens[b]` is 0 or 1.
fn reduce_buckets<P: LazyCurve>(
    points: &mut [Affine<P>],
    starts: &[usize],
    lens: &mut [u32],
    buffers: &mut PairBuffers<P>,
) {
    let PairBuffers {
        pairs,
        scratch,
        sums,
    } = buffers;
    loop {
        pairs.clear();
        for (b, &len) in lens.iter().enumerate() {
            for j in 0..(len as usize / 2) {
                pairs.push(starts[b] + 2 * j);
            }
        }
        if pairs.is_empty() {
            return;
        }
        add_pairs(points, pairs, scratch, sums);
        let mut t = 0;
        for (b, len) in lens.iter_mut().enumerate() {
            let (start, half) = (starts[b], *len as usize / 2);
            points[start..start + half].copy_from_slice(&sums[t..t + half]);
            t += half;
            if *len % 2 == 1 {
                points[start + half] = points[start + *len as usize - 1];
            }
            *len = len.div_ceil(2);
        }
    }
}

/// `sums[t] = points[pairs[t]] + points[pairs[t] + 1]`, with one inversion for the batch
/// (of the x-differences' norms, as in `BucketBatch::flush`).
fn add_pairs<P: LazyCurve>(
    points: &[Affine<P>],
    pairs: &[usize],
    scratch: &mut Vec<(Norm<P>, Norm<P>)>,
    sums: &mut Vec<Affine<P>>,
) {
    // (prefix, norm of x_b − x_a); special pairs (infinity, equal x) get norm 1 and are
    // redone below.
    scratch.clear();
    let one = <P::F as LazyField>::Norm::one();
    let mut acc = one;
    for &i in pairs {
        let (a, b) = (&points[i], &points[i + 1]);
        let norm = if is_special(a, b) {
            one
        } else {
            P::lift(&b.x).sub(&P::lift(&a.x)).norm()
        };
        scratch.push((acc, norm));
        acc = acc.mul(&norm);
    }
    let mut inv = acc.inverse().expect("product of nonzero norms");
    sums.clear();
    sums.resize(pairs.len(), Affine::<P>::identity());
    for (t, &i) in pairs.iter().enumerate().rev() {
        let (a, b) = (&points[i], &points[i + 1]);
        let (prefix, norm) = scratch[t];
        if is_special(a, b) {
            sums[t] = (a.into_group() + b).into_affine();
            continue;
        }
        let (ax, ay, bx, by) = (P::lift(&a.x), P::lift(&a.y), P::lift(&b.x), P::lift(&b.y));
        let dx = bx.sub(&ax);
        let inv_dx = dx.inverse_from_norm(&inv.mul(&prefix));
        inv = inv.mul(&norm);
        let lambda = by.sub(&ay).mul(&inv_dx);
        let x = lambda.square().sub(&ax).sub(&bx);
        let y = lambda.mul(&ax.sub(&x)).sub(&ay);
        sums[t] = Affine::<P>::new_unchecked(P::lower(&x), P::lower(&y));
    }
}

fn is_special<P: SWCurveConfig>(a: &Affine<P>, b: &Affine<P>) -> bool {
    a.infinity || b.infinity || a.x == b.x
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Affine, G1Projective, G2Affine};
    use ark_ff::{PrimeField, UniformRand};
    use ark_std::test_rng;

    fn naive<P: SWCurveConfig<ScalarField = Fr>>(bases: &[Affine<P>], k: &[Fr]) -> Projective<P> {
        bases.iter().zip(k).map(|(b, s)| *b * s).sum()
    }

    #[test]
    fn g1_msm_equals_sum_of_products_above_and_below_the_small_cutoff() {
        let mut rng = test_rng();
        for n in [3, SMALL_MSM + 1, 1000] {
            let bases: Vec<G1Affine> = (0..n)
                .map(|i| (G1Affine::generator() * Fr::from(i as u64 + 2)).into_affine())
                .collect();
            let mut k: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
            k[0] = -Fr::from(1u64);
            k[1] = Fr::from(0u64);
            let ints: Vec<BigInt<4>> = k.iter().map(|s| s.into_bigint()).collect();
            assert_eq!(msm(&bases, &ints), naive(&bases, &k), "n = {n}");
        }
    }

    #[test]
    fn every_window_width_gives_the_sum_of_products() {
        let mut rng = test_rng();
        let n = 300;
        let bases: Vec<G1Affine> = (0..n)
            .map(|_| (G1Affine::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        let mut k: Vec<Fr> = (0..n).map(|_| Fr::rand(&mut rng)).collect();
        k[0] = -Fr::from(1u64);
        k[1] = Fr::from(0u64);
        k[2] = Fr::from(1u64);
        let ints: Vec<BigInt<4>> = k.iter().map(|s| s.into_bigint()).collect();
        let expected = naive(&bases, &k);
        for c in 2..=MAX_WINDOW {
            let digits = Digits::with_window(&ints, c);
            assert_eq!(msm_digits(&bases, &digits), expected, "c = {c}");
        }
    }

    /// The grid bucket sum equals `Σ (t+1)·S_t`, with empty, equal and opposite buckets.
    #[test]
    fn grid_bucket_sum_is_the_weighted_sum() {
        let mut rng = test_rng();
        for b in [2usize, 64, 128, 1024, 4096] {
            let mut buckets: Vec<G1Affine> = (0..b)
                .map(|_| (G1Affine::generator() * Fr::rand(&mut rng)).into_affine())
                .collect();
            for t in (0..b).step_by(7) {
                buckets[t] = G1Affine::identity();
            }
            if b >= 64 {
                buckets[1] = buckets[2];
                buckets[3] = -buckets[2];
                // A whole row and a whole column empty.
                for t in 0..8 {
                    buckets[8 + t] = G1Affine::identity();
                    buckets[t * 8 + 5] = G1Affine::identity();
                }
            }
            let expected: G1Projective = buckets
                .iter()
                .enumerate()
                .map(|(t, s)| *s * Fr::from(t as u64 + 1))
                .sum();
            assert_eq!(
                weigh_buckets_grid(&buckets, &mut Scratch::new().grid),
                expected,
                "B = {b}"
            );
            let g2: Vec<G2Affine> = (0..b.min(256))
                .map(|_| (G2Affine::generator() * Fr::rand(&mut rng)).into_affine())
                .collect();
            let expected2: ark_bn254::G2Projective = g2
                .iter()
                .enumerate()
                .map(|(t, s)| *s * Fr::from(t as u64 + 1))
                .sum();
            let mut scratch = Scratch::new();
            assert_eq!(
                weigh_buckets_grid(&g2, &mut scratch.grid),
                expected2,
                "G2, B = {}",
                g2.len()
            );
        }
    }

    /// Equal, opposite and infinite bases (the doubling, cancellation and skip paths of the
    /// bucket accumulator) with digits chosen to land in the same buckets.
    #[test]
    fn repeated_and_opposite_bases_give_the_sum_of_products() {
        fn check<P: LazyCurve<ScalarField = Fr>>(generator: Affine<P>) {
            let mut rng = test_rng();
            let p = (generator * Fr::from(7u64)).into_affine();
            let q = (generator * Fr::from(11u64)).into_affine();
            let mut bases = Vec::new();
            let mut k = Vec::new();
            for i in 0..400u64 {
                let (base, scalar) = match i % 5 {
                    0 => (p, Fr::from(3u64)),
                    1 => (-p, Fr::from(3u64)),
                    2 => (p, -Fr::from(3u64)),
                    3 => (Affine::<P>::identity(), Fr::rand(&mut rng)),
                    _ => (q, Fr::from(i % 9 + 1)),
                };
                bases.push(base);
                k.push(scalar);
            }
            let ints: Vec<BigInt<4>> = k.iter().map(|s| s.into_bigint()).collect();
            let expected = naive(&bases, &k);
            for c in [2, 4, 8, 13] {
                assert_eq!(
                    msm_digits(&bases, &Digits::with_window(&ints, c)),
                    expected,
                    "c = {c}"
                );
            }
        }
        check(G1Affine::generator());
        check(G2Affine::generator());
    }

    /// `cargo test --release msm_timing -- --ignored --nocapture`: G1/G2 MSM CPU seconds per
    /// window width at 2^MSM_LOG_N (default 16) distinct bases (for tuning `window_bits`'s
    /// bucket weights; not a correctness test).
    #[test]
    #[ignore]
    fn msm_timing() {
        let mut rng = test_rng();
        let n = 1usize << std::env::var("MSM_LOG_N").map_or(16, |v| v.parse::<usize>().unwrap());
        // Distinct bases by running sums (repeated bases would take the slow doubling path).
        let (step1, step2) = (
            G1Affine::generator() * Fr::rand(&mut rng),
            G2Affine::generator() * Fr::rand(&mut rng),
        );
        let (mut acc1, mut acc2) = (step1, step2);
        let g: Vec<_> = (0..n)
            .map(|_| {
                acc1 += step1;
                acc1
            })
            .collect();
        let g: Vec<G1Affine> = CurveGroup::normalize_batch(&g);
        let h: Vec<_> = (0..n)
            .map(|_| {
                acc2 += step2;
                acc2
            })
            .collect();
        let h: Vec<G2Affine> = CurveGroup::normalize_batch(&h);
        let ints: Vec<BigInt<4>> = (0..n).map(|_| Fr::rand(&mut rng).into_bigint()).collect();
        // Process CPU seconds (user + system) from /proc: the cores are shared, so wall
        // time says little.
        let cpu = || {
            let stat = std::fs::read_to_string("/proc/self/stat").unwrap();
            let f: Vec<&str> = stat
                .rsplit(')')
                .next()
                .unwrap()
                .split_whitespace()
                .collect();
            (f[11].parse::<f64>().unwrap() + f[12].parse::<f64>().unwrap()) / 100.0
        };
        println!(
            "model picks c = {} (G1), {} (G2)",
            window_bits(n, <ark_bn254::g1::Config as LazyCurve>::BUCKET_WEIGHT),
            window_bits(n, <ark_bn254::g2::Config as LazyCurve>::BUCKET_WEIGHT)
        );
        let from: usize = std::env::var("MSM_C_FROM").map_or(10, |v| v.parse().unwrap());
        let to: usize = std::env::var("MSM_C_TO").map_or(15, |v| v.parse().unwrap());
        for c in from..=to {
            let d = Digits::with_window(&ints, c);
            let (mut t1, mut t2) = (0.0, 0.0);
            for _ in 0..3 {
                let t = cpu();
                let a = msm_digits(&g, &d);
                t1 += cpu() - t;
                let t = cpu();
                let b = msm_digits(&h, &d);
                t2 += cpu() - t;
                assert!(!a.is_zero() && !b.is_zero());
            }
            println!(
                "c = {c}: G1 {:.3} s CPU, G2 {:.3} s CPU",
                t1 / 3.0,
                t2 / 3.0
            );
        }
    }

    #[test]
    fn g2_msm_equals_sum_of_products() {
        let mut rng = test_rng();
        let bases: Vec<G2Affine> = (0..200)
            .map(|_| (G2Affine::generator() * Fr::rand(&mut rng)).into_affine())
            .collect();
        let k: Vec<Fr> = (0..200).map(|_| Fr::rand(&mut rng)).collect();
        let ints: Vec<BigInt<4>> = k.iter().map(|s| s.into_bigint()).collect();
        assert_eq!(msm(&bases, &ints), naive(&bases, &k));
    }
}

#[cfg(test)]
mod product_timing {
    use super::*;
    use ark_bn254::{Fr, G1Affine, G1Projective};
    use ark_ff::UniformRand;
    use ark_std::test_rng;

    /// `cargo test --release product_timing -- --ignored --nocapture`: nanoseconds per
    /// Montgomery product (one dependent chain, four independent chains) and per batched
    /// affine G1 addition with its share of the inversion, on L1-resident data (for tuning
    /// `lazy_field`; not a correctness test).
    /// Nanoseconds per batched affine G2 addition (the bucket loop's formula, no buckets).
    fn g2_batch_addition_ns() -> f64 {
        use crate::lazy_field::LazyFq2;
        type P = ark_bn254::g2::Config;
        let mut rng = test_rng();
        let n = 1024usize;
        let step = ark_bn254::G2Affine::generator() * Fr::rand(&mut rng);
        let mut sum = step;
        let points: Vec<ark_bn254::G2Projective> = (0..2 * n)
            .map(|_| {
                sum += step;
                sum
            })
            .collect();
        let points: Vec<ark_bn254::G2Affine> = CurveGroup::normalize_batch(&points);
        let lift = |p: &ark_bn254::G2Affine| (P::lift(&p.x), P::lift(&p.y));
        let mut a: Vec<(LazyFq2, LazyFq2)> = points[..n].iter().map(lift).collect();
        let b: Vec<(LazyFq2, LazyFq2)> = points[n..].iter().map(lift).collect();
        let mut prefix = vec![LazyFq::one(); n];
        let mut norms = vec![LazyFq::one(); n];
        let rounds = 200;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            let mut acc = LazyFq::one();
            for i in 0..n {
                prefix[i] = acc;
                norms[i] = b[i].0.sub(&a[i].0).norm();
                acc = acc.mul(&norms[i]);
            }
            let mut inv = acc.inverse().expect("distinct x");
            for i in (0..n).rev() {
                let ((ax, ay), (px, py)) = (a[i], b[i]);
                let dx = px.sub(&ax);
                let inv_dx = dx.inverse_from_norm(&inv.mul(&prefix[i]));
                inv = inv.mul(&norms[i]);
                let lambda = py.sub(&ay).mul(&inv_dx);
                let x = lambda.square().sub(&ax).sub(&px).canonical();
                a[i] = (x, lambda.mul(&ax.sub(&x)).sub(&ay));
            }
        }
        assert!(!a[0].0.same(&a[1].0));
        start.elapsed().as_secs_f64() * 1e9 / (rounds * n) as f64
    }

    #[test]
    #[ignore]
    fn product_timing() {
        type P = ark_bn254::g1::Config;
        let mut rng = test_rng();
        let n = 2048usize;
        let step = G1Affine::generator() * Fr::rand(&mut rng);
        let mut sum = step;
        let points: Vec<G1Projective> = (0..2 * n)
            .map(|_| {
                sum += step;
                sum
            })
            .collect();
        let points: Vec<G1Affine> = CurveGroup::normalize_batch(&points);
        let lift = |p: &G1Affine| (P::lift(&p.x), P::lift(&p.y));
        let mut a: Vec<(LazyFq, LazyFq)> = points[..n].iter().map(lift).collect();
        let b: Vec<(LazyFq, LazyFq)> = points[n..].iter().map(lift).collect();
        let mut prefix = vec![LazyFq::one(); n];
        let rounds = 200;
        let start = std::time::Instant::now();
        for _ in 0..rounds {
            let mut acc = LazyFq::one();
            for i in 0..n {
                prefix[i] = acc;
                acc = acc.mul(&b[i].0.sub(&a[i].0));
            }
            let mut inv = acc.inverse().expect("distinct x");
            for i in (0..n).rev() {
                let ((ax, ay), (px, py)) = (a[i], b[i]);
                let dx = px.sub(&ax);
                let inv_dx = inv.mul(&prefix[i]);
                inv = inv.mul(&dx);
                let lambda = py.sub(&ay).mul(&inv_dx);
                let x = lambda.square().sub(&ax).sub(&px).canonical();
                a[i] = (x, lambda.mul(&ax.sub(&x)).sub(&ay));
            }
        }
        let per_addition = start.elapsed().as_secs_f64() * 1e9 / (rounds * n) as f64;
        let per_g2_addition = g2_batch_addition_ns();
        let count = rounds * n * 6;
        let y = a[1].0;
        let start = std::time::Instant::now();
        let mut x = a[0].0;
        for _ in 0..count {
            x = x.mul(&y);
        }
        let dependent = start.elapsed().as_secs_f64() * 1e9 / count as f64;
        let start = std::time::Instant::now();
        let mut xs = [a[0].0, a[2].0, a[3].0, a[4].0];
        for _ in 0..count / 4 {
            for v in xs.iter_mut() {
                *v = v.mul(&y);
            }
        }
        let independent = start.elapsed().as_secs_f64() * 1e9 / count as f64;
        let (u, v) = (
            crate::lazy_field::LazyFq2 {
                c0: a[5].0,
                c1: a[6].0,
            },
            crate::lazy_field::LazyFq2 {
                c0: a[7].0,
                c1: a[8].0,
            },
        );
        let start = std::time::Instant::now();
        let mut us = [u, v, u, v];
        for _ in 0..count / 4 {
            for w in us.iter_mut() {
                *w = w.mul(&v);
            }
        }
        let fq2 = start.elapsed().as_secs_f64() * 1e9 / count as f64;
        let start = std::time::Instant::now();
        let mut us2 = [u, v, u, v];
        for _ in 0..count / 4 {
            for w in us2.iter_mut() {
                let (v0, v1) = (w.c0.mul(&v.c0), w.c1.mul(&v.c1));
                let s = w.c0.add(&w.c1).mul(&v.c0.add(&v.c1));
                *w = crate::lazy_field::LazyFq2 {
                    c0: v0.sub(&v1),
                    c1: s.sub(&v0).sub(&v1),
                };
            }
        }
        let fq2b = start.elapsed().as_secs_f64() * 1e9 / count as f64;
        println!(
            "fq2 mul wide+redc {fq2:.1} ns, 3 mont_mul {fq2b:.1} ns {}",
            us[0].c0.0[0] ^ us2[0].c0.0[0] & 1
        );
        println!(
            "product: {dependent:.1} ns dependent, {independent:.1} ns in 4 chains; \
             batched affine G1 addition: {per_addition:.1} ns, G2 {per_g2_addition:.1} ns ({})",
            (x.0[0] ^ xs[0].0[0]) & 1
        );
    }
}
