//! Breakdown: patterns × control and patterns × group (team, service...) → counts.
//!
//! In: the records (their control value and group) and each pattern's members. Out: `Counts`
//! per pattern — entries within, partly within, outside the author's control and unknown, and
//! entries per group — gathered in a `Breakdown` with the grouping column's name and every group
//! name; plus `lean`, the advice a pattern's control answers call for.
//! Invariants: a pattern's control counts add up to its size, and so do its group counts; group
//! names are sorted, so the output does not depend on row order.

use crate::ingest::Ingested;
use crate::patterns::Patterns;
use crate::record::{Control, Record, Role};
use rayon::prelude::*;
use rustc_hash::FxHashMap;
use std::collections::BTreeMap;

/// Name shown for an empty group value.
pub const NO_GROUP: &str = "(none)";

/// Entries that answer the control question needed before advice is given.
pub const MIN_CONTROL_ANSWERS: u64 = 3;

/// One pattern's (or the whole log's) counts.
#[derive(Debug, Clone, Default, PartialEq, Eq)]
pub struct Counts {
    /// `control[i]` for `Control::ALL[i]` (within, partial, outside, unknown).
    pub control: [u64; 4],
    /// Entries per group value (empty values as `NO_GROUP`); empty when not grouping.
    pub groups: BTreeMap<String, u64>,
}

impl Counts {
    /// The counts of these members (indices into `records`); large member lists are counted
    /// in parallel blocks and merged (sums, so the result does not depend on the split). Within
    /// a block, groups are counted under borrowed names in a hash map; only the merged counts
    /// own their names.
    pub fn of(records: &[Record], members: &[usize], grouped: bool) -> Counts {
        members
            .par_chunks(1 << 14)
            .map(|block| {
                let mut control = [0u64; 4];
                let mut groups: FxHashMap<&str, u64> = FxHashMap::default();
                for r in block.iter().filter_map(|&i| records.get(i)) {
                    let c = Control::ALL
                        .iter()
                        .position(|&c| c == r.control)
                        .unwrap_or(3);
                    control[c] += 1;
                    if grouped {
                        let g = if r.group.is_empty() {
                            NO_GROUP
                        } else {
                            &r.group
                        };
                        *groups.entry(g).or_insert(0) += 1;
                    }
                }
                Counts {
                    control,
                    groups: groups
                        .into_iter()
                        .map(|(g, n)| (g.to_string(), n))
                        .collect(),
                }
            })
            .reduce(Counts::default, Counts::merged)
    }

    /// Both counts added up.
    fn merged(mut self, other: Counts) -> Counts {
        for (a, b) in self.control.iter_mut().zip(other.control) {
            *a += b;
        }
        for (g, n) in other.groups {
            *self.groups.entry(g).or_insert(0) += n;
        }
        self
    }
}

/// Control and group counts for every pattern.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Breakdown {
    /// `(pattern id, counts)`: patterns 1..=k in report order, then 0 when present.
    pub patterns: Vec<(u32, Counts)>,
    /// Counts over all analyzed entries.
    pub total: Counts,
    /// Whether any input has a control column (otherwise every entry is `unknown`).
    pub has_control: bool,
    /// The grouping column (`--group-by`, else a detected team column); `None` when no input has
    /// one.
    pub group_column: Option<String>,
    /// Every group name, sorted.
    pub group_names: Vec<String>,
}

impl Breakdown {
    /// The counts of pattern `id`.
    pub fn get(&self, id: u32) -> Option<&Counts> {
        self.patterns.iter().find(|(i, _)| *i == id).map(|(_, c)| c)
    }
}

/// The grouping column of the inputs (names joined when files differ), or `None`.
pub fn group_column(ingested: &Ingested) -> Option<String> {
    let mut names: Vec<&str> = Vec::new();
    for f in &ingested.files {
        if let Some(g) = f.group_column.as_deref() {
            if !names.contains(&g) {
                names.push(g);
            }
        }
    }
    (!names.is_empty()).then(|| names.join(", "))
}

/// Whether any input has a control column.
pub fn has_control(ingested: &Ingested) -> bool {
    ingested
        .files
        .iter()
        .any(|f| f.columns.iter().any(|(role, _)| *role == Role::Control))
}

/// Counts control answers and groups for every pattern.
pub fn build(ingested: &Ingested, records: &[Record], patterns: &Patterns) -> Breakdown {
    let group_column = group_column(ingested);
    let grouped = group_column.is_some();
    let has_control = has_control(ingested);
    let per: Vec<(u32, Counts)> = patterns
        .patterns
        .iter()
        .chain(&patterns.unassigned)
        .map(|p| (p.id, Counts::of(records, &p.members, grouped)))
        .collect();
    // Every entry is in exactly one pattern or in "no clear pattern": the total is their sum.
    let total = per
        .iter()
        .fold(Counts::default(), |acc, (_, c)| acc.merged(c.clone()));
    debug_assert_eq!(
        total.control.iter().sum::<u64>(),
        records.len() as u64,
        "patterns cover every entry"
    );
    let group_names = total.groups.keys().cloned().collect();
    Breakdown {
        patterns: per,
        total,
        has_control,
        group_column,
        group_names,
    }
}

/// Which way a pattern's control answers lean.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum Lean {
    Within,
    Outside,
    Mixed,
}

impl Lean {
    pub fn name(self) -> &'static str {
        match self {
            Lean::Within => "within",
            Lean::Outside => "outside",
            Lean::Mixed => "mixed",
        }
    }

    /// What the lean calls for, in one sentence.
    pub fn advice(self) -> &'static str {
        match self {
            Lean::Within => {
                "Mostly within your control: the lever is a behaviour change — write one down and check next quarter whether it held."
            }
            Lean::Outside => {
                "Mostly outside your control: build resilience into plans (buffers, fallbacks, earlier warning) rather than expecting to prevent it."
            }
            Lean::Mixed => {
                "Mixed: change what is within your control, and plan resilience for the rest."
            }
        }
    }
}

/// More than half of the entries that answer the control question (within, partial, outside)
/// decide the lean; `None` below `MIN_CONTROL_ANSWERS` answers.
pub fn lean(control: &[u64; 4]) -> Option<Lean> {
    let [within, partial, outside, _] = *control;
    let known = within + partial + outside;
    if known < MIN_CONTROL_ANSWERS {
        None
    } else if 2 * within > known {
        Some(Lean::Within)
    } else if 2 * outside > known {
        Some(Lean::Outside)
    } else {
        Some(Lean::Mixed)
    }
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::ingest::{FileSummary, Format};
    use crate::patterns::Pattern;

    fn rec(control: Control, group: &str) -> Record {
        Record {
            control,
            group: group.into(),
            ..Default::default()
        }
    }

    fn pattern(id: u32, members: Vec<usize>) -> Pattern {
        Pattern {
            id,
            label: String::new(),
            terms: Vec::new(),
            term_stems: Vec::new(),
            size: members.len(),
            share: 0.0,
            examples: Vec::new(),
            lessons: Vec::new(),
            behavioral_changes: Vec::new(),
            tendency: None,
            tendency_id: None,
            tendency_index: None,
            seeded: false,
            read: false,
            support: None,
            members,
        }
    }

    #[test]
    fn counts_add_up_per_pattern() {
        let records = vec![
            rec(Control::Within, "platform"),
            rec(Control::Outside, "mobile"),
            rec(Control::Within, "platform"),
            rec(Control::Unknown, ""),
            rec(Control::Partial, "mobile"),
        ];
        let ingested = Ingested {
            files: vec![FileSummary {
                name: "x.csv".into(),
                format: Format::Csv,
                rows_read: 5,
                rows_rejected: 0,
                rows_out_of_range: 0,
                columns: vec![(Role::Control, "control".into())],
                has_dates: false,
                group_column: Some("team".into()),
                ..Default::default()
            }],
            ..Default::default()
        };
        let patterns = Patterns {
            patterns: vec![pattern(1, vec![0, 1, 2]), pattern(2, vec![4])],
            unassigned: Some(pattern(0, vec![3])),
        };
        let b = build(&ingested, &records, &patterns);
        assert!(b.has_control);
        assert_eq!(b.group_column.as_deref(), Some("team"));
        assert_eq!(b.get(1).unwrap().control, [2, 0, 1, 0]);
        assert_eq!(b.get(0).unwrap().control, [0, 0, 0, 1]);
        assert_eq!(b.get(2).unwrap().control, [0, 1, 0, 0]);
        assert_eq!(b.total.control, [2, 1, 1, 1]);
        assert_eq!(b.group_names, vec!["(none)", "mobile", "platform"]);
        let g1: Vec<(&str, u64)> = b
            .get(1)
            .unwrap()
            .groups
            .iter()
            .map(|(k, v)| (k.as_str(), *v))
            .collect();
        assert_eq!(g1, vec![("mobile", 1), ("platform", 2)]);
        assert_eq!(b.get(0).unwrap().groups.get(NO_GROUP), Some(&1));
        let ids: Vec<u32> = b.patterns.iter().map(|(id, _)| *id).collect();
        assert_eq!(ids, vec![1, 2, 0]);
    }

    #[test]
    fn lean_needs_a_majority_of_answers() {
        assert_eq!(lean(&[2, 0, 0, 9]), None);
        assert_eq!(lean(&[2, 1, 0, 0]), Some(Lean::Within));
        assert_eq!(lean(&[2, 0, 2, 0]), Some(Lean::Mixed));
        assert_eq!(lean(&[1, 1, 3, 0]), Some(Lean::Outside));
        assert_eq!(lean(&[1, 2, 1, 0]), Some(Lean::Mixed));
    }
}
