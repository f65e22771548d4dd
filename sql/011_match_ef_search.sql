-- 011_match_ef_search.sql: image_match / text_match take the HNSW ef_search as an argument, so the
-- Supabase store searches with the workbench's MEDRAG_EF_SEARCH (its Python caller always passes it).
-- Called without it (other RPC clients), they keep 007's 300. The value is clamped to 1..1000, the
-- range pgvector accepts. match_images / match_texts (the original MedRAG's signature) stay at 300.
-- The old signatures are dropped first: PostgREST cannot choose between overloads by argument name
-- (and re-running 002 after this file would bring them back until this file runs again).

DROP FUNCTION IF EXISTS image_match(vector, integer, text[], text[], text[]);
DROP FUNCTION IF EXISTS text_match(vector, integer, text[], text[], text[]);

-- Two statements: the first sets ef_search for this call only (the SET clause below restores it on
-- return); the function's result is the second. PARALLEL UNSAFE because set_config is.
CREATE OR REPLACE FUNCTION image_match(
    query vector,
    match_count integer DEFAULT 10,
    filter_sources text[] DEFAULT NULL,
    filter_views text[] DEFAULT NULL,
    filter_labels text[] DEFAULT NULL,
    ef_search integer DEFAULT NULL
)
RETURNS TABLE (case_id text, similarity double precision)
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
SET hnsw.ef_search = 300
SET hnsw.iterative_scan = strict_order
SET enable_seqscan = off
AS $$
    SELECT set_config('hnsw.ef_search', least(greatest(ef_search, 1), 1000)::text, true) WHERE ef_search IS NOT NULL;
    SELECT c.case_id, -(c.image_embedding <#> query) AS similarity
    FROM cases AS c
    WHERE c.image_embedding IS NOT NULL
      AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
      AND (filter_views IS NULL OR c.view = ANY (filter_views))
      AND (filter_labels IS NULL OR c.labels @> filter_labels)
    ORDER BY c.image_embedding <#> query
    LIMIT match_count
$$;

CREATE OR REPLACE FUNCTION text_match(
    query vector,
    match_count integer DEFAULT 10,
    filter_sources text[] DEFAULT NULL,
    filter_views text[] DEFAULT NULL,
    filter_labels text[] DEFAULT NULL,
    ef_search integer DEFAULT NULL
)
RETURNS TABLE (case_id text, similarity double precision)
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
SET hnsw.ef_search = 300
SET hnsw.iterative_scan = strict_order
SET enable_seqscan = off
AS $$
    SELECT set_config('hnsw.ef_search', least(greatest(ef_search, 1), 1000)::text, true) WHERE ef_search IS NOT NULL;
    SELECT c.case_id, -(c.text_embedding <#> query) AS similarity
    FROM cases AS c
    WHERE c.text_embedding IS NOT NULL
      AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
      AND (filter_views IS NULL OR c.view = ANY (filter_views))
      AND (filter_labels IS NULL OR c.labels @> filter_labels)
    ORDER BY c.text_embedding <#> query
    LIMIT match_count
$$;

GRANT EXECUTE ON FUNCTION
    image_match(vector, integer, text[], text[], text[], integer),
    text_match(vector, integer, text[], text[], text[], integer)
TO anon, authenticated, service_role;
