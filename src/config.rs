//! The settings file `minyi.toml`: topic-graph thresholds, score weights and cue lexicons,
//! what makes a problem and its heat index, and the bulletin's fee rates and quotas. The
//! documented defaults ship as `corpora/config/minyi.toml` (compiled in; a test checks it
//! equals [`Config::default`]).
//! Every key is optional.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::item::Adoption;
use crate::topics::{HeatConfig, ProblemConfig, ScoreConfig, TopicConfig};

/// The documented default settings file.
pub const DEFAULT_TOML: &str = include_str!("../corpora/config/minyi.toml");

/// The variable naming a settings file.
pub const ENV: &str = "MINYI_CONFIG";

/// All settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub topics: TopicsSection,
    pub scores: ScoresSection,
    pub problems: ProblemsSection,
    pub hot: HotSection,
    pub bulletin: BulletinConfig,
    pub embedding: EmbeddingSection,
    /// Where the settings came from (`None`: the defaults).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

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

/// `[problems]`: what makes a problem (问题) — items about one estate, road, company or case.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct ProblemsSection {
    pub enabled: bool,
    pub min_items: usize,
    pub min_submitters: usize,
    pub place_similarity: f32,
    pub group_similarity: f32,
    pub difficult_months: usize,
    pub time_neighbours: usize,
    pub max_names_per_key: usize,
}

impl Default for ProblemsSection {
    fn default() -> Self {
        let p = ProblemConfig::default();
        ProblemsSection {
            enabled: p.enabled,
            min_items: p.min_items,
            min_submitters: p.min_submitters,
            place_similarity: p.place_similarity,
            group_similarity: p.group_similarity,
            difficult_months: p.difficult_months,
            time_neighbours: p.time_neighbours,
            max_names_per_key: p.max_names_per_key,
        }
    }
}

/// `[hot]`: the heat index of problems (热度指数) and which are 热点.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
#[serde(default, deny_unknown_fields)]
pub struct HotSection {
    pub w_engagement: f64,
    pub w_concentration: f64,
    pub w_recency: f64,
    pub w_growth: f64,
    pub engagement_full: f64,
    pub concentration_full: f64,
    pub growth_full: f64,
    pub hot_top: usize,
    pub hot_share: f64,
}

impl Default for HotSection {
    fn default() -> Self {
        let h = HeatConfig::default();
        HotSection {
            w_engagement: h.w_engagement,
            w_concentration: h.w_concentration,
            w_recency: h.w_recency,
            w_growth: h.w_growth,
            engagement_full: h.engagement_full,
            concentration_full: h.concentration_full,
            growth_full: h.growth_full,
            hot_top: h.hot_top,
            hot_share: h.hot_share,
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

impl Config {
    /// Parses settings from TOML text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &Path) -> anyhow::Result<Config> {
        let mut cfg: Config = toml::from_str(text)
            .map_err(|e| anyhow::anyhow!("{}: invalid settings: {e}", origin.display()))?;
        cfg.source = Some(origin.to_path_buf());
        cfg.validate(origin)?;
        Ok(cfg)
    }

    /// Loads the settings: `explicit` (--config), else $MINYI_CONFIG, else ./minyi.toml,
    /// else the defaults. A named file that does not exist is an error.
    pub fn load(explicit: Option<&Path>) -> anyhow::Result<Config> {
        let named = explicit
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(ENV).map(PathBuf::from));
        let path = match named {
            Some(p) => {
                if !p.is_file() {
                    anyhow::bail!("{}: settings file not found", p.display());
                }
                p
            }
            None => {
                let local = PathBuf::from("minyi.toml");
                if !local.is_file() {
                    return Ok(Config::default());
                }
                local
            }
        };
        let text = std::fs::read_to_string(&path)
            .map_err(|e| anyhow::anyhow!("{}: cannot read settings: {e}", path.display()))?;
        Config::parse(&text, &path)
    }

    fn validate(&self, origin: &Path) -> anyhow::Result<()> {
        let bad = |what: &str| anyhow::anyhow!("{}: {what}", origin.display());
        let t = &self.topics;
        if !(0.0..=1.0).contains(&t.min_similarity)
            || !(0.0..=1.0).contains(&t.duplicate_similarity)
        {
            return Err(bad("[topics] similarities must lie between 0 and 1"));
        }
        if !(0.0..=1.0).contains(&self.embedding.duplicate_similarity) {
            return Err(bad(
                "[embedding] duplicate_similarity must lie between 0 and 1",
            ));
        }
        if t.sample_size < 1_000 {
            return Err(bad("[topics] sample_size must be at least 1000"));
        }
        if t.consensus_runs == 0 {
            return Err(bad("[topics] consensus_runs must be at least 1"));
        }
        let s = &self.scores;
        if s.growth_full <= 1.0 {
            return Err(bad("[scores] growth_full must be above 1"));
        }
        if s.submitters_full <= 0.0
            || s.sectors_full <= 0.0
            || s.difficult_cue_full.is_nan()
            || s.difficult_cue_full <= 0.0
        {
            return Err(bad(
                "[scores] submitters_full, sectors_full and difficult_cue_full must be positive",
            ));
        }
        let weights = [
            s.hot.volume,
            s.hot.submitters,
            s.hot.sectors,
            s.hot.likes,
            s.difficult.persistence,
            s.difficult.cues,
            s.difficult.without_feedback,
            s.highlight.cues,
            s.highlight.adopted,
            s.highlight.instructed,
        ];
        if weights.iter().any(|w| !w.is_finite() || *w < 0.0) {
            return Err(bad("[scores] weights must be non-negative numbers"));
        }
        let p = &self.problems;
        if p.min_items < 2 {
            return Err(bad("[problems] min_items must be at least 2"));
        }
        if p.min_submitters == 0
            || p.time_neighbours == 0
            || p.max_names_per_key == 0
            || p.difficult_months == 0
        {
            return Err(bad(
                "[problems] min_submitters, difficult_months, time_neighbours and max_names_per_key must be at least 1",
            ));
        }
        if !(0.0..=1.0).contains(&p.place_similarity) || !(0.0..=1.0).contains(&p.group_similarity)
        {
            return Err(bad(
                "[problems] place_similarity and group_similarity must lie between 0 and 1",
            ));
        }
        let h = &self.hot;
        if [h.w_engagement, h.w_concentration, h.w_recency, h.w_growth]
            .iter()
            .any(|w| !w.is_finite() || *w < 0.0)
        {
            return Err(bad(
                "[hot] w_engagement, w_concentration, w_recency and w_growth must be non-negative numbers",
            ));
        }
        let positive = |x: f64| x.is_finite() && x > 0.0;
        if !positive(h.engagement_full) || !positive(h.concentration_full) {
            return Err(bad(
                "[hot] engagement_full and concentration_full must be positive",
            ));
        }
        if !(h.growth_full.is_finite() && h.growth_full > 1.0) {
            return Err(bad("[hot] growth_full must be above 1"));
        }
        if h.hot_top == 0 {
            return Err(bad("[hot] hot_top must be at least 1"));
        }
        if !(0.0..=1.0).contains(&h.hot_share) {
            return Err(bad("[hot] hot_share must lie between 0 and 1"));
        }
        let b = &self.bulletin;
        let fees = [
            b.fee_county,
            b.fee_city,
            b.fee_province,
            b.fee_national,
            b.instruction_multiplier,
        ];
        if fees.iter().any(|f| !f.is_finite() || *f < 0.0) {
            return Err(bad(
                "[bulletin] fees and the multiplier must be non-negative numbers",
            ));
        }
        if b.quota_level == Adoption::None {
            return Err(bad(
                "[bulletin] quota_level must be county, city, province or national",
            ));
        }
        Ok(())
    }

    /// Resolves a lexicon path against the settings file's folder.
    fn lexicon(&self, path: &str) -> anyhow::Result<Option<Vec<String>>> {
        if path.trim().is_empty() {
            return Ok(None);
        }
        let base = self
            .source
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        let p = base.join(path);
        let text = std::fs::read_to_string(&p)
            .map_err(|e| anyhow::anyhow!("{}: cannot read lexicon: {e}", p.display()))?;
        Ok(Some(crate::topics::score::lexicon(&text)))
    }

    /// The topic-mining settings these give (the command line may still override some).
    pub fn topic_config(&self) -> anyhow::Result<TopicConfig> {
        let s = &self.scores;
        let mut score = ScoreConfig {
            growth_full: s.growth_full,
            submitters_full: s.submitters_full,
            sectors_full: s.sectors_full,
            difficult_cue_full: s.difficult_cue_full,
            hot_weights: [s.hot.volume, s.hot.submitters, s.hot.sectors, s.hot.likes],
            difficult_weights: [
                s.difficult.persistence,
                s.difficult.cues,
                s.difficult.without_feedback,
            ],
            highlight_weights: [
                s.highlight.cues,
                s.highlight.adopted,
                s.highlight.instructed,
            ],
            class_threshold: s.class_threshold,
            ..ScoreConfig::default()
        };
        if let Some(l) = self.lexicon(&s.difficulty_lexicon)? {
            score.difficulty_cues = l;
        }
        if let Some(l) = self.lexicon(&s.highlight_lexicon)? {
            score.highlight_cues = l;
        }
        let (p, h) = (&self.problems, &self.hot);
        let problems = ProblemConfig {
            enabled: p.enabled,
            min_items: p.min_items,
            min_submitters: p.min_submitters,
            place_similarity: p.place_similarity,
            group_similarity: p.group_similarity,
            difficult_months: p.difficult_months,
            time_neighbours: p.time_neighbours,
            max_names_per_key: p.max_names_per_key,
            heat: HeatConfig {
                w_engagement: h.w_engagement,
                w_concentration: h.w_concentration,
                w_recency: h.w_recency,
                w_growth: h.w_growth,
                engagement_full: h.engagement_full,
                concentration_full: h.concentration_full,
                growth_full: h.growth_full,
                hot_top: h.hot_top,
                hot_share: h.hot_share,
            },
        };
        let t = &self.topics;
        Ok(TopicConfig {
            problems,
            min_similarity: t.min_similarity,
            duplicate_similarity: t.duplicate_similarity,
            consensus_runs: t.consensus_runs,
            neighbours: (t.neighbours > 0).then_some(t.neighbours),
            min_size: (t.min_size > 0).then_some(t.min_size),
            sample_size: t.sample_size,
            function_word_tags: t.function_word_tags.clone(),
            score,
            semantic_duplicate_similarity: self.embedding.duplicate_similarity,
            ..TopicConfig::default()
        })
    }

    /// The cues of solved problems the annual bulletin looks for in feedback (好信息).
    pub fn solved_cues(&self) -> anyhow::Result<Vec<String>> {
        Ok(self
            .lexicon(&self.bulletin.solved_lexicon)?
            .unwrap_or_else(crate::report::bulletin::default_solved_cues))
    }

    /// The configured model directory (relative to the config file), if any.
    pub fn model_dir(&self) -> Option<PathBuf> {
        let m = self.embedding.model.trim();
        if m.is_empty() {
            return None;
        }
        let base = self
            .source
            .as_deref()
            .and_then(Path::parent)
            .unwrap_or(Path::new("."));
        Some(base.join(m))
    }
}

#[cfg(test)]
mod tests {
    use super::*;

    #[test]
    fn shipped_file_documents_the_defaults() {
        let parsed = Config::parse(DEFAULT_TOML, Path::new("corpora/config/minyi.toml")).unwrap();
        assert_eq!(
            Config {
                source: None,
                ..parsed
            },
            Config::default()
        );
    }

    #[test]
    fn partial_files_keep_other_defaults_and_typos_are_refused() {
        let c = Config::parse(
            "[bulletin]\nfee_province = 150\n[scores.hot]\nlikes = 0.0\n",
            Path::new("x.toml"),
        )
        .unwrap();
        assert_eq!(c.bulletin.fee_province, 150.0);
        assert_eq!(c.bulletin.fee_city, 100.0);
        assert_eq!(c.scores.hot.likes, 0.0);
        assert_eq!(c.scores.hot.volume, 0.4);
        assert_eq!(c.bulletin.fee(Adoption::City, true), 200.0);
        assert_eq!(c.bulletin.fee(Adoption::None, true), 0.0);
        let err = Config::parse("[bulletin]\nfee_provnce = 150\n", Path::new("x.toml"))
            .unwrap_err()
            .to_string();
        assert!(
            err.contains("x.toml") && err.contains("fee_provnce"),
            "{err}"
        );
        let err = Config::parse("[scores]\ngrowth_full = 0.5\n", Path::new("y.toml"))
            .unwrap_err()
            .to_string();
        assert!(err.contains("growth_full"), "{err}");
    }

    #[test]
    fn problem_and_heat_settings_reach_the_topic_config_and_are_checked() {
        let c = Config::parse(
            "[problems]\nmin_items = 4\nplace_similarity = 0.3\nenabled = false\n[hot]\nw_growth = 0.5\nhot_top = 3\n",
            Path::new("x.toml"),
        )
        .unwrap();
        let t = c.topic_config().unwrap();
        assert_eq!(t.problems.min_items, 4);
        assert_eq!(t.problems.place_similarity, 0.3);
        assert_eq!(t.problems.min_submitters, 2);
        assert!(!t.problems.enabled);
        assert_eq!(t.problems.group_similarity, 0.2);
        assert_eq!(t.problems.heat.w_growth, 0.5);
        assert_eq!(t.problems.heat.hot_top, 3);
        assert_eq!(t.problems.heat.w_engagement, 0.5);
        for (text, key) in [
            ("[problems]\nmin_items = 1\n", "min_items"),
            ("[problems]\nplace_similarity = 1.5\n", "place_similarity"),
            ("[problems]\ngroup_similarity = -0.1\n", "group_similarity"),
            ("[problems]\ntime_neighbours = 0\n", "time_neighbours"),
            ("[hot]\nw_recency = -1\n", "w_recency"),
            ("[hot]\ngrowth_full = 1\n", "growth_full"),
            ("[hot]\nengagement_full = 0\n", "engagement_full"),
            ("[hot]\nhot_top = 0\n", "hot_top"),
            ("[hot]\nhot_share = 2\n", "hot_share"),
            ("[hot]\nhot_shar = 0.5\n", "hot_shar"),
        ] {
            let err = Config::parse(text, Path::new("z.toml"))
                .unwrap_err()
                .to_string();
            assert!(err.contains("z.toml") && err.contains(key), "{text}: {err}");
        }
    }
}
