//! Reading a large events file on every core: the file is cut into blocks at line
//! ends, worker threads parse the blocks, and the events reach the sink in file
//! order, with each malformed line's number counted from the start of the file.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use crate::model::diagnostics::{Diagnostics, Malformed};
use crate::sources::event_lines::{MAX_LINE, too_long};

/// Bytes per block: big enough that the hand-offs cost nothing, small enough
/// that the blocks in flight stay a few megabytes.
const BLOCK: usize = 1 << 20;

/// One block, numbered in file order: whole lines (the last one may lack its
/// newline at the end of the input), or one line over [`MAX_LINE`] that the
/// reader skipped without keeping it (its length).
struct Block {
    seq: u64,
    bytes: Vec<u8>,
    too_long: Option<u64>,
}

/// Parses one block of whole lines: its events (`T`: as events, or as they
/// are made ready for the records) in order and what its lines gave,
/// numbered from 1 (`sources::events::read` on the bytes).
pub type ParseBlock<T> = fn(&[u8], &str) -> (Vec<T>, Diagnostics);

/// One parsed block: its events and what its lines gave, numbered from 1.
struct Parsed<T> {
    seq: u64,
    events: Vec<T>,
    diagnostics: Diagnostics,
}

/// Parses NDJSON from `input` with `parse` on `workers` threads (and one more
/// reading the input), handing the events to `sink` in input order.
pub fn read_parallel<T: Send>(
    input: impl Read + Send,
    origin: &str,
    workers: usize,
    parse: ParseBlock<T>,
    mut sink: impl FnMut(T),
) -> io::Result<Diagnostics> {
    read_parallel_blocks(input, origin, workers, parse, |events| {
        events.into_iter().for_each(&mut sink);
    })
}

/// [`read_parallel`], handing `sink` each block's events at once, in input order.
pub fn read_parallel_blocks<T: Send>(
    input: impl Read + Send,
    origin: &str,
    workers: usize,
    parse: ParseBlock<T>,
    mut sink: impl FnMut(Vec<T>),
) -> io::Result<Diagnostics> {
    // Blocks in flight: a few per worker, so that no thread waits on another
    // for long when one of them is slow for a moment, and little in memory (a
    // parsed block is about 0.5 MB). One each instead: `report` on the
    // 1,000,003-line file took 4-7% longer (medians of 7-9, three batches),
    // 16 parsed blocks a worker gained no more and held 4 MB more.
    let (block_tx, block_rx) = sync_channel::<Block>(2 * workers);
    let (parsed_tx, parsed_rx) = sync_channel::<Parsed<T>>(4 * workers);
    let block_rx = Arc::new(Mutex::new(block_rx));
    std::thread::scope(|scope| {
        let reader = scope.spawn(move || cut_blocks(input, &block_tx));
        for _ in 0..workers.max(1) {
            let (rx, tx) = (block_rx.clone(), parsed_tx.clone());
            scope.spawn(move || parse_blocks(&rx, &tx, origin, parse));
        }
        drop(parsed_tx);
        let diagnostics = in_order(&parsed_rx, &mut sink);
        // The reader's I/O error, if any, is the result; a panic is a bug and is re-raised.
        match reader.join() {
            Ok(result) => result.map(|()| diagnostics),
            Err(panic) => std::panic::resume_unwind(panic),
        }
    })
}

/// Reads `input` into blocks that end at a line end (the last one may not).
fn cut_blocks(mut input: impl Read, out: &SyncSender<Block>) -> io::Result<()> {
    let mut seq = 0;
    let mut carry: Vec<u8> = Vec::new();
    let mut send = |bytes: Vec<u8>, too_long: Option<u64>| {
        let block = Block {
            seq,
            bytes,
            too_long,
        };
        seq += 1;
        out.send(block).is_ok()
    };
    loop {
        let mut bytes = Vec::with_capacity(BLOCK + carry.len());
        bytes.append(&mut carry);
        let start = bytes.len();
        // Into the spare capacity, not a zeroed block: a small file touches
        // only its own bytes (many small sources read at once stay small).
        input.by_ref().take(BLOCK as u64).read_to_end(&mut bytes)?;
        let filled = bytes.len();
        let eof = filled < start + BLOCK;
        if !eof {
            // The partial last line waits for the next block.
            match bytes.iter().rposition(|&b| b == b'\n') {
                Some(end) => carry = bytes.split_off(end + 1),
                // One line longer than the limit: skipped up to its newline.
                None if bytes.len() > MAX_LINE => {
                    let (length, rest) = skip_line(&mut input, bytes.len() as u64)?;
                    if !send(Vec::new(), Some(length)) {
                        return Ok(());
                    }
                    match rest {
                        Some(rest) => carry = rest,
                        None => return Ok(()),
                    }
                    continue;
                }
                // A long line, still under the limit: keep reading it.
                None => {
                    carry = bytes;
                    continue;
                }
            }
        }
        if !bytes.is_empty() && !send(bytes, None) {
            return Ok(());
        }
        if eof {
            return Ok(());
        }
    }
}

/// Reads into `buf` until it is full or the input ends; the bytes read.
fn fill(input: &mut impl Read, buf: &mut [u8]) -> io::Result<usize> {
    let mut filled = 0;
    while filled < buf.len() {
        match input.read(&mut buf[filled..]) {
            Ok(0) => break,
            Ok(n) => filled += n,
            Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
            Err(e) => return Err(e),
        }
    }
    Ok(filled)
}

/// Reads past the rest of a line of which `seen` bytes were read: the line's
/// whole length, and the bytes after its newline (`None` at the end of input).
fn skip_line(input: &mut impl Read, seen: u64) -> io::Result<(u64, Option<Vec<u8>>)> {
    let mut length = seen;
    let mut chunk = vec![0u8; BLOCK];
    loop {
        let n = fill(input, &mut chunk)?;
        if let Some(i) = chunk[..n].iter().position(|&b| b == b'\n') {
            return Ok((length + i as u64, Some(chunk[i + 1..n].to_vec())));
        }
        length += n as u64;
        if n < chunk.len() {
            return Ok((length, None));
        }
    }
}

fn parse_blocks<T>(
    blocks: &Mutex<Receiver<Block>>,
    out: &SyncSender<Parsed<T>>,
    origin: &str,
    parse: ParseBlock<T>,
) {
    loop {
        // The lock is held only to take the next block.
        let next = match blocks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(block) = next else { return };
        let (events, diagnostics) = match block.too_long {
            Some(length) => (Vec::new(), skipped_line(origin, length)),
            None => parse(&block.bytes, origin),
        };
        let parsed = Parsed {
            seq: block.seq,
            events,
            diagnostics,
        };
        if out.send(parsed).is_err() {
            return;
        }
    }
}

/// What a skipped over-long line gives: one malformed line, numbered 1 in its block.
fn skipped_line(origin: &str, length: u64) -> Diagnostics {
    Diagnostics {
        lines: 1,
        skipped_types: 0,
        malformed: vec![Malformed {
            origin: origin.to_string(),
            line: 1,
            error: too_long(length),
        }],
    }
}

/// Hands the parsed blocks' events to `sink` in block order and numbers the
/// malformed lines from the start of the input.
fn in_order<T>(parsed: &Receiver<Parsed<T>>, sink: &mut impl FnMut(Vec<T>)) -> Diagnostics {
    let mut total = Diagnostics::default();
    let mut waiting: BTreeMap<u64, Parsed<T>> = BTreeMap::new();
    let mut next = 0;
    for block in parsed {
        waiting.insert(block.seq, block);
        while let Some(block) = waiting.remove(&next) {
            next += 1;
            sink(block.events);
            let mut d = block.diagnostics;
            for m in &mut d.malformed {
                m.line += total.lines;
            }
            total.absorb(d);
        }
    }
    total
}

#[cfg(test)]
mod tests {
    use super::*;
    use crate::model::Event;
    use crate::sources::events::parse_block;

    const GOOD: &str = r#"{"type":"change","id":"c1","service":"a","time":"2024-01-01T00:00:00Z"}"#;

    /// `n` bytes of `byte`, produced as they are read (never held whole).
    struct Repeat {
        byte: u8,
        left: u64,
    }

    impl Read for Repeat {
        fn read(&mut self, buf: &mut [u8]) -> io::Result<usize> {
            let n = buf.len().min(self.left as usize);
            buf[..n].fill(self.byte);
            self.left -= n as u64;
            Ok(n)
        }
    }

    fn run(input: impl Read + Send) -> (Vec<Event>, Diagnostics) {
        let mut events = Vec::new();
        let d = read_parallel(input, "f", 2, parse_block, |e| events.push(e)).unwrap();
        (events, d)
    }

    #[test]
    fn a_line_over_the_limit_is_one_malformed_line_and_the_rest_is_read() {
        let long = 3 * MAX_LINE as u64 + 5;
        let mut input = format!("{GOOD}\n").into_bytes();
        input.extend(std::iter::repeat_n(b'x', long as usize));
        input.extend(format!("\n{GOOD}\n{GOOD}\n").bytes());
        let (events, d) = run(&input[..]);
        assert_eq!(events.len(), 3);
        assert_eq!(d.lines, 4);
        assert_eq!(d.malformed.len(), 1);
        assert_eq!(d.malformed[0].line, 2);
        assert_eq!(
            d.malformed[0].error,
            format!("line of {long} bytes is longer than the 1 MiB limit; skipped")
        );
    }

    #[test]
    fn an_endless_line_is_read_past_in_bounded_memory() {
        // 200 MiB without a newline: the reader holds at most a few blocks of it.
        let (events, d) = run(Repeat {
            byte: 0,
            left: 200 << 20,
        });
        assert!(events.is_empty());
        assert_eq!(d.lines, 1);
        assert_eq!(
            d.malformed[0].error,
            format!(
                "line of {} bytes is longer than the 1 MiB limit; skipped",
                200u64 << 20
            )
        );
    }

    #[test]
    fn a_line_just_under_the_limit_is_parsed() {
        // A valid event padded with spaces to exactly MAX_LINE bytes.
        let mut line = GOOD.to_string();
        line.push_str(&" ".repeat(MAX_LINE - GOOD.len()));
        let input = format!("{line}\n{GOOD}\n");
        let (events, d) = run(input.as_bytes());
        assert_eq!((events.len(), d.malformed.len()), (2, 0));
        let one_more = format!("{line} \n{GOOD}\n");
        let (events, d) = run(one_more.as_bytes());
        assert_eq!((events.len(), d.malformed.len()), (1, 1));
    }
}
