//! The problem registry (问题登记): problems followed over time, kept with the index in
//! `<index>/problems.json`.
//!
//! Each update finds the problems of all the index's items (as `minyi hot` does without a
//! window) and matches them to the registered ones by their messages: a problem holding at
//! least half of a registered one's messages (or at least half of its own messages being a
//! registered one's) keeps that one's id; failing that, one about the same object whose
//! keywords are alike takes the id of a registered one no longer found; else it is
//! registered under the next id (P1, P2 … in the order first seen, never reused). So an id
//! names one object and one complaint, whatever its rank, and the same index gives the same
//! ids. A registered problem whose messages went mostly into another is marked merged into
//! it; one whose messages make no problem any more stays, not found.
//!
//! Each update also raises the alerts of [`super::follow`] and records them with the day
//! (the latest message's date) they fired on, once per problem and kind (a rise again after
//! a week). The file is plain JSON, so that an engine job can read and update it.

use std::path::{Path, PathBuf};

use chrono::NaiveDate;
use rustc_hash::{FxHashMap, FxHashSet};
use serde::{Deserialize, Serialize};

use super::follow::{self, Replied, Replies, Rise, Status, TrackingConfig};
use super::Problem;
use crate::error::{Error, Result};
use crate::item::Item;
use crate::segment::Segmenter;

/// The registry's file in an index directory.
pub const FILE: &str = "problems.json";

/// Format version of the file.
const VERSION: u32 = 1;

/// The registered problems and the alerts raised so far.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Registry {
    pub version: u32,
    /// The latest message's date at the last update: the registry's "today".
    pub as_of: Option<NaiveDate>,
    /// Items of the index at the last update.
    pub items: usize,
    /// The number of the next id.
    pub next: u32,
    pub problems: Vec<Tracked>,
    /// Every alert raised, oldest first.
    pub alerts: Vec<Alert>,
    /// The keys that named a kind of object at the last full update
    /// ([`crate::topics::FoundProblems::kinds`]): an update of a region of the index, which
    /// holds only some of their names, takes them as such.
    #[serde(default, skip_serializing_if = "Vec::is_empty")]
    pub kinds: Vec<String>,
}

/// One registered problem.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Tracked {
    /// `P` and its number, in the order first registered.
    pub id: String,
    /// The object as its messages name it most (地点/人群).
    pub object: String,
    /// 问题描述, as the latest update described it.
    pub label: String,
    pub keywords: Vec<String>,
    /// One person's repeated messages (重复反映).
    #[serde(default, skip_serializing_if = "std::ops::Not::not")]
    pub repeated: bool,
    /// The day (as_of) of the update that registered it.
    pub registered: NaiveDate,
    /// Whether the latest update found it.
    pub found: bool,
    /// The problem its messages went into.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub merged_into: Option<String>,
    /// Its messages, oldest first.
    pub members: Vec<Member>,
}

/// One message of a registered problem.
#[derive(Debug, Clone, Default, PartialEq, Serialize, Deserialize)]
pub struct Member {
    pub id: String,
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub at: Option<NaiveDate>,
    #[serde(default, skip_serializing_if = "String::is_empty")]
    pub submitter: String,
    /// When it was answered (答复时间).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub replied: Option<NaiveDate>,
    /// The share of its words its answer takes up ([`follow::coverage`]), where it has one.
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub coverage: Option<f64>,
}

impl Member {
    /// Item `it` as a message of a registered problem, with its reply's coverage.
    pub fn of(it: &Item, coverage: impl FnOnce(&Item) -> Option<f64>) -> Member {
        Member {
            id: it.id.clone(),
            at: it.submitted_at.map(|d| d.date_naive()),
            submitter: it.submitter.clone(),
            replied: it.replied_at.map(|d| d.date_naive()),
            coverage: coverage(it),
        }
    }

    /// The message as the reply figures see it.
    pub fn replied(&self) -> Replied {
        Replied {
            at: self.at,
            replied: self.replied,
            coverage: self.coverage,
        }
    }
}

/// What raised an alert.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Serialize, Deserialize)]
#[serde(rename_all = "lowercase")]
pub enum AlertKind {
    /// A new problem reached `alert_people` people.
    New,
    /// A known problem rose well above its own baseline.
    Rising,
}

impl AlertKind {
    pub fn zh(self) -> &'static str {
        match self {
            AlertKind::New => "新问题",
            AlertKind::Rising => "明显上升",
        }
    }
}

/// One alert.
#[derive(Debug, Clone, PartialEq, Serialize, Deserialize)]
pub struct Alert {
    pub problem: String,
    pub kind: AlertKind,
    /// The day it fired on (the latest message's date at that update).
    pub on: NaiveDate,
    /// People who had written about the problem by then.
    pub people: usize,
    /// The last week against the baseline (for a rise).
    #[serde(default, skip_serializing_if = "Option::is_none")]
    pub rise: Option<Rise>,
}

/// What one update did.
#[derive(Debug, Clone, Default, PartialEq, Serialize)]
pub struct Update {
    /// Registered problems found (as of this update: in a region update, also those it left
    /// as they were).
    pub found: usize,
    /// … of which newly registered.
    pub opened: usize,
    /// Registered problems merged into another by this update.
    pub merged: usize,
    /// Alerts raised by this update.
    pub alerts: Vec<Alert>,
    /// Items of the region found again, where the update found only those
    /// ([`Registry::update_region`]).
    #[serde(skip_serializing_if = "Option::is_none")]
    pub region: Option<usize>,
    /// The id each found problem was registered under, in the order given.
    #[serde(skip)]
    pub ids: Vec<String>,
}

impl Tracked {
    pub fn dates(&self) -> Vec<NaiveDate> {
        self.members.iter().filter_map(|m| m.at).collect()
    }

    pub fn first(&self) -> Option<NaiveDate> {
        self.members.iter().filter_map(|m| m.at).min()
    }

    pub fn last(&self) -> Option<NaiveDate> {
        self.members.iter().filter_map(|m| m.at).max()
    }

    /// Distinct people (each message without a submitter counts as one).
    pub fn people(&self) -> usize {
        follow::people(self.members.iter().map(|m| m.submitter.as_str()))
    }

    /// Its status on `day`.
    pub fn status(&self, day: NaiveDate, cfg: &TrackingConfig) -> Option<Status> {
        follow::status(&self.dates(), day, cfg)
    }

    /// Its replies.
    pub fn replies(&self, cfg: &TrackingConfig) -> Replies {
        let messages: Vec<Replied> = self.members.iter().map(Member::replied).collect();
        follow::replies(&messages, cfg)
    }

    /// Messages per week (Monday first) from its first to its last, empty weeks included.
    pub fn weekly(&self) -> Vec<(NaiveDate, usize)> {
        let (Some(first), Some(last)) = (self.first(), self.last()) else {
            return Vec::new();
        };
        let monday = |d: NaiveDate| {
            d - chrono::Duration::days(chrono::Datelike::weekday(&d).num_days_from_monday() as i64)
        };
        let mut weeks: Vec<(NaiveDate, usize)> = Vec::new();
        let mut w = monday(first);
        while w <= last {
            weeks.push((w, 0));
            w += chrono::Duration::days(7);
        }
        for d in self.dates() {
            let i = ((monday(d) - monday(first)).num_days() / 7) as usize;
            weeks[i].1 += 1;
        }
        weeks
    }
}

impl Registry {
    /// The registry's path in index directory `dir`.
    pub fn path(dir: &Path) -> PathBuf {
        dir.join(FILE)
    }

    /// The registry of index `dir`; `None` when it has none yet.
    pub fn load(dir: &Path) -> Result<Option<Registry>> {
        Registry::load_file(&Registry::path(dir))
    }

    /// The registry in file `path` (an engine's, outside an index); `None` when there is
    /// no such file yet.
    pub fn load_file(path: &Path) -> Result<Option<Registry>> {
        let path = path.to_path_buf();
        let text = match std::fs::read_to_string(&path) {
            Ok(t) => t,
            Err(e) if e.kind() == std::io::ErrorKind::NotFound => return Ok(None),
            Err(e) => return Err(e.into()),
        };
        let r: Registry = serde_json::from_str(&text).map_err(|e| Error::Input {
            path: path.clone(),
            message: format!(
                "the problem registry cannot be read ({e}); `minyi track --rebuild` writes it anew"
            ),
        })?;
        if r.version != VERSION {
            return Err(Error::Input {
                path,
                message: format!(
                    "problem registry version {} (this minyi reads {VERSION}); `minyi track --rebuild` writes it anew",
                    r.version
                ),
            });
        }
        Ok(Some(r))
    }

    /// Writes the registry into index directory `dir` (a whole new file, then renamed).
    pub fn save(&self, dir: &Path) -> Result<()> {
        self.save_file(&Registry::path(dir))
    }

    /// Writes the registry to file `path` (a whole new file beside it, then renamed).
    pub fn save_file(&self, path: &Path) -> Result<()> {
        let mut tmp = path.as_os_str().to_owned();
        tmp.push(".tmp");
        let tmp = PathBuf::from(tmp);
        let mut text = serde_json::to_string_pretty(self)
            .map_err(|e| Error::Output(format!("problem registry: {e}")))?;
        text.push('\n');
        std::fs::write(&tmp, text)?;
        std::fs::rename(&tmp, path)?;
        Ok(())
    }

    /// The registered problem `id` (any case: p12 is P12).
    pub fn get(&self, id: &str) -> Option<&Tracked> {
        self.problems
            .iter()
            .find(|p| p.id.eq_ignore_ascii_case(id.trim()))
    }

    /// Each message's registered problem (its index; merged ones left out).
    fn owner_of(&self) -> FxHashMap<&str, usize> {
        let mut of = FxHashMap::default();
        for (i, p) in self.problems.iter().enumerate() {
            if p.merged_into.is_none() {
                for m in &p.members {
                    of.insert(m.id.as_str(), i);
                }
            }
        }
        of
    }

    /// The registered problems by their messages, for asking [`Owners::holding`] of many
    /// groups (the map is made once).
    pub fn owners(&self) -> Owners<'_> {
        Owners {
            registry: self,
            of: self.owner_of(),
        }
    }

    /// The messages, not among `ids`, of the registered problems (not merged) with a message
    /// among `ids`: an incremental update re-finds those problems whole.
    pub fn members_beside<'a>(&'a self, ids: &FxHashSet<&str>) -> Vec<&'a str> {
        let mut out: FxHashSet<&str> = FxHashSet::default();
        for p in self.problems.iter().filter(|p| p.merged_into.is_none()) {
            if p.members.iter().any(|m| ids.contains(m.id.as_str())) {
                out.extend(
                    p.members
                        .iter()
                        .map(|m| m.id.as_str())
                        .filter(|m| !ids.contains(m)),
                );
            }
        }
        let mut out: Vec<&str> = out.into_iter().collect();
        out.sort_unstable();
        out
    }

    /// The registered problem (not merged) holding most of `members`, at least half of them.
    pub fn holding(&self, members: &[String]) -> Option<&Tracked> {
        self.owners().holding(members)
    }

    /// Alerts fired on or after `since`.
    pub fn alerts_since(&self, since: NaiveDate) -> Vec<&Alert> {
        self.alerts.iter().filter(|a| a.on >= since).collect()
    }

    /// Matches the problems `found` over all `items` (problems and repeated ones) to the
    /// registered ones, registers the new ones and raises the alerts of `as_of`. `seg`
    /// measures how much of each newly seen message its reply takes up.
    pub fn update(
        &mut self,
        found: &[&Problem],
        items: &[Item],
        seg: &Segmenter,
        as_of: NaiveDate,
        cfg: &TrackingConfig,
    ) -> Update {
        self.items = items.len();
        let members = self.members_of(found, items, seg);
        self.update_with(found, members, as_of, cfg)
    }

    /// [`Registry::update`] with the problems found over a region of the index only
    /// ([`crate::topics::track::region`]: the items naming an object that the new items name,
    /// and the messages of the registered problems among them): the registered problems
    /// with a message in `region` are matched to `found` as in a full update; the others keep
    /// what they had. `items` is the index's item count after the new ones.
    pub fn update_region(
        &mut self,
        found: &[&Problem],
        region: &[Item],
        seg: &Segmenter,
        as_of: NaiveDate,
        items: usize,
        cfg: &TrackingConfig,
    ) -> Update {
        let ids: FxHashSet<&str> = region.iter().map(|i| i.id.as_str()).collect();
        let in_scope: Vec<bool> = self
            .problems
            .iter()
            .map(|p| p.members.iter().any(|m| ids.contains(m.id.as_str())))
            .collect();
        self.items = items;
        let members = self.members_of(found, region, seg);
        Update {
            region: Some(region.len()),
            ..self.update_scoped(found, members, as_of, cfg, Some(&in_scope))
        }
    }

    /// The messages of each found problem, measured from `items`.
    fn members_of(&self, found: &[&Problem], items: &[Item], seg: &Segmenter) -> Vec<Vec<Member>> {
        let by_id: FxHashMap<&str, &Item> = items.iter().map(|i| (i.id.as_str(), i)).collect();
        // Measured once per message: the members already registered keep theirs.
        let known: FxHashMap<&str, (Option<NaiveDate>, Option<f64>)> = self
            .problems
            .iter()
            .flat_map(|p| p.members.iter())
            .map(|m| (m.id.as_str(), (m.replied, m.coverage)))
            .collect();
        let member = |id: &str| -> Member {
            match by_id.get(id) {
                Some(it) => Member::of(it, |it| match known.get(id) {
                    Some(&(replied, c)) if replied == it.replied_at.map(|d| d.date_naive()) => c,
                    _ => reply_coverage(seg, it),
                }),
                None => Member {
                    id: id.to_string(),
                    ..Member::default()
                },
            }
        };
        found
            .iter()
            .map(|p| p.item_ids.iter().map(|id| member(id)).collect())
            .collect()
    }

    /// [`Registry::update`] with each found problem's messages given (`members[j]` those
    /// of `found[j]`, as `minyi problems find --members` writes them on an engine).
    pub fn update_with(
        &mut self,
        found: &[&Problem],
        members: Vec<Vec<Member>>,
        as_of: NaiveDate,
        cfg: &TrackingConfig,
    ) -> Update {
        self.update_scoped(found, members, as_of, cfg, None)
    }

    /// [`Registry::update_with`] where `in_scope` (one flag per registered problem) names the
    /// registered problems the update re-found; `None`: all of them.
    fn update_scoped(
        &mut self,
        found: &[&Problem],
        members: Vec<Vec<Member>>,
        as_of: NaiveDate,
        cfg: &TrackingConfig,
        in_scope: Option<&[bool]>,
    ) -> Update {
        assert_eq!(found.len(), members.len(), "one member list per problem");
        let scoped = |i: usize| in_scope.is_none_or(|s| s.get(i).copied().unwrap_or(true));
        self.version = VERSION;
        let first_update = self.as_of.is_none();
        // Found problems, largest first, claim the registered one holding their messages.
        let mut order: Vec<usize> = (0..found.len()).collect();
        order.sort_by_key(|&j| (std::cmp::Reverse(found[j].item_ids.len()), j));
        let owner = self.owner_of();
        let mut claimed: Vec<Option<usize>> = vec![None; found.len()];
        let mut taken: FxHashSet<usize> = FxHashSet::default();
        for &j in &order {
            let best = count_by(&found[j].item_ids, &owner)
                .into_iter()
                .filter(|&(i, c)| {
                    !taken.contains(&i)
                        && 2 * c >= found[j].item_ids.len().min(self.problems[i].members.len())
                })
                .max_by_key(|&(i, c)| (c, std::cmp::Reverse(i)));
            if let Some((i, _)) = best {
                claimed[j] = Some(i);
                taken.insert(i);
            }
        }
        // Then one about the same object in like words takes the id of one no longer found.
        for &j in &order {
            if claimed[j].is_some() || found[j].object.is_empty() {
                continue;
            }
            let best = self
                .problems
                .iter()
                .enumerate()
                .filter(|(i, p)| {
                    !taken.contains(i)
                        && (scoped(*i) || !p.found)
                        && p.merged_into.is_none()
                        && p.repeated == found[j].repeated
                        && p.object == found[j].object
                })
                .map(|(i, p)| (i, overlap(&p.keywords, &found[j].keywords)))
                .filter(|&(_, o)| o >= 0.5)
                .max_by(|a, b| a.1.total_cmp(&b.1).then(b.0.cmp(&a.0)));
            if let Some((i, _)) = best {
                claimed[j] = Some(i);
                taken.insert(i);
            }
        }
        let mut out = Update::default();
        let mut now_of: FxHashMap<&str, String> = FxHashMap::default();
        let mut fresh: Vec<Tracked> = Vec::new();
        let mut ids_of_found: Vec<String> = Vec::with_capacity(found.len());
        for ((j, p), members) in found.iter().enumerate().zip(members) {
            let id = match claimed[j] {
                Some(i) => {
                    let t = &mut self.problems[i];
                    t.object = p.object.clone();
                    t.label = p.label.clone();
                    t.keywords = p.keywords.clone();
                    t.repeated = p.repeated;
                    t.found = true;
                    t.members = members;
                    t.id.clone()
                }
                None => {
                    let id = format!("P{}", self.next.max(1));
                    self.next = self.next.max(1) + 1;
                    out.opened += 1;
                    fresh.push(Tracked {
                        id: id.clone(),
                        object: p.object.clone(),
                        label: p.label.clone(),
                        keywords: p.keywords.clone(),
                        repeated: p.repeated,
                        registered: as_of,
                        found: true,
                        merged_into: None,
                        members,
                    });
                    id
                }
            };
            ids_of_found.push(id);
        }
        for (j, p) in found.iter().enumerate() {
            for m in &p.item_ids {
                now_of.insert(m.as_str(), ids_of_found[j].clone());
            }
        }
        // Registered problems not claimed: merged into the one holding most of their
        // messages now, or no longer found.
        for (i, t) in self.problems.iter_mut().enumerate() {
            if taken.contains(&i) || t.merged_into.is_some() || !scoped(i) {
                continue;
            }
            t.found = false;
            let mut count: FxHashMap<&str, usize> = FxHashMap::default();
            for m in &t.members {
                if let Some(id) = now_of.get(m.id.as_str()) {
                    *count.entry(id.as_str()).or_default() += 1;
                }
            }
            if let Some((id, c)) = count.into_iter().max_by_key(|&(id, c)| (c, id)) {
                if 2 * c >= t.members.len() {
                    t.merged_into = Some(id.to_string());
                    out.merged += 1;
                }
            }
        }
        // What a first update opens (years of messages ingested at once) is not news.
        let opened: FxHashSet<String> = if first_update {
            FxHashSet::default()
        } else {
            fresh.iter().map(|t| t.id.clone()).collect()
        };
        self.problems.extend(fresh);
        out.found = self.problems.iter().filter(|p| p.found).count();
        out.ids = ids_of_found;
        self.as_of = Some(as_of);
        out.alerts = self.raise(as_of, &opened, cfg);
        self.alerts.extend(out.alerts.iter().cloned());
        out
    }

    /// The alerts of `day` not raised before; `opened`: the problems this update registered
    /// (none on a first update).
    fn raise(
        &self,
        day: NaiveDate,
        opened: &FxHashSet<String>,
        cfg: &TrackingConfig,
    ) -> Vec<Alert> {
        let mut out = Vec::new();
        for t in self.problems.iter().filter(|t| t.found && !t.repeated) {
            let earlier = |kind: AlertKind| {
                self.alerts
                    .iter()
                    .filter(move |a| a.problem == t.id && a.kind == kind)
            };
            // `day` is the latest message's date: every member is on or before it.
            let messages: Vec<(NaiveDate, &str)> = t
                .members
                .iter()
                .filter_map(|m| Some((m.at?, m.submitter.as_str())))
                .collect();
            let people = follow::people(messages.iter().map(|m| m.1));
            // New: it reached the people within the last `new_days`, or it is registered
            // by this update with them (its earlier messages had not made a problem yet). A
            // first update, as a first ingest of years of data, raises only the former.
            let reached = follow::reached_people(&messages, cfg.alert_people);
            // Opened by this update: a second update of the same day (`minyi track` again)
            // opens nothing, and raises no alert for what the first one registered.
            let registered_now = opened.contains(&t.id);
            if earlier(AlertKind::New).next().is_none()
                && reached.is_some_and(|r| registered_now || (day - r).num_days() <= cfg.new_days)
            {
                out.push(Alert {
                    problem: t.id.clone(),
                    kind: AlertKind::New,
                    on: day,
                    people,
                    rise: None,
                });
                continue;
            }
            // Rising: a known problem only (a new one has no baseline yet).
            if t.first()
                .is_none_or(|f| (day - f).num_days() <= cfg.new_days)
            {
                continue;
            }
            let rise = follow::rise(&t.dates(), day, cfg);
            let recent = earlier(AlertKind::Rising)
                .chain(earlier(AlertKind::New))
                .any(|a| (day - a.on).num_days() < 7);
            if follow::rising_alert(&rise, cfg) && !recent {
                out.push(Alert {
                    problem: t.id.clone(),
                    kind: AlertKind::Rising,
                    on: day,
                    people,
                    rise: Some(rise),
                });
            }
        }
        out
    }
}

/// The registered problems by their messages ([`Registry::owners`]).
pub struct Owners<'a> {
    registry: &'a Registry,
    of: FxHashMap<&'a str, usize>,
}

impl<'a> Owners<'a> {
    /// The registered problem (not merged) holding most of `members`, at least half of them.
    pub fn holding(&self, members: &[String]) -> Option<&'a Tracked> {
        count_by(members, &self.of)
            .into_iter()
            .filter(|&(_, c)| 2 * c >= members.len())
            .max_by_key(|&(i, c)| (c, std::cmp::Reverse(i)))
            .map(|(i, _)| &self.registry.problems[i])
    }
}

/// How many of `ids` each owner in `owner` holds.
fn count_by(ids: &[String], owner: &FxHashMap<&str, usize>) -> FxHashMap<usize, usize> {
    let mut count = FxHashMap::default();
    for id in ids {
        if let Some(&i) = owner.get(id.as_str()) {
            *count.entry(i).or_default() += 1;
        }
    }
    count
}

/// The share of the shorter keyword list found in the other.
fn overlap(a: &[String], b: &[String]) -> f64 {
    let n = a.len().min(b.len());
    if n == 0 {
        return 0.0;
    }
    a.iter().filter(|w| b.contains(w)).count() as f64 / n as f64
}

/// How much of an item's words its reply (办理反馈 / 答复意见) takes up, the reply less any
/// copy of the item's title (an answer that repeats the question has not answered it);
/// rounded to two places. `None` without a reply.
pub fn reply_coverage(seg: &Segmenter, it: &Item) -> Option<f64> {
    let reply = it.feedback.trim();
    if reply.is_empty() {
        return None;
    }
    let reply = if it.title.trim().is_empty() {
        reply.to_string()
    } else {
        reply.replace(it.title.trim(), " ")
    };
    let message = seg.terms(&format!("{}\n{}", it.title, it.body));
    follow::coverage(&message, &seg.terms(&reply)).map(|c| (c * 100.0).round() / 100.0)
}
