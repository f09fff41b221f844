//! G1/G2 kernels, written once over a short-Weierstrass curve config: MSM over a preloaded
//! base table, element-wise and fixed-base scalar multiplication, NTTs over points,
//! addition, negation and validation (coordinates < q, on the curve, in the order-r
//! subgroup).

use ark_ec::models::short_weierstrass::{Affine, Projective};
use ark_ec::scalar_mul::BatchMulPreprocessing;
use ark_ec::CurveGroup;
use rayon::prelude::*;

use crate::codec::{
    count, fr_bigints, fr_vector, g1_point, g2_point, par_decode, put_g1, put_g2, KResult,
};

/// Byte encoding of one group's points (64-byte G1, 128-byte G2).
pub trait Codec: crate::ifma::Vectorized + crate::msm::LazyCurve {
    const BYTES: usize;
    const NAME: &'static str;
    /// Whether every on-curve point is in the order-r group (so GLV is exact on it).
    const COFACTOR_ONE: bool;
    fn decode(bytes: &[u8], index: usize) -> KResult<Affine<Self>>;
    fn encode(out: &mut [u8], point: &Affine<Self>);
    /// Whether each on-curve point is in the order-r group (same answer as arkworks).
    fn in_subgroup(points: &[Affine<Self>]) -> Vec<bool>;
}

impl Codec for ark_bn254::g1::Config {
    const BYTES: usize = 64;
    const NAME: &'static str = "G1";
    const COFACTOR_ONE: bool = true;
    fn decode(bytes: &[u8], index: usize) -> KResult<Affine<Self>> {
        g1_point(bytes, index)
    }
    fn encode(out: &mut [u8], point: &Affine<Self>) {
        put_g1(out, point)
    }
    fn in_subgroup(points: &[Affine<Self>]) -> Vec<bool> {
        vec![true; points.len()]
    }
}

impl Codec for ark_bn254::g2::Config {
    const BYTES: usize = 128;
    const NAME: &'static str = "G2";
    const COFACTOR_ONE: bool = false;
    fn decode(bytes: &[u8], index: usize) -> KResult<Affine<Self>> {
        g2_point(bytes, index)
    }
    fn encode(out: &mut [u8], point: &Affine<Self>) {
        put_g2(out, point)
    }
    fn in_subgroup(points: &[Affine<Self>]) -> Vec<bool> {
        crate::subgroup::g2_in_subgroup(points)
    }
}

/// Decode n points (coordinates < q; no curve check).
pub fn points<P: Codec>(buffer: &[u8]) -> KResult<Vec<Affine<P>>> {
    par_decode(buffer, P::BYTES, P::NAME, P::decode)
}

/// Decode exactly one point.
pub fn point<P: Codec>(bytes: &[u8], what: &str) -> KResult<Affine<P>> {
    if bytes.len() != P::BYTES {
        return Err(format!(
            "{what}: {} encoding has {} bytes, expected {}",
            P::NAME,
            bytes.len(),
            P::BYTES
        ));
    }
    P::decode(bytes, 0).map_err(|e| format!("{what}: {e}"))
}

/// Encode affine points into one contiguous buffer.
pub fn encode_all<P: Codec>(points: &[Affine<P>]) -> Vec<u8> {
    let mut out = vec![0u8; points.len() * P::BYTES];
    out.par_chunks_exact_mut(P::BYTES)
        .zip(points.par_iter())
        .for_each(|(chunk, p)| P::encode(chunk, p));
    out
}

fn encode_one<P: Codec>(point: Projective<P>) -> Vec<u8> {
    let mut out = vec![0u8; P::BYTES];
    P::encode(&mut out, &point.into_affine());
    out
}

/// `Σ s_i·P_i` over the first len(scalars)/32 bases (batch-affine Pippenger, see `msm`).
pub fn msm<P: Codec>(bases: &[Affine<P>], scalars: &[u8]) -> KResult<Vec<u8>> {
    let s = fr_bigints(scalars, "scalars")?;
    if s.len() > bases.len() {
        return Err(format!(
            "{} MSM has {} scalars but only {} bases",
            P::NAME,
            s.len(),
            bases.len()
        ));
    }
    Ok(encode_one(crate::msm::msm(&bases[..s.len()], &s)))
}

/// Element-wise `s_i·P_i` (wNAF, with GLV where exact: on-curve G1 points; in parallel).
pub fn scale<P: Codec>(pts: &[u8], scalars: &[u8]) -> KResult<Vec<u8>> {
    let p = points::<P>(pts)?;
    let s = fr_vector(scalars, "scalars")?;
    if p.len() != s.len() {
        return Err(format!("{} points but {} scalars", p.len(), s.len()));
    }
    if p.par_iter().all(|x| x.is_on_curve()) {
        // GLV is exact on the order-r group: all of G1; G2 would need a subgroup check per
        // point, which costs about what GLV saves.
        return Ok(encode_all(&crate::batch_mul::batch_mul(
            &p,
            &s,
            P::COFACTOR_ONE,
        )));
    }
    let prods: Vec<Projective<P>> = p
        .par_iter()
        .zip(s.par_iter())
        .map(|(p, s)| crate::scalar_mul::mul_affine(p, s, P::COFACTOR_ONE && p.is_on_curve()))
        .collect();
    Ok(encode_all(&Projective::<P>::normalize_batch(&prods)))
}

/// `s_i·P` for one base and many scalars (windowed table built once, then parallel).
pub fn fixed_base<P: Codec>(base: &[u8], scalars: &[u8]) -> KResult<Vec<u8>> {
    let b = point::<P>(base, "base")?;
    let s = fr_vector(scalars, "scalars")?;
    if s.is_empty() {
        return Ok(Vec::new());
    }
    let table = BatchMulPreprocessing::new(Projective::<P>::from(b), s.len());
    Ok(encode_all(&table.batch_mul(&s)))
}

/// Size-n NTT over points: `out_i = Σ_j ω^{ij}·P_j` (inverse: `n⁻¹ Σ_j ω^{−ij}·P_j`).
///
/// ω is the same root of unity as `fr_ntt`'s; n = number of points, a power of two.
pub fn ntt<P: Codec>(pts: &[u8], inverse: bool) -> KResult<Vec<u8>> {
    let p = points::<P>(pts)?;
    let d = crate::ntt::domain(p.len())?;
    // GLV is exact only on the order-r group; a subgroup check (G2) costs less than the
    // ~(log n)/2 scalar multiplications per point that GLV then halves.
    let on_curve = p.par_iter().all(|x| x.is_on_curve());
    let glv = on_curve && (P::COFACTOR_ONE || P::in_subgroup(&p).into_iter().all(|ok| ok));
    if on_curve {
        // Affine butterflies with shared inversions (see `batch_mul`): ~20% less work.
        let (omega, c) = if inverse {
            (d.group_gen_inv, Some(d.size_inv))
        } else {
            (d.group_gen, None)
        };
        let mut v = p;
        crate::batch_mul::fft(&mut v, omega, c, glv);
        return Ok(encode_all(&v));
    }
    let mut v: Vec<Projective<P>> = p.par_iter().map(|x| (*x).into()).collect();
    if inverse {
        crate::scalar_mul::fft(&mut v, d.group_gen_inv, Some(d.size_inv), glv);
    } else {
        crate::scalar_mul::fft(&mut v, d.group_gen, None, glv);
    }
    Ok(encode_all(&Projective::<P>::normalize_batch(&v)))
}

/// `P + Q`.
pub fn add<P: Codec>(p: &[u8], q: &[u8]) -> KResult<Vec<u8>> {
    let (a, b) = (point::<P>(p, "p")?, point::<P>(q, "q")?);
    Ok(encode_one(a + b))
}

/// `−P`.
pub fn neg<P: Codec>(p: &[u8]) -> KResult<Vec<u8>> {
    let a = point::<P>(p, "p")?;
    let mut out = vec![0u8; P::BYTES];
    P::encode(&mut out, &-a);
    Ok(out)
}

fn check_point<P: Codec>(bytes: &[u8], index: usize) -> KResult<()> {
    let p = P::decode(bytes, index)?;
    if !p.is_on_curve() {
        return Err(format!("point #{index} is not on the curve"));
    }
    if !P::in_subgroup(&[p])[0] {
        return Err(format!("point #{index} is not in the prime-order subgroup"));
    }
    Ok(())
}

fn on_curve_point<P: Codec>(bytes: &[u8], index: usize) -> KResult<Affine<P>> {
    let p = P::decode(bytes, index)?;
    if !p.is_on_curve() {
        return Err(format!("point #{index} is not on the curve"));
    }
    Ok(p)
}

/// Check every point: coordinates < q, on the curve, in the order-r subgroup (trivial for G1).
///
/// Subgroup membership is tested for all points at once (`Codec::in_subgroup`); the error
/// names the lowest failing index, whatever its failure.
pub fn validate<P: Codec>(pts: &[u8]) -> KResult<()> {
    count(pts, P::BYTES, P::NAME)?;
    let Ok(points) = par_decode(pts, P::BYTES, P::NAME, on_curve_point::<P>) else {
        return par_decode(pts, P::BYTES, P::NAME, check_point::<P>).map(|_| ());
    };
    match P::in_subgroup(&points).iter().position(|ok| !ok) {
        Some(i) => Err(format!(
            "{}: point #{i} is not in the prime-order subgroup",
            P::NAME
        )),
        None => Ok(()),
    }
}
