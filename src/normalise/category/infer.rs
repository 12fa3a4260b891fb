//! Inference: the weighted phrases of [`VOCABULARY`] found in a record's name, description and
//! tags, stemmed per language, summed per category.
//!
//! Every text is folded (lowercase, accents removed, anything but letters and digits a
//! separator) and cut into words. A phrase of language `L` matches where its words, stemmed by
//! `L`'s Snowball stemmer, follow one another in the text's words stemmed the same way; an `x`
//! phrase where its words occur unchanged. Name, description and each tag are separate texts:
//! no phrase spans two. The phrases and their stems are compiled once ([`INDEX`]); a word is
//! stemmed only in the languages that have a phrase stem starting with its first three letters
//! (or equal to its first one or two).

use std::collections::HashMap;
use std::sync::LazyLock;

use rust_stemmers::{Algorithm, Stemmer};

use super::vocabulary::VOCABULARY;
use crate::normalise::country::fold;

/// Stemming languages, in the order of [`LANGS`]; `x` (exact) is the last slot.
const LANGS: [(&str, Option<Algorithm>); 7] = [
    ("en", Some(Algorithm::English)),
    ("fr", Some(Algorithm::French)),
    ("es", Some(Algorithm::Spanish)),
    ("it", Some(Algorithm::Italian)),
    ("de", Some(Algorithm::German)),
    ("pt", Some(Algorithm::Portuguese)),
    ("x", None),
];

/// One compiled phrase.
pub(super) struct Phrase {
    pub category: usize,
    pub weight: f32,
    /// As written in the vocabulary (`fr:budget participatif`).
    pub text: &'static str,
    stems: Vec<String>,
}

/// The compiled vocabulary.
pub(super) struct Index {
    pub phrases: Vec<Phrase>,
    stemmers: Vec<Option<Stemmer>>,
    /// First three letters of a phrase word (stemmed in its language) → bit set of languages.
    prefixes: HashMap<String, u8>,
    /// (language, first stem) → phrases starting with it.
    first: HashMap<(usize, String), Vec<usize>>,
    /// `tag:<id>` per category, the evidence of a tag that is the id.
    tag_labels: Vec<String>,
}

/// The first three characters of a word (all of it when shorter).
fn prefix(word: &str) -> &str {
    match word.char_indices().nth(3) {
        Some((i, _)) => &word[..i],
        None => word,
    }
}

/// Folded words of `text`.
pub(super) fn words(text: &str) -> Vec<String> {
    fold(text)
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_string)
        .collect()
}

impl Index {
    fn build() -> Index {
        let stemmers: Vec<Option<Stemmer>> =
            LANGS.iter().map(|(_, a)| a.map(Stemmer::create)).collect();
        let mut index = Index {
            phrases: Vec::new(),
            stemmers,
            prefixes: HashMap::new(),
            first: HashMap::new(),
            tag_labels: VOCABULARY.iter().map(|c| format!("tag:{}", c.id)).collect(),
        };
        for (category, c) in VOCABULARY.iter().enumerate() {
            for &(text, weight) in c.phrases {
                let (code, body) = text.split_once(':').expect("phrase is `lang:words`");
                let lang = LANGS
                    .iter()
                    .position(|(l, _)| *l == code)
                    .unwrap_or_else(|| panic!("unknown phrase language in `{text}`"));
                let stems: Vec<String> = words(body).iter().map(|w| index.stem(lang, w)).collect();
                assert!(!stems.is_empty(), "empty phrase `{text}`");
                for s in &stems {
                    *index.prefixes.entry(prefix(s).to_string()).or_default() |= 1 << lang;
                }
                index
                    .first
                    .entry((lang, stems[0].clone()))
                    .or_default()
                    .push(index.phrases.len());
                index.phrases.push(Phrase {
                    category,
                    weight,
                    text,
                    stems,
                });
            }
        }
        index
    }

    fn stem(&self, lang: usize, word: &str) -> String {
        match &self.stemmers[lang] {
            Some(s) => s.stem(word).into_owned(),
            None => word.to_string(),
        }
    }

    /// Every phrase found in `text`, with the (folded) word it starts at.
    fn matches(&self, text: &str, out: &mut Vec<(usize, String)>) {
        let words = words(text);
        // Per language, each word's stem, or None when no phrase word of that language
        // could be it.
        let mut stems: Vec<Vec<Option<String>>> = vec![vec![None; words.len()]; LANGS.len()];
        for (i, w) in words.iter().enumerate() {
            // A stem shorter than three letters is registered whole: look its length up too.
            let mask = w
                .char_indices()
                .skip(1)
                .take(2)
                .map(|(j, _)| &w[..j])
                .chain([prefix(w)])
                .filter_map(|p| self.prefixes.get(p))
                .fold(0, |m, &b| m | b);
            if mask == 0 {
                continue;
            }
            for (lang, slot) in stems.iter_mut().enumerate() {
                if mask & (1 << lang) != 0 {
                    slot[i] = Some(self.stem(lang, w));
                }
            }
        }
        for (lang, seq) in stems.iter().enumerate() {
            for (start, s) in seq.iter().enumerate() {
                let Some(s) = s else { continue };
                let Some(candidates) = self.first.get(&(lang, s.clone())) else {
                    continue;
                };
                for &p in candidates {
                    let phrase = &self.phrases[p];
                    let fits = phrase.stems.len() <= seq.len() - start
                        && phrase
                            .stems
                            .iter()
                            .zip(&seq[start..])
                            .all(|(want, got)| got.as_deref() == Some(want.as_str()));
                    if fits {
                        out.push((p, words[start].clone()));
                    }
                }
            }
        }
    }
}

/// The vocabulary's phrases, compiled on first use.
pub(super) static INDEX: LazyLock<Index> = LazyLock::new(Index::build);

/// One category's score in a record, and the phrases that gave it.
#[derive(Clone, Debug, PartialEq)]
pub struct Evidence {
    pub category: &'static str,
    pub score: f32,
    /// The phrases found (`fr:budget participatif`), strongest first; `tag:<id>` for a tag
    /// that is the category's id.
    pub phrases: Vec<&'static str>,
}

/// Scores every category over the texts given (name, description, tags: each a separate text),
/// strongest first; categories with no phrase found are left out. A phrase counts once
/// however often it occurs, and so does a word: of the phrases of a category starting at the
/// same word (anywhere in the texts) the heaviest counts (`en:consult` and
/// `fr:consultation` on `consultation`); negative phrases always count. A tag equal to a
/// category's id counts 1.0 (`tag:<id>`).
pub fn score(texts: &[&str], tags: &[String]) -> Vec<Evidence> {
    let index: &'static Index = &INDEX;
    // (phrase, the word it starts at)
    let mut found: Vec<(usize, String)> = Vec::new();
    for text in texts.iter().copied().chain(tags.iter().map(String::as_str)) {
        index.matches(text, &mut found);
    }
    let mut per: Vec<Option<Evidence>> = (0..VOCABULARY.len()).map(|_| None).collect();
    // Heavier first, so that at a shared start the heavier phrase is the one kept.
    found.sort_by(|a, b| {
        let (wa, wb) = (index.phrases[a.0].weight, index.phrases[b.0].weight);
        wb.total_cmp(&wa).then(a.cmp(b))
    });
    let mut used_phrase = vec![false; index.phrases.len()];
    let mut taken: Vec<(usize, String)> = Vec::new(); // (category, first word)
    for (p, word) in found {
        let phrase = &index.phrases[p];
        if used_phrase[p] {
            continue;
        }
        if phrase.weight > 0.0 {
            let key = (phrase.category, word);
            if taken.contains(&key) {
                continue;
            }
            taken.push(key);
        }
        used_phrase[p] = true;
        let e = per[phrase.category].get_or_insert_with(|| Evidence {
            category: VOCABULARY[phrase.category].id,
            score: 0.0,
            phrases: Vec::new(),
        });
        e.score += phrase.weight;
        e.phrases.push(phrase.text);
    }
    for t in tags {
        if let Some(i) = VOCABULARY.iter().position(|c| c.id == t) {
            let e = per[i].get_or_insert_with(|| Evidence {
                category: VOCABULARY[i].id,
                score: 0.0,
                phrases: Vec::new(),
            });
            e.score += 1.0;
            e.phrases.insert(0, index.tag_labels[i].as_str());
        }
    }
    let mut out: Vec<Evidence> = per.into_iter().flatten().collect();
    out.sort_by(|a, b| b.score.total_cmp(&a.score).then(a.category.cmp(b.category)));
    out
}
