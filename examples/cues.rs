//! Shows which tendency cues recur finds in each entry of a CSV log (a developer's tool for
//! checking the lexicon): `cargo run --release --example cues -- LOG.csv [TAG_COLUMN]`.
//! Prints per entry its tag (when a tag column is given), the best tendency and its score, the
//! runner-up's score, whether the entry is a seed, and the cues found.

use recur::record::{Record, Role};
use recur::tendency::{builtin, Matcher};
use recur::text::{analyze, Language, TextParams};
use std::sync::Arc;

fn main() -> anyhow::Result<()> {
    let args: Vec<String> = std::env::args().skip(1).collect();
    let path = args
        .first()
        .ok_or_else(|| anyhow::anyhow!("usage: cues LOG.csv [TAG]"))?;
    let tag = args.get(1).cloned().unwrap_or_else(|| "tendency".into());
    let mut rdr = csv::Reader::from_path(path)?;
    let headers = rdr.headers()?.clone();
    let col = |name: &str| headers.iter().position(|h| h == name);
    let (rc, le, bc, tg) = (
        col("root_cause"),
        col("lesson"),
        col("behavioral_change"),
        col(&tag),
    );
    let mut records = Vec::new();
    let mut tags = Vec::new();
    for row in rdr.records() {
        let row = row?;
        let get = |c: Option<usize>| c.and_then(|c| row.get(c)).unwrap_or("").to_string();
        records.push(Record {
            root_cause: get(rc).into(),
            lesson: get(le).into(),
            behavioral_change: get(bc).into(),
            ..Default::default()
        });
        tags.push(get(tg));
    }
    let lang = Language::new("english")?;
    let list = builtin();
    let matcher = Arc::new(Matcher::new(&list, &lang));
    let corpus = analyze(
        &records,
        &TextParams {
            language: lang,
            roles: vec![Role::RootCause, Role::Lesson, Role::BehavioralChange],
            matcher: Some(matcher.clone()),
        },
    );
    let cues = corpus.cues.expect("matcher given");
    if std::env::var_os("CUES_GATE").is_some() {
        // The two structure tests' numbers: strong seeds and their shuffled count, and the
        // concentration ratio.
        let scores = recur::cluster::prior::Scores::of(&cues);
        let all: Vec<usize> = (0..cues.matches.len()).collect();
        let strong = recur::cluster::prior::strong_seeds(&cues, &all);
        let phrases = recur::cluster::prior::phrase_entries(&cues, &all);
        println!(
            "strong {strong} null {:.3} ratio {:.3} n {} phrases {phrases} null {:.3}",
            cues.null_strong.iter().sum::<f64>(),
            recur::cluster::prior::concentration_ratio(&cues, &scores),
            cues.matches.len(),
            cues.null_phrases
        );
        return Ok(());
    }
    if std::env::var_os("CUES_SCORES").is_some() {
        // One line per entry: tag, then every tendency's score (list order), tab-separated.
        let mut scores = Vec::new();
        println!(
            "tag\t{}",
            list.iter()
                .map(|t| t.id.as_str())
                .collect::<Vec<_>>()
                .join("\t")
        );
        for (i, _) in cues.matches.iter().enumerate() {
            matcher.score(cues.found.doc(i), &recur::text::FIELD_WEIGHTS, &mut scores);
            let s: Vec<String> = scores.iter().map(|v| format!("{v:.3}")).collect();
            println!("{}\t{}", tags[i], s.join("\t"));
        }
        return Ok(());
    }
    let mut right = 0;
    let mut seeds = 0;
    for (i, m) in cues.matches.iter().enumerate() {
        let best = list.get(m.best as usize).map_or("-", |t| t.id.as_str());
        let seed = m.confident().is_some();
        seeds += usize::from(seed);
        right += usize::from(seed && best == tags[i]);
        let found: Vec<String> = cues
            .found
            .doc(i)
            .iter()
            .map(|&x| {
                let c = &matcher.cues[(x & 0x00FF_FFFF) as usize];
                format!("{}:{}@{}", list[c.tendency as usize].id, c.text, x >> 24)
            })
            .collect();
        println!(
            "{:>3} {:14} {} {:14} {:4.2} {:4.2}  {}",
            i + 1,
            tags[i],
            if seed { "*" } else { " " },
            best,
            m.score,
            m.second,
            found.join(" | ")
        );
    }
    println!(
        "{seeds} seeds of {} entries, {right} with the tag's tendency; null: {:?} strong: {:?}",
        records.len(),
        cues.null,
        cues.null_strong
    );
    Ok(())
}
