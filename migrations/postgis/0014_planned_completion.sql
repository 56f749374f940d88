-- Tiles carry each project's planned completion (the map styles what is overdue), read until now
-- out of `props` for every row of every tile. A copy beside the other fields read out of `props`
-- (src/store/project_sql.rs `columns`), the same column as the embedded store's (its 0012).
alter table project add column planned_completion text;
update project set planned_completion = props->>'planned_completion';
