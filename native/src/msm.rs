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
//! algorithm's description.

use ark_ec::models::short_weierstrass::{Affine, Projective, SWCurveConfig};
use ark_ec::{AdditiveGroup, AffineRepr, CurveGroup, VariableBaseMSM};
use ark_ff::{BigInt, Field, Zero};
use rayon::prelude::*;

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
    let sums: Vec<Projective<P>> = (0..digits.windows)
        .into_par_iter()
        .map(|k| {
            if digits.is_wide(k) {
                stream_window_sum(bases, digits.row(k), digits.c)
            } else {
                tree_window_sum(bases, digits.row(k), digits.c)
            }
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
/// x86-64 (`msm_timing`): 8 for G1, 12 for G2.
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
) -> Projective<P> {
    let mut running = Projective::<P>::zero();
    let mut sum = Projective::<P>::zero();
    for bucket in buckets.rev() {
        running += &bucket;
        sum += &running;
    }
    sum
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

impl LazyCurve for ark_bn254::g1::Config {
    type F = LazyFq;
    const BUCKET_WEIGHT: usize = 8;
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
    const BUCKET_WEIGHT: usize = 12;
    #[inline(always)]
    fn lift(x: &ark_bn254::Fq2) -> LazyFq2 {
        LazyFq2::lift(x)
    }
    #[inline(always)]
    fn lower(x: &LazyFq2) -> ark_bn254::Fq2 {
        x.lower()
    }
}

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

/// One window by streaming the points into affine buckets in batches (see the module doc).
fn stream_window_sum<P: LazyCurve>(bases: &[Affine<P>], digits: &[i16], c: usize) -> Projective<P> {
    let n_buckets = 1usize << (c - 1);
    let mut acc = BucketBatch::new(bases, n_buckets, (n_buckets / 4).clamp(16, 2048));
    for (i, (base, &d)) in bases.iter().zip(digits).enumerate() {
        if d == 0 || base.infinity {
            continue;
        }
        let source = i as u32 | if d < 0 { NEG } else { 0 };
        if acc.push((d.unsigned_abs() - 1) as u32, source) {
            acc.flush_and_drain();
        }
    }
    acc.finish();
    weigh_buckets(acc.buckets.iter().map(|b| b.to_affine::<P>()))
}

/// Affine buckets plus the batch of additions in flight and the points waiting for a bucket.
struct BucketBatch<'a, P: LazyCurve> {
    bases: &'a [Affine<P>],
    buckets: Vec<Bucket<P::F>>,
    busy: Vec<bool>,
    /// Batch entries: target bucket and source point (index | NEG).
    targets: Vec<u32>,
    sources: Vec<u32>,
    prefix: Vec<P::F>,
    queue: Vec<(u32, u32)>,
    retry: Vec<(u32, u32)>,
    capacity: usize,
}

impl<'a, P: LazyCurve> BucketBatch<'a, P> {
    fn new(bases: &'a [Affine<P>], n_buckets: usize, capacity: usize) -> Self {
        let empty = Bucket {
            x: P::F::one(),
            y: P::F::one(),
            empty: true,
        };
        BucketBatch {
            bases,
            buckets: vec![empty; n_buckets],
            busy: vec![false; n_buckets],
            targets: Vec::with_capacity(capacity),
            sources: Vec::with_capacity(capacity),
            prefix: Vec::with_capacity(capacity),
            queue: Vec::new(),
            retry: Vec::new(),
            capacity,
        }
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
        if self.busy[slot] {
            self.queue.push((b, source));
            return false;
        }
        let (x, y) = self.point(source);
        let bucket = &mut self.buckets[slot];
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
        self.busy[slot] = true;
        self.targets.push(b);
        self.sources.push(source);
        self.targets.len() == self.capacity
    }

    /// Perform the batch's additions with one inversion (every x-difference is nonzero).
    fn flush(&mut self) {
        if self.targets.is_empty() {
            return;
        }
        self.prefix.clear();
        let mut acc = P::F::one();
        for (&b, &source) in self.targets.iter().zip(&self.sources) {
            self.prefix.push(acc);
            let x = P::lift(&self.bases[(source & !NEG) as usize].x);
            acc = acc.mul(&x.sub(&self.buckets[b as usize].x));
        }
        let mut inv = acc.inverse().expect("product of nonzero x-differences");
        for t in (0..self.targets.len()).rev() {
            let slot = self.targets[t] as usize;
            let a = self.buckets[slot];
            let (px, py) = self.point(self.sources[t]);
            let dx = px.sub(&a.x);
            let inv_dx = inv.mul(&self.prefix[t]);
            inv = inv.mul(&dx);
            let lambda = py.sub(&a.y).mul(&inv_dx);
            let x = lambda.square().sub(&a.x).sub(&px).canonical();
            let y = lambda.mul(&a.x.sub(&x)).sub(&a.y);
            self.buckets[slot] = Bucket { x, y, empty: false };
            self.busy[slot] = false;
        }
        self.targets.clear();
        self.sources.clear();
    }

    /// Flush, then move queued points into the next batch (flushing again while it fills).
    fn flush_and_drain(&mut self) {
        loop {
            self.flush();
            std::mem::swap(&mut self.queue, &mut self.retry);
            let mut next = 0;
            let mut full = false;
            while next < self.retry.len() && !full {
                let (b, source) = self.retry[next];
                next += 1;
                full = self.push(b, source);
            }
            self.queue.extend_from_slice(&self.retry[next..]);
            self.retry.clear();
            if !full {
                return;
            }
        }
    }

    /// Complete every pending addition.
    fn finish(&mut self) {
        while !self.targets.is_empty() || !self.queue.is_empty() {
            self.flush_and_drain();
        }
    }
}

/// One window by bucket sort and a pairwise tree per bucket (for windows with few buckets).
fn tree_window_sum<P: SWCurveConfig>(
    bases: &[Affine<P>],
    digits: &[i16],
    c: usize,
) -> Projective<P> {
    let n_buckets = 1usize << (c - 1);
    let mut lens = vec![0u32; n_buckets];
    for (base, &d) in bases.iter().zip(digits) {
        if d != 0 && !base.infinity {
            lens[(d.unsigned_abs() - 1) as usize] += 1;
        }
    }
    let mut starts = Vec::with_capacity(n_buckets);
    let mut total = 0usize;
    for &len in &lens {
        starts.push(total);
        total += len as usize;
    }
    let mut points = vec![Affine::<P>::identity(); total];
    let mut fill = starts.clone();
    for (base, &d) in bases.iter().zip(digits) {
        if d != 0 && !base.infinity {
            let b = (d.unsigned_abs() - 1) as usize;
            points[fill[b]] = if d < 0 { -*base } else { *base };
            fill[b] += 1;
        }
    }
    reduce_buckets(&mut points, &starts, &mut lens);
    let firsts: Vec<Affine<P>> = (0..n_buckets)
        .map(|b| {
            if lens[b] == 1 {
                points[starts[b]]
            } else {
                Affine::<P>::identity()
            }
        })
        .collect();
    weigh_buckets(firsts.into_iter())
}

/// Sum each bucket segment `points[starts[b] .. starts[b] + lens[b]]` into its first slot,
/// halving every segment per round; afterwards each `lens[b]` is 0 or 1.
fn reduce_buckets<P: SWCurveConfig>(points: &mut [Affine<P>], starts: &[usize], lens: &mut [u32]) {
    let mut pairs: Vec<usize> = Vec::new();
    let mut scratch = Vec::new();
    let mut sums = Vec::new();
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
        add_pairs(points, &pairs, &mut scratch, &mut sums);
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

/// `sums[t] = points[pairs[t]] + points[pairs[t] + 1]`, with one inversion for the batch.
fn add_pairs<P: SWCurveConfig>(
    points: &[Affine<P>],
    pairs: &[usize],
    scratch: &mut Vec<P::BaseField>,
    sums: &mut Vec<Affine<P>>,
) {
    // Denominators x_b − x_a; special pairs (infinity, equal x) get 1 and are redone below.
    scratch.clear();
    let mut acc = P::BaseField::ONE;
    for &i in pairs {
        let (a, b) = (&points[i], &points[i + 1]);
        scratch.push(acc);
        if !is_special(a, b) {
            acc *= b.x - a.x;
        }
    }
    let mut inv = acc.inverse().expect("product of nonzero denominators");
    sums.clear();
    sums.resize(pairs.len(), Affine::<P>::identity());
    for (t, &i) in pairs.iter().enumerate().rev() {
        let (a, b) = (&points[i], &points[i + 1]);
        if is_special(a, b) {
            sums[t] = (a.into_group() + b).into_affine();
            continue;
        }
        let dx = b.x - a.x;
        let inv_dx = inv * scratch[t];
        inv *= dx;
        let lambda = (b.y - a.y) * inv_dx;
        let x = lambda.square() - a.x - b.x;
        let y = lambda * (a.x - x) - a.y;
        sums[t] = Affine::<P>::new_unchecked(x, y);
    }
}

fn is_special<P: SWCurveConfig>(a: &Affine<P>, b: &Affine<P>) -> bool {
    a.infinity || b.infinity || a.x == b.x
}

#[cfg(test)]
mod tests {
    use super::*;
    use ark_bn254::{Fr, G1Affine, G2Affine};
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
