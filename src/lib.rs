//! recur: finds the recurring patterns in failure logs.
//!
//! # The big picture
//! A batch pipeline, one module per stage, each with one entry function and one typed output:
//!
//! 1. `ingest`    files → `Ingested` (records + rejects with file, line and reason)
//! 2. `text`      records → `Corpus` (normalized, stop-word-free, stemmed token streams, and
//!    each entry's tendency cues)
//! 3. `vectorize` corpus → `Vectors` (sparse TF-IDF with document-frequency bounds, phrases)
//! 4. `reduce`    vectors → `Projection` (randomized truncated SVD, fitted on a sample)
//! 5. `cluster`   projected vectors + tendency cues → `Clustering` (`cluster::guided`: tendencies
//!    said clearly and repeatedly seed patterns, the rest is clustered with linfa k-means and
//!    kept when it holds in resamples; `--patterns N` / `--no-lexicon`: k-means alone)
//! 6. `patterns`  clustering → `Patterns` (class-based TF-IDF labels, examples, lessons)
//! 7. `timeline`  patterns × dates → `Timeline` (counts per period, polars group-by, and each
//!    pattern's trend: new, rising, steady, fading, resolved or one-off)
//! 8. `chart`     patterns, timeline, vectors → charts/*.svg|png (plotters, embedded font)
//! 9. `report`    everything → report.md, report.html, patterns.json, assignments.csv, rejected.csv
//!
//! `run` below reads in that order. Large logs are handled by learning the projection and the
//! clusters from an order-free sample (`sample`) and then assigning every entry.
//!
//! `assign` places new entries with a saved `model` (`model::Placer` runs the text, vectorize,
//! reduce and cluster steps on one entry). Two helpers keep that per-entry path cheap and are
//! shared with `text`: `wordscan` finds the words of ASCII text with bit masks, and `wordmap` is
//! the per-word cache (words inline in an open-addressing table). `sorting` keeps std's sorts
//! instantiated here, not linked from the unoptimized polars crates (Cargo.toml).

pub mod assign;
pub mod breakdown;
pub mod chart;
pub mod cli;
pub mod cluster;
pub mod config;
pub mod continuity;
pub mod emerging;
pub mod error;
pub mod evaluate;
pub mod event;
pub mod ingest;
pub mod model;
pub mod output;
pub mod patterns;
pub mod record;
pub mod reduce;
pub mod report;
pub mod sample;
pub mod sanitize;
pub mod sorting;
pub mod tendency;
pub mod text;
pub mod timeline;
pub mod vectorize;
pub mod wordmap;
pub mod wordscan;

use config::Config;
use error::{Error, Result};
use event::{Event, Message, Observer, Stopwatch};
use report::{Renderer, Report};
use serde_json::json;
use tendency::Reader;

/// What a finished run tells its caller: the counts, what it told the observer, and where the
/// rejected rows went. Whether rejected rows make the run a failure (`--strict`, or every row
/// rejected) is the caller's decision.
#[derive(Debug, Clone)]
pub struct Outcome {
    pub rows_read: u64,
    pub rows_analyzed: usize,
    pub rows_rejected: usize,
    pub patterns: usize,
    pub unassigned: usize,
    /// Every message the observer was given, in order.
    pub messages: Vec<Message>,
    /// Where the rejected rows were written (`rejected.csv` in the output folder).
    pub rejected_file: std::path::PathBuf,
    /// The first three rejects as `file line N: reason`.
    pub first_reasons: String,
}

impl Outcome {
    /// Every row read was rejected (a header-only log is not: it is a valid empty log).
    pub fn all_rejected(&self) -> bool {
        self.rows_read > 0 && self.rows_rejected as u64 == self.rows_read
    }
}

/// Rows the SVD is fitted on at most.
const SVD_SAMPLE: usize = 20_000;

/// How long a run waits for another run that is writing the same output folder.
pub const LOCK_WAIT: std::time::Duration = std::time::Duration::from_secs(60);

/// Runs the whole analysis and writes every output into `config.out`: first into a private
/// staging folder inside it, then published as one set (`output::staging`). `observer` hears
/// of a busy output folder, each finished stage and every message as they happen.
/// The guided grouping, unless one tendency takes most of a large log the reader does not read
/// clearly (`cluster::guided::one_tendency_takes_the_log`): that says what the log is about,
/// not a tendency that recurs in it, so the log's own words (`words`) group it instead, when
/// they find structure; `KSelection::set_aside` records why.
fn unless_one_tendency_takes_it(
    guided: cluster::Clustering,
    config: &Config,
    words: impl FnOnce() -> Result<cluster::Clustering>,
) -> Result<cluster::Clustering> {
    let read_clearly = guided
        .reader_clarity
        .is_some_and(|c| c >= cluster::rule::READER_DECIDES_CLARITY);
    let Some((t, share)) =
        cluster::guided::one_tendency_takes_the_log(&guided).filter(|_| !read_clearly)
    else {
        return Ok(guided);
    };
    let mut free = words()?;
    if !free.selection.structured || free.k < 2 {
        return Ok(guided);
    }
    let name = config.tendencies.get(t).map(|t| t.name.clone());
    free.selection.set_aside = Some((name.unwrap_or_else(|| "one tendency".into()), share));
    Ok(free)
}

pub fn run(config: &Config, observer: &mut dyn Observer) -> Result<Outcome> {
    // First, so an unusable --out (a regular file, busy with another run) fails before the
    // analysis.
    let staging = output::staging::Staging::begin(&config.out, LOCK_WAIT, || {
        observer.event(Event::Waiting {
            out: &config.out,
            limit: LOCK_WAIT,
        })
    })?;
    let out = staging.dir();
    // Before the analysis, so a bad model file fails fast.
    let previous = match &config.previous {
        Some(p) => Some(model::Placer::new(model::load(p)?)),
        None => None,
    };
    let mut timings = Stopwatch::start();
    let ingested = ingest::ingest(&config.ingest)?;
    if let Some(review) = config.review {
        // Before the analysis, so a wrong --review fails fast.
        timeline::check_review(&ingested.records, &config.period, review)?;
    }
    let messages = event::ingest_messages(&ingested, true, false);
    for m in &messages {
        observer.event(Event::Message(m));
    }
    timings.lap("read", observer);
    let records = &ingested.records;
    let corpus = text::analyze(
        records,
        &text::TextParams {
            language: config.language.clone(),
            roles: config.text_roles.clone(),
            matcher: Some(std::sync::Arc::new(tendency::Matcher::new(
                &config.tendencies,
                &config.language,
            ))),
        },
    );
    timings.lap("normalize+stem", observer);
    let vectors = vectorize::vectorize(&corpus, &config.vectorize);
    timings.lap("vectorize", observer);
    let cluster_params = &config.cluster;
    let sample = sample::sample(
        &corpus,
        cluster_params.fit_sample().max(SVD_SAMPLE),
        config.seed,
    );
    let svd_rows = &sample[..sample.len().min(SVD_SAMPLE)];
    let projection = reduce::fit(&vectors, svd_rows, &config.reduce)?;
    timings.lap("reduce", observer);
    // The learned reader reads English only, and logs up to `READER_MAX_ENTRIES` (larger ones
    // have word statistics of their own); its tendencies are matched to the run's by id.
    let reader = (config.reader
        && config.language.name == "english"
        && records.len() <= tendency::reader::READER_MAX_ENTRIES)
        .then(|| {
            let base = config.reader_file.clone().unwrap_or_else(Reader::builtin);
            base.for_run(&config.tendencies)
        });
    let read = |i: usize| {
        let reader = reader.as_ref()?;
        reader.read_record(&records[i], &config.text_roles)
    };
    // For a small log, what the reader reads in the same words shuffled (its own structure
    // test), over 32 shuffles; computed only if the cues see no structure.
    let null = || {
        let fields: Vec<Vec<&str>> = records
            .iter()
            .map(|rec| {
                config
                    .text_roles
                    .iter()
                    .map(|&role| rec.field(role))
                    .collect()
            })
            .collect();
        reader.as_ref().map_or_else(Default::default, |r| {
            r.shuffled(&fields, cluster::rule::READER_ALONE_P, 32, config.seed)
        })
    };
    let reader_input = reader.as_ref().map(|_| cluster::guided::ReaderInput {
        read: &read,
        null: (records.len() <= cluster::rule::READER_ALONE_MAX)
            .then_some(&null as &(dyn Fn() -> tendency::reader::Shuffled + Sync)),
    });
    let clustering = match (&corpus.cues, cluster_params.k()) {
        (Some(cues), cluster::KChoice::Auto) if config.lexicon => {
            let guided = cluster::guided::cluster(
                &vectors,
                &projection,
                &sample,
                cues,
                cluster_params,
                reader_input.as_ref(),
            )?;
            unless_one_tendency_takes_it(guided, config, || {
                cluster::cluster(&vectors, &projection, &sample, &config.cluster)
            })?
        }
        _ => cluster::cluster(&vectors, &projection, &sample, &config.cluster)?,
    };
    let mut clustering = clustering;
    // With --previous: stable ids (the labels become them, with gaps for ids not seen).
    let matching = previous.as_ref().map(|prev| {
        let m =
            continuity::match_previous(prev, records, &corpus, &vectors, &projection, &clustering);
        continuity::relabel(&mut clustering, &m.ids);
        m
    });
    timings.lap("cluster", observer);
    let pattern_params = patterns::PatternParams {
        text_roles: config.text_roles.clone(),
        ..Default::default()
    };
    let mut found = patterns::describe(records, &corpus, &vectors, &clustering, &pattern_params);
    if matching.is_some() {
        // Ids no pattern of this run has are empty; the others are listed largest first.
        found.patterns.retain(|p| p.size > 0);
        found
            .patterns
            .sort_by(|a, b| b.size.cmp(&a.size).then(a.id.cmp(&b.id)));
    }
    // Why the entries the reader placed belong: the words it read in them.
    let readings = reader.as_ref().map(|reader| tendency::Readings {
        reader,
        read: &clustering.read,
        records,
        roles: &config.text_roles,
        decides: clustering.rule.reader.as_ref().is_some_and(|u| u.decides),
        clarity: clustering.reader_clarity,
    });
    tendency::name(
        &mut found.patterns,
        &clustering,
        corpus.cues.as_ref(),
        &config.tendencies,
        &config.language,
        readings.as_ref(),
    );
    if let Some(m) = &matching {
        // A continued pattern keeps its name.
        for p in &mut found.patterns {
            let l = m.ids.iter().position(|&id| id == p.id);
            if let Some(Some(name)) = l.map(|l| &m.previous_label[l]) {
                p.label = name.clone();
            }
        }
    }
    sanitize::patterns(&mut found);
    timings.lap("label", observer);
    let evaluation = config.ingest.columns.truth.as_ref().map(|_| {
        let (truth, predicted): (Vec<&str>, Vec<u32>) = records
            .iter()
            .zip(&clustering.labels)
            .filter(|(r, _)| !r.truth.is_empty())
            .map(|(r, &l)| (&*r.truth, l))
            .unzip();
        evaluate::evaluate(&truth, &predicted)
    });

    let mut timeline = timeline::build(records, &clustering.labels, clustering.k, &config.period)?
        .map(|t| t.with_trends(records, &clustering.labels, &config.trend, config.review))
        .transpose()?;
    if let Some(t) = timeline.as_mut() {
        t.emerging = emerging::find(
            records,
            &clustering.labels,
            &corpus,
            &vectors,
            t,
            clustering.k,
        );
    }
    timings.lap("aggregate", observer);

    let mut notes = Vec::new();
    if let (Some(m), Some(path)) = (&matching, &config.previous) {
        notes.extend(continuity_notes(m, &found, path));
    }
    if records.is_empty() {
        notes.push(no_entries_note(&ingested));
    } else if vectors.n_terms() == 0 && records.len() >= report::SMALL_LOG {
        // (A small log is called small below: there every word is rare.)
        notes.push(no_terms_note(config, records.len()));
    } else if !clustering.selection.structured || clustering.k == 0 {
        notes.push(if records.len() < report::SMALL_LOG && matches!(clustering.selection.method, "tendencies" | "log prior") {
            format!(
                "Too few entries to see a pattern (need ~{}): no tendency recurs in {} or more of the {} entries more clearly than in the same words shuffled at random.",
                report::SMALL_LOG,
                cluster::guided::MIN_SUPPORT,
                records.len()
            )
        } else {
            "No clear structure: the entries do not fall into distinct groups.".to_string()
        });
    }
    let charts = if config.charts.any() || config.formats.html {
        let input = chart::ChartInput {
            records,
            patterns: &found,
            labels: &clustering.labels,
            timeline: timeline.as_ref(),
            has_control: event::has_control(&ingested),
            map: Some(chart::MapInput {
                corpus: &corpus,
                vectors: &vectors,
                projection: &projection,
                seed: config.seed,
            }),
        };
        Some(chart::render(&input, out, config.charts).map_err(|e| staging.public_error(e))?)
    } else {
        None
    };
    // With no entries, which charts were skipped for want of dates or a control column is noise.
    if !records.is_empty() {
        notes.extend(charts.iter().flat_map(|c| c.notes.iter().cloned()));
    }
    timings.lap("charts", observer);
    let report = Report {
        ingested: &ingested,
        records,
        patterns: &found,
        selection: &clustering.selection,
        evaluation,
        timeline: timeline.as_ref(),
        charts: charts.as_ref(),
        parameters: parameters(config, &vectors, &projection, records.len()),
        notes,
        blameless: config.blameless,
        cues: corpus.cues.as_ref(),
        readings,
        breakdown: Default::default(),
    };
    write_outputs(config, out, &report, &clustering.labels).map_err(|e| staging.public_error(e))?;
    drop(report);
    if let Some(path) = &config.save_model {
        let ids: Vec<u32> = (1..=clustering.k as u32).collect();
        let next_id = matching
            .as_ref()
            .map_or(clustering.k as u32 + 1, |m| m.next_id);
        let model = model::Model::from_run(model::RunParts {
            config,
            records,
            corpus: &corpus,
            vectors: &vectors,
            projection: &projection,
            clustering: &clustering,
            patterns: &found,
            shown_ids: &ids,
            next_id,
            reader: reader.as_ref().map(|r| &r.reader),
        });
        save_model(path, &model.encode())?;
    }
    staging.publish()?;
    timings.lap("render", observer);

    let outcome = Outcome {
        rows_read: ingested.rows_read,
        rows_analyzed: ingested.records.len(),
        rows_rejected: ingested.rejects.len(),
        patterns: found.patterns.len(),
        unassigned: found.unassigned.as_ref().map_or(0, |p| p.size),
        messages,
        rejected_file: config.out.join("rejected.csv"),
        first_reasons: event::first_reasons(&ingested),
    };
    // Freeing a million records and their token streams takes a noticeable part of a second;
    // nothing waits for it, so it happens on a thread of its own.
    std::thread::spawn(move || drop((ingested, corpus, vectors, clustering, found, timeline)));
    Ok(outcome)
}

fn parameters(
    config: &Config,
    vectors: &vectorize::Vectors,
    projection: &reduce::Projection,
    n: usize,
) -> serde_json::Value {
    let c = &config.cluster;
    json!({
        "patterns": match c.k() { cluster::KChoice::Auto => json!("auto"), cluster::KChoice::Fixed(k) => json!(k) },
        "seed": config.seed,
        "language": config.language.name,
        "text": config.text_roles.iter().map(|r| r.name()).collect::<Vec<_>>(),
        "min_df": config.vectorize.min_df(n),
        "max_df": config.vectorize.max_df(),
        "phrases": config.vectorize.bigrams(),
        "terms": vectors.n_terms(),
        "dimensions": projection.dims,
        "outliers": c.outliers(),
        "outlier_similarity": c.outlier_similarity(),
    })
}

/// Writes the reports and CSV files into `out` (the run's staging folder: files of earlier
/// runs that this run does not write are removed when it is published).
fn write_outputs(
    config: &Config,
    out: &std::path::Path,
    report: &Report,
    labels: &[u32],
) -> Result<()> {
    let mut renderers: Vec<Box<dyn Renderer>> = Vec::new();
    if config.formats.markdown {
        renderers.push(Box::new(report::Markdown));
    }
    if config.formats.html {
        renderers.push(Box::new(report::Html));
    }
    if config.formats.json {
        renderers.push(Box::new(report::Json));
    }
    for r in &renderers {
        output::write_atomic(out, r.file_name(), |w| r.render(report, w))?;
    }
    output::write_atomic(out, "assignments.csv", |w| {
        report::write_assignments(report, labels, w)
    })?;
    if !report.ingested.rejects.is_empty() {
        output::write_atomic(out, "rejected.csv", |w| {
            report::write_rejected(report.ingested, w)
        })?;
    }
    Ok(())
}

/// The report's lines on `--previous`: which patterns continued, which are new, which are no
/// longer seen.
fn continuity_notes(
    m: &continuity::Matching,
    found: &patterns::Patterns,
    path: &std::path::Path,
) -> Vec<String> {
    let name = |id: u32| {
        found
            .patterns
            .iter()
            .find(|p| p.id == id)
            .map_or(String::new(), |p| p.label.clone())
    };
    let list = |ids: &mut dyn Iterator<Item = (u32, String)>| {
        let v: Vec<String> = ids.map(|(id, l)| format!("{id}. {l}")).collect();
        if v.is_empty() {
            "none".to_string()
        } else {
            v.join("; ")
        }
    };
    vec![
        format!(
            "Compared with the previous model {}: pattern ids and names carry over.",
            path.display()
        ),
        format!(
            "Continued: {}.",
            list(&mut m.continued.iter().map(|&(id, _)| (id, name(id))))
        ),
        format!(
            "New: {}.",
            list(
                &mut m
                    .new
                    .iter()
                    .filter(|&&id| !name(id).is_empty())
                    .map(|&id| (id, name(id)))
            )
        ),
        format!("No longer seen: {}.", list(&mut m.gone.iter().cloned())),
    ]
}

/// Writes a model file atomically (a temporary file beside it, renamed over it).
fn save_model(path: &std::path::Path, bytes: &[u8]) -> Result<()> {
    let dir = match path.parent() {
        Some(d) if !d.as_os_str().is_empty() => d,
        _ => std::path::Path::new("."),
    };
    let name = path
        .file_name()
        .and_then(|n| n.to_str())
        .ok_or_else(|| Error::Param(format!("--save-model {}: not a file name", path.display())))?;
    output::write_bytes(dir, name, bytes)?;
    Ok(())
}

/// The note for a log with nothing left to analyze (only a header, every row outside the
/// `--since`/`--until` window, or every row rejected).
pub(crate) fn no_entries_note(ingested: &ingest::Ingested) -> String {
    let (read, outside, rejected) = (
        ingested.rows_read,
        ingested.rows_out_of_range,
        ingested.rejects.len() as u64,
    );
    if read == 0 {
        "No entries to analyze: the input has a header but no rows.".to_string()
    } else if outside == read {
        format!(
            "No entries to analyze: all {read} rows are dated outside the --since/--until window."
        )
    } else if rejected == read {
        format!("No entries to analyze: all {read} rows were rejected (reasons in rejected.csv).")
    } else {
        format!(
            "No entries to analyze: of {read} rows, {outside} are dated outside the --since/--until window and {rejected} were rejected (reasons in rejected.csv)."
        )
    }
}

/// The note for entries none of whose words can be compared: every word is a stop word, or
/// too rare or too common (200 copies of one line), or not a word of the language's alphabet.
fn no_terms_note(config: &Config, n: usize) -> String {
    format!(
        "No terms survive to compare the {n} entries: after removing {} stop words, every remaining word is in more than {:.0}% of the entries or in fewer than {} (identical entries, text in another language or script than --lang {}), so they cannot be told apart.",
        config.language.name,
        config.vectorize.max_df() * 100.0,
        config.vectorize.min_df(n),
        config.language.name,
    )
}
