//! Markup → text: what incident tools store in their text fields, reduced to the words.
//!
//! In: one text cell. Out: the same text without HTML formatting tags and entities (`<p>`,
//! `<br>`, `<strong>`, `<font>`, `&amp;`...), Jira wiki markup (`{noformat}`, `{code:java}`,
//! `{quote}`, `h1.`, `*bold*`, `_em_`, `[label|url]`, `[~user]`, `{{mono}}`, `!image.png!`,
//! tables, bullets) and Markdown (code fences, headings, quotes, `**bold**`, `_em_`, `` `code` ``,
//! `[label](url)`, images, tables, rules); lines trimmed, blank lines dropped.
//! Invariants: `clean` is idempotent (it runs its pass until nothing changes, and a pass never
//! lengthens the text); text with no markup character and no marked line start comes back as
//! the same allocation, line breaks and all (the common case costs one scan of the bytes); tags that are not formatting (`<script>`,
//! `<img>`) and `<`, `*`, `_` used as plain text (`a < b`, `5 * 3`, `max_connections`) are
//! kept. Never panics: every slice is taken at a character boundary.

use std::borrow::Cow;

/// Whether `bytes` hold a byte that may start markup anywhere in a line (`< & { * _ [ ` | ~ !`).
/// Letters are not among them: English text has an `h` in nearly every sentence. SIMD
/// searches (`memchr`): this runs on every text cell of every log.
fn has_trigger(bytes: &[u8]) -> bool {
    use memchr::{memchr, memchr3};
    memchr3(b'<', b'&', b'{', bytes).is_some()
        || memchr3(b'*', b'_', b'[', bytes).is_some()
        || memchr3(b'`', b'|', b'~', bytes).is_some()
        || memchr(b'!', bytes).is_some()
}

/// Formatting tags that exports write around text (removed; block tags become line breaks).
const TAGS: &[&str] = &[
    "p",
    "br",
    "div",
    "span",
    "b",
    "i",
    "u",
    "s",
    "strong",
    "em",
    "font",
    "a",
    "ul",
    "ol",
    "li",
    "table",
    "tbody",
    "thead",
    "tr",
    "td",
    "th",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "code",
    "blockquote",
    "hr",
    "sup",
    "sub",
    "del",
    "ins",
    "small",
    "big",
    "center",
    "tt",
    "strike",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
    "label",
    "mark",
    "cite",
    "abbr",
    "kbd",
    "samp",
    "var",
];

/// Block tags: their boundaries separate lines.
const BLOCK: &[&str] = &[
    "p",
    "br",
    "div",
    "li",
    "tr",
    "table",
    "h1",
    "h2",
    "h3",
    "h4",
    "h5",
    "h6",
    "pre",
    "blockquote",
    "hr",
    "ul",
    "ol",
    "dl",
    "dt",
    "dd",
    "section",
    "article",
    "header",
    "footer",
];

/// Jira macros: the `{name}` / `{name:params}` tokens go, their content stays.
const MACROS: &[&str] = &[
    "noformat", "code", "quote", "panel", "color", "info", "note", "warning", "tip", "expand",
];

/// The text without markup; see the module header.
pub fn clean(text: Box<str>) -> Box<str> {
    match strip(&text) {
        Cow::Borrowed(_) => text,
        Cow::Owned(s) => s.into_boxed_str(),
    }
}

/// `clean` on a borrowed cell.
pub fn strip(text: &str) -> Cow<'_, str> {
    if !has_trigger(text.as_bytes()) && !text.split('\n').any(marked_start) {
        return Cow::Borrowed(text);
    }
    let mut cur = pass(text);
    if cur == text || cur == layout(text) {
        // No markup after all: the text keeps its own line breaks and spacing.
        return Cow::Borrowed(text);
    }
    // A pass can reveal markup (an entity that decodes to a tag): repeat until nothing changes.
    for _ in 0..8 {
        let next = pass(&cur);
        if next == cur {
            break;
        }
        cur = next;
    }
    Cow::Owned(cur)
}

/// Whether a line starts like a heading, bullet, quote or rule (`h2. `, `bq. `, `# `, `- `,
/// `+ `, `> `, `---`).
fn marked_start(text: &str) -> bool {
    let b = text.trim_start().as_bytes();
    match b.first() {
        Some(b'#' | b'-' | b'+' | b'>') => true,
        Some(b'h') => b.len() >= 3 && (b'1'..=b'6').contains(&b[1]) && b[2] == b'.',
        Some(b'b') => b.starts_with(b"bq."),
        _ => false,
    }
}

/// One reduction of every kind of markup.
fn pass(text: &str) -> String {
    let s = html(text);
    let s = entities(&s);
    let s = macros(&s);
    let mut out = String::with_capacity(s.len());
    let mut fenced = false;
    for line in s.lines() {
        let t = line.trim();
        if t.starts_with("```") || t.starts_with("~~~") {
            fenced = !fenced;
            continue;
        }
        if fenced {
            // Code keeps its characters: only trimmed.
            push_line(&mut out, t);
            continue;
        }
        let t = line_prefix(t);
        if is_rule(t) || is_table_separator(t) {
            continue;
        }
        let t = table_row(t);
        let t = links(&t);
        let t = emphasis(&t);
        push_line(&mut out, t.trim());
    }
    out
}

/// What `pass` does to the layout alone: lines trimmed, spaces collapsed, blank lines dropped.
fn layout(text: &str) -> String {
    let mut out = String::with_capacity(text.len());
    for line in text.lines() {
        push_line(&mut out, line.trim());
    }
    out
}

/// Adds a line (its runs of spaces made one); blank lines are dropped.
fn push_line(out: &mut String, line: &str) {
    if line.is_empty() {
        return;
    }
    if !out.is_empty() {
        out.push('\n');
    }
    let mut space = false;
    for c in line.chars() {
        let blank = c == ' ' || c == '\t';
        if !(blank && space) {
            out.push(if blank { ' ' } else { c });
        }
        space = blank;
    }
}

/// Formatting tags removed (block tags become a line break) and `<!-- comments -->` dropped.
fn html(s: &str) -> Cow<'_, str> {
    if !s.contains('<') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('<') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix("<!--") {
            match after.find("-->") {
                Some(end) => {
                    rest = &after[end + 3..];
                    continue;
                }
                None => {
                    out.push('<');
                    rest = &tail[1..];
                    continue;
                }
            }
        }
        match tag(tail) {
            Some((len, sep)) => {
                if let Some(c) = sep {
                    out.push(c);
                }
                rest = &tail[len..];
            }
            None => {
                out.push('<');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A formatting tag at the start of `s` (`<b>`, `</p>`, `<br/>`, `<font color="red">`): its
/// length and what replaces it (a line break for a block tag, a space between table cells).
fn tag(s: &str) -> Option<(usize, Option<char>)> {
    let body = s.strip_prefix('<')?;
    let body = body.strip_prefix('/').unwrap_or(body);
    let name_len = body
        .bytes()
        .take_while(|b| b.is_ascii_alphanumeric())
        .count();
    let name = body[..name_len].to_ascii_lowercase();
    if !TAGS.contains(&name.as_str()) {
        return None;
    }
    let after = &body[name_len..];
    if !(after.starts_with('>') || after.starts_with('/') || after.starts_with(char::is_whitespace))
    {
        return None;
    }
    let close = s.find('>')?;
    if close > 400 || s[..close].contains('\n') && close > 200 {
        return None;
    }
    let sep = if BLOCK.contains(&name.as_str()) {
        Some('\n')
    } else if matches!(name.as_str(), "td" | "th") {
        Some(' ')
    } else {
        None
    };
    Some((close + 1, sep))
}

/// HTML entities decoded (named ones exports use, and numeric ones).
fn entities(s: &str) -> Cow<'_, str> {
    if !s.contains('&') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('&') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        let end = tail.bytes().take(12).position(|b| b == b';');
        let decoded = end.and_then(|end| {
            let name = &tail[1..end];
            let c = match name {
                "amp" => '&',
                "lt" => '<',
                "gt" => '>',
                "quot" => '"',
                "apos" => '\'',
                "nbsp" => ' ',
                "ndash" => '–',
                "mdash" => '—',
                "hellip" => '…',
                "rsquo" | "lsquo" => '\'',
                "rdquo" | "ldquo" => '"',
                _ => {
                    let num = name.strip_prefix('#')?;
                    let code = match num.strip_prefix(['x', 'X']) {
                        Some(hex) => u32::from_str_radix(hex, 16).ok()?,
                        None => num.parse().ok()?,
                    };
                    char::from_u32(code).filter(|c| *c != '\0')?
                }
            };
            Some((c, end + 1))
        });
        match decoded {
            Some((c, len)) => {
                out.push(if c == '\u{a0}' { ' ' } else { c });
                rest = &tail[len..];
            }
            None => {
                out.push('&');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Jira `{macro}` / `{macro:params}` tokens removed.
fn macros(s: &str) -> Cow<'_, str> {
    if !s.contains('{') {
        return Cow::Borrowed(s);
    }
    let mut out = String::with_capacity(s.len());
    let mut rest = s;
    while let Some(at) = rest.find('{') {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        // `{{mono}}`
        if let Some(inner) = tail.strip_prefix("{{") {
            if let Some(end) = inner
                .find("}}")
                .filter(|&e| e > 0 && !inner[..e].contains('\n'))
            {
                out.push_str(&inner[..end]);
                rest = &inner[end + 2..];
                continue;
            }
        }
        let close = tail.find('}').filter(|&c| c < 200);
        let hit = close.and_then(|c| {
            let inside = &tail[1..c];
            let name = inside.split(':').next().unwrap_or("").to_ascii_lowercase();
            MACROS.contains(&name.as_str()).then_some(c)
        });
        match hit {
            Some(c) => {
                out.push('\n');
                rest = &tail[c + 1..];
            }
            None => {
                out.push('{');
                rest = &tail[1..];
            }
        }
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// A line's heading, bullet or quote marker removed (`h2. `, `# `, `## `, `* `, `- `, `** `,
/// `> `, `bq. `, `1. `).
fn line_prefix(t: &str) -> &str {
    let b = t.as_bytes();
    if b.len() >= 4 && b[0] == b'h' && (b'1'..=b'6').contains(&b[1]) && b[2] == b'.' && b[3] == b' '
    {
        return t[4..].trim_start();
    }
    if let Some(r) = t.strip_prefix("bq. ") {
        return r.trim_start();
    }
    let marker = b
        .iter()
        .take_while(|&&c| matches!(c, b'#' | b'*' | b'-' | b'>' | b'+'))
        .count();
    if marker > 0 && b.get(marker) == Some(&b' ') {
        // `* ` is a bullet, `** ` a nested one; `*bold*` is not a marker.
        return t[marker..].trim_start();
    }
    t
}

/// `---`, `***`, `___` or `----` alone on a line.
fn is_rule(t: &str) -> bool {
    t.len() >= 3
        && t.bytes().all(|b| matches!(b, b'-' | b'*' | b'_' | b' '))
        && t.bytes().filter(|b| *b != b' ').count() >= 3
}

/// A Markdown table's `|---|:--:|` line.
fn is_table_separator(t: &str) -> bool {
    t.contains('|') && t.contains('-') && t.bytes().all(|b| matches!(b, b'|' | b'-' | b':' | b' '))
}

/// A table row (`|| h || h ||`, `| a | b |`): its cells, separated by spaces.
fn table_row(t: &str) -> Cow<'_, str> {
    if !(t.starts_with('|') && t.len() > 1) {
        return Cow::Borrowed(t);
    }
    let cells: Vec<&str> = t
        .split('|')
        .map(str::trim)
        .filter(|c| !c.is_empty())
        .collect();
    Cow::Owned(cells.join(" "))
}

/// Links and images: `[label](url)`, `![alt](url)`, `[label|url]`, `[url]`, `[~user]` (a
/// mention: removed), `!image.png!` / `!image.png|thumbnail!` (removed).
fn links(t: &str) -> Cow<'_, str> {
    if !t.contains('[') && !t.contains('!') {
        return Cow::Borrowed(t);
    }
    let mut out = String::with_capacity(t.len());
    let mut rest = t;
    while let Some(at) = rest.find(['[', '!']) {
        out.push_str(&rest[..at]);
        let tail = &rest[at..];
        if let Some(after) = tail.strip_prefix('!') {
            // Jira image `!name.png!` or Markdown image `![alt](url)`.
            if let Some(end) = after.find('!').filter(|&e| e > 0 && e < 200) {
                let inner = &after[..end];
                let file = inner.split('|').next().unwrap_or("");
                if !inner.contains(' ') && file.contains('.') {
                    rest = &after[end + 1..];
                    continue;
                }
            }
            if after.starts_with('[') {
                rest = after;
                continue;
            }
            out.push('!');
            rest = after;
            continue;
        }
        let Some(close) = tail.find(']').filter(|&c| c < 400) else {
            out.push('[');
            rest = &tail[1..];
            continue;
        };
        let inner = &tail[1..close];
        let after = &tail[close + 1..];
        if let Some(url_part) = after.strip_prefix('(') {
            if let Some(end) = url_part.find(')').filter(|&e| !url_part[..e].contains(' ')) {
                out.push_str(inner);
                rest = &url_part[end + 1..];
                continue;
            }
        }
        if inner.starts_with('~') || inner.starts_with("~accountid:") {
            rest = after;
            continue;
        }
        if let Some((label, target)) = inner.split_once('|') {
            if !target.contains(' ') {
                out.push_str(label);
                rest = after;
                continue;
            }
        }
        if (inner.starts_with("http://") || inner.starts_with("https://")) && !inner.contains(' ') {
            out.push_str(inner);
            rest = after;
            continue;
        }
        out.push('[');
        rest = &tail[1..];
    }
    out.push_str(rest);
    Cow::Owned(out)
}

/// Emphasis markers (`*`, `_`, `**`, `__`, `~~`, `` ` ``) removed where they open or close a word:
/// next to a word on one side and a space, punctuation or the line's end on the other.
fn emphasis(t: &str) -> Cow<'_, str> {
    if !t.bytes().any(|b| matches!(b, b'*' | b'_' | b'~' | b'`')) {
        return Cow::Borrowed(t);
    }
    let chars: Vec<char> = t.chars().collect();
    let mut out = String::with_capacity(t.len());
    let mut i = 0;
    while i < chars.len() {
        let c = chars[i];
        if matches!(c, '*' | '_' | '~' | '`') {
            let mut j = i;
            while j < chars.len() && chars[j] == c {
                j += 1;
            }
            let before = i.checked_sub(1).map(|k| chars[k]);
            let after = chars.get(j).copied();
            // Opening: after a space, punctuation or the start and before something solid;
            // closing: the mirror. Between two letters (`max_connections`) or two spaces
            // (`5 * 3`) it is text.
            let solid = |c: Option<char>| c.is_some_and(|c| !c.is_whitespace());
            let edge = |c: Option<char>| {
                c.is_none_or(|c| c.is_whitespace() || ",.;:!?)(\"'[]-/".contains(c))
            };
            let run = j - i;
            let marker = (c != '~' || run == 2)
                && ((edge(before) && solid(after)) || (solid(before) && edge(after)));
            if marker {
                i = j;
                continue;
            }
            for _ in i..j {
                out.push(c);
            }
            i = j;
            continue;
        }
        out.push(c);
        i += 1;
    }
    Cow::Owned(out)
}

#[cfg(test)]
mod tests {
    use super::*;

    fn s(t: &str) -> String {
        strip(t).into_owned()
    }

    #[test]
    fn html_is_reduced_to_text() {
        assert_eq!(
            s("<p><strong>Root cause:</strong> pool&nbsp;exhausted<br/>after the deploy &amp; restart</p>"),
            "Root cause: pool exhausted\nafter the deploy & restart"
        );
        assert_eq!(
            s("<font color=\"red\"><span>Disk</span> full</font> &#39;/var&#39; &#x41;"),
            "Disk full '/var' A"
        );
        // Not formatting: kept as text for the report to escape.
        assert_eq!(
            s("<script>alert(1)</script> x"),
            "<script>alert(1)</script> x"
        );
        assert_eq!(s("latency < 5ms and a <b"), "latency < 5ms and a <b");
    }

    #[test]
    fn jira_wiki_is_reduced_to_text() {
        assert_eq!(
            s("h2. Root cause\n{noformat}\nconnection pool exhausted\n{noformat}\n* *bold* and _em_ text\n{quote}reviewed{quote}"),
            "Root cause\nconnection pool exhausted\nbold and em text\nreviewed"
        );
        assert_eq!(s("* *Fix:* _Raised the pool._"), "Fix: Raised the pool.");
        assert_eq!(
            s("**Pool exhausted under load.**"),
            "Pool exhausted under load."
        );
        assert_eq!(
            s("See [the runbook|https://wiki/x] and [~jsmith], {{max_pool}} !graph.png|thumbnail!"),
            "See the runbook and , max_pool"
        );
        assert_eq!(s("{code:java}\npool.get();\n{code}"), "pool.get();");
        assert_eq!(s("||Cause||Fix||\n|pool|resize|"), "Cause Fix\npool resize");
    }

    #[test]
    fn markdown_is_reduced_to_text() {
        assert_eq!(
            s("## Root cause\n**Cert** expired, see [docs](https://x.y/z).\n```\nERR tls\n```\n> quoted\n- item `code`"),
            "Root cause\nCert expired, see docs.\nERR tls\nquoted\nitem code"
        );
        assert_eq!(s("| a | b |\n|---|:-:|\n| 1 | 2 |"), "a b\n1 2");
        assert_eq!(s("# Root cause"), "Root cause");
        assert_eq!(s("h1. Pool"), "Pool");
        assert_eq!(s("- pool"), "pool");
    }

    #[test]
    fn plain_text_is_untouched() {
        for t in [
            "max_connections was set to 5 * 3 in file_name.txt",
            "I estimated from the happy path",
            "C++ build broke; cost ~5 min",
            "node-1 and node-2",
            "he has 3 hosts; h2 is fine",
            "two lines\r\n  indented, kept as written",
        ] {
            assert_eq!(s(t), t);
        }
        let b: Box<str> = "plain words".into();
        let p = b.as_ptr();
        let c = clean(b);
        assert_eq!(c.as_ptr(), p);
    }

    proptest::proptest! {
        #[test]
        fn stripping_is_idempotent(t in "[a-z <>/&;#{}*_\\[\\]|!()`~:.\\n-]{0,60}") {
            let once = s(&t);
            proptest::prop_assert_eq!(s(&once), once.clone());
        }

        #[test]
        fn tags_and_macros_in_words_never_panic(t in "\\PC{0,40}") {
            let _ = s(&t);
        }
    }
}
