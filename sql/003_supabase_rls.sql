-- 003_supabase_rls.sql: who may read and write, in Supabase's roles.
--
-- anon / authenticated (the app's keys): read cases, images and store_meta, call the match
-- functions; never write. service_role (ETL, admin): everything. ingest_progress and
-- schema_migrations are for the owner and service_role only.
-- The table owner (postgres: embedded store, direct connections) is not subject to RLS.
--
-- On plain Postgres these roles do not exist: create them (NOLOGIN) so the same file runs on the
-- embedded server and pastes into the Supabase SQL editor, where they already exist.

DO $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'anon') THEN
        CREATE ROLE anon NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'authenticated') THEN
        CREATE ROLE authenticated NOLOGIN NOINHERIT;
    END IF;
    IF NOT EXISTS (SELECT 1 FROM pg_roles WHERE rolname = 'service_role') THEN
        CREATE ROLE service_role NOLOGIN NOINHERIT;
    END IF;
END
$$;

GRANT USAGE ON SCHEMA public TO anon, authenticated, service_role;

-- Supabase grants ALL on new public tables to these roles by default: take writes back explicitly.
REVOKE ALL ON cases, images, store_meta, ingest_progress, schema_migrations FROM anon, authenticated;
GRANT SELECT ON cases, images, store_meta TO anon, authenticated;
GRANT ALL ON cases, images, store_meta, ingest_progress, schema_migrations TO service_role;

ALTER TABLE cases ENABLE ROW LEVEL SECURITY;
ALTER TABLE images ENABLE ROW LEVEL SECURITY;
ALTER TABLE store_meta ENABLE ROW LEVEL SECURITY;
ALTER TABLE ingest_progress ENABLE ROW LEVEL SECURITY;
ALTER TABLE schema_migrations ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS cases_read ON cases;
CREATE POLICY cases_read ON cases FOR SELECT TO anon, authenticated USING (true);
DROP POLICY IF EXISTS images_read ON images;
CREATE POLICY images_read ON images FOR SELECT TO anon, authenticated USING (true);
DROP POLICY IF EXISTS store_meta_read ON store_meta;
CREATE POLICY store_meta_read ON store_meta FOR SELECT TO anon, authenticated USING (true);

-- service_role bypasses RLS on Supabase; these policies give the same on plain Postgres.
DROP POLICY IF EXISTS cases_service ON cases;
CREATE POLICY cases_service ON cases FOR ALL TO service_role USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS images_service ON images;
CREATE POLICY images_service ON images FOR ALL TO service_role USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS store_meta_service ON store_meta;
CREATE POLICY store_meta_service ON store_meta FOR ALL TO service_role USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS ingest_progress_service ON ingest_progress;
CREATE POLICY ingest_progress_service ON ingest_progress FOR ALL TO service_role USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS schema_migrations_service ON schema_migrations;
CREATE POLICY schema_migrations_service ON schema_migrations FOR ALL TO service_role
    USING (true) WITH CHECK (true);

GRANT EXECUTE ON FUNCTION
    image_match(vector, integer, text[], text[], text[]),
    text_match(vector, integer, text[], text[], text[]),
    match_images(vector, double precision, integer),
    match_texts(vector, double precision, integer)
TO anon, authenticated, service_role;
