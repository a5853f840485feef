//! Teacher-forced scoring: log P(target | source) for every target token,
//! every position of a sentence at once and many sentences per call.
//!
//! Greedy decoding must run the decoder one step at a time because each
//! step's input is the previous step's choice. Scoring a *given* target does
//! not: every input token is known, so each decoder layer runs over all
//! positions of all sentences of a batch as one matrix. The Bergamot decoder
//! (fxtranslate `Engine::decode_step`, marian's `DecoderTransformer` with
//! `transformer-decoder-autoreg: rnn`) has no self-attention; its only
//! recurrence is the SSRU cell `c_t = σ(f_t)·c_{t−1} + (1−σ(f_t))·x̃_t`, whose
//! two affines (`x̃ = x·W`, `f = x·Wf + bf`) are row-wise and so batched,
//! leaving an element-wise scan. Cross-attention and the FFN are row-wise.
//! The full-vocabulary projection (not the lexical shortlist, which would
//! inflate probabilities) is one int8 GEMM over many rows
//! ([`Weights::full_logits_batch_into`]), which streams the 8 MiB output
//! matrix once per block of rows instead of once per token.
//!
//! The arithmetic is fxtranslate's own, operation for operation (same int8
//! affines from [`Weights::affine`], same layer norm, highway, softmax and
//! embedding with positional encoding as `engine.rs`), so the scores agree
//! with a step-by-step `decode_step` + `project` pass;
//! `tests/forced_scorer.rs` checks that on NTREX for both directions.
//!
//! fxtranslate's `Engine` keeps its `Weights` private, so this module loads
//! the model file a second time, without the encoder layers (the source is
//! encoded by the engine itself, `Engine::encode_batch`): the decoder, the
//! embedding and the output projection, about 9 MiB for a "tiny" model, loaded
//! on the first score.
//!
//! No threads here: one call scores one batch on the calling thread; the
//! caller spreads batches over its runner.

use std::cell::RefCell;
use std::f32::consts::FRAC_PI_2;
use std::path::Path;

use fxtranslate::engine::Engine;
use fxtranslate::model::Model;
use fxtranslate::ops;
use fxtranslate::weights::Weights;

/// Layer-norm epsilon of fxtranslate's engine (marian `layers/generic.h:463`).
const EPS: f32 = 1e-6;

/// Rows projected onto the full vocabulary per GEMM. The logits of a block
/// (`rows × vocab` floats, 4 MiB for 32 rows of a 32k vocabulary) are read
/// back once for the log-sum-exp; see BENCHMARKS.md ("Teacher-forced
/// scoring") for the sizes measured.
const PROJECTION_ROWS: usize = 32;

/// The teacher-forced score of one target sentence.
#[derive(Clone, Debug, PartialEq)]
pub struct ForcedScore {
    /// log P(token | source, previous tokens) for each target token in
    /// order, the end-of-sentence token last.
    pub token_logprobs: Vec<f32>,
    /// Mean of `token_logprobs` (the usual sentence-level confidence,
    /// Fomicheva et al. 2020); NaN where the pair could not be scored.
    pub mean: f32,
}

impl ForcedScore {
    pub(crate) fn from_logprobs(token_logprobs: Vec<f32>) -> ForcedScore {
        let sum: f64 = token_logprobs.iter().map(|&l| l as f64).sum();
        let mean = if token_logprobs.is_empty() {
            f32::NAN
        } else {
            (sum / token_logprobs.len() as f64) as f32
        };
        ForcedScore {
            token_logprobs,
            mean,
        }
    }

    /// Sum of the token log-probabilities: log P(target | source).
    pub fn total(&self) -> f32 {
        self.token_logprobs.iter().map(|&l| l as f64).sum::<f64>() as f32
    }
}

/// Parameter names of one decoder layer, formatted once.
struct Layer {
    rnn_w: String,
    rnn_wf: String,
    rnn_bf: String,
    rnn_ln: String,
    wq: String,
    bq: String,
    wk: String,
    bk: String,
    wv: String,
    bv: String,
    wo: String,
    bo: String,
    ctx_ln: String,
    w1: String,
    b1: String,
    w2: String,
    b2: String,
    ffn_ln: String,
}

impl Layer {
    fn new(layer: usize) -> Layer {
        let p = format!("decoder_l{layer}");
        let c = format!("{p}_context");
        let f = format!("{p}_ffn");
        Layer {
            rnn_w: format!("{p}_rnn_W"),
            rnn_wf: format!("{p}_rnn_Wf"),
            rnn_bf: format!("{p}_rnn_bf"),
            rnn_ln: format!("{p}_rnn_ffn"),
            wq: format!("{c}_Wq"),
            bq: format!("{c}_bq"),
            wk: format!("{c}_Wk"),
            bk: format!("{c}_bk"),
            wv: format!("{c}_Wv"),
            bv: format!("{c}_bv"),
            wo: format!("{c}_Wo"),
            bo: format!("{c}_bo"),
            ctx_ln: format!("{c}_Wo"),
            w1: format!("{f}_W1"),
            b1: format!("{f}_b1"),
            w2: format!("{f}_W2"),
            b2: format!("{f}_b2"),
            ffn_ln: format!("{f}_ffn"),
        }
    }
}

/// The decoder half of a model, for scoring.
pub(crate) struct ForcedDecoder {
    weights: Weights,
    dim: usize,
    heads: usize,
    vocab: usize,
    layers: Vec<Layer>,
    /// Sinusoidal positional encoding, rotor form (fxtranslate `Engine::new`,
    /// marian `transformer.h:95`): `PE(pos)[c] = sin(pos·freq[c] + offs[c])`.
    pe_freq: Vec<f32>,
    pe_offs: Vec<f32>,
}

// SAFETY: as for `LoadedModel` (pool.rs): `Weights` is `Sync` but not
// `Send` only because its packed GEMM weights hold a pointer to memory the
// gemmology shim allocates and frees with no tie to the allocating thread.
unsafe impl Send for ForcedDecoder {}

thread_local! {
    /// Per-thread logits block, reused across calls (4 MiB).
    static LOGITS: RefCell<Vec<f32>> = const { RefCell::new(Vec::new()) };
}

/// One target of a batch: its token ids (EOS last), the batch source it is
/// conditioned on, and where its rows start in the stacked decoder rows.
struct Rows<'a> {
    ids: &'a [u32],
    source: usize,
    start: usize,
}

impl ForcedDecoder {
    /// Load the decoder, embedding and output projection of the model at
    /// `path` (memory-mapped; the encoder layers are dropped before the
    /// weights are packed, so they take no memory).
    pub(crate) fn load(path: &Path) -> Result<ForcedDecoder, String> {
        let mut model = Model::load_mmapped(path).map_err(|e| e.to_string())?;
        model.items.retain(|it| !it.name.starts_with("encoder_l"));
        let weights = Weights::new(model)?;
        let config = weights.config();
        let dim = config.dim_emb;
        if dim == 0 || config.heads == 0 || dim % config.heads != 0 || config.dec_depth == 0 {
            return Err(format!(
                "unusable model shape: dim-emb {dim}, heads {}, dec-depth {}",
                config.heads, config.dec_depth
            ));
        }
        let layers: Vec<Layer> = (1..=config.dec_depth).map(Layer::new).collect();
        // A model whose names differ (another architecture) must fail here,
        // not panic inside `Weights::affine` on the first score.
        for l in &layers {
            for ln in [&l.rnn_ln, &l.ctx_ln, &l.ffn_ln] {
                if weights.layer_norm(ln).is_none() {
                    return Err(format!("not a Bergamot SSRU decoder: no {ln}_ln_scale"));
                }
            }
        }
        let t = dim / 2;
        let pe_freq = (0..dim)
            .map(|c| 1e-4f32.powf((c % t) as f32 / (t as f32 - 1.0)))
            .collect();
        let pe_offs = (0..dim).map(|c| (c / t) as f32 * FRAC_PI_2).collect();
        Ok(ForcedDecoder {
            vocab: weights.output_vocab(),
            weights,
            dim,
            heads: config.heads,
            layers,
            pe_freq,
            pe_offs,
        })
    }

    /// Token log-probabilities of each target `(s, ids)` (ids EOS last)
    /// given `sources[s]` (ids, EOS last), all in one batch: each source is
    /// encoded once (by `engine`, which must hold the same model) however
    /// many targets it has.
    pub(crate) fn score_batch(
        &self,
        engine: &Engine,
        sources: &[Vec<u32>],
        targets: &[(usize, &[u32])],
    ) -> Vec<Vec<f32>> {
        let d = self.dim;
        if sources.is_empty() || targets.is_empty() {
            return vec![Vec::new(); targets.len()];
        }
        let ctx = engine.encode_batch(sources);
        let mut sentences = Vec::with_capacity(targets.len());
        let mut rows = 0;
        for &(source, ids) in targets {
            assert!(
                source < sources.len(),
                "target of source {source} of {}",
                sources.len()
            );
            sentences.push(Rows {
                ids,
                source,
                start: rows,
            });
            rows += ids.len();
        }

        // Decoder input: position 0 gets no embedding (marian shifts the
        // target embeddings right and zero-pads, fxtranslate `embed_into`),
        // position t the embedding of token t−1.
        let scale = (d as f32).sqrt();
        let mut x = vec![0.0f32; rows * d];
        for s in &sentences {
            for t in 0..s.ids.len() {
                let dst = &mut x[(s.start + t) * d..(s.start + t + 1) * d];
                if t > 0 {
                    self.weights.trg_embed_row_into(s.ids[t - 1], dst);
                }
                let pos = t as f32;
                for ((v, &freq), &offs) in dst.iter_mut().zip(&self.pe_freq).zip(&self.pe_offs) {
                    *v = scale * *v + (pos * freq + offs).sin();
                }
            }
        }

        for l in &self.layers {
            x = self.layer(l, &x, rows, &sentences, &ctx);
        }
        self.logprobs(&x, &sentences)
    }

    fn layer(
        &self,
        l: &Layer,
        x: &[f32],
        rows: usize,
        sentences: &[Rows],
        ctx: &fxtranslate::engine::BatchedContext,
    ) -> Vec<f32> {
        let d = self.dim;
        let w = &self.weights;
        // SSRU: both affines for every row, then the scan along each sentence.
        let cand = w.affine(&l.rnn_w, x, rows, None);
        let gate = w.affine(&l.rnn_wf, x, rows, Some(&l.rnn_bf));
        let mut h = vec![0.0f32; rows * d];
        let mut cell = vec![0.0f32; d];
        for s in sentences {
            cell.fill(0.0);
            for r in s.start..s.start + s.ids.len() {
                let span = r * d..(r + 1) * d;
                for ((c, (&b, &t)), o) in cell
                    .iter_mut()
                    .zip(cand[span.clone()].iter().zip(&gate[span.clone()]))
                    .zip(&mut h[span])
                {
                    // `ops::highway`, element for element.
                    let g = 1.0 / (1.0 + (-t).exp());
                    *c = g * *c + (1.0 - g) * b;
                    *o = c.max(0.0);
                }
            }
        }
        let x_self = self.postnorm(&h, x, rows, &l.rnn_ln);

        // Cross-attention: each row attends to its own sentence's context.
        let q = w.affine(&l.wq, &x_self, rows, Some(&l.bq));
        let kv_rows = ctx.batch * ctx.seq;
        let k = w.affine(&l.wk, &ctx.data, kv_rows, Some(&l.bk));
        let v = w.affine(&l.wv, &ctx.data, kv_rows, Some(&l.bv));
        let heads = self.heads;
        let dk = d / heads;
        let scale = 1.0 / (dk as f32).sqrt();
        let mut joined = vec![0.0f32; rows * d];
        let mut score_buf = vec![0.0f32; ctx.seq];
        for s in sentences {
            let klen = ctx.lens[s.source];
            let base = s.source * ctx.seq;
            let scores = &mut score_buf[..klen];
            for r in s.start..s.start + s.ids.len() {
                for head in 0..heads {
                    let off = head * dk;
                    let qh = &q[r * d + off..r * d + off + dk];
                    for (j, sc) in scores.iter_mut().enumerate() {
                        let kh = &k[(base + j) * d + off..(base + j) * d + off + dk];
                        let dot: f32 = qh.iter().zip(kh).map(|(&a, &b)| a * b).sum();
                        *sc = dot * scale;
                    }
                    ops::softmax_in_place(scores, 1, klen);
                    let out = &mut joined[r * d + off..r * d + off + dk];
                    for (j, &wt) in scores.iter().enumerate() {
                        let vh = &v[(base + j) * d + off..(base + j) * d + off + dk];
                        for c in 0..dk {
                            out[c] += wt * vh[c];
                        }
                    }
                }
            }
        }
        let attn = w.affine(&l.wo, &joined, rows, Some(&l.bo));
        let x_ctx = self.postnorm(&attn, &x_self, rows, &l.ctx_ln);

        // FFN: LayerNorm(x + W2·ReLU(W1·x + b1) + b2).
        let mut hidden = w.affine(&l.w1, &x_ctx, rows, Some(&l.b1));
        for v in &mut hidden {
            *v = v.max(0.0);
        }
        let out = w.affine(&l.w2, &hidden, rows, Some(&l.b2));
        self.postnorm(&out, &x_ctx, rows, &l.ffn_ln)
    }

    /// `LayerNorm(branch + residual)` with the `{ln}_ln_*` parameters.
    fn postnorm(&self, branch: &[f32], residual: &[f32], rows: usize, ln: &str) -> Vec<f32> {
        let sum: Vec<f32> = branch.iter().zip(residual).map(|(&a, &b)| a + b).collect();
        let (gamma, beta) = self
            .weights
            .layer_norm(ln)
            .expect("layer norms checked at load");
        ops::layer_normalization(&sum, gamma, beta, rows, self.dim, EPS)
    }

    /// Full-vocabulary log-softmax of each top row, read at its target token.
    fn logprobs(&self, top: &[f32], sentences: &[Rows]) -> Vec<Vec<f32>> {
        let d = self.dim;
        let rows = top.len() / d;
        let mut tokens = Vec::with_capacity(rows);
        for s in sentences {
            tokens.extend_from_slice(s.ids);
        }
        let mut flat = vec![0.0f32; rows];
        LOGITS.with_borrow_mut(|logits| {
            for first in (0..rows).step_by(PROJECTION_ROWS) {
                let m = PROJECTION_ROWS.min(rows - first);
                self.weights
                    .full_logits_batch_into(&top[first * d..(first + m) * d], m, logits);
                for i in 0..m {
                    let row = &logits[i * self.vocab..(i + 1) * self.vocab];
                    let tok = tokens[first + i] as usize;
                    flat[first + i] = match row.get(tok) {
                        Some(&l) => l - log_sum_exp(row),
                        // A token id past the vocabulary: impossible.
                        None => f32::NEG_INFINITY,
                    };
                }
            }
        });
        sentences
            .iter()
            .map(|s| flat[s.start..s.start + s.ids.len()].to_vec())
            .collect()
    }
}

/// The reference the all-positions scorer is checked against: fxtranslate's
/// own `encode`, `decode_step` and `project`, one target token at a time,
/// with an `f64` log-softmax. Token log-probabilities, EOS last. About as
/// slow as translating the sentence again.
pub(crate) fn score_stepwise(engine: &Engine, src_ids: &[u32], trg_ids: &[u32]) -> Vec<f32> {
    /// `decode_step` indexes `cells[1..=dec_depth]`; Bergamot models have at
    /// most 6 decoder layers.
    const MAX_DECODER_LAYERS: usize = 16;
    let seq = src_ids.len();
    let context = engine.encode(src_ids);
    if seq == 0 || context.is_empty() {
        return Vec::new();
    }
    let dim = context.len() / seq;
    let mut cells = vec![vec![0.0f32; dim]; MAX_DECODER_LAYERS + 1];
    // The first step's input is not embedded (position 0), any id will do;
    // fxtranslate's greedy passes EOS.
    let mut prev = *trg_ids.last().unwrap_or(&0);
    let mut out = Vec::with_capacity(trg_ids.len());
    for (pos, &tok) in trg_ids.iter().enumerate() {
        let top = engine.decode_step(prev, pos, &context, seq, &mut cells);
        let logits = engine.project(&top);
        let max = logits.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        let lse = max
            + logits
                .iter()
                .map(|&l| (l as f64 - max).exp())
                .sum::<f64>()
                .ln();
        out.push(
            logits
                .get(tok as usize)
                .map_or(f32::NEG_INFINITY, |&l| (l as f64 - lse) as f32),
        );
        prev = tok;
    }
    out
}

/// Turn per-sentence token log-probabilities into scores.
pub(crate) fn scores(logprobs: Vec<Vec<f32>>) -> Vec<ForcedScore> {
    logprobs
        .into_iter()
        .map(ForcedScore::from_logprobs)
        .collect()
}

/// `ln Σ exp(row)`, accurate to about 1e-6 relative, vectorised.
pub(crate) fn log_sum_exp(row: &[f32]) -> f32 {
    let max = row_max(row);
    if !max.is_finite() {
        return max;
    }
    max + exp_sum(row, max).ln()
}

#[cfg(target_arch = "x86_64")]
fn exp_sum(row: &[f32], max: f32) -> f32 {
    if std::arch::is_x86_feature_detected!("avx2") && std::arch::is_x86_feature_detected!("fma") {
        // SAFETY: the CPU has AVX2 and FMA (checked just above).
        unsafe { exp_sum_avx2(row, max) }
    } else {
        exp_sum_portable(row, max)
    }
}

#[cfg(not(target_arch = "x86_64"))]
fn exp_sum(row: &[f32], max: f32) -> f32 {
    exp_sum_portable(row, max)
}

/// [`exp_sum_portable`] compiled for AVX2 + FMA (8 lanes instead of SSE2's 4).
#[cfg(target_arch = "x86_64")]
#[target_feature(enable = "avx2,fma")]
unsafe fn exp_sum_avx2(row: &[f32], max: f32) -> f32 {
    exp_sum_portable(row, max)
}

/// Lanes of the accumulators: wide enough for LLVM to keep two AVX2
/// registers busy, and a fixed summation order on every CPU.
const LANES: usize = 16;

#[inline(always)]
fn row_max(row: &[f32]) -> f32 {
    let mut m = [f32::NEG_INFINITY; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            m[i] = if c[i] > m[i] { c[i] } else { m[i] };
        }
    }
    let mut max = rest.iter().copied().fold(f32::NEG_INFINITY, f32::max);
    for v in m {
        max = max.max(v);
    }
    max
}

#[inline(always)]
fn exp_sum_portable(row: &[f32], max: f32) -> f32 {
    let mut acc = [0.0f32; LANES];
    let chunks = row.chunks_exact(LANES);
    let rest = chunks.remainder();
    for c in chunks {
        for i in 0..LANES {
            acc[i] += exp_nonpositive(c[i] - max);
        }
    }
    let mut sum: f32 = rest.iter().map(|&v| exp_nonpositive(v - max)).sum();
    for a in acc {
        sum += a;
    }
    sum
}

/// `exp(x)` for `x ≤ 0`, branch-free so that loops over it vectorise:
/// Cephes `expf` (range reduction by ln 2 in two parts, degree-5 minimax
/// polynomial; relative error below 2e-7 on the reduced range), with `x`
/// clamped at −87 where `exp` is below 2⁻¹²⁵ and contributes nothing to a
/// sum that holds a 1.
#[inline(always)]
fn exp_nonpositive(x: f32) -> f32 {
    const LOG2E: f32 = std::f32::consts::LOG2_E;
    const LN2_HI: f32 = 0.693_359_4;
    const LN2_LO: f32 = -2.121_944_4e-4;
    // Adding and subtracting 1.5·2²³ rounds to the nearest integer.
    const ROUND: f32 = 12_582_912.0;
    let x = if x < -87.0 { -87.0 } else { x };
    let n = (x * LOG2E + ROUND) - ROUND;
    let r = x - n * LN2_HI - n * LN2_LO;
    let p = 1.987_569_1e-4f32;
    let p = p * r + 1.398_199_9e-3;
    let p = p * r + 8.333_452e-3;
    let p = p * r + 4.166_579_6e-2;
    let p = p * r + 1.666_666_5e-1;
    let p = p * r + 5e-1;
    let e = p * r * r + r + 1.0;
    let bits = ((n as i32 + 127) as u32) << 23;
    e * f32::from_bits(bits)
}

#[cfg(test)]
mod tests {
    use super::*;

    /// Oracle: f64 `exp`/`ln` from the standard library.
    fn lse_f64(row: &[f32]) -> f64 {
        let max = row.iter().copied().fold(f32::NEG_INFINITY, f32::max) as f64;
        max + row
            .iter()
            .map(|&v| (v as f64 - max).exp())
            .sum::<f64>()
            .ln()
    }

    #[test]
    fn exp_matches_std_on_its_domain() {
        let mut x = 0.0f32;
        while x > -100.0 {
            let want = (x as f64).exp();
            let got = exp_nonpositive(x) as f64;
            if x >= -87.0 {
                assert!(
                    ((got - want) / want).abs() < 3e-7,
                    "exp({x}) = {got}, std {want}"
                );
            } else {
                assert!(got < 2e-38, "exp({x}) = {got}");
            }
            x -= 0.0137;
        }
        assert_eq!(exp_nonpositive(0.0), 1.0);
    }

    #[test]
    fn log_sum_exp_matches_f64_on_logit_like_rows() {
        // A deterministic spread like a vocabulary's logits: a few high,
        // most far below; lengths not a multiple of the lanes.
        for len in [1usize, 15, 16, 17, 1000, 32001] {
            let row: Vec<f32> = (0..len)
                .map(|i| {
                    let u = ((i as u64 * 2_654_435_761) % 10_007) as f32 / 10_007.0;
                    -25.0 * u + if i % 97 == 0 { 12.0 } else { 0.0 }
                })
                .collect();
            let want = lse_f64(&row);
            let got = log_sum_exp(&row) as f64;
            assert!((got - want).abs() < 1e-5, "len {len}: {got} vs {want}");
        }
    }

    #[test]
    fn log_sum_exp_of_degenerate_rows() {
        assert_eq!(log_sum_exp(&[f32::NEG_INFINITY; 3]), f32::NEG_INFINITY);
        assert!((log_sum_exp(&[0.0; 4]) - 4f32.ln()).abs() < 1e-6);
    }
}
