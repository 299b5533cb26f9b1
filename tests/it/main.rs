//! recur's integration tests, as one test binary (ripgrep's layout): one module per area, the
//! shared helpers in `util` (running the real binary, temporary output folders, reading what it
//! wrote, writing generated logs), and the tests that guard once-broken cases in `regression`.
//!
//! One binary links the library once instead of once per file. Run one area with its module
//! path as the filter: `cargo test --release --test it faults::`.

mod util;

mod charts;
mod cli;
mod exports;
mod faults;
mod forecast;
mod fuzz_smoke;
mod html;
mod model;
mod properties;
mod quality;
mod regression;
mod trends;
