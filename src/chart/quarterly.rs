//! `quarterly`: one bar per period, stacked by pattern (the twelve largest by name, the rest as
//! "other", entries with no clear pattern on top), with a legend naming the patterns.

use super::palette::{self, color};
use super::*;

pub(crate) struct Quarterly {
    periods: Vec<String>,
    /// Period kind ("quarter", "month", "year").
    kind: &'static str,
    /// (colour, legend name, count per period), bottom of the stack first.
    layers: Vec<(RGBColor, String, Vec<u64>)>,
    totals: Vec<u64>,
    undated: u64,
}

const LEGEND_W: i32 = 400;

impl Quarterly {
    pub(crate) fn new(input: &ChartInput, t: &Timeline) -> Quarterly {
        let n = t.periods.len();
        let row = |id: u32| {
            t.counts
                .get(id as usize)
                .cloned()
                .unwrap_or_else(|| vec![0; n])
        };
        let mut layers = Vec::new();
        let mut other = vec![0u64; n];
        let mut others = 0usize;
        for p in input.patterns() {
            if palette::named(p.id) {
                layers.push((color(p.id), pattern_name(p), row(p.id)));
            } else {
                others += 1;
                for (o, c) in other.iter_mut().zip(row(p.id)) {
                    *o += c;
                }
            }
        }
        if others > 0 {
            layers.push((
                palette::rgb(palette::OTHER_HEX),
                format!("other ({others} smaller patterns)"),
                other,
            ));
        }
        let none = row(0);
        if none.iter().any(|&c| c > 0) {
            layers.push((palette::color(0), "no clear pattern".into(), none));
        }
        Quarterly {
            periods: t.periods.clone(),
            kind: t.params.kind.name(),
            layers,
            totals: t.totals.clone(),
            undated: t.undated,
        }
    }
}

impl Chart for Quarterly {
    fn size(&self) -> (u32, u32) {
        let legend = TITLE_BAND as u32 + 60 + self.layers.len() as u32 * 36;
        (WIDTH, 900.max(legend))
    }

    fn title(&self) -> String {
        format!("Entries per {}, by pattern", self.kind)
    }

    fn description(&self) -> String {
        let mut d = format!(
            "One bar per {} from {} to {}; each bar is split by pattern, largest pattern at the bottom.",
            self.kind,
            self.periods.first().map_or("", String::as_str),
            self.periods.last().map_or("", String::as_str),
        );
        if self.undated > 0 {
            d.push_str(&format!(
                " {} entries without a date are not shown.",
                self.undated
            ));
        }
        d
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (w, _) = root.dim_in_pixel();
        draw_title(
            root,
            &self.title(),
            &format!("Number of entries per {}, stacked by pattern", self.kind),
        )?;
        let body = root.margin(TITLE_BAND as u32, 10, 10, 10);
        let (plot, legend) = body.split_horizontally(w as i32 - 20 - LEGEND_W);
        let n = self.periods.len();
        let max_total = self.totals.iter().copied().max().unwrap_or(0) as f64;
        let y_max = nice_axis_max(max_total * 1.08, 6);
        let mut chart = ChartBuilder::on(&plot)
            .margin(20)
            .margin_right(30)
            .x_label_area_size(84)
            .y_label_area_size(110)
            .build_cartesian_2d(-0.5f64..n as f64 - 0.5, 0f64..y_max)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_x_mesh()
            .x_labels(0)
            .y_labels(6)
            .y_desc("Entries")
            .x_desc(capitalized(self.kind))
            .y_label_formatter(&|v| thousands(v.round() as u64));
        house_mesh(&mut mesh).draw()?;
        let half = 0.38f64.min(0.5 - 0.5 / n.max(2) as f64);
        for j in 0..n {
            let mut bottom = 0.0;
            for (c, _, counts) in &self.layers {
                let v = counts[j] as f64;
                if v <= 0.0 {
                    continue;
                }
                let top = bottom + v;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(j as f64 - half, bottom), (j as f64 + half, top)],
                    c.filled(),
                )))?;
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(j as f64 - half, bottom), (j as f64 + half, top)],
                    WHITE.stroke_width(1),
                )))?;
                bottom = top;
            }
        }
        // Period labels under the bars: as many as fit side by side.
        let (x0, y0) = chart.backend_coord(&(-0.5, 0.0));
        let (x1, _) = chart.backend_coord(&(n as f64 - 0.5, 0.0));
        let label_font = font(LABEL_SIZE);
        let widest = self
            .periods
            .iter()
            .map(|p| text_width(&label_font, p))
            .max()
            .unwrap_or(0) as f64
            + 10.0;
        let slot = f64::from((x1 - x0).max(1)) / n.max(1) as f64;
        let step = (widest / slot).ceil().max(1.0) as usize;
        for (j, label) in self.periods.iter().enumerate() {
            if j % step != 0 {
                continue;
            }
            let (x, _) = chart.backend_coord(&(j as f64, 0.0));
            root.draw(&Text::new(
                label.clone(),
                (x, y0 + 12),
                style(label_font.clone(), TEXT, HPos::Center, VPos::Top),
            ))?;
        }
        // Totals above the bars, when there is room.
        if slot >= 44.0 {
            for (j, &t) in self.totals.iter().enumerate() {
                if t == 0 {
                    continue;
                }
                let (x, y) = chart.backend_coord(&(j as f64, t as f64));
                root.draw(&Text::new(
                    thousands(t),
                    (x, y - 6),
                    style(font(SMALL_SIZE), MUTED, HPos::Center, VPos::Bottom),
                ))?;
            }
        }
        // Legend: top of the stack first, so it reads in the order the colours are stacked.
        let entries: Vec<(RGBColor, String)> = self
            .layers
            .iter()
            .rev()
            .map(|(c, name, _)| (*c, name.clone()))
            .collect();
        let (lx, ly) = legend.get_base_pixel();
        draw_legend(root, (lx + 10, ly + 30), LEGEND_W as u32 - 20, &entries)
    }
}

pub(crate) fn capitalized(s: &str) -> String {
    let mut c = s.chars();
    match c.next() {
        Some(f) => f.to_uppercase().collect::<String>() + c.as_str(),
        None => String::new(),
    }
}
