//! CQL2 expressions as PostGIS SQL: fixed column expressions per queryable, every value a bound
//! parameter. SQL's three-valued logic is the one [`Expr::eval`] implements for the embedded
//! store, so NULLs behave the same on both.

use crate::project::cql2::{CmpOp, Expr, Prop, PropType, Scalar};
use sqlx::{Postgres, QueryBuilder};

/// The SQL for one queryable. Identifiers come from this fixed table, never from a request.
fn column(p: Prop) -> &'static str {
    match p {
        Prop::Id => "id",
        Prop::NameZh => "name_zh",
        Prop::NameEn => "name_en",
        Prop::Action => "action",
        Prop::Task => "task",
        Prop::PlanRef => "(props->>'plan_ref')",
        Prop::Kind => "kind",
        Prop::Status => "status",
        Prop::InvestmentTotal => "investment_total",
        Prop::InvestmentCompleted => "investment_completed",
        Prop::ProgressPct => "((props->>'progress_pct')::float8)",
        Prop::StartDate => "((props->>'start_date')::date)",
        Prop::PlannedCompletion => "((props->>'planned_completion')::date)",
        Prop::ActualCompletion => "((props->>'actual_completion')::date)",
        Prop::Town => "town",
        Prop::LocationConfidence => "(props->>'location_confidence')",
        Prop::Description => "(props->>'description')",
        Prop::Synthetic => "synthetic",
    }
}

/// Ordering comparisons on text use byte order, as the Rust evaluation does.
fn ordered(p: Prop) -> String {
    if p.ty() == PropType::Text {
        format!("{} collate \"C\"", column(p))
    } else {
        column(p).to_owned()
    }
}

fn bind(qb: &mut QueryBuilder<'static, Postgres>, v: &Scalar) {
    match v {
        Scalar::Text(s) => qb.push_bind(s.clone()),
        Scalar::Int(i) => qb.push_bind(*i),
        Scalar::Dec(d) => qb.push_bind(*d),
        Scalar::Num(n) => qb.push_bind(*n),
        Scalar::Date(d) => qb.push_bind(*d),
        Scalar::Bool(b) => qb.push_bind(*b),
    };
}

/// Appends `e` as a boolean SQL expression.
pub(crate) fn push_expr(qb: &mut QueryBuilder<'static, Postgres>, e: &Expr) {
    match e {
        Expr::And(v) | Expr::Or(v) => {
            let op = if matches!(e, Expr::And(_)) { " and " } else { " or " };
            qb.push("(");
            for (i, x) in v.iter().enumerate() {
                if i > 0 {
                    qb.push(op);
                }
                push_expr(qb, x);
            }
            qb.push(")");
        }
        Expr::Not(x) => {
            qb.push("(not ");
            push_expr(qb, x);
            qb.push(")");
        }
        Expr::Compare { prop, op, value } => {
            let col = if matches!(op, CmpOp::Eq | CmpOp::Ne) { column(*prop).to_owned() } else { ordered(*prop) };
            qb.push("(").push(col).push(" ").push(op.sql()).push(" ");
            bind(qb, value);
            qb.push(")");
        }
        Expr::Like { prop, pattern } => {
            // PostgreSQL's LIKE escape character is `\` by default, as in CQL2.
            qb.push("(").push(column(*prop)).push(" like ").push_bind(pattern.clone()).push(")");
        }
        Expr::Between { prop, low, high } => {
            qb.push("(").push(ordered(*prop)).push(" between ");
            bind(qb, low);
            qb.push(" and ");
            bind(qb, high);
            qb.push(")");
        }
        Expr::In { prop, values } => {
            qb.push("(").push(column(*prop)).push(" in (");
            for (i, v) in values.iter().enumerate() {
                if i > 0 {
                    qb.push(", ");
                }
                bind(qb, v);
            }
            qb.push("))");
        }
        Expr::IsNull(prop) => {
            qb.push("(").push(column(*prop)).push(" is null)");
        }
        Expr::Intersects(g) => {
            use wkt::ToWkt as _;
            qb.push("st_intersects(geom, st_geomfromtext(").push_bind(g.wkt_string()).push(", 4326))");
        }
        Expr::Literal(b) => {
            qb.push(if *b { "true" } else { "false" });
        }
    }
}
