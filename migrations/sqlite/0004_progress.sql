-- Progress tracking (issue 10): responsible units, users' units, the reviewer role, monthly
-- reports with their history, and milestones.
--
-- SQLite cannot change a check constraint in place, so app_user is rebuilt to admit `reviewer`.
-- Migrations run in a transaction with foreign keys on, where dropping app_user would cascade to
-- sessions and tokens; so its two child tables are rebuilt first, pointing at the new table, and
-- the renames (which rewrite references) put every name back.

create table app_user_new (
    id integer primary key,
    -- sign-in name, unique
    name text not null unique,
    -- viewer | planner | reviewer | admin
    role text not null check (role in ('viewer', 'planner', 'reviewer', 'admin')),
    -- argon2id PHC string; never the password itself
    password_hash text not null,
    -- 1 = may not sign in; sessions and tokens stop working at once
    disabled integer not null default 0,
    created_at text not null
);
insert into app_user_new (id, name, role, password_hash, disabled, created_at)
    select id, name, role, password_hash, disabled, created_at from app_user;

create table user_session_new (
    token_hash text primary key,
    user_id integer not null references app_user_new (id) on delete cascade,
    created_at text not null,
    expires_at text not null
);
insert into user_session_new (token_hash, user_id, created_at, expires_at) select token_hash, user_id, created_at, expires_at from user_session;

create table api_token_new (
    token_hash text primary key,
    user_id integer not null references app_user_new (id) on delete cascade,
    label text,
    created_at text not null
);
insert into api_token_new (token_hash, user_id, label, created_at) select token_hash, user_id, label, created_at from api_token;

drop table user_session;
drop table api_token;
drop table app_user;
alter table app_user_new rename to app_user;
alter table user_session_new rename to user_session;
alter table api_token_new rename to api_token;
create index user_session_expires on user_session (expires_at);

-- The same tables as the PostGIS store, with the same column types (text times, decimal text),
-- so the SQL in src/store/progress.rs is written once for both.

-- 责任单位: the plan's responsible units.
create table unit (
    name text primary key,
    -- plan | projects | cli: where the name was first seen
    origin text not null,
    created_at text not null
);

-- The units a user reports for. A user with none is district-wide.
create table user_unit (
    user_id integer not null references app_user (id) on delete cascade,
    unit text not null references unit (name),
    primary key (user_id, unit)
);

-- One monthly report (月报) per project and period.
create table report (
    id integer primary key,
    project_id text not null,
    -- YYYY-MM
    period text not null,
    -- +1 on every change; the ETag
    version integer not null check (version >= 1),
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
    report_id integer not null references report (id),
    version integer not null,
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

