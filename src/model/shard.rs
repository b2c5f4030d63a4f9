//! Which `serve` shard a team belongs to: `--shard I/N` serves the teams whose
//! stable hash falls in shard I of N.
//!
//! The hash is FNV-1a 64 over the team name's UTF-8 bytes (offset basis
//! `0xcbf29ce484222325`, prime `0x100000001b3`), and a team's shard is
//! `hash % N + 1`. Both are fixed here, not taken from std's `RandomState` or
//! any crate's default hasher: the same name lands in the same shard in every
//! run and every version, so exporters started apart agree, and the
//! `scorecards` source can say which shard serves a team.

use std::fmt;
use std::str::FromStr;

/// Shard `index` of `count` (1-based), e.g. `2/3`. `1/1` serves everything.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
pub struct Shard {
    index: u32,
    count: u32,
}

/// The most shards `--shard` accepts (a guard against a typo such as `1/30000`).
pub const MAX_SHARDS: u32 = 4096;

impl Shard {
    /// The single, unsharded exporter.
    pub const ALL: Shard = Shard { index: 1, count: 1 };

    /// `index` of `count`; `None` unless `1 <= index <= count <= MAX_SHARDS`.
    pub fn new(index: u32, count: u32) -> Option<Self> {
        (index >= 1 && index <= count && count <= MAX_SHARDS).then_some(Self { index, count })
    }

    pub fn index(self) -> u32 {
        self.index
    }

    pub fn count(self) -> u32 {
        self.count
    }

    /// Whether this shard serves `team`.
    pub fn owns(self, team: &str) -> bool {
        shard_of(team, self.count) == self.index
    }

    /// The shard that serves the organisation-wide series.
    pub fn is_first(self) -> bool {
        self.index == 1
    }
}

impl Default for Shard {
    fn default() -> Self {
        Self::ALL
    }
}

impl fmt::Display for Shard {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        write!(f, "{}/{}", self.index, self.count)
    }
}

impl FromStr for Shard {
    type Err = String;

    fn from_str(s: &str) -> Result<Self, Self::Err> {
        let usage = "the form is I/N: shard I of N, 1 <= I <= N, e.g. 2/3";
        let Some((i, n)) = s.split_once('/') else {
            return Err(format!("'{s}' is not a shard ({usage})"));
        };
        let (Ok(index), Ok(count)) = (i.trim().parse::<u32>(), n.trim().parse::<u32>()) else {
            return Err(format!("'{s}' is not a shard ({usage})"));
        };
        if count == 0 || count > MAX_SHARDS {
            return Err(format!(
                "'{s}': the number of shards must be between 1 and {MAX_SHARDS}"
            ));
        }
        if index == 0 || index > count {
            return Err(format!(
                "'{s}': shards are numbered from 1 to {count}, so the shard must be in 1..={count}"
            ));
        }
        Ok(Self { index, count })
    }
}

/// FNV-1a, 64 bits, of `bytes`.
pub fn fnv1a64(bytes: &[u8]) -> u64 {
    let mut hash: u64 = 0xcbf2_9ce4_8422_2325;
    for b in bytes {
        hash ^= u64::from(*b);
        hash = hash.wrapping_mul(0x0000_0100_0000_01b3);
    }
    hash
}

/// The shard (1-based) that serves `team` when there are `count` shards
/// (`count` 0 is taken as 1).
pub fn shard_of(team: &str, count: u32) -> u32 {
    let count = u64::from(count.max(1));
    // The remainder is below `count`, itself a u32.
    u32::try_from(fnv1a64(team.as_bytes()) % count).unwrap_or(0) + 1
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn fnv1a64_matches_the_published_vectors() {
        // The FNV reference test vectors (Fowler, Noll, Vo).
        assert_eq!(fnv1a64(b""), 0xcbf2_9ce4_8422_2325);
        assert_eq!(fnv1a64(b"a"), 0xaf63_dc4c_8601_ec8c);
        assert_eq!(fnv1a64(b"foobar"), 0x8594_4171_f739_67e8);
    }

    #[test]
    fn a_team_lands_in_the_same_shard_every_time() {
        // Pinned: changing the hash would move teams between running shards.
        assert_eq!(fnv1a64(b"payments"), 0xe17a_c568_6623_db26);
        assert_eq!(shard_of("payments", 3), 2);
        assert_eq!(shard_of("payments", 10), 3);
        assert_eq!(shard_of("checkout", 3), 1);
        assert_eq!(shard_of("anything", 1), 1);
        for n in 1..=10 {
            let s = shard_of("checkout", n);
            assert!((1..=n).contains(&s));
        }
    }

    #[test]
    fn every_team_is_owned_by_exactly_one_shard() {
        for team in ["a", "b", "payments", "ops | \"edge\", eu", "ünïcode"] {
            let owners: Vec<u32> = (1..=5)
                .filter(|i| Shard::new(*i, 5).is_some_and(|s| s.owns(team)))
                .collect();
            assert_eq!(owners.len(), 1, "{team}: {owners:?}");
        }
    }

    #[test]
    fn shards_parse_and_bad_ones_say_why() {
        assert_eq!("2/3".parse::<Shard>(), Ok(Shard { index: 2, count: 3 }));
        assert_eq!("1/1".parse::<Shard>(), Ok(Shard::ALL));
        assert_eq!(Shard::new(3, 3).map(|s| s.to_string()), Some("3/3".into()));
        for (bad, says) in [
            ("0/3", "in 1..=3"),
            ("4/3", "in 1..=3"),
            ("1/0", "between 1 and"),
            ("x", "not a shard"),
            ("1/x", "not a shard"),
            ("-1/3", "not a shard"),
            ("1/5000", "between 1 and"),
        ] {
            let e = bad.parse::<Shard>().expect_err(bad);
            assert!(e.contains(says) && e.contains(bad), "{bad}: {e}");
        }
    }
}
