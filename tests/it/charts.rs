//! Charts, through the real binary: every chart file is written with its stated size, runs are
//! byte-identical, charts that cannot be drawn are skipped with a note, `--charts` chooses the
//! files, and big logs are sampled.

use crate::util::{analyze_from_root as analyze, generate_log};
use recur::chart::CHART_NAMES;
use std::fs;
use std::path::Path;

const SMALL: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/chart-small.csv");
const NO_DATES: &str = concat!(env!("CARGO_MANIFEST_DIR"), "/tests/data/chart-nodates.csv");

/// (width, height) from a PNG's IHDR chunk.
fn png_size(bytes: &[u8]) -> (u32, u32) {
    assert_eq!(&bytes[..8], b"\x89PNG\r\n\x1a\n", "not a PNG");
    assert_eq!(&bytes[12..16], b"IHDR");
    let be = |b: &[u8]| u32::from_be_bytes([b[0], b[1], b[2], b[3]]);
    (be(&bytes[16..20]), be(&bytes[20..24]))
}

/// (width, height) from the SVG root element's attributes.
fn svg_size(svg: &str) -> (u32, u32) {
    let root = &svg[svg.find("<svg").expect("svg root")..];
    let root = &root[..root.find('>').unwrap()];
    let attr = |name: &str| -> u32 {
        let at = root.find(&format!(" {name}=\"")).expect(name) + name.len() + 3;
        root[at..].split('"').next().unwrap().parse().unwrap()
    };
    (attr("width"), attr("height"))
}

fn chart_files(out: &Path) -> Vec<String> {
    let mut names: Vec<String> = match fs::read_dir(out.join("charts")) {
        Ok(dir) => dir
            .map(|e| e.unwrap().file_name().into_string().unwrap())
            .collect(),
        Err(_) => Vec::new(),
    };
    names.sort();
    names
}

#[test]
fn every_chart_is_written_as_svg_and_png_of_the_stated_size() {
    let dir = tempfile::tempdir().unwrap();
    analyze(SMALL, dir.path(), &["--patterns", "3"]).success();
    for name in CHART_NAMES {
        let svg = fs::read_to_string(dir.path().join(format!("charts/{name}.svg"))).unwrap();
        let png = fs::read(dir.path().join(format!("charts/{name}.png"))).unwrap();
        assert!(svg.len() > 1000 && png.len() > 1000, "{name} is empty");
        let (w, h) = png_size(&png);
        assert_eq!((w, h), svg_size(&svg), "{name}: PNG and SVG sizes differ");
        assert!(w >= 1200, "{name}: {w} px is too narrow for a slide");
        assert!(h >= 400, "{name}: {h} px high");
        assert!(
            svg.contains("font-family=\"sans-serif\""),
            "{name}: no text?"
        );
    }
    assert_eq!(
        chart_files(dir.path()).len(),
        2 * CHART_NAMES.len(),
        "{:?}",
        chart_files(dir.path())
    );
}

#[test]
fn charts_and_html_are_byte_identical_across_runs() {
    let (a, b) = (tempfile::tempdir().unwrap(), tempfile::tempdir().unwrap());
    analyze(SMALL, a.path(), &["--patterns", "3"]).success();
    analyze(SMALL, b.path(), &["--patterns", "3"]).success();
    let mut names: Vec<String> = chart_files(a.path())
        .into_iter()
        .map(|n| format!("charts/{n}"))
        .collect();
    names.push("report.html".into());
    for name in names {
        let (x, y) = (
            fs::read(a.path().join(&name)).unwrap(),
            fs::read(b.path().join(&name)).unwrap(),
        );
        assert!(x == y, "{name} differs between two runs");
    }
}

#[test]
fn no_dates_skips_the_quarterly_and_trend_charts_with_a_note() {
    let dir = tempfile::tempdir().unwrap();
    analyze(NO_DATES, dir.path(), &["--patterns", "3"]).success();
    assert_eq!(
        chart_files(dir.path()),
        ["map.png", "map.svg", "patterns.png", "patterns.svg"],
        "no dates and no control column: only the size chart and the map"
    );
    let md = fs::read_to_string(dir.path().join("report.md")).unwrap();
    assert!(md.contains("no dates, so the quarterly chart"), "{md}");
    assert!(
        md.contains("no control column, so the control chart"),
        "{md}"
    );
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("no dates, so the quarterly chart"));
    assert!(!html.contains("id=\"chart-quarterly\""));
    assert!(html.contains("id=\"chart-patterns\"") && html.contains("id=\"chart-map\""));
}

#[test]
fn charts_flag_chooses_the_files_and_removes_stale_ones() {
    let dir = tempfile::tempdir().unwrap();
    analyze(SMALL, dir.path(), &["--patterns", "3"]).success();
    assert_eq!(chart_files(dir.path()).len(), 2 * CHART_NAMES.len());

    analyze(SMALL, dir.path(), &["--patterns", "3", "--charts", "svg"]).success();
    let names = chart_files(dir.path());
    assert_eq!(names.len(), CHART_NAMES.len(), "{names:?}");
    assert!(names.iter().all(|n| n.ends_with(".svg")), "{names:?}");

    analyze(SMALL, dir.path(), &["--patterns", "3", "--charts", "none"]).success();
    assert!(chart_files(dir.path()).is_empty());
    // The HTML report keeps its charts inline whatever files were asked for.
    let html = fs::read_to_string(dir.path().join("report.html")).unwrap();
    assert!(html.contains("id=\"chart-quarterly\"") && html.contains("<svg"));
    assert!(!html.contains("charts/quarterly.png"));

    analyze(SMALL, dir.path(), &["--patterns", "3", "--charts", "png"]).success();
    let names = chart_files(dir.path());
    assert!(
        names.len() == CHART_NAMES.len() && names.iter().all(|n| n.ends_with(".png")),
        "{names:?}"
    );
}

#[test]
fn a_bad_charts_value_is_a_parameter_error() {
    let dir = tempfile::tempdir().unwrap();
    analyze(SMALL, dir.path(), &["--charts", "jpg"])
        .code(2)
        .stderr(predicates::str::contains(
            "--charts: unknown chart format \"jpg\"",
        ));
    analyze(SMALL, dir.path(), &["--charts", "none,svg"])
        .code(2)
        .stderr(predicates::str::contains("cannot be combined"));
}

#[test]
fn big_logs_are_sampled_on_the_map_and_cut_in_the_html() {
    let dir = tempfile::tempdir().unwrap();
    let log = dir.path().join("big.csv");
    // The file `recur-gen --rows 12000 --seed 7 -o big.csv` writes.
    let params = recur_gen::SynthParams {
        rows: 12_000,
        seed: 7,
        ..Default::default()
    };
    generate_log(&log, &params);
    let out = dir.path().join("out");
    analyze(log.to_str().unwrap(), &out, &["--patterns", "6"]).success();
    let map = fs::read_to_string(out.join("charts/map.svg")).unwrap();
    let points = map.matches("<circle").count();
    assert!(
        (4_000..=5_200).contains(&points),
        "{points} points on the map"
    );
    let html = fs::read_to_string(out.join("report.html")).unwrap();
    assert!(html.contains("more (every entry's pattern is in assignments.csv)"));
    let rows = html.matches("<tr><td class=\"num\">").count();
    assert!(rows <= 7 * 50 + 7, "{rows} table rows");
    assert!(
        html.len() < 3_000_000,
        "report.html is {} bytes",
        html.len()
    );
}
