//! A renderer-neutral document: the review parts of the report (trends, growth, review period,
//! control, group-by, per-pattern lines) are built once as `Block`s and written by both
//! `report.md` and `report.html`, so the two formats cannot drift apart.
//!
//! In: blocks built by `review.rs`. Out: Markdown (`to_md`) or HTML (`to_html`).
//! Invariants: text the program wrote (`Span::Text`) is written verbatim to Markdown and escaped
//! for HTML; text from the log (`Span::User`) is escaped for both. Nothing else is interpreted.

use super::html::esc;
use super::markdown::md;
use std::io::{self, Write};

/// Inline text.
#[derive(Debug, Clone, PartialEq)]
pub enum Span {
    /// The program's own words.
    Text(String),
    /// Words from the log (labels, column names, behavioural changes...).
    User(String),
    Strong(Vec<Span>),
    /// Monospace (the sparklines).
    Code(String),
}

/// The program's own words.
pub fn t(s: impl Into<String>) -> Span {
    Span::Text(s.into())
}

/// Words from the log.
pub fn u(s: impl Into<String>) -> Span {
    Span::User(s.into())
}

/// Bold program words.
pub fn b(s: impl Into<String>) -> Span {
    Span::Strong(vec![t(s)])
}

pub type Inline = Vec<Span>;

/// A table; `num[i]` right-aligns column `i`.
#[derive(Debug, Clone, PartialEq)]
pub struct Table {
    pub head: Vec<Inline>,
    pub num: Vec<bool>,
    pub rows: Vec<Vec<Inline>>,
}

#[derive(Debug, Clone, PartialEq)]
pub enum Block {
    /// Level 2 or 3; `id` is the HTML anchor of a level-2 heading's section.
    Heading {
        level: u8,
        id: Option<String>,
        text: Inline,
    },
    Para(Inline),
    List(Vec<Inline>),
    Table(Table),
}

/// One line of the summary: `- **Key** (note): value` in Markdown, a `<dt>`/`<dd>` in HTML.
#[derive(Debug, Clone, PartialEq)]
pub struct Fact {
    pub key: String,
    pub note: Option<String>,
    pub value: Inline,
}

pub fn h2(id: &str, text: Inline) -> Block {
    Block::Heading {
        level: 2,
        id: Some(id.to_string()),
        text,
    }
}

pub fn h3(text: Inline) -> Block {
    Block::Heading {
        level: 3,
        id: None,
        text,
    }
}

fn inline_md(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        match s {
            Span::Text(x) => out.push_str(x),
            Span::User(x) => out.push_str(&md(x)),
            Span::Strong(inner) => {
                out.push_str("**");
                out.push_str(&inline_md(inner));
                out.push_str("**");
            }
            Span::Code(x) => {
                out.push('`');
                out.push_str(x);
                out.push('`');
            }
        }
    }
    out
}

/// Inline spans as HTML (every piece of text escaped).
pub fn inline_html(spans: &[Span]) -> String {
    let mut out = String::new();
    for s in spans {
        match s {
            Span::Text(x) | Span::User(x) => out.push_str(&esc(x)),
            Span::Strong(inner) => {
                out.push_str("<strong>");
                out.push_str(&inline_html(inner));
                out.push_str("</strong>");
            }
            Span::Code(x) => {
                out.push_str("<code>");
                out.push_str(&esc(x));
                out.push_str("</code>");
            }
        }
    }
    out
}

/// Blocks as Markdown, each followed by a blank line.
pub fn to_md(w: &mut dyn Write, blocks: &[Block]) -> io::Result<()> {
    for block in blocks {
        match block {
            Block::Heading { level, text, .. } => {
                writeln!(w, "{} {}\n", "#".repeat(*level as usize), inline_md(text))?
            }
            Block::Para(text) => writeln!(w, "{}\n", inline_md(text))?,
            Block::List(items) => {
                for item in items {
                    writeln!(w, "- {}", inline_md(item))?;
                }
                writeln!(w)?;
            }
            Block::Table(table) => {
                let head: Vec<String> = table.head.iter().map(|c| inline_md(c)).collect();
                writeln!(w, "| {} |", head.join(" | "))?;
                let align: String = table
                    .num
                    .iter()
                    .map(|&n| if n { "---:|" } else { "---|" })
                    .collect();
                writeln!(w, "|{align}")?;
                for row in &table.rows {
                    let cells: Vec<String> = row.iter().map(|c| inline_md(c)).collect();
                    writeln!(w, "| {} |", cells.join(" | "))?;
                }
                writeln!(w)?;
            }
        }
    }
    Ok(())
}

/// Facts as Markdown bullets (no blank line after: they continue the summary list).
pub fn facts_md(w: &mut dyn Write, facts: &[Fact]) -> io::Result<()> {
    for f in facts {
        match &f.note {
            Some(note) => writeln!(w, "- **{}** ({note}): {}", f.key, inline_md(&f.value))?,
            None => writeln!(w, "- **{}:** {}", f.key, inline_md(&f.value))?,
        }
    }
    Ok(())
}

/// Facts as `<dt>`/`<dd>` pairs of a `<dl>`.
pub fn facts_html(w: &mut dyn Write, facts: &[Fact]) -> io::Result<()> {
    for f in facts {
        let note = f.note.as_ref().map_or(String::new(), |n| {
            format!(" <span class=\"count\">({})</span>", esc(n))
        });
        writeln!(
            w,
            "<dt>{}</dt><dd>{}{note}</dd>",
            esc(&f.key),
            inline_html(&f.value)
        )?;
    }
    Ok(())
}

/// `(anchor, heading as HTML)` of every level-2 heading with an anchor, for the page's contents.
pub fn sections_html(blocks: &[Block]) -> Vec<(String, String)> {
    blocks
        .iter()
        .filter_map(|b| match b {
            Block::Heading {
                level: 2,
                id: Some(id),
                text,
            } => Some((esc(id), inline_html(text))),
            _ => None,
        })
        .collect()
}

/// Blocks as HTML. Each level-2 heading opens a `<section>` (closed before the next one and at
/// the end), so a run of blocks becomes the page's sections.
pub fn to_html(w: &mut dyn Write, blocks: &[Block]) -> io::Result<()> {
    let mut open = false;
    for block in blocks {
        match block {
            Block::Heading { level: 2, id, text } => {
                if open {
                    writeln!(w, "</section>")?;
                }
                match id {
                    Some(id) => writeln!(w, "<section id=\"{}\">", esc(id))?,
                    None => writeln!(w, "<section>")?,
                }
                open = true;
                writeln!(w, "<h2>{}</h2>", inline_html(text))?;
            }
            Block::Heading { level, text, .. } => {
                writeln!(w, "<h{level}>{}</h{level}>", inline_html(text))?
            }
            Block::Para(text) => writeln!(w, "<p>{}</p>", inline_html(text))?,
            Block::List(items) => {
                writeln!(w, "<ul>")?;
                for item in items {
                    writeln!(w, "<li>{}</li>", inline_html(item))?;
                }
                writeln!(w, "</ul>")?;
            }
            Block::Table(table) => {
                let class = |i: usize| {
                    if table.num.get(i).copied().unwrap_or(false) {
                        " class=\"num\""
                    } else {
                        ""
                    }
                };
                writeln!(w, "<div class=\"wide\"><table>")?;
                let head: String = table
                    .head
                    .iter()
                    .enumerate()
                    .map(|(i, c)| format!("<th{}>{}</th>", class(i), inline_html(c)))
                    .collect();
                writeln!(w, "<thead><tr>{head}</tr></thead>")?;
                writeln!(w, "<tbody>")?;
                for row in &table.rows {
                    let cells: String = row
                        .iter()
                        .enumerate()
                        .map(|(i, c)| format!("<td{}>{}</td>", class(i), inline_html(c)))
                        .collect();
                    writeln!(w, "<tr>{cells}</tr>")?;
                }
                writeln!(w, "</tbody>")?;
                writeln!(w, "</table></div>")?;
            }
        }
    }
    if open {
        writeln!(w, "</section>")?;
    }
    Ok(())
}

#[cfg(test)]
mod tests {
    use super::*;

    fn md_of(blocks: &[Block]) -> String {
        let mut out = Vec::new();
        to_md(&mut out, blocks).unwrap();
        String::from_utf8(out).unwrap()
    }

    fn html_of(blocks: &[Block]) -> String {
        let mut out = Vec::new();
        to_html(&mut out, blocks).unwrap();
        String::from_utf8(out).unwrap()
    }

    #[test]
    fn user_text_is_escaped_in_both_formats_and_own_text_only_in_html() {
        let blocks = vec![
            h2("by-team", vec![t("By "), u("<team>|x")]),
            Block::Para(vec![t("a → b <ok>"), Span::Code("▁█".into())]),
        ];
        assert_eq!(
            md_of(&blocks),
            "## By &lt;team&gt;\\|x\n\na → b <ok>`▁█`\n\n"
        );
        assert_eq!(
            html_of(&blocks),
            "<section id=\"by-team\">\n<h2>By &lt;team&gt;|x</h2>\n<p>a → b &lt;ok&gt;<code>▁█</code></p>\n</section>\n"
        );
    }

    #[test]
    fn tables_align_numbers_in_both_formats() {
        let table = Block::Table(Table {
            head: vec![vec![t("#")], vec![t("Pattern")]],
            num: vec![true, false],
            rows: vec![vec![vec![t("1")], vec![u("a|b")]]],
        });
        assert_eq!(
            md_of(std::slice::from_ref(&table)),
            "| # | Pattern |\n|---:|---|\n| 1 | a\\|b |\n\n"
        );
        let html = html_of(&[table]);
        assert!(html.contains("<th class=\"num\">#</th><th>Pattern</th>"));
        assert!(html.contains("<td class=\"num\">1</td><td>a|b</td>"));
    }
}
