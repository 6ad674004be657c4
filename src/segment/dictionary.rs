//! The segmentation dictionary: jieba user words and Chinese stopwords. The defaults are the
//! project's files in `corpora/dict/`, embedded in the binary; an index keeps a copy of the
//! dictionary it was built with, so queries are always segmented like the indexed text.

use std::collections::HashSet;
use std::path::Path;

use crate::error::{Error, Result};

/// File name of the user dictionary (`word [freq] [pos]` per line).
pub const USER_DICT: &str = "user.dict";
/// File name of the stopword list (one per line, `#` comments).
pub const STOPWORDS: &str = "stopwords.txt";

/// The text of a user dictionary and a stopword list.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Dictionary {
    /// jieba user dictionary text.
    pub user_dict: String,
    /// Stopword list text.
    pub stopwords: String,
}

impl Dictionary {
    /// The project's dictionary from `corpora/dict/`, compiled into the binary.
    pub fn embedded() -> Dictionary {
        Dictionary {
            user_dict: include_str!("../../corpora/dict/user.dict").to_string(),
            stopwords: include_str!("../../corpora/dict/stopwords.txt").to_string(),
        }
    }

    /// Loads `user.dict` and `stopwords.txt` from a directory (a missing file is an error).
    pub fn load(dir: &Path) -> Result<Dictionary> {
        let read = |name: &str| {
            let p = dir.join(name);
            std::fs::read_to_string(&p).map_err(|e| Error::Dictionary {
                path: p.clone(),
                message: e.to_string(),
            })
        };
        let dict = Dictionary {
            user_dict: read(USER_DICT)?,
            stopwords: read(STOPWORDS)?,
        };
        dict.validate(dir)?;
        Ok(dict)
    }

    /// Writes both files into `dir`.
    pub fn save(&self, dir: &Path) -> Result<()> {
        std::fs::create_dir_all(dir)?;
        std::fs::write(dir.join(USER_DICT), &self.user_dict)?;
        std::fs::write(dir.join(STOPWORDS), &self.stopwords)?;
        Ok(())
    }

    /// Checks that every user-dictionary line is `word [freq] [tag]` with a numeric frequency
    /// (what jieba requires of it); errors name `dir`'s `user.dict`.
    pub fn validate(&self, dir: &Path) -> Result<()> {
        for (i, line) in self.user_dict.lines().enumerate() {
            let mut parts = line.split_whitespace();
            if parts.next().is_none() {
                continue;
            }
            if let Some(freq) = parts.next() {
                if freq.parse::<usize>().is_err() {
                    return Err(Error::Dictionary {
                        path: dir.join(USER_DICT),
                        message: format!("line {}: frequency '{freq}' is not a number", i + 1),
                    });
                }
            }
        }
        Ok(())
    }

    /// The stopwords as a set (comments and blank lines skipped, entries normalised).
    pub fn stopword_set(&self) -> HashSet<String> {
        self.stopwords
            .lines()
            .map(str::trim)
            .filter(|l| !l.is_empty() && !l.starts_with('#'))
            .map(|l| super::normalize(l).into_owned())
            .collect()
    }
}
