//! `trends`: one small line chart per pattern — its share of each period's entries — all on
//! the same scale, so a rising or fading pattern stands out next to the others. Also draws the
//! same line per pattern as a small SVG for that pattern's section of the HTML report.

use super::palette::color;
use super::quarterly::capitalized;
use super::*;

/// One panel: a pattern's share of each period (`None` where the period has no entries).
struct Series {
    id: u32,
    name: String,
    shares: Vec<Option<f64>>,
}

pub(crate) struct Trends {
    periods: Vec<String>,
    kind: &'static str,
    series: Vec<Series>,
    /// Patterns with their own section in the HTML (trend SVG drawn for each).
    sections: Vec<Series>,
    y_max: f64,
    left_out: usize,
}

const PANEL_H: u32 = 290;
/// Per-pattern SVGs drawn at most (a report with more patterns shows the rest without one).
const MAX_SECTIONS: usize = 100;

fn shares(t: &Timeline, id: u32) -> Vec<Option<f64>> {
    let row = t.counts.get(id as usize);
    t.totals
        .iter()
        .enumerate()
        .map(|(j, &total)| (total > 0).then(|| row.map_or(0, |r| r[j]) as f64 / total as f64))
        .collect()
}

impl Trends {
    pub(crate) fn new(input: &ChartInput, t: &Timeline) -> Trends {
        let make = |p: &Pattern| Series {
            id: p.id,
            name: pattern_name(p),
            shares: shares(t, p.id),
        };
        let series: Vec<Series> = input.patterns().iter().take(MAX_SHOWN).map(make).collect();
        let mut sections: Vec<Series> = input
            .patterns()
            .iter()
            .take(MAX_SECTIONS)
            .map(make)
            .collect();
        if let Some(p0) = &input.patterns.unassigned {
            sections.push(make(p0));
        }
        let top = sections
            .iter()
            .flat_map(|s| s.shares.iter().flatten())
            .fold(0.0f64, |a, &b| a.max(b));
        Trends {
            periods: t.periods.clone(),
            kind: t.params.kind.name(),
            series,
            sections,
            y_max: nice_ceiling(top * 1.05).min(1.0),
            left_out: input.patterns().len().saturating_sub(MAX_SHOWN),
        }
    }

    fn grid(&self) -> (usize, usize) {
        let m = self.series.len().max(1);
        let cols = match m {
            1..=2 => m,
            3 | 5 | 6 | 9 => 3,
            _ => 4,
        };
        (cols, m.div_ceil(cols))
    }

    /// The small trend SVG of every pattern with a section in the report (and pattern 0).
    pub(crate) fn per_pattern(&self) -> Result<Vec<(u32, String)>> {
        self.sections
            .iter()
            .map(|s| {
                let one = One {
                    trends: self,
                    series: s,
                };
                Ok((s.id, to_svg("pattern trend", &one)?))
            })
            .collect()
    }
}

impl Chart for Trends {
    fn size(&self) -> (u32, u32) {
        let (_, rows) = self.grid();
        (
            WIDTH,
            (TITLE_BAND as u32 + 30 + rows as u32 * PANEL_H).max(600),
        )
    }

    fn title(&self) -> String {
        format!("Each pattern's share of the entries per {}", self.kind)
    }

    fn description(&self) -> String {
        let mut d = format!(
            "One panel per pattern: the share of each {}'s entries that fall into the pattern, from {} to {}. Every panel uses the same scale (0 to {:.0}%), so rising and fading patterns can be compared.",
            self.kind,
            self.periods.first().map_or("", String::as_str),
            self.periods.last().map_or("", String::as_str),
            self.y_max * 100.0
        );
        if self.left_out > 0 {
            d.push_str(&format!(
                " {} smaller patterns are not shown.",
                self.left_out
            ));
        }
        d
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw_title(
            root,
            &self.title(),
            &format!(
                "Share of each {}'s entries; the same scale in every panel",
                self.kind
            ),
        )?;
        let body = root.margin(TITLE_BAND as u32 + 10, 10, 10, 10);
        let (cols, rows) = self.grid();
        let panels = body.split_evenly((rows, cols));
        for (s, area) in self.series.iter().zip(&panels) {
            panel(root, area, self, s)?;
        }
        Ok(())
    }
}

/// Draws one pattern's share line into `area` (text is placed on `root`, in backend pixels).
fn panel<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    area: &DrawingArea<DB, Shift>,
    t: &Trends,
    s: &Series,
) -> DrawResult<DB> {
    let n = t.periods.len();
    let (ax, ay) = area.get_base_pixel();
    let (aw, _) = area.dim_in_pixel();
    let head = bold(LABEL_SIZE);
    let c = color(s.id);
    root.draw(&Rectangle::new(
        [(ax + 12, ay + 10), (ax + 30, ay + 28)],
        c.filled(),
    ))?;
    root.draw(&Text::new(
        fit(&head, &s.name, aw.saturating_sub(50)),
        (ax + 38, ay + 19),
        style(head.clone(), TEXT, HPos::Left, VPos::Center),
    ))?;
    let x_range = if n <= 1 {
        -0.5..0.5
    } else {
        -0.25..(n - 1) as f64 + 0.25
    };
    let percent = |v: &f64| {
        if t.y_max < 0.05 {
            format!("{:.1}%", v * 100.0)
        } else {
            format!("{:.0}%", v * 100.0)
        }
    };
    let mut chart = ChartBuilder::on(area)
        .margin_top(40)
        .margin_left(6)
        .margin_right(24)
        .margin_bottom(6)
        .x_label_area_size(40)
        .y_label_area_size(84)
        .build_cartesian_2d(x_range, 0f64..t.y_max)?;
    chart
        .configure_mesh()
        .disable_x_mesh()
        .x_labels(0)
        .y_labels(3)
        .y_label_formatter(&percent)
        .label_style(font(SMALL_SIZE).color(&MUTED))
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
        .draw()?;
    // Contiguous runs of periods with entries; a period with no entries breaks the line.
    let mut runs: Vec<Vec<(f64, f64)>> = vec![Vec::new()];
    for (j, v) in s.shares.iter().enumerate() {
        match v {
            Some(v) => runs.last_mut().expect("non-empty").push((j as f64, *v)),
            None => runs.push(Vec::new()),
        }
    }
    for run in runs.iter().filter(|r| !r.is_empty()) {
        chart.draw_series(AreaSeries::new(
            run.iter().copied(),
            0.0,
            c.mix(0.45).filled(),
        ))?;
        chart.draw_series(LineSeries::new(run.iter().copied(), TEXT.stroke_width(3)))?;
        if n <= 24 || run.len() == 1 {
            chart.draw_series(run.iter().map(|&p| Circle::new(p, 4, TEXT.filled())))?;
        }
    }
    // First and last period under the axis.
    let label_font = font(SMALL_SIZE);
    let ends: Vec<usize> = if n <= 1 { vec![0] } else { vec![0, n - 1] };
    for &j in &ends {
        let (x, y) = chart.backend_coord(&(j as f64, 0.0));
        let h = match (n, j) {
            (1, _) => HPos::Center,
            (_, 0) => HPos::Left,
            _ => HPos::Right,
        };
        let nudge = match h {
            HPos::Left => -12,
            HPos::Right => 12,
            HPos::Center => 0,
        };
        root.draw(&Text::new(
            t.periods[j].clone(),
            (x + nudge, y + 8),
            style(label_font.clone(), MUTED, h, VPos::Top),
        ))?;
    }
    Ok(())
}

/// A single pattern's trend, for its section of the HTML report.
struct One<'a> {
    trends: &'a Trends,
    series: &'a Series,
}

impl Chart for One<'_> {
    fn size(&self) -> (u32, u32) {
        (560, 220)
    }

    fn title(&self) -> String {
        format!("{}: share per {}", self.series.name, self.trends.kind)
    }

    fn description(&self) -> String {
        format!(
            "{} share of each {}'s entries, on the same scale as the other patterns.",
            capitalized(&self.series.name),
            self.trends.kind
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let renamed = Series {
            id: self.series.id,
            name: format!("Share of each {}'s entries", self.trends.kind),
            shares: self.series.shares.clone(),
        };
        panel(root, root, self.trends, &renamed)
    }
}
