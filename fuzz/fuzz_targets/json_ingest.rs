#![no_main]
//! Arbitrary bytes read as json: ingest never panics and never loses a row.

use libfuzzer_sys::fuzz_target;
use recur::ingest::Format;

fuzz_target!(|data: &[u8]| {
    recur_fuzz::ingest_bytes_checked(data, Format::Json);
});
