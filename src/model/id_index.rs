//! An id -> position index that keeps the positions only: the ids are in the
//! records already, so a lookup compares against the record at a candidate
//! position instead of a copy of its id. Four bytes per record, in shards that
//! snapshots share: a write copies only the shard it touches when a snapshot
//! still holds it.

use std::hash::BuildHasher;
use std::sync::Arc;

use foldhash::fast::FixedState;
use hashbrown::HashTable;
use hashbrown::hash_table::Entry;

/// Shards per index: a write after a publish copies one of them.
const SHARDS: usize = 128;

#[derive(Debug, Clone)]
pub struct PositionIndex {
    shards: Vec<Arc<HashTable<u32>>>,
}

impl Default for PositionIndex {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Arc::new(HashTable::new())).collect(),
        }
    }
}

/// A fast hash with good mixing and no random seed (runs are repeatable).
fn hash(id: &[u8]) -> u64 {
    FixedState::default().hash_one(id)
}

fn shard_of(hash: u64) -> usize {
    // Middle bits: the table picks buckets with the low bits and tags them
    // with the top seven, so neither may choose the shard.
    (hash >> 40) as usize % SHARDS
}

impl PositionIndex {
    /// Room for `additional` more ids without growing, as far as memory
    /// allows (room is a hint: a shard that cannot get it grows as ids come).
    /// Only shards short of room are written (a shard a snapshot shares is
    /// copied on write).
    pub fn reserve<'a>(&mut self, additional: usize, id_at: impl Fn(usize) -> Option<&'a [u8]>) {
        let per_shard = additional.div_ceil(SHARDS);
        for shard in &mut self.shards {
            if shard.capacity() - shard.len() < per_shard {
                let grown = Arc::make_mut(shard)
                    .try_reserve(per_shard, |&p| id_at(p as usize).map_or(0, hash));
                if grown.is_err() {
                    return;
                }
            }
        }
    }

    /// The position of `id`, where `id_at` gives the id of the record at a
    /// position (`None` past the end).
    pub fn get<'a>(&self, id: &[u8], id_at: impl Fn(usize) -> Option<&'a [u8]>) -> Option<usize> {
        let h = hash(id);
        self.shards[shard_of(h)]
            .find(h, |&p| id_at(p as usize) == Some(id))
            .map(|&p| p as usize)
    }

    /// The position kept for `id`, or `next` kept for it when it has none (one
    /// probe either way): the position, and whether it was inserted. `id_at`
    /// gives the ids of the positions already kept (`next` need not have a
    /// record yet).
    pub fn get_or_insert<'a>(
        &mut self,
        id: &[u8],
        next: usize,
        id_at: impl Fn(usize) -> Option<&'a [u8]>,
    ) -> (usize, bool) {
        let h = hash(id);
        let table = Arc::make_mut(&mut self.shards[shard_of(h)]);
        let entry = table.entry(
            h,
            |&p| id_at(p as usize) == Some(id),
            |&p| id_at(p as usize).map_or(0, hash),
        );
        match entry {
            Entry::Occupied(e) => (*e.get() as usize, false),
            Entry::Vacant(e) => {
                // Positions are u32: four billion records is far beyond a store in memory.
                e.insert(next as u32);
                (next, true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn add(index: &mut PositionIndex, ids: &mut Vec<String>, id: &str) -> (usize, bool) {
        let next = ids.len();
        let snapshot = ids.clone();
        let got = index.get_or_insert(id.as_bytes(), next, |i| {
            snapshot.get(i).map(String::as_bytes)
        });
        if got.1 {
            ids.push(id.to_string());
        }
        got
    }

    fn at<'a>(v: &'a [String]) -> impl Fn(usize) -> Option<&'a [u8]> {
        move |i| v.get(i).map(String::as_bytes)
    }

    #[test]
    fn ids_are_found_by_their_bytes_and_clones_stay_apart() {
        let mut index = PositionIndex::default();
        let mut ids: Vec<String> = Vec::new();
        let long = "x".repeat(40);
        for (i, id) in ["", "c1", "c0000001", &long].into_iter().enumerate() {
            assert_eq!(add(&mut index, &mut ids, id), (i, true));
        }
        for i in 0..5000 {
            add(&mut index, &mut ids, &format!("id-{i}"));
        }
        let before = index.clone();
        let before_ids = ids.clone();
        assert_eq!(add(&mut index, &mut ids, "c1"), (1, false));
        assert_eq!(add(&mut index, &mut ids, "new"), (5004, true));
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id.as_bytes(), at(&ids)), Some(i));
        }
        assert_eq!(index.get(b"c2", at(&ids)), None);
        assert_eq!(before.get(b"new", at(&before_ids)), None);
        assert_eq!(before.get(b"id-4999", at(&before_ids)), Some(5003));
    }

    #[test]
    fn room_reserved_keeps_every_position_and_leaves_a_clone_as_it_was() {
        let mut index = PositionIndex::default();
        let mut ids: Vec<String> = Vec::new();
        for i in 0..3000 {
            add(&mut index, &mut ids, &format!("id-{i}"));
        }
        let before = index.clone();
        let before_ids = ids.clone();
        index.reserve(100_000, at(&ids));
        assert!(
            index
                .shards
                .iter()
                .all(|s| s.capacity() - s.len() >= 100_000 / SHARDS)
        );
        for i in 3000..6000 {
            add(&mut index, &mut ids, &format!("id-{i}"));
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id.as_bytes(), at(&ids)), Some(i));
        }
        assert_eq!(before.get(b"id-3000", at(&before_ids)), None);
        assert_eq!(before.get(b"id-2999", at(&before_ids)), Some(2999));
        // Room already there: nothing is written, so a clone stays shared.
        let shared = index.clone();
        index.reserve(10, at(&ids));
        assert!(
            index
                .shards
                .iter()
                .zip(&shared.shards)
                .all(|(a, b)| Arc::ptr_eq(a, b))
        );
    }
}
