-- Progress tracking (issue 10): responsible units, users' units, the reviewer role, monthly
-- reports with their history, and milestones.

alter table app_user drop constraint app_user_role_check;
alter table app_user add constraint app_user_role_check check (role in ('viewer', 'planner', 'reviewer', 'admin'));

-- The same tables as the embedded store, with the same column types (text times as RFC 3339 UTC
-- with microseconds, which sort as times; money inside the JSON body as decimal strings), so
-- the SQL in src/store/progress.rs is written once for both.

-- 责任单位: the plan's responsible units.
create table unit (
    name text primary key,
    -- plan | projects | cli: where the name was first seen
    origin text not null,
    created_at text not null
);

-- The units a user reports for. A user with none is district-wide.
create table user_unit (
    user_id bigint not null references app_user (id) on delete cascade,
    unit text not null references unit (name),
    primary key (user_id, unit)
);

-- One monthly report (月报) per project and period.
create table report (
    id bigserial primary key,
    project_id text not null,
    -- YYYY-MM
    period text not null,
    -- +1 on every change; the ETag
    version bigint not null check (version >= 1),
    state text not null check (state in ('draft', 'submitted', 'approved', 'returned')),
    -- JSON: figures (money as decimal strings) and the workflow's who/when/why
    body text not null,
    created_at text not null,
    updated_at text not null,
    unique (project_id, period)
);
create index report_period_state on report (period, state);

-- Every version of every report: submissions, returns, approvals and corrections stay readable.
create table report_revision (
    report_id bigint not null references report (id),
    version bigint not null,
    state text not null,
    -- create | edit | submit | approve | return | correct
    action text not null,
    author text not null,
    reason text,
    body text not null,
    created_at text not null,
    primary key (report_id, version)
);

-- Planned and actual dates of a project's milestones (立项, 用地用海审批, 开工, 主体完工, 竣工验收).
create table milestone (
    project_id text not null,
    kind text not null,
    -- YYYY-MM-DD
    planned text,
    actual text,
    note text,
    updated_by text not null,
    updated_at text not null,
    primary key (project_id, kind)
);
