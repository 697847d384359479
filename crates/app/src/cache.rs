//! A server's memory of values read from the database, each kept with the stamp it was read at —
//! the rights counter (which database triggers move), and for holdings the day too. A value is
//! handed out only while the caller's stamp, read with the session, is the same. This module only
//! keeps values; what a stamp covers is decided by the triggers and the callers.

use std::collections::HashMap;
use std::hash::Hash;
use std::sync::Mutex;

pub struct Cache<K, S, V> {
    entries: Mutex<HashMap<K, (S, V)>>,
    /// Past this many entries the cache starts over, so its memory stays bounded.
    max: usize,
}

impl<K: Eq + Hash, S: PartialEq, V: Clone> Cache<K, S, V> {
    pub fn new(max: usize) -> Self {
        Self {
            entries: Mutex::new(HashMap::new()),
            max,
        }
    }

    /// The value kept for `key`, if it was read at `stamp`.
    pub fn get(&self, key: &K, stamp: &S) -> Option<V> {
        let entries = self.entries.lock().ok()?;
        entries
            .get(key)
            .filter(|(kept, _)| kept == stamp)
            .map(|(_, v)| v.clone())
    }

    pub fn put(&self, key: K, stamp: S, value: V) {
        if let Ok(mut entries) = self.entries.lock() {
            if entries.len() >= self.max {
                entries.clear();
            }
            entries.insert(key, (stamp, value));
        }
    }
}

#[cfg(test)]
mod tests {
    use super::Cache;

    #[test]
    fn a_value_is_kept_only_for_its_stamp_and_the_cache_starts_over_when_full() {
        let c: Cache<u32, i64, &str> = Cache::new(2);
        c.put(1, 7, "a");
        assert_eq!(c.get(&1, &7), Some("a"));
        assert_eq!(c.get(&1, &8), None, "the counter moved");
        assert_eq!(c.get(&2, &7), None);
        c.put(2, 7, "b");
        c.put(3, 7, "c");
        assert_eq!(c.get(&1, &7), None, "started over when full");
        assert_eq!(c.get(&3, &7), Some("c"));
    }
}
