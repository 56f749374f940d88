-- planmap PostGIS store, first schema. Never edit after release; add a new numbered file.
create extension if not exists postgis;

-- The current state of every live (not archived) project.
create table project (
    id text primary key,
    -- +1 on every accepted write; the ETag; compare-and-swap target
    version bigint not null check (version >= 1),
    -- copies of filterable fields out of `props`, so filters and stats run in SQL
    name_zh text not null,
    name_en text,
    action integer,
    task integer,
    kind text not null,
    status text,
    town text,
    synthetic boolean not null default false,
    investment_total numeric,
    investment_completed numeric,
    -- checked fields; decoded into the same Rust type as the embedded store's JSON text
    props jsonb not null,
    islands jsonb not null,
    -- canonical RFC 7946 text, served as is so both stores answer byte-identical GeoJSON
    geometry_json text not null,
    -- the same geometry for spatial SQL
    geom geometry(Geometry, 4326) not null,
    updated_at timestamptz not null
);
create index project_geom_gist on project using gist (geom);
create index project_status on project (status);
create index project_action_task on project (action, task);

-- One row per accepted write: history, diff, restore and as-of reads.
create table project_revision (
    project_id text not null,
    version bigint not null,
    author text not null,
    comment text,
    created_at timestamptz not null,
    -- true when this revision archived (deleted) the project; `feature` then holds its last state
    archived boolean not null default false,
    feature jsonb not null,
    primary key (project_id, version)
);
create index project_revision_created on project_revision (created_at);
