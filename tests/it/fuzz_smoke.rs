//! A deterministic, stable-toolchain stand-in for `fuzz/`: a few thousand random and mutated
//! inputs (seeded RNG) through the same public entry points the fuzz targets use — ingest as
//! CSV, JSON and JSON Lines, date parsing, text normalization. Nothing may panic, and what the
//! parsers return must keep ingest's accounting invariant.

use rand::rngs::StdRng;
use rand::{Rng, SeedableRng};
use recur::ingest::{ingest, ingest_bytes, parse_date, Format, IngestConfig, ReadSizes, Source};
use recur::record::Role;
use std::path::Path;

const INPUTS: usize = 2_000;

/// Bytes that matter to the parsers, to splice in.
const TOKENS: &[&[u8]] = &[
    b"\"",
    b"\"\"",
    b",",
    b";",
    b"\t",
    b"\n",
    b"\r\n",
    b"\r",
    b"\xEF\xBB\xBF",
    b"{",
    b"}",
    b"[",
    b"]",
    b":",
    b"null",
    b"\\",
    b"\\u0000",
    b"\xff",
    b"\xc3",
    b"\xe2\x82",
    b"2025-02-30",
    b"2025-01-01T25:61:00Z",
    b"9999-12-31",
    b"0000-00-00",
    b"\0",
    b"=1+1",
    b"\xF0\x9F\x98\xAC",
    b"{\"root_cause\": \"x\"}",
    b"[{\"cause\": 1}]",
    b"root_cause",
    b"date",
    b"   ",
];

fn seeds() -> Vec<Vec<u8>> {
    let dir = Path::new(env!("CARGO_MANIFEST_DIR")).join("tests/data");
    let mut seeds: Vec<Vec<u8>> = std::fs::read_dir(&dir)
        .unwrap()
        .map(|e| e.unwrap().path())
        .filter(|p| p.is_file())
        .map(|p| std::fs::read(p).unwrap())
        .collect();
    seeds.sort();
    seeds.push(b"date,root_cause\n\"unterminated,x\n2025-01-01,y\n".to_vec());
    seeds.push(b"root_cause\n\n\n".to_vec());
    seeds.push(b"[]".to_vec());
    seeds.push(b"[{}]".to_vec());
    seeds
}

fn mutate(rng: &mut StdRng, seeds: &[Vec<u8>]) -> Vec<u8> {
    if rng.gen_ratio(1, 10) {
        let n = rng.gen_range(0..200);
        return (0..n).map(|_| rng.gen()).collect();
    }
    let mut b = seeds[rng.gen_range(0..seeds.len())].clone();
    for _ in 0..rng.gen_range(1..8) {
        let at = if b.is_empty() {
            0
        } else {
            rng.gen_range(0..=b.len())
        };
        match rng.gen_range(0..6) {
            0 if !b.is_empty() => {
                let i = rng.gen_range(0..b.len());
                b[i] ^= 1 << rng.gen_range(0..8);
            }
            1 => {
                let t = TOKENS[rng.gen_range(0..TOKENS.len())];
                b.splice(at..at, t.iter().copied());
            }
            2 if !b.is_empty() => {
                let end = (at + rng.gen_range(0..16)).min(b.len());
                b.drain(at.min(end)..end);
            }
            3 => b.truncate(at),
            4 if !b.is_empty() => {
                // Duplicate a chunk (repeats rows, quotes, brackets).
                let start = rng.gen_range(0..b.len());
                let end = (start + rng.gen_range(1..64)).min(b.len());
                let chunk = b[start..end].to_vec();
                b.splice(at..at, chunk);
            }
            _ => {
                let other = &seeds[rng.gen_range(0..seeds.len())];
                let from = rng.gen_range(0..=other.len());
                b.truncate(at);
                b.extend_from_slice(&other[from..]);
            }
        }
    }
    b
}

fn check_ingest(path: &Path, format: Format, bytes: &[u8]) {
    let cfg = IngestConfig {
        sources: vec![Source::Path(path.to_path_buf())],
        format: Some(format),
        text_roles: vec![Role::RootCause],
        ..Default::default()
    };
    let result = std::panic::catch_unwind(|| ingest(&cfg));
    let got = match result {
        Ok(Ok(got)) => got,
        Ok(Err(_)) => return,
        Err(_) => panic!(
            "ingest panicked as {format:?} on {:?}",
            String::from_utf8_lossy(bytes)
        ),
    };
    let ctx = || format!("{format:?}: {:?}", String::from_utf8_lossy(bytes));
    assert_eq!(
        got.rows_read,
        (got.records.len() + got.rejects.len()) as u64 + got.rows_out_of_range + got.rows_duplicate,
        "{}",
        ctx()
    );
    let min_line = if format == Format::Csv { 2 } else { 1 };
    for r in &got.rejects {
        assert!(!r.reason.is_empty(), "{}", ctx());
        let n = r.position.number();
        assert!(n >= min_line, "reject at {}: {}", r.position, ctx());
        // A reject names its place the way its file counts them: records in a JSON array.
        let format = got.files[r.file as usize].format;
        assert_eq!(r.position, format.position(n), "{}", ctx());
    }
    for r in &got.records {
        assert!(r.line >= min_line, "record at line {}: {}", r.line, ctx());
        assert!(!r.root_cause.trim().is_empty(), "{}", ctx());
    }
    // Lines follow the file: rows come out in input order.
    let mut lines: Vec<u64> = got.records.iter().map(|r| r.line).collect();
    lines.extend(got.rejects.iter().map(|r| r.position.number()));
    let mut rows: Vec<(u64, u64)> = got.records.iter().map(|r| (r.row, r.line)).collect();
    rows.sort();
    assert!(
        rows.windows(2).all(|w| w[0].1 < w[1].1),
        "lines out of order: {rows:?} {}",
        ctx()
    );
    // Reading in tiny blocks and chunks (every boundary falls somewhere new) changes nothing.
    let name = path.display().to_string();
    for (block, chunk) in [(1, 1), (7, 3), (64, 16)] {
        let small = ingest_bytes(&cfg, &name, bytes, ReadSizes { block, chunk })
            .unwrap_or_else(|e| panic!("{e} with block {block}, chunk {chunk}: {}", ctx()));
        assert_eq!(
            format!("{small:?}"),
            format!("{got:?}"),
            "block {block}, chunk {chunk}: {}",
            ctx()
        );
    }
    // CSV ends lines at LF, CRLF and a lone CR; JSON Lines at LF only.
    let newlines = bytes
        .iter()
        .enumerate()
        .filter(|&(i, &b)| {
            b == b'\n' || (format == Format::Csv && b == b'\r' && bytes.get(i + 1) != Some(&b'\n'))
        })
        .count() as u64;
    if format != Format::Json {
        assert!(
            lines.iter().all(|&l| l <= newlines + 1),
            "line past the end: {lines:?} {}",
            ctx()
        );
    }
}

#[test]
fn random_inputs_never_panic_ingest() {
    let seeds = seeds();
    let mut rng = StdRng::seed_from_u64(0x5eed_2025);
    let dir = tempfile::tempdir().unwrap();
    let path = dir.path().join("input");
    for _ in 0..INPUTS {
        let bytes = mutate(&mut rng, &seeds);
        std::fs::write(&path, &bytes).unwrap();
        for format in [Format::Csv, Format::Json, Format::Jsonl] {
            check_ingest(&path, format, &bytes);
        }
    }
}

fn random_text(rng: &mut StdRng) -> String {
    const PIECES: &[&str] = &[
        "2025",
        "-",
        "/",
        "02",
        "30",
        "T",
        " ",
        "12:30",
        ":00",
        ".123",
        "Z",
        "+02:00",
        "é",
        "９",
        "İ",
        "ß",
        "ﬁ",
        "’",
        "http://x.y/z",
        "www.a.b",
        "a@b.co",
        "42",
        "3.14",
        "\u{0301}",
        "\u{200b}",
        "\u{feff}",
        "\u{1F600}",
        "Ⅻ",
        "\n",
        "\t",
        "A",
        "e\u{301}",
        "ǅ",
        "ﬀ",
    ];
    let n = rng.gen_range(0..12);
    let mut s = String::new();
    for _ in 0..n {
        if rng.gen_ratio(1, 4) {
            s.push(char::from_u32(rng.gen_range(0..0x3_0000)).unwrap_or('?'));
        } else {
            s.push_str(PIECES[rng.gen_range(0..PIECES.len())]);
        }
    }
    s
}

#[test]
fn random_dates_never_panic() {
    let mut rng = StdRng::seed_from_u64(7);
    let formats = [
        None,
        Some("%d.%m.%Y"),
        Some("%m/%d/%Y %H:%M"),
        Some("%Y-%j"),
        Some("%"),
        Some("%Q%"),
    ];
    for _ in 0..INPUTS {
        let s = random_text(&mut rng);
        for f in formats {
            if let Ok(d) = parse_date(&s, f) {
                // An accepted date without a user format is written as that date.
                if f.is_none() {
                    let t = s.trim();
                    assert!(
                        t.starts_with(&d.format("%Y-%m-%d").to_string())
                            || t.starts_with(&d.format("%Y/%m/%d").to_string()),
                        "{s:?} → {d}"
                    );
                }
            }
        }
    }
}

#[test]
fn normalize_is_idempotent_on_random_text() {
    let mut rng = StdRng::seed_from_u64(11);
    for _ in 0..INPUTS {
        let s = random_text(&mut rng);
        let once = recur::text::normalize(&s);
        assert_eq!(recur::text::normalize(&once), once, "input {s:?}");
        assert!(
            !once.starts_with(' ') && !once.ends_with(' ') && !once.contains("  "),
            "{once:?}"
        );
    }
}
