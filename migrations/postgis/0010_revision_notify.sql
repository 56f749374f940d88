-- Announce every accepted write to every planmap instance on this database, so that their tile
-- caches drop exactly the tiles it touched. NOTIFY is transactional: the announcement leaves at
-- commit and never for a rolled-back write. Payload: `<project id> <version>`; the listener reads
-- that revision and its predecessor for the geometries. Catches the command line and any other
-- writer too, since every write appends a revision.
create function planmap_revision_notify() returns trigger language plpgsql as $$
begin
    perform pg_notify('planmap_revision', new.project_id || ' ' || new.version);
    return null;
end
$$;

create trigger project_revision_notify after insert on project_revision
    for each row execute function planmap_revision_notify();
