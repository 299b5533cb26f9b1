//! Shows which tendency cues recur finds in each entry of a CSV log (a developer's tool for
//! checking the lexicon): `cargo run --release --example cues -- LOG.csv [TAG_COLUMN]`.
//! Prints per entry its tag (when a tag column is given), the best tendency and its score, the
//! runner-up's score, whether the entry is a seed, and the cues found. With `CUES_READER=1`:
//! per entry the learned reader's reading (tendency, probability, runner-up) beside the cues' best
//! tendency; with `CUES_READER_ALL=1` too, the tag and every tendency's reader probability and cue
//! score, tab-separated (for trying other ways to combine the two).

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
    if std::env::var_os("CUES_READER").is_some() {
        // One line per entry: tag, the learned reader's reading (tendency and probability),
        // its runner-up, and the cues' best tendency.
        let reader = recur::tendency::reader::Reader::builtin().for_run(&list);
        let roles = [Role::RootCause, Role::Lesson, Role::BehavioralChange];
        for (i, rec) in records.iter().enumerate() {
            let r = reader.read_record(rec, &roles);
            let (top, p, second, p2) = r.map_or(("-", 0.0, "-", 0.0), |r| {
                let mut order: Vec<usize> = (0..r.probs.len()).collect();
                order.sort_by(|&a, &b| r.probs[b].total_cmp(&r.probs[a]));
                let name = |t: usize| list.get(t).map_or("-", |x| x.id.as_str());
                (name(r.tendency), r.p, name(order[1]), r.probs[order[1]])
            });
            let m = &cues.matches[i];
            if std::env::var_os("CUES_READER_ALL").is_some() {
                // Tag, then per tendency (list order) the reader's probability and the cue score.
                let mut scores = Vec::new();
                matcher.score(cues.found.doc(i), &recur::text::FIELD_WEIGHTS, &mut scores);
                let probs = reader
                    .read_record(rec, &roles)
                    .map_or(vec![0.0; list.len()], |r| r.probs);
                let cells: Vec<String> = (0..list.len())
                    .map(|t| format!("{:.4}:{:.3}", probs.get(t).unwrap_or(&0.0), scores[t]))
                    .collect();
                println!("{}\t{}", tags[i], cells.join("\t"));
                continue;
            }
            let best = list.get(m.best as usize).map_or("-", |t| t.id.as_str());
            println!(
                "{:>3} {:14} {} reader {:14} {:4.2}  then {:14} {:4.2}  cues {:14} {:4.2}",
                i + 1,
                tags[i],
                if top == tags[i] { "=" } else { " " },
                top,
                p,
                second,
                p2,
                best,
                m.score
            );
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
