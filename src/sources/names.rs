//! Names that repeat on every line of an input (services, teams, regions,
//! stages, authors) are stored once and shared, per reading thread.

use std::borrow::Borrow;
use std::cell::RefCell;
use std::collections::{HashMap, HashSet};
use std::hash::Hash;
use std::sync::Arc;

use foldhash::fast::FixedState;

use crate::model::Text;
use crate::model::record_parts::{ChangeNames, DeploymentNames, LinePlace};
use crate::util::text::sanitize;

/// A name this long or shorter (nearly all) is looked up by its bytes held in
/// the table itself: a lookup compares a few words in place instead of
/// following each candidate's pointer to its text and comparing there, which
/// was a fifth of a parse (perf, 1,000,003 lines).
const SHORT: usize = 24;

/// A short name as read, in whole words, zero-padded, with its length.
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct ShortKey([u64; SHORT / 8], u8);

impl ShortKey {
    fn of(s: &str) -> Option<Self> {
        if s.len() > SHORT {
            return None;
        }
        let mut bytes = [0u8; SHORT];
        bytes[..s.len()].copy_from_slice(s.as_bytes());
        let mut words = [0u64; SHORT / 8];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *word = u64::from_ne_bytes(b);
        }
        // At most SHORT (24): fits.
        Some(Self(words, s.len() as u8))
    }
}

thread_local! {
    /// Names read by this thread, by what was read: services, teams, regions
    /// and the like repeat on every line, so each distinct one is cleaned and
    /// stored once and shared.
    static SHORT_NAMES: RefCell<HashMap<ShortKey, Text, FixedState>> = RefCell::default();
    static LONG_NAMES: RefCell<HashSet<Text, FixedState>> = RefCell::default();
}

/// Distinct names kept per thread (in each table); past this the table starts
/// over (a file of unique "names" must not grow it without bound).
const NAMES_KEPT: usize = 1 << 16;

/// `s` cleaned like all source text ([`sanitize`]), as the one copy this
/// thread shares for it.
pub fn shared(s: &str) -> Text {
    let Some(key) = ShortKey::of(s) else {
        return shared_long(s);
    };
    SHORT_NAMES.with_borrow_mut(|names| kept(names, &key, |k| *k, || sanitize(s)))
}

fn shared_long(s: &str) -> Text {
    LONG_NAMES.with_borrow_mut(|names| {
        if let Some(shared) = names.get(s) {
            return shared.clone();
        }
        let clean = sanitize(s);
        if names.len() >= NAMES_KEPT {
            names.clear();
        }
        names.insert(clean.clone());
        clean
    })
}

/// Sets of names as read (a change's service, team and author; a deployment's
/// service and team; a line's environment, region and stage), each mapped to
/// the copy this thread shares. A line whose set was read before takes it in
/// one lookup, where each of its names and then the set itself took one, and
/// each shared name cost an atomic count up and one down again: the sharing was
/// a third of a parse (perf, 1,000,003 lines).
struct Sets<T> {
    /// Sets whose key fits [`SetKey`] (nearly all), held in the table itself:
    /// a lookup compares a few words in place instead of following a pointer
    /// to a key held elsewhere, whose comparison was a tenth of a parse (perf).
    inline: HashMap<SetKey, Arc<T>, FixedState>,
    /// The others, by their bytes. Each table keeps at most [`NAMES_KEPT`].
    long: HashMap<Box<[u8]>, Arc<T>, FixedState>,
}

impl<T> Default for Sets<T> {
    fn default() -> Self {
        Self {
            inline: HashMap::default(),
            long: HashMap::default(),
        }
    }
}

/// Key bytes held in the table; with the shared copy's pointer, 64 bytes.
const SET_KEY: usize = 56;

/// A set's names as read, each absent (0) or present (its length plus one,
/// in one byte, then its bytes), zero-padded, in whole words. The names read
/// in order say where the key ends, so the padding cannot make two sets of
/// one kind alike (each table takes sets of one kind: the same number of
/// names, always).
#[derive(Clone, Copy, PartialEq, Eq, Hash)]
struct SetKey([u64; SET_KEY / 8]);

impl SetKey {
    fn of(names: &[Option<&str>]) -> Option<Self> {
        let mut bytes = [0u8; SET_KEY];
        let mut at = 0;
        for name in names {
            if let Some(s) = name {
                let tag = u8::try_from(s.len() + 1).ok()?;
                let end = at + 1 + s.len();
                bytes.get_mut(at + 1..end)?.copy_from_slice(s.as_bytes());
                bytes[at] = tag;
                at = end;
            } else {
                *bytes.get_mut(at)? = 0;
                at += 1;
            }
        }
        let mut words = [0u64; SET_KEY / 8];
        for (word, chunk) in words.iter_mut().zip(bytes.chunks_exact(8)) {
            let mut b = [0u8; 8];
            b.copy_from_slice(chunk);
            *word = u64::from_ne_bytes(b);
        }
        Some(Self(words))
    }
}

thread_local! {
    /// The key of a long set being looked up, reused line after line.
    static KEY: RefCell<Vec<u8>> = RefCell::default();
    static CHANGE_SETS: RefCell<Sets<ChangeNames>> = RefCell::default();
    static DEPLOYMENT_SETS: RefCell<Sets<DeploymentNames>> = RefCell::default();
    static PLACE_SETS: RefCell<Sets<LinePlace>> = RefCell::default();
}

/// The names as read, one after another, each absent (0) or present (1, its
/// length in four bytes, its bytes): two different sets never give one key.
fn key_of(names: &[Option<&str>], key: &mut Vec<u8>) {
    key.clear();
    for name in names {
        match name {
            None => key.push(0),
            Some(s) => {
                key.push(1);
                // Lines are at most 1 MiB: a length fits in four bytes.
                key.extend_from_slice(&(s.len() as u32).to_le_bytes());
                key.extend_from_slice(s.as_bytes());
            }
        }
    }
}

fn shared_set<T>(
    sets: &'static std::thread::LocalKey<RefCell<Sets<T>>>,
    names: &[Option<&str>],
    make: impl FnOnce() -> Arc<T>,
) -> Arc<T> {
    sets.with_borrow_mut(|sets| {
        if let Some(key) = SetKey::of(names) {
            return kept(&mut sets.inline, &key, |k| *k, make);
        }
        KEY.with_borrow_mut(|key| {
            key_of(names, key);
            kept(&mut sets.long, key.as_slice(), |k| k.into(), make)
        })
    })
}

/// The copy kept for `key`, made (and `key` owned) and kept if there is
/// none; the table starts over past [`NAMES_KEPT`].
fn kept<K, Q, T: ?Sized>(
    table: &mut HashMap<K, Arc<T>, FixedState>,
    key: &Q,
    own: impl FnOnce(&Q) -> K,
    make: impl FnOnce() -> Arc<T>,
) -> Arc<T>
where
    K: Eq + Hash + Borrow<Q>,
    Q: Eq + Hash + ?Sized,
{
    if let Some(shared) = table.get(key) {
        return shared.clone();
    }
    let made = make();
    if table.len() >= NAMES_KEPT {
        table.clear();
    }
    table.insert(own(key), made.clone());
    made
}

/// A change's names with no url and no revert (most changes), cleaned and shared.
pub fn change_names(service: &str, team: Option<&str>, author: Option<&str>) -> Arc<ChangeNames> {
    shared_set(&CHANGE_SETS, &[Some(service), team, author], || {
        ChangeNames {
            service: shared(service),
            team: team.map(shared),
            author: author.map(shared),
            url: None,
            reverts: None,
        }
        .shared()
    })
}

/// A deployment line's service and team, cleaned and shared.
pub fn deployment_names(service: &str, team: Option<&str>) -> Arc<DeploymentNames> {
    shared_set(&DEPLOYMENT_SETS, &[Some(service), team], || {
        DeploymentNames::shared(shared(service), team.map(shared))
    })
}

/// A deployment line's place with no url (most lines), cleaned and shared.
pub fn place(
    environment: Option<&str>,
    region: Option<&str>,
    stage: Option<&str>,
) -> Arc<LinePlace> {
    shared_set(&PLACE_SETS, &[environment, region, stage], || {
        LinePlace {
            environment: environment.map(shared),
            region: region.map(shared),
            stage: stage.map(shared),
            url: None,
        }
        .shared()
    })
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn one_copy_per_name_cleaned_like_any_text() {
        let long = "a-service-name-longer-than-24-bytes";
        for name in ["svc-api", "", "exactly-24-bytes-long-xy", long] {
            let a = shared(name);
            let b = shared(name);
            assert!(std::sync::Arc::ptr_eq(&a, &b), "{name}");
            assert_eq!(&*a, name);
        }
        assert_eq!(&*shared("team\u{1b}[2J-x"), "team-x");
        // Names that differ only in their padding, their length or past the
        // first word are different names.
        assert_eq!(&*shared("a\0"), "a");
        assert_eq!(&*shared("a"), "a");
        assert_eq!(&*shared("svc-api-1"), "svc-api-1");
        assert_eq!(&*shared("svc-api-2"), "svc-api-2");
        assert_eq!(&*shared(&long[..25]), &long[..25]);
        assert_eq!(&*shared(&long[..24]), &long[..24]);
    }

    #[test]
    fn a_set_of_names_read_again_is_the_same_copy_and_sets_never_mix() {
        let a = change_names("api", Some("core"), Some("ann"));
        assert!(Arc::ptr_eq(
            &a,
            &change_names("api", Some("core"), Some("ann"))
        ));
        assert_eq!(
            (&*a.service, a.team.as_deref(), a.author.as_deref()),
            ("api", Some("core"), Some("ann"))
        );
        // The same bytes split differently, or a name absent instead of empty,
        // are other sets.
        let b = change_names("apic", Some("ore"), Some("ann"));
        assert_eq!((&*b.service, b.team.as_deref()), ("apic", Some("ore")));
        let c = change_names("api", None, Some("ann"));
        let d = change_names("api", Some(""), Some("ann"));
        assert_eq!((c.team.as_deref(), d.team.as_deref()), (None, Some("")));
        // Cleaned as any text, and shared with the names read one by one.
        let e = change_names("api\u{1b}[2J", Some("core"), None);
        assert_eq!(&*e.service, "api");
        assert!(Arc::ptr_eq(&a.service, &shared("api")));
        let p = place(None, Some("eu"), Some("canary"));
        assert!(Arc::ptr_eq(&p, &place(None, Some("eu"), Some("canary"))));
        assert_eq!(
            (p.environment.as_deref(), p.region.as_deref()),
            (None, Some("eu"))
        );
        assert_ne!(place(Some("eu"), None, Some("canary")).region, p.region);
        // Keys that fill the words held in the table, one byte more (held by
        // their bytes instead), and a name longer than the words themselves.
        let at_most = "s".repeat(SET_KEY - 4);
        let over = "s".repeat(SET_KEY - 3);
        let huge = "s".repeat(300);
        for service in [&at_most, &over, &huge] {
            let x = change_names(service, Some("t"), None);
            assert!(Arc::ptr_eq(&x, &change_names(service, Some("t"), None)));
            assert_eq!(
                (&*x.service, x.team.as_deref()),
                (service.as_str(), Some("t"))
            );
            let y = change_names(service, None, Some("t"));
            assert_eq!((y.team.as_deref(), y.author.as_deref()), (None, Some("t")));
        }
        assert!(SetKey::of(&[Some(&at_most), Some("t"), None]).is_some());
        assert!(SetKey::of(&[Some(&over), Some("t"), None]).is_none());
        assert!(SetKey::of(&[Some(&huge)]).is_none());
        let n = deployment_names("api", Some("core"));
        assert!(Arc::ptr_eq(&n, &deployment_names("api", Some("core"))));
        assert_eq!(deployment_names("api", None).team, None);
    }
}
