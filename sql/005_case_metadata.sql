-- 005_case_metadata.sql: per-case source provenance.
--
-- cases.metadata holds fields kept verbatim from the source, as a flat JSON object of strings:
-- the image's licence, source URL, the source's own label, the original file name, how the image
-- was processed (Case.metadata). Never patient identifiers: nothing from DICOM headers goes there.
--
-- Grants and RLS need nothing new: 003 grants SELECT on the whole table to anon/authenticated and
-- ALL to service_role, and its row policies cover every column. The REST store reads the column
-- like any other (`select=...,metadata`); jsonb travels as JSON.

ALTER TABLE cases ADD COLUMN IF NOT EXISTS metadata jsonb NOT NULL DEFAULT '{}'::jsonb;

-- Supabase's PostgREST reloads its schema cache on DDL by itself; this makes sure (a no-op elsewhere).
NOTIFY pgrst, 'reload schema';
