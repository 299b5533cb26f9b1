//! `patterns.json`: the whole analysis for scripts. Keys keep a fixed order; numbers are rounded
//! (shares and scores to 4 decimals) so the file is stable and readable.

use super::{Renderer, Report};
use crate::patterns::{Counted, Pattern};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

pub struct Json;

pub fn round4(x: f64) -> f64 {
    if x.is_finite() {
        (x * 10_000.0).round() / 10_000.0
    } else {
        0.0
    }
}

fn counted(items: &[Counted]) -> Value {
    Value::Array(
        items
            .iter()
            .map(|c| json!({"text": c.text, "count": c.count}))
            .collect(),
    )
}

/// One pattern as JSON; `extra` lets other sections (periods, trend...) add keys in order.
pub fn pattern_json(report: &Report, p: &Pattern) -> Map<String, Value> {
    let mut m = Map::new();
    m.insert("id".into(), json!(p.id));
    m.insert("label".into(), json!(p.label));
    m.insert("tendency".into(), json!(p.tendency));
    m.insert("tendency_id".into(), json!(p.tendency_id));
    m.insert(
        "found_by".into(),
        json!(if p.read {
            "reader"
        } else if p.seeded {
            "tendency"
        } else {
            "words"
        }),
    );
    m.insert(
        "confidence".into(),
        match p.support {
            Some(s) => json!({"held": s.held, "resamples": s.rounds, "share": round4(f64::from(s.held) / f64::from(s.rounds.max(1)))}),
            None => Value::Null,
        },
    );
    m.insert(
        "terms".into(),
        Value::Array(p.terms.iter().map(|(t, _)| json!(t)).collect()),
    );
    m.insert("size".into(), json!(p.size));
    m.insert("share".into(), json!(round4(p.share)));
    let examples: Vec<Value> = p
        .examples
        .iter()
        .map(|e| {
            let rec = &report.records[e.index];
            json!({
                "file": report.file_name(rec.file),
                "row": rec.row,
                "id": crate::sanitize::shorten(&rec.id, crate::sanitize::LABEL_MAX),
                "date": rec.date.map(|d| d.to_string()),
                "text": e.text,
                "similarity": round4(f64::from(e.similarity)),
                "matched": e.matched,
                "matched_by": (!e.matched.is_empty()).then_some(if e.read { "reader" } else { "cues" }),
            })
        })
        .collect();
    m.insert("examples".into(), Value::Array(examples));
    m.insert("lessons".into(), counted(&p.lessons));
    m.insert("behavioral_changes".into(), counted(&p.behavioral_changes));
    super::review::extend_pattern(report, p, &mut m);
    m
}

impl Renderer for Json {
    fn file_name(&self) -> &'static str {
        "patterns.json"
    }

    fn render(&self, report: &Report, w: &mut dyn Write) -> io::Result<()> {
        let ing = report.ingested;
        let files: Vec<Value> = ing.files.iter().map(|f| json!(f.name)).collect();
        let per_file: Vec<Value> = ing
            .files
            .iter()
            .map(|f| {
                let cols: Map<String, Value> = f
                    .columns
                    .iter()
                    .map(|(role, h)| (role.name().to_string(), json!(h)))
                    .collect();
                json!({
                    "file": f.name,
                    "format": f.format.name(),
                    "rows_read": f.rows_read,
                    "rows_rejected": f.rows_rejected,
                    "rows_out_of_range": f.rows_out_of_range,
                    "rows_undated": f.rows_undated,
                    "rows_duplicate": f.rows_duplicate,
                    "columns": cols,
                    "column_reasons": f
                        .column_reasons
                        .iter()
                        .map(|(role, why)| (role.name().to_string(), json!(why)))
                        .collect::<Map<String, Value>>(),
                })
            })
            .collect();
        let range = report
            .date_range()
            .map(|(a, b)| json!({"first": a.to_string(), "last": b.to_string()}));
        let sel = report.selection;
        let mut selection = json!({
            "method": sel.method,
            "structured": sel.structured,
            "evaluated_on": sel.evaluated_on,
            // With --patterns N, what the clustering produced (k-means can leave groups empty,
            // and there cannot be more groups than distinct entries); N is `requested`.
            "chosen": if sel.method == "fixed" { report.patterns.patterns.len() } else { sel.chosen },
            "candidates": sel.scores.iter().map(|(k, stab, sil)| json!({"patterns": k, "stability": round4(*stab), "silhouette": round4(*sil)})).collect::<Vec<_>>(),
        });
        if sel.method == "fixed" {
            selection["requested"] = json!(sel.chosen);
        }
        if let Some((name, share)) = &sel.set_aside {
            selection["set_aside"] = json!({"tendency": name, "share": round4(*share)});
        }
        let patterns: Vec<Value> = report
            .patterns
            .patterns
            .iter()
            .map(|p| Value::Object(pattern_json(report, p)))
            .collect();
        let unassigned = report.patterns.unassigned.as_ref().map(|p| {
            let mut m = pattern_json(report, p);
            for key in ["tendency", "tendency_id", "found_by", "confidence"] {
                m.remove(key);
            }
            Value::Object(m)
        });
        let evaluation = report.evaluation.map(|e| {
            json!({
                "entries": e.entries,
                "truth_classes": e.truth_classes,
                "adjusted_rand_index": round4(e.adjusted_rand_index),
                "normalized_mutual_information": round4(e.normalized_mutual_information),
                "homogeneity": round4(e.homogeneity),
                "completeness": round4(e.completeness),
                "v_measure": round4(e.v_measure),
            })
        });
        let doc = json!({
            "input": {
                "files": files,
                "rows_read": ing.rows_read,
                "rows_analyzed": report.rows_analyzed(),
                "rows_rejected": ing.rejects.len(),
                "rows_out_of_range": ing.rows_out_of_range,
                "rows_undated": ing.rows_undated,
                "rows_duplicate": ing.rows_duplicate,
                "date_range": range,
                "per_file": per_file,
            },
            "parameters": report.parameters,
            "selection": selection,
            "evaluation": evaluation,
            "notes": report.notes,
            "timeline": super::review::timeline_json(report),
            "control": super::review::control_json(report),
            "group_by": super::review::group_by_json(report),
            "patterns": patterns,
            "no_pattern": unassigned,
        });
        serde_json::to_writer_pretty(&mut *w, &doc)?;
        writeln!(w)
    }
}
