//! The quarterly-review parts of the reports: the review period, the "this quarter" summary,
//! trends, growth, control and group counts, as renderer-neutral blocks (`doc.rs`) that
//! `markdown.rs` and `html.rs` both write, and as JSON values for `json.rs`.
//!
//! In: a `Report` (its timeline with trends, when the log has dates; control and group counts
//! come from the report's shared breakdown). Out: blocks and JSON; a part whose data is missing
//! is left out (blocks) or `null` (JSON).
//! Invariants: only reads; JSON period maps list every period in order, zeros included, so a
//! pattern's periods add up to its dated entries.

use super::doc::{b, h2, h3, t, u, Block, Fact, Inline, Span, Table};
use super::json::round4;
use super::{pct, Report};
use crate::breakdown::{self, lean, Breakdown, Counts};
use crate::patterns::Pattern;
use crate::record::Control;
use crate::timeline::{
    PatternTrend, ReviewRow, Timeline, Trend, Trends, FORECAST_LEVEL, FORECAST_WINDOW, TREND_RULE,
};
use serde_json::{json, Map, Value};

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

// ---------------------------------------------------------------- Blocks (md and html)

fn pattern_ref(report: &Report, id: u32) -> Inline {
    vec![t(format!("{id}. ")), u(label_of(report, id))]
}

/// `items` joined by `sep`.
fn joined(items: Vec<Inline>, sep: &str) -> Inline {
    let mut out = Vec::new();
    for (i, item) in items.into_iter().enumerate() {
        if i > 0 {
            out.push(t(sep));
        }
        out.extend(item);
    }
    out
}

fn cell(s: impl Into<String>) -> Inline {
    vec![t(s)]
}

/// Summary facts: trends tally, control overall, grouping.
pub fn summary_facts(report: &Report) -> Vec<Fact> {
    let mut facts = Vec::new();
    if let Some((tl, tr)) = timeline_parts(report) {
        let kind = tl.params.kind.name();
        let upto = tr
            .review
            .map_or(String::new(), |r| format!(", up to {}", tl.periods[r]));
        match &tr.unavailable {
            Some(why) => facts.push(Fact {
                key: "Trends".into(),
                note: None,
                value: vec![t("none called — "), u(why)],
            }),
            None => {
                let tally: Vec<String> = tr
                    .tally()
                    .into_iter()
                    .filter(|(_, n)| *n > 0)
                    .map(|(trend, n)| format!("{n} {}", trend.name()))
                    .collect();
                facts.push(Fact {
                    key: "Trends".into(),
                    note: Some(format!("per {kind}{upto}; rule under Trends")),
                    value: vec![t(tally.join(", "))],
                });
            }
        }
    }
    let bd = report.breakdown();
    if bd.has_control {
        let total = bd.total.control;
        let n: u64 = total.iter().sum();
        let parts: Vec<String> = Control::ALL
            .iter()
            .zip(total)
            .filter(|(_, c)| *c > 0)
            .map(|(k, c)| format!("{} {} ({})", c, control_word(*k), pct(c as f64 / n as f64)))
            .collect();
        facts.push(Fact {
            key: "Control".into(),
            note: None,
            value: vec![t(parts.join(", "))],
        });
    }
    if let Some(column) = &bd.group_column {
        facts.push(Fact {
            key: "Grouped by".into(),
            note: None,
            value: vec![u(column), t(format!(" ({} values)", bd.group_names.len()))],
        });
    }
    facts
}

fn control_word(c: Control) -> &'static str {
    match c {
        Control::Within => "within",
        Control::Partial => "partly within",
        Control::Outside => "outside",
        Control::Unknown => "unknown",
    }
}

/// The review period's rows with entries in it or before it, most entries first.
fn review_rows(tr: &Trends) -> Vec<&ReviewRow> {
    let mut rows: Vec<_> = tr
        .review_rows
        .iter()
        .filter(|x| x.entries + x.before > 0)
        .collect();
    rows.sort_by(|a, b| b.entries.cmp(&a.entries).then(a.id.cmp(&b.id)));
    rows
}

/// The review period section, which leads the report when `--review` is given.
pub fn review(report: &Report) -> Vec<Block> {
    let mut out = Vec::new();
    let Some((tl, tr)) = timeline_parts(report) else {
        return out;
    };
    let Some(r) = tr.review else {
        return out;
    };
    let kind = tl.params.kind.name();
    let label = &tl.periods[r];
    out.push(h2("review", vec![t(format!("Review of {label}"))]));
    let before: u64 = tl.totals[..r].iter().sum();
    out.push(Block::Para(vec![t(if r == 0 {
        format!(
            "{} in {label}, the first {kind} of the log: there is nothing before it to compare with.",
            entries(tl.totals[r])
        )
    } else {
        format!(
            "{} in {label}, against {:.1} per {kind} in the {r} {} before it ({}). Patterns are learned from the whole log; trends read the {}s up to {label}.",
            entries(tl.totals[r]),
            before as f64 / r as f64,
            plural(kind, r),
            span(tl, 0, r),
            kind
        )
    })]));
    let rows = review_rows(tr);
    out.push(Block::Table(Table {
        head: vec![
            cell("#"),
            cell("Pattern"),
            cell(format!("Entries in {label}")),
            cell(format!("Share of {label}")),
            cell("Share before"),
            cell("Trend"),
        ],
        num: vec![true, false, true, true, true, false],
        rows: rows
            .iter()
            .map(|x| {
                vec![
                    cell(x.id.to_string()),
                    vec![u(label_of(report, x.id))],
                    cell(x.entries.to_string()),
                    cell(opt_pct(x.share)),
                    cell(opt_pct(x.share_before)),
                    cell(tr.trend(x.id).map_or("", Trend::name)),
                ]
            })
            .collect(),
    }));
    let list = |pred: &dyn Fn(u32) -> bool| -> Vec<Inline> {
        rows.iter()
            .filter(|x| x.id != 0 && pred(x.id))
            .map(|x| pattern_ref(report, x.id))
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
    let items: Vec<Inline> = lists
        .into_iter()
        .filter(|(_, items)| !items.is_empty())
        .map(|(title, items)| {
            let mut line = vec![b(format!("{title}:")), t(" ")];
            line.extend(joined(items, "; "));
            line
        })
        .collect();
    if !items.is_empty() {
        out.push(Block::List(items));
    }
    out
}

/// The short "This quarter" summary a review meeting starts from: what rose, what is new, what
/// faded and which written change came before it. Only what the trends already say; empty
/// without a timeline.
pub fn this_period(report: &Report) -> Vec<Block> {
    let mut out = Vec::new();
    let Some((tl, tr)) = timeline_parts(report) else {
        return out;
    };
    if tr.end == 0 {
        return out;
    }
    let kind = tl.params.kind.name();
    let at = tr.review.unwrap_or(tr.end - 1);
    let label = &tl.periods[at];
    out.push(h2("this-period", vec![t(format!("This {kind}: {label}"))]));
    let mut lede = format!(
        "{} in {label}; {} over the {} {} looked at ({}).",
        entries(tl.totals[at]),
        entries(tl.totals[..tr.end].iter().sum()),
        tr.end,
        plural(kind, tr.end),
        span(tl, 0, tr.end)
    );
    if tr.unavailable.is_none() {
        lede.push_str(&format!(
            " Trends compare {} with {}; the rule is under Trends.",
            span(tl, tr.recent_start, tr.end),
            span(tl, 0, tr.recent_start)
        ));
    }
    out.push(Block::Para(vec![t(lede)]));
    if let Some(why) = &tr.unavailable {
        out.push(Block::Para(vec![t("No trend is called: "), u(why)]));
        return out;
    }
    let ids = ids(report);
    let of = |pred: &dyn Fn(u32) -> bool| -> Vec<u32> {
        ids.iter()
            .copied()
            .filter(|&id| id != 0 && pred(id))
            .collect()
    };
    let shares = |id: u32| -> String {
        let e = &tr.patterns[id as usize].evidence;
        format!(
            " ({} → {} of entries)",
            opt_pct(e.earlier_share()),
            opt_pct(e.recent_share())
        )
    };
    let mut items: Vec<Inline> = Vec::new();
    let rising = of(&|id| tr.trend(id) == Some(Trend::Rising));
    if !rising.is_empty() {
        let mut line = vec![b("Rose:"), t(" ")];
        let refs = rising
            .iter()
            .map(|&id| {
                let mut r = pattern_ref(report, id);
                r.push(t(shares(id)));
                r
            })
            .collect();
        line.extend(joined(refs, "; "));
        items.push(line);
    }
    let new = of(&|id| {
        tr.trend(id) == Some(Trend::New)
            || (tr.review.is_some() && tr.review_rows.get(id as usize).is_some_and(|x| x.is_new()))
    });
    if !new.is_empty() {
        let mut line = vec![b("New:"), t(" ")];
        let refs = new
            .iter()
            .map(|&id| {
                let mut r = pattern_ref(report, id);
                let e = &tr.patterns[id as usize].evidence;
                if let Some(first) = e.first {
                    r.push(t(format!(", first seen {}", tl.periods[first])));
                }
                r
            })
            .collect();
        line.extend(joined(refs, "; "));
        items.push(line);
    }
    for g in &tl.emerging {
        let mut line = vec![
            b("Emerging:"),
            t(format!(
                " {} that fit no earlier pattern but resemble each other (“",
                entries(g.entries.len() as u64)
            )),
        ];
        line.push(u(g.words.join(", ")));
        line.push(t("”); see Emerging."));
        items.push(line);
    }
    for id in of(&|id| tr.trend(id).is_some_and(Trend::is_growth)) {
        let p = &tr.patterns[id as usize];
        let trend = p.trend.map_or("", Trend::name);
        let mut line = vec![b(format!("{}:", capitalize(trend))), t(" ")];
        line.extend(pattern_ref(report, id));
        line.push(t(shares(id)));
        match p.changes_before.first() {
            Some(c) => {
                line.push(t(". Written before it faded: “"));
                line.push(u(&c.text));
                line.push(t(format!(
                    "” (×{}, first written {})",
                    c.count, tl.periods[c.first]
                )));
                if p.changes_before.len() > 1 {
                    line.push(t(format!(
                        " and {} more under Growth",
                        p.changes_before.len() - 1
                    )));
                }
                line.push(t("."));
            }
            None => line.push(t(
                ". No behavioural change was written for it before it faded.",
            )),
        }
        items.push(line);
    }
    if items.is_empty() {
        out.push(Block::Para(vec![t(
            "No pattern rose, appeared or faded: every trend called is steady or a one-off.",
        )]));
    } else {
        out.push(Block::List(items));
    }
    out
}

/// Trends, growth, control and group sections, after the pattern table.
pub fn sections(report: &Report) -> Vec<Block> {
    let mut out = trends(report);
    out.extend(emerging(report));
    out.extend(growth(report));
    out.extend(expectation(report));
    let bd = report.breakdown();
    out.extend(control(report, bd));
    out.extend(groups(report, bd));
    out.extend(rejected(report));
    out
}

/// Rejected rows listed in the report at most; rejected.csv has all of them.
const REJECTED_SHOWN: usize = 10;

/// "Rejected rows": the first few rows that could not be analyzed, where they are in their file
/// and why (nothing when every row was analyzed).
fn rejected(report: &Report) -> Vec<Block> {
    let ing = report.ingested;
    if ing.rejects.is_empty() {
        return Vec::new();
    }
    let shown = ing.rejects.len().min(REJECTED_SHOWN);
    let rows = ing.rejects[..shown]
        .iter()
        .map(|r| {
            let file = ing
                .files
                .get(r.file as usize)
                .map_or("?", |f| f.name.as_str());
            vec![
                vec![u(file)],
                vec![t(r.position.to_string())],
                vec![u(crate::sanitize::shorten(
                    &r.reason,
                    crate::sanitize::WARNING_MAX,
                ))],
            ]
        })
        .collect();
    vec![
        h2("rejected", vec![t("Rejected rows")]),
        Block::Para(vec![t(format!(
            "{} of {} rows could not be analyzed{}; rejected.csv holds every one with its reason and its original fields.",
            ing.rejects.len(),
            ing.rows_read,
            if shown < ing.rejects.len() {
                format!(" (the first {shown} below)")
            } else {
                String::new()
            }
        ))]),
        Block::Table(Table {
            head: vec![vec![t("File")], vec![t("Where")], vec![t("Why")]],
            num: vec![false; 3],
            rows,
        }),
    ]
}

fn trends(report: &Report) -> Vec<Block> {
    let mut out = Vec::new();
    let Some((tl, tr)) = timeline_parts(report) else {
        return out;
    };
    let kind = tl.params.kind.name();
    out.push(h2("trends", vec![t("Trends")]));
    if let Some(why) = &tr.unavailable {
        out.push(Block::Para(vec![u(why)]));
    } else {
        out.push(Block::Para(vec![t(TREND_RULE)]));
        out.push(Block::Para(vec![t(format!(
            "Here the earlier part is {} and the recent part {}.",
            span(tl, 0, tr.recent_start),
            span(tl, tr.recent_start, tr.end)
        ))]));
    }
    let rows = ids(report)
        .into_iter()
        .map(|id| {
            let p = &tr.patterns[id as usize];
            let e = &p.evidence;
            let seen = |i: Option<usize>| i.map_or("–".to_string(), |i| tl.periods[i].clone());
            let shares = if tr.unavailable.is_some() {
                "–".to_string()
            } else {
                format!(
                    "{} → {}",
                    opt_pct(e.earlier_share()),
                    opt_pct(e.recent_share())
                )
            };
            vec![
                cell(id.to_string()),
                vec![u(label_of(report, id))],
                cell(p.trend.map_or("–", Trend::name)),
                cell(if p.recurring { "yes" } else { "no" }),
                cell(seen(e.first)),
                cell(seen(e.last)),
                cell(shares),
                cell(evidence_text(tl, p)),
                vec![Span::Code(sparkline(&tl.counts[id as usize], &tl.totals))],
            ]
        })
        .collect();
    out.push(Block::Table(Table {
        head: vec![
            cell("#"),
            cell("Pattern"),
            cell("Trend"),
            cell("Recurring"),
            cell("First seen"),
            cell("Last seen"),
            cell("Share earlier → recent"),
            cell("Evidence"),
            cell(format!("Each {kind} ({})", span(tl, 0, tl.periods.len()))),
        ],
        num: vec![true, false, false, false, false, false, false, false, false],
        rows,
    }));
    out.push(h3(vec![t(format!("Entries per {kind}"))]));
    let cols = ids(report);
    let mut head = vec![cell(capitalize(kind)), cell("All")];
    head.extend(cols.iter().map(|id| cell(id.to_string())));
    let mut num = vec![false, true];
    num.extend(cols.iter().map(|_| true));
    let rows = tl
        .periods
        .iter()
        .enumerate()
        .map(|(j, period)| {
            let mark = if tr.review == Some(j) {
                " (review)"
            } else {
                ""
            };
            let mut row = vec![
                cell(format!("{period}{mark}")),
                cell(tl.totals[j].to_string()),
            ];
            row.extend(
                cols.iter()
                    .map(|&id| cell(tl.counts[id as usize][j].to_string())),
            );
            row
        })
        .collect();
    out.push(Block::Table(Table { head, num, rows }));
    if tl.undated > 0 {
        out.push(Block::Para(vec![t(format!(
            "{} entries have no date and are not counted here.",
            tl.undated
        ))]));
    }
    out
}

/// A p-value as the reports show it.
fn p_text(p: f64) -> String {
    if p < 0.001 {
        "p < 0.001".to_string()
    } else {
        format!("p = {p:.3}")
    }
}

/// The counts and the test a trend call rests on, in words: recent entries against what the
/// earlier share gives, the one-sided p-value, and for a resolved pattern its quiet stretch.
fn evidence_text(tl: &Timeline, p: &PatternTrend) -> String {
    let Some(c) = p.call else {
        return "–".to_string();
    };
    let e = &p.evidence;
    let expected = e.expected_recent().unwrap_or(0.0);
    let mut s = format!("{} recent, {expected:.1} expected", e.recent);
    match c.trend {
        Trend::Resolved => {
            if let Some(q) = c.quiet {
                s = format!(
                    "{} since {}, {:.1} expected; {}",
                    q.entries,
                    tl.periods[q.from],
                    q.expected,
                    p_text(q.p_value)
                );
            }
        }
        Trend::New | Trend::Rising => s.push_str(&format!("; {}", p_text(c.p_more))),
        Trend::Fading => s.push_str(&format!("; {}", p_text(c.p_fewer))),
        Trend::Steady | Trend::OneOff => {
            s.push_str(&format!("; {}", p_text(c.p_more.min(c.p_fewer))))
        }
    }
    s
}

fn capitalize(s: &str) -> String {
    let mut c = s.chars();
    c.next()
        .map(|f| f.to_uppercase().chain(c).collect())
        .unwrap_or_default()
}

fn growth(report: &Report) -> Vec<Block> {
    let mut out = Vec::new();
    let Some((tl, tr)) = timeline_parts(report) else {
        return out;
    };
    if tr.unavailable.is_some() {
        return out;
    }
    let growth: Vec<u32> = ids(report)
        .into_iter()
        .filter(|&id| tr.trend(id).is_some_and(Trend::is_growth))
        .collect();
    out.push(h2("growth", vec![t("Growth")]));
    if growth.is_empty() {
        out.push(Block::Para(vec![t(
            "No pattern is fading or resolved yet.",
        )]));
        return out;
    }
    out.push(Block::Para(vec![t(
        "Patterns that are fading or resolved, with the behavioural changes written for them before they faded: the growth the log records.",
    )]));
    for id in growth {
        let p = &tr.patterns[id as usize];
        let e = &p.evidence;
        let trend = p.trend.map_or("", Trend::name);
        let last = e.last.map_or("–", |i| tl.periods[i].as_str());
        let mut head = pattern_ref(report, id);
        head.push(t(format!(" — {trend}, last seen {last}")));
        out.push(h3(head));
        out.push(Block::Para(vec![t(format!(
            "Share of entries: {} in {} ({}), {} in {} ({}).",
            opt_pct(e.earlier_share()),
            span(tl, 0, tr.recent_start),
            entries(e.earlier),
            opt_pct(e.recent_share()),
            span(tl, tr.recent_start, tr.end),
            entries(e.recent)
        ))]));
        if p.changes_before.is_empty() {
            out.push(Block::Para(vec![t(
                "No behavioural change was written for it before it faded.",
            )]));
            continue;
        }
        out.push(Block::Para(vec![b(
            "Behavioural changes written before it faded:",
        )]));
        out.push(Block::List(
            p.changes_before
                .iter()
                .map(|c| {
                    vec![
                        u(&c.text),
                        t(format!(
                            " (×{}, first written {})",
                            c.count, tl.periods[c.first]
                        )),
                    ]
                })
                .collect(),
        ));
    }
    out
}

/// Groups of the latest period that fit no earlier pattern but resemble each other.
fn emerging(report: &Report) -> Vec<Block> {
    let mut out = Vec::new();
    let Some((tl, tr)) = timeline_parts(report) else {
        return out;
    };
    if tr.end < 2 {
        return out;
    }
    let label = &tl.periods[tr.end - 1];
    out.push(h2("emerging", vec![t(format!("Emerging in {label}"))]));
    out.push(Block::Para(vec![t(format!(
        "Entries of {label} that fit none of the patterns seen before it (cosine similarity below {} to each pattern's earlier entries) but resemble each other ({} or more): a tendency that may be new, reported even when small — at least {} entries and {} % of the {kind}'s entries.",
        crate::emerging::FIT,
        crate::emerging::RESEMBLE,
        crate::emerging::MIN_ENTRIES,
        crate::emerging::MIN_SHARE * 100.0,
        kind = tl.params.kind.name(),
    ))]));
    if tl.emerging.is_empty() {
        out.push(Block::Para(vec![t(format!(
            "None in {label}: its entries fit earlier patterns, or those that fit none do not resemble each other."
        ))]));
        return out;
    }
    for (i, g) in tl.emerging.iter().enumerate() {
        let mut head = vec![t(format!("New {}: “", i + 1))];
        head.push(u(g.words.join(", ")));
        head.push(t(format!("” — {}", entries(g.entries.len() as u64))));
        out.push(h3(head));
        let placed: Vec<Inline> = g
            .assigned
            .iter()
            .map(|&(id, n)| {
                let mut r = pattern_ref(report, id);
                r.push(t(format!(" ({n})")));
                r
            })
            .collect();
        let mut line = vec![t("Placed now in: ")];
        line.extend(joined(placed, "; "));
        line.push(t("."));
        out.push(Block::Para(line));
        out.push(Block::List(
            g.examples
                .iter()
                .map(|&r| {
                    let rec = &report.records[r];
                    vec![u(crate::sanitize::shorten(
                        &rec.root_cause,
                        crate::sanitize::REPORT_TEXT_MAX,
                    )
                    .into_owned())]
                })
                .collect(),
        ));
    }
    out
}

/// "What to expect": per recurring pattern with a trend, the expected count for the next
/// period with its interval, marked as an estimate.
fn expectation(report: &Report) -> Vec<Block> {
    let mut out = Vec::new();
    let Some((tl, tr)) = timeline_parts(report) else {
        return out;
    };
    let rows: Vec<Vec<Inline>> = ids(report)
        .into_iter()
        .filter_map(|id| {
            let p = &tr.patterns[id as usize];
            let f = p.forecast?;
            let from = tr.end.saturating_sub(FORECAST_WINDOW);
            let last: Vec<String> = tl.counts[id as usize][from..tr.end]
                .iter()
                .map(u64::to_string)
                .collect();
            Some(vec![
                cell(id.to_string()),
                vec![u(label_of(report, id))],
                cell(p.trend.map_or("–", Trend::name)),
                cell(last.join(", ")),
                cell(if f.expected < 10.0 {
                    format!("≈ {:.1}", f.expected)
                } else {
                    format!("≈ {:.0}", f.expected)
                }),
                cell(format!("{}–{}", f.low, f.high)),
                cell(f.method.name()),
            ])
        })
        .collect();
    if rows.is_empty() {
        return out;
    }
    let kind = tl.params.kind.name();
    out.push(h2(
        "expectation",
        vec![t(format!("What to expect in {} (estimate)", tr.next))],
    ));
    out.push(Block::Para(vec![t(format!(
        "An estimate, not a promise: per recurring pattern, the entries to expect in {next} if it keeps its recent rate — its share of {recent} ({sharetext}), for a new pattern its share of {last} alone, or for a rising pattern the straight line through its shares of the last {w} {kinds} carried one {kind} on — times the mean number of entries of the last {w} {kinds}. The interval holds the count in {lvl:.0} of 100 {kinds} like these: it adds the chance variation of a count (Poisson), the uncertainty of the rate and of the volume (negative binomial). Backtested on generated logs (benches/QUALITY.md).",
        next = tr.next,
        recent = span(tl, tr.recent_start, tr.end),
        sharetext = "the recent part",
        last = tl.periods[tr.end - 1],
        w = FORECAST_WINDOW.min(tr.end),
        kinds = plural(kind, 2),
        lvl = FORECAST_LEVEL * 100.0,
    ))]));
    out.push(Block::Table(Table {
        head: vec![
            cell("#"),
            cell("Pattern"),
            cell("Trend"),
            cell(format!(
                "Last {} ({})",
                plural(kind, 2),
                span(tl, tr.end.saturating_sub(FORECAST_WINDOW), tr.end)
            )),
            cell(format!("Expected in {}", tr.next)),
            cell(format!("{:.0} % interval", FORECAST_LEVEL * 100.0)),
            cell("From"),
        ],
        num: vec![true, false, false, false, true, true, false],
        rows,
    }));
    out
}

fn control(report: &Report, bd: &Breakdown) -> Vec<Block> {
    if !bd.has_control {
        return Vec::new();
    }
    let rows = bd
        .patterns
        .iter()
        .map(|(id, counts)| {
            let (id, c) = (*id, &counts.control);
            let advice = if id == 0 {
                ""
            } else {
                lean(c).map_or("Too few answers to say.", |l| l.advice())
            };
            vec![
                cell(id.to_string()),
                vec![u(label_of(report, id))],
                cell(c[0].to_string()),
                cell(c[1].to_string()),
                cell(c[2].to_string()),
                cell(c[3].to_string()),
                cell(advice),
            ]
        })
        .collect();
    vec![
        h2("control", vec![t("Within or outside your control")]),
        Block::Para(vec![t(
            "A pattern mostly outside your control calls for resilience in plans; one mostly within it, for a behaviour change. \"Mostly\" means more than half of the entries that answer the control question.",
        )]),
        Block::Table(Table {
            head: [
                "#",
                "Pattern",
                "Within",
                "Partly",
                "Outside",
                "Unknown",
                "What it calls for",
            ]
            .into_iter()
            .map(cell)
            .collect(),
            num: vec![true, false, true, true, true, true, false],
            rows,
        }),
    ]
}

fn groups(report: &Report, bd: &Breakdown) -> Vec<Block> {
    let Some(column) = &bd.group_column else {
        return Vec::new();
    };
    let mut head = vec![cell("#"), cell("Pattern")];
    head.extend(
        bd.group_names
            .iter()
            .map(|n| vec![u(group_name(n).into_owned())]),
    );
    let mut num = vec![true, false];
    num.extend(bd.group_names.iter().map(|_| true));
    let rows = bd
        .patterns
        .iter()
        .map(|(id, counts)| {
            let mut row = vec![cell(id.to_string()), vec![u(label_of(report, *id))]];
            row.extend(
                bd.group_names
                    .iter()
                    .map(|g| cell(counts.groups.get(g).copied().unwrap_or(0).to_string())),
            );
            row
        })
        .collect();
    vec![
        h2("groups", vec![t("By "), u(column)]),
        Block::Table(Table { head, num, rows }),
    ]
}

/// Over-time, control and group lines in a pattern's own section.
pub fn pattern_lines(report: &Report, p: &Pattern) -> Vec<Block> {
    let mut out = Vec::new();
    if let Some((tl, tr)) = timeline_parts(report) {
        let pt = &tr.patterns[p.id as usize];
        let e = &pt.evidence;
        let kind = tl.params.kind.name();
        if let (Some(first), Some(last)) = (e.first, e.last) {
            let mut line = vec![b("Over time:"), t(" ")];
            if let Some(x) = pt.trend {
                line.push(b(x.name()));
                line.push(t(" — "));
            }
            let mut rest = format!("seen in {} {} ", e.periods, plural(kind, e.periods));
            if first == last {
                rest.push_str(&format!("({})", tl.periods[first]));
            } else {
                rest.push_str(&format!(
                    "from {} to {}",
                    tl.periods[first], tl.periods[last]
                ));
            }
            if pt.recurring {
                rest.push_str(" (recurring)");
            }
            if tr.unavailable.is_none() {
                rest.push_str(&format!(
                    "; share {} earlier, {} recently",
                    opt_pct(e.earlier_share()),
                    opt_pct(e.recent_share())
                ));
            }
            rest.push('.');
            line.push(t(rest));
            out.push(Block::Para(line));
        }
    }
    let counts = counts_of(report, p);
    let c = &counts.control;
    if breakdown::has_control(report.ingested) {
        let mut line = format!(
            " {} within, {} partly, {} outside, {} unknown.",
            c[0], c[1], c[2], c[3]
        );
        if let Some(l) = lean(c).filter(|_| p.id != 0) {
            line.push(' ');
            line.push_str(l.advice());
        }
        out.push(Block::Para(vec![b("Control:"), t(line)]));
    }
    if let Some(column) = breakdown::group_column(report.ingested) {
        let mut parts: Vec<(u64, &str)> = counts
            .groups
            .iter()
            .map(|(n, c)| (*c, n.as_str()))
            .collect();
        parts.sort_by(|a, b| b.0.cmp(&a.0).then(a.1.cmp(b.1)));
        let parts: Vec<Inline> = parts
            .iter()
            .map(|(c, n)| vec![u(group_name(n).into_owned()), t(format!(" {c}"))])
            .collect();
        let mut line = vec![Span::Strong(vec![t("By "), u(column), t(":")]), t(" ")];
        line.extend(joined(parts, ", "));
        out.push(Block::Para(line));
    }
    out
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
                "ratio": p.call.and_then(|c| c.ratio).map(round4),
                "p_more": p.call.map(|c| round4(c.p_more)),
                "p_fewer": p.call.map(|c| round4(c.p_fewer)),
                "p_value": p.call.and_then(|c| c.p_value()).map(round4),
                "quiet": p.call.and_then(|c| c.quiet).map(|q| json!({
                    "from": t.periods[q.from],
                    "entries": q.entries,
                    "expected": round4(q.expected),
                    "p_value": round4(q.p_value),
                })),
            }),
        );
    }
    if id != 0 {
        m.insert(
            "forecast".into(),
            json!(p.forecast.map(|f| json!({
                "estimate": true,
                "expected": round4(f.expected),
                "low": f.low,
                "high": f.high,
                "level": FORECAST_LEVEL,
                "method": f.method.name(),
                "expected_share": round4(f.share),
                "expected_volume": round4(f.volume),
            }))),
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
        "next_period": tr.next,
        "emerging": t.emerging.iter().map(|g| json!({
            "period": t.periods[g.period],
            "entries": g.entries.len(),
            "words": g.words,
            "assigned": g.assigned.iter().map(|&(id, n)| json!({"pattern": id, "entries": n})).collect::<Vec<_>>(),
            "examples": g.examples.iter().map(|&r| {
                let rec = &report.records[r];
                json!({
                    "file": report.ingested.files.get(rec.file as usize).map(|f| f.name.as_str()),
                    "row": rec.row,
                    "text": crate::sanitize::shorten(&rec.root_cause, crate::sanitize::REPORT_TEXT_MAX),
                })
            }).collect::<Vec<_>>(),
        })).collect::<Vec<_>>(),
        "trend_params": {
            "recent_periods": p.recent(),
            "min_entries": p.min_entries(),
            "recurring_periods": p.recurring_periods(),
            "rise_ratio": p.rise_ratio(),
            "fade_ratio": p.fade_ratio(),
            "significance": p.significance(),
            "stray_level": p.stray_level(),
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
