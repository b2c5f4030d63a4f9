//! Append-only storage that snapshots share: records live in fixed-size chunks,
//! each behind its own `Arc`. Cloning the whole store clones only the list of
//! chunk pointers; appending or merging into a record copies at most the one chunk
//! it lives in, and only when a published snapshot still holds that chunk.

use std::ops::Index;
use std::sync::Arc;

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

    /// Appends clones of `item` until there are `len` items (never shrinks),
    /// a chunk at a time (a first derivation adds a million placeholders: one
    /// at a time was a tenth of it). Copies the last chunk first if a snapshot
    /// shares it.
    pub fn grow_to(&mut self, len: usize, item: &T) {
        while self.len < len {
            let open = self.chunks.last().is_some_and(|last| last.len() < CHUNK);
            if !open {
                self.chunks.push(Arc::new(Vec::with_capacity(CHUNK)));
            }
            let Some(last) = self.chunks.last_mut() else {
                return;
            };
            let last = Arc::make_mut(last);
            let n = (CHUNK - last.len()).min(len - self.len);
            last.resize(last.len() + n, item.clone());
            self.len += n;
        }
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
    fn growing_appends_copies_across_chunks_never_shrinks_and_leaves_a_clone_as_it_was() {
        let mut a: Segmented<u64> = (0..(CHUNK as u64 - 3)).collect();
        let before = a.clone();
        a.grow_to(3 * CHUNK + 5, &7);
        a.grow_to(10, &9);
        let mut pushed: Segmented<u64> = (0..(CHUNK as u64 - 3)).collect();
        for _ in pushed.len()..3 * CHUNK + 5 {
            pushed.push(7);
        }
        assert_eq!(a, pushed);
        assert_eq!(
            a.chunks.iter().map(|c| c.len()).collect::<Vec<_>>(),
            [CHUNK, CHUNK, CHUNK, 5]
        );
        assert_eq!(before.len(), CHUNK - 3);
        assert!(before.iter().copied().eq(0..(CHUNK as u64 - 3)));
    }
}
