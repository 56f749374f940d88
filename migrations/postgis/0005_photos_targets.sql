-- Issue 10, items 6 and 10: photos attached to monthly reports, reported values of the plan's
-- targets (kept with their history), and the users an admin designates to enter those values.
-- Same column types as the embedded store (text times, decimal text), so the SQL in
-- src/store/extras.rs is written once for both.

-- A site photo of a report. The image lives in the store so every instance serves the same.
create table report_photo (
    id bigserial primary key,
    report_id bigint not null references report (id),
    -- image/jpeg | image/png | image/webp, sniffed from the content
    content_type text not null,
    -- hex SHA-256 of `bytes`: the ETag
    sha256 text not null,
    bytes bytea not null,
    -- JPEG, at most 320 px on its longer side
    thumbnail bytea not null,
    width bigint not null,
    height bigint not null,
    -- EXIF DateTimeOriginal as the camera wrote it (local time), YYYY-MM-DDTHH:MM:SS
    taken_at text,
    -- EXIF GPS position, WGS 84 degrees
    lon double precision,
    lat double precision,
    uploaded_by text not null,
    created_at text not null
);
create index report_photo_report on report_photo (report_id);

-- Reported values of the plan's targets (/api/plan/targets). Rows are only ever added: the
-- latest row of a target and period is its value, earlier rows are its history.
create table plan_target_value (
    id bigserial primary key,
    target_id text not null,
    -- YYYY or YYYY-MM
    period text not null,
    -- decimal text
    value text not null,
    unit text not null,
    -- JSON: {title, url, kind, retrieved, quote} or a plain note
    source text not null,
    entered_by text not null,
    created_at text not null
);
create index plan_target_value_target on plan_target_value (target_id, period, id);

-- Users an admin lets enter target values (besides reviewers and admins).
create table statistics_user (
    user_id bigint primary key references app_user (id) on delete cascade,
    designated_by text not null,
    created_at text not null
);
