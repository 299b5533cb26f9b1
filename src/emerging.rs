//! Emerging patterns: entries of the latest period (or the `--review` period) that fit no
//! earlier pattern but resemble each other, reported as a new pattern even when small.
//!
//! In: the records, each entry's pattern id, the TF-IDF vectors and the timeline with its
//! trends (which period is the latest looked at). Out: `Emerging` groups — the period, the
//! entries (record indices), the words they share and the entries nearest their middle.
//! Method: per pattern, the centre of its entries *before* the period (TF-IDF, unit length; of
//! at most `CENTRE_SAMPLE` of them, chosen by a hash of their text); an entry of the period fits no earlier pattern when its cosine to every such centre
//! is below `FIT`. Among those entries (at most `MAX_CANDIDATES`, the least fitting first), two
//! resemble each other at cosine `RESEMBLE` or more; the entry with the most such neighbours
//! (ties: the smaller text, then the smaller file and row) and its neighbours form a group, and
//! so on with the rest; groups whose centres resemble each other (cosine `MERGE`) are merged.
//! A group is kept with at least `MIN_ENTRIES` entries and 0.5 % of the period's entries, and
//! only when it is new: earlier periods held fewer entries like it (cosine `RESEMBLE` to its
//! centre, whatever their pattern, pattern 0 included) than 1 / `SEEN_SHARE_INV` of its count
//! per period (`seen_before`, read from at most `SEEN_SAMPLE` earlier entries).
//! Invariants: order-free up to the last bits of float sums (earlier entries are sampled by a
//! hash of their text, groups chosen by counts and text, never by row position); cost: one pass
//! over the log's dates and labels, rows read only for the sampled earlier entries
//! (`CENTRE_SAMPLE` per pattern) and the period's entries, and pairwise work on at most
//! `MAX_CANDIDATES`; no group without a timeline of two periods or more.

use crate::record::Record;
use crate::text::Corpus;
use crate::timeline::Timeline;
use crate::vectorize::Vectors;
use rayon::prelude::*;
use std::cmp::Ordering;

/// Below this cosine to every earlier pattern's centre, an entry fits none of them.
pub const FIT: f32 = 0.2;
/// Two entries resemble each other at this cosine or more.
pub const RESEMBLE: f32 = 0.3;
/// Two groups whose centres are at this cosine or more are one.
pub const MERGE: f32 = 0.2;
/// A group needs at least this many entries of the period ...
pub const MIN_ENTRIES: usize = 3;
/// ... and at least this share of the period's entries.
pub const MIN_SHARE: f64 = 0.005;
/// Candidates compared pairwise at most.
pub const MAX_CANDIDATES: usize = 800;
/// A group is new when earlier periods held fewer than 1 / `SEEN_SHARE_INV` of its count per
/// period of entries like it (`seen_before`).
pub const SEEN_SHARE_INV: f64 = 4.0;
/// Earlier entries read, at most, to count those like a group.
const SEEN_SAMPLE: u64 = 20_000;
/// Earlier entries per pattern its centre is read from at most.
pub const CENTRE_SAMPLE: u64 = 1_000;
/// Examples and words shown per group.
const EXAMPLES: usize = 3;
const WORDS: usize = 4;

/// One emerging group.
#[derive(Debug, Clone, PartialEq)]
pub struct Emerging {
    /// Index into `Timeline::periods`.
    pub period: usize,
    /// Record indices, ascending.
    pub entries: Vec<usize>,
    /// The words that weigh most in the group's centre (display spellings).
    pub words: Vec<String>,
    /// Record indices of the entries nearest the group's centre, nearest first.
    pub examples: Vec<usize>,
    /// Each entry's pattern as assigned now (pattern id, count), most first.
    pub assigned: Vec<(u32, usize)>,
}

fn fnv1a(bytes: &[u8]) -> u64 {
    bytes.iter().fold(0xcbf2_9ce4_8422_2325u64, |h, &b| {
        (h ^ u64::from(b)).wrapping_mul(0x0100_0000_01b3)
    })
}

/// The hash limit that keeps about `sample` of `count` entries (`u64::MAX`: all of them).
fn sample_limit(count: u64, sample: u64) -> u64 {
    if count <= sample {
        u64::MAX
    } else {
        (u64::MAX / count).saturating_mul(sample)
    }
}

/// Whether an entry is in the sample a `sample_limit` keeps (chosen by a hash of its text, so
/// the choice does not depend on row order).
fn sampled(record: &Record, limit: u64) -> bool {
    limit == u64::MAX || fnv1a(record.root_cause.as_bytes()) <= limit
}

fn dot(ai: &[u32], av: &[f32], dense: &[f32]) -> f32 {
    ai.iter()
        .zip(av)
        .map(|(&i, &v)| v * dense[i as usize])
        .sum()
}

fn sparse_dot(ai: &[u32], av: &[f32], bi: &[u32], bv: &[f32]) -> f32 {
    let (mut i, mut j, mut s) = (0, 0, 0.0);
    while i < ai.len() && j < bi.len() {
        match ai[i].cmp(&bi[j]) {
            Ordering::Less => i += 1,
            Ordering::Greater => j += 1,
            Ordering::Equal => {
                s += av[i] * bv[j];
                i += 1;
                j += 1;
            }
        }
    }
    s
}

/// The emerging groups of the latest period looked at (see the module header).
pub fn find(
    records: &[Record],
    labels: &[u32],
    corpus: &Corpus,
    vectors: &Vectors,
    t: &Timeline,
    k: usize,
) -> Vec<Emerging> {
    let Some(tr) = t.trends.as_ref() else {
        return Vec::new();
    };
    if tr.end < 2 || vectors.n_terms() == 0 {
        return Vec::new();
    }
    let at = tr.end - 1;
    let n = records.len().min(labels.len()).min(vectors.n_rows());
    let nt = vectors.n_terms();
    let period = |i: usize| -> Option<usize> {
        let d = records[i].date?;
        let p = t.params.index(d) - t.first;
        (p >= 0).then_some(p as usize)
    };
    // Earlier centres: per pattern 1..=k, the sum of its earlier entries' rows — of at most
    // `CENTRE_SAMPLE` of them, chosen by a hash of their text (order-free), so a large log costs
    // no more than a small one.
    let earlier: Vec<u64> = (0..=k)
        .map(|l| {
            t.counts
                .get(l)
                .map_or(0, |row| row[..at.min(row.len())].iter().sum())
        })
        .collect();
    let limit: Vec<u64> = earlier
        .iter()
        .map(|&c| sample_limit(c, CENTRE_SAMPLE))
        .collect();
    let mut centres: Vec<Vec<f32>> = vec![Vec::new(); k + 1];
    let (mut idx, mut val) = (Vec::new(), Vec::new());
    for i in 0..n {
        let l = labels[i] as usize;
        if l == 0 || l > k || period(i).is_none_or(|p| p >= at) {
            continue;
        }
        if !sampled(&records[i], limit[l]) {
            continue;
        }
        vectors.row(i, &mut idx, &mut val);
        let sum = &mut centres[l];
        if sum.is_empty() {
            sum.resize(nt, 0.0);
        }
        for (&j, &v) in idx.iter().zip(&val) {
            sum[j as usize] += v;
        }
    }
    for c in &mut centres {
        let norm = c.iter().map(|v| v * v).sum::<f32>().sqrt();
        if norm > 0.0 {
            c.iter_mut().for_each(|v| *v /= norm);
        }
    }
    // The period's entries that fit no earlier pattern.
    let in_period: Vec<usize> = (0..n).filter(|&i| period(i) == Some(at)).collect();
    let mut cands: Vec<(f32, usize, Vec<u32>, Vec<f32>)> = in_period
        .par_iter()
        .filter_map(|&i| {
            let (mut idx, mut val) = (Vec::new(), Vec::new());
            vectors.row(i, &mut idx, &mut val);
            if idx.is_empty() {
                return None;
            }
            let fit = centres
                .iter()
                .filter(|c| !c.is_empty())
                .map(|c| dot(&idx, &val, c))
                .fold(0.0f32, f32::max);
            (fit < FIT).then_some((fit, i, idx, val))
        })
        .collect();
    let key = |i: usize| (&records[i].root_cause, records[i].file, records[i].row);
    cands.sort_by(|a, b| {
        a.0.partial_cmp(&b.0)
            .unwrap_or(Ordering::Equal)
            .then_with(|| key(a.1).cmp(&key(b.1)))
    });
    cands.truncate(MAX_CANDIDATES);
    let m = cands.len();
    let min_size = MIN_ENTRIES.max((MIN_SHARE * in_period.len() as f64).ceil() as usize);
    if m < min_size {
        return Vec::new();
    }
    // Each candidate's row scattered into a dense buffer (one per thread), then read by every
    // other candidate's terms.
    let neighbours: Vec<Vec<usize>> = (0..m)
        .into_par_iter()
        .map_init(
            || vec![0f32; nt],
            |dense, a| {
                for (&j, &v) in cands[a].2.iter().zip(&cands[a].3) {
                    dense[j as usize] = v;
                }
                let near = (0..m)
                    .filter(|&b| b != a && dot(&cands[b].2, &cands[b].3, dense) >= RESEMBLE)
                    .collect();
                for &j in &cands[a].2 {
                    dense[j as usize] = 0.0;
                }
                near
            },
        )
        .collect();
    let mut taken = vec![false; m];
    let mut groups = Vec::new();
    loop {
        let free = |a: usize| neighbours[a].iter().filter(|&&b| !taken[b]).count();
        let Some(lead) = (0..m).filter(|&a| !taken[a]).max_by(|&a, &b| {
            free(a)
                .cmp(&free(b))
                .then_with(|| key(cands[b].1).cmp(&key(cands[a].1)))
        }) else {
            break;
        };
        let mut members: Vec<usize> = neighbours[lead]
            .iter()
            .copied()
            .filter(|&b| !taken[b])
            .collect();
        members.push(lead);
        if members.len() < min_size {
            break;
        }
        for &a in &members {
            taken[a] = true;
        }
        groups.push(members);
    }
    // Groups whose centres resemble each other are one tendency split by the leaders' words.
    // Centres are sparse sums (term id → weight, ascending), normalized when compared.
    let centre = |g: &[usize]| -> (Vec<u32>, Vec<f32>) {
        let mut m: std::collections::BTreeMap<u32, f32> = Default::default();
        for &a in g {
            for (&j, &v) in cands[a].2.iter().zip(&cands[a].3) {
                *m.entry(j).or_default() += v;
            }
        }
        let norm = m
            .values()
            .map(|v| v * v)
            .sum::<f32>()
            .sqrt()
            .max(f32::MIN_POSITIVE);
        m.into_iter().map(|(j, v)| (j, v / norm)).unzip()
    };
    let mut centres: Vec<(Vec<u32>, Vec<f32>)> = groups.iter().map(|g| centre(g)).collect();
    while let Some((a, b)) = (0..groups.len())
        .flat_map(|a| (a + 1..groups.len()).map(move |b| (a, b)))
        .find(|&(a, b)| {
            sparse_dot(&centres[a].0, &centres[a].1, &centres[b].0, &centres[b].1) >= MERGE
        })
    {
        let moved = groups.remove(b);
        centres.remove(b);
        groups[a].extend(moved);
        centres[a] = centre(&groups[a]);
    }
    // A group that earlier periods already held at a quarter of its rate or more is not new:
    // mishaps that recur outside any pattern (pattern 0) have no earlier centre to fit.
    let seen = seen_before(records, vectors, n, &period, at, &centres);
    let mut groups: Vec<Vec<usize>> = groups
        .into_iter()
        .zip(seen)
        .filter(|(g, per_period)| *per_period * SEEN_SHARE_INV < g.len() as f64)
        .map(|(g, _)| g)
        .collect();
    groups.sort_by_key(|g| std::cmp::Reverse(g.len()));
    groups
        .into_iter()
        .map(|members| describe(records, labels, corpus, vectors, &cands, &members, at))
        .collect()
}

/// Per group centre (sparse, unit length), how many entries of the periods before `at` resemble
/// it (cosine `RESEMBLE` or more), per earlier period: read from at most `SEEN_SAMPLE` earlier
/// entries chosen by a hash of their text and scaled up, so the cost does not grow with the log.
fn seen_before(
    records: &[Record],
    vectors: &Vectors,
    n: usize,
    period: &(dyn Fn(usize) -> Option<usize> + Sync),
    at: usize,
    centres: &[(Vec<u32>, Vec<f32>)],
) -> Vec<f64> {
    if centres.is_empty() || at == 0 {
        return vec![0.0; centres.len()];
    }
    let earlier: Vec<usize> = (0..n)
        .filter(|&i| period(i).is_some_and(|p| p < at))
        .collect();
    let limit = sample_limit(earlier.len() as u64, SEEN_SAMPLE);
    let read: Vec<usize> = earlier
        .iter()
        .copied()
        .filter(|&i| sampled(&records[i], limit))
        .collect();
    let nt = vectors.n_terms();
    let dense: Vec<Vec<f32>> = centres
        .iter()
        .map(|(idx, val)| {
            let mut d = vec![0f32; nt];
            for (&j, &v) in idx.iter().zip(val) {
                d[j as usize] = v;
            }
            d
        })
        .collect();
    let counts: Vec<usize> = read
        .par_iter()
        .map_init(
            || (Vec::new(), Vec::new()),
            |(idx, val), &i| {
                vectors.row(i, idx, val);
                dense
                    .iter()
                    .map(|d| usize::from(dot(idx, val, d) >= RESEMBLE))
                    .collect::<Vec<usize>>()
            },
        )
        .reduce(
            || vec![0; dense.len()],
            |a, b| a.iter().zip(&b).map(|(x, y)| x + y).collect(),
        );
    let scale = earlier.len() as f64 / read.len().max(1) as f64;
    counts
        .into_iter()
        .map(|c| c as f64 * scale / at as f64)
        .collect()
}

fn describe(
    records: &[Record],
    labels: &[u32],
    corpus: &Corpus,
    vectors: &Vectors,
    cands: &[(f32, usize, Vec<u32>, Vec<f32>)],
    members: &[usize],
    at: usize,
) -> Emerging {
    let nt = vectors.n_terms();
    let mut centre = vec![0f32; nt];
    for &a in members {
        for (&j, &v) in cands[a].2.iter().zip(&cands[a].3) {
            centre[j as usize] += v;
        }
    }
    let mut words: Vec<(f32, usize)> = centre
        .iter()
        .enumerate()
        .filter(|(_, &v)| v > 0.0)
        .map(|(j, &v)| (v, j))
        .collect();
    words.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(Ordering::Equal)
            .then(a.1.cmp(&b.1))
    });
    let words = words
        .iter()
        .take(WORDS)
        .map(|&(_, j)| {
            let term = vectors.terms[j];
            let w = |x: u32| corpus.surface[x as usize].to_string();
            match term.second {
                None => w(term.first),
                Some(b) => format!("{} {}", w(term.first), w(b)),
            }
        })
        .collect();
    let mut near: Vec<(f32, usize)> = members
        .iter()
        .map(|&a| (dot(&cands[a].2, &cands[a].3, &centre), cands[a].1))
        .collect();
    near.sort_by(|a, b| {
        b.0.partial_cmp(&a.0)
            .unwrap_or(Ordering::Equal)
            .then_with(|| {
                (
                    &records[a.1].root_cause,
                    records[a.1].file,
                    records[a.1].row,
                )
                    .cmp(&(
                        &records[b.1].root_cause,
                        records[b.1].file,
                        records[b.1].row,
                    ))
            })
    });
    let mut entries: Vec<usize> = members.iter().map(|&a| cands[a].1).collect();
    crate::sorting::unstable(&mut entries[..]);
    let mut assigned: std::collections::BTreeMap<u32, usize> = Default::default();
    for &i in &entries {
        *assigned.entry(labels[i]).or_default() += 1;
    }
    let mut assigned: Vec<(u32, usize)> = assigned.into_iter().collect();
    assigned.sort_by(|a, b| b.1.cmp(&a.1).then(a.0.cmp(&b.0)));
    Emerging {
        period: at,
        entries,
        words,
        examples: near.iter().take(EXAMPLES).map(|&(_, i)| i).collect(),
        assigned,
    }
}
