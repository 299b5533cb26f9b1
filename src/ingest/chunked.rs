//! Delimited input read in blocks and parsed in parallel: a byte stream → the header row and
//! every data record with the line it starts on.
//!
//! In: a byte stream (a file or standard input) and `ReadSizes`. Out: the header row (BOM
//! stripped, names trimmed), then every data record in input order, handed to a caller-supplied
//! function inside the parallel task that parsed it; that function fills one part per chunk,
//! and the parts come back in input order.
//!
//! How: the stream is read `ReadSizes::block` bytes at a time (the next block on a thread of its
//! own while the current one is parsed), and only the incomplete record at the end of a block is
//! carried into the next, so memory holds two blocks plus the longest record, never the file.
//! Each block is cut into chunks of about `ReadSizes::chunk` bytes, each just
//! after a '\n' that a quick scan of the quotes puts outside quoted fields, and every chunk is
//! parsed at once by its own `csv::Reader` (the options of `delimited::reader`), taking the
//! records whose first byte lies in the chunk; the last may run past the chunk's end. A chunk's
//! start is still a guess (the scan does not see the block's end, nor is it the parser). So a
//! sequential pass then checks that each chunk's parse ended where the next chunk's began (or
//! before it, with only line breaks between), and re-parses a chunk from the right offset when
//! it did not, or when its guessed parse ran more than a chunk past its end (which bounds the
//! work wasted on a wrong guess).
//!
//! Lines: a record's line is 1 + the line breaks before its first byte (after the blank lines
//! and the '\n' of a CRLF that rust-csv counts into the record's position), where LF, a lone CR
//! and CRLF each count once. Breaks are counted per chunk and prefix-summed, with CRLF counted
//! at its CR, so that any split of the text adds up (a block keeps one byte before its start).
//! Within a chunk with no CR, the reader's own LF count gives them without a second scan.
//!
//! Invariant: the records, their fields and their line numbers are exactly those of one
//! `csv::Reader` run over the whole input (`delimited::sequential`), whatever the block and
//! chunk sizes and the number of threads; every record yields one call, nothing is lost.

use super::delimited::{header_names, is_blank, reader, sniff};
use csv::ByteRecord;
use rayon::prelude::*;
use std::io::{self, Read};

const BOM: &[u8] = b"\xEF\xBB\xBF";

/// Blocks from this size on are read on a thread of their own while the previous one is
/// parsed.
const THREADED_READ: usize = 1 << 20;

/// How much is read and parsed at a time. Small sizes give the same result, only slower (the
/// tests use a few bytes, so that block and chunk boundaries fall everywhere).
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub struct ReadSizes {
    /// Bytes read at a time. A block grows past this only to hold a longer record whole.
    pub block: usize,
    /// Bytes per parallel parsing task; a guessed parse may run at most this far past its chunk.
    pub chunk: usize,
}

impl Default for ReadSizes {
    fn default() -> Self {
        ReadSizes {
            block: 32 << 20,
            chunk: 1 << 20,
        }
    }
}

/// Sizes are clamped to this (so that offsets never overflow).
const MAX_SIZE: usize = 1 << 40;

/// Room reserved ahead of a read at most; the buffer grows past it as bytes arrive.
const MAX_RESERVE: usize = 1 << 26;

impl ReadSizes {
    fn at_least_one(self) -> ReadSizes {
        ReadSizes {
            block: self.block.clamp(1, MAX_SIZE),
            chunk: self.chunk.clamp(1, MAX_SIZE),
        }
    }
}

/// Why a delimited input cannot be read at all.
#[derive(Debug)]
pub enum OpenError {
    Io(io::Error),
    /// No header row, or an empty one.
    Input(String),
}

impl From<io::Error> for OpenError {
    fn from(e: io::Error) -> Self {
        OpenError::Io(e)
    }
}

/// A byte stream and the bytes read from it and not yet dropped.
pub struct Input<R> {
    src: R,
    pub buf: Vec<u8>,
    /// The stream has ended: `buf` holds everything left of it.
    pub eof: bool,
}

impl<R: Read> Input<R> {
    pub fn new(src: R) -> Self {
        Input {
            src,
            buf: Vec::new(),
            eof: false,
        }
    }

    /// Reads until `buf` holds at least `len` bytes or the stream ends.
    pub fn fill(&mut self, len: usize) -> io::Result<()> {
        while !self.eof && self.buf.len() < len {
            let want = len - self.buf.len();
            self.buf.reserve(want.min(MAX_RESERVE));
            let got = (&mut self.src)
                .take(want as u64)
                .read_to_end(&mut self.buf)?;
            if got < want {
                self.eof = true;
            }
        }
        Ok(())
    }

    /// Everything: what was read and the rest of the stream.
    pub fn into_bytes(mut self) -> io::Result<Vec<u8>> {
        if !self.eof {
            self.src.read_to_end(&mut self.buf)?;
        }
        Ok(self.buf)
    }
}

/// Reads the header row; returns its names and the stream of data records.
pub fn open<R: Read>(
    mut input: Input<R>,
    sizes: ReadSizes,
) -> Result<(Vec<String>, Records<R>), OpenError> {
    let sizes = sizes.at_least_one();
    input.fill(BOM.len())?;
    if input.buf.starts_with(BOM) {
        input.buf.drain(..BOM.len());
    }
    // More bytes until the header line is complete: they can change the delimiter and the
    // header record.
    let grow = |input: &mut Input<R>| {
        let len = input.buf.len();
        input.fill(len + sizes.block.max(len))
    };
    let delimiter = loop {
        let (delimiter, ended) = sniff(&input.buf);
        if ended || input.eof {
            break delimiter;
        }
        grow(&mut input)?;
    };
    let (header, end) = loop {
        let mut rdr = reader(delimiter, &input.buf);
        let mut header = ByteRecord::new();
        let got = rdr.read_byte_record(&mut header);
        let end = rdr.position().byte() as usize;
        if end < input.buf.len() || input.eof {
            match got {
                Ok(true) => break (header, end),
                Ok(false) => return Err(OpenError::Input("empty file: no header row".into())),
                Err(e) => return Err(OpenError::Input(format!("cannot read the header row: {e}"))),
            }
        }
        grow(&mut input)?;
    };
    let headers = header_names(&header).map_err(OpenError::Input)?;
    let lines = breaks(&input.buf, 0, end);
    Ok((
        headers,
        Records {
            input,
            start: end,
            lines,
            delimiter,
            sizes,
            scan_quotes: true,
        },
    ))
}

/// The data records after the header, not yet parsed.
pub struct Records<R> {
    input: Input<R>,
    /// Where the unparsed bytes begin in `input.buf` (a record boundary).
    start: usize,
    /// Line breaks before `start`.
    lines: u64,
    delimiter: u8,
    sizes: ReadSizes,
    /// Chunk starts avoid newlines inside quotes (off in tests, to exercise the re-parses).
    scan_quotes: bool,
}

/// One record for the caller: the record, or why rust-csv could not read it.
pub type Item<'r> = Result<&'r ByteRecord, &'r csv::Error>;

/// What one chunk's rows are collected in.
pub trait Part: Send {
    /// An empty part for a chunk of about `bytes` bytes (a hint for reserving room).
    fn for_bytes(bytes: usize) -> Self;
}

impl<T: Send> Part for Vec<T> {
    fn for_bytes(_: usize) -> Self {
        Vec::new()
    }
}

impl<R: Read + Send> Records<R> {
    /// Parses every data record. `row(part, line, record)` runs in parallel, once per record
    /// (blank lines are not records), filling one `P` per chunk; `emit` receives the parts in
    /// input order (a part may hold no row). Only a read error stops it.
    pub fn for_each_part<P, F>(mut self, row: F, mut emit: impl FnMut(P)) -> io::Result<()>
    where
        P: Part,
        F: Fn(&mut P, u64, Item<'_>) + Sync,
    {
        let len = self.start + self.sizes.block;
        self.input.fill(len)?;
        // The next block is read into `spare` while this one is parsed, after room for the
        // carried record.
        let mut spare = Vec::new();
        let room = self.sizes.chunk.clamp(64, 1 << 20);
        loop {
            let (carry, read) = std::thread::scope(|scope| {
                let Input { src, buf, eof } = &mut self.input;
                let view = Block {
                    buf,
                    eof: *eof,
                    start: self.start,
                    lines: self.lines,
                    delimiter: self.delimiter,
                    chunk: self.sizes.chunk,
                    scan_quotes: self.scan_quotes,
                };
                let block = self.sizes.block;
                if *eof {
                    (view.parse(&row, &mut emit), None)
                } else if block < THREADED_READ {
                    // Small blocks (tests): a thread per block would cost more than it saves.
                    let read = read_after(src, &mut spare, room, block);
                    (view.parse(&row, &mut emit), Some(read))
                } else {
                    let spare = &mut spare;
                    let next = scope.spawn(move || read_after(src, spare, room, block));
                    let carry = view.parse(&row, &mut emit);
                    let read = next.join().unwrap_or_else(|e| std::panic::resume_unwind(e));
                    (carry, Some(read))
                }
            });
            let Some(carry) = carry else {
                return Ok(());
            };
            // Keep the incomplete record, and one byte before it for the line count.
            let input = &mut self.input;
            self.lines += breaks(&input.buf, self.start, carry);
            let keep = carry.min(1);
            let tail = input.buf.len() - carry;
            let read = read.transpose()?;
            match read {
                Some(eof) if tail + keep <= room => {
                    let at = room - tail - keep;
                    spare[at..room].copy_from_slice(&input.buf[carry - keep..]);
                    std::mem::swap(&mut input.buf, &mut spare);
                    input.eof = eof;
                    self.start = room - tail;
                }
                _ => {
                    input.buf.drain(..carry - keep);
                    if let Some(eof) = read {
                        input.buf.extend_from_slice(&spare[room..]);
                        input.eof = eof;
                    }
                    self.start = keep;
                    // A record longer than a block: read at least as much again, so
                    // re-parsing it stays linear in its length.
                    let len = input.buf.len() + tail.saturating_sub(self.sizes.block);
                    input.fill(len)?;
                }
            }
        }
    }
}

/// The bytes read and not yet parsed, and how to parse them.
struct Block<'a> {
    buf: &'a [u8],
    /// `buf` ends the stream.
    eof: bool,
    /// Where the unparsed bytes begin (a record boundary).
    start: usize,
    /// Line breaks before `start`.
    lines: u64,
    delimiter: u8,
    chunk: usize,
    scan_quotes: bool,
}

impl Block<'_> {
    /// Parses the complete records of the bytes read; returns where the incomplete record at
    /// the end begins (`None` at the end of the stream, when every record is complete).
    fn parse<P, F>(&self, row: &F, emit: &mut impl FnMut(P)) -> Option<usize>
    where
        P: Part,
        F: Fn(&mut P, u64, Item<'_>) + Sync,
    {
        let (buf, eof) = (self.buf, self.eof);
        let (len, chunk) = (buf.len(), self.chunk);
        let quotes = self.scan_quotes.then_some(self.delimiter);
        let bounds = chunk_bounds(buf, self.start, chunk, quotes);
        // Line breaks before each chunk, and whether a CR is in it (or just before it).
        let counts: Vec<(u64, bool)> = bounds
            .par_iter()
            .map(|&(s, e)| {
                let (n, crs) = breaks_and_crs(buf, s, e);
                (n, crs > 0 || (s > 0 && buf[s - 1] == b'\r'))
            })
            .collect();
        let starts: Vec<Lines> = bounds
            .iter()
            .zip(&counts)
            .scan(self.lines, |acc, (&(s, _), &(n, cr))| {
                let lines = Lines {
                    at: s,
                    count: *acc,
                    cr,
                };
                *acc += n;
                Some(lines)
            })
            .collect();
        let job = Job {
            buf,
            eof,
            delimiter: self.delimiter,
            row,
        };
        let guessed: Vec<Parsed<P>> = bounds
            .par_iter()
            .zip(&starts)
            .map(|(&(s, e), lines)| job.parse(s, e, (e + chunk).min(len), lines.clone()))
            .collect();
        // Where the previous chunk's parse ended; bytes from there to its chunk's end are line
        // breaks only.
        let mut cur = self.start;
        for ((&(s, e), lines), part) in bounds.iter().zip(&starts).zip(guessed) {
            if cur >= e {
                // Inside a record taken by an earlier chunk.
                continue;
            }
            let part = if cur <= s && !part.ran_over(len) {
                part
            } else {
                job.parse(cur.max(s), e, len, lines.clone())
            };
            emit(part.rows);
            match part.end {
                End::Done(q) => cur = q,
                End::Cut(p) => return Some(p),
            }
        }
        (!eof).then_some(cur)
    }
}

/// Reads up to `block` bytes into `spare` after `room` bytes of room; tells whether the stream
/// ended.
fn read_after(
    src: &mut impl Read,
    spare: &mut Vec<u8>,
    room: usize,
    block: usize,
) -> io::Result<bool> {
    spare.clear();
    spare.resize(room, 0);
    spare.reserve(block.min(MAX_RESERVE));
    let got = src.take(block as u64).read_to_end(spare)?;
    Ok(got < block)
}

/// Chunks of about `chunk` bytes from `start` (a record boundary), each but the last ending
/// just after a '\n'. With `quotes`, a '\n' that a scan of the quotes puts inside a quoted
/// field is passed over, so that a file with multi-line fields does not make most chunk
/// starts wrong guesses (each costing a sequential re-parse).
fn chunk_bounds(buf: &[u8], start: usize, chunk: usize, quotes: Option<u8>) -> Vec<(usize, usize)> {
    let mut bounds = Vec::with_capacity((buf.len() - start) / chunk + 1);
    let mut scan = quotes.map(|delimiter| Quotes {
        buf,
        delimiter,
        start,
        at: start,
        quoted: false,
    });
    let mut s = start;
    while s < buf.len() {
        let target = s + chunk;
        let newline = if target >= buf.len() {
            None
        } else if let Some(scan) = scan.as_mut() {
            scan.newline_from(target - 1)
        } else {
            memchr::memchr(b'\n', &buf[target - 1..]).map(|i| target - 1 + i)
        };
        let e = newline.map_or(buf.len(), |n| n + 1);
        bounds.push((s, e));
        s = e;
    }
    bounds
}

/// Whether each byte is inside a quoted field, found from the quotes alone: a quote opens a
/// field when it starts one (at a record start or after a delimiter or line break), `""` inside
/// a quoted field is a quote, and any other quote closes it. This is csv-core's rule, but only a
/// guess here (a wrong one costs time, never correctness: `Records::block` checks every chunk).
struct Quotes<'a> {
    buf: &'a [u8],
    delimiter: u8,
    /// A record boundary: scanning starts here, outside quotes.
    start: usize,
    /// Quotes before here are scanned.
    at: usize,
    quoted: bool,
}

impl Quotes<'_> {
    /// Scans the quotes before `to`.
    fn advance(&mut self, to: usize) {
        if self.at >= to {
            return;
        }
        let (buf, base) = (self.buf, self.at);
        // Quotes before here are scanned (the second quote of a `""` is skipped).
        let mut next = base;
        for i in memchr::memchr_iter(b'"', &buf[base..to]) {
            let q = base + i;
            if q < next {
                continue;
            }
            next = q + 1;
            if self.quoted {
                if buf.get(q + 1) == Some(&b'"') {
                    next = q + 2;
                } else {
                    self.quoted = false;
                }
            } else {
                self.quoted = q == self.start
                    || matches!(buf[q - 1], b'\n' | b'\r')
                    || buf[q - 1] == self.delimiter;
            }
        }
        self.at = next.max(to);
    }

    /// The first '\n' at or after `from` outside quotes (offsets must not decrease).
    fn newline_from(&mut self, mut from: usize) -> Option<usize> {
        let buf = self.buf;
        loop {
            self.advance(from);
            from = from.max(self.at);
            let rest = buf.get(from..)?;
            // Inside quotes only a quote can change anything; outside, the first '\n' before
            // the next quote is the answer.
            let i = from
                + if self.quoted {
                    memchr::memchr(b'"', rest)
                } else {
                    memchr::memchr2(b'"', b'\n', rest)
                }?;
            if buf[i] == b'\n' {
                return Some(i);
            }
            from = i + 1;
        }
    }
}

/// Line breaks in `buf[from..to]`: every CR, and every LF not right after a CR, so that CRLF
/// counts once (at its CR) and a count over a split text is the sum of the counts of its parts.
/// Where `to` does not split a CRLF this is the count of LF plus CR not followed by LF.
fn breaks(buf: &[u8], from: usize, to: usize) -> u64 {
    breaks_and_crs(buf, from, to).0
}

/// `breaks`, and the number of CRs among them.
fn breaks_and_crs(buf: &[u8], from: usize, to: usize) -> (u64, usize) {
    let span = &buf[from..to];
    let lf = memchr::memchr_iter(b'\n', span).count();
    let mut cr = 0;
    let mut crlf = 0;
    for i in memchr::memchr_iter(b'\r', span) {
        cr += 1;
        if span.get(i + 1) == Some(&b'\n') {
            crlf += 1;
        }
    }
    if from > 0 && span.first() == Some(&b'\n') && buf[from - 1] == b'\r' {
        crlf += 1;
    }
    ((cr + lf - crlf) as u64, cr)
}

/// The first byte at or after `p` that is not a line break (or the end).
fn skip_breaks(buf: &[u8], p: usize) -> usize {
    buf[p..]
        .iter()
        .position(|&b| b != b'\n' && b != b'\r')
        .map_or(buf.len(), |i| p + i)
}

/// Line breaks before a byte offset in a chunk, counted forward from the chunk's start.
#[derive(Clone)]
struct Lines {
    at: usize,
    /// Line breaks before `at`.
    count: u64,
    /// The chunk (or the byte before it) holds a CR; if not, its line breaks are its LFs.
    cr: bool,
}

impl Lines {
    /// The 1-based line of the byte at `to` (offsets must not decrease).
    fn line_at(&mut self, buf: &[u8], to: usize) -> u64 {
        if to > self.at {
            self.count += if self.cr {
                breaks(buf, self.at, to)
            } else {
                memchr::memchr_iter(b'\n', &buf[self.at..to]).count() as u64
            };
            self.at = to;
        }
        self.count + 1
    }
}

/// How a chunk's parse stopped.
enum End {
    /// The next record starts at or after the chunk's end; the reader stood at this offset.
    Done(usize),
    /// The record starting at this offset reached the end of the bytes the parse was given,
    /// at a place where more bytes may follow: it is incomplete, nor is anything after it read.
    Cut(usize),
}

struct Parsed<P> {
    rows: P,
    end: End,
    /// Where the bytes this parse was given ended.
    window: usize,
}

impl<P> Parsed<P> {
    /// Cut short by its window rather than by the block: the block holds more of that record.
    fn ran_over(&self, len: usize) -> bool {
        matches!(self.end, End::Cut(_)) && self.window < len
    }
}

/// What every chunk's parse shares.
struct Job<'a, F> {
    buf: &'a [u8],
    /// The block ends the stream: a record reaching its end is complete.
    eof: bool,
    delimiter: u8,
    row: &'a F,
}

impl<F> Job<'_, F> {
    /// Parses, from `from` (taken to be a record boundary) and with the bytes up to `window`,
    /// the records whose first byte lies before `end`.
    fn parse<P>(&self, from: usize, end: usize, window: usize, mut lines: Lines) -> Parsed<P>
    where
        P: Part,
        F: Fn(&mut P, u64, Item<'_>),
    {
        let buf = self.buf;
        let complete_at_window = self.eof && window == buf.len();
        // csv-core drops a BOM at the very start of what a reader reads, which the whole-file
        // reader only does at the start of the file. So the reader starts one byte early, on
        // the line break that ends the previous record (a reader at a record boundary, or on
        // line breaks before one, reads the same records).
        // Offsets it reports before `from` are read as `from`.
        let at = match from.checked_sub(1) {
            Some(before) if matches!(buf[before], b'\n' | b'\r') => before,
            _ => from,
        };
        let mut rdr = reader(self.delimiter, &buf[at..window]);
        let offset = |pos: u64| (at + pos as usize).max(from);
        let mut rec = ByteRecord::new();
        let mut rows = P::for_bytes(end.saturating_sub(from));
        let done = |rows, end| Parsed { rows, end, window };
        // Without a CR about, the line breaks are the LFs, which the reader counts as it reads:
        // a record's line is then the breaks before `from`, the LFs read since, and the LFs
        // skipped before its first byte.
        let lf_only = !lines.cr;
        let before_from = if lf_only {
            lines.line_at(buf, from) - 1
        } else {
            0
        };
        let lf_before_from = u64::from(at < from && buf[at] == b'\n');
        loop {
            let pos = rdr.position().clone();
            let p = offset(pos.byte());
            let first = skip_breaks(buf, p);
            if first >= end {
                return done(rows, End::Done(p));
            }
            let got = rdr.read_byte_record(&mut rec);
            let q = offset(rdr.position().byte());
            if q >= window && !complete_at_window {
                return done(rows, End::Cut(p));
            }
            match got {
                Ok(false) => return done(rows, End::Done(p)),
                Ok(true) if is_blank(&rec) => {}
                Ok(true) => {
                    let line = if lf_only {
                        let read = (pos.line() - 1).saturating_sub(lf_before_from);
                        before_from + read + (first - p) as u64 + 1
                    } else {
                        lines.line_at(buf, first)
                    };
                    (self.row)(&mut rows, line, Ok(&rec));
                }
                Err(e) => {
                    let line = e.position().map_or(0, |pos| {
                        lines.line_at(buf, skip_breaks(buf, offset(pos.byte())))
                    });
                    (self.row)(&mut rows, line, Err(&e));
                }
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::super::delimited::{check_record, lossy_fields, sequential};
    use super::*;
    use proptest::prelude::*;

    /// Every row through the chunked reader, decoded as ingest decodes it.
    fn chunked(
        bytes: &[u8],
        sizes: ReadSizes,
        scan_quotes: bool,
    ) -> Result<(Vec<String>, Vec<sequential::Row>), String> {
        let (headers, mut records) = match open(Input::new(bytes), sizes) {
            Ok(x) => x,
            Err(OpenError::Input(m)) => return Err(m),
            Err(OpenError::Io(e)) => panic!("{e}"),
        };
        records.scan_quotes = scan_quotes;
        let mut rows = Vec::new();
        let h = &headers;
        records
            .for_each_part(
                |part: &mut Vec<sequential::Row>, line, item| {
                    part.push(match item {
                        Ok(rec) => {
                            let problem = check_record(rec, h).err();
                            (line, lossy_fields(rec), problem)
                        }
                        Err(e) => (line, Vec::new(), Some(format!("unreadable record: {e}"))),
                    })
                },
                |part| rows.extend(part),
            )
            .unwrap();
        Ok((headers, rows))
    }

    #[test]
    fn breaks_add_up_over_any_split() {
        let text = b"a\r\nb\rc\n\r\n\r\rd\n\ne\r";
        let whole = breaks(text, 0, text.len());
        assert_eq!(whole, 9);
        for cut in 0..=text.len() {
            assert_eq!(breaks(text, 0, cut) + breaks(text, cut, text.len()), whole);
        }
    }

    #[test]
    fn quoted_newlines_across_chunks_and_blocks() {
        let text = b"id,cause\n1,\"a\nb\nc\nd\"\n2,x\r\n3,\"\"\"q\"\"\n\"\r\n\n4,y\n";
        let want = sequential::parse(text).unwrap();
        for block in 1..=text.len() {
            for chunk in 1..=12 {
                for scan in [false, true] {
                    let got = chunked(text, ReadSizes { block, chunk }, scan).unwrap();
                    assert_eq!(got, want, "block {block} chunk {chunk} scan {scan}");
                }
            }
        }
        assert_eq!(
            want.1.iter().map(|r| r.0).collect::<Vec<_>>(),
            vec![2, 6, 7, 10]
        );
    }

    #[test]
    fn large_blocks_read_while_parsing() {
        // Blocks of 1 MiB are read on a thread while the previous one is parsed; some records
        // hold quoted newlines and CRLFs, one is longer than a block.
        let mut text = b"id,cause\n".to_vec();
        for i in 0..40_000 {
            let row = match i % 7 {
                0 => format!("{i},\"two\nlines, and \"\"quotes\"\"\"\r\n"),
                3 => format!("{i},plain text that is long enough to fill blocks quickly\n"),
                _ => format!("{i},\"x\"\n"),
            };
            text.extend_from_slice(row.as_bytes());
            if i == 20_000 {
                text.extend_from_slice(b"big,\"");
                text.extend(std::iter::repeat_n(b'y', 1_500_000));
                text.extend_from_slice(b"\"\n");
            }
        }
        let want = sequential::parse(&text).unwrap();
        assert_eq!(want.1.len(), 40_001);
        for chunk in [4096, 100_000] {
            let sizes = ReadSizes {
                block: THREADED_READ,
                chunk,
            };
            assert_eq!(chunked(&text, sizes, true).unwrap(), want);
        }
    }

    #[test]
    fn unterminated_quote_runs_to_the_end() {
        let text = b"id,cause\n1,\"open\n2,x\n3,y\n4,z\n";
        let want = sequential::parse(text).unwrap();
        assert_eq!(want.1.len(), 1);
        for chunk in 1..=8 {
            for scan in [false, true] {
                let got = chunked(text, ReadSizes { block: 3, chunk }, scan).unwrap();
                assert_eq!(got, want);
            }
        }
    }

    /// Bytes that look like CSV and stress its corners.
    fn csvish() -> impl Strategy<Value = Vec<u8>> {
        let piece = prop::sample::select(vec![
            &b"a"[..],
            b"word",
            b"2025-01-02",
            b",",
            b";",
            b"\t",
            b"\"",
            b"\"\"",
            b"\n",
            b"\r\n",
            b"\r",
            b"\n\n",
            b"  ",
            b"\xff",
            b"\xc3\xa9",
            b"\xc3",
            b"\xef\xbb\xbf",
            b"x\"y",
            b"\"q,\nr\"",
        ]);
        (
            prop::sample::select(vec![
                &b"id,date,cause\n"[..],
                b"\xef\xbb\xbfid;cause\r\n",
                b"a\tb\n",
                b"\"h\nx\",y\n",
                b"",
            ]),
            prop::collection::vec(piece, 0..120),
            any::<bool>(),
        )
            .prop_map(|(head, pieces, cr)| {
                let mut b = head.to_vec();
                for p in pieces {
                    b.extend_from_slice(p);
                }
                // Half the inputs have no CR at all (line numbers are then counted another way).
                if !cr {
                    b.retain(|&c| c != b'\r');
                }
                b
            })
    }

    proptest! {
        #![proptest_config(ProptestConfig { cases: 400, failure_persistence: None, ..ProptestConfig::default() })]

        /// Any block and chunk sizes give exactly the rows of one sequential reader.
        #[test]
        fn chunked_reader_matches_the_sequential_one(
            bytes in csvish(),
            block in 1usize..48,
            chunk in 1usize..64,
            scan_quotes in any::<bool>(),
        ) {
            let want = sequential::parse(&bytes);
            let got = chunked(&bytes, ReadSizes { block, chunk }, scan_quotes);
            prop_assert_eq!(got, want);
        }

        /// The quote scan puts chunk starts only where the reader is between records (so no
        /// chunk start is a wrong guess).
        #[test]
        fn quote_scan_cuts_between_records(bytes in csvish(), chunk in 1usize..64) {
            let bytes = bytes.strip_prefix(BOM).unwrap_or(&bytes);
            let delimiter = sniff(bytes).0;
            let mut rdr = reader(delimiter, bytes);
            let mut rec = ByteRecord::new();
            if !matches!(rdr.read_byte_record(&mut rec), Ok(true)) {
                return Ok(());
            }
            let start = rdr.position().byte() as usize;
            // Offsets where the reader is between records: from a record's end to the first
            // byte of the next one.
            let mut between = vec![false; bytes.len() + 1];
            loop {
                let p = rdr.position().byte() as usize;
                for b in &mut between[p..=skip_breaks(bytes, p)] {
                    *b = true;
                }
                if !matches!(rdr.read_byte_record(&mut rec), Ok(true)) {
                    break;
                }
            }
            for (s, _) in chunk_bounds(bytes, start, chunk, Some(delimiter)) {
                prop_assert!(between[s], "chunk start {} in {:?}", s, String::from_utf8_lossy(bytes));
            }
        }
    }
}
