//! Criterion benchmarks, one per pipeline stage, on a generated 5,000-entry log.
//! Run: `cargo bench --bench stages`. Speed is measured here, never asserted in tests.

use criterion::{criterion_group, criterion_main, Criterion};
use recur::cluster::{cluster, ClusterParams};
use recur::ingest::{ingest, IngestConfig, Source};
use recur::patterns::{describe, PatternParams};
use recur::record::Role;
use recur::reduce::{fit, ReduceParams};
use recur::sample::sample;
use recur::text::{analyze, Language, TextParams};
use recur::vectorize::{vectorize, VectorParams};
use recur_gen::{write_csv, SynthParams};
use std::hint::black_box;

fn stages(c: &mut Criterion) {
    let dir = tempfile::tempdir().expect("temp dir");
    let path = dir.path().join("log.csv");
    let file = std::fs::File::create(&path).expect("create");
    write_csv(
        &SynthParams {
            rows: 5_000,
            ..Default::default()
        },
        std::io::BufWriter::new(file),
    )
    .expect("generate");
    let roles = vec![Role::RootCause, Role::Lesson, Role::BehavioralChange];
    let cfg = IngestConfig {
        sources: vec![Source::Path(path)],
        text_roles: roles.clone(),
        ..Default::default()
    };
    let text = TextParams {
        language: Language::new("english").expect("english"),
        roles,
        matcher: None,
    };
    let vparams = VectorParams::default().check().expect("params");
    let rparams = ReduceParams::default().check().expect("params");
    let cparams = ClusterParams::default().check().expect("params");

    c.bench_function("ingest 5k csv", |b| {
        b.iter(|| ingest(black_box(&cfg)).expect("ingest"))
    });
    let ingested = ingest(&cfg).expect("ingest");
    let records = &ingested.records;
    c.bench_function("normalize+stem 5k", |b| {
        b.iter(|| analyze(black_box(records), &text))
    });
    let corpus = analyze(records, &text);
    c.bench_function("vectorize 5k", |b| {
        b.iter(|| vectorize(black_box(&corpus), &vparams))
    });
    let vectors = vectorize(&corpus, &vparams);
    let rows = sample(&corpus, 20_000, 42);
    c.bench_function("reduce (randomized SVD) 5k", |b| {
        b.iter(|| fit(black_box(&vectors), &rows, &rparams).expect("svd"))
    });
    let projection = fit(&vectors, &rows, &rparams).expect("svd");
    let mut group = c.benchmark_group("cluster");
    group.sample_size(10);
    group.bench_function("cluster auto 5k", |b| {
        b.iter(|| cluster(black_box(&vectors), &projection, &rows, &cparams).expect("cluster"))
    });
    group.finish();
    let clustering = cluster(&vectors, &projection, &rows, &cparams).expect("cluster");
    let pparams = PatternParams::default();
    c.bench_function("label 5k", |b| {
        b.iter(|| describe(records, &corpus, &vectors, black_box(&clustering), &pparams))
    });

    // `recur assign`'s per-entry work: a model saved by analyze, then each entry placed (words,
    // cues, terms, projection, the assignment rule) on one thread.
    use clap::Parser;
    let model_path = dir.path().join("m.rcm");
    let args: Vec<std::ffi::OsString> = vec![
        "recur".into(),
        "analyze".into(),
        dir.path().join("log.csv").into(),
        "-o".into(),
        dir.path().join("out").into(),
        "--save-model".into(),
        model_path.clone().into(),
        "-q".into(),
        "--charts".into(),
        "none".into(),
    ];
    let recur::cli::Command::Analyze(a) = recur::cli::Cli::try_parse_from(args)
        .expect("arguments")
        .command
    else {
        unreachable!("an analyze command")
    };
    recur::run(
        &a.resolve().expect("config"),
        &mut |_: recur::event::Event| {},
    )
    .expect("analyze");
    let placer = recur::model::Placer::new(recur::model::load(&model_path).expect("model"));
    let mut scratch = placer.scratch();
    c.bench_function("assign: place 5k", |b| {
        b.iter(|| {
            for r in records {
                black_box(placer.place(black_box(r), &mut scratch));
            }
        })
    });
}

criterion_group!(benches, stages);
criterion_main!(benches);
