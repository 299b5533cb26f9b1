//! `forecast`: what to expect next period — per recurring pattern (up to twelve, largest
//! first) its entries in the last periods looked at as a line, then the expected count for the
//! next period as a hollow point with its 90 % interval as a bar: an estimate, drawn apart
//! from the counts.

use super::palette::color;
use super::*;
use crate::timeline::{FORECAST_LEVEL, FORECAST_WINDOW};

struct Line {
    color: RGBColor,
    name: String,
    counts: Vec<u64>,
    expected: f64,
    low: u64,
    high: u64,
}

pub(crate) struct ForecastChart {
    /// Labels of the periods shown: the last ones looked at, then the next one.
    periods: Vec<String>,
    lines: Vec<Line>,
}

const SHOWN: usize = 12;
const LEGEND_W: i32 = 420;

impl ForecastChart {
    /// `None` when no pattern has a forecast.
    pub(crate) fn new(input: &ChartInput, t: &Timeline) -> Option<ForecastChart> {
        let tr = t.trends.as_ref()?;
        let from = tr.end.saturating_sub(FORECAST_WINDOW);
        let lines: Vec<Line> = input
            .patterns()
            .iter()
            .filter_map(|p| {
                let f = tr.patterns.get(p.id as usize)?.forecast?;
                Some(Line {
                    color: color(p.id),
                    name: pattern_name(p),
                    counts: t.counts[p.id as usize][from..tr.end].to_vec(),
                    expected: f.expected,
                    low: f.low,
                    high: f.high,
                })
            })
            .take(SHOWN)
            .collect();
        if lines.is_empty() {
            return None;
        }
        let mut periods = t.periods[from..tr.end].to_vec();
        periods.push(format!("{} (expected)", tr.next));
        Some(ForecastChart { periods, lines })
    }
}

impl Chart for ForecastChart {
    fn size(&self) -> (u32, u32) {
        (WIDTH, 900)
    }

    fn title(&self) -> String {
        "What to expect next".into()
    }

    fn description(&self) -> String {
        format!(
            "Entries per period of each recurring pattern over the last periods (lines), and the entries to expect in the next one: an estimate (hollow point) with its {:.0} % interval (bar).",
            FORECAST_LEVEL * 100.0
        )
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        let (w, _) = root.dim_in_pixel();
        draw_title(
            root,
            &self.title(),
            &format!(
                "Entries per period; last point: an estimate with its {:.0} % interval",
                FORECAST_LEVEL * 100.0
            ),
        )?;
        let body = root.margin(TITLE_BAND as u32, 10, 10, 10);
        let (plot, legend) = body.split_horizontally(w as i32 - 20 - LEGEND_W);
        let n = self.periods.len();
        let top = self
            .lines
            .iter()
            .flat_map(|l| l.counts.iter().copied().chain([l.high]))
            .max()
            .unwrap_or(0) as f64;
        let y_max = nice_axis_max((top * 1.05).max(1.0), 6);
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
            .y_label_formatter(&|v| thousands(v.round().max(0.0) as u64));
        house_mesh(&mut mesh).draw()?;
        // Period names under the axis; the expected one muted.
        let f = font(SMALL_SIZE);
        for (i, label) in self.periods.iter().enumerate() {
            let (x, y) = chart.backend_coord(&(i as f64, 0.0));
            let c = if i + 1 == n { MUTED } else { TEXT };
            root.draw(&Text::new(
                label.clone(),
                (x, y + 18),
                style(f.clone(), c, HPos::Center, VPos::Top),
            ))?;
        }
        // The estimate's column is shaded so it reads apart from the counts.
        chart.draw_series(std::iter::once(Rectangle::new(
            [(n as f64 - 1.5, 0.0), (n as f64 - 0.5, y_max)],
            RGBColor(0xF3, 0xF3, 0xF3).filled(),
        )))?;
        let k = self.lines.len() as f64;
        for (j, l) in self.lines.iter().enumerate() {
            // Small sideways offsets keep equal counts and intervals apart.
            let dx = (j as f64 - (k - 1.0) / 2.0) * 0.35 / k.max(1.0);
            let pts: Vec<(f64, f64)> = l
                .counts
                .iter()
                .enumerate()
                .map(|(i, &c)| (i as f64 + dx, c as f64))
                .collect();
            chart.draw_series(LineSeries::new(pts.clone(), l.color.stroke_width(4)))?;
            chart.draw_series(pts.iter().map(|&p| Circle::new(p, 6, l.color.filled())))?;
            let x = (n - 1) as f64 + dx;
            if let Some(&last) = pts.last() {
                chart.draw_series(std::iter::once(PathElement::new(
                    vec![last, (x, l.expected)],
                    l.color.mix(0.6).stroke_width(2),
                )))?;
            }
            chart.draw_series(std::iter::once(PathElement::new(
                vec![(x, l.low as f64), (x, l.high as f64)],
                l.color.stroke_width(4),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (x, l.expected),
                9,
                WHITE.filled(),
            )))?;
            chart.draw_series(std::iter::once(Circle::new(
                (x, l.expected),
                9,
                l.color.stroke_width(3),
            )))?;
        }
        let entries: Vec<(RGBColor, String)> = self
            .lines
            .iter()
            .map(|l| (l.color, l.name.clone()))
            .collect();
        let (lx, ly) = legend.get_base_pixel();
        draw_legend(root, (lx + 10, ly + 30), LEGEND_W as u32 - 20, &entries)
    }
}
