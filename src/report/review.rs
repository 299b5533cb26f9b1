//! The quarterly-review parts of the reports: the review period, trends, growth, control and
//! group counts, as Markdown sections and as JSON values for `markdown.rs` and `json.rs`.
//!
//! In: a `Report` (its timeline with trends, when the log has dates; control and group counts
//! are taken from the records and pattern members here). Out: text and JSON; a part whose data
//! is missing is left out (Markdown) or `null` (JSON).
//! Invariants: only reads; JSON period maps list every period in order, zeros included, so a
//! pattern's periods add up to its dated entries.

use super::json::round4;
use super::markdown::md;
use super::{pct, Report};
use crate::breakdown::{self, lean, Breakdown, Counts};
use crate::patterns::Pattern;
use crate::record::Control;
use crate::timeline::{PatternTrend, Timeline, Trend, Trends, TREND_RULE};
use serde_json::{json, Map, Value};
use std::io::{self, Write};

fn label_of<'r>(report: &'r Report, id: u32) -> &'r str {
    if id == 0 {
        return "no clear pattern";
    }
    report
        .patterns
        .patterns
        .iter()
        .find(|p| p.id == id)
        .map_or("", |p| p.label.as_str())
}

/// Pattern ids in report order: 1..=k as listed, then 0 when present.
fn ids(report: &Report) -> Vec<u32> {
    let mut ids: Vec<u32> = report.patterns.patterns.iter().map(|p| p.id).collect();
    if report.patterns.unassigned.is_some() {
        ids.push(0);
    }
    ids
}

fn plural(kind: &str, n: usize) -> String {
    if n == 1 {
        kind.to_string()
    } else {
        format!("{kind}s")
    }
}

fn entries(n: u64) -> String {
    if n == 1 {
        "1 entry".to_string()
    } else {
        format!("{n} entries")
    }
}

fn timeline_parts<'r>(report: &'r Report) -> Option<(&'r Timeline, &'r Trends)> {
    let t = report.timeline?;
    Some((t, t.trends.as_ref()?))
}

/// One pattern's control and group counts (from the report's shared breakdown).
fn counts_of<'r>(report: &'r Report, p: &Pattern) -> &'r Counts {
    report
        .breakdown()
        .get(p.id)
        .expect("the breakdown covers every pattern")
}

fn opt_pct(x: Option<f64>) -> String {
    x.map_or_else(|| "–".to_string(), pct)
}

/// `a–b` as period labels, or one label.
fn span(t: &Timeline, from: usize, to_exclusive: usize) -> String {
    if to_exclusive <= from {
        return String::new();
    }
    let (a, b) = (&t.periods[from], &t.periods[to_exclusive - 1]);
    if a == b {
        a.clone()
    } else {
        format!("{a} to {b}")
    }
}

const BARS: [char; 8] = ['▁', '▂', '▃', '▄', '▅', '▆', '▇', '█'];

/// The pattern's share of each period as bars scaled to its highest share; `·` for none.
pub fn sparkline(counts: &[u64], totals: &[u64]) -> String {
    let shares: Vec<f64> = counts
        .iter()
        .zip(totals)
        .map(|(&c, &t)| if t > 0 { c as f64 / t as f64 } else { 0.0 })
        .collect();
    let max = shares.iter().copied().fold(0.0, f64::max);
    shares
        .iter()
        .map(|&s| {
            if s <= 0.0 || max <= 0.0 {
                '·'
            } else {
                let i = ((s / max) * BARS.len() as f64).ceil() as usize;
                BARS[i.clamp(1, BARS.len()) - 1]
            }
        })
        .collect()
}

// ---------------------------------------------------------------- Markdown

/// Summary bullets: trends tally, control overall, grouping.
pub fn md_summary(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    if let Some((t, tr)) = timeline_parts(report) {
        let kind = t.params.kind.name();
        let upto = tr
            .review
            .map_or(String::new(), |r| format!(", up to {}", t.periods[r]));
        match &tr.unavailable {
            Some(why) => writeln!(w, "- **Trends:** none called — {}", md(why))?,
            None => {
                let tally: Vec<String> = tr
                    .tally()
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(trend, n)| format!("{n} {}", trend.name()))
                    .collect();
                writeln!(
                    w,
                    "- **Trends** (per {kind}{upto}; rule under Trends): {}",
                    tally.join(", ")
                )?;
            }
        }
    }
    let b = report.breakdown();
    if b.has_control {
        let total = b.total.control;
        let n: u64 = total.iter().sum();
        let parts: Vec<String> = Control::ALL
            .iter()
            .zip(total)
            .filter(|(_, c)| *c > 0)
            .map(|(k, c)| format!("{} {} ({})", c, control_word(*k), pct(c as f64 / n as f64)))
            .collect();
        writeln!(w, "- **Control:** {}", parts.join(", "))?;
    }
    if let Some(column) = &b.group_column {
        writeln!(
            w,
            "- **Grouped by:** {} ({} values)",
            md(column),
            b.group_names.len()
        )?;
    }
    Ok(())
}

fn control_word(c: Control) -> &'static str {
    match c {
        Control::Within => "within",
        Control::Partial => "partly within",
        Control::Outside => "outside",
        Control::Unknown => "unknown",
    }
}

/// The review period section, which leads the report when `--review` is given.
pub fn md_review(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let Some((t, tr)) = timeline_parts(report) else {
        return Ok(());
    };
    let Some(r) = tr.review else {
        return Ok(());
    };
    let kind = t.params.kind.name();
    let label = &t.periods[r];
    writeln!(w, "## Review of {label}\n")?;
    let before: u64 = t.totals[..r].iter().sum();
    if r == 0 {
        writeln!(
            w,
            "{} in {label}, the first {kind} of the log: there is nothing before it to compare with.\n",
            entries(t.totals[r])
        )?;
    } else {
        writeln!(
            w,
            "{} in {label}, against {:.1} per {kind} in the {r} {} before it ({}). Patterns are learned from the whole log; trends read the {}s up to {label}.\n",
            entries(t.totals[r]),
            before as f64 / r as f64,
            plural(kind, r),
            span(t, 0, r),
            kind
        )?;
    }
    let mut rows: Vec<_> = tr
        .review_rows
        .iter()
        .filter(|x| x.entries + x.before > 0)
        .collect();
    rows.sort_by(|a, b| b.entries.cmp(&a.entries).then(a.id.cmp(&b.id)));
    writeln!(
        w,
        "| # | Pattern | Entries in {label} | Share of {label} | Share before | Trend |"
    )?;
    writeln!(w, "|---:|---|---:|---:|---:|---|")?;
    for x in &rows {
        writeln!(
            w,
            "| {} | {} | {} | {} | {} | {} |",
            x.id,
            md(label_of(report, x.id)),
            x.entries,
            opt_pct(x.share),
            opt_pct(x.share_before),
            tr.trend(x.id).map_or("", Trend::name)
        )?;
    }
    writeln!(w)?;
    let list = |pred: &dyn Fn(u32) -> bool| -> Vec<String> {
        rows.iter()
            .filter(|x| x.id != 0 && pred(x.id))
            .map(|x| format!("{}. {}", x.id, md(label_of(report, x.id))))
            .collect()
    };
    let new = list(&|id| tr.review_rows[id as usize].is_new());
    let rising = list(&|id| tr.trend(id) == Some(Trend::Rising));
    let quiet = list(&|id| {
        let x = &tr.review_rows[id as usize];
        x.entries == 0 && x.before > 0
    });
    let growth = list(&|id| tr.trend(id).is_some_and(Trend::is_growth));
    let lists = [
        (format!("New in {label}"), new),
        ("Growing".to_string(), rising),
        (format!("Not seen in {label}, seen before"), quiet),
        ("Fading or resolved (see Growth)".to_string(), growth),
    ];
    let mut any = false;
    for (title, items) in lists.iter().filter(|(_, items)| !items.is_empty()) {
        writeln!(w, "- **{title}:** {}", items.join("; "))?;
        any = true;
    }
    if any {
        writeln!(w)?;
    }
    Ok(())
}

/// Trends, growth, control and group sections, after the pattern table.
pub fn md_sections(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    md_trends(w, report)?;
    md_growth(w, report)?;
    let b = report.breakdown();
    md_control(w, report, b)?;
    md_groups(w, report, b)
}

fn md_trends(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let Some((t, tr)) = timeline_parts(report) else {
        return Ok(());
    };
    let kind = t.params.kind.name();
    writeln!(w, "## Trends\n")?;
    if let Some(why) = &tr.unavailable {
        writeln!(w, "{}\n", md(why))?;
    } else {
        writeln!(w, "{TREND_RULE}\n")?;
        writeln!(
            w,
            "Here the earlier part is {} and the recent part {}.\n",
            span(t, 0, tr.recent_start),
            span(t, tr.recent_start, tr.end)
        )?;
    }
    writeln!(
        w,
        "| # | Pattern | Trend | Recurring | First seen | Last seen | Share earlier → recent | Each {kind} ({}) |",
        span(t, 0, t.periods.len())
    )?;
    writeln!(w, "|---:|---|---|---|---|---|---|---|")?;
    for id in ids(report) {
        let p = &tr.patterns[id as usize];
        let e = &p.evidence;
        let seen = |i: Option<usize>| i.map_or("–".to_string(), |i| t.periods[i].clone());
        let shares = if tr.unavailable.is_some() {
            "–".to_string()
        } else {
            format!(
                "{} → {}",
                opt_pct(e.earlier_share()),
                opt_pct(e.recent_share())
            )
        };
        writeln!(
            w,
            "| {id} | {} | {} | {} | {} | {} | {shares} | `{}` |",
            md(label_of(report, id)),
            p.trend.map_or("–", Trend::name),
            if p.recurring { "yes" } else { "no" },
            seen(e.first),
            seen(e.last),
            sparkline(&t.counts[id as usize], &t.totals)
        )?;
    }
    writeln!(w)?;
    writeln!(w, "### Entries per {kind}\n")?;
    let cols = ids(report);
    let head: Vec<String> = cols.iter().map(|id| id.to_string()).collect();
    writeln!(w, "| {} | All | {} |", capitalize(kind), head.join(" | "))?;
    writeln!(w, "|---|---:|{}", "---:|".repeat(cols.len()))?;
    for (j, period) in t.periods.iter().enumerate() {
        let cells: Vec<String> = cols
            .iter()
            .map(|&id| t.counts[id as usize][j].to_string())
            .collect();
        let mark = if tr.review == Some(j) {
            " (review)"
        } else {
            ""
        };
        writeln!(
            w,
            "| {period}{mark} | {} | {} |",
            t.totals[j],
            cells.join(" | ")
        )?;
    }
    if t.undated > 0 {
        writeln!(
            w,
            "\n{} entries have no date and are not counted here.",
            t.undated
        )?;
    }
    writeln!(w)
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn md_growth(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let Some((t, tr)) = timeline_parts(report) else {
        return Ok(());
    };
    if tr.unavailable.is_some() {
        return Ok(());
    }
    let growth: Vec<u32> = ids(report)
        .into_iter()
        .filter(|&id| tr.trend(id).is_some_and(Trend::is_growth))
        .collect();
    writeln!(w, "## Growth\n")?;
    if growth.is_empty() {
        writeln!(w, "No pattern is fading or resolved yet.\n")?;
        return Ok(());
    }
    writeln!(
        w,
        "Patterns that are fading or resolved, with the behavioural changes written for them before they faded: the growth the log records.\n"
    )?;
    for id in growth {
        let p = &tr.patterns[id as usize];
        let e = &p.evidence;
        let trend = p.trend.map_or("", Trend::name);
        let last = e.last.map_or("–", |i| t.periods[i].as_str());
        writeln!(
            w,
            "### {id}. {} — {trend}, last seen {last}\n",
            md(label_of(report, id))
        )?;
        writeln!(
            w,
            "Share of entries: {} in {} ({}), {} in {} ({}).\n",
            opt_pct(e.earlier_share()),
            span(t, 0, tr.recent_start),
            entries(e.earlier),
            opt_pct(e.recent_share()),
            span(t, tr.recent_start, tr.end),
            entries(e.recent)
        )?;
        if p.changes_before.is_empty() {
            writeln!(
                w,
                "No behavioural change was written for it before it faded.\n"
            )?;
            continue;
        }
        writeln!(w, "**Behavioural changes written before it faded:**\n")?;
        for c in &p.changes_before {
            writeln!(
                w,
                "- {} (×{}, first written {})",
                md(&c.text),
                c.count,
                t.periods[c.first]
            )?;
        }
        writeln!(w)?;
    }
    Ok(())
}

fn md_control(w: &mut dyn Write, report: &Report, b: &Breakdown) -> io::Result<()> {
    if !b.has_control {
        return Ok(());
    }
    writeln!(w, "## Within or outside your control\n")?;
    writeln!(
        w,
        "A pattern mostly outside your control calls for resilience in plans; one mostly within it, for a behaviour change. \"Mostly\" means more than half of the entries that answer the control question.\n"
    )?;
    writeln!(
        w,
        "| # | Pattern | Within | Partly | Outside | Unknown | What it calls for |"
    )?;
    writeln!(w, "|---:|---|---:|---:|---:|---:|---|")?;
    for (id, counts) in &b.patterns {
        let (id, c) = (*id, &counts.control);
        let advice = if id == 0 {
            ""
        } else {
            lean(c).map_or("Too few answers to say.", |l| l.advice())
        };
        writeln!(
            w,
            "| {id} | {} | {} | {} | {} | {} | {advice} |",
            md(label_of(report, id)),
            c[0],
            c[1],
            c[2],
            c[3]
        )?;
    }
    writeln!(w)
}

fn md_groups(w: &mut dyn Write, report: &Report, b: &Breakdown) -> io::Result<()> {
    let Some(column) = &b.group_column else {
        return Ok(());
    };
    writeln!(w, "## By {}\n", md(column))?;
    let names: Vec<String> = b.group_names.iter().map(|n| md(&group_name(n))).collect();
    writeln!(w, "| # | Pattern | {} |", names.join(" | "))?;
    writeln!(w, "|---:|---|{}", "---:|".repeat(names.len()))?;
    for (id, counts) in &b.patterns {
        let id = *id;
        let cells: Vec<String> = b
            .group_names
            .iter()
            .map(|g| counts.groups.get(g).copied().unwrap_or(0).to_string())
            .collect();
        writeln!(
            w,
            "| {id} | {} | {} |",
            md(label_of(report, id)),
            cells.join(" | ")
        )?;
    }
    writeln!(w)
}

/// Over-time, control and group lines in a pattern's own section.
pub fn md_pattern(w: &mut dyn Write, report: &Report, p: &Pattern) -> io::Result<()> {
    if let Some((t, tr)) = timeline_parts(report) {
        let pt = &tr.patterns[p.id as usize];
        let e = &pt.evidence;
        let kind = t.params.kind.name();
        if let (Some(first), Some(last)) = (e.first, e.last) {
            let mut line = String::from("**Over time:** ");
            if let Some(x) = pt.trend {
                line.push_str(&format!("**{}** — ", x.name()));
            }
            line.push_str(&format!(
                "seen in {} {} ",
                e.periods,
                plural(kind, e.periods)
            ));
            if first == last {
                line.push_str(&format!("({})", t.periods[first]));
            } else {
                line.push_str(&format!("from {} to {}", t.periods[first], t.periods[last]));
            }
            if pt.recurring {
                line.push_str(" (recurring)");
            }
            if tr.unavailable.is_none() {
                line.push_str(&format!(
                    "; share {} earlier, {} recently",
                    opt_pct(e.earlier_share()),
                    opt_pct(e.recent_share())
                ));
            }
            writeln!(w, "{line}.\n")?;
        }
    }
    {
        let counts = counts_of(report, p);
        let c = &counts.control;
        if breakdown::has_control(report.ingested) {
            let mut line = format!(
                "**Control:** {} within, {} partly, {} outside, {} unknown.",
                c[0], c[1], c[2], c[3]
            );
            if let Some(l) = lean(c).filter(|_| p.id != 0) {
                line.push(' ');
                line.push_str(l.advice());
            }
            writeln!(w, "{line}\n")?;
        }
        if let Some(column) = breakdown::group_column(report.ingested) {
            let mut parts: Vec<(u64, &str)> = counts
                .groups
                .iter()
                .map(|(n, c)| (*c, n.as_str()))
                .collect();
            parts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
            let parts: Vec<String> = parts
                .iter()
                .map(|(c, n)| format!("{} {c}", md(&group_name(n))))
                .collect();
            writeln!(w, "**By {}:** {}\n", md(&column), parts.join(", "))?;
        }
    }
    Ok(())
}

// ---------------------------------------------------------------- JSON

fn control_obj(c: &[u64; 4]) -> Value {
    let m: Map<String, Value> = Control::ALL
        .iter()
        .zip(c)
        .map(|(k, n)| (k.name().to_string(), json!(n)))
        .collect();
    Value::Object(m)
}

fn trend_json(t: &Timeline, p: &PatternTrend, id: u32) -> Map<String, Value> {
    let e = &p.evidence;
    let mut m = Map::new();
    m.insert("trend".into(), json!(p.trend.map(Trend::name)));
    m.insert("recurring".into(), json!(p.recurring));
    m.insert("first_seen".into(), json!(e.first.map(|i| &t.periods[i])));
    m.insert("last_seen".into(), json!(e.last.map(|i| &t.periods[i])));
    if id != 0 {
        m.insert(
            "trend_evidence".into(),
            json!({
                "earlier_entries": e.earlier,
                "earlier_share": e.earlier_share().map(round4),
                "recent_entries": e.recent,
                "recent_share": e.recent_share().map(round4),
                "expected_recent": e.expected_recent().map(round4),
            }),
        );
    }
    if p.trend.is_some_and(Trend::is_growth) {
        let changes: Vec<Value> = p
            .changes_before
            .iter()
            .map(|c| json!({"text": c.text, "count": c.count, "first_written": t.periods[c.first]}))
            .collect();
        m.insert("changes_before_fade".into(), Value::Array(changes));
    }
    m
}

/// Adds `periods`, `trend`, `recurring`, `first_seen`, `last_seen`, `control` and `groups` to a
/// pattern's JSON object.
pub fn extend_pattern(report: &Report, p: &Pattern, m: &mut Map<String, Value>) {
    let id = p.id as usize;
    match timeline_parts(report) {
        Some((t, tr)) => {
            let periods: Map<String, Value> = t
                .periods
                .iter()
                .zip(&t.counts[id])
                .map(|(label, n)| (label.clone(), json!(n)))
                .collect();
            m.insert("periods".into(), Value::Object(periods));
            if t.undated > 0 {
                let dated: u64 = t.counts[id].iter().sum();
                m.insert("undated".into(), json!(p.size as u64 - dated));
            }
            m.extend(trend_json(t, &tr.patterns[id], p.id));
        }
        None => {
            for key in ["periods", "trend", "recurring", "first_seen", "last_seen"] {
                m.insert(key.into(), Value::Null);
            }
        }
    }
    let counts = counts_of(report, p);
    m.insert("control".into(), control_obj(&counts.control));
    let lean = lean(&counts.control).filter(|_| breakdown::has_control(report.ingested) && id != 0);
    m.insert("control_lean".into(), json!(lean.map(|l| l.name())));
    if breakdown::group_column(report.ingested).is_some() {
        let groups: Map<String, Value> = counts
            .groups
            .iter()
            .map(|(n, c)| (group_name(n).into_owned(), json!(c)))
            .collect();
        m.insert("groups".into(), Value::Object(groups));
    }
}

/// The top-level `timeline` object (`null` without dates).
pub fn timeline_json(report: &Report) -> Value {
    let Some((t, tr)) = timeline_parts(report) else {
        return Value::Null;
    };
    let p = &tr.params;
    let tally: Map<String, Value> = tr
        .tally()
        .into_iter()
        .map(|(trend, n)| (trend.name().to_string(), json!(n)))
        .collect();
    let review = tr.review.map(|r| {
        let before: u64 = t.totals[..r].iter().sum();
        let rows: Vec<Value> = tr
            .review_rows
            .iter()
            .map(|x| {
                json!({
                    "id": x.id,
                    "entries": x.entries,
                    "share": x.share.map(round4),
                    "entries_before": x.before,
                    "share_before": x.share_before.map(round4),
                    "new": x.is_new(),
                })
            })
            .collect();
        json!({
            "period": t.periods[r],
            "entries": t.totals[r],
            "periods_before": r,
            "entries_before": before,
            "patterns": rows,
        })
    });
    json!({
        "period": t.params.kind.name(),
        "fiscal_year_start": t.params.fiscal_year_start,
        "periods": t.periods,
        "totals": t.totals,
        "undated": t.undated,
        "review": review,
        "earlier": t.periods[..tr.recent_start],
        "recent": t.periods[tr.recent_start..tr.end],
        "trends": tally,
        "trends_unavailable": tr.unavailable,
        "trend_rule": TREND_RULE,
        "trend_params": {
            "recent_periods": p.recent(),
            "min_entries": p.min_entries(),
            "recurring_periods": p.recurring_periods(),
            "rise_ratio": p.rise_ratio(),
            "fade_ratio": p.fade_ratio(),
            "min_change": p.min_change(),
        },
    })
}

/// The top-level `control` object: counts over all analyzed entries.
pub fn control_json(report: &Report) -> Value {
    control_obj(&report.breakdown().total.control)
}

/// A `--group-by` value as the reports show it (cleaned and cut to a label's length).
fn group_name(n: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::shorten(n, crate::sanitize::LABEL_MAX)
}

/// The top-level `group_by` value: the grouping column, or `null`.
pub fn group_by_json(report: &Report) -> Value {
    json!(breakdown::group_column(report.ingested))
}

#[cfg(test)]
mod tests {
    use super::sparkline;

    #[test]
    fn sparkline_scales_shares_not_counts() {
        // Same count, but the second period has twice the entries: half the share.
        assert_eq!(sparkline(&[4, 4, 0, 8], &[10, 20, 10, 10]), "▄▂·█");
        assert_eq!(sparkline(&[0, 0], &[0, 5]), "··");
    }
}
