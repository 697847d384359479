//! Latvian alphabetical order: č ģ ķ ļ ņ š ž are letters of their own, right after c g k l n s z;
//! ā ē ī ū sort with a e i u and only break ties. People sort by family name, then given name.

/// A sort key: the letters first, then the long-vowel marks that only break ties.
pub type Key = (Vec<u32>, Vec<u32>);

/// A key that sorts strings in Latvian order.
pub fn key(s: &str) -> Key {
    let mut primary = Vec::with_capacity(s.len());
    let mut secondary = Vec::with_capacity(s.len());
    for c in s.chars().flat_map(char::to_lowercase) {
        let (base, own_letter, tie) = match c {
            'ā' => ('a', false, 1),
            'ē' => ('e', false, 1),
            'ī' => ('i', false, 1),
            'ū' => ('u', false, 1),
            'ō' => ('o', false, 1),
            'č' => ('c', true, 0),
            'ģ' => ('g', true, 0),
            'ķ' => ('k', true, 0),
            'ļ' => ('l', true, 0),
            'ņ' => ('n', true, 0),
            'š' => ('s', true, 0),
            'ž' => ('z', true, 0),
            'ŗ' => ('r', true, 0),
            c => (c, false, 0),
        };
        // Each base letter gets two slots: itself, then its own-letter variant (c, č).
        primary.push(u32::from(base) * 2 + u32::from(own_letter));
        secondary.push(tie);
    }
    (primary, secondary)
}

/// Compares two names in Latvian order (exactly equal ones only compare equal, so `dedup` after a
/// sort finds every duplicate).
pub fn cmp(a: &str, b: &str) -> std::cmp::Ordering {
    key(a).cmp(&key(b)).then_with(|| a.cmp(b))
}

/// Sorts names (subjects, courses, groups) in Latvian order and drops repeats.
pub fn sort_unique(names: &mut Vec<String>) {
    names.sort_by(|a, b| cmp(a, b));
    names.dedup();
}

/// Sorts people by family name, then given name, in Latvian order.
pub fn person_key(family: &str, given: &str) -> (Key, Key) {
    (key(family), key(given))
}

#[cfg(test)]
mod tests {

    #[test]
    fn subjects_sort_the_latvian_way() {
        let mut names: Vec<String> = ["Vēsture", "Ķīmija", "Fizika", "Kulturoloģija", "Fizika"]
            .iter()
            .map(|s| s.to_string())
            .collect();
        super::sort_unique(&mut names);
        assert_eq!(names, ["Fizika", "Kulturoloģija", "Ķīmija", "Vēsture"]);
    }

    use super::*;

    fn sorted(mut v: Vec<&str>) -> Vec<&str> {
        v.sort_by_key(|s| key(s));
        v
    }

    #[test]
    fn latvian_letters_sort_after_their_base() {
        assert_eq!(
            sorted(vec![
                "Čakste",
                "Dūmiņš",
                "Celmiņš",
                "Zariņš",
                "Šmits",
                "Siliņš",
                "Žagars"
            ]),
            vec!["Celmiņš", "Čakste", "Dūmiņš", "Siliņš", "Šmits", "Zariņš", "Žagars"]
        );
    }

    #[test]
    fn long_vowels_only_break_ties() {
        assert_eq!(
            sorted(vec!["Ābele", "Abolins", "Ačkasovs"]),
            vec!["Ābele", "Abolins", "Ačkasovs"]
        );
        assert_eq!(sorted(vec!["Āra", "Ara"]), vec!["Ara", "Āra"]);
    }
}
