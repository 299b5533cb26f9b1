//! `patterns`: pattern sizes as horizontal bars, largest on top, named and counted.

use super::palette::{self, color};
use super::*;

pub(crate) struct Sizes {
    /// (colour, name, entries, share of all entries).
    bars: Vec<(RGBColor, String, u64, f64)>,
}

const ROW: u32 = 46;
const NAME_W: i32 = 520;

impl Sizes {
    pub(crate) fn new(input: &ChartInput) -> Sizes {
        let total = input.records.len().max(1) as f64;
        let mut bars: Vec<(RGBColor, String, u64, f64)> = input
            .patterns()
            .iter()
            .take(MAX_SHOWN)
            .map(|p| (color(p.id), pattern_name(p), p.size as u64, p.share))
            .collect();
        let rest = input.patterns().get(MAX_SHOWN..).unwrap_or_default();
        if !rest.is_empty() {
            let n: usize = rest.iter().map(|p| p.size).sum();
            bars.push((
                palette::rgb(palette::OTHER_HEX),
                format!("{} more patterns", rest.len()),
                n as u64,
                n as f64 / total,
            ));
        }
        if let Some(p0) = &input.patterns.unassigned {
            bars.push((color(0), pattern_name(p0), p0.size as u64, p0.share));
        }
        Sizes { bars }
    }
}

impl Chart for Sizes {
    fn size(&self) -> (u32, u32) {
        (
            WIDTH,
            (TITLE_BAND as u32 + 150 + ROW * self.bars.len() as u32).max(420),
        )
    }

    fn title(&self) -> String {
        "Patterns by size".into()
    }

    fn description(&self) -> String {
        "Entries in each pattern, largest first, with each pattern's share of all analyzed entries."
            .into()
    }

    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB> {
        draw_title(
            root,
            &self.title(),
            "Number of entries per pattern (share of all analyzed entries)",
        )?;
        let body = root.margin(TITLE_BAND as u32, 10, 10, 10);
        let n = self.bars.len();
        let max = self.bars.iter().map(|b| b.2).max().unwrap_or(0) as f64;
        // The axis ends at the tick after the longest bar; its count label gets the pixels it
        // needs to the right of the axis.
        let x_max = nice_axis_max(max, 8);
        let label =
            |count: u64, share: f64| format!("{} ({:.1}%)", thousands(count), share * 100.0);
        let label_w = self
            .bars
            .iter()
            .map(|b| text_width(&font(SMALL_SIZE), &label(b.2, b.3)))
            .max()
            .unwrap_or(0);
        let mut chart = ChartBuilder::on(&body)
            .margin(20)
            .margin_right(label_w.saturating_add(24).max(40))
            .x_label_area_size(80)
            .y_label_area_size(NAME_W)
            .build_cartesian_2d(0f64..x_max, n as f64 - 0.5..-0.5f64)?;
        let mut mesh = chart.configure_mesh();
        mesh.disable_y_mesh()
            .y_labels(0)
            .x_labels(6)
            .x_desc("Entries")
            .x_label_formatter(&|v| thousands(v.round() as u64));
        house_mesh(&mut mesh).draw()?;
        let name_font = font(LABEL_SIZE);
        for (i, (c, name, count, share)) in self.bars.iter().enumerate() {
            let y = i as f64;
            chart.draw_series(std::iter::once(Rectangle::new(
                [(0.0, y - 0.36), (*count as f64, y + 0.36)],
                c.filled(),
            )))?;
            let (x0, yc) = chart.backend_coord(&(0.0, y));
            root.draw(&Text::new(
                fit(&name_font, name, NAME_W as u32 - 30),
                (x0 - 14, yc),
                style(name_font.clone(), TEXT, HPos::Right, VPos::Center),
            ))?;
            let (xe, _) = chart.backend_coord(&(*count as f64, y));
            root.draw(&Text::new(
                label(*count, *share),
                (xe + 10, yc),
                style(font(SMALL_SIZE), TEXT, HPos::Left, VPos::Center),
            ))?;
        }
        Ok(())
    }
}
