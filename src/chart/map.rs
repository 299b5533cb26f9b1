//! `map`: entries as points in two dimensions, coloured by pattern, each pattern's name at the
//! middle of its entries.
//!
//! Placement (`layout_by_centres`): the patterns' centres — the mean of their entries' projected,
//! unit-length vectors, the vectors the patterns were found in — are laid out in the plane so
//! that their distances match as well as two dimensions allow (stress majorization), and every
//! entry sits at the average of those positions weighted by a softmax of its cosine similarity
//! to each centre. A linear projection (PCA) was tried first: with a dozen near-orthogonal
//! patterns it piles all but one or two on top of each other, while this layout gives each
//! pattern its own arm and still shows the entries that sit between patterns. With fewer than
//! three patterns the map is a linear projection (`project2`).
//!
//! Big logs are sampled: at most `MAX_POINTS` entries (each pattern keeps its share, and at
//! least `MIN_PER_PATTERN`), chosen by a seeded hash of the entry's words — the same entries,
//! whatever order the rows came in. Entries with no analyzable words have no position.

use super::palette::{self, color};
use super::*;
use crate::sample::content_hash;
use linfa_linalg::eigh::{EigSort, Eigh};
use ndarray::{Array2, Axis};

pub(crate) const MAX_POINTS: usize = 5_000;
/// How strongly an entry is pulled to its most similar centre (softmax temperature⁻¹ over
/// cosine similarities): high enough that each pattern forms its own arm, low enough that an
/// entry between patterns shows as such and a pattern's spread stays visible.
const SHARPNESS: f64 = 4.0;
const MIN_PER_PATTERN: usize = 20;
/// Keeps the map's sample independent of the clustering sample drawn with the same seed.
const SALT: u64 = 0x6d61_7020_6368_6172;
const LEGEND_W: i32 = 430;

pub(crate) struct Map {
    /// (x, y, pattern id), in drawing order (by hash, so no pattern is always on top).
    points: Vec<(f64, f64, u32)>,
    /// (id, name, median position) of each pattern that is labelled on the map.
    centres: Vec<(u32, String, (f64, f64))>,
    legend: Vec<(RGBColor, String)>,
    total: usize,
    layout: Layout,
}

/// How entries were placed.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Layout {
    /// Between the patterns' centres (three or more patterns).
    Centres,
    /// Along the direction separating two patterns' centres.
    Separating,
    /// Principal components (one pattern).
    Principal,
}

/// Entries to draw: per pattern, the first by seeded content hash, `quota` of them.
fn sample_rows(input: &ChartInput, m: &MapInput) -> Vec<usize> {
    let n = input.labels.len();
    let k = input.labels.iter().copied().max().unwrap_or(0) as usize;
    let keys: Vec<u64> = (0..n)
        .map(|i| content_hash(m.corpus.doc(i), m.seed ^ SALT))
        .collect();
    let order = |a: &usize, b: &usize| {
        keys[*a]
            .cmp(&keys[*b])
            .then_with(|| m.corpus.doc(*a).cmp(m.corpus.doc(*b)))
            .then(a.cmp(b))
    };
    let mut members: Vec<Vec<usize>> = vec![Vec::new(); k + 1];
    for (i, &l) in input.labels.iter().enumerate() {
        members[l as usize].push(i);
    }
    let mut rows = Vec::new();
    for mut group in members {
        let quota = if n <= MAX_POINTS {
            group.len()
        } else {
            (group.len() * MAX_POINTS / n).max(MIN_PER_PATTERN.min(group.len()))
        };
        if quota < group.len() {
            group.select_nth_unstable_by(quota, order);
            group.truncate(quota);
        }
        rows.extend(group);
    }
    rows.sort_by(order);
    rows
}

/// Two axes for `x` (n × d, one row per entry, `labels` its pattern ids): the directions in
/// which the patterns' centres differ most (between-pattern scatter, with a little of the total
/// scatter so the second axis is defined when there are only two patterns), or plain principal
/// components when fewer than two patterns have points. Signs are fixed (largest loading positive) so the
/// picture does not flip between runs.
pub(crate) fn project2(x: &Array2<f64>, labels: &[u32]) -> Option<Projected> {
    let (n, d) = x.dim();
    if n < 3 || d < 2 {
        return None;
    }
    let mean = x.mean_axis(Axis(0))?;
    let centred = x - &mean;
    let total = centred.t().dot(&centred) / (n as f64 - 1.0);
    let trace_total = total.diag().sum();
    if trace_total <= 1e-12 {
        return None;
    }
    // Centres of patterns 1..=k (pattern 0 has no centre), around their common mean.
    let k = labels.iter().copied().max().unwrap_or(0) as usize;
    let mut sums = Array2::<f64>::zeros((k + 1, d));
    let mut sizes = vec![0usize; k + 1];
    for (row, &l) in x.axis_iter(Axis(0)).zip(labels) {
        if l > 0 {
            sums.row_mut(l as usize).scaled_add(1.0, &row);
            sizes[l as usize] += 1;
        }
    }
    let labelled: usize = sizes.iter().sum();
    let mut between = Array2::<f64>::zeros((d, d));
    if sizes.iter().filter(|&&s| s > 0).count() >= 2 {
        let common = sums.sum_axis(Axis(0)) / labelled as f64;
        for (c, &size) in sizes.iter().enumerate().skip(1) {
            if size == 0 {
                continue;
            }
            let diff = (&sums.row(c) / size as f64) - &common;
            let col = diff.view().insert_axis(Axis(1));
            between += &(col.dot(&col.t()) * (size as f64 / labelled as f64));
        }
    }
    let trace_between = between.diag().sum();
    let scatter = if trace_between > 1e-12 {
        between + &(&total * (0.01 * trace_between / trace_total))
    } else {
        total.clone()
    };
    let (_, mut vectors) = scatter.eigh().ok()?.sort_eig_desc();
    let mut basis = Array2::<f64>::zeros((d, 2));
    for c in 0..2 {
        let mut col = vectors.column_mut(c);
        let pivot = col
            .iter()
            .copied()
            .fold(0.0f64, |a, b| if b.abs() > a.abs() + 1e-12 { b } else { a });
        if pivot < 0.0 {
            col.mapv_inplace(|v| -v);
        }
        basis.column_mut(c).assign(&col);
    }
    Some(Projected {
        xy: centred.dot(&basis),
        separating: trace_between > 1e-12,
    })
}

/// Two-dimensional positions of the map's entries.
pub(crate) struct Projected {
    /// n × 2.
    pub xy: Array2<f64>,
    /// Whether the axes separate pattern centres (else they are principal components).
    pub separating: bool,
}

/// Places every entry between the patterns' centres: the centres are laid out in two
/// dimensions so that their distances match their distances in the vector space as well as two
/// dimensions allow (stress majorization, started from classical scaling), and an entry sits at
/// the average of the centres weighted by how similar it is to each (a softmax of its cosine
/// similarities). An entry clearly in one pattern lands on that pattern's centre; one between
/// patterns lands between them. `None` with fewer than three patterns (then `project2`).
pub(crate) fn layout_by_centres(
    x: &Array2<f64>,
    labels: &[u32],
    sharpness: f64,
) -> Option<Array2<f64>> {
    let (n, d) = x.dim();
    let k = labels.iter().copied().max().unwrap_or(0) as usize;
    let mut sums = Array2::<f64>::zeros((k + 1, d));
    let mut sizes = vec![0usize; k + 1];
    for (row, &l) in x.axis_iter(Axis(0)).zip(labels) {
        sums.row_mut(l as usize).scaled_add(1.0, &row);
        sizes[l as usize] += 1;
    }
    let ids: Vec<usize> = (1..=k).filter(|&c| sizes[c] > 0).collect();
    let m = ids.len();
    if m < 3 || n < 3 {
        return None;
    }
    let mut centres = Array2::<f64>::zeros((m, d));
    for (r, &c) in ids.iter().enumerate() {
        let v = sums.row(c).to_owned();
        let norm = v.dot(&v).sqrt().max(1e-12);
        centres.row_mut(r).assign(&(v / norm));
    }
    let gram = centres.dot(&centres.t());
    let target = gram.mapv(|g| (2.0 - 2.0 * g).max(0.0).sqrt());
    // Classical scaling for the start.
    let sq = target.mapv(|v| v * v);
    let row_mean = sq.mean_axis(Axis(1))?;
    let all_mean = row_mean.mean()?;
    let mut b = Array2::<f64>::zeros((m, m));
    for i in 0..m {
        for j in 0..m {
            b[[i, j]] = -0.5 * (sq[[i, j]] - row_mean[i] - row_mean[j] + all_mean);
        }
    }
    let (values, vectors) = b.eigh().ok()?.sort_eig_desc();
    let mut pos = Array2::<f64>::zeros((m, 2));
    for c in 0..2 {
        let scale = values[c].max(1e-6).sqrt();
        for i in 0..m {
            // A small fixed turn keeps points apart when the scaling is degenerate.
            let angle = std::f64::consts::TAU * i as f64 / m as f64;
            let nudge = 1e-3 * if c == 0 { angle.cos() } else { angle.sin() };
            pos[[i, c]] = vectors[[i, c]] * scale + nudge;
        }
    }
    // Stress majorization (Guttman transform), equal weights.
    for _ in 0..300 {
        let mut next = Array2::<f64>::zeros((m, 2));
        for i in 0..m {
            let mut acc = [0.0f64; 2];
            for j in 0..m {
                if i == j {
                    continue;
                }
                let dx = pos[[i, 0]] - pos[[j, 0]];
                let dy = pos[[i, 1]] - pos[[j, 1]];
                let dist = (dx * dx + dy * dy).sqrt();
                let ratio = if dist > 1e-12 {
                    target[[i, j]] / dist
                } else {
                    0.0
                };
                acc[0] += pos[[j, 0]] + ratio * dx;
                acc[1] += pos[[j, 1]] + ratio * dy;
            }
            next[[i, 0]] = acc[0] / m as f64;
            next[[i, 1]] = acc[1] / m as f64;
        }
        pos = next;
    }
    // Entries: softmax-weighted average of the centre positions.
    let sims = x.dot(&centres.t());
    let mut xy = Array2::<f64>::zeros((n, 2));
    for (r, srow) in sims.axis_iter(Axis(0)).enumerate() {
        let top = srow.iter().copied().fold(f64::NEG_INFINITY, f64::max);
        let w: Vec<f64> = srow
            .iter()
            .map(|&s| (sharpness * (s - top)).exp())
            .collect();
        let total: f64 = w.iter().sum();
        for (c, wc) in w.iter().enumerate() {
            xy[[r, 0]] += wc / total * pos[[c, 0]];
            xy[[r, 1]] += wc / total * pos[[c, 1]];
        }
    }
    // Plus each entry's own offset from its pattern's centre (the two directions in which
    // entries vary most within their patterns), so a tight pattern shows as a small cloud rather
    // than a single dot. Scaled to a fraction of the closest two centres' distance.
    let row_of: Vec<Option<usize>> = (0..=k).map(|c| ids.iter().position(|&i| i == c)).collect();
    let mut resid = Array2::<f64>::zeros((n, d));
    for (r, &l) in labels.iter().enumerate() {
        if let Some(c) = row_of[l as usize] {
            resid.row_mut(r).assign(&(&x.row(r) - &centres.row(c)));
        }
    }
    let within = resid.t().dot(&resid) / n as f64;
    let (_, axes) = within.eigh().ok()?.sort_eig_desc();
    let offsets = resid.dot(&axes.slice(ndarray::s![.., ..2]));
    let mut radii: Vec<f64> = offsets
        .axis_iter(Axis(0))
        .map(|o| o[0].hypot(o[1]))
        .filter(|&v| v > 1e-12)
        .collect();
    radii.sort_by(f64::total_cmp);
    let mut closest = f64::INFINITY;
    for i in 0..m {
        for j in i + 1..m {
            closest = closest.min((pos[[i, 0]] - pos[[j, 0]]).hypot(pos[[i, 1]] - pos[[j, 1]]));
        }
    }
    if let Some(&r90) = radii.get(radii.len() * 9 / 10) {
        let scale = SPREAD * closest / r90;
        xy.scaled_add(scale, &offsets);
    }
    Some(xy)
}

/// How far (as a share of the distance between the two closest centres) a pattern's entries
/// spread around its centre on the map.
const SPREAD: f64 = 0.2;

impl Map {
    /// `None` when there are too few entries with words to draw a map.
    pub(crate) fn new(input: &ChartInput, m: &MapInput) -> Option<Map> {
        let rows = sample_rows(input, m);
        // Projected in parallel; entries with no words are left out.
        let (all, norms) = m.projection.transform_with_norms(m.vectors, &rows);
        let at: Vec<usize> = (0..rows.len()).filter(|&r| norms[r] > 1e-12).collect();
        let kept: Vec<usize> = at.iter().map(|&r| rows[r]).collect();
        let x = all.select(Axis(0), &at);
        let kept_labels: Vec<u32> = kept.iter().map(|&i| input.labels[i]).collect();
        let (xy, layout) = match layout_by_centres(&x, &kept_labels, SHARPNESS) {
            Some(xy) => (xy, Layout::Centres),
            None => {
                let p = project2(&x, &kept_labels)?;
                let layout = if p.separating {
                    Layout::Separating
                } else {
                    Layout::Principal
                };
                (p.xy, layout)
            }
        };
        let points: Vec<(f64, f64, u32)> = kept
            .iter()
            .zip(xy.axis_iter(Axis(0)))
            .map(|(&i, r)| (r[0], r[1], input.labels[i]))
            .collect();
        let mut centres = Vec::new();
        for p in input.patterns().iter().take(MAX_SHOWN) {
            let mut xs: Vec<f64> = points.iter().filter(|q| q.2 == p.id).map(|q| q.0).collect();
            let mut ys: Vec<f64> = points.iter().filter(|q| q.2 == p.id).map(|q| q.1).collect();
            if xs.is_empty() {
                continue;
            }
            centres.push((p.id, pattern_name(p), (median(&mut xs), median(&mut ys))));
        }
        let mut legend: Vec<(RGBColor, String)> = input
            .patterns()
            .iter()
            .filter(|p| palette::named(p.id))
            .map(|p| (color(p.id), pattern_name(p)))
            .collect();
        let others = input
            .patterns()
            .iter()
            .filter(|p| !palette::named(p.id))
            .count();
        if others > 0 {
            legend.push((
                palette::rgb(palette::OTHER_HEX),
                format!("other ({others} smaller patterns)"),
            ));
        }
        if input.patterns.unassigned.is_some() {
            legend.push((color(0), "no clear pattern".into()));
        }
        Some(Map {
            points,
            centres,
            legend,
            total: input.records.len(),
            layout,
        })
    }
}

fn median(v: &mut [f64]) -> f64 {
    v.sort_by(f64::total_cmp);
    v[v.len() / 2]
}

fn bounds(v: impl Iterator<Item = f64>) -> (f64, f64) {
    let (lo, hi) = v.fold((f64::INFINITY, f64::NEG_INFINITY), |(lo, hi), x| {
        (lo.min(x), hi.max(x))
    });
    let pad = ((hi - lo) * 0.05).max(1e-6);
    (lo - pad, hi + pad)
}

impl Chart for Map {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 1100)
    }

    fn title(&self) -> String {
        "Map of entries: similar root causes lie close together".into()
    }

    fn description(&self) -> String {
        let shown = if self.points.len() < self.total {
            format!(
                "{} of {} entries (a sample that keeps each pattern's share)",
                thousands(self.points.len() as u64),
                thousands(self.total as u64)
            )
        } else {
            format!("{} entries", thousands(self.points.len() as u64))
        };
        let how = match self.layout {
            Layout::Centres => "The patterns' centres are laid out so that similar patterns are close (as far as two dimensions allow), and each entry sits between the centres in proportion to how similar its text is to each: an entry clearly in one pattern lies far out on that pattern's arm, one that resembles several lies between them. The axes have no units.",
            Layout::Separating => "Entries are projected onto the direction that separates the two patterns' centres and the direction in which entries vary most.",
            Layout::Principal => "Entries are projected onto the two directions in which their text vectors vary most (principal components).",
        };
        format!("{shown}, coloured by pattern, with each pattern's number (the legend names it) near the middle of its entries, where it covers as few entries as it can. {how}")
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (w, _) = root.dim_in_pixel();
        let shown = if self.points.len() < self.total {
            format!(
                "{} of {} entries (sampled)",
                thousands(self.points.len() as u64),
                thousands(self.total as u64)
            )
        } else {
            format!("{} entries", thousands(self.points.len() as u64))
        };
        draw_title(
            root,
            &self.title(),
            &format!(
                "{shown}, coloured by pattern; {}",
                match self.layout {
                    Layout::Centres => "entries sit between the patterns they resemble",
                    Layout::Separating => "projected onto the direction separating the patterns",
                    Layout::Principal => "the two principal components of the text vectors",
                }
            ),
        )?;
        let body = root.margin(TITLE_BAND as u32, 10, 10, 10);
        let (plot, legend) = body.split_horizontally(w as i32 - 20 - LEGEND_W);
        let xr = bounds(self.points.iter().map(|p| p.0));
        let yr = bounds(self.points.iter().map(|p| p.1));
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .x_label_area_size(50)
            .y_label_area_size(50)
            .build_cartesian_2d(xr.0..xr.1, yr.0..yr.1)?;
        // Between-centres positions have no units, so that map has no axes.
        if self.layout != Layout::Centres {
            chart
                .configure_mesh()
                .disable_mesh()
                .x_labels(0)
                .y_labels(0)
                .x_desc(match self.layout {
                    Layout::Separating => "Direction separating the patterns",
                    _ => "First principal component",
                })
                .y_desc(match self.layout {
                    Layout::Separating => "Direction of most variation",
                    _ => "Second principal component",
                })
                .axis_desc_style(font(DESC_SIZE).color(&TEXT))
                .axis_style(MUTED)
                .draw()?;
        }
        let r = if self.points.len() > 2000 { 3 } else { 5 };
        // Unassigned entries underneath, patterns on top.
        chart.draw_series(
            self.points
                .iter()
                .filter(|p| p.2 == 0)
                .map(|&(x, y, _)| Circle::new((x, y), r, color(0).filled())),
        )?;
        chart.draw_series(
            self.points
                .iter()
                .filter(|p| p.2 != 0)
                .map(|&(x, y, id)| Circle::new((x, y), r, color(id).mix(0.75).filled())),
        )?;
        // Each pattern's number (the legend names it) near the middle of its entries, at the
        // nearby spot that covers the fewest points and no earlier number: a name at the centre
        // hid the densest part of the pattern.
        let f = bold(SMALL_SIZE);
        let (px0, py0) = plot.get_base_pixel();
        let (pw, ph) = plot.dim_in_pixel();
        let pixels: Vec<(i32, i32)> = self
            .points
            .iter()
            .map(|&(x, y, _)| chart.backend_coord(&(x, y)))
            .collect();
        let mut placed: Vec<(i32, i32, i32, i32)> = Vec::new();
        for (id, _name, (cx, cy)) in &self.centres {
            let text = id.to_string();
            let tw = text_width(&f, &text) as i32 + 16;
            let th = 30;
            let (x, y) = chart.backend_coord(&(*cx, *cy));
            let pad = r + 2;
            // (rectangle, (entries covered, distance in steps)), the least covering first.
            type Spot = ((i32, i32, i32, i32), (usize, i32));
            let mut best: Option<Spot> = None;
            for dy in -4..=4 {
                for dx in -3..=3 {
                    let left =
                        (x - tw / 2 + dx * (tw / 2 + 6)).clamp(px0 + 60, px0 + pw as i32 - tw - 10);
                    let top =
                        (y - th / 2 + dy * (th / 2 + 6)).clamp(py0 + 30, py0 + ph as i32 - 80);
                    let cand = (left, top, left + tw, top + th);
                    if placed.iter().any(|b| overlaps(*b, cand)) {
                        continue;
                    }
                    let covered = pixels
                        .iter()
                        .filter(|&&(qx, qy)| {
                            qx >= cand.0 - pad
                                && qx <= cand.2 + pad
                                && qy >= cand.1 - pad
                                && qy <= cand.3 + pad
                        })
                        .count();
                    let score = (covered, dx.abs() + dy.abs());
                    if best.is_none_or(|(_, s)| score < s) {
                        best = Some((cand, score));
                    }
                }
            }
            let Some((rect, _)) = best else { continue };
            placed.push(rect);
            root.draw(&Rectangle::new(
                [(rect.0, rect.1), (rect.2, rect.3)],
                WHITE.mix(0.92).filled(),
            ))?;
            root.draw(&Rectangle::new(
                [(rect.0, rect.1), (rect.2, rect.3)],
                color(*id).stroke_width(3),
            ))?;
            root.draw(&Text::new(
                text,
                ((rect.0 + rect.2) / 2, (rect.1 + rect.3) / 2),
                style(f.clone(), TEXT, HPos::Center, VPos::Center),
            ))?;
        }
        let (lx, ly) = legend.get_base_pixel();
        draw_legend(root, (lx + 10, ly + 30), LEGEND_W as u32 - 20, &self.legend)
    }
}

fn overlaps(a: (i32, i32, i32, i32), b: (i32, i32, i32, i32)) -> bool {
    a.0 < b.2 && b.0 < a.2 && a.1 < b.3 && b.1 < a.3
}

#[cfg(test)]
mod tests {
    use super::*;
    use ndarray::array;

    #[test]
    fn without_patterns_the_axes_are_principal_components() {
        // Points spread along (1, 1, 0) with a little noise along z.
        let x = array![
            [-2.0, -2.0, 0.1],
            [-1.0, -1.0, -0.1],
            [0.0, 0.0, 0.05],
            [1.0, 1.0, -0.05],
            [2.0, 2.0, 0.0],
        ];
        let p = project2(&x, &[0; 5]).unwrap();
        let xy = p.xy;
        assert!(!p.separating);
        let spread = |c: usize| xy.column(c).iter().map(|v| v * v).sum::<f64>();
        assert!(spread(0) > 100.0 * spread(1), "{xy:?}");
        // The first coordinate orders the points along the axis, increasing (sign fixed).
        let c: Vec<f64> = xy.column(0).to_vec();
        assert!(c.windows(2).all(|w| w[0] < w[1]), "{c:?}");
        assert_eq!(xy, project2(&x, &[0; 5]).unwrap().xy);
    }

    #[test]
    fn patterns_are_separated_even_along_a_quiet_direction() {
        // Large spread along x that says nothing about the pattern; patterns differ along y.
        let x = array![
            [-5.0, 1.0, 0.0],
            [5.0, 1.1, 0.0],
            [0.0, 0.9, 0.1],
            [-5.0, -1.0, 0.0],
            [5.0, -1.1, 0.0],
            [0.0, -0.9, -0.1],
        ];
        let labels = [1, 1, 1, 2, 2, 2];
        let p = project2(&x, &labels).unwrap();
        assert!(p.separating);
        let first: Vec<f64> = p.xy.column(0).to_vec();
        assert!(
            first[..3].iter().all(|&v| v > 0.5) && first[3..].iter().all(|&v| v < -0.5),
            "{first:?}"
        );
    }

    #[test]
    fn entries_gather_on_their_own_pattern_arm() {
        // Three patterns along three axes of a 4-d space, a few entries each, one entry between.
        let mut rows = Vec::new();
        let mut labels = Vec::new();
        for c in 0..3 {
            for j in 0..4 {
                let mut v = [0.05 * j as f64; 4];
                v[c] = 1.0;
                let n = v.iter().map(|x| x * x).sum::<f64>().sqrt();
                rows.extend(v.iter().map(|x| x / n));
                labels.push(c as u32 + 1);
            }
        }
        rows.extend([0.7, 0.7, 0.0, 0.14]);
        labels.push(0);
        let x = Array2::from_shape_vec((13, 4), rows).unwrap();
        let xy = layout_by_centres(&x, &labels, SHARPNESS).unwrap();
        let point = |i: usize| (xy[[i, 0]], xy[[i, 1]]);
        let dist =
            |a: (f64, f64), b: (f64, f64)| ((a.0 - b.0).powi(2) + (a.1 - b.1).powi(2)).sqrt();
        let mean = |c: usize| {
            let pts: Vec<_> = (c * 4..c * 4 + 4).map(point).collect();
            (
                pts.iter().map(|p| p.0).sum::<f64>() / 4.0,
                pts.iter().map(|p| p.1).sum::<f64>() / 4.0,
            )
        };
        let (m0, m1, m2) = (mean(0), mean(1), mean(2));
        for c in 0..3 {
            for i in c * 4..c * 4 + 4 {
                let own = dist(point(i), [m0, m1, m2][c]);
                let other = [m0, m1, m2]
                    .iter()
                    .enumerate()
                    .filter(|(o, _)| *o != c)
                    .map(|(_, m)| dist(point(i), *m))
                    .fold(f64::INFINITY, f64::min);
                assert!(own < other, "entry {i} is nearer another pattern");
            }
        }
        // The entry between patterns 1 and 2 lies nearer to them than to pattern 3.
        let between = point(12);
        assert!(dist(between, m0) < dist(between, m2) && dist(between, m1) < dist(between, m2));
        assert_eq!(xy, layout_by_centres(&x, &labels, SHARPNESS).unwrap());
        // Two patterns: no layout (the map uses a projection instead).
        assert!(layout_by_centres(
            &x.slice(ndarray::s![..8, ..]).to_owned(),
            &labels[..8],
            SHARPNESS
        )
        .is_none());
    }

    #[test]
    fn a_map_needs_spread() {
        assert!(project2(&array![[1.0, 0.0], [1.0, 0.0], [1.0, 0.0]], &[1, 1, 1]).is_none());
        assert!(project2(&array![[1.0, 0.0], [0.0, 1.0]], &[1, 2]).is_none());
    }
}
