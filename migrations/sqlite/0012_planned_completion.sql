-- Tiles carry each project's planned completion (the map styles what is overdue). Read out of
-- `props` for every row of every tile, SQLite parsed each project's whole JSON text: on 100,000
-- projects at z14 that was about an eighth of its time. Kept as a copy beside the other fields
-- read out of `props` (src/store/project_sql.rs `columns`), the same column as PostGIS.
alter table project add column planned_completion text;
update project set planned_completion = json_extract(props, '$.planned_completion');
