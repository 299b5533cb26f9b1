//! Synthetic failure-log generator for tests, quality measurements and benchmarks.
//!
//! A crate of its own, outside the `recur` product: recur's tests and benches use this library
//! (a dev-dependency) and the `recur-gen` binary wraps it. It does not depend on recur; it
//! writes the CSV that recur reads.
//!
//! # Inputs
//! A [`SynthParams`]: row count, RNG seed, number of tendencies (`1..=10`), noise share,
//! [`Scenario`], start date and number of quarters covered.
//!
//! # Outputs
//! [`generate`] yields [`SynthRow`]s lazily (O(1) memory per row, a few hundred bytes of
//! state in total); [`write_csv`] streams them as CSV with the header
//! `id,date,context,root_cause,lesson,behavioral_change,control,team,truth`.
//!
//! Each row is one log entry written in the first person:
//! * `id` — `G-0000001`, `G-0000002`, … in generation order (7 digits, wider past 9,999,999).
//! * `date` — `YYYY-MM-DD`, always in `[start, start + 3·quarters months)`.
//! * `context` — a short sentence from a pool shared by all tendencies.
//! * `root_cause` — one sentence of 8–25 words from a per-tendency grammar (14–15 frames per
//!   tendency, synonym slots, plus shared context fragments such as "on the billing migration",
//!   "this sprint", "again" and shared people such as "my manager"). About 10 % of the
//!   tendency sentences carry a number ("3 weeks", "40%"). Noise rows come from a separate
//!   grammar of one-off mishaps.
//! * `lesson`, `behavioral_change` — one of 5 fixed variants per tendency.
//! * `control` — `within` / `Within my control` / `partly` / `partially` / `outside` /
//!   `external`, with per-tendency weights (e.g. dependency-failure mostly outside,
//!   avoided-conversation and overcommitment mostly within).
//! * `team` — `platform`, `mobile`, `data` or `client-services` (uniform).
//! * `truth` — the tendency key from [`TENDENCY_KEYS`], or `none` for noise rows.
//!
//! # Invariants
//! * Deterministic: the same params give byte-identical rows (seeded `Xoshiro256PlusPlus`).
//! * Exactly `params.rows` rows are produced.
//! * Out-of-range params are normalised, never rejected: `tendencies` is clamped to `1..=10`,
//!   `noise` to `[0, 1]` (NaN counts as 0), `quarters` to at least 1, the start month to
//!   `1..=12`, the start day to the month's length and the year to `1..=9999`.
//! * Group sizes are exact, not sampled: counts are fixed up front by largest-remainder
//!   rounding and rows are then drawn without replacement, so the order is random but the
//!   composition is exact.
//!
//! # Scenario::Uniform
//! The first `tendencies` keys of [`TENDENCY_KEYS`] are used. `round(noise · rows)` rows are
//! noise; the rest is split over tendency `i` (0-based, of `k`) with weight
//! `1.0 − 0.6 · i / (k − 1)`, i.e. from 1.0 down to 0.4. Dates are uniform over the whole range.
//!
//! # Scenario::Trends
//! Exactly the 5 keys in [`TRENDS_KEYS`] are used, whatever `tendencies` says; the trend each is
//! built to show is in [`TRENDS_DESIGN`] (`recur-gen` writes it next to the log). Quarter `q`
//! (0-based, of `Q`) spans `[start + 3q months, start + 3(q+1) months)` and holds
//! `rows / Q` rows (the first `rows % Q` quarters get one extra); rows are emitted quarter by
//! quarter with random dates inside the quarter. With `x = q / (Q − 1)` (0 when `Q = 1`),
//! `h = max(1, Q / 2)` (first quarter of the second half) and `c = h − 1` (the commitment
//! quarter, see [`trends_commitment_quarter`]), the share of the quarter's rows is:
//!
//! | tendency                  | shape     | share of quarter `q`                                   |
//! |---------------------------|-----------|--------------------------------------------------------|
//! | `underestimated-timeline` | steady    | 0.30                                                   |
//! | `overcommitment`          | rising    | 0.05 + 0.40 · x (5 % first quarter → 45 % last)        |
//! | `avoided-conversation`    | fading    | 0.30 for q ≤ c, 0.08 after (about a third of before)   |
//! | `scope-change-unmanaged`  | resolved  | 0.10 for q < h, 0 at h, then stray rows only           |
//! | `single-point-of-failure` | new       | 0 before the last quarter, 0.05 in it (Q ≥ 2), taken   |
//! |                           |           | from every other group alike (all × 0.95 there)        |
//! | noise (`none`)            | residual  | 1 − the sum above (between ≈12 % and ≈25 %)            |
//!
//! For Q = 8 that is: timeline 30 % everywhere; overcommitment 5, 11, 16, 22, 28, 34, 39,
//! 45 %; avoided-conversation 30, 30, 30, 30, 8, 8, 8, 8 %; scope 10 % in quarters 0–3, none
//! in quarter 4, then `max(1, round(0.2 % of the quarter))` stray rows a quarter (quarters of
//! 20 rows or more); the new tendency 5 % of the last quarter only. From quarter `c` on, every
//! avoided-conversation row has `behavioral_change` = [`FADING_COMMITMENT`]. With
//! `noise > 0` the tendency shares are scaled by `1 − noise` and the rest is noise.

use rand::{Rng, SeedableRng};
use rand_xoshiro::Xoshiro256PlusPlus;
use serde::{Deserialize, Serialize};
use std::fmt::Write as _;

/// Which shape the generated data takes over time.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Default)]
pub enum Scenario {
    /// Uneven, time-independent tendency sizes with dates uniform over the range.
    #[default]
    Uniform,
    /// Four tendencies with constant / rising / fading / resolved quarterly shares.
    Trends,
}

/// Generator parameters; see the module documentation for how each one is used.
#[derive(Debug, Clone, PartialEq)]
pub struct SynthParams {
    /// Exact number of rows to produce.
    pub rows: usize,
    /// RNG seed; the same params always give the same rows.
    pub seed: u64,
    /// Number of tendencies in `Uniform` (clamped to `1..=10`, default 8).
    pub tendencies: usize,
    /// Share of rows that belong to no tendency (clamped to `[0, 1]`, default 0).
    pub noise: f64,
    /// Data shape over time.
    pub scenario: Scenario,
    /// First day of the range as (year, month, day); default 2024-01-01.
    pub start: (i32, u32, u32),
    /// Number of quarters (3-month periods) covered; default 8.
    pub quarters: u32,
    /// Chance that an optional fragment (`{ctx?}`, `{when?}`...) is written: the shared,
    /// tendency-neutral words that make clustering harder (clamped to `[0, 1]`, default 0.5).
    pub optional: f64,
}

impl Default for SynthParams {
    fn default() -> Self {
        SynthParams {
            rows: 1000,
            seed: 42,
            tendencies: 8,
            noise: 0.0,
            scenario: Scenario::Uniform,
            start: (2024, 1, 1),
            quarters: 8,
            optional: 0.5,
        }
    }
}

/// One synthetic log entry.
#[derive(Debug, Clone, PartialEq, Eq, Serialize, Deserialize)]
pub struct SynthRow {
    pub id: String,
    /// `YYYY-MM-DD`.
    pub date: String,
    pub context: String,
    pub root_cause: String,
    pub lesson: String,
    pub behavioral_change: String,
    pub control: String,
    pub team: String,
    /// Tendency key from [`TENDENCY_KEYS`], or `"none"` for noise rows.
    pub truth: String,
}

/// Ground-truth keys, in the order `Uniform` uses them (largest tendency first).
pub const TENDENCY_KEYS: [&str; 10] = [
    "underestimated-timeline",
    "scope-change-unmanaged",
    "avoided-conversation",
    "overcommitment",
    "insufficient-preparation",
    "unclear-requirements",
    "late-escalation",
    "dependency-failure",
    "single-point-of-failure",
    "unreviewed-change",
];

/// Truth value of noise rows.
pub const NOISE_TRUTH: &str = "none";

/// The tendencies used by `Scenario::Trends`: steady, rising, fading, resolved, new.
pub const TRENDS_KEYS: [&str; 5] = [
    "underestimated-timeline",
    "overcommitment",
    "avoided-conversation",
    "scope-change-unmanaged",
    "single-point-of-failure",
];

/// The trend each `Scenario::Trends` tendency is built to show (trend names as the reports
/// write them), in [`TRENDS_KEYS`] order: the truth a trend call is measured against.
pub const TRENDS_DESIGN: [(&str, &str); 5] = [
    ("underestimated-timeline", "steady"),
    ("overcommitment", "rising"),
    ("avoided-conversation", "fading"),
    ("scope-change-unmanaged", "resolved"),
    ("single-point-of-failure", "new"),
];

/// Behavioral change carried by every avoided-conversation row from the commitment quarter on
/// in `Scenario::Trends`.
pub const FADING_COMMITMENT: &str = "Hold every difficult conversation within 48 hours.";

/// CSV header written by [`write_csv`].
pub const CSV_HEADER: [&str; 9] = [
    "id",
    "date",
    "context",
    "root_cause",
    "lesson",
    "behavioral_change",
    "control",
    "team",
    "truth",
];

/// Teams assigned to rows.
pub const TEAMS: [&str; 4] = ["platform", "mobile", "data", "client-services"];

/// `Scenario::Trends`: 0-based quarter from which avoided-conversation rows carry
/// [`FADING_COMMITMENT`] (its last frequent quarter); its share drops over the next two.
pub fn trends_commitment_quarter(quarters: u32) -> u32 {
    trends_resolved_quarter(quarters) - 1
}

/// `Scenario::Trends`: 0-based first quarter with no scope-change-unmanaged rows
/// (`max(1, quarters / 2)`).
pub fn trends_resolved_quarter(quarters: u32) -> u32 {
    (quarters.max(1) / 2).max(1)
}

/// Normalised first day and exclusive end day of the range, both `YYYY-MM-DD`.
pub fn date_range(params: &SynthParams) -> (String, String) {
    let start = normalise_start(params.start);
    let end = add_months(start, 3 * params.quarters.max(1));
    (format_date(start), format_date(end))
}

/// Rows lazily generated from `params`; deterministic for given params.
pub fn generate(params: &SynthParams) -> impl Iterator<Item = SynthRow> {
    SynthIter::new(params)
}

/// Writes the generated rows as CSV (with header) to `w`; returns the number of rows written.
pub fn write_csv<W: std::io::Write>(params: &SynthParams, w: W) -> std::io::Result<u64> {
    let mut wtr = csv::Writer::from_writer(w);
    wtr.write_record(CSV_HEADER).map_err(io_error)?;
    let mut n = 0u64;
    for r in generate(params) {
        wtr.write_record([
            &r.id,
            &r.date,
            &r.context,
            &r.root_cause,
            &r.lesson,
            &r.behavioral_change,
            &r.control,
            &r.team,
            &r.truth,
        ])
        .map_err(io_error)?;
        n += 1;
    }
    wtr.flush()?;
    Ok(n)
}

/// Keeps the original `io::Error` (and its kind, e.g. `BrokenPipe`) of a csv write error.
fn io_error(e: csv::Error) -> std::io::Error {
    if matches!(e.kind(), csv::ErrorKind::Io(_)) {
        if let csv::ErrorKind::Io(inner) = e.into_kind() {
            return inner;
        }
        unreachable!("checked above");
    }
    std::io::Error::other(e)
}

// ---------------------------------------------------------------------------------------------
// Grammar
// ---------------------------------------------------------------------------------------------

/// A slot table: `{NAME}` in a frame picks one filler of `NAME`; `{NAME?}` is left out half of
/// the time. Fillers may contain slots themselves. Shared slots (`ctx`, `when`, `ppl`) and
/// numbers (`num`, `pct`) are resolved by [`expand`] for every grammar.
type Slots = &'static [(&'static str, &'static [&'static str])];

struct Tendency {
    key: &'static str,
    frames: &'static [&'static str],
    slots: Slots,
    /// Clauses appended before the final period when a row carries a number.
    number_tails: &'static [&'static str],
    lessons: &'static [&'static str],
    changes: &'static [&'static str],
    /// Weights of (within, partly, outside) control.
    control: [f64; 3],
}

/// Shared context fragments ("where/what") used by every grammar through `{ctx}`.
const CTX: &[&str] = &[
    "on the billing migration",
    "during the Q3 release",
    "for the Acme client",
    "on the mobile app launch",
    "for the quarterly board report",
    "on the data warehouse project",
    "during the vendor onboarding",
    "for the Northwind account",
    "on the payments rewrite",
    "during the holiday code freeze",
    "on the onboarding revamp",
    "for the investor demo",
    "in the last release",
    "on the API redesign",
    "during the security audit",
    "for the new analytics dashboard",
    "on the search relaunch",
    "during the office move",
    "for the Globex renewal",
    "on the reporting pipeline",
    "during the year-end close",
    "on the checkout redesign",
    "for the partner integration",
    "during the cloud migration",
];

/// Shared time fragments used through `{when}`.
const WHEN: &[&str] = &[
    "again",
    "last week",
    "this sprint",
    "this month",
    "once more",
    "yesterday",
    "this quarter",
    "on Friday",
    "before the holidays",
    "two sprints in a row",
    "last sprint",
    "again this time",
];

/// Shared people used through `{ppl}`.
const PPL: &[&str] = &[
    "my manager",
    "the client",
    "the team lead",
    "a colleague",
    "the product owner",
    "the stakeholders",
    "my director",
    "the other team",
    "our customer",
    "the project sponsor",
];

/// Sentence openers occasionally put in front of any root cause.
const PREFIXES: &[&str] = &[
    "Looking back,",
    "Honestly,",
    "If I am honest,",
    "In hindsight,",
    "To be fair,",
    "Thinking about it now,",
    "As usual,",
    "Not for the first time,",
];

/// Short context sentences shared by all rows.
const CONTEXTS: &[&str] = &[
    "Quarterly release of the billing platform.",
    "Migration of customer data to the new warehouse.",
    "Onboarding a new enterprise client.",
    "Launch of the mobile app redesign.",
    "Preparing the annual planning deck.",
    "Integration with a payment provider.",
    "Internal tooling improvements.",
    "Rollout of the new reporting dashboard.",
    "Support rotation during peak season.",
    "Security audit preparation.",
    "Hiring push for the platform team.",
    "Client workshop series.",
    "Cloud cost reduction initiative.",
    "Checkout flow rebuild.",
    "Partner API integration.",
    "Year-end financial close.",
    "Search relevance improvements.",
    "Data quality cleanup.",
    "Team reorganisation.",
    "Product demo for investors.",
];

const CONTROL_SPELLINGS: [[&str; 2]; 3] = [
    ["within", "Within my control"],
    ["partly", "partially"],
    ["outside", "external"],
];

const TENDENCIES: [Tendency; 10] = [
    Tendency {
        key: "underestimated-timeline",
        frames: &[
            "I {U} how long {W} would take {ctx?}",
            "My {E} for {W} was far too optimistic {when?}",
            "{W} {L} because I left no room for {B}",
            "I gave a {E} without breaking down {W} first, so we missed the deadline",
            "I committed to a deadline {ctx?} before I understood how big {W} really was",
            "I did not build {B} into my {E}, and {W} {L}",
            "I assumed {W} would be quick {ctx?} and it {L}",
            "I based my {E} on the happy path and ignored the risks in {W}",
            "The {E} I gave {ppl} was optimistic; {W} {L}",
            "I promised a date for {W} without checking how long similar work took before",
            "I planned {W} {ctx?} as if nothing would go wrong, and the deadline slipped",
            "I estimated {W} from memory instead of real data and it {L}",
            "I underestimated the effort {ctx?} and had to ask {ppl} for more time",
            "Everything {L} because my {E} ignored meetings and interruptions",
            "I told {ppl} it would take a few days, but {W} {L}",
        ],
        slots: &[
            (
                "E",
                &[
                    "estimate",
                    "timeline",
                    "schedule",
                    "forecast",
                    "time estimate",
                    "delivery date",
                    "plan",
                ],
            ),
            (
                "U",
                &[
                    "underestimated",
                    "lowballed",
                    "misjudged",
                    "was too optimistic about",
                    "badly underestimated",
                    "guessed too low on",
                ],
            ),
            (
                "W",
                &[
                    "the integration work",
                    "the testing effort",
                    "the data migration",
                    "the cleanup work",
                    "the rollout",
                    "the review cycle",
                    "the refactoring",
                    "the documentation",
                    "the report",
                    "the setup work",
                    "the final polish",
                    "the deployment",
                ],
            ),
            (
                "L",
                &[
                    "took twice as long as planned",
                    "took much longer than I thought",
                    "ran well past the deadline",
                    "blew through the deadline",
                    "slipped past the date I promised",
                    "overran the schedule",
                    "dragged on for weeks",
                ],
            ),
            (
                "B",
                &[
                    "any buffer",
                    "a safety margin",
                    "contingency time",
                    "slack for surprises",
                    "buffer time",
                    "rework",
                ],
            ),
        ],
        number_tails: &[
            ", about {num} weeks late",
            ", roughly {pct}% over my estimate",
            ", {num} days past the deadline",
        ],
        lessons: &[
            "Estimates need buffer for the unknowns.",
            "Break work down before estimating it.",
            "My first estimate is usually too optimistic.",
            "Use past data, not gut feeling, to estimate.",
            "Deadlines set before the work is understood are guesses.",
        ],
        changes: &[
            "Add a 30% buffer to every estimate.",
            "Break tasks into pieces under two days before committing to a date.",
            "Compare each estimate with a similar past task.",
            "Give ranges instead of single dates.",
            "Re-estimate at the midpoint and share the update.",
        ],
        control: [0.6, 0.3, 0.1],
    },
    Tendency {
        key: "scope-change-unmanaged",
        frames: &[
            "{S} {A} halfway through {ctx?} and I did not {X}",
            "I let {SC} grow without asking {ppl} what to drop",
            "I accepted {S} from {ppl} without a change request or a new plan",
            "Scope creep {when?}: {S} {A} and I never stopped to {X}",
            "{SC} kept changing {ctx?} and I never re-planned the work to match",
            "I agreed to {S} late in the project without adjusting the deadline",
            "When {ppl} asked for {S}, I said fine and did not {X}",
            "I treated every change request as small, and together they doubled {SC}",
            "I did not track how {SC} changed {ctx?}, so the plan no longer matched the work",
            "{S} {A} after sign-off and I absorbed it instead of raising a change request",
            "I let the requirements drift {when?} and kept working to the original plan",
            "Because I never froze {SC}, {S} {A} every week",
            "I failed to manage scope: {S} {A} and I did not {X}",
            "I kept saying yes to small additions until {SC} was twice the size",
        ],
        slots: &[
            (
                "S",
                &[
                    "a new requirement",
                    "an extra feature",
                    "a late change request",
                    "another report",
                    "a new integration",
                    "extra reporting needs",
                    "a redesign of the main screen",
                    "additional data sources",
                ],
            ),
            (
                "A",
                &[
                    "was added",
                    "got added",
                    "was squeezed in",
                    "crept in",
                    "was bolted on",
                ],
            ),
            (
                "X",
                &[
                    "re-plan the work",
                    "renegotiate the deadline",
                    "push back",
                    "update the plan",
                    "log a change request",
                    "reassess the timeline",
                    "trade something else out",
                ],
            ),
            (
                "SC",
                &[
                    "the scope",
                    "the project scope",
                    "the feature list",
                    "the requirements list",
                    "the backlog",
                ],
            ),
        ],
        number_tails: &[
            ", which added {num} extra features",
            ", growing the scope by {pct}%",
            ", adding {num} weeks of work",
        ],
        lessons: &[
            "Every scope change needs a re-plan.",
            "Small additions add up to a big change.",
            "Scope needs to be frozen before the final stretch.",
            "Saying yes to a change means saying no to something else.",
            "Unmanaged scope creep kills deadlines.",
        ],
        changes: &[
            "Log every new requirement as a change request.",
            "Re-plan the timeline whenever scope changes.",
            "Ask what to drop whenever something is added.",
            "Freeze scope two weeks before delivery.",
            "Review the scope with stakeholders every sprint.",
        ],
        control: [0.35, 0.45, 0.2],
    },
    Tendency {
        key: "avoided-conversation",
        frames: &[
            "I {D} {C} with {WHO} {ctx?}",
            "I did not share {F} with {WHO} because I wanted to avoid conflict",
            "I {D} telling {WHO} about the problem until it was too late",
            "I knew {WHO} was struggling but I {D} {C} {when?}",
            "Instead of confronting {WHO}, I quietly fixed the work myself",
            "I kept the {F} to myself {ctx?} rather than talk to {WHO}",
            "I avoided an uncomfortable conversation with {WHO} and the issue grew",
            "I hoped the problem with {WHO} would fix itself, so I never raised it",
            "I {D} {C} because I was worried about how {WHO} would react",
            "I waited weeks to talk to {WHO} about the repeated mistakes",
            "Rather than confront {WHO} directly, I complained to others {ctx?}",
            "I softened the {F} so much that {WHO} never understood the issue",
            "I {D} the talk with {WHO} {when?} and the tension kept building",
            "I never told {WHO} how their delays affected me",
        ],
        slots: &[
            (
                "C",
                &[
                    "the difficult conversation",
                    "the hard talk",
                    "the feedback conversation",
                    "the conversation about quality",
                    "the talk about missed deadlines",
                    "the performance conversation",
                    "an honest conversation",
                ],
            ),
            (
                "WHO",
                &[
                    "a teammate",
                    "my direct report",
                    "the new hire",
                    "a senior colleague",
                    "the contractor",
                    "a peer on another team",
                    "{ppl}",
                    "{ppl}",
                ],
            ),
            (
                "D",
                &[
                    "put off",
                    "avoided",
                    "postponed",
                    "kept delaying",
                    "dodged",
                    "sidestepped",
                ],
            ),
            (
                "F",
                &[
                    "feedback",
                    "critical feedback",
                    "honest feedback",
                    "concerns",
                    "bad news",
                    "disagreement",
                ],
            ),
        ],
        number_tails: &[
            ", for {num} weeks",
            ", letting it drag on for {num} months",
            ", for almost {num} sprints",
        ],
        lessons: &[
            "Hard conversations get harder the longer I wait.",
            "Avoiding conflict just moves the problem.",
            "People deserve honest feedback early.",
            "Silence is not kindness.",
            "Small issues grow when nobody talks about them.",
        ],
        changes: &[
            "Give feedback within a week of noticing an issue.",
            "Schedule the difficult conversation as soon as I notice the problem.",
            "Write down the key points and have the talk the same week.",
            "Raise concerns in our regular one-on-one.",
            "Ask for a short call instead of waiting for the right moment.",
        ],
        control: [0.85, 0.12, 0.03],
    },
    Tendency {
        key: "overcommitment",
        frames: &[
            "I {Y} {T} {ctx?} even though my plate was already full",
            "I took on too much {when?} and ended up {TH}",
            "I could not say no to {ppl}, so I {Y} {T}",
            "I {Y} {T} without checking my capacity first",
            "I was {TH} because I {Y} {T} and dropped nothing",
            "I overcommitted {ctx?}: I {Y} {T} while already behind",
            "I said yes to everything {when?} and nothing got my full attention",
            "I did not push back when {ppl} asked me to take on {T}",
            "I promised too much to too many people and was {TH}",
            "Saying no felt awkward, so I {Y} {T} and missed my own commitments",
            "I ignored my real capacity and {Y} {T} {ctx?}",
            "I kept adding commitments until I was {TH} and quality dropped",
            "Because I wanted to help, I {Y} {T} and overloaded myself",
            "I had too many things on my plate {when?} and still {Y} {T}",
        ],
        slots: &[
            (
                "Y",
                &[
                    "said yes to",
                    "agreed to",
                    "took on",
                    "volunteered for",
                    "signed up for",
                    "accepted",
                ],
            ),
            (
                "T",
                &[
                    "another project",
                    "one more request",
                    "an extra workstream",
                    "a side project",
                    "the hiring panel",
                    "a second release",
                    "extra support duty",
                    "the migration on top of my normal work",
                    "a favour for another team",
                ],
            ),
            (
                "TH",
                &[
                    "spread too thin",
                    "stretched too thin",
                    "overloaded",
                    "over capacity",
                    "buried in work",
                    "juggling too many things",
                ],
            ),
        ],
        number_tails: &[
            ", which made it {num} projects at once",
            ", running at {pct}% over capacity",
            ", on top of {num} other tasks",
        ],
        lessons: &[
            "I cannot do everything at once.",
            "Saying yes to everything means doing nothing well.",
            "My capacity is finite.",
            "Protecting focus matters more than pleasing people.",
            "Overcommitting hurts the people I say yes to.",
        ],
        changes: &[
            "Check my capacity before accepting new work.",
            "Say no or trade something off for every new request.",
            "Keep a maximum of three active commitments.",
            "Wait a day before agreeing to extra work.",
            "Review my commitments every Monday.",
        ],
        control: [0.85, 0.12, 0.03],
    },
    Tendency {
        key: "insufficient-preparation",
        frames: &[
            "I did not {R} before {EV} {ctx?}",
            "I went into {EV} unprepared {when?} and it showed",
            "I skipped the dry run for {EV} and it broke in front of {ppl}",
            "I did not test {EV} setup beforehand and the environment failed",
            "I relied on improvising instead of preparing for {EV} {when?}",
            "I forgot to use {CK} for {EV} and missed key steps",
            "I prepared {EV} at the last minute and could not answer basic questions",
            "I assumed I knew the material well enough to skip preparation for {EV}",
            "I did not rehearse {EV} {ctx?} and ran out of time",
            "I showed up to {EV} without testing anything, and the first step failed",
            "I skipped {CK} before {EV} because I felt confident",
            "I left preparation for {EV} until the night before {when?}",
            "Poor preparation on my side made {EV} go badly {ctx?}",
            "I was not ready for {EV} because I never did a proper run-through",
        ],
        slots: &[
            (
                "R",
                &[
                    "rehearse",
                    "prepare properly",
                    "do a dry run",
                    "practise",
                    "run through it",
                    "test it end to end",
                ],
            ),
            (
                "EV",
                &[
                    "the demo",
                    "the presentation",
                    "the client workshop",
                    "the go-live",
                    "the release",
                    "the training session",
                    "the migration cutover",
                    "the pitch",
                    "the handover meeting",
                ],
            ),
            (
                "CK",
                &[
                    "a checklist",
                    "the runbook",
                    "the test plan",
                    "my notes",
                    "the backup plan",
                    "the prep checklist",
                ],
            ),
        ],
        number_tails: &[
            ", with only {num} minutes of prep",
            ", leaving {num} open questions",
            ", and {pct}% of the checks never ran",
        ],
        lessons: &[
            "Preparation is never wasted.",
            "Confidence is not a substitute for rehearsal.",
            "Things break when they are not tested first.",
            "A dry run catches most surprises.",
            "Last-minute preparation shows.",
        ],
        changes: &[
            "Do a full dry run before every demo.",
            "Use a preparation checklist for every important event.",
            "Block preparation time in my calendar two days ahead.",
            "Test the setup in the real room beforehand.",
            "Rehearse with a colleague before presenting.",
        ],
        control: [0.8, 0.15, 0.05],
    },
    Tendency {
        key: "unclear-requirements",
        frames: &[
            "I started building before I {CLP} {RQ} {ctx?}",
            "I assumed I understood {RQ} and built the wrong thing",
            "I worked from {AMA} requirements and did not {CLV} them with {ppl}",
            "I never agreed acceptance criteria with {ppl}, so done meant different things",
            "I guessed what {ppl} meant instead of asking {when?}",
            "I did not {CLV} {RQ} and we delivered something nobody asked for",
            "I accepted a ticket that was {AM} without asking questions and had to redo it",
            "I filled the gaps in {RQ} with my own assumptions {ctx?}",
            "I misread {RQ} and nobody caught it until the demo",
            "I did not write down what {ppl} expected, so the requirements stayed {AM}",
            "I assumed the edge cases were out of scope without checking with {ppl}",
            "I took {RQ} at face value even though parts were {AM}",
            "Without clear acceptance criteria I built to my own interpretation {ctx?}",
            "I never asked what success looked like, so I built to the wrong target",
        ],
        slots: &[
            (
                "RQ",
                &[
                    "the requirements",
                    "the brief",
                    "the acceptance criteria",
                    "the spec",
                    "the user story",
                    "the ticket",
                    "what the client wanted",
                    "the expected output",
                ],
            ),
            (
                "AM",
                &[
                    "ambiguous",
                    "vague",
                    "unclear",
                    "open to interpretation",
                    "incomplete",
                    "contradictory",
                ],
            ),
            (
                "AMA",
                &[
                    "ambiguous",
                    "vague",
                    "unclear",
                    "incomplete",
                    "contradictory",
                    "half-written",
                ],
            ),
            (
                "CLP",
                &[
                    "clarified",
                    "asked questions about",
                    "confirmed",
                    "pinned down",
                    "got sign-off on",
                    "wrote down",
                ],
            ),
            (
                "CLV",
                &["clarify", "confirm", "pin down", "check", "validate"],
            ),
        ],
        number_tails: &[
            ", and the rework took {num} days",
            ", so {pct}% of the work was redone",
            ", with {num} questions never asked",
        ],
        lessons: &[
            "Assumptions are not requirements.",
            "Ambiguity must be resolved before building.",
            "Clear acceptance criteria save rework.",
            "Asking questions early is cheaper than redoing work.",
            "What is obvious to me is not obvious to the client.",
        ],
        changes: &[
            "Write acceptance criteria before starting any task.",
            "Repeat the requirements back to the requester in writing.",
            "Ask at least three clarifying questions at kickoff.",
            "Get sign-off on the spec before building.",
            "Show an early draft to the requester within a few days.",
        ],
        control: [0.4, 0.45, 0.15],
    },
    Tendency {
        key: "late-escalation",
        frames: &[
            "I {ESP} {BL} to {ppl} far too late {ctx?}",
            "I sat on {BL} for too long hoping I could fix it myself",
            "I did not {ES} {BL} until the deadline was already lost",
            "My status reports said green while {BL} was getting worse",
            "I told my manager late about {BL}, when nothing could be done",
            "I waited to flag the risk {ctx?} because I did not want to look weak",
            "I kept {BL} to myself {when?} instead of escalating early",
            "By the time I {ESP} {BL}, {ppl} had no options left",
            "I tried to solve {BL} alone rather than escalate it to {ppl}",
            "I should have flagged {BL} in the first status meeting, not the last",
            "I hid {BL} from {ppl} until the release was at risk",
            "I escalated late {when?} because I thought {BL} would resolve itself",
            "I did not raise the blocker early, so {ppl} found out too late {ctx?}",
            "I kept reporting on track although {BL} had been open for weeks",
        ],
        slots: &[
            (
                "BL",
                &[
                    "the blocker",
                    "the risk",
                    "the problem",
                    "the delay",
                    "the budget issue",
                    "the staffing gap",
                    "the technical issue",
                    "the slipping date",
                ],
            ),
            (
                "ES",
                &["escalate", "raise", "flag", "report", "surface", "mention"],
            ),
            (
                "ESP",
                &[
                    "escalated",
                    "raised",
                    "flagged",
                    "reported",
                    "surfaced",
                    "mentioned",
                ],
            ),
        ],
        number_tails: &[
            ", about {num} weeks after I first saw it",
            ", {num} days before the deadline",
            ", when we were already {pct}% over budget",
        ],
        lessons: &[
            "Bad news does not improve with age.",
            "Escalating early is a strength, not a weakness.",
            "Managers can only help if they know.",
            "Hoping a blocker disappears is not a plan.",
            "Status reports must reflect reality.",
        ],
        changes: &[
            "Escalate any blocker older than two days.",
            "Flag risks in the weekly status report immediately.",
            "Tell my manager about problems the day I find them.",
            "Use red status honestly instead of optimistic green.",
            "Set a time limit for solving things alone before escalating.",
        ],
        control: [0.75, 0.2, 0.05],
    },
    Tendency {
        key: "dependency-failure",
        frames: &[
            "{V} {FL} {ctx?} and I had no {MT}",
            "I depended entirely on {V} and it {FL}",
            "I did not plan for {V} failing, and it {FL} {when?}",
            "Our release depended on {V}, which {FL}",
            "I trusted the delivery date from {V} without a plan B",
            "I built on {V} without checking its reliability, then it {FL}",
            "{V} {FL} during the launch {ctx?} and we were stuck waiting",
            "I did not track the third-party dependency closely, so the outage surprised me",
            "I assumed {V} would be stable and had no {MT}",
            "When {V} {FL}, I had nothing to switch to",
            "I relied on a single supplier {ctx?} and their delay became my delay",
            "I never tested what happens when {V} is down, and then it {FL}",
            "An outage at {V} blocked my work {when?} and I had no {MT}",
            "Our work stalled because {V} {FL} and I had not planned around it",
        ],
        slots: &[
            (
                "V",
                &[
                    "the vendor",
                    "a third-party service",
                    "the supplier",
                    "the external API",
                    "the payment provider",
                    "the cloud provider",
                    "our hosting partner",
                    "the partner team's service",
                    "an upstream library",
                ],
            ),
            (
                "FL",
                &[
                    "had an outage",
                    "went down",
                    "missed its delivery",
                    "changed its API without notice",
                    "shipped a breaking change",
                    "failed to deliver on time",
                    "was unavailable for days",
                    "rate-limited us",
                ],
            ),
            (
                "MT",
                &[
                    "fallback",
                    "backup option",
                    "contingency plan",
                    "second supplier",
                    "monitoring in place",
                    "workaround ready",
                ],
            ),
        ],
        number_tails: &[
            ", blocking us for {num} days",
            ", costing {num} hours of downtime",
            ", with {pct}% of requests failing",
        ],
        lessons: &[
            "External dependencies need a fallback.",
            "Vendors fail, so plan for it.",
            "One supplier means one big risk.",
            "Third-party dates are estimates, not promises.",
            "Dependencies must be monitored, not trusted.",
        ],
        changes: &[
            "Identify a fallback for every critical dependency.",
            "Track vendor delivery dates in the weekly review.",
            "Add monitoring and alerts for third-party services.",
            "Keep a second supplier on standby.",
            "Build buffer around external deliveries.",
        ],
        control: [0.1, 0.25, 0.65],
    },
    Tendency {
        key: "single-point-of-failure",
        frames: &[
            "{OPO} {K}, and when they {ABS} the work stopped",
            "I was the only person who understood {K} and never wrote it down",
            "I never arranged a handover for {K} before I {ABSM}",
            "I let all the knowledge about {K} sit with one person {ctx?}",
            "Our bus factor on {K} was one, and I never fixed it",
            "I did not cross-train anyone on {K}, so nobody could cover {when?}",
            "When the only person who knew {K} {ABS}, I had no backup",
            "I kept {K} in my head instead of documenting it for the team",
            "I allowed {ppl} to depend on a single expert for {K}",
            "Nobody else could run {K} while I {ABSM}, because I never shared the knowledge",
            "I skipped the handover notes for {K} {ctx?} and the team was stuck",
            "I did not notice that one colleague was the single point of failure for {K}",
            "Knowledge of {K} lived with one person {when?} and we paid for it",
            "Only I had access to {K}, so everything waited when I {ABSM}",
        ],
        slots: &[
            (
                "K",
                &[
                    "the deployment process",
                    "the billing system",
                    "the reporting scripts",
                    "the client relationship",
                    "the database setup",
                    "the legacy integration",
                    "the release process",
                    "the pricing model",
                    "the monthly close",
                ],
            ),
            (
                "OPO",
                &[
                    "Only one engineer knew",
                    "Nobody but one colleague understood",
                    "A single person owned",
                    "Only our contractor knew",
                    "Just one teammate knew",
                ],
            ),
            (
                "ABS",
                &[
                    "was on leave",
                    "was out sick",
                    "left the company",
                    "went on holiday",
                    "was unreachable",
                    "moved to another team",
                ],
            ),
            (
                "ABSM",
                &[
                    "went on leave",
                    "took holiday",
                    "was out sick",
                    "was pulled onto another project",
                    "was on parental leave",
                ],
            ),
        ],
        number_tails: &[
            ", which stalled the work for {num} days",
            ", leaving {num} requests unanswered",
            ", and {pct}% of the runbook was missing",
        ],
        lessons: &[
            "Knowledge held by one person is a risk.",
            "Documentation is part of the job.",
            "A bus factor of one will eventually hurt.",
            "Cross-training pays off when someone is away.",
            "Handovers must happen before leave, not after.",
        ],
        changes: &[
            "Document every critical process in the wiki.",
            "Pair a second person on each critical system.",
            "Run a handover session before any leave.",
            "Rotate on-call duties so knowledge spreads.",
            "Review the bus factor of key systems every quarter.",
        ],
        control: [0.35, 0.45, 0.2],
    },
    Tendency {
        key: "unreviewed-change",
        frames: &[
            "I {PU} {CH} {ctx?} without any {RV}",
            "I skipped {RVA} for {CH} because it looked trivial",
            "I {PU} {CH} straight to production and it broke things for {ppl}",
            "Nobody reviewed {CH} I made {when?}, and it caused an incident",
            "I did not ask anyone to check {CH} before I {PU} it",
            "I bypassed the approval process for {CH} {ctx?}",
            "I pushed without review because I was in a hurry, and it broke the build",
            "I made {CH} on a Friday without peer review and nobody caught the mistake",
            "I thought {CH} was too small to need {RV}",
            "I merged my own pull request {ctx?} without waiting for a reviewer",
            "I {PU} {CH} late at night with no one to review it {when?}",
            "I edited the production config directly instead of going through review",
            "I rushed {CH} through without {RV} and had to roll it back",
            "I {PU} {CH} on my own and skipped the usual approval",
        ],
        slots: &[
            (
                "CH",
                &[
                    "a config change",
                    "a database change",
                    "a hotfix",
                    "a pricing update",
                    "a schema change",
                    "a permissions change",
                    "a firewall rule",
                    "a script change",
                    "a quick fix",
                    "a feature flag change",
                ],
            ),
            (
                "PU",
                &[
                    "pushed", "deployed", "shipped", "merged", "applied", "released",
                ],
            ),
            (
                "RV",
                &[
                    "review",
                    "peer review",
                    "code review",
                    "approval",
                    "sign-off",
                    "second opinion",
                ],
            ),
            (
                "RVA",
                &[
                    "the review",
                    "peer review",
                    "the code review",
                    "the approval step",
                    "sign-off",
                    "a second pair of eyes",
                ],
            ),
        ],
        number_tails: &[
            ", affecting {pct}% of users",
            ", causing {num} hours of downtime",
            ", and it took {num} hours to roll back",
        ],
        lessons: &[
            "Every change deserves a second pair of eyes.",
            "Small changes can cause big incidents.",
            "Skipping review saves minutes and costs hours.",
            "Rushing to production is how outages happen.",
            "Process exists for a reason.",
        ],
        changes: &[
            "Require peer review for every production change.",
            "Never merge my own pull request.",
            "Use a change checklist before deploying.",
            "Avoid deploys on Friday afternoons.",
            "Get approval for config changes through the ticket.",
        ],
        control: [0.8, 0.15, 0.05],
    },
];

/// Grammar of one-off mishaps used for noise rows (`truth = "none"`).
const NOISE: Tendency = Tendency {
    key: NOISE_TRUTH,
    frames: &[
        "{OBJ} stopped working {when?} and I lost some time",
        "I got sick the day before {NEV} and someone else covered for me",
        "The office power went out in the middle of the afternoon {when?}",
        "I spilled coffee on my keyboard and had to borrow a spare one",
        "I mixed up the time zones and joined the call an hour late",
        "A fire drill interrupted the workshop {ctx?} and we lost momentum",
        "The train was cancelled so I arrived late to {NEV}",
        "I sent the invitation to the wrong mailing list by accident",
        "A snowstorm closed the office {when?} and the session was moved",
        "My calendar did not sync and I double booked myself {when?}",
        "The building elevator broke and the visitors waited in the lobby",
        "I typed the wrong room number in the invite and people got lost",
        "{OBJ} crashed during {NEV} and we had to restart",
        "A family emergency meant I had to leave early {when?}",
        "The catering order never arrived for {NEV}",
        "I locked myself out of my account after too many password attempts",
        "A printer jam delayed the handouts for {NEV}",
        "The heating failed in the office and we all worked from home {when?}",
        "My badge stopped working and I waited outside for security",
        "A water leak closed half the floor {when?}",
    ],
    slots: &[
        (
            "OBJ",
            &[
                "My laptop",
                "The projector",
                "The meeting room screen",
                "My phone",
                "The office wifi",
                "The video call software",
                "My headset",
            ],
        ),
        (
            "NEV",
            &[
                "the offsite",
                "the team lunch",
                "the all-hands",
                "the workshop",
                "the client visit",
                "the training day",
                "the morning standup",
            ],
        ),
    ],
    number_tails: &[
        ", losing about {num} hours",
        ", {num} minutes before it started",
    ],
    lessons: &[
        "Some things are just bad luck.",
        "Keep a spare charger in my bag.",
        "Double-check time zones for calls.",
        "Not every problem has a pattern.",
        "Leave a little extra travel time.",
        "Have a backup plan for equipment.",
    ],
    changes: &[
        "None needed.",
        "Keep spare equipment at my desk.",
        "Check the calendar the night before.",
        "No change; this was a one-off.",
        "Leave earlier on event days.",
    ],
    control: [0.2, 0.3, 0.5],
};

/// Probability that a root cause carries a number tail.
const NUMBER_RATE: f64 = 0.10;
/// Probability that a root cause starts with a shared opener.
const PREFIX_RATE: f64 = 0.12;
/// Share of root causes that carry a second sentence from the same tendency.
const SECOND_SENTENCE_RATE: f64 = 0.35;
const MIN_WORDS: usize = 8;
const MAX_WORDS: usize = 25;

fn pick<R: Rng>(rng: &mut R, items: &[&'static str]) -> &'static str {
    items[rng.gen_range(0..items.len())]
}

fn pick_weighted<R: Rng>(rng: &mut R, weights: &[f64]) -> usize {
    let total: f64 = weights.iter().sum();
    let mut x = rng.gen::<f64>() * total;
    for (i, w) in weights.iter().enumerate() {
        if x < *w {
            return i;
        }
        x -= w;
    }
    weights.len() - 1
}

/// Expands `tmpl` into `out`, resolving `{slot}` / `{slot?}` from `slots` and the shared pools.
fn expand<R: Rng>(rng: &mut R, tmpl: &str, slots: Slots, optional: f64, out: &mut String) {
    let mut rest = tmpl;
    while let Some(open) = rest.find('{') {
        out.push_str(&rest[..open]);
        let close = open
            + rest[open..]
                .find('}')
                .expect("synth grammar: unclosed slot");
        let mut name = &rest[open + 1..close];
        rest = &rest[close + 1..];
        if let Some(n) = name.strip_suffix('?') {
            name = n;
            if !rng.gen_bool(optional) {
                while out.ends_with(' ') {
                    out.pop();
                }
                continue;
            }
        }
        match name {
            "ctx" => out.push_str(pick(rng, CTX)),
            "when" => out.push_str(pick(rng, WHEN)),
            "ppl" => out.push_str(pick(rng, PPL)),
            "num" => {
                let _ = write!(out, "{}", rng.gen_range(2..=12));
            }
            "pct" => {
                let _ = write!(out, "{}", 5 * rng.gen_range(2..=18));
            }
            _ => {
                let fillers = slots
                    .iter()
                    .find(|(k, _)| *k == name)
                    .map(|(_, v)| *v)
                    .unwrap_or_else(|| panic!("synth grammar: unknown slot {{{name}}}"));
                let filler = pick(rng, fillers);
                expand(rng, filler, slots, optional, out);
            }
        }
    }
    out.push_str(rest);
}

/// One root-cause sentence of `MIN_WORDS..=MAX_WORDS` words from tendency `t`.
fn root_cause<R: Rng>(rng: &mut R, t: &Tendency, optional: f64) -> String {
    let with_number = rng.gen_bool(NUMBER_RATE);
    let mut with_prefix = rng.gen_bool(PREFIX_RATE);
    let mut s = String::with_capacity(160);
    for attempt in 0..16 {
        s.clear();
        if attempt >= 4 {
            with_prefix = false;
        }
        let frame = pick(rng, t.frames);
        let mut body = String::with_capacity(128);
        expand(rng, frame, t.slots, optional, &mut body);
        let body = body.trim();
        if with_prefix {
            s.push_str(pick(rng, PREFIXES));
            s.push(' ');
            let keep_upper = body.starts_with("I ") || body.starts_with("I'");
            let mut chars = body.chars();
            if let Some(first) = chars.next() {
                if keep_upper {
                    s.push(first);
                } else {
                    s.push(first.to_ascii_lowercase());
                }
                s.push_str(chars.as_str());
            }
        } else {
            let mut chars = body.chars();
            if let Some(first) = chars.next() {
                s.push(first.to_ascii_uppercase());
                s.push_str(chars.as_str());
            }
        }
        if with_number {
            let tail = pick(rng, t.number_tails);
            expand(rng, tail, t.slots, optional, &mut s);
        }
        s.push('.');
        let words = s.split_whitespace().count();
        if (MIN_WORDS..=MAX_WORDS).contains(&words) {
            break;
        }
    }
    s
}

// ---------------------------------------------------------------------------------------------
// Dates (proleptic Gregorian, days since 1970-01-01)
// ---------------------------------------------------------------------------------------------

fn is_leap(y: i32) -> bool {
    (y % 4 == 0 && y % 100 != 0) || y % 400 == 0
}

fn days_in_month(y: i32, m: u32) -> u32 {
    match m {
        1 | 3 | 5 | 7 | 8 | 10 | 12 => 31,
        4 | 6 | 9 | 11 => 30,
        _ if is_leap(y) => 29,
        _ => 28,
    }
}

fn normalise_start((y, m, d): (i32, u32, u32)) -> (i32, u32, u32) {
    let y = y.clamp(1, 9999);
    let m = m.clamp(1, 12);
    let d = d.clamp(1, days_in_month(y, m));
    (y, m, d)
}

/// Adds `months`, clamping the day to the target month's length.
fn add_months((y, m, d): (i32, u32, u32), months: u32) -> (i32, u32, u32) {
    let total = i64::from(y) * 12 + i64::from(m - 1) + i64::from(months);
    let ny = total.div_euclid(12) as i32;
    let nm = total.rem_euclid(12) as u32 + 1;
    (ny, nm, d.min(days_in_month(ny, nm)))
}

fn days_from_civil((y, m, d): (i32, u32, u32)) -> i64 {
    let y = i64::from(y) - i64::from(m <= 2);
    let era = y.div_euclid(400);
    let yoe = y - era * 400;
    let m = i64::from(m);
    let mp = (m + 9) % 12;
    let doy = (153 * mp + 2) / 5 + i64::from(d) - 1;
    let doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
    era * 146_097 + doe - 719_468
}

fn civil_from_days(z: i64) -> (i32, u32, u32) {
    let z = z + 719_468;
    let era = z.div_euclid(146_097);
    let doe = z - era * 146_097;
    let yoe = (doe - doe / 1460 + doe / 36_524 - doe / 146_096) / 365;
    let doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
    let mp = (5 * doy + 2) / 153;
    let d = (doy - (153 * mp + 2) / 5 + 1) as u32;
    let m = if mp < 10 { mp + 3 } else { mp - 9 } as u32;
    let y = (yoe + era * 400 + i64::from(m <= 2)) as i32;
    (y, m, d)
}

fn format_date((y, m, d): (i32, u32, u32)) -> String {
    format!("{y:04}-{m:02}-{d:02}")
}

// ---------------------------------------------------------------------------------------------
// Row composition
// ---------------------------------------------------------------------------------------------

/// Splits `n` into integer counts proportional to `shares` (largest remainder; buckets with a
/// zero share always get zero).
fn apportion(n: usize, shares: &[f64]) -> Vec<usize> {
    let total: f64 = shares.iter().sum();
    if n == 0 || total <= 0.0 {
        let mut v = vec![0; shares.len()];
        if let Some(first) = v.first_mut() {
            *first = n;
        }
        return v;
    }
    let exact: Vec<f64> = shares.iter().map(|s| n as f64 * s / total).collect();
    let mut counts: Vec<usize> = exact.iter().map(|e| e.floor() as usize).collect();
    let assigned: usize = counts.iter().sum();
    let mut left = n.saturating_sub(assigned);
    let mut order: Vec<usize> = (0..shares.len()).filter(|&i| shares[i] > 0.0).collect();
    order.sort_by(|&a, &b| {
        let fa = exact[a] - exact[a].floor();
        let fb = exact[b] - exact[b].floor();
        fb.total_cmp(&fa).then(a.cmp(&b))
    });
    for &i in order.iter().take(left) {
        counts[i] += 1;
    }
    left -= left.min(order.len());
    if left > 0 {
        let biggest = (0..shares.len())
            .max_by(|&a, &b| shares[a].total_cmp(&shares[b]))
            .unwrap_or(0);
        counts[biggest] += left;
    }
    counts
}

/// Index into `TENDENCIES` for `key`.
fn tendency_index(key: &str) -> usize {
    TENDENCIES
        .iter()
        .position(|t| t.key == key)
        .expect("known tendency key")
}

/// Shares of quarter `q` for [`TRENDS_KEYS`] (before noise scaling; the resolved tendency's
/// stray rows are added in `start_quarter`).
fn trends_shares(q: u32, quarters: u32) -> [f64; 5] {
    let x = if quarters > 1 {
        f64::from(q) / f64::from(quarters - 1)
    } else {
        0.0
    };
    let h = trends_resolved_quarter(quarters);
    let c = h - 1;
    let avoided = if q <= c { 0.30 } else { 0.08 };
    let scope = if q < h { 0.10 } else { 0.0 };
    // The new tendency takes its 5 % of the last quarter from every other group alike, so
    // the others keep their shape (and the noise its level) through its arrival.
    if quarters >= 2 && q == quarters - 1 {
        let k = 0.95;
        [
            0.30 * k,
            (0.05 + 0.40 * x) * k,
            avoided * k,
            scope * k,
            0.05,
        ]
    } else {
        [0.30, 0.05 + 0.40 * x, avoided, scope, 0.0]
    }
}

struct SynthIter {
    rng: Xoshiro256PlusPlus,
    scenario: Scenario,
    noise: f64,
    optional: f64,
    quarters: u32,
    /// Day numbers of the quarter boundaries (`quarters + 1` entries).
    bounds: Vec<i64>,
    /// Rows still to emit overall.
    left: usize,
    /// Next row number (0-based).
    next_id: usize,
    /// Current quarter (Trends) — Uniform uses a single segment.
    quarter: u32,
    /// Tendency indices of the buckets; the last bucket is noise.
    buckets: Vec<usize>,
    /// Remaining rows per bucket in the current segment.
    counts: Vec<usize>,
    /// Rows remaining in the current segment.
    seg_left: usize,
    /// Inclusive-exclusive day range of the current segment.
    seg_days: (i64, i64),
    total_rows: usize,
}

impl SynthIter {
    fn new(p: &SynthParams) -> Self {
        let noise = if p.noise.is_nan() {
            0.0
        } else {
            p.noise.clamp(0.0, 1.0)
        };
        let quarters = p.quarters.max(1);
        let start = normalise_start(p.start);
        let bounds: Vec<i64> = (0..=quarters)
            .map(|q| days_from_civil(add_months(start, 3 * q)))
            .collect();
        let mut it = SynthIter {
            rng: Xoshiro256PlusPlus::seed_from_u64(p.seed),
            scenario: p.scenario,
            noise,
            optional: if p.optional.is_nan() {
                0.5
            } else {
                p.optional.clamp(0.0, 1.0)
            },
            quarters,
            bounds,
            left: p.rows,
            next_id: 0,
            quarter: 0,
            buckets: Vec::new(),
            counts: Vec::new(),
            seg_left: 0,
            seg_days: (0, 0),
            total_rows: p.rows,
        };
        match p.scenario {
            Scenario::Uniform => {
                let k = p.tendencies.clamp(1, TENDENCY_KEYS.len());
                it.buckets = (0..k).collect();
                let noise_rows = ((noise * p.rows as f64).round() as usize).min(p.rows);
                let weights: Vec<f64> = (0..k)
                    .map(|i| {
                        if k == 1 {
                            1.0
                        } else {
                            1.0 - 0.6 * i as f64 / (k - 1) as f64
                        }
                    })
                    .collect();
                it.counts = apportion(p.rows - noise_rows, &weights);
                it.counts.push(noise_rows);
                it.seg_left = p.rows;
                it.seg_days = (it.bounds[0], it.bounds[quarters as usize]);
            }
            Scenario::Trends => {
                it.buckets = TRENDS_KEYS.iter().map(|k| tendency_index(k)).collect();
                it.start_quarter(0);
            }
        }
        it
    }

    /// Trends: sets up the exact composition of quarter `q`.
    fn start_quarter(&mut self, q: u32) {
        let qs = self.quarters as usize;
        let n = self.total_rows / qs + usize::from((q as usize) < self.total_rows % qs);
        let base = trends_shares(q, self.quarters);
        let mut shares: Vec<f64> = base.iter().map(|s| s * (1.0 - self.noise)).collect();
        let residual = (1.0 - shares.iter().sum::<f64>()).max(0.0);
        shares.push(residual);
        let mut counts = apportion(n, &shares);
        // Stopped, with a few stray rows left: from the quarter after the stop, the resolved
        // tendency takes `max(1, round(0.2 %))` of the quarter from the noise.
        let noise = counts.len() - 1;
        if q > trends_resolved_quarter(self.quarters) && n >= 20 {
            let strays = ((0.002 * n as f64).round() as usize)
                .max(1)
                .min(counts[noise]);
            counts[noise] -= strays;
            counts[3] += strays;
        }
        self.quarter = q;
        self.counts = counts;
        self.seg_left = n;
        self.seg_days = (self.bounds[q as usize], self.bounds[q as usize + 1]);
    }

    fn make_row(&mut self, bucket: usize) -> SynthRow {
        let rng = &mut self.rng;
        let is_noise = bucket == self.buckets.len();
        let t: &Tendency = if is_noise {
            &NOISE
        } else {
            &TENDENCIES[self.buckets[bucket]]
        };
        let (lo, hi) = self.seg_days;
        let date = format_date(civil_from_days(rng.gen_range(lo..hi)));
        let context = pick(rng, CONTEXTS).to_string();
        let mut root_cause = root_cause(rng, t, self.optional);
        // Entries are one or two sentences, as people write them.
        if rng.gen_bool(SECOND_SENTENCE_RATE) {
            root_cause.push(' ');
            root_cause.push_str(&self::root_cause(rng, t, self.optional));
        }
        let lesson = pick(rng, t.lessons).to_string();
        let mut change = pick(rng, t.changes);
        if self.scenario == Scenario::Trends
            && t.key == "avoided-conversation"
            && self.quarter >= trends_commitment_quarter(self.quarters)
        {
            change = FADING_COMMITMENT;
        }
        let class = pick_weighted(rng, &t.control);
        let control = CONTROL_SPELLINGS[class][rng.gen_range(0..2)].to_string();
        let team = TEAMS[rng.gen_range(0..TEAMS.len())].to_string();
        self.next_id += 1;
        SynthRow {
            id: format!("G-{:07}", self.next_id),
            date,
            context,
            root_cause,
            lesson,
            behavioral_change: change.to_string(),
            control,
            team,
            truth: t.key.to_string(),
        }
    }
}

impl Iterator for SynthIter {
    type Item = SynthRow;

    fn next(&mut self) -> Option<SynthRow> {
        if self.left == 0 {
            return None;
        }
        while self.seg_left == 0 {
            // Only Trends has more than one segment; Uniform's single segment holds every row.
            let q = self.quarter + 1;
            if q >= self.quarters {
                return None;
            }
            self.start_quarter(q);
        }
        // Draw without replacement so the segment's composition is exact.
        let mut r = self.rng.gen_range(0..self.seg_left);
        let mut bucket = self.counts.len() - 1;
        for (i, c) in self.counts.iter().enumerate() {
            if r < *c {
                bucket = i;
                break;
            }
            r -= c;
        }
        self.counts[bucket] -= 1;
        self.seg_left -= 1;
        self.left -= 1;
        Some(self.make_row(bucket))
    }

    fn size_hint(&self) -> (usize, Option<usize>) {
        (self.left, Some(self.left))
    }
}

impl ExactSizeIterator for SynthIter {}

#[cfg(test)]
mod tests {
    use super::*;
    use std::collections::{HashMap, HashSet};

    fn params(rows: usize, seed: u64) -> SynthParams {
        SynthParams {
            rows,
            seed,
            ..SynthParams::default()
        }
    }

    fn trends(rows: usize, seed: u64) -> SynthParams {
        SynthParams {
            rows,
            seed,
            scenario: Scenario::Trends,
            ..SynthParams::default()
        }
    }

    fn quarter_of(date: &str, p: &SynthParams) -> usize {
        let start = normalise_start(p.start);
        let y: i32 = date[0..4].parse().unwrap();
        let m: u32 = date[5..7].parse().unwrap();
        let d: u32 = date[8..10].parse().unwrap();
        let day = days_from_civil((y, m, d));
        (0..p.quarters)
            .position(|q| {
                day >= days_from_civil(add_months(start, 3 * q))
                    && day < days_from_civil(add_months(start, 3 * (q + 1)))
            })
            .expect("date inside range")
    }

    #[test]
    fn same_seed_same_rows() {
        for p in [params(2000, 7), trends(2000, 7)] {
            let a: Vec<_> = generate(&p).collect();
            let b: Vec<_> = generate(&p).collect();
            assert_eq!(a, b);
        }
    }

    #[test]
    fn different_seed_different_rows() {
        let a: Vec<_> = generate(&params(500, 1)).collect();
        let b: Vec<_> = generate(&params(500, 2)).collect();
        assert_ne!(a, b);
        let same_text = a
            .iter()
            .zip(&b)
            .filter(|(x, y)| x.root_cause == y.root_cause)
            .count();
        assert!(same_text < 50, "{same_text} identical root causes");
    }

    #[test]
    fn exact_row_count() {
        for rows in [0, 1, 7, 100, 1001] {
            for scenario in [Scenario::Uniform, Scenario::Trends] {
                let p = SynthParams {
                    rows,
                    scenario,
                    ..SynthParams::default()
                };
                assert_eq!(generate(&p).count(), rows, "{scenario:?} {rows}");
                let ids: HashSet<String> = generate(&p).map(|r| r.id).collect();
                assert_eq!(ids.len(), rows);
            }
        }
        let first = generate(&params(3, 0)).next().unwrap();
        assert_eq!(first.id, "G-0000001");
    }

    #[test]
    fn rows_are_well_formed() {
        let mut p = params(20_000, 3);
        p.tendencies = 10;
        p.noise = 0.1;
        p.start = (2023, 11, 30);
        p.quarters = 5;
        let (lo, hi) = date_range(&p);
        assert_eq!((lo.as_str(), hi.as_str()), ("2023-11-30", "2025-02-28"));
        for r in generate(&p) {
            assert!(!r.root_cause.trim().is_empty());
            assert_eq!(r.date.len(), 10);
            assert!(r.date >= lo && r.date < hi, "{}", r.date);
            assert!(
                TENDENCY_KEYS.contains(&r.truth.as_str()) || r.truth == NOISE_TRUTH,
                "{}",
                r.truth
            );
            assert!(TEAMS.contains(&r.team.as_str()));
            assert!(CONTROL_SPELLINGS.iter().flatten().any(|c| *c == r.control));
            for f in [&r.context, &r.lesson, &r.behavioral_change] {
                assert!(!f.is_empty());
            }
            assert!(!r.root_cause.contains(['{', '}', '?']), "{}", r.root_cause);
            assert!(!r.root_cause.contains("  ") && !r.root_cause.contains(" ,"));
            // One sentence, or two from the same tendency.
            let words = r.root_cause.split_whitespace().count();
            assert!(
                (MIN_WORDS..=2 * MAX_WORDS).contains(&words),
                "{words} words: {}",
                r.root_cause
            );
            let first = r.root_cause.chars().next().unwrap();
            assert!(first.is_ascii_uppercase(), "{}", r.root_cause);
        }
    }

    #[test]
    fn every_frame_expands_within_length() {
        let mut rng = Xoshiro256PlusPlus::seed_from_u64(9);
        for t in TENDENCIES.iter().chain(std::iter::once(&NOISE)) {
            assert!(t.frames.len() >= 10 || t.key == NOISE_TRUTH);
            assert!((4..=6).contains(&t.lessons.len()));
            assert!((4..=6).contains(&t.changes.len()));
            for (name, _) in t.slots {
                assert!(
                    !["ctx", "when", "ppl", "num", "pct"].contains(name),
                    "{}: slot {name} shadows a shared slot",
                    t.key
                );
            }
            for _ in 0..3000 {
                let s = root_cause(&mut rng, t, 0.5);
                let n = s.split_whitespace().count();
                assert!((MIN_WORDS..=MAX_WORDS).contains(&n), "{n}: {s}");
            }
            for frame in t.frames.iter().chain(t.number_tails) {
                for _ in 0..50 {
                    let mut s = String::new();
                    expand(&mut rng, frame, t.slots, 0.5, &mut s);
                    assert!(!s.contains(['{', '}']));
                }
            }
        }
    }

    #[test]
    fn text_is_varied_and_numbers_occasional() {
        let rows: Vec<_> = generate(&params(10_000, 5)).collect();
        let mut per: HashMap<&str, HashSet<&str>> = HashMap::new();
        for r in &rows {
            per.entry(&r.truth).or_default().insert(&r.root_cause);
        }
        for (k, texts) in &per {
            assert!(texts.len() > 300, "{k}: only {} distinct", texts.len());
        }
        let with_digit = rows
            .iter()
            .filter(|r| r.root_cause.contains(|c: char| c.is_ascii_digit()))
            .count() as f64
            / rows.len() as f64;
        assert!((0.07..0.2).contains(&with_digit), "{with_digit}");
    }

    #[test]
    fn uniform_composition_is_exact_and_uneven() {
        let mut p = params(10_000, 11);
        p.noise = 0.15;
        let mut counts: HashMap<String, usize> = HashMap::new();
        for r in generate(&p) {
            *counts.entry(r.truth).or_default() += 1;
        }
        assert_eq!(counts["none"], 1500);
        assert_eq!(counts.len(), 9);
        let first = counts[TENDENCY_KEYS[0]] as f64;
        let last = counts[TENDENCY_KEYS[7]] as f64;
        assert!((last / first - 0.4).abs() < 0.01, "{first} {last}");
    }

    #[test]
    fn control_is_weighted_per_tendency() {
        let mut outside: HashMap<String, (usize, usize)> = HashMap::new();
        let mut p = params(20_000, 13);
        p.tendencies = 10;
        for r in generate(&p) {
            let e = outside.entry(r.truth).or_default();
            e.1 += 1;
            if r.control == "outside" || r.control == "external" {
                e.0 += 1;
            }
        }
        let share = |k: &str| outside[k].0 as f64 / outside[k].1 as f64;
        assert!(share("dependency-failure") > 0.5);
        assert!(share("avoided-conversation") < 0.1);
        assert!(share("overcommitment") < 0.1);
    }

    #[test]
    fn trends_shapes() {
        let p = trends(16_000, 21);
        let qn = p.quarters as usize;
        let mut by_q: Vec<HashMap<String, usize>> = vec![HashMap::new(); qn];
        let mut commitment_seen = false;
        let c = trends_commitment_quarter(p.quarters) as usize;
        for r in generate(&p) {
            let q = quarter_of(&r.date, &p);
            assert!(TRENDS_KEYS.contains(&r.truth.as_str()) || r.truth == "none");
            if r.truth == "avoided-conversation" {
                assert_eq!(r.behavioral_change == FADING_COMMITMENT, q >= c);
                commitment_seen |= q >= c;
            }
            *by_q[q].entry(r.truth).or_default() += 1;
        }
        assert!(commitment_seen);
        let get = |q: usize, k: &str| by_q[q].get(k).copied().unwrap_or(0);
        for (q, counts) in by_q.iter().enumerate() {
            assert_eq!(counts.values().sum::<usize>(), 2000, "quarter {q}");
            let steady = if q == qn - 1 { 570 } else { 600 };
            assert_eq!(get(q, "underestimated-timeline"), steady);
        }
        let h = trends_resolved_quarter(p.quarters) as usize;
        assert_eq!(h, 4);
        for q in 0..qn {
            let scope = get(q, "scope-change-unmanaged");
            let want = match q {
                q if q < h => 200,
                q if q == h => 0,
                _ => 4,
            };
            assert_eq!(scope, want, "scope-change in quarter {q}");
            let new = get(q, "single-point-of-failure");
            assert_eq!(new, if q == qn - 1 { 100 } else { 0 }, "new in {q}");
        }
        assert_eq!(get(0, "overcommitment"), 100);
        assert_eq!(get(qn - 1, "overcommitment"), 855);
        for q in 1..qn {
            assert!(get(q, "overcommitment") > get(q - 1, "overcommitment"));
        }
        assert_eq!(get(c, "avoided-conversation"), 600);
        for q in c + 1..qn - 1 {
            assert_eq!(get(q, "avoided-conversation"), 160);
        }
        assert_eq!(get(qn - 1, "avoided-conversation"), 152);
        let design: Vec<&str> = TRENDS_DESIGN.iter().map(|d| d.0).collect();
        assert_eq!(design, TRENDS_KEYS);
    }

    #[test]
    fn trends_small_and_odd_sizes() {
        for (rows, quarters) in [(100, 8), (37, 3), (80, 8), (5, 1), (12, 2)] {
            let mut p = trends(rows, 1);
            p.quarters = quarters;
            p.tendencies = 2;
            let rows_out: Vec<_> = generate(&p).collect();
            assert_eq!(rows_out.len(), rows);
            let h = trends_resolved_quarter(quarters) as usize;
            let mut per_q = vec![0usize; quarters as usize];
            for r in &rows_out {
                let q = quarter_of(&r.date, &p);
                per_q[q] += 1;
                // Quarters under 20 rows get no stray rows.
                if quarters > 1 && q >= h {
                    assert_ne!(r.truth, "scope-change-unmanaged");
                }
            }
            let lo = rows / quarters as usize;
            assert!(per_q.iter().all(|&n| n == lo || n == lo + 1), "{per_q:?}");
        }
        // With 200 rows in 8 quarters the faded tendency is still there late, and the stopped
        // one leaves a stray row a quarter after its stop.
        let p = trends(200, 4);
        let late = |key: &str| {
            generate(&p)
                .filter(|r| r.truth == key && quarter_of(&r.date, &p) >= 6)
                .count()
        };
        assert_eq!(late("avoided-conversation"), 4);
        assert_eq!(late("scope-change-unmanaged"), 2);
    }

    #[test]
    fn params_are_normalised() {
        let p = SynthParams {
            rows: 50,
            tendencies: 99,
            noise: f64::NAN,
            quarters: 0,
            start: (2023, 2, 31),
            ..SynthParams::default()
        };
        let (lo, hi) = date_range(&p);
        assert_eq!((lo.as_str(), hi.as_str()), ("2023-02-28", "2023-05-28"));
        let rows: Vec<_> = generate(&p).collect();
        assert_eq!(rows.len(), 50);
        assert!(rows.iter().all(|r| r.truth != "none"));
    }

    #[test]
    fn date_helpers_round_trip() {
        for day in -800_000..800_000i64 {
            if day % 997 == 0 {
                assert_eq!(days_from_civil(civil_from_days(day)), day);
            }
        }
        assert_eq!(days_from_civil((1970, 1, 1)), 0);
        assert_eq!(
            civil_from_days(days_from_civil((2024, 2, 29))),
            (2024, 2, 29)
        );
        assert_eq!(add_months((2024, 11, 30), 3), (2025, 2, 28));
    }

    #[test]
    fn csv_round_trip() {
        let p = SynthParams {
            rows: 300,
            noise: 0.2,
            ..SynthParams::default()
        };
        let mut buf = Vec::new();
        assert_eq!(write_csv(&p, &mut buf).unwrap(), 300);
        let mut rdr = csv::Reader::from_reader(buf.as_slice());
        let header: Vec<String> = rdr.headers().unwrap().iter().map(String::from).collect();
        assert_eq!(header, CSV_HEADER);
        let back: Vec<SynthRow> = rdr.deserialize().map(|r| r.unwrap()).collect();
        let orig: Vec<SynthRow> = generate(&p).collect();
        assert_eq!(back, orig);
    }
}
