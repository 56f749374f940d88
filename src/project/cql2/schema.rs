//! The queryables: which project properties a filter can name, their types, and each one's
//! value on a project. Adding a queryable means one line in `props!` and one arm in [`Prop::value`].

use super::Scalar;
use crate::project::{ProjectId, ProjectProps};
use std::fmt;

/// The type of a queryable.
#[derive(Debug, Clone, Copy, PartialEq, Eq)]
pub enum PropType {
    /// Text.
    Text,
    /// Whole number.
    Integer,
    /// Exact decimal (万元).
    Decimal,
    /// Floating number.
    Number,
    /// Calendar date.
    Date,
    /// true / false.
    Boolean,
}

impl PropType {
    /// JSON Schema `type` and `format`.
    pub fn json_schema(self) -> (&'static str, Option<&'static str>) {
        match self {
            PropType::Text => ("string", None),
            PropType::Integer => ("integer", None),
            PropType::Decimal | PropType::Number => ("number", None),
            PropType::Date => ("string", Some("date")),
            PropType::Boolean => ("boolean", None),
        }
    }
}

macro_rules! props {
    ($($variant:ident = $name:literal : $ty:ident, $title:literal;)+) => {
        /// A project property a filter can name (a queryable).
        #[derive(Debug, Clone, Copy, PartialEq, Eq, Hash)]
        pub enum Prop { $(#[doc = $title] $variant),+ }
        impl Prop {
            /// Every queryable, in documentation order.
            pub const ALL: &'static [Prop] = &[$(Prop::$variant),+];
            /// The property's name on the wire.
            pub fn name(self) -> &'static str { match self { $(Prop::$variant => $name),+ } }
            /// Its type.
            pub fn ty(self) -> PropType { match self { $(Prop::$variant => PropType::$ty),+ } }
            /// A short title.
            pub fn title(self) -> &'static str { match self { $(Prop::$variant => $title),+ } }
        }
    };
}

props! {
    Id = "id": Text, "项目编号 id (slug)";
    NameZh = "name_zh": Text, "项目名称 Chinese name";
    NameEn = "name_en": Text, "English name";
    Action = "action": Integer, "行动 action 1–5";
    Task = "task": Integer, "任务 task 1–16";
    PlanRef = "plan_ref": Text, "规划条目 plan section";
    Kind = "kind": Text, "类型 kind";
    Status = "status": Text, "状态 status";
    InvestmentTotal = "investment_total": Decimal, "总投资 (万元)";
    InvestmentCompleted = "investment_completed": Decimal, "累计完成投资 (万元)";
    ProgressPct = "progress_pct": Number, "形象进度 %";
    StartDate = "start_date": Date, "开工日期";
    PlannedCompletion = "planned_completion": Date, "计划完工日期";
    ActualCompletion = "actual_completion": Date, "实际完工日期";
    Town = "town": Text, "街道/镇/乡";
    LocationConfidence = "location_confidence": Text, "位置可信度 high/medium/low";
    Description = "description": Text, "说明";
    Synthetic = "synthetic": Boolean, "synthetic demo data";
}

impl Prop {
    /// Looks a queryable up by name (exact, as listed in `/queryables`).
    pub fn by_name(name: &str) -> Option<Prop> {
        Prop::ALL.iter().copied().find(|p| p.name() == name)
    }

    /// The project's value of this property; `None` when it has none.
    pub fn value(self, id: &ProjectId, p: &ProjectProps) -> Option<Scalar> {
        let text = |s: &str| Some(Scalar::Text(s.to_owned()));
        match self {
            Prop::Id => text(id.as_str()),
            Prop::NameZh => text(&p.name_zh),
            Prop::NameEn => p.name_en.as_deref().and_then(text),
            Prop::Action => p.action.map(|a| Scalar::Int(i64::from(a.get()))),
            Prop::Task => p.task.map(|t| Scalar::Int(i64::from(t.get()))),
            Prop::PlanRef => p.plan_ref.as_deref().and_then(text),
            Prop::Kind => text(p.kind.as_str()),
            Prop::Status => p.status.map(|s| Scalar::Text(s.as_str().to_owned())),
            Prop::InvestmentTotal => p.investment_total.map(|w| Scalar::Dec(w.get())),
            Prop::InvestmentCompleted => p.investment_completed.map(|w| Scalar::Dec(w.get())),
            Prop::ProgressPct => p.progress_pct.map(Scalar::Num),
            Prop::StartDate => p.start_date.map(Scalar::Date),
            Prop::PlannedCompletion => p.planned_completion.map(Scalar::Date),
            Prop::ActualCompletion => p.actual_completion.map(Scalar::Date),
            Prop::Town => p.town.as_ref().map(|t| Scalar::Text(t.as_str().to_owned())),
            Prop::LocationConfidence => text(p.location_confidence.as_str()),
            Prop::Description => p.description.as_deref().and_then(text),
            Prop::Synthetic => Some(Scalar::Bool(p.synthetic)),
        }
    }
}

pub(super) fn type_words(ty: PropType) -> &'static str {
    match ty {
        PropType::Text => "quoted text such as 'completed'",
        PropType::Integer => "a whole number",
        PropType::Decimal | PropType::Number => "a number",
        PropType::Date => "a date such as DATE('2025-06-30')",
        PropType::Boolean => "TRUE or FALSE",
    }
}

impl fmt::Display for Prop {
    fn fmt(&self, f: &mut fmt::Formatter<'_>) -> fmt::Result {
        f.write_str(self.name())
    }
}
