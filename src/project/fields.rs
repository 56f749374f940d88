//! The plan's closed vocabularies: status, kind, action, task, location confidence and town.
//!
//! Each type parses from the exact wire string and its error lists the allowed values, so a
//! planner who types `in_progress` is told what planmap accepts instead of getting a 500.

use serde::{Deserialize, Serialize};
use std::fmt;
use std::str::FromStr;

/// A value that is not one of a closed list; the message names the allowed values.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("`{value}` is not one of: {}", allowed.join(", "))]
pub struct NotOneOf {
    /// What was given.
    pub value: String,
    /// What would have been accepted.
    pub allowed: Vec<String>,
}

macro_rules! closed_enum {
    ($(#[$meta:meta])* $name:ident { $($variant:ident = $wire:literal / $zh:literal / $en:literal),+ $(,)? }) => {
        $(#[$meta])*
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
        #[serde(rename_all = "snake_case")]
        pub enum $name { $(#[doc = $zh] $variant),+ }

        impl $name {
            /// Every value, in the plan's order.
            pub const ALL: &'static [$name] = &[$($name::$variant),+];
            /// The wire form (`under_construction`).
            pub fn as_str(self) -> &'static str { match self { $($name::$variant => $wire),+ } }
            /// The Chinese label the plan and bulletins use.
            pub fn label_zh(self) -> &'static str { match self { $($name::$variant => $zh),+ } }
            /// The English label.
            pub fn label_en(self) -> &'static str { match self { $($name::$variant => $en),+ } }
            /// The allowed wire values, for error messages and `/api/meta`.
            pub fn allowed() -> Vec<String> { Self::ALL.iter().map(|v| v.as_str().to_owned()).collect() }
        }

        impl FromStr for $name {
            type Err = NotOneOf;
            fn from_str(s: &str) -> Result<Self, NotOneOf> {
                match s { $($wire => Ok($name::$variant),)+ _ => Err(NotOneOf { value: s.to_owned(), allowed: Self::allowed() }) }
            }
        }

        impl fmt::Display for $name {
            fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result { f.write_str(self.as_str()) }
        }
    };
}

closed_enum!(
    /// Where a project stands.
    Status {
        Planned = "planned" / "谋划" / "Planned",
        Preparing = "preparing" / "前期" / "Preparing",
        UnderConstruction = "under_construction" / "在建" / "Under construction",
        Completed = "completed" / "建成" / "Completed",
        Suspended = "suspended" / "暂缓" / "Suspended",
    }
);

closed_enum!(
    /// What sort of thing a project builds.
    Kind {
        Port = "port" / "港口" / "Port",
        Road = "road" / "道路" / "Road",
        Energy = "energy" / "能源" / "Energy",
        IndustrialPark = "industrial_park" / "产业园区" / "Industrial park",
        Tourism = "tourism" / "文旅" / "Tourism",
        VillageArea = "village_area" / "和美乡村" / "Village area",
        Community = "community" / "未来社区" / "Community",
        School = "school" / "学校" / "School",
        Hospital = "hospital" / "医疗" / "Hospital",
        Utility = "utility" / "市政设施" / "Utility",
        Ecology = "ecology" / "生态" / "Ecology",
        Other = "other" / "其他" / "Other",
    }
);

closed_enum!(
    /// How sure the location is: high = a source gives the coordinate, medium = derived from a
    /// described place, low = a schematic placement on the right island.
    Confidence {
        High = "high" / "高" / "High",
        Medium = "medium" / "中" / "Medium",
        Low = "low" / "低" / "Low",
    }
);

closed_enum!(
    /// What kind of publisher a cited source is, so a reader can weigh it: the plan itself, a
    /// government page, a news outlet, or an aggregator / mirror copying someone else's text.
    SourceKind {
        Plan = "plan" / "规划文本" / "Plan",
        Government = "government" / "政府" / "Government",
        News = "news" / "新闻媒体" / "News",
        Aggregator = "aggregator" / "转载/聚合" / "Aggregator or mirror",
    }
);

/// Out of range for a numbered plan item.
#[derive(Debug, Clone, PartialEq, Eq, thiserror::Error)]
#[error("{value} is not between {min} and {max}")]
pub struct OutOfRange {
    /// What was given.
    pub value: i64,
    /// Smallest allowed.
    pub min: i64,
    /// Largest allowed.
    pub max: i64,
}

/// One of the plan's five actions (行动), 1–5.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Action(u8);

/// One of the plan's sixteen numbered tasks, 1–16.
#[derive(Debug, Clone, Copy, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(try_from = "i64", into = "i64")]
pub struct Task(u8);

/// An action: number, Chinese name, English name, and its tasks (number, Chinese name).
pub type ActionEntry = (u8, &'static str, &'static str, &'static [(u8, &'static str)]);

/// The plan's actions with their tasks, as the plan text numbers them (二、重点任务).
pub const ACTIONS: &[ActionEntry] = &[
    (1, "海洋经济提质行动", "Marine economy upgrading", &[(1, "海洋特色产业"), (2, "招大引强"), (3, "科技人才"), (4, "市场主体")]),
    (2, "区域协作联动行动", "Regional cooperation", &[(5, "金丽温开放大通道"), (6, "区域合作")]),
    (3, "城乡融合发展行动", "Urban–rural integration", &[(7, "海岛风貌提升"), (8, "城市服务能级"), (9, "乡村振兴")]),
    (4, "海岛生态固本行动", "Island ecology", &[(10, "生态环境保护"), (11, "两山合作社"), (12, "绿色低碳")]),
    (5, "公共服务一体化发展行动", "Integrated public services", &[(13, "学有优教"), (14, "病有良医"), (15, "一老一小"), (16, "宜居宜业")]),
];

impl TryFrom<i64> for Action {
    type Error = OutOfRange;
    fn try_from(v: i64) -> Result<Self, OutOfRange> {
        match u8::try_from(v) {
            Ok(n @ 1..=5) => Ok(Action(n)),
            _ => Err(OutOfRange { value: v, min: 1, max: 5 }),
        }
    }
}
impl From<Action> for i64 {
    fn from(a: Action) -> i64 {
        i64::from(a.0)
    }
}
impl Action {
    /// The number, 1–5.
    pub fn get(self) -> u8 {
        self.0
    }
}

impl TryFrom<i64> for Task {
    type Error = OutOfRange;
    fn try_from(v: i64) -> Result<Self, OutOfRange> {
        match u8::try_from(v) {
            Ok(n @ 1..=16) => Ok(Task(n)),
            _ => Err(OutOfRange { value: v, min: 1, max: 16 }),
        }
    }
}
impl From<Task> for i64 {
    fn from(t: Task) -> i64 {
        i64::from(t.0)
    }
}
impl Task {
    /// The number, 1–16.
    pub fn get(self) -> u8 {
        self.0
    }
    /// The action this task belongs to in the plan.
    pub fn action(self) -> Action {
        let n = ACTIONS.iter().find(|(_, _, _, tasks)| tasks.iter().any(|(t, _)| *t == self.0)).map_or(1, |(a, ..)| *a);
        Action(n)
    }
}

/// The district's towns (街道/镇/乡) when the configuration names none. 昆鹏街道 was split from
/// 灵昆街道 in 2020 and appears in current sources, so it is accepted alongside the plan's seven.
pub const DEFAULT_TOWNS: &[&str] = &["北岙街道", "东屏街道", "元觉街道", "霓屿街道", "灵昆街道", "昆鹏街道", "大门镇", "鹿西乡"];

/// A town from the configured list. Construct with [`Towns::parse`].
#[derive(Debug, Clone, PartialEq, Eq, Hash, PartialOrd, Ord, Serialize, Deserialize)]
#[serde(transparent)]
pub struct Town(String);

impl Town {
    /// The name, e.g. 北岙街道.
    pub fn as_str(&self) -> &str {
        &self.0
    }
}

/// The configured list of towns.
#[derive(Debug, Clone, PartialEq, Eq)]
pub struct Towns(Vec<String>);

impl Default for Towns {
    fn default() -> Self {
        Towns(DEFAULT_TOWNS.iter().map(|s| (*s).to_owned()).collect())
    }
}

impl Towns {
    /// A list from configuration; blank entries are dropped, and an empty list is refused.
    pub fn new(names: impl IntoIterator<Item = String>) -> Result<Self, String> {
        let v: Vec<String> = names.into_iter().map(|s| s.trim().to_owned()).filter(|s| !s.is_empty()).collect();
        if v.is_empty() {
            return Err("the town list is empty".into());
        }
        Ok(Towns(v))
    }
    /// A town when `s` is on the list.
    pub fn parse(&self, s: &str) -> Result<Town, NotOneOf> {
        if self.0.iter().any(|t| t == s) {
            Ok(Town(s.to_owned()))
        } else {
            Err(NotOneOf { value: s.to_owned(), allowed: self.0.clone() })
        }
    }
    /// The names, in configured order.
    pub fn names(&self) -> &[String] {
        &self.0
    }
}
