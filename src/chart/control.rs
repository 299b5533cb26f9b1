//! `control`: per pattern, the share of its entries that were within the author's control,
//! partly, outside it, or not said — 100 % bars, so small and large patterns compare.

use super::palette::{self, is_light};
use super::*;
use crate::record::Control;

/// Colours of within / partly / outside / unknown: blue, yellow and vermillion stay apart for
/// every kind of colour vision; unknown is grey.
const CONTROL_HEX: [&str; 4] = ["#0072B2", "#F0E442", "#D55E00", "#CCCCCC"];
const CONTROL_NAMES: [&str; 4] = [
    "within the author's control",
    "partly",
    "outside it",
    "not said",
];

pub(crate) struct ControlChart {
    /// (name, entries, counts by `Control::ALL` order).
    bars: Vec<(String, u64, [u64; 4])>,
}

const ROW: u32 = 46;
const NAME_W: i32 = 520;

fn slot(c: Control) -> usize {
    Control::ALL.iter().position(|&x| x == c).unwrap_or(3)
}

impl ControlChart {
    pub(crate) fn new(input: &ChartInput) -> ControlChart {
        let count = |members: &mut dyn Iterator<Item = &usize>| {
            let mut c = [0u64; 4];
            for &i in members {
                c[slot(input.records[i].control)] += 1;
            }
            c
        };
        let mut bars: Vec<(String, u64, [u64; 4])> = input
            .patterns()
            .iter()
            .take(MAX_SHOWN)
            .map(|p| (pattern_name(p), p.size as u64, count(&mut p.members.iter())))
            .collect();
        let rest = input.patterns().get(MAX_SHOWN..).unwrap_or_default();
        if !rest.is_empty() {
            let c = count(&mut rest.iter().flat_map(|p| p.members.iter()));
            bars.push((format!("{} more patterns", rest.len()), c.iter().sum(), c));
        }
        if let Some(p0) = &input.patterns.unassigned {
            bars.push((
                pattern_name(p0),
                p0.size as u64,
                count(&mut p0.members.iter()),
            ));
        }
        ControlChart { bars }
    }
}

impl Chart for ControlChart {
    fn size(&self) -> (u32, u32) {
        (
            WIDTH,
            (TITLE_BAND as u32 + 200 + ROW * self.bars.len() as u32).max(480),
        )
    }

    fn title(&self) -> String {
        "How far each pattern was within the author's control".into()
    }

    fn description(&self) -> String {
        "For each pattern, the share of its entries marked as within the author's control, partly, outside it, or not said (from the log's control column); the number of entries is at the end of each bar.".into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw_title(
            root,
            &self.title(),
            "Share of each pattern's entries, from the log's control column",
        )?;
        // Legend in one row under the title.
        let mut x = 40i32;
        let f = font(LABEL_SIZE);
        for (hex, name) in CONTROL_HEX.iter().zip(CONTROL_NAMES) {
            let c = palette::rgb(hex);
            let y = TITLE_BAND + 8;
            root.draw(&Rectangle::new([(x, y), (x + 22, y + 22)], c.filled()))?;
            root.draw(&Rectangle::new(
                [(x, y), (x + 22, y + 22)],
                MUTED.stroke_width(1),
            ))?;
            root.draw(&Text::new(
                name,
                (x + 32, y + 11),
                style(f.clone(), TEXT, HPos::Left, VPos::Center),
            ))?;
            x += 32 + text_width(&f, name) as i32 + 40;
        }
        let body = root.margin(TITLE_BAND as u32 + 40, 10, 10, 10);
        let n = self.bars.len();
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_right(130)
            .x_label_area_size(80)
            .y_label_area_size(NAME_W)
            .build_cartesian_2d(0f64..1.0, n as f64 - 0.5..-0.5f64)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_desc("Share of the pattern's entries")
            .x_label_formatter(&|v| format!("{:.0}%", v * 100.0));
        house_mesh(&mut mesh).draw()?;
        let name_font = font(LABEL_SIZE);
        let pct_font = font(SMALL_SIZE);
        for (i, (name, total, counts)) in self.bars.iter().enumerate() {
            let y = i as f64;
            let sum = counts.iter().sum::<u64>().max(1) as f64;
            let mut left = 0.0;
            for (k, &c) in counts.iter().enumerate() {
                if c == 0 {
                    continue;
                }
                let right = left + c as f64 / sum;
                let colour = palette::rgb(CONTROL_HEX[k]);
                chart.draw_series(std::iter::once(Rectangle::new(
                    [(left, y - 0.36), (right, y + 0.36)],
                    colour.filled(),
                )))?;
                let (xa, yc) = chart.backend_coord(&(left, y));
                let (xb, _) = chart.backend_coord(&(right, y));
                let label = format!("{:.0}%", (right - left) * 100.0);
                if (xb - xa) as u32 > text_width(&pct_font, &label) + 12 {
                    let ink = if is_light(colour) { TEXT } else { WHITE };
                    root.draw(&Text::new(
                        label,
                        ((xa + xb) / 2, yc),
                        style(pct_font.clone(), ink, HPos::Center, VPos::Center),
                    ))?;
                }
                left = right;
            }
            let (x0, yc) = chart.backend_coord(&(0.0, y));
            root.draw(&Text::new(
                fit(&name_font, name, NAME_W as u32 - 30),
                (x0 - 14, yc),
                style(name_font.clone(), TEXT, HPos::Right, VPos::Center),
            ))?;
            let (x1, _) = chart.backend_coord(&(1.0, y));
            root.draw(&Text::new(
                format!("n = {}", thousands(*total)),
                (x1 + 12, yc),
                style(pct_font.clone(), MUTED, HPos::Left, VPos::Center),
            ))?;
        }
        Ok(())
    }
}
