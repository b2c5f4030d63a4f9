//! Append-only storage that snapshots share: records live in fixed-size chunks,
//! each behind its own `Arc`. Cloning the whole store clones only the list of
//! chunk pointers; appending or merging into a record copies at most the one chunk
//! it lives in, and only when a published snapshot still holds that chunk.

use std::hash::{BuildHasher, Hash};
use std::ops::Index;
use std::sync::Arc;

use foldhash::fast::FixedState;

use crate::model::Text;

/// A fast hasher with good mixing (ids such as `c0000001` differ in a few
/// bytes; a weak hash of them collides in the table's tag bits) and no random
/// seed, so that runs are repeatable.
/// Positions are kept as `u32` (four billion records is far beyond a store in
/// memory), so that a short key and its position take three words.
type IdMap<K> = std::collections::HashMap<K, u32, FixedState>;

/// Records per chunk: small enough that copying one on write is cheap, large
/// enough that a million records are a thousand pointers.
const CHUNK: usize = 1024;

/// A vector of `T` in shared chunks; indexes are stable (nothing is ever removed).
#[derive(Debug, Clone)]
pub struct Segmented<T> {
    chunks: Vec<Arc<Vec<T>>>,
    len: usize,
}

impl<T> Default for Segmented<T> {
    fn default() -> Self {
        Self {
            chunks: Vec::new(),
            len: 0,
        }
    }
}

impl<T> Segmented<T> {
    pub fn len(&self) -> usize {
        self.len
    }

    pub fn is_empty(&self) -> bool {
        self.len == 0
    }

    pub fn get(&self, i: usize) -> Option<&T> {
        self.chunks.get(i / CHUNK)?.get(i % CHUNK)
    }

    pub fn first(&self) -> Option<&T> {
        self.get(0)
    }

    pub fn last(&self) -> Option<&T> {
        self.len.checked_sub(1).and_then(|i| self.get(i))
    }

    /// Every item in order.
    pub fn iter(&self) -> Iter<'_, T> {
        self.chunks.iter().flat_map(chunk_items)
    }

    /// The chunks as slices, in order (for passes that want plain slices).
    pub fn chunks(&self) -> impl Iterator<Item = &[T]> {
        self.chunks.iter().map(|c| c.as_slice())
    }
}

impl<T: Clone> Segmented<T> {
    /// Appends `item`; copies the last chunk first if a snapshot shares it.
    pub fn push(&mut self, item: T) {
        match self.chunks.last_mut() {
            Some(last) if last.len() < CHUNK => Arc::make_mut(last).push(item),
            _ => {
                let mut chunk = Vec::with_capacity(CHUNK);
                chunk.push(item);
                self.chunks.push(Arc::new(chunk));
            }
        }
        self.len += 1;
    }

    /// The item at `i` for changing; copies its chunk first if a snapshot shares it.
    pub fn get_mut(&mut self, i: usize) -> Option<&mut T> {
        let chunk = self.chunks.get_mut(i / CHUNK)?;
        Arc::make_mut(chunk).get_mut(i % CHUNK)
    }
}

impl<T: PartialEq> PartialEq for Segmented<T> {
    fn eq(&self, other: &Self) -> bool {
        self.len == other.len && self.iter().eq(other.iter())
    }
}

impl<T> Index<usize> for Segmented<T> {
    type Output = T;

    fn index(&self, i: usize) -> &T {
        &self.chunks[i / CHUNK][i % CHUNK]
    }
}

fn chunk_items<T>(chunk: &Arc<Vec<T>>) -> std::slice::Iter<'_, T> {
    chunk.iter()
}

pub type Iter<'a, T> = std::iter::FlatMap<
    std::slice::Iter<'a, Arc<Vec<T>>>,
    std::slice::Iter<'a, T>,
    fn(&'a Arc<Vec<T>>) -> std::slice::Iter<'a, T>,
>;

impl<'a, T> IntoIterator for &'a Segmented<T> {
    type Item = &'a T;
    type IntoIter = Iter<'a, T>;

    fn into_iter(self) -> Iter<'a, T> {
        self.iter()
    }
}

impl<T: Clone> FromIterator<T> for Segmented<T> {
    fn from_iter<I: IntoIterator<Item = T>>(iter: I) -> Self {
        let mut s = Self::default();
        for item in iter {
            s.push(item);
        }
        s
    }
}

/// Shards of an id index: a write copies only the shard it touches when a
/// snapshot shares it.
const SHARDS: usize = 128;

/// An id -> position index shared between snapshots, in shards.
#[derive(Debug, Clone)]
pub struct SharedIndex<K> {
    shards: Vec<Arc<IdMap<K>>>,
}

impl<K> Default for SharedIndex<K> {
    fn default() -> Self {
        Self {
            shards: (0..SHARDS).map(|_| Arc::new(IdMap::default())).collect(),
        }
    }
}

fn shard_of<Q: Hash + ?Sized>(key: &Q) -> usize {
    // Middle bits: the map inside the shard picks buckets with the low bits and
    // tags them with the top seven, so neither may choose the shard.
    (FixedState::default().hash_one(key) >> 40) as usize % SHARDS
}

/// An id as an index key: a short one (most ids) is kept inline, so that
/// comparing keys follows no pointer; a longer one shares the record's text.
/// Two words either way. It hashes and compares as its bytes: look it up by
/// `id.as_bytes()`.
#[derive(Debug, Clone)]
pub enum IdKey {
    Inline { len: u8, bytes: [u8; INLINE_ID] },
    Shared(Arc<Text>),
}

/// The longest id kept inline.
const INLINE_ID: usize = 14;

impl IdKey {
    pub fn new(id: &Text) -> Self {
        let b = id.as_bytes();
        if b.len() > INLINE_ID {
            return IdKey::Shared(Arc::new(id.clone()));
        }
        let mut bytes = [0; INLINE_ID];
        bytes[..b.len()].copy_from_slice(b);
        IdKey::Inline {
            len: b.len() as u8,
            bytes,
        }
    }

    pub fn as_bytes(&self) -> &[u8] {
        match self {
            IdKey::Inline { len, bytes } => &bytes[..usize::from(*len)],
            IdKey::Shared(t) => t.as_bytes(),
        }
    }
}

impl PartialEq for IdKey {
    fn eq(&self, other: &Self) -> bool {
        self.as_bytes() == other.as_bytes()
    }
}

impl Eq for IdKey {}

impl Hash for IdKey {
    fn hash<H: std::hash::Hasher>(&self, state: &mut H) {
        // As `[u8]` hashes, so that a lookup by bytes finds it.
        self.as_bytes().hash(state);
    }
}

impl std::borrow::Borrow<[u8]> for IdKey {
    fn borrow(&self) -> &[u8] {
        self.as_bytes()
    }
}

impl<K: Hash + Eq + Clone> SharedIndex<K> {
    pub fn get<Q>(&self, key: &Q) -> Option<usize>
    where
        K: std::borrow::Borrow<Q>,
        Q: Hash + Eq + ?Sized,
    {
        self.shards[shard_of(key)].get(key).map(|&v| v as usize)
    }

    pub fn insert(&mut self, key: K, value: usize) {
        let shard = shard_of(&key);
        Arc::make_mut(&mut self.shards[shard]).insert(key, value as u32);
    }

    /// The position kept for `key`, or `value` kept for it when it has none
    /// (one probe either way): the position, and whether it was inserted.
    pub fn get_or_insert(&mut self, key: K, value: usize) -> (usize, bool) {
        use std::collections::hash_map::Entry;
        let shard = shard_of(&key);
        match Arc::make_mut(&mut self.shards[shard]).entry(key) {
            Entry::Occupied(e) => (*e.get() as usize, false),
            Entry::Vacant(e) => {
                e.insert(value as u32);
                (value, true)
            }
        }
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn a_clone_keeps_what_it_saw_while_the_original_grows_and_changes() {
        let mut a: Segmented<u64> = (0..(3 * CHUNK as u64 + 7)).collect();
        let before = a.clone();
        for i in [CHUNK, CHUNK + 9, a.len() - 1] {
            if let Some(x) = a.get_mut(i) {
                *x += 1_000_000;
            }
        }
        for x in 0..(2 * CHUNK as u64) {
            a.push(x);
        }
        assert_eq!(before.len(), 3 * CHUNK + 7);
        assert!(before.iter().copied().eq(0..(3 * CHUNK as u64 + 7)));
        assert_eq!(a.len(), 5 * CHUNK + 7);
        assert_eq!(a[CHUNK], CHUNK as u64 + 1_000_000);
        assert_eq!(a[CHUNK + 1], CHUNK as u64 + 1);
        assert_eq!(a.last(), Some(&(2 * CHUNK as u64 - 1)));
        assert_eq!(a.get(a.len()), None);
        // Only the chunks written to were copied; the others are still shared.
        assert!(Arc::ptr_eq(&a.chunks[0], &before.chunks[0]));
        assert!(!Arc::ptr_eq(&a.chunks[1], &before.chunks[1]));
        assert!(Arc::ptr_eq(&a.chunks[2], &before.chunks[2]));
        assert!(!Arc::ptr_eq(&a.chunks[3], &before.chunks[3]));
    }

    #[test]
    fn ids_short_and_long_are_found_by_their_bytes() {
        let mut index: SharedIndex<IdKey> = SharedIndex::default();
        let long = "x".repeat(INLINE_ID + 1);
        let ids = ["", "c1", "c0000001", &long[..INLINE_ID], &long];
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(
                index.get_or_insert(IdKey::new(&Text::from(*id)), i),
                (i, true)
            );
        }
        for (i, id) in ids.iter().enumerate() {
            assert_eq!(index.get(id.as_bytes()), Some(i));
            assert_eq!(
                index.get_or_insert(IdKey::new(&Text::from(*id)), 99),
                (i, false)
            );
        }
        assert!(matches!(IdKey::new(&Text::from(&*long)), IdKey::Shared(_)));
        // A key and its position: three words.
        assert_eq!(std::mem::size_of::<(IdKey, u32)>(), 24);
        assert_eq!(index.get(b"c2".as_slice()), None);
    }

    #[test]
    fn the_index_finds_what_it_was_given_and_clones_stay_apart() {
        let mut index: SharedIndex<std::sync::Arc<str>> = SharedIndex::default();
        for i in 0..5000 {
            index.insert(format!("id-{i}").into(), i);
        }
        let before = index.clone();
        index.insert("id-5000".into(), 5000);
        index.insert("id-3".into(), 33);
        assert_eq!(index.get("id-5000"), Some(5000));
        assert_eq!(index.get("id-3"), Some(33));
        assert_eq!(before.get("id-5000"), None);
        assert_eq!(before.get("id-3"), Some(3));
        assert!((0..5000).all(|i| before.get(format!("id-{i}").as_str()) == Some(i)));
    }
}
