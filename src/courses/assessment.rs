//! The assessment check: can a module's quiz be passed without knowing the answers? Pure
//! functions over a loaded course; `kiwi courses check` prints what they find.

use std::collections::{BTreeMap, BTreeSet};
use std::path::PathBuf;

use crate::courses::{Course, Module, ModuleText, Problem, QuestionKey};
use crate::domain::Language;

/// Words that make an option sound wrong (or right) to a guesser. If they appear only in
/// wrong options of a module, "never pick the absolute one" passes without knowing.
pub const ABSOLUTE_WORDS: &[&str] = &[
    "immer",
    "nie",
    "niemals",
    "ausschließlich",
    "grundsätzlich",
    "always",
    "never",
    "only",
    "all",
    "none",
];

/// Two question stems sharing this share of their words (Jaccard) are near-duplicates.
pub const NEAR_DUPLICATE: f64 = 0.8;

/// The highest acceptable odds, in percent, of passing a module without knowing.
#[derive(Debug, Clone, Copy, PartialEq)]
pub struct Limits {
    /// Always picking the longest option (ties at random).
    pub max_longest_percent: f64,
    /// Guessing at random.
    pub max_random_percent: f64,
}

impl Default for Limits {
    fn default() -> Self {
        Limits {
            max_longest_percent: 2.0,
            max_random_percent: 1.0,
        }
    }
}

/// The measured figures for one module in one language.
#[derive(Debug, Clone, PartialEq)]
pub struct ModuleOdds {
    pub course: String,
    /// The module's file name without `.md`, e.g. `01-was-ki-ist`.
    pub module: String,
    pub language: Language,
    /// The module's file in this language.
    pub path: PathBuf,
    pub questions: usize,
    pub drawn: usize,
    /// Right answers needed to pass an attempt.
    pub needed: usize,
    /// Single-choice questions, and those of them whose correct option is the strictly
    /// longest (multiple choice is left out: one option is never its whole answer).
    pub single_choice: usize,
    pub correct_longest: usize,
    /// Probability (0..1) of passing by guessing at random.
    pub random: f64,
    /// Probability (0..1) of passing by always picking the longest option.
    pub longest: f64,
}

/// Checks every module with a quiz, in every language of the course: the figures for each,
/// and every rule it breaks as `file:line: message` (the line of the question heading, or
/// of `## Quiz` for rules about the whole pool).
pub fn assess_course(course: &Course, limits: &Limits) -> (Vec<ModuleOdds>, Vec<Problem>) {
    let mut odds = Vec::new();
    let mut problems = Vec::new();
    for module in course.modules.iter().filter(|m| m.has_quiz()) {
        for (n, language) in course.languages.iter().enumerate() {
            let Some(text) = module.texts.get(language) else {
                continue;
            };
            let (figures, found) = assess_module(course, module, *language, text, limits, n == 0);
            odds.push(figures);
            problems.extend(found);
        }
    }
    (odds, problems)
}

fn assess_module(
    course: &Course,
    module: &Module,
    language: Language,
    text: &ModuleText,
    limits: &Limits,
    first_language: bool,
) -> (ModuleOdds, Vec<Problem>) {
    let mut problems = Vec::new();
    let mut at = |line: usize, message: String| {
        problems.push(Problem {
            path: text.source.clone(),
            line,
            message,
        })
    };
    let pool = module.questions.len();
    let drawn = match course.questions_per_attempt {
        0 => pool,
        n => n.min(pool),
    };
    let needed = needed_to_pass(drawn, course.pass_percent);
    let mut random = Vec::with_capacity(pool);
    let mut longest = Vec::with_capacity(pool);
    let mut correct_longest = 0;
    let mut single_choice = 0;
    for (key, question) in module.questions.iter().zip(&text.questions) {
        let lengths: Vec<usize> = question
            .options_plain
            .iter()
            .map(|o| o.chars().count())
            .collect();
        if !key.is_multiple_choice() && key.options < 3 {
            at(
                question.line,
                format!(
                    "a single-choice question needs at least 3 options (this one has {})",
                    key.options
                ),
            );
        }
        if !key.is_multiple_choice() {
            single_choice += 1;
        }
        if let Some(option) = strictly_longest(&lengths)
            && !key.is_multiple_choice()
            && key.correct.contains(&option)
        {
            correct_longest += 1;
            at(
                question.line,
                format!(
                    "the correct option is the strictly longest ({} characters): guessers pick it",
                    lengths[option]
                ),
            );
        }
        random.push(guess_probability(key));
        longest.push(longest_probability(key, &lengths));
        match &question.review {
            None => at(
                question.line,
                "the explanation must end with a link to the lesson section it tests, e.g. \"Nachlesen: [Abschnitt](#anker)\"".into(),
            ),
            Some(anchor) if text.section(anchor).is_none() => at(
                question.line,
                format!(
                    "the explanation links to #{anchor}, but no heading of this module has that anchor (it has: {})",
                    text.sections
                        .iter()
                        .map(|s| format!("#{}", s.anchor))
                        .collect::<Vec<_>>()
                        .join(", ")
                ),
            ),
            Some(_) => {}
        }
    }

    for (line, word) in absolute_only_in_wrong(&module.questions, text) {
        at(
            line,
            format!(
                "\"{word}\" appears only in wrong options of this module: guessers learn to avoid it"
            ),
        );
    }
    for (n, later) in text.questions.iter().enumerate() {
        if let Some(earlier) = text.questions[..n]
            .iter()
            .find(|earlier| similarity(&earlier.plain, &later.plain) >= NEAR_DUPLICATE)
        {
            at(
                later.line,
                format!(
                    "the question is nearly the same as the one at line {}",
                    earlier.line
                ),
            );
        }
    }

    let figures = ModuleOdds {
        course: course.id.clone(),
        module: text
            .source
            .file_stem()
            .map(|s| s.to_string_lossy().into_owned())
            .unwrap_or_else(|| module.id.clone()),
        language,
        path: text.source.clone(),
        questions: pool,
        drawn,
        needed,
        single_choice,
        correct_longest,
        random: pass_probability(&random, drawn, needed),
        longest: pass_probability(&longest, drawn, needed),
    };
    if first_language {
        if pool < 2 * drawn {
            at(
                text.quiz_line,
                format!(
                    "the pool has {pool} questions; at least twice the {drawn} drawn per attempt ({}) are needed, so that a second attempt is not the first again",
                    2 * drawn
                ),
            );
        }
        if figures.random * 100.0 > limits.max_random_percent {
            at(
                text.quiz_line,
                format!(
                    "guessing at random passes {} of attempts (at most {} % allowed)",
                    percent(figures.random),
                    limits.max_random_percent
                ),
            );
        }
    }
    if figures.longest * 100.0 > limits.max_longest_percent {
        at(
            text.quiz_line,
            format!(
                "always picking the longest option passes {} of attempts (at most {} % allowed)",
                percent(figures.longest),
                limits.max_longest_percent
            ),
        );
    }
    (figures, problems)
}

/// A probability as people read it: "0.42 %".
pub fn percent(probability: f64) -> String {
    let value = probability * 100.0;
    if value > 0.0 && value < 0.01 {
        format!("{value:.4} %")
    } else {
        format!("{value:.2} %")
    }
}

/// Right answers needed of `drawn`, graded as kiwi grades: whole percent, rounded down.
pub fn needed_to_pass(drawn: usize, pass_percent: u32) -> usize {
    let pass = pass_percent as usize;
    (0..=drawn)
        .find(|right| right * 100 / drawn.max(1) >= pass)
        .unwrap_or(drawn)
}

/// The option that is longer than every other one, if there is one.
pub fn strictly_longest(lengths: &[usize]) -> Option<usize> {
    let max = *lengths.iter().max()?;
    let mut at_max = lengths.iter().enumerate().filter(|(_, l)| **l == max);
    let (first, _) = at_max.next()?;
    at_max.next().is_none().then_some(first)
}

/// The chance that a random answer is right: one of m options for single choice; a
/// uniformly random non-empty subset for multiple choice.
pub fn guess_probability(key: &QuestionKey) -> f64 {
    let m = key.options.min(60) as i32;
    if m == 0 {
        return 0.0;
    }
    if key.is_multiple_choice() {
        1.0 / (2f64.powi(m) - 1.0)
    } else {
        1.0 / f64::from(m)
    }
}

/// The chance that picking the longest option (ties at random) is right. For multiple
/// choice, picking one option is never the whole answer.
pub fn longest_probability(key: &QuestionKey, lengths: &[usize]) -> f64 {
    if key.is_multiple_choice() {
        return 0.0;
    }
    let Some(max) = lengths.iter().max() else {
        return 0.0;
    };
    let ties: Vec<usize> = (0..lengths.len()).filter(|i| lengths[*i] == *max).collect();
    match key.correct.first() {
        Some(correct) if ties.contains(correct) => 1.0 / ties.len() as f64,
        _ => 0.0,
    }
}

/// The exact chance of at least `needed` right answers when `drawn` questions are drawn
/// uniformly without replacement from a pool whose questions are answered right with the
/// given chances: a sum over all draws, computed by dynamic programming over the questions.
pub fn pass_probability(chances: &[f64], drawn: usize, needed: usize) -> f64 {
    if drawn > chances.len() {
        return 0.0;
    }
    // ways[j][c]: summed over every choice of j questions so far, the chance of c right.
    let mut ways = vec![vec![0.0f64; drawn + 1]; drawn + 1];
    ways[0][0] = 1.0;
    for (seen, p) in chances.iter().enumerate() {
        for j in (0..drawn.min(seen + 1)).rev() {
            for c in (0..=j).rev() {
                let here = ways[j][c];
                if here == 0.0 {
                    continue;
                }
                ways[j + 1][c + 1] += here * p;
                ways[j + 1][c] += here * (1.0 - p);
            }
        }
    }
    let all: f64 = ways[drawn].iter().sum();
    if all == 0.0 {
        return 0.0;
    }
    ways[drawn][needed.min(drawn + 1)..].iter().sum::<f64>() / all
}

/// The share of words two question stems have in common (Jaccard, over lower-case words).
pub fn similarity(a: &str, b: &str) -> f64 {
    let (a, b) = (words(a), words(b));
    if a.is_empty() && b.is_empty() {
        return 1.0;
    }
    let shared = a.intersection(&b).count();
    shared as f64 / a.union(&b).count() as f64
}

fn words(text: &str) -> BTreeSet<String> {
    text.to_lowercase()
        .split(|c: char| !c.is_alphanumeric())
        .filter(|w| !w.is_empty())
        .map(str::to_owned)
        .collect()
}

/// (line, word) for each question where an absolute word appears in a wrong option while
/// no correct option of the module has it.
fn absolute_only_in_wrong(keys: &[QuestionKey], text: &ModuleText) -> Vec<(usize, &'static str)> {
    let mut in_correct: BTreeSet<&str> = BTreeSet::new();
    let mut in_wrong: BTreeMap<&str, Vec<usize>> = BTreeMap::new();
    for (key, question) in keys.iter().zip(&text.questions) {
        for (n, option) in question.options_plain.iter().enumerate() {
            let found = words(option);
            for word in ABSOLUTE_WORDS.iter().filter(|w| found.contains(**w)) {
                if key.correct.contains(&n) {
                    in_correct.insert(word);
                } else {
                    let lines = in_wrong.entry(word).or_default();
                    if !lines.contains(&question.line) {
                        lines.push(question.line);
                    }
                }
            }
        }
    }
    let mut found = Vec::new();
    for word in ABSOLUTE_WORDS {
        if in_correct.contains(word) {
            continue;
        }
        for line in in_wrong.get(word).into_iter().flatten() {
            found.push((*line, *word));
        }
    }
    found.sort();
    found
}

#[cfg(test)]
mod tests {
    use super::*;

    fn key(options: usize, correct: &[usize]) -> QuestionKey {
        QuestionKey {
            options,
            correct: correct.to_vec(),
        }
    }

    fn binomial(n: u64, k: u64) -> f64 {
        (0..k).fold(1.0, |acc, i| acc * (n - i) as f64 / (i + 1) as f64)
    }

    #[test]
    fn kiwi_grading_needs_five_of_six_and_four_of_five_at_eighty_percent() {
        assert_eq!(needed_to_pass(6, 80), 5);
        assert_eq!(needed_to_pass(5, 80), 4);
        assert_eq!(needed_to_pass(2, 80), 2);
        assert_eq!(needed_to_pass(10, 100), 10);
    }

    #[test]
    fn equal_chances_give_the_binomial_tail() {
        // Every question right with 1/4: at least 5 of 6 right.
        let p: f64 = 0.25;
        let expected = binomial(6, 5) * p.powi(5) * (1.0 - p) + p.powi(6);
        let found = pass_probability(&[p; 12], 6, 5);
        assert!((found - expected).abs() < 1e-12, "{found} vs {expected}");
    }

    #[test]
    fn the_draw_without_replacement_is_counted_exactly() {
        // Pool of 4: two always right, two never. Draw 2, need 2: only the one draw of both
        // sure questions passes, 1 of C(4,2) = 6.
        let found = pass_probability(&[1.0, 1.0, 0.0, 0.0], 2, 2);
        assert!((found - 1.0 / 6.0).abs() < 1e-12, "{found}");
        // Need 1 of 2: every draw but the one of both impossible questions, 5 of 6.
        let found = pass_probability(&[1.0, 1.0, 0.0, 0.0], 2, 1);
        assert!((found - 5.0 / 6.0).abs() < 1e-12, "{found}");
        // Drawing all questions.
        let found = pass_probability(&[0.5, 0.5], 2, 2);
        assert!((found - 0.25).abs() < 1e-12, "{found}");
    }

    #[test]
    fn guessing_picks_one_option_or_a_random_non_empty_subset() {
        assert_eq!(guess_probability(&key(4, &[2])), 0.25);
        assert_eq!(guess_probability(&key(4, &[0, 3])), 1.0 / 15.0);
        assert_eq!(guess_probability(&key(5, &[0, 1, 3])), 1.0 / 31.0);
    }

    #[test]
    fn picking_the_longest_shares_ties_and_never_solves_multiple_choice() {
        assert_eq!(longest_probability(&key(4, &[1]), &[5, 20, 7, 9]), 1.0);
        assert_eq!(longest_probability(&key(4, &[1]), &[20, 20, 7, 9]), 0.5);
        assert_eq!(longest_probability(&key(4, &[2]), &[20, 20, 7, 9]), 0.0);
        assert_eq!(longest_probability(&key(4, &[1, 2]), &[5, 20, 7, 9]), 0.0);
        assert_eq!(strictly_longest(&[5, 20, 7]), Some(1));
        assert_eq!(strictly_longest(&[20, 20, 7]), None);
    }

    #[test]
    fn near_duplicate_stems_share_most_of_their_words() {
        assert!(
            similarity(
                "Darf Frau Ahmadi im Sozialamt den Bescheid mit KI schreiben?",
                "Darf Frau Ahmadi im Sozialamt den Bescheid mit der KI schreiben?"
            ) >= NEAR_DUPLICATE
        );
        assert!(
            similarity(
                "Darf Frau Ahmadi im Sozialamt den Bescheid mit KI schreiben?",
                "Was prüft die Vergabestelle, bevor sie ein KI-Werkzeug beschafft?"
            ) < NEAR_DUPLICATE
        );
    }
}
