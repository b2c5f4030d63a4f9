//! Reading a large events file on every core: the file is cut into blocks at line
//! ends, worker threads parse the blocks, and the events reach the sink in file
//! order, with each malformed line's number counted from the start of the file.

use std::collections::BTreeMap;
use std::io::{self, Read};
use std::sync::mpsc::{Receiver, SyncSender, sync_channel};
use std::sync::{Arc, Mutex};

use crate::model::Event;
use crate::model::diagnostics::Diagnostics;

/// Bytes per block: big enough that the hand-offs cost nothing, small enough
/// that the blocks in flight stay a few megabytes.
const BLOCK: usize = 1 << 20;

/// One block's bytes, numbered in file order.
struct Block {
    seq: u64,
    bytes: Vec<u8>,
}

/// Parses one block of whole lines: its events in order and what its lines gave,
/// numbered from 1 (`sources::events::read` on the bytes).
pub type ParseBlock = fn(&[u8], &str) -> (Vec<Event>, Diagnostics);

/// One parsed block: its events and what its lines gave, numbered from 1.
struct Parsed {
    seq: u64,
    events: Vec<Event>,
    diagnostics: Diagnostics,
}

/// Parses NDJSON from `input` with `parse` on `workers` threads (and one more
/// reading the input), handing the events to `sink` in input order.
pub fn read_parallel(
    input: impl Read + Send,
    origin: &str,
    workers: usize,
    parse: ParseBlock,
    mut sink: impl FnMut(Event),
) -> io::Result<Diagnostics> {
    // Blocks in flight: one waiting per worker keeps every core busy and little in memory.
    let (block_tx, block_rx) = sync_channel::<Block>(workers);
    let (parsed_tx, parsed_rx) = sync_channel::<Parsed>(workers);
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
    loop {
        let mut bytes = Vec::with_capacity(BLOCK + carry.len());
        bytes.append(&mut carry);
        let start = bytes.len();
        bytes.resize(start + BLOCK, 0);
        let mut filled = start;
        while filled < bytes.len() {
            match input.read(&mut bytes[filled..]) {
                Ok(0) => break,
                Ok(n) => filled += n,
                Err(e) if e.kind() == io::ErrorKind::Interrupted => {}
                Err(e) => return Err(e),
            }
        }
        bytes.truncate(filled);
        let eof = filled < start + BLOCK;
        if !eof {
            // The partial last line waits for the next block.
            match bytes.iter().rposition(|&b| b == b'\n') {
                Some(end) => carry = bytes.split_off(end + 1),
                // One line longer than a block: keep reading it.
                None => {
                    carry = bytes;
                    continue;
                }
            }
        }
        if !bytes.is_empty() && out.send(Block { seq, bytes }).is_err() {
            return Ok(());
        }
        seq += 1;
        if eof {
            return Ok(());
        }
    }
}

fn parse_blocks(
    blocks: &Mutex<Receiver<Block>>,
    out: &SyncSender<Parsed>,
    origin: &str,
    parse: ParseBlock,
) {
    loop {
        // The lock is held only to take the next block.
        let next = match blocks.lock() {
            Ok(rx) => rx.recv(),
            Err(_) => return,
        };
        let Ok(block) = next else { return };
        let (events, diagnostics) = parse(&block.bytes, origin);
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

/// Hands the parsed blocks' events to `sink` in block order and numbers the
/// malformed lines from the start of the input.
fn in_order(parsed: &Receiver<Parsed>, sink: &mut impl FnMut(Event)) -> Diagnostics {
    let mut total = Diagnostics::default();
    let mut waiting: BTreeMap<u64, Parsed> = BTreeMap::new();
    let mut next = 0;
    for block in parsed {
        waiting.insert(block.seq, block);
        while let Some(block) = waiting.remove(&next) {
            next += 1;
            block.events.into_iter().for_each(&mut *sink);
            let mut d = block.diagnostics;
            for m in &mut d.malformed {
                m.line += total.lines;
            }
            total.absorb(d);
        }
    }
    total
}
