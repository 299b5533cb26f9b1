use recur::ingest::{ingest, IngestConfig, Source};
use recur::record::Role;
fn main() {
    let path = std::env::args().nth(1).unwrap();
    let cfg = IngestConfig {
        sources: vec![Source::Path(path.into())],
        text_roles: vec![Role::RootCause, Role::Lesson, Role::BehavioralChange],
        ..Default::default()
    };
    let t = std::time::Instant::now();
    let got = ingest(&cfg).unwrap();
    let el = t.elapsed();
    let hwm = std::fs::read_to_string("/proc/self/status")
        .unwrap()
        .lines()
        .find(|l| l.starts_with("VmHWM"))
        .unwrap()
        .to_string();
    let mut ru: libc_rusage = unsafe { std::mem::zeroed() };
    unsafe { getrusage(0, &mut ru) };
    let n = (got.records.len(), got.rejects.len());
    std::mem::forget(got);
    eprintln!(
        "ingest {:.3} s, cpu user {:.2} s sys {:.2} s, records {} rejects {}, {}",
        el.as_secs_f64(),
        ru.ru_utime[0] as f64 + ru.ru_utime[1] as f64 / 1e6,
        ru.ru_stime[0] as f64 + ru.ru_stime[1] as f64 / 1e6,
        n.0,
        n.1,
        hwm
    );
}
#[repr(C)]
struct libc_rusage {
    ru_utime: [i64; 2],
    ru_stime: [i64; 2],
    rest: [i64; 14],
}
extern "C" {
    fn getrusage(who: i32, r: *mut libc_rusage) -> i32;
}
