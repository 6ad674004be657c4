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
    /// Handling feedback (办理反馈 / 答复意见).
    pub feedback: String,
    /// When the reply was given (答复时间), where the source has it.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied_at: Option<DateTime<FixedOffset>>,
    /// Likes (点赞数), where the source has them.
    pub likes: Option<u64>,
    /// Dislikes (反对数), where the source has them.
    pub dislikes: Option<u64>,
    /// Every other column of the source row, in source order.
    pub extra: Vec<(String, String)>,
    /// Where the item came from: `file:line` or `file:sheet!row`.
    pub source: String,
    /// Named objects (地点/人群: estates, roads, villages, companies, schools …) found in the
    /// title and body at ingest (see [`crate::segment::places`]). Always serialised (an
    /// empty list for an item without one), so that every exchanged line has the key.
    #[serde(default)]
    pub places: Vec<String>,
    /// Cells of the source row that could not be read (a count of "abc"): the item is kept
    /// with the field empty, and ingest writes each to the rejects file. Not stored.
    #[serde(skip)]
    pub bad_cells: Vec<BadCell>,
}

/// A cell left out of an item that was kept: its field, why, and what it held.
#[derive(Debug, Clone, PartialEq, Default)]
pub struct BadCell {
    pub field: String,
    pub reason: String,
    pub original: String,
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
        // Only where there is one, so that items without a reply date keep their hashes.
        if let Some(r) = self.replied_at {
            h.update(b"replied_at\x1e");
            h.update(r.to_rfc3339().as_bytes());
            h.update(&[0x1f]);
        }
        for (k, v) in &self.extra {
            h.update(k.as_bytes());
            h.update(&[0x1e]);
            h.update(v.as_bytes());
            h.update(&[0x1f]);
        }
        crate::util::u64_of(h.finalize())
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

/// Which of the optional columns the data has: a report leaves out the sections, columns and
/// phrases of a column that is absent (no "0 个界别" for messages that have no 界别 at all),
/// and the scores weigh only the signals that exist.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(default)]
pub struct Columns {
    /// 界别.
    pub sector: bool,
    /// 单位 / 联委会.
    pub unit: bool,
    /// 采用级别.
    pub adoption: bool,
    /// 领导批示.
    pub instruction: bool,
    /// 办理反馈.
    pub feedback: bool,
    /// 点赞数 / 反对数.
    pub likes: bool,
}

impl Default for Columns {
    /// Every column present (what reports assumed before columns were recorded).
    fn default() -> Self {
        Columns::ALL
    }
}

impl Columns {
    /// Every optional column present.
    pub const ALL: Columns = Columns {
        sector: true,
        unit: true,
        adoption: true,
        instruction: true,
        feedback: true,
        likes: true,
    };

    /// No optional column.
    pub const NONE: Columns = Columns {
        sector: false,
        unit: false,
        adoption: false,
        instruction: false,
        feedback: false,
        likes: false,
    };

    /// The columns that hold a value in at least one of `items`. An adoption column whose
    /// every value is 未采用 cannot be told from an absent one this way; the index records
    /// the columns each ingest mapped ([`crate::index::ItemIndex::columns`]).
    pub fn from_items<'a>(items: impl IntoIterator<Item = &'a Item>) -> Columns {
        let mut c = Columns::NONE;
        for it in items {
            c.sector |= !it.sector.is_empty();
            c.unit |= !it.unit.is_empty();
            c.adoption |= it.adoption > Adoption::None;
            c.instruction |= it.instructed();
            c.feedback |= !it.feedback.trim().is_empty();
            c.likes |= it.likes.is_some() || it.dislikes.is_some();
        }
        c
    }

    /// Marks present the column of an ingest field name (`sector`, `unit`, `adoption`,
    /// `instruction`, `feedback`, `likes`, `dislikes`); other names are ignored.
    pub fn note(&mut self, field: &str) {
        match field {
            "sector" => self.sector = true,
            "unit" => self.unit = true,
            "adoption" => self.adoption = true,
            "instruction" => self.instruction = true,
            "feedback" => self.feedback = true,
            "likes" | "dislikes" => self.likes = true,
            _ => {}
        }
    }

    /// Present in either.
    pub fn union(self, o: Columns) -> Columns {
        Columns {
            sector: self.sector || o.sector,
            unit: self.unit || o.unit,
            adoption: self.adoption || o.adoption,
            instruction: self.instruction || o.instruction,
            feedback: self.feedback || o.feedback,
            likes: self.likes || o.likes,
        }
    }

    /// The Chinese names of the absent columns (界别, 单位 …), for a line that says which
    /// parts of a report are left out.
    pub fn absent_zh(self) -> Vec<&'static str> {
        [
            (self.sector, "界别"),
            (self.unit, "单位"),
            (self.adoption, "采用级别"),
            (self.instruction, "领导批示"),
            (self.feedback, "办理反馈"),
            (self.likes, "点赞数"),
        ]
        .into_iter()
        .filter(|(present, _)| !present)
        .map(|(_, name)| name)
        .collect()
    }

    /// The English names of the present columns (as the index marker records them).
    pub fn names(self) -> Vec<&'static str> {
        [
            (self.sector, "sector"),
            (self.unit, "unit"),
            (self.adoption, "adoption"),
            (self.instruction, "instruction"),
            (self.feedback, "feedback"),
            (self.likes, "likes"),
        ]
        .into_iter()
        .filter(|(p, _)| *p)
        .map(|(_, n)| n)
        .collect()
    }
}

/// The sampling key of an item: the `sample_size` items with the smallest keys are the
/// sample of a large set (`minyi segment --sample-seed` writes it for other engines).
pub fn sample_key(seed: u64, id: &str) -> u64 {
    let mut h = blake3::Hasher::new();
    h.update(&seed.to_le_bytes());
    h.update(id.as_bytes());
    crate::util::u64_of(h.finalize())
}
