//! The settings file `minyi.toml`: topic-graph thresholds, score weights and cue lexicons,
//! what makes a problem and its heat index, and the bulletin's fee rates and quotas. The
//! documented defaults ship as `corpora/config/minyi.toml` (compiled in; a test checks it
//! equals [`Config::default`]).
//! Every key is optional.

use std::path::{Path, PathBuf};

use serde::{Deserialize, Serialize};

use crate::item::Adoption;
use crate::topics::{HeatConfig, ProblemConfig, ScoreConfig, TopicConfig};
use crate::{Error, Result};

mod sections;
pub use sections::*;

/// The documented default settings file.
pub const DEFAULT_TOML: &str = include_str!("../../corpora/config/minyi.toml");

/// The variable naming a settings file.
pub const ENV: &str = "MINYI_CONFIG";

/// All settings.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
#[serde(default, deny_unknown_fields)]
pub struct Config {
    pub topics: TopicsSection,
    pub scores: ScoresSection,
    /// `[problems]`: what makes a problem (问题) — items about one estate, road, company or
    /// case.
    pub problems: ProblemConfig,
    /// `[hot]`: the heat index of problems (热度指数) and which are 热点.
    pub hot: HeatConfig,
    /// `[tracking]`: problems followed over time — statuses, alerts, replies.
    pub tracking: crate::problems::follow::TrackingConfig,
    pub bulletin: BulletinConfig,
    pub embedding: EmbeddingSection,
    /// Where the settings came from (`None`: the defaults).
    #[serde(skip)]
    pub source: Option<PathBuf>,
}

/// A settings error naming the file.
fn settings(path: &Path, message: String) -> Error {
    Error::Settings {
        path: path.to_path_buf(),
        message,
    }
}

impl Config {
    /// Parses settings from TOML text; `origin` names the file in errors.
    pub fn parse(text: &str, origin: &Path) -> Result<Config> {
        let mut cfg: Config =
            toml::from_str(text).map_err(|e| settings(origin, format!("invalid settings: {e}")))?;
        cfg.source = Some(origin.to_path_buf());
        cfg.validate(origin)?;
        Ok(cfg)
    }

    /// Loads the settings: `explicit` (--config), else $MINYI_CONFIG, else ./minyi.toml,
    /// else the defaults. A named file that does not exist is an error.
    pub fn load(explicit: Option<&Path>) -> Result<Config> {
        let named = explicit
            .map(Path::to_path_buf)
            .or_else(|| std::env::var_os(ENV).map(PathBuf::from));
        let path = match named {
            Some(p) => {
                if !p.is_file() {
                    return Err(settings(&p, "settings file not found".into()));
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
            .map_err(|e| settings(&path, format!("cannot read settings: {e}")))?;
        Config::parse(&text, &path)
    }

    fn validate(&self, origin: &Path) -> Result<()> {
        let bad = |what: &str| settings(origin, what.to_string());
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
        let k = &self.tracking;
        if k.new_days < 0
            || k.silent_days < 1
            || k.trend_days < 1
            || k.baseline_weeks < 1
            || k.alert_people < 1
            || k.rise_min < 1
        {
            return Err(bad(
                "[tracking] new_days must be at least 0; silent_days, trend_days, baseline_weeks, alert_people and rise_min at least 1",
            ));
        }
        if !k.rise_z.is_finite() || !(0.0..=1.0).contains(&k.reply_min_coverage) {
            return Err(bad(
                "[tracking] rise_z must be a number and reply_min_coverage lie between 0 and 1",
            ));
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
    fn lexicon(&self, path: &str) -> Result<Option<Vec<String>>> {
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
            .map_err(|e| settings(&p, format!("cannot read lexicon: {e}")))?;
        Ok(Some(crate::topics::score::lexicon(&text)))
    }

    /// The topic-mining settings these give (the command line may still override some).
    pub fn topic_config(&self) -> Result<TopicConfig> {
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
        let problems = ProblemConfig {
            heat: self.hot.clone(),
            ..self.problems.clone()
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

    /// The configured lexicon of solved-problem cues the annual bulletin looks for in
    /// feedback (好信息); `None`: the bulletin's own (`report::bulletin::default_solved_cues`).
    pub fn solved_cues(&self) -> Result<Option<Vec<String>>> {
        self.lexicon(&self.bulletin.solved_lexicon)
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
