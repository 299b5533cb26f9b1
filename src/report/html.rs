//! `report.html`: one self-contained page laid out for a review meeting — "this quarter" first,
//! then the summary, the review period, trends, growth, control and group tables (the same
//! blocks `report.md` writes, from `review.rs`), the charts, and one section per pattern.
//!
//! Self-contained: CSS and SVG are inline, there are no scripts, and a Content-Security-Policy
//! forbids loading anything, so the file opens from disk in any browser and never calls out.
//! Every piece of user text goes through `esc`, so an entry reading `<script>` shows as text.
//! Size is bounded whatever the log's length: each pattern lists at most `MAX_ENTRIES` entries
//! (then "… and N more"), and the charts sample large logs.

use super::doc::Block;
use super::{pct, ChartFile, Renderer, Report};
use crate::chart::palette;
use crate::patterns::{Counted, Pattern};
use crate::record::{Control, Record, Role};
use std::io::{self, Write};

pub struct Html;

/// Entries listed per pattern before "… and N more".
pub const MAX_ENTRIES: usize = 50;

/// Escapes text for HTML element content and quoted attribute values, and drops the characters
/// `sanitize::is_hidden` names.
pub fn esc(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '&' => out.push_str("&amp;"),
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '"' => out.push_str("&quot;"),
            '\'' => out.push_str("&#39;"),
            // Bidi overrides, zero-width and control characters would reorder or hide text.
            c if crate::sanitize::is_hidden(c) => {}
            '\u{2028}' | '\u{2029}' => out.push(' '),
            c => out.push(c),
        }
    }
    out
}

const CSS: &str = r#"
:root { --ink: #1f2328; --muted: #59636e; --line: #d8dee4; --soft: #f6f8fa; --accent: #0072b2; }
* { box-sizing: border-box; }
body { margin: 0; color: var(--ink); background: #fff; font: 16px/1.5 system-ui, -apple-system, "Segoe UI", Roboto, "Helvetica Neue", Arial, sans-serif; }
main { max-width: 1120px; margin: 0 auto; padding: 24px 28px 64px; }
h1 { font-size: 2rem; margin: 8px 0 4px; }
h2 { font-size: 1.45rem; margin: 0 0 12px; display: flex; align-items: center; gap: 10px; }
h3 { font-size: 1.05rem; margin: 20px 0 8px; }
a { color: var(--accent); }
.lede { color: var(--muted); margin: 0 0 20px; }
section { border-top: 1px solid var(--line); padding: 28px 0 8px; }
dl.facts { display: grid; grid-template-columns: max-content 1fr; gap: 4px 18px; margin: 0 0 16px; }
dl.facts dt { font-weight: 600; }
dl.facts dd { margin: 0; }
.notes { background: #fff8e1; border-left: 4px solid #e69f00; padding: 8px 14px 8px 30px; }
table { border-collapse: collapse; width: 100%; font-size: 0.95rem; }
th, td { text-align: left; padding: 6px 10px; border-bottom: 1px solid var(--line); vertical-align: top; }
th { background: var(--soft); font-weight: 600; }
td.num, th.num { text-align: right; font-variant-numeric: tabular-nums; white-space: nowrap; }
.swatch { display: inline-block; width: 16px; height: 16px; border-radius: 3px; flex: none; border: 1px solid rgba(0,0,0,.15); vertical-align: -2px; }
figure { margin: 0 0 32px; }
figure svg { display: block; width: 100%; height: auto; border: 1px solid var(--line); border-radius: 6px; }
figcaption { margin: 0 0 8px; }
figcaption h3 { margin: 0 0 2px; }
figcaption p, .files { margin: 0; color: var(--muted); font-size: 0.92rem; }
.files { margin-top: 6px; }
.meta { color: var(--muted); margin: -4px 0 12px; }
.meta strong { color: var(--ink); }
.terms { display: flex; flex-wrap: wrap; gap: 6px; list-style: none; padding: 0; margin: 0; }
.terms li { background: var(--soft); border: 1px solid var(--line); border-radius: 999px; padding: 2px 10px; font-size: 0.92rem; }
.head { display: grid; grid-template-columns: 1fr minmax(0, 480px); gap: 24px; align-items: start; }
figure.trend { margin: 8px 0 0; }
@media (max-width: 800px) { .head { grid-template-columns: 1fr; } }
@media (max-width: 640px) { main { padding: 16px 14px 48px; } dl.facts { grid-template-columns: 1fr; } dl.facts dd { margin: 0 0 6px; } }
#summary { overflow-x: auto; }
blockquote { margin: 0; padding: 8px 14px; background: var(--soft); border-left: 4px solid var(--line); border-radius: 0 6px 6px 0; overflow-wrap: anywhere; }
ul.examples { list-style: none; padding: 0; margin: 0; display: grid; gap: 10px; }
.source { color: var(--muted); font-size: 0.88rem; margin: 2px 0 0 18px; }
.count { color: var(--muted); font-size: 0.9rem; white-space: nowrap; }
details { margin: 18px 0 8px; }
summary { cursor: pointer; font-weight: 600; }
table.entries td.text { overflow-wrap: anywhere; }
table.entries td.id { white-space: nowrap; }
.more { color: var(--muted); font-style: italic; }
.back { font-size: 0.9rem; }
footer { color: var(--muted); font-size: 0.85rem; border-top: 1px solid var(--line); padding-top: 16px; margin-top: 24px; }
.wide { overflow-x: auto; margin: 0 0 16px; }
.wide table { width: auto; min-width: 60%; }
.wide td:first-child, .wide td.num, #trends .wide td:nth-child(n+3):nth-child(-n+7) { white-space: nowrap; }
#control td:last-child { min-width: 320px; }
code { font: 0.95rem ui-monospace, SFMono-Regular, Menlo, Consolas, monospace; letter-spacing: 1px; white-space: pre; }
.this-period section { background: #eef6fb; border: 1px solid #b6d7ea; border-radius: 8px; padding: 16px 22px 6px; margin: 16px 0 24px; }
.this-period ul { padding-left: 20px; }
.this-period li { margin: 0 0 6px; }
.lines p { margin: 0 0 6px; }
nav.contents { font-size: 0.92rem; color: var(--muted); margin: 0 0 8px; }
@media print { a { color: inherit; } .wide { overflow: visible; } }
"#;

/// The text an entry is listed by: its root cause, else its context (`--text context`).
fn entry_text(r: &Record) -> &str {
    [&r.root_cause, &r.context]
        .into_iter()
        .find(|t| !t.trim().is_empty())
        .map_or("", |s| &**s)
}

/// An entry's id as the page shows it (ids are meant to be short; a long one is cut).
fn short_id(id: &str) -> std::borrow::Cow<'_, str> {
    crate::sanitize::shorten(id, crate::sanitize::LABEL_MAX)
}

/// A count with thousands separators ("12,345").
fn num(n: usize) -> String {
    crate::chart::thousands(n as u64)
}

/// "1 entry", "12,345 entries".
fn entries_n(n: usize) -> String {
    if n == 1 {
        "1 entry".to_string()
    } else {
        format!("{} entries", num(n))
    }
}

fn control_name(c: Control) -> &'static str {
    match c {
        Control::Within => "within",
        Control::Partial => "partly",
        Control::Outside => "outside",
        Control::Unknown => "—",
    }
}

/// The pattern's trend ("rising", "fading"...), when the timeline called one.
fn trend_of(report: &Report, id: u32) -> Option<&'static str> {
    report
        .timeline?
        .trends
        .as_ref()?
        .trend(id)
        .map(|t| t.name())
}

fn has_control(report: &Report) -> bool {
    report
        .ingested
        .files
        .iter()
        .any(|f| f.columns.iter().any(|(r, _)| *r == Role::Control))
}

fn swatch(id: u32) -> String {
    format!(
        "<span class=\"swatch\" style=\"background:{}\"></span>",
        palette::hex(id)
    )
}

fn title_of(p: &Pattern) -> String {
    if p.id == 0 {
        "No clear pattern".to_string()
    } else {
        format!("{}. {}", p.id, esc(&p.label))
    }
}

/// The SVG as the page embeds it: labelled for screen readers.
fn inline_svg(svg: &str, label: &str) -> String {
    let body = svg.trim();
    match body.strip_prefix("<svg") {
        Some(rest) => format!("<svg role=\"img\" aria-label=\"{}\"{rest}", esc(label)),
        None => body.to_string(),
    }
}

fn summary(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let ing = report.ingested;
    writeln!(w, "<section id=\"summary\">")?;
    writeln!(w, "<h2>Summary</h2>")?;
    writeln!(w, "<dl class=\"facts\">")?;
    let files: Vec<String> = ing.files.iter().map(|f| esc(&f.name)).collect();
    writeln!(w, "<dt>Files</dt><dd>{}</dd>", files.join(", "))?;
    let mut rows = format!(
        "{} read, {} analyzed, {} rejected",
        num(ing.rows_read as usize),
        num(report.rows_analyzed()),
        num(ing.rejects.len())
    );
    if ing.rows_out_of_range > 0 {
        rows.push_str(&format!(
            ", {} outside the date window",
            ing.rows_out_of_range
        ));
    }
    if !ing.rejects.is_empty() {
        rows.push_str(" (see <a href=\"rejected.csv\">rejected.csv</a>)");
    }
    writeln!(w, "<dt>Rows</dt><dd>{rows}</dd>")?;
    match report.date_range() {
        Some((a, b)) => writeln!(w, "<dt>Dates</dt><dd>{a} to {b}</dd>")?,
        None => writeln!(
            w,
            "<dt>Dates</dt><dd>none ({})</dd>",
            report.no_dates_reason()
        )?,
    }
    writeln!(
        w,
        "<dt>Patterns</dt><dd>{}</dd>",
        esc(&report.selection_text())
    )?;
    if let Some(p0) = &report.patterns.unassigned {
        writeln!(
            w,
            "<dt>No clear pattern</dt><dd>{} ({})</dd>",
            entries_n(p0.size),
            pct(p0.share)
        )?;
    }
    if let Some(e) = &report.evaluation {
        writeln!(
            w,
            "<dt>Agreement with the truth column</dt><dd>{} entries, {} classes: adjusted Rand index {:.3}, normalized mutual information {:.3}, V-measure {:.3}</dd>",
            e.entries, e.truth_classes, e.adjusted_rand_index, e.normalized_mutual_information, e.v_measure
        )?;
    }
    super::doc::facts_html(w, &super::review::summary_facts(report))?;
    writeln!(w, "</dl>")?;
    // Chart notes are shown with the charts.
    let chart_notes: &[String] = report.charts.map_or(&[], |c| &c.notes);
    let notes: Vec<&String> = report
        .notes
        .iter()
        .filter(|n| !chart_notes.contains(n))
        .collect();
    if !notes.is_empty() {
        writeln!(w, "<ul class=\"notes\">")?;
        for n in notes {
            writeln!(w, "<li>{}</li>", esc(n))?;
        }
        writeln!(w, "</ul>")?;
    }
    let all: Vec<&Pattern> = report
        .patterns
        .patterns
        .iter()
        .chain(report.patterns.unassigned.as_ref())
        .collect();
    if !all.is_empty() {
        let tendencies = all.iter().any(|p| p.id != 0);
        let trends = all.iter().any(|p| trend_of(report, p.id).is_some());
        writeln!(w, "<table class=\"overview\">")?;
        writeln!(
            w,
            "<thead><tr><th class=\"num\">#</th><th>Pattern</th><th class=\"num\">Entries</th><th class=\"num\">Share</th>{}{}</tr></thead>",
            if trends { "<th>Trend</th>" } else { "" },
            if tendencies { "<th>Found by</th>" } else { "" }
        )?;
        writeln!(w, "<tbody>")?;
        for p in all {
            let name = if p.id == 0 {
                "no clear pattern".to_string()
            } else {
                esc(&p.label)
            };
            let trend = if trends {
                format!("<td>{}</td>", trend_of(report, p.id).unwrap_or(""))
            } else {
                String::new()
            };
            let tendency = if tendencies {
                format!("<td>{}</td>", esc(&super::found_cell(p)))
            } else {
                String::new()
            };
            writeln!(
                w,
                "<tr><td class=\"num\">{}</td><td>{} <a href=\"#pattern-{}\">{}</a></td><td class=\"num\">{}</td><td class=\"num\">{}</td>{trend}{tendency}</tr>",
                if p.id == 0 { "–".to_string() } else { p.id.to_string() },
                swatch(p.id),
                p.id,
                name,
                num(p.size),
                pct(p.share),
            )?;
        }
        writeln!(w, "</tbody>")?;
        writeln!(w, "</table>")?;
    }
    writeln!(w, "</section>")
}

fn chart_figure(w: &mut dyn Write, c: &ChartFile) -> io::Result<()> {
    writeln!(w, "<figure id=\"chart-{}\">", c.name)?;
    writeln!(
        w,
        "<figcaption><h3>{}</h3><p>{}</p></figcaption>",
        esc(&c.title),
        esc(&c.description)
    )?;
    writeln!(w, "{}", inline_svg(&c.svg, &c.title))?;
    if !c.files.is_empty() {
        let links: Vec<String> = c
            .files
            .iter()
            .map(|f| format!("<a href=\"{0}\">{0}</a>", esc(f)))
            .collect();
        writeln!(w, "<p class=\"files\">Files: {}</p>", links.join(" · "))?;
    }
    writeln!(w, "</figure>")
}

fn charts(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    writeln!(w, "<section id=\"charts\">")?;
    writeln!(w, "<h2>Charts</h2>")?;
    match report.charts {
        None => writeln!(
            w,
            "<p class=\"more\">No charts were drawn for this report.</p>"
        )?,
        Some(files) => {
            if !files.notes.is_empty() {
                writeln!(w, "<ul class=\"notes\">")?;
                for n in &files.notes {
                    writeln!(w, "<li>{}</li>", esc(n))?;
                }
                writeln!(w, "</ul>")?;
            }
            for c in &files.charts {
                chart_figure(w, c)?;
            }
        }
    }
    writeln!(w, "</section>")
}

fn counted(w: &mut dyn Write, what: &str, items: &[Counted]) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(w, "<h3>{}</h3>", esc(&super::counted_title(what, items)))?;
    writeln!(w, "<ul>")?;
    for c in items {
        if c.count > 1 {
            writeln!(
                w,
                "<li>{} <span class=\"count\">×{}</span></li>",
                esc(&c.text),
                num(c.count)
            )?;
        } else {
            writeln!(w, "<li>{}</li>", esc(&c.text))?;
        }
    }
    writeln!(w, "</ul>")
}

fn source(report: &Report, r: &Record) -> String {
    let mut parts = Vec::new();
    if let Some(d) = r.date {
        parts.push(d.to_string());
    }
    if !r.id.is_empty() {
        parts.push(esc(&short_id(&r.id)));
    }
    parts.push(format!("{} row {}", esc(report.file_name(r.file)), r.row));
    parts.join(" · ")
}

fn pattern_section(w: &mut dyn Write, report: &Report, p: &Pattern) -> io::Result<()> {
    writeln!(w, "<section class=\"pattern\" id=\"pattern-{}\">", p.id)?;
    writeln!(w, "<h2>{}{}</h2>", swatch(p.id), title_of(p))?;
    let mut meta = format!(
        "<strong>{}</strong> ({} of all analyzed)",
        entries_n(p.size),
        pct(p.share)
    );
    if let Some(t) = &p.tendency {
        meta.push_str(&format!(
            " · well-known tendency: <strong>{}</strong>",
            esc(t)
        ));
    }
    if p.id != 0 {
        meta.push_str(&format!(" · found by {}", super::found_by(p)));
        if let Some(c) = super::confidence_text(p) {
            meta.push_str(&format!(", {c}"));
        }
    }
    writeln!(w, "<p class=\"meta\">{meta}</p>")?;
    let lines = super::review::pattern_lines(report, p);
    if !lines.is_empty() {
        writeln!(w, "<div class=\"lines\">")?;
        super::doc::to_html(w, &lines)?;
        writeln!(w, "</div>")?;
    }
    if p.id == 0 {
        writeln!(
            w,
            "<p>Entries that are far from every pattern's centre (or share no terms with the rest of the log).</p>"
        )?;
    }
    writeln!(w, "<div class=\"head\">")?;
    writeln!(w, "<div>")?;
    if !p.terms.is_empty() {
        writeln!(w, "<h3>Distinctive terms</h3>")?;
        let terms: Vec<String> = p
            .terms
            .iter()
            .map(|(t, _)| format!("<li>{}</li>", esc(t)))
            .collect();
        writeln!(w, "<ul class=\"terms\">{}</ul>", terms.join(""))?;
    }
    writeln!(w, "</div>")?;
    let trend = report
        .charts
        .and_then(|c| c.pattern_trends.iter().find(|(id, _)| *id == p.id));
    if let Some((_, svg)) = trend {
        writeln!(w, "<figure class=\"trend\">")?;
        writeln!(w, "{}", inline_svg(svg, "Share of each period's entries"))?;
        writeln!(w, "</figure>")?;
    }
    writeln!(w, "</div>")?;
    if !p.examples.is_empty() {
        writeln!(w, "<h3>Representative entries</h3>")?;
        writeln!(w, "<ul class=\"examples\">")?;
        for e in &p.examples {
            let rec = &report.records[e.index];
            let matched = if e.matched.is_empty() {
                String::new()
            } else {
                format!(" · {}: {}", e.why(), esc(&e.matched.join(", ")))
            };
            writeln!(
                w,
                "<li><blockquote>{}</blockquote><p class=\"source\">{}{matched}</p></li>",
                esc(&e.text),
                source(report, rec)
            )?;
        }
        writeln!(w, "</ul>")?;
    }
    counted(w, "Lessons", &p.lessons)?;
    counted(w, "Behavioural changes", &p.behavioral_changes)?;
    entries(w, report, p)?;
    writeln!(
        w,
        "<p class=\"back\"><a href=\"#summary\">Back to the summary</a></p>"
    )?;
    writeln!(w, "</section>")
}

fn entries(w: &mut dyn Write, report: &Report, p: &Pattern) -> io::Result<()> {
    if p.members.is_empty() {
        return Ok(());
    }
    let control = has_control(report);
    let shown = p.members.len().min(MAX_ENTRIES);
    let what = if shown < p.members.len() {
        format!("The first {shown} of its {} entries", num(p.members.len()))
    } else {
        format!("Its {}", entries_n(p.members.len()))
    };
    writeln!(w, "<details>")?;
    writeln!(w, "<summary>{what}</summary>")?;
    writeln!(w, "<table class=\"entries\">")?;
    let control_head = if control { "<th>Control</th>" } else { "" };
    writeln!(
        w,
        "<thead><tr><th>Date</th><th>Entry</th><th>Root cause</th>{control_head}</tr></thead>"
    )?;
    writeln!(w, "<tbody>")?;
    for &i in p.members.iter().take(shown) {
        let r = &report.records[i];
        let date = r.date.map(|d| d.to_string()).unwrap_or_default();
        let name = if r.id.is_empty() {
            format!("{} row {}", esc(report.file_name(r.file)), r.row)
        } else {
            esc(&short_id(&r.id))
        };
        let control_cell = if control {
            format!("<td>{}</td>", control_name(r.control))
        } else {
            String::new()
        };
        writeln!(
            w,
            "<tr><td class=\"num\">{date}</td><td class=\"id\">{name}</td><td class=\"text\">{}</td>{control_cell}</tr>",
            esc(&crate::sanitize::shorten(
                entry_text(r),
                crate::sanitize::REPORT_TEXT_MAX
            ))
        )?;
    }
    writeln!(w, "</tbody>")?;
    writeln!(w, "</table>")?;
    if shown < p.members.len() {
        writeln!(
            w,
            "<p class=\"more\">… and {} more (every entry's pattern is in assignments.csv).</p>",
            num(p.members.len() - shown)
        )?;
    }
    writeln!(w, "</details>")
}

/// One line of links to the page's sections, in page order.
fn contents(w: &mut dyn Write, report: &Report, parts: &[&[Block]]) -> io::Result<()> {
    let mut links: Vec<(String, String)> = super::doc::sections_html(parts[0]);
    links.push(("summary".into(), "Summary".into()));
    for part in &parts[1..] {
        links.extend(super::doc::sections_html(part));
    }
    links.push(("charts".into(), "Charts".into()));
    if let Some(p) = report.patterns.patterns.first() {
        links.push((format!("pattern-{}", p.id), "Patterns".into()));
    }
    let items: Vec<String> = links
        .iter()
        .map(|(id, text)| format!("<a href=\"#{id}\">{text}</a>"))
        .collect();
    writeln!(
        w,
        "<nav class=\"contents\" aria-label=\"Contents\">{}</nav>",
        items.join(" · ")
    )
}

impl Renderer for Html {
    fn file_name(&self) -> &'static str {
        "report.html"
    }

    fn render(&self, report: &Report, w: &mut dyn Write) -> io::Result<()> {
        let files: Vec<String> = report.ingested.files.iter().map(|f| esc(&f.name)).collect();
        writeln!(w, "<!DOCTYPE html>")?;
        writeln!(w, "<html lang=\"en\">")?;
        writeln!(w, "<head>")?;
        writeln!(w, "<meta charset=\"utf-8\">")?;
        writeln!(
            w,
            "<meta name=\"viewport\" content=\"width=device-width, initial-scale=1\">"
        )?;
        // Nothing may load or run: the page is complete as it is.
        writeln!(
            w,
            "<meta http-equiv=\"Content-Security-Policy\" content=\"default-src 'none'; style-src 'unsafe-inline'; img-src data:\">"
        )?;
        writeln!(
            w,
            "<meta name=\"generator\" content=\"recur {}\">",
            env!("CARGO_PKG_VERSION")
        )?;
        writeln!(w, "<title>Recurring patterns: {}</title>", files.join(", "))?;
        writeln!(w, "<style>{CSS}</style>")?;
        writeln!(w, "</head>")?;
        writeln!(w, "<body>")?;
        writeln!(w, "<main>")?;
        writeln!(w, "<header>")?;
        writeln!(w, "<h1>Recurring patterns</h1>")?;
        writeln!(
            w,
            "<p class=\"lede\">{} from {}, grouped into {} by what their root causes say.</p>",
            entries_n(report.rows_analyzed()),
            files.join(", "),
            match report.patterns.patterns.len() {
                1 => "1 pattern".to_string(),
                k => format!("{k} patterns"),
            }
        )?;
        writeln!(w, "</header>")?;
        let this_period = super::review::this_period(report);
        let review = super::review::review(report);
        let sections = super::review::sections(report);
        contents(w, report, &[&this_period, &review, &sections])?;
        if !this_period.is_empty() {
            writeln!(w, "<div class=\"this-period\">")?;
            super::doc::to_html(w, &this_period)?;
            writeln!(w, "</div>")?;
        }
        summary(w, report)?;
        super::doc::to_html(w, &review)?;
        super::doc::to_html(w, &sections)?;
        charts(w, report)?;
        for p in &report.patterns.patterns {
            pattern_section(w, report, p)?;
        }
        if let Some(p0) = &report.patterns.unassigned {
            pattern_section(w, report, p0)?;
        }
        writeln!(
            w,
            "<footer>Written by recur {}. Entries are grouped by the words of their root causes; a pattern is a tendency to look into, not a verdict.</footer>",
            env!("CARGO_PKG_VERSION")
        )?;
        writeln!(w, "</main>")?;
        writeln!(w, "</body>")?;
        writeln!(w, "</html>")
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn escapes_markup_and_quotes() {
        assert_eq!(
            esc("<script>alert('x')</script> & \"q\""),
            "&lt;script&gt;alert(&#39;x&#39;)&lt;/script&gt; &amp; &quot;q&quot;"
        );
    }

    #[test]
    fn labels_inline_svg_for_screen_readers() {
        let svg = "<svg width=\"10\" height=\"10\" viewBox=\"0 0 10 10\"></svg>\n";
        assert_eq!(
            inline_svg(svg, "A \"b\""),
            "<svg role=\"img\" aria-label=\"A &quot;b&quot;\" width=\"10\" height=\"10\" viewBox=\"0 0 10 10\"></svg>"
        );
    }
}
