//! The sections of `minyi.toml` as they read: each key optional, its default the library's.

use serde::{Deserialize, Serialize};

use crate::item::Adoption;
use crate::topics::{ScoreConfig, TopicConfig};

/// `[topics]`: the similarity graph and clustering.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct TopicsSection {
    pub min_similarity: f32,
    pub duplicate_similarity: f32,
    pub consensus_runs: usize,
    /// 0 = automatic.
    pub neighbours: usize,
    /// 0 = automatic.
    pub min_size: usize,
    pub sample_size: usize,
    pub function_word_tags: Vec<String>,
}

impl Default for TopicsSection {
    fn default() -> Self {
        let t = TopicConfig::default();
        TopicsSection {
            min_similarity: t.min_similarity,
            duplicate_similarity: t.duplicate_similarity,
            consensus_runs: t.consensus_runs,
            neighbours: 0,
            min_size: 0,
            sample_size: t.sample_size,
            function_word_tags: t.function_word_tags,
        }
    }
}

/// `[embedding]`: the optional sentence-embedding model (semantic topics, hybrid search).
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct EmbeddingSection {
    /// Model directory ("" = none; paths are relative to the config file).
    pub model: String,
    /// `full` or `static`.
    pub mode: crate::embed::Mode,
    /// Cosine of embeddings from which two items are near-duplicates.
    pub duplicate_similarity: f32,
}

impl Default for EmbeddingSection {
    fn default() -> Self {
        EmbeddingSection {
            model: String::new(),
            mode: crate::embed::Mode::Full,
            duplicate_similarity: TopicConfig::default().semantic_duplicate_similarity,
        }
    }
}

/// `[scores]`: weights and thresholds of hot, difficult and highlight.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ScoresSection {
    pub class_threshold: f64,
    pub growth_full: f64,
    pub submitters_full: f64,
    pub sectors_full: f64,
    pub difficult_cue_full: f64,
    /// Path of a difficulty-cue lexicon ("" = built in).
    pub difficulty_lexicon: String,
    /// Path of a positive-practice-cue lexicon ("" = built in).
    pub highlight_lexicon: String,
    pub hot: HotWeights,
    pub difficult: DifficultWeights,
    pub highlight: HighlightWeights,
}

/// `[scores.hot]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HotWeights {
    pub volume: f64,
    pub submitters: f64,
    pub sectors: f64,
    pub likes: f64,
}

/// `[scores.difficult]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct DifficultWeights {
    pub persistence: f64,
    pub cues: f64,
    pub without_feedback: f64,
}

/// `[scores.highlight]`.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HighlightWeights {
    pub cues: f64,
    pub adopted: f64,
    pub instructed: f64,
}

impl Default for ScoresSection {
    fn default() -> Self {
        let s = ScoreConfig::default();
        ScoresSection {
            class_threshold: s.class_threshold,
            growth_full: s.growth_full,
            submitters_full: s.submitters_full,
            sectors_full: s.sectors_full,
            difficult_cue_full: s.difficult_cue_full,
            difficulty_lexicon: String::new(),
            highlight_lexicon: String::new(),
            hot: HotWeights::default(),
            difficult: DifficultWeights::default(),
            highlight: HighlightWeights::default(),
        }
    }
}

impl Default for HotWeights {
    fn default() -> Self {
        let [volume, submitters, sectors, likes] = ScoreConfig::default().hot_weights;
        HotWeights {
            volume,
            submitters,
            sectors,
            likes,
        }
    }
}

impl Default for DifficultWeights {
    fn default() -> Self {
        let [persistence, cues, without_feedback] = ScoreConfig::default().difficult_weights;
        DifficultWeights {
            persistence,
            cues,
            without_feedback,
        }
    }
}

impl Default for HighlightWeights {
    fn default() -> Self {
        let [cues, adopted, instructed] = ScoreConfig::default().highlight_weights;
        HighlightWeights {
            cues,
            adopted,
            instructed,
        }
    }
}

/// `[bulletin]`: fee rates (稿酬), the monthly quota and the excellent-officer rule.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct BulletinConfig {
    pub fee_county: f64,
    pub fee_city: f64,
    pub fee_province: f64,
    pub fee_national: f64,
    pub instruction_multiplier: f64,
    pub monthly_quota: usize,
    /// What the monthly quota counts: every submitted item, or adopted ones only.
    pub quota_basis: QuotaBasis,
    pub quota_level: Adoption,
    pub excellent_min_submitted: usize,
    pub excellent_min_adopted: usize,
    /// Path of a solved-cue lexicon for good items (好信息) ("" = built in).
    pub solved_lexicon: String,
}

/// What the bulletin's monthly quota counts.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize, Default)]
#[serde(rename_all = "lowercase")]
pub enum QuotaBasis {
    /// Every item an officer submitted.
    #[default]
    Submitted,
    /// Items adopted at `quota_level` or higher.
    Adopted,
}

impl QuotaBasis {
    /// How the bulletin names the basis.
    pub fn label_zh(self) -> &'static str {
        match self {
            QuotaBasis::Submitted => "按报送条数计",
            QuotaBasis::Adopted => "按采用条数计",
        }
    }
}

impl Default for BulletinConfig {
    fn default() -> Self {
        BulletinConfig {
            fee_county: 30.0,
            fee_city: 100.0,
            fee_province: 200.0,
            fee_national: 300.0,
            instruction_multiplier: 2.0,
            monthly_quota: 1,
            quota_basis: QuotaBasis::Submitted,
            quota_level: Adoption::County,
            excellent_min_submitted: 5,
            excellent_min_adopted: 3,
            solved_lexicon: String::new(),
        }
    }
}

impl BulletinConfig {
    /// The fee for one item adopted at `level` (0 when not adopted), with the multiplier
    /// when a leader instructed on it.
    pub fn fee(&self, level: Adoption, instructed: bool) -> f64 {
        let base = match level {
            Adoption::None => 0.0,
            Adoption::County => self.fee_county,
            Adoption::City => self.fee_city,
            Adoption::Province => self.fee_province,
            Adoption::National => self.fee_national,
        };
        if instructed && base > 0.0 {
            base * self.instruction_multiplier
        } else {
            base
        }
    }
}
