//! The clean-language check (J18): obscene and insulting words are not allowed in messages and news.
//!
//! This module owns the word list and the matching: Latvian inflection by endings, writing without
//! diacritics or with old-style doubled letters and digraphs, and the usual disguises (digits and
//! symbols for letters, letters spelled apart, `*` for a letter). It reports which words offend and
//! where, so that the sender can change them; it never rewrites or masks the text, and deciding to
//! refuse the message is the caller's.
//!
//! No I/O: the default list is compiled in, and the words an institution adds to it are kept by the
//! store and come in as arguments to [`WordList::with_extra`].

use serde::Serialize;

/// Klade's default list, one entry a line; the file's header says how entries are written.
const BUILTIN: &str = include_str!("clean_language.txt");

/// Shorter stems begin too many innocent words for an ending to be taken off an entry to reach them.
const MIN_STEM: usize = 3;

/// Dictionary-form endings taken off an entry to find its stem, so that a list can say "idiots" and
/// still catch "idiotam". Folded, like everything compared.
const ENTRY_ENDINGS: &[&str] = &["ties", "is", "us", "s", "a", "e", "i", "t"];

/// What may follow a stem in an inflected word, folded (no diacritics, no doubled letters): nouns and
/// adjectives of every declension, definite adjectives, some diminutives, a few verb forms. Left out on
/// purpose, for the innocent words they would complete once š reads as s: a bare "t" ("maukt", to pull
/// on), the participles in "-ams" and "-dams" ("šūdama", sewing), and diminutives in "-iņa", "-iņu",
/// "-iņi" ("šūdina", has sewn). Infinitives are entries of their own.
const ENDINGS: &[&str] = &[
    "", "s", "a", "e", "i", "o", "u", // nominative, genitive, vocative, plural
    "am", "em", "im", "um", "as", "es", "is", "os", "us", "ai", "ei", "ie", "iem", // cases
    "ais", "aja", "ajai", "ajam", "ajas", "ajos", "ajus", "ajiem", // definite adjectives
    "ins", "inai", "inus", "iniem", "itis", "ite", // diminutives
    "iba", "ibas", "ibu", "ibai", // abstract nouns
    "at", "ot", "iet", "ies", // verb forms
];

/// Symbols people type for letters; they belong to a word only inside it or at its start.
const LEET_SYMBOLS: [char; 4] = ['@', '$', '!', '*'];

/// Trailing `!` ends a sentence and `*` at either end marks a footnote or emphasis, not a letter.
const EDGE_PUNCTUATION: [char; 2] = ['!', '*'];

/// What may stand between letters spelled apart ("s.ū.d.s", "i d i o t s").
const LETTER_SEPARATORS: [char; 5] = ['.', '-', '_', '*', ' '];

/// Letters spelled apart are joined only from this many on: "un a b" is ordinary text.
const MIN_SPELLED_APART: usize = 3;

/// A word in the text that is on the list.
#[derive(Debug, Clone, PartialEq, Eq, Serialize)]
pub struct Finding {
    /// Exactly as written in the text, disguise and all.
    pub word: String,
    /// Byte offsets into the checked text: `&text[start..end] == word`.
    pub start: usize,
    pub end: usize,
}

/// The obscene and insulting words to look for: Klade's default list and the institution's additions.
#[derive(Debug, Clone)]
pub struct WordList {
    entries: Vec<Entry>,
}

#[derive(Debug, Clone)]
struct Entry {
    /// The folded entry and the stems left when a dictionary-form ending is taken off it.
    stems: Vec<Vec<char>>,
    /// Written with a trailing "=": no endings, no stems.
    whole_word_only: bool,
}

impl WordList {
    /// Klade's default Latvian list.
    pub fn builtin() -> Self {
        Self {
            entries: BUILTIN.lines().filter_map(entry).collect(),
        }
    }

    /// Adds the institution's own words, written like the default list's lines: a dictionary form or a
    /// stem, a trailing "=" for the whole word only. Blank entries and comments are skipped.
    pub fn with_extra(mut self, words: impl IntoIterator<Item = impl AsRef<str>>) -> Self {
        self.entries
            .extend(words.into_iter().filter_map(|word| entry(word.as_ref())));
        self
    }

    /// The words of `text` that are on the list, in text order, one finding per word.
    pub fn check(&self, text: &str) -> Vec<Finding> {
        words(text)
            .into_iter()
            .filter(|word| self.offends(&word.chars))
            .map(|word| Finding {
                word: text[word.start..word.end].to_owned(),
                start: word.start,
                end: word.end,
            })
            .collect()
    }

    fn offends(&self, chars: &[char]) -> bool {
        // A "1" is an i as often as an l; a word is read both ways rather than guessing.
        let readings: &[One] = if chars.contains(&'1') {
            &[One::I, One::L]
        } else {
            &[One::I]
        };
        readings.iter().any(|&one| {
            let folded = fold(chars.iter().copied(), Some(one));
            self.entries.iter().any(|entry| {
                entry
                    .stems
                    .iter()
                    .any(|stem| stem_matches(&folded, stem, entry.whole_word_only))
            })
        })
    }
}

/// Parses one line of a list; `None` for blanks, comments and entries too short to mean anything.
fn entry(line: &str) -> Option<Entry> {
    let line = line.split('#').next().unwrap_or_default().trim();
    let (word, whole_word_only) = match line.strip_suffix('=') {
        Some(word) => (word, true),
        None => (line, false),
    };
    let folded: Vec<char> = fold(word.chars(), None)
        .into_iter()
        .filter_map(|sym| match sym {
            Sym::Letter(c) => Some(c),
            Sym::Any => None,
        })
        .collect();
    if folded.len() < 2 {
        return None;
    }
    let mut stems = vec![folded.clone()];
    if !whole_word_only {
        for ending in ENTRY_ENDINGS {
            let ending: Vec<char> = ending.chars().collect();
            if folded.len() >= MIN_STEM + ending.len() && folded.ends_with(&ending) {
                stems.push(folded[..folded.len() - ending.len()].to_vec());
            }
        }
    }
    Some(Entry { stems, whole_word_only })
}

/// One letter of a folded word, or a `*` standing for a letter that was hidden.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
enum Sym {
    Letter(char),
    Any,
}

/// How a "1" in the text is read.
#[derive(Debug, Clone, Copy)]
enum One {
    I,
    L,
}

/// Brings a word to the form that is compared: lower case, base letters without diacritics, Cyrillic
/// in Latin letters, "sh" "ch" "zh" as s c z, and no letter twice in a row. With `leet`, digits and
/// symbols are read as the letters they stand for (the text); without, only letters count (a list).
fn fold(chars: impl Iterator<Item = char>, leet: Option<One>) -> Vec<Sym> {
    let mut letters = Vec::new();
    for c in chars.flat_map(char::to_lowercase) {
        if let Some(one) = leet {
            if let Some(sym) = disguise(c, one) {
                letters.push(sym);
                continue;
            }
        }
        if is_combining(c) {
            continue;
        }
        match plain(c) {
            Some(replacement) => letters.extend(replacement.chars().map(Sym::Letter)),
            None if c.is_alphabetic() || (leet.is_some() && c.is_alphanumeric()) => letters.push(Sym::Letter(c)),
            None => {}
        }
    }
    let mut folded: Vec<Sym> = Vec::with_capacity(letters.len());
    for sym in letters {
        let previous = folded.last().copied();
        let digraph = sym == Sym::Letter('h') && matches!(previous, Some(Sym::Letter('s' | 'c' | 'z')));
        let doubled = sym != Sym::Any && previous == Some(sym);
        if !digraph && !doubled {
            folded.push(sym);
        }
    }
    folded
}

/// A digit or symbol typed for a letter.
fn disguise(c: char, one: One) -> Option<Sym> {
    let letter = match c {
        '0' => 'o',
        '1' => match one {
            One::I => 'i',
            One::L => 'l',
        },
        '3' => 'e',
        '4' | '@' => 'a',
        '5' | '$' => 's',
        '7' => 't',
        '!' => 'i',
        '*' => return Some(Sym::Any),
        _ => return None,
    };
    Some(Sym::Letter(letter))
}

/// The base letters of a lower-case letter with a diacritic, and Cyrillic in Latvian spelling, since
/// homoglyphs and Russian typed in its own alphabet are disguises too. `None`: the letter as it is.
fn plain(c: char) -> Option<&'static str> {
    Some(match c {
        'ā' | 'á' | 'à' | 'â' | 'ä' | 'ã' | 'å' | 'ą' | 'а' => "a",
        'č' | 'ć' | 'ç' | 'ц' | 'ч' => "c",
        'ď' | 'д' => "d",
        'ē' | 'é' | 'è' | 'ê' | 'ë' | 'ě' | 'ę' | 'ė' | 'е' | 'э' => "e",
        'ģ' | 'г' => "g",
        'ī' | 'í' | 'ì' | 'î' | 'ï' | 'į' | 'ı' | 'и' | 'ы' | 'і' => "i",
        'ķ' | 'к' => "k",
        'ļ' | 'ł' | 'ľ' | 'л' => "l",
        'ņ' | 'ñ' | 'ń' | 'ň' | 'н' => "n",
        'ō' | 'ó' | 'ò' | 'ô' | 'ö' | 'õ' | 'ø' | 'о' => "o",
        'ŗ' | 'ř' | 'р' => "r",
        'š' | 'ś' | 'ş' | 'с' | 'ш' => "s",
        'ť' | 'т' => "t",
        'ū' | 'ú' | 'ù' | 'û' | 'ü' | 'ů' | 'ų' | 'у' => "u",
        'ý' | 'ÿ' => "y",
        'ž' | 'ź' | 'ż' | 'ж' | 'з' => "z",
        'б' => "b",
        'в' => "v",
        'й' => "j",
        'м' => "m",
        'п' => "p",
        'ф' => "f",
        'х' => "h",
        'щ' => "sc",
        'ё' => "jo",
        'ю' => "ju",
        'я' => "ja",
        'ъ' | 'ь' => "",
        _ => return None,
    })
}

/// Combining diacritics, as left by text in decomposed form: part of the letter before them.
fn is_combining(c: char) -> bool {
    matches!(c, '\u{0300}'..='\u{036F}')
}

/// Whether the folded `word` is `stem` plus a plausible ending (or exactly `stem`, for whole-word
/// entries). A `*` in the word stands for one letter, or for none: the letter it hid may have been a
/// doubled one that folding took away, or it only kept spelled-apart letters apart ("s*u*d*s"). Few
/// may stand for letters, so that a word still shows most of the stem.
fn stem_matches(word: &[Sym], stem: &[char], whole_word_only: bool) -> bool {
    if let (Some(Sym::Letter(first)), Some(stem_first)) = (word.first(), stem.first()) {
        if first != stem_first {
            return false;
        }
    }
    let (n, m) = (word.len(), stem.len());
    // fewest[i * (m + 1) + j]: the fewest `*` spent on letters to read word[..i] as stem[..j].
    let mut fewest: Vec<Option<usize>> = vec![None; (n + 1) * (m + 1)];
    fewest[0] = Some(0);
    for i in 0..n {
        for j in 0..=m {
            let Some(spent) = fewest[i * (m + 1) + j] else {
                continue;
            };
            let mut reach = |i: usize, j: usize, spent: usize| {
                let cell = &mut fewest[i * (m + 1) + j];
                if cell.is_none_or(|best| spent < best) {
                    *cell = Some(spent);
                }
            };
            match word[i] {
                Sym::Letter(c) if j < m && stem[j] == c => reach(i + 1, j + 1, spent),
                Sym::Letter(_) => {}
                Sym::Any => {
                    if j < m {
                        reach(i + 1, j + 1, spent + 1);
                    }
                    reach(i + 1, j, spent);
                }
            }
        }
    }
    let allowed = (m / 4).max(1);
    (0..=n).any(|i| match fewest[i * (m + 1) + m] {
        Some(spent) if spent <= allowed && m - spent >= 2 => {
            let rest = &word[i..];
            if whole_word_only {
                rest.is_empty()
            } else {
                is_ending(rest)
            }
        }
        _ => false,
    })
}

fn is_ending(rest: &[Sym]) -> bool {
    ENDINGS.iter().any(|ending| {
        ending.chars().count() == rest.len()
            && ending.chars().zip(rest).all(|(e, sym)| match sym {
                Sym::Letter(c) => *c == e,
                Sym::Any => true,
            })
    })
}

/// A word of the text: where it stands, and its characters without the separators of letters that
/// were spelled apart.
#[derive(Debug)]
struct Word {
    start: usize,
    end: usize,
    chars: Vec<char>,
}

/// The words of `text`, letters spelled apart joined into one word. Only words with a letter in them:
/// a number is never a word on the list.
fn words(text: &str) -> Vec<Word> {
    let mut runs: Vec<Word> = Vec::new();
    let mut current: Option<Word> = None;
    for (at, c) in text.char_indices() {
        if c.is_alphanumeric() || is_combining(c) || LEET_SYMBOLS.contains(&c) {
            let word = current.get_or_insert_with(|| Word {
                start: at,
                end: at,
                chars: Vec::new(),
            });
            word.end = at + c.len_utf8();
            word.chars.push(c);
        } else if let Some(word) = current.take() {
            runs.extend(trimmed(word));
        }
    }
    if let Some(word) = current.take() {
        runs.extend(trimmed(word));
    }

    let mut words = Vec::with_capacity(runs.len());
    let mut spelled: Vec<Word> = Vec::new();
    for run in runs {
        let continues = spelled.last().is_some_and(|last| {
            let mut gap = text[last.end..run.start].chars();
            is_single(&run) && matches!((gap.next(), gap.next()), (Some(c), None) if LETTER_SEPARATORS.contains(&c))
        });
        if !continues {
            flush(&mut spelled, &mut words);
        }
        if is_single(&run) {
            spelled.push(run);
        } else {
            words.push(run);
        }
    }
    flush(&mut spelled, &mut words);
    words.retain(|word| word.chars.iter().any(|c| c.is_alphabetic()));
    words
}

/// A word with its edge punctuation taken off; `None` when nothing is left.
fn trimmed(mut word: Word) -> Option<Word> {
    while word.chars.last().is_some_and(|c| EDGE_PUNCTUATION.contains(c)) {
        word.chars.pop();
        word.end -= 1;
    }
    let leading = word.chars.iter().take_while(|&&c| c == '*').count();
    word.chars.drain(..leading);
    word.start += leading;
    (!word.chars.is_empty()).then_some(word)
}

/// One letter standing alone, perhaps with its combining diacritic.
fn is_single(word: &Word) -> bool {
    word.chars.iter().filter(|&&c| !is_combining(c)).count() == 1
}

/// Ends a run of lone letters: joined into one word when long enough, otherwise kept as they are.
fn flush(spelled: &mut Vec<Word>, words: &mut Vec<Word>) {
    if spelled.len() >= MIN_SPELLED_APART {
        let start = spelled.first().map_or(0, |w| w.start);
        let end = spelled.last().map_or(0, |w| w.end);
        let chars = spelled.iter().flat_map(|w| w.chars.iter().copied()).collect();
        words.push(Word { start, end, chars });
        spelled.clear();
    } else {
        words.append(spelled);
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    fn words_found(text: &str) -> Vec<String> {
        WordList::builtin().check(text).into_iter().map(|f| f.word).collect()
    }

    fn assert_clean(text: &str) {
        assert_eq!(WordList::builtin().check(text), vec![], "{text}");
    }

    #[test]
    fn the_dictionary_form_is_found() {
        assert_eq!(words_found("Tas ir sūds."), vec!["sūds"]);
        assert_eq!(words_found("Tu esi idiots"), vec!["idiots"]);
    }

    #[test]
    fn inflected_forms_are_found() {
        for word in [
            "sūdu", "sūdiem", "sūda", "sūdos", "idiotam", "idioti", "idiotiem", "debilais", "maukas",
        ] {
            assert_eq!(words_found(&format!("Nu gan {word} tur.")), vec![word], "{word}");
        }
    }

    #[test]
    fn case_does_not_hide_a_word() {
        assert_eq!(words_found("Sūds! IDIOTS. Idiotam."), vec!["Sūds", "IDIOTS", "Idiotam"]);
        assert_eq!(words_found("SŪDIEM"), vec!["SŪDIEM"]);
    }

    #[test]
    fn missing_diacritics_and_old_spellings_do_not_hide_a_word() {
        assert_eq!(words_found("suds, sudu, kretins"), vec!["suds", "sudu", "kretins"]);
        assert_eq!(words_found("suuds un iddiots"), vec!["suuds", "iddiots"]);
        assert_eq!(words_found("neegeris, chucka"), vec!["neegeris"]);
        assert_eq!(words_found("suchka"), vec!["suchka"]);
    }

    #[test]
    fn digits_and_symbols_for_letters_do_not_hide_a_word() {
        assert_eq!(words_found("tu 1d10ts"), vec!["1d10ts"]);
        assert_eq!(words_found("$ūds"), vec!["$ūds"]);
        assert_eq!(words_found("d3b1ls, m4uk@, id!ots"), vec!["d3b1ls", "m4uk@", "id!ots"]);
        // "1" read as l.
        assert_eq!(words_found("d3bi1s"), vec!["d3bi1s"]);
    }

    #[test]
    fn letters_spelled_apart_are_joined() {
        assert_eq!(words_found("tas ir s.ū.d.s!"), vec!["s.ū.d.s"]);
        assert_eq!(words_found("tu esi i d i o t s"), vec!["i d i o t s"]);
        assert_eq!(words_found("s-u-d-i un s_u_d_s"), vec!["s-u-d-i", "s_u_d_s"]);
        assert_eq!(words_found("s*u*d*s"), vec!["s*u*d*s"]);
    }

    #[test]
    fn only_three_or_more_lone_letters_with_one_separator_are_a_word() {
        assert_eq!(words_found("h u j"), vec!["h u j"]);
        // Initials, and letters set further apart, are ordinary text.
        assert_clean("A. B. Kalniņš un h  u  j");
    }

    #[test]
    fn an_asterisk_inside_a_word_stands_for_a_letter() {
        assert_eq!(words_found("id*ots, s*ds, sūd*m"), vec!["id*ots", "s*ds", "sūd*m"]);
        // Too much hidden to say.
        assert_clean("*d**ts, ***");
    }

    #[test]
    fn a_footnote_asterisk_or_an_exclamation_is_not_part_of_the_word() {
        let text = "*Idiots*! Sūds!!!";
        let found = WordList::builtin().check(text);
        assert_eq!(
            found.iter().map(|f| f.word.as_str()).collect::<Vec<_>>(),
            vec!["Idiots", "Sūds"]
        );
    }

    #[test]
    fn findings_are_the_original_spans_in_text_order() {
        let text = "Labdien! Jūsu dēls ir 1d10ts, un viņa darbs ir s.ū.d.s; SŪDIGS darbs.";
        let found = WordList::builtin().check(text);
        assert_eq!(
            found.iter().map(|f| f.word.as_str()).collect::<Vec<_>>(),
            vec!["1d10ts", "s.ū.d.s", "SŪDIGS"]
        );
        for finding in &found {
            assert_eq!(&text[finding.start..finding.end], finding.word);
        }
        assert!(found.windows(2).all(|pair| pair[0].end <= pair[1].start));
    }

    #[test]
    fn one_finding_per_word_however_many_entries_it_hits() {
        // "pidaras" is on the list, and so is "pidars", whose stem it also inflects.
        assert_eq!(WordList::builtin().check("pidaras").len(), 1);
    }

    #[test]
    fn decomposed_diacritics_and_cyrillic_are_read() {
        assert_eq!(words_found("su\u{304}ds"), vec!["su\u{304}ds"]);
        assert_eq!(words_found("ну ты сука, хуй"), vec!["сука", "хуй"]);
        // A Cyrillic "о" in a Latin word.
        assert_eq!(words_found("idiоts"), vec!["idiоts"]);
    }

    #[test]
    fn the_verbs_own_forms_are_found_but_not_those_of_braiding() {
        assert_eq!(words_found("pist, pisties, pisat"), vec!["pist", "pisties", "pisat"]);
        assert_clean("pīs, pīsi, pīšu, pīsim");
    }

    #[test]
    fn russian_and_short_words_are_found() {
        assert_eq!(
            words_found("bļ, blja, nahuj, pizdec, jobtvoj, huj"),
            vec!["bļ", "blja", "nahuj", "pizdec", "jobtvoj", "huj"]
        );
    }

    #[test]
    fn whole_word_entries_take_no_endings() {
        // "huj=" is whole-word: its stem must not reach longer words.
        assert_clean("hujs hujam");
        // Nor "suka=" the Latvian hairbrush's other forms.
        assert_clean("Paņemiet līdzi matu suku; sukas un ķemmes ir skapī.");
        assert_eq!(words_found("suka"), vec!["suka"]);
    }

    #[test]
    fn the_institutions_words_are_caught_with_their_inflections() {
        let list = WordList::builtin().with_extra(["muļķis", "  ", "# a comment", "ēzelis= # the whole word only"]);
        let found: Vec<String> = list
            .check("Tu esi muļķis, tie ir muļķi, muļķim to nesaki, MULKIEM? ēzelis, ēzelim")
            .into_iter()
            .map(|f| f.word)
            .collect();
        assert_eq!(found, vec!["muļķis", "muļķi", "muļķim", "MULKIEM", "ēzelis"]);
        // The default list still applies.
        assert_eq!(list.check("sūds").len(), 1);
        // And without the additions, none of it is found.
        assert_clean("Tu esi muļķis, ēzelis");
    }

    #[test]
    fn extra_words_can_be_owned_strings() {
        let extra = vec![String::from("cūka")];
        let list = WordList::builtin().with_extra(&extra);
        assert_eq!(list.check("Cūkas!").len(), 1);
    }

    #[test]
    fn ordinary_school_messages_are_clean() {
        for text in [
            "Sveiki, vecāki! Rīt matemātikas kontroldarbs, lūdzu atgādiniet par mājasdarbu.",
            "Sūdzība par ēdnīcu: zupa bija auksta, un bērni sūdzējās skolotājai.",
            "Lūdzu, nesūdzieties uz kaimiņiem; sūdzības iesniedziet direktorei rakstiski.",
            "Vēstures stundā runājām par pistoli un pistolēm Pirmajā pasaules karā.",
            "Bioloģijā pētījām sudraba kļavu; Sudānas karte un sudoku ir mājasdarbā.",
            "Jums ir labas idejas! Ideja par ekskursiju uz Siguldu patika visiem.",
            "Aizkari no kretona, debesis skaidras, pīrāgi un pistācijas klases ballītei.",
            "Šitas ir sešu lappušu darbs; šeit un tur jāaizpilda tabula, bla bla bla.",
            "Dauna sindroms: informatīvā diena par iekļaujošo izglītību ceturtdien.",
            "Lūdzu, uzmauciet bērniem cepures; jaka jāmauc virsū pirms pastaigas.",
            "Es dzirdēju, ka rīt būs dirižabļu izstāde un debilitātes tēma medicīnā nav jāapgūst.",
            "Hokeja treniņš pārcelts uz 17:30; nauda 5$ vai 5 €, tālr. 2 6 1 2 3 4 5 6.",
            "Fakti par sūkli: jūras sūkļi dzīvo ūdenī.",
            "Mācāmies locīt: sudrabs, sudraba, sudrabam. Vāgnera opera Lohengrīns un pasaka par lāci.",
            "e-pasts: janis.berzins@skola.lv, u.c. informācija t.i. pielikumā",
            "Mājturībā meitenes, šūdamas priekšautus, dziedāja; skola šūdina tērpus deju kolektīvam.",
            "Jāņos bērni pīs vainagus: es pīšu no ozollapām, tu pīsi no pļavas puķēm.",
            "Please sit down, take your pistol-shaped pencil case and listen to the teacher.",
        ] {
            assert_clean(text);
        }
    }
}
