-- The embedded store keeps the same project columns as PostGIS, so both stores write a project
-- with one statement body and one bind list (src/store/project_sql.rs).

alter table project rename column geometry to geometry_json;
-- exact decimal text of 万元 (SQLite has no decimal type); PostGIS keeps `numeric`
alter table project add column investment_total text;
alter table project add column investment_completed text;
update project set investment_total = json_extract(props, '$.investment_total'),
                   investment_completed = json_extract(props, '$.investment_completed');

-- An archived (deleted) row leaves the R*Tree with it, whichever statement deleted it.
create trigger project_rtree_forget after delete on project
begin
    delete from project_rtree where rid = old.rid;
end;
