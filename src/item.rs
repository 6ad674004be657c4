//! The information item (社情民意信息) every stage passes along.

use chrono::{DateTime, FixedOffset};
use serde::{Deserialize, Serialize};

/// How far up the hierarchy an item was adopted (采用级别).
#[derive(
    Debug, Clone, Copy, PartialEq, Eq, PartialOrd, Ord, Hash, Serialize, Deserialize, Default,
)]
#[serde(rename_all = "lowercase")]
pub enum Adoption {
    /// Not adopted (未采用).
    #[default]
    None,
    /// Adopted by the county/district office (县级).
    County,
    /// Adopted by the city office (市级).
    City,
    /// Adopted by the provincial office (省级).
    Province,
    /// Adopted nationally (全国).
    National,
}

impl Adoption {
    /// All levels, lowest first.
    pub const ALL: [Adoption; 5] = [
        Adoption::None,
        Adoption::County,
        Adoption::City,
        Adoption::Province,
        Adoption::National,
    ];

    /// Numeric rank stored in the index (0 = none … 4 = national).
    pub fn rank(self) -> u64 {
        self as u64
    }

    /// Inverse of [`Adoption::rank`].
    pub fn from_rank(rank: u64) -> Adoption {
        Adoption::ALL
            .get(rank as usize)
            .copied()
            .unwrap_or_default()
    }

    /// English name used in flags and JSON.
    pub fn as_str(self) -> &'static str {
        match self {
            Adoption::None => "none",
            Adoption::County => "county",
            Adoption::City => "city",
            Adoption::Province => "province",
            Adoption::National => "national",
        }
    }

    /// Chinese label shown to editors.
    pub fn label_zh(self) -> &'static str {
        match self {
            Adoption::None => "未采用",
            Adoption::County => "县级采用",
            Adoption::City => "市级采用",
            Adoption::Province => "省级采用",
            Adoption::National => "全国采用",
        }
    }

    /// Parses the values found in real sheets: English names, Chinese labels, or an empty cell.
    pub fn parse(text: &str) -> Option<Adoption> {
        let t = text.trim().to_lowercase();
        let t = t
            .trim_end_matches("采用")
            .trim_end_matches("采纳")
            .trim_end_matches('级');
        Some(match t {
            "" | "none" | "no" | "0" | "无" | "未" | "否" | "未采用" | "不" => {
                Adoption::None
            }
            "county" | "district" | "1" | "县" | "区" | "县区" | "区县" => Adoption::County,
            "city" | "2" | "市" | "地市" => Adoption::City,
            "province" | "provincial" | "3" | "省" => Adoption::Province,
            "national" | "4" | "全国" | "国家" | "中央" => Adoption::National,
            _ => return None,
        })
    }
}

/// One information item, cleaned and typed.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize, Default)]
pub struct Item {
    /// Stable identifier: the source's id, or one derived from the content.
    pub id: String,
    /// Title (标题/留言主题); may be empty when the body is not.
    pub title: String,
    /// Body (正文/留言详情); may be empty when the title is not.
    pub body: String,
    /// Submission time, Asia/Shanghai when the source gave no offset; `None` when undated.
    pub submitted_at: Option<DateTime<FixedOffset>>,
    /// Who submitted it (信息员/委员/留言用户).
    pub submitter: String,
    /// Sector (界别).
    pub sector: String,
    /// Unit (单位/联委会).
    pub unit: String,
    /// Adoption level (采用级别).
    pub adoption: Adoption,
    /// Leader instruction text (领导批示); non-empty means instructed.
    pub instruction: String,
    /// Handling feedback (办理反馈).
    pub feedback: String,
    /// Likes (点赞数), where the source has them.
    pub likes: Option<u64>,
    /// Dislikes (反对数), where the source has them.
    pub dislikes: Option<u64>,
    /// Every other column of the source row, in source order.
    pub extra: Vec<(String, String)>,
    /// Where the item came from: `file:line` or `file:sheet!row`.
    pub source: String,
}

impl Item {
    /// Whether a leader wrote an instruction on the item.
    pub fn instructed(&self) -> bool {
        !self.instruction.trim().is_empty()
    }

    /// Hash of every field that matters for upserts, so unchanged rows can be skipped.
    pub fn content_hash(&self) -> u64 {
        let mut h = blake3::Hasher::new();
        let date = self
            .submitted_at
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        let likes = format!(
            "{:?}/{:?}/{}",
            self.likes,
            self.dislikes,
            self.adoption.rank()
        );
        for part in [
            &self.title,
            &self.body,
            &date,
            &self.submitter,
            &self.sector,
            &self.unit,
            &self.instruction,
            &self.feedback,
            &likes,
        ] {
            h.update(part.as_bytes());
            h.update(&[0x1f]);
        }
        for (k, v) in &self.extra {
            h.update(k.as_bytes());
            h.update(&[0x1e]);
            h.update(v.as_bytes());
            h.update(&[0x1f]);
        }
        let bytes = h.finalize();
        u64::from_le_bytes(bytes.as_bytes()[..8].try_into().expect("8 bytes"))
    }

    /// A stable id for rows that have none: derived from title, body, date and submitter,
    /// so the same row ingested twice gets the same id.
    pub fn derived_id(&self) -> String {
        let mut h = blake3::Hasher::new();
        let date = self
            .submitted_at
            .map(|d| d.to_rfc3339())
            .unwrap_or_default();
        for part in [&self.title, &self.body, &date, &self.submitter] {
            h.update(part.as_bytes());
            h.update(&[0x1f]);
        }
        let hex = h.finalize().to_hex();
        format!("h{}", &hex[..15])
    }
}
