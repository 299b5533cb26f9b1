//! Chart: patterns, timeline and vectors → pictures (`<out>/charts/*.svg|png`).
//!
//! In: `ChartInput` (records, patterns, each entry's pattern id, the timeline, and for the map
//! the vectors and the fitted projection) and which files to write (`ChartFormats`). Out:
//! `ChartFiles` — every chart's SVG markup (so the HTML report can inline it without reading
//! files back), the files written, a small trend SVG per pattern, and notes on skipped charts.
//!
//! The charts: `quarterly` (entries per period stacked by pattern), `patterns` (pattern sizes),
//! `trends` (each pattern's share of every period, same scale), `forecast` (the last periods'
//! counts and the next period's expected count with its interval), `control` (within / partly /
//! outside the author's control, per pattern) and `map` (a sample of entries in two dimensions,
//! coloured by pattern). Text is drawn with an embedded font (DejaVu Sans, `assets/`), so PNGs
//! look the same on a machine with no fonts installed.
//!
//! Invariants: the same input draws byte-identical files (no clocks, no hash-map order); pattern
//! colours are the same in every chart and in the HTML (`palette`); a chart that cannot be drawn
//! (no dates, no control column) is skipped with a note, and its file from an earlier run is
//! removed when the run's set is published (`output::staging`), so the folder never mixes runs.

mod control;
mod forecast;
mod map;
pub mod palette;
mod quarterly;
mod sizes;
mod trends;

use crate::error::{Error, Result};
use crate::output;
use crate::patterns::{Pattern, Patterns};
use crate::record::Record;
use crate::reduce::Projection;
use crate::report::{ChartFile, ChartFiles};
use crate::text::Corpus;
use crate::timeline::Timeline;
use crate::vectorize::Vectors;
use plotters::chart::MeshStyle;
use plotters::coord::ranged1d::ValueFormatter;
use plotters::coord::Shift;
use plotters::prelude::*;
use plotters::style::text_anchor::{HPos, Pos, VPos};
use rayon::prelude::*;
use std::path::Path;
use std::sync::Once;

/// Which chart files to write. The HTML report inlines the charts whatever this says.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ChartFormats {
    pub svg: bool,
    pub png: bool,
}

impl Default for ChartFormats {
    fn default() -> Self {
        ChartFormats {
            svg: true,
            png: true,
        }
    }
}

impl ChartFormats {
    /// `svg`, `png`, `svg,png` or `none` (the `--charts` flag).
    pub fn parse(s: &str) -> Result<ChartFormats> {
        let mut f = ChartFormats {
            svg: false,
            png: false,
        };
        let parts: Vec<String> = s
            .split(',')
            .map(|p| p.trim().to_ascii_lowercase())
            .filter(|p| !p.is_empty())
            .collect();
        if parts.iter().any(|p| p == "none") {
            if parts.len() > 1 {
                return Err(Error::Param(format!(
                    "--charts: \"none\" cannot be combined with other formats, got \"{s}\""
                )));
            }
            return Ok(f);
        }
        for p in &parts {
            match p.as_str() {
                "svg" => f.svg = true,
                "png" => f.png = true,
                other => {
                    return Err(Error::Param(format!(
                        "--charts: unknown chart format \"{other}\" (svg, png or none)"
                    )))
                }
            }
        }
        if parts.is_empty() {
            return Err(Error::Param(
                "--charts needs svg, png, svg,png or none".into(),
            ));
        }
        Ok(f)
    }

    pub fn any(self) -> bool {
        self.svg || self.png
    }
}

/// What the map needs to place entries: the vectors they were clustered on.
pub struct MapInput<'a> {
    pub corpus: &'a Corpus,
    pub vectors: &'a Vectors,
    pub projection: &'a Projection,
    /// Seeds the (order-free) choice of sampled entries.
    pub seed: u64,
}

/// Everything the charts read.
pub struct ChartInput<'a> {
    pub records: &'a [Record],
    pub patterns: &'a Patterns,
    /// Per entry: its pattern id (0 = no clear pattern).
    pub labels: &'a [u32],
    pub timeline: Option<&'a Timeline>,
    /// Whether any input file has a control column.
    pub has_control: bool,
    /// `None` skips the map.
    pub map: Option<MapInput<'a>>,
}

impl ChartInput<'_> {
    /// Patterns 1..=k, largest first.
    fn patterns(&self) -> &[Pattern] {
        &self.patterns.patterns
    }
}

/// Every chart's name, in the order the report shows them.
pub const CHART_NAMES: [&str; 6] = [
    "quarterly",
    "patterns",
    "trends",
    "forecast",
    "control",
    "map",
];

/// At most this many patterns get their own bar, panel or label; the rest are summed up.
pub(crate) const MAX_SHOWN: usize = 24;

/// Draws every chart and writes the requested files into `<out>/charts/` (`out` is the run's
/// staging folder; chart files of earlier runs that this run does not write are removed when
/// the set is published, see `output::staging`).
pub fn render(input: &ChartInput, out: &Path, formats: ChartFormats) -> Result<ChartFiles> {
    register_fonts();
    let mut files = ChartFiles::default();
    let quarterly = input.timeline.map(|t| quarterly::Quarterly::new(input, t));
    if quarterly.is_none() {
        files.notes.push(
            "The log has no dates, so the quarterly chart and the trend charts are skipped.".into(),
        );
    }
    let sizes = sizes::Sizes::new(input);
    let trends = input.timeline.map(|t| trends::Trends::new(input, t));
    let forecast = input
        .timeline
        .and_then(|t| forecast::ForecastChart::new(input, t));
    let control = input.has_control.then(|| control::ControlChart::new(input));
    if control.is_none() {
        files
            .notes
            .push("The log has no control column, so the control chart is skipped.".into());
    }

    // The charts are independent: lay out and draw them in parallel, write them in report
    // order (`CHART_NAMES`). The map, the slowest, is laid out inside its job, which goes first
    // so that the other charts fill the other core while it runs.
    type Job<'a> = Box<dyn Fn() -> Result<Option<Drawn>> + Sync + 'a>;
    let mut jobs: Vec<(&'static str, Job)> = Vec::new();
    if let Some(m) = &input.map {
        jobs.push((
            "map",
            Box::new(move || {
                map::Map::new(input, m)
                    .map(|c| draw("map", &c, formats))
                    .transpose()
            }),
        ));
    }
    if let Some(c) = &quarterly {
        jobs.push((
            "quarterly",
            Box::new(move || draw("quarterly", c, formats).map(Some)),
        ));
    }
    jobs.push((
        "patterns",
        Box::new(|| draw("patterns", &sizes, formats).map(Some)),
    ));
    if let Some(c) = &trends {
        jobs.push((
            "trends",
            Box::new(move || draw("trends", c, formats).map(Some)),
        ));
    }
    if let Some(c) = &forecast {
        jobs.push((
            "forecast",
            Box::new(move || draw("forecast", c, formats).map(Some)),
        ));
    }
    if let Some(c) = &control {
        jobs.push((
            "control",
            Box::new(move || draw("control", c, formats).map(Some)),
        ));
    }
    let drawn: Vec<Result<Option<Drawn>>> = jobs.par_iter().map(|(_, job)| job()).collect();
    let mut drawn: Vec<(&'static str, Option<Drawn>)> = jobs
        .iter()
        .zip(drawn)
        .map(|((name, _), d)| d.map(|d| (*name, d)))
        .collect::<Result<_>>()?;
    drawn.sort_by_key(|(name, _)| CHART_NAMES.iter().position(|n| n == name));
    for (name, d) in drawn {
        if let Some(d) = d {
            add(&mut files, name, d, out, formats)?;
        }
    }
    if let Some(tr) = &trends {
        files.pattern_trends = tr.per_pattern()?;
    }
    Ok(files)
}

/// One chart, drawn: its SVG (always, for the HTML report) and PNG (when asked).
struct Drawn {
    title: String,
    description: String,
    svg: String,
    png: Option<Vec<u8>>,
}

fn draw(name: &str, chart: &(impl Chart + Sync), formats: ChartFormats) -> Result<Drawn> {
    // The two formats are drawn at the same time.
    let (svg, png) = rayon::join(
        || to_svg(name, chart),
        || formats.png.then(|| to_png(name, chart)).transpose(),
    );
    Ok(Drawn {
        title: chart.title(),
        description: chart.description(),
        svg: svg?,
        png: png?,
    })
}

/// Writes one drawn chart's requested files.
fn add(
    files: &mut ChartFiles,
    name: &'static str,
    drawn: Drawn,
    out: &Path,
    formats: ChartFormats,
) -> Result<()> {
    let mut written = Vec::new();
    if formats.svg {
        let rel = format!("charts/{name}.svg");
        output::write_bytes(out, &rel, drawn.svg.as_bytes())?;
        written.push(rel);
    }
    if let Some(png) = &drawn.png {
        let rel = format!("charts/{name}.png");
        output::write_bytes(out, &rel, png)?;
        written.push(rel);
    }
    files.charts.push(ChartFile {
        name,
        title: drawn.title,
        description: drawn.description,
        svg: drawn.svg,
        files: written,
    });
    Ok(())
}

/// Result of drawing on a backend.
pub(crate) type DrawResult<DB> =
    std::result::Result<(), DrawingAreaErrorKind<<DB as DrawingBackend>::ErrorType>>;

/// One chart, drawable on any plotters backend.
pub(crate) trait Chart {
    /// Pixel size (the PNG's size and the SVG's view box).
    fn size(&self) -> (u32, u32);
    fn title(&self) -> String;
    /// One or two sentences on how to read the chart (the figure caption and alt text).
    fn description(&self) -> String;
    fn draw<DB: DrawingBackend>(&self, root: &DrawingArea<DB, Shift>) -> DrawResult<DB>;
}

fn render_error(name: &str, e: impl std::fmt::Display) -> Error {
    Error::Render {
        what: format!("chart {name}"),
        message: e.to_string(),
    }
}

pub(crate) fn to_svg(name: &str, chart: &impl Chart) -> Result<String> {
    register_fonts();
    let mut svg = String::new();
    {
        let root = SVGBackend::with_string(&mut svg, chart.size()).into_drawing_area();
        root.fill(&WHITE).map_err(|e| render_error(name, e))?;
        chart.draw(&root).map_err(|e| render_error(name, e))?;
        root.present().map_err(|e| render_error(name, e))?;
    }
    Ok(svg)
}

fn to_png(name: &str, chart: &impl Chart) -> Result<Vec<u8>> {
    register_fonts();
    let (w, h) = chart.size();
    let mut rgb = vec![255u8; w as usize * h as usize * 3];
    {
        let root = BitMapBackend::with_buffer(&mut rgb, (w, h)).into_drawing_area();
        chart.draw(&root).map_err(|e| render_error(name, e))?;
        root.present().map_err(|e| render_error(name, e))?;
    }
    encode_png(&rgb, w, h).map_err(|e| render_error(name, e))
}

/// 8-bit RGB PNG; a fixed encoder setting, so the bytes depend only on the pixels. Fast
/// compression: about three times quicker than the default level for files ~2.5× larger
/// (~230 KB per 1600 px chart), which matters more for a run that takes a fraction of a second.
fn encode_png(rgb: &[u8], w: u32, h: u32) -> std::result::Result<Vec<u8>, png::EncodingError> {
    let mut bytes = Vec::new();
    {
        let mut enc = png::Encoder::new(&mut bytes, w, h);
        enc.set_color(png::ColorType::Rgb);
        enc.set_depth(png::BitDepth::Eight);
        enc.set_compression(png::Compression::Fast);
        let mut writer = enc.write_header()?;
        writer.write_image_data(rgb)?;
        writer.finish()?;
    }
    Ok(bytes)
}

static FONT_REGULAR: &[u8] = include_bytes!("../../assets/DejaVuSans.ttf");
static FONT_BOLD: &[u8] = include_bytes!("../../assets/DejaVuSans-Bold.ttf");

/// Registers the embedded font as plotters' "sans-serif" (once per process).
fn register_fonts() {
    static ONCE: Once = Once::new();
    ONCE.call_once(|| {
        // Both files are shipped with recur and parsed by tests, so this cannot fail.
        let _ = plotters::style::register_font("sans-serif", FontStyle::Normal, FONT_REGULAR);
        let _ = plotters::style::register_font("sans-serif", FontStyle::Bold, FONT_BOLD);
    });
}

// ---- shared drawing helpers ----

/// Width of every chart: a 16:9 slide at a size that stays sharp when projected.
pub(crate) const WIDTH: u32 = 1600;
pub(crate) const TITLE_SIZE: f64 = 40.0;
pub(crate) const DESC_SIZE: f64 = 28.0;
pub(crate) const LABEL_SIZE: f64 = 24.0;
pub(crate) const SMALL_SIZE: f64 = 21.0;
pub(crate) const TEXT: RGBColor = RGBColor(0x22, 0x22, 0x22);
pub(crate) const MUTED: RGBColor = RGBColor(0x55, 0x55, 0x55);
pub(crate) const GRID: RGBColor = RGBColor(0xE4, 0xE4, 0xE4);
/// Height of the title band at the top of every chart.
pub(crate) const TITLE_BAND: i32 = 100;

pub(crate) fn font(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, size, FontStyle::Normal)
}

pub(crate) fn bold(size: f64) -> FontDesc<'static> {
    FontDesc::new(FontFamily::SansSerif, size, FontStyle::Bold)
}

pub(crate) fn style(
    font: FontDesc<'static>,
    color: RGBColor,
    h: HPos,
    v: VPos,
) -> TextStyle<'static> {
    font.color(&color).pos(Pos::new(h, v))
}

/// Pixel width of `text` in `font`.
pub(crate) fn text_width(font: &FontDesc, text: &str) -> u32 {
    font.box_size(text).map_or(0, |(w, _)| w)
}

/// `text` on one line, cut with an ellipsis so it is at most `max_px` wide.
pub(crate) fn fit(font: &FontDesc, text: &str, max_px: u32) -> String {
    let one_line: String = text.split_whitespace().collect::<Vec<_>>().join(" ");
    if text_width(font, &one_line) <= max_px {
        return one_line;
    }
    let chars: Vec<char> = one_line.chars().collect();
    // Longest prefix that fits with the ellipsis (binary search: width grows with length).
    let (mut lo, mut hi) = (0usize, chars.len());
    while lo < hi {
        let mid = (lo + hi).div_ceil(2);
        let candidate: String = chars[..mid].iter().collect::<String>() + "…";
        if text_width(font, &candidate) <= max_px {
            lo = mid;
        } else {
            hi = mid - 1;
        }
    }
    let prefix: String = chars[..lo].iter().collect();
    format!("{}…", prefix.trim_end())
}

/// The name a chart shows for a pattern: "3. estimate / deadline".
pub(crate) fn pattern_name(p: &Pattern) -> String {
    if p.id == 0 {
        "no clear pattern".to_string()
    } else {
        format!("{}. {}", p.id, p.label)
    }
}

/// The axes style every chart shares: text in the house font and colour, grid lines only at
/// the labelled ticks, muted axes.
pub(crate) fn house_mesh<'m, 'a, 'b, X, Y, XT, YT, DB>(
    mesh: &'m mut MeshStyle<'a, 'b, X, Y, DB>,
) -> &'m mut MeshStyle<'a, 'b, X, Y, DB>
where
    X: Ranged<ValueType = XT> + ValueFormatter<XT>,
    Y: Ranged<ValueType = YT> + ValueFormatter<YT>,
    DB: DrawingBackend,
{
    mesh.label_style(font(LABEL_SIZE).color(&TEXT))
        .axis_desc_style(font(DESC_SIZE).color(&TEXT))
        .max_light_lines(0)
        .bold_line_style(GRID)
        .axis_style(MUTED)
}

/// Title and subtitle in the top band.
pub(crate) fn draw_title<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    title: &str,
    subtitle: &str,
) -> DrawResult<DB> {
    let w = root.dim_in_pixel().0;
    root.draw(&Text::new(
        fit(&bold(TITLE_SIZE), title, w - 80),
        (40, 22),
        style(bold(TITLE_SIZE), TEXT, HPos::Left, VPos::Top),
    ))?;
    if !subtitle.is_empty() {
        root.draw(&Text::new(
            fit(&font(LABEL_SIZE), subtitle, w - 80),
            (40, 70),
            style(font(LABEL_SIZE), MUTED, HPos::Left, VPos::Top),
        ))?;
    }
    Ok(())
}

/// A vertical legend: colour swatch + name, one per line, starting at (x, y).
pub(crate) fn draw_legend<DB: DrawingBackend>(
    root: &DrawingArea<DB, Shift>,
    (x, y): (i32, i32),
    width: u32,
    entries: &[(RGBColor, String)],
) -> DrawResult<DB> {
    let line = 36;
    let f = font(LABEL_SIZE);
    for (i, (color, name)) in entries.iter().enumerate() {
        let top = y + i as i32 * line;
        root.draw(&Rectangle::new(
            [(x, top + 5), (x + 22, top + 27)],
            color.filled(),
        ))?;
        root.draw(&Text::new(
            fit(&f, name, width.saturating_sub(34)),
            (x + 32, top + 16),
            style(f.clone(), TEXT, HPos::Left, VPos::Center),
        ))?;
    }
    Ok(())
}

/// Integer with thin-space-free thousands separators ("12,345"), for axis ticks and counts.
pub(crate) fn thousands(n: u64) -> String {
    let s = n.to_string();
    let mut out = String::with_capacity(s.len() + s.len() / 3);
    for (i, c) in s.chars().enumerate() {
        if i > 0 && (s.len() - i) % 3 == 0 {
            out.push(',');
        }
        out.push(c);
    }
    out
}

/// A "nice" upper bound for an axis: 1, 2, 2.5 or 5 × a power of ten, at least `x`.
pub(crate) fn nice_ceiling(x: f64) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let p = 10f64.powf(x.log10().floor());
    for m in [1.0, 2.0, 2.5, 5.0, 10.0] {
        if m * p >= x - 1e-12 {
            return m * p;
        }
    }
    10.0 * p
}

/// An axis end that fits the data: the smallest multiple of a nice tick step (1, 2, 2.5 or 5 × a
/// power of ten, about `ticks` ticks) that holds `x`. 33 → 35 with 8 ticks, where
/// `nice_ceiling` gives 50.
pub(crate) fn nice_axis_max(x: f64, ticks: u32) -> f64 {
    if x <= 0.0 || !x.is_finite() {
        return 1.0;
    }
    let step = nice_ceiling(x / ticks.max(1) as f64);
    let m = (x / step - 1e-9).ceil().max(1.0);
    m * step
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn chart_formats_parse() {
        assert_eq!(
            ChartFormats::parse("svg,png").unwrap(),
            ChartFormats::default()
        );
        assert_eq!(
            ChartFormats::parse("PNG").unwrap(),
            ChartFormats {
                svg: false,
                png: true
            }
        );
        assert!(!ChartFormats::parse("none").unwrap().any());
        assert!(ChartFormats::parse("none,svg").is_err());
        assert!(ChartFormats::parse("jpg").is_err());
        assert!(ChartFormats::parse("").is_err());
    }

    #[test]
    fn long_text_is_cut_with_an_ellipsis() {
        register_fonts();
        let f = font(LABEL_SIZE);
        assert_eq!(fit(&f, "short", 400), "short");
        let long = "the estimate ignored the data backfill and the review queue entirely";
        let cut = fit(&f, long, 200);
        assert!(cut.ends_with('…') && cut.len() < long.len(), "{cut}");
        assert!(text_width(&f, &cut) <= 200);
        assert_eq!(fit(&f, "a\nb\tc", 400), "a b c");
    }

    #[test]
    fn axis_helpers() {
        assert_eq!(thousands(1234567), "1,234,567");
        assert_eq!(thousands(999), "999");
        assert_eq!(nice_ceiling(0.37), 0.5);
        assert_eq!(nice_ceiling(120.0), 200.0);
        assert_eq!(nice_ceiling(0.0), 1.0);
        // The case: the largest pattern has 27 entries; the axis ran to 50. The bar
        // chart now ends its axis at the tick after the longest bar (its count label has pixel
        // room beside the axis): 30; the sample's 33 gives 35.
        assert_eq!(nice_axis_max(27.0, 8), 30.0);
        assert_eq!(nice_axis_max(33.0, 8), 35.0);
        assert_eq!(nice_axis_max(1215.0, 8), 1400.0);
        assert_eq!(nice_axis_max(100.0, 5), 100.0);
        assert_eq!(nice_axis_max(101.0, 5), 125.0);
        assert_eq!(nice_axis_max(0.0, 5), 1.0);
        assert!(nice_axis_max(0.37, 6) >= 0.37 && nice_axis_max(0.37, 6) <= 0.4);
    }

    #[test]
    fn embedded_fonts_parse() {
        register_fonts();
        assert!(text_width(&font(20.0), "Patterns") > 40);
        assert!(text_width(&bold(20.0), "Patterns") > 40);
    }
}
