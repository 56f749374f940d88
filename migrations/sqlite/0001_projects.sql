-- planmap embedded store, first schema. Never edit after release; add a new numbered file.

-- The current state of every live (not archived) project.
create table project (
    -- integer key so the R*Tree below can point at rows; `id` is the public slug
    rid integer primary key,
    id text not null unique,
    -- +1 on every accepted write; the ETag; compare-and-swap target
    version integer not null check (version >= 1),
    -- copies of filterable fields out of `props`, so filters run in SQL
    name_zh text not null,
    name_en text,
    action integer,
    task integer,
    kind text not null,
    status text,
    town text,
    synthetic integer not null default 0,
    -- canonical JSON of the checked fields (money as decimal strings: exact)
    props text not null,
    -- JSON array of the named islands the geometry touches (derived on write)
    islands text not null,
    -- canonical RFC 7946 geometry text; both stores keep the same text so both serve the same bytes
    geometry text not null,
    -- RFC 3339 UTC with microseconds, the precision PostgreSQL keeps
    updated_at text not null
);

-- Spatial prefilter. Boxes are stored as 32-bit floats rounded outward, so it may return extra
-- candidates but never misses one; the exact test runs in Rust with `geo`.
create virtual table project_rtree using rtree(rid, min_x, max_x, min_y, max_y);

-- One row per accepted write, archived ones included: history, diff, restore and as-of reads.
create table project_revision (
    project_id text not null,
    version integer not null,
    author text not null,
    comment text,
    created_at text not null,
    -- 1 when this revision archived (deleted) the project; `feature` then holds its last state
    archived integer not null default 0,
    -- the full GeoJSON Feature as served after the write
    feature text not null,
    primary key (project_id, version)
);
create index project_revision_created on project_revision (created_at);
