-- Tiles are cut in Web Mercator. Transforming every row of every tile (what a tile server on a
-- 4326 table does) cost more than the rest of the tile; PostgreSQL keeps the transformed copy
-- instead, on every write, with its own GIST index for the tile's envelope.
alter table project add column geom_3857 geometry(Geometry, 3857) generated always as (st_transform(geom, 3857)) stored;
create index project_geom_3857_gist on project using gist (geom_3857);
