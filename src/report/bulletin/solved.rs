//! Good items (好信息): the feedback cues that show a problem solved, and their negations.

/// The built-in solved cues (`corpora/lexicons/solved.txt`).
pub fn default_solved_cues() -> Vec<String> {
    crate::topics::score::lexicon(include_str!("../../../corpora/lexicons/solved.txt"))
}

/// Negations that, just before a cue in the same clause, undo it (尚未得到解决, 无法落实到位).
const NEGATIONS_BEFORE: [&str; 10] = [
    "未", "没", "无法", "不能", "不会", "不予", "难以", "有待", "并非", "不是",
];
/// Characters that, right after a cue, undo it (问题解决不了, 已整改不到位, 问题解决难).
const NEGATIONS_AFTER: [char; 3] = ['不', '未', '难'];
/// How many characters before a cue are searched for a negation.
const NEGATION_REACH: usize = 4;

/// The first cue of `cues` that occurs in `feedback` without a negation, if any. A cue is
/// negated when a negation stands within [`NEGATION_REACH`] characters before it in the same
/// clause (clauses end at punctuation), or right after it.
pub fn solved_cue<'a>(feedback: &str, cues: &'a [String]) -> Option<&'a str> {
    let clause_break = |c: char| "，。；！？、,.;!?\n\r".contains(c);
    cues.iter().map(String::as_str).find(|cue| {
        !cue.is_empty()
            && feedback.match_indices(cue).any(|(at, _)| {
                let before: String = feedback[..at]
                    .chars()
                    .rev()
                    .take_while(|c| !clause_break(*c))
                    .take(NEGATION_REACH)
                    .collect::<Vec<_>>()
                    .into_iter()
                    .rev()
                    .collect();
                let after = feedback[at + cue.len()..].chars().next();
                !NEGATIONS_BEFORE.iter().any(|n| before.contains(n))
                    && !after.is_some_and(|c| NEGATIONS_AFTER.contains(&c))
            })
    })
}
