-- 001_schema.sql: the case archive.
--
-- Runs on embedded Postgres (applied by medrag_core/store/migrations.py, which records it in
-- schema_migrations) and pastes unchanged into the Supabase SQL editor.
--
-- Embedding columns are created as plain `vector`: the first write binds the store to one model and
-- dimension (store_meta) and the Python store then ALTERs both columns to vector(dim), which an HNSW
-- index needs. Vectors of two models are never mixed.

CREATE EXTENSION IF NOT EXISTS vector;

-- Which of these files have run (the runner creates it too, with the same definition, before 001).
CREATE TABLE IF NOT EXISTS schema_migrations (
    name        text PRIMARY KEY,
    checksum    text NOT NULL,
    applied_at  timestamptz NOT NULL DEFAULT now()
);

-- Image bytes, stored once per distinct content (several cases may share one image).
CREATE TABLE IF NOT EXISTS images (
    sha256      text PRIMARY KEY CHECK (sha256 ~ '^[0-9a-f]{64}$'),
    mime        text NOT NULL DEFAULT 'application/octet-stream',
    bytes       bytea NOT NULL,
    created_at  timestamptz NOT NULL DEFAULT now()
);

-- One searchable item: one image (or none: text-only cases) and its report.
-- Several images of one study share study_id and the same report text.
CREATE TABLE IF NOT EXISTS cases (
    case_id          text PRIMARY KEY,
    study_id         text,
    source           text NOT NULL,
    findings         text NOT NULL DEFAULT '',
    impression       text NOT NULL DEFAULT '',
    indication       text NOT NULL DEFAULT '',
    comparison       text NOT NULL DEFAULT '',
    view             text,
    labels           text[] NOT NULL DEFAULT '{}',
    image_sha256     text REFERENCES images (sha256) ON DELETE SET NULL,
    thumbnail        bytea,
    image_embedding  vector,
    text_embedding   vector,
    embed_model      text,
    fts              tsvector GENERATED ALWAYS AS (
                         to_tsvector('english'::regconfig, coalesce(findings, '') || ' ' || coalesce(impression, ''))
                     ) STORED,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT cases_embeddings_have_model
        CHECK (embed_model IS NOT NULL OR (image_embedding IS NULL AND text_embedding IS NULL))
);

CREATE INDEX IF NOT EXISTS cases_source_idx ON cases (source);
CREATE INDEX IF NOT EXISTS cases_study_id_idx ON cases (study_id);
CREATE INDEX IF NOT EXISTS cases_image_sha256_idx ON cases (image_sha256);
CREATE INDEX IF NOT EXISTS cases_fts_idx ON cases USING gin (fts);
CREATE INDEX IF NOT EXISTS cases_labels_idx ON cases USING gin (labels);
-- HNSW indexes on image_embedding / text_embedding (vector_ip_ops) are built by
-- PostgresStore.reindex() (python -m etl reindex) once the dimension is bound.

-- The embedding model and dimension this store holds: one row once the first embedding is written.
CREATE TABLE IF NOT EXISTS store_meta (
    singleton    boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    embed_model  text NOT NULL,
    dimension    integer NOT NULL CHECK (dimension > 0),
    bound_at     timestamptz NOT NULL DEFAULT now()
);

-- ETL resumability: per source and shard, how far a run got. The row is written in the same
-- transaction as the batch of cases it covers, so after a kill -9 it never runs ahead of the data.
-- position: number of source items consumed (the next run skips that many); done: finished.
CREATE TABLE IF NOT EXISTS ingest_progress (
    source_key    text NOT NULL,
    shard         text NOT NULL DEFAULT '0/1',
    source        text,
    position      bigint NOT NULL DEFAULT 0 CHECK (position >= 0),
    rows_written  bigint NOT NULL DEFAULT 0,
    errors        bigint NOT NULL DEFAULT 0,
    done          boolean NOT NULL DEFAULT false,
    started_at    timestamptz NOT NULL DEFAULT now(),
    updated_at    timestamptz NOT NULL DEFAULT now(),
    PRIMARY KEY (source_key, shard)
);
