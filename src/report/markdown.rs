//! `report.md`: summary, then one section per pattern, largest first. User text is made inert:
//! newlines folded, `<`, `>` and `|` escaped, so an entry cannot inject HTML or break a table.

use super::{pct, Renderer, Report};
use crate::patterns::{Counted, Pattern};
use std::io::{self, Write};

pub struct Markdown;

/// Escapes user text for Markdown (inline, one line), dropping the characters
/// `sanitize::is_hidden` names.
pub fn md(s: &str) -> String {
    let mut out = String::with_capacity(s.len());
    for c in s.chars() {
        match c {
            '\n' | '\r' | '\t' | '\u{2028}' | '\u{2029}' => out.push(' '),
            // Bidi overrides, zero-width and control characters would reorder or hide text.
            c if crate::sanitize::is_hidden(c) => {}
            '<' => out.push_str("&lt;"),
            '>' => out.push_str("&gt;"),
            '&' => out.push_str("&amp;"),
            '|' => out.push_str("\\|"),
            '*' | '_' | '`' | '[' | ']' | '#' => {
                out.push('\\');
                out.push(c);
            }
            c => out.push(c),
        }
    }
    out
}

fn counted_list(w: &mut dyn Write, what: &str, items: &[Counted]) -> io::Result<()> {
    if items.is_empty() {
        return Ok(());
    }
    writeln!(w, "**{}:**\n", super::counted_title(what, items))?;
    for c in items {
        if c.count > 1 {
            writeln!(w, "- {} (×{})", md(&c.text), c.count)?;
        } else {
            writeln!(w, "- {}", md(&c.text))?;
        }
    }
    writeln!(w)
}

fn pattern_section(w: &mut dyn Write, report: &Report, p: &Pattern) -> io::Result<()> {
    let title = if p.id == 0 {
        format!(
            "## No clear pattern — {} entries ({})",
            p.size,
            pct(p.share)
        )
    } else {
        format!(
            "## {}. {} — {} entries ({})",
            p.id,
            md(&p.label),
            p.size,
            pct(p.share)
        )
    };
    writeln!(w, "{title}\n")?;
    if let Some(t) = &p.tendency {
        writeln!(w, "Well-known tendency: **{}**\n", md(t))?;
    }
    if p.id != 0 {
        let mut how = format!("Found by {}", super::found_by(p));
        if let Some(c) = super::confidence_text(p) {
            how.push_str(&format!("; {c}"));
        }
        writeln!(w, "{how}.\n")?;
    }
    super::doc::to_md(w, &super::review::pattern_lines(report, p))?;
    if p.id == 0 {
        writeln!(
            w,
            "Entries that are far from every pattern's centre (or share no terms with the rest of the log).\n"
        )?;
    }
    if !p.terms.is_empty() {
        let terms: Vec<String> = p.terms.iter().map(|(t, _)| md(t)).collect();
        writeln!(w, "**Distinctive terms:** {}\n", terms.join(", "))?;
    }
    if !p.examples.is_empty() {
        writeln!(w, "**Representative entries:**\n")?;
        for e in &p.examples {
            let rec = &report.records[e.index];
            let date = rec.date.map(|d| format!("{d}, ")).unwrap_or_default();
            let matched = if e.matched.is_empty() {
                String::new()
            } else {
                format!(" — {}: {}", e.why(), md(&e.matched.join(", ")))
            };
            writeln!(
                w,
                "- “{}” ({date}{} row {}){matched}",
                md(&e.text),
                md(report.file_name(rec.file)),
                rec.row
            )?;
        }
        writeln!(w)?;
    }
    counted_list(w, "Lessons", &p.lessons)?;
    counted_list(w, "Behavioural changes", &p.behavioral_changes)?;
    Ok(())
}

/// Links the chart images written next to the report (PNG preferred, else SVG).
fn charts_section(w: &mut dyn Write, report: &Report) -> io::Result<()> {
    let Some(charts) = report.charts else {
        return Ok(());
    };
    let linked: Vec<(&str, &str)> = charts
        .charts
        .iter()
        .filter_map(|c| {
            let file = c
                .files
                .iter()
                .find(|f| f.ends_with(".png"))
                .or_else(|| c.files.first())?;
            Some((c.title.as_str(), file.as_str()))
        })
        .collect();
    if linked.is_empty() {
        return Ok(());
    }
    writeln!(w, "## Charts\n")?;
    for (title, file) in linked {
        writeln!(w, "![{}]({file})\n", md(title))?;
    }
    Ok(())
}

impl Renderer for Markdown {
    fn file_name(&self) -> &'static str {
        "report.md"
    }

    fn render(&self, report: &Report, w: &mut dyn Write) -> io::Result<()> {
        let ing = report.ingested;
        writeln!(w, "# Recurring patterns\n")?;
        let files: Vec<String> = ing.files.iter().map(|f| md(&f.name)).collect();
        writeln!(w, "- **Files:** {}", files.join(", "))?;
        let mut rows = format!(
            "- **Rows:** {} read, {} analyzed, {} rejected",
            ing.rows_read,
            report.rows_analyzed(),
            ing.rejects.len()
        );
        if ing.rows_out_of_range > 0 {
            rows.push_str(&format!(
                ", {} outside the date window",
                ing.rows_out_of_range
            ));
        }
        if !ing.rejects.is_empty() {
            rows.push_str(" (see rejected.csv)");
        }
        writeln!(w, "{rows}")?;
        match report.date_range() {
            Some((a, b)) => writeln!(w, "- **Dates:** {a} to {b}")?,
            None => writeln!(w, "- **Dates:** none ({})", report.no_dates_reason())?,
        }
        writeln!(w, "- **Patterns:** {}", report.selection_text())?;
        if let Some(p0) = &report.patterns.unassigned {
            writeln!(
                w,
                "- **No clear pattern:** {} entries ({})",
                p0.size,
                pct(p0.share)
            )?;
        }
        if let Some(e) = &report.evaluation {
            writeln!(
                w,
                "- **Agreement with the truth column** ({} entries, {} classes): adjusted Rand index {:.3}, normalized mutual information {:.3}, V-measure {:.3}",
                e.entries, e.truth_classes, e.adjusted_rand_index, e.normalized_mutual_information, e.v_measure
            )?;
        }
        super::doc::facts_md(w, &super::review::summary_facts(report))?;
        for note in &report.notes {
            writeln!(w, "- {}", md(note))?;
        }
        writeln!(w)?;
        super::doc::to_md(w, &super::review::review(report))?;
        if !report.patterns.patterns.is_empty() {
            writeln!(w, "| # | Pattern | Entries | Share | Found by |")?;
            writeln!(w, "|---:|---|---:|---:|---|")?;
            for p in &report.patterns.patterns {
                writeln!(
                    w,
                    "| {} | {} | {} | {} | {} |",
                    p.id,
                    md(&p.label),
                    p.size,
                    pct(p.share),
                    md(&super::found_cell(p))
                )?;
            }
            writeln!(w)?;
        }
        super::doc::to_md(w, &super::review::sections(report))?;
        charts_section(w, report)?;
        for p in &report.patterns.patterns {
            pattern_section(w, report, p)?;
        }
        if let Some(p0) = &report.patterns.unassigned {
            pattern_section(w, report, p0)?;
        }
        Ok(())
    }
}

#[cfg(test)]
mod tests {
    use super::md;

    #[test]
    fn escapes_html_and_table_breakers() {
        assert_eq!(
            md("<script>a|b</script>\nx"),
            "&lt;script&gt;a\\|b&lt;/script&gt; x"
        );
        assert_eq!(md("*bold* _x_ [l](u)"), "\\*bold\\* \\_x\\_ \\[l\\](u)");
    }
}
