-- Users, sessions, API tokens, failed sign-ins and the audit log (issue 4, editing).
-- Everything lives in the store so several planmap instances can share one database.

create table app_user (
    id integer primary key,
    -- sign-in name, unique
    name text not null unique,
    -- viewer | planner | admin
    role text not null check (role in ('viewer', 'planner', 'admin')),
    -- argon2id PHC string; never the password itself
    password_hash text not null,
    -- 1 = may not sign in; sessions and tokens stop working at once
    disabled integer not null default 0,
    created_at text not null
);

-- Browser sessions. Looked up by the SHA-256 of the cookie value, so a leaked table grants nothing.
create table user_session (
    token_hash text primary key,
    user_id integer not null references app_user (id) on delete cascade,
    created_at text not null,
    expires_at text not null
);
create index user_session_expires on user_session (expires_at);

-- API tokens for scripts (Bearer). Only the SHA-256 is kept; the token is printed once.
create table api_token (
    token_hash text primary key,
    user_id integer not null references app_user (id) on delete cascade,
    label text,
    created_at text not null
);

-- Failed sign-ins, one row each, keyed `user:NAME` and `addr:IP`; counted over a window to rate-limit.
create table login_failure (
    key text not null,
    at text not null
);
create index login_failure_key_at on login_failure (key, at);

-- Who did what and when: every sign-in (good or bad) and every accepted write.
create table audit_log (
    id integer primary key,
    at text not null,
    -- user name, `cli`, or `anonymous`
    actor text not null,
    -- e.g. sign_in, sign_in_failed, create, replace, archive, restore, import, user_add
    action text not null,
    -- what it was done to (project id, user name), when there is one
    target text,
    -- the client address as seen by planmap
    address text,
    -- free text (version written, reason of a failure)
    detail text
);
create index audit_log_at on audit_log (at);
