-- 002_match_functions.sql: nearest-neighbour search as SQL functions (for RPC callers such as
-- Supabase's REST API; the Python store runs the same queries directly, with filters).
--
-- Similarity is the inner product of unit vectors (= cosine): -(embedding <#> query).
-- Every query orders by the operator expression itself (ORDER BY embedding <#> query), never by an
-- alias, so an HNSW index (vector_ip_ops) can serve it. Each function fixes hnsw.ef_search (recall)
-- and turns on iterative index scans so filters and thresholds still return match_count rows.
-- SECURITY INVOKER: callers see only the rows their role may read (see 003).
-- Note: PostgreSQL ignores type modifiers of function arguments, so `vector` accepts any dimension;
-- a query of the wrong size fails with pgvector's "different vector dimensions" error.

CREATE OR REPLACE FUNCTION image_match(
    query vector,
    match_count integer DEFAULT 10,
    filter_sources text[] DEFAULT NULL,
    filter_views text[] DEFAULT NULL,
    filter_labels text[] DEFAULT NULL
)
RETURNS TABLE (case_id text, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
SET hnsw.ef_search = 100
SET hnsw.iterative_scan = strict_order
AS $$
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
    filter_labels text[] DEFAULT NULL
)
RETURNS TABLE (case_id text, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
SET hnsw.ef_search = 100
SET hnsw.iterative_scan = strict_order
AS $$
    SELECT c.case_id, -(c.text_embedding <#> query) AS similarity
    FROM cases AS c
    WHERE c.text_embedding IS NOT NULL
      AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
      AND (filter_views IS NULL OR c.view = ANY (filter_views))
      AND (filter_labels IS NULL OR c.labels @> filter_labels)
    ORDER BY c.text_embedding <#> query
    LIMIT match_count
$$;

-- The original MedRAG's names and signature (Supabase pattern: query_embedding vector(1152),
-- match_threshold, match_count), so existing clients keep working. id is the case_id.
CREATE OR REPLACE FUNCTION match_images(
    query_embedding vector,
    match_threshold double precision,
    match_count integer
)
RETURNS TABLE (id text, findings text, impression text, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
SET hnsw.ef_search = 100
SET hnsw.iterative_scan = strict_order
AS $$
    SELECT c.case_id, c.findings, c.impression, -(c.image_embedding <#> query_embedding) AS similarity
    FROM cases AS c
    WHERE c.image_embedding IS NOT NULL
      AND -(c.image_embedding <#> query_embedding) > match_threshold
    ORDER BY c.image_embedding <#> query_embedding
    LIMIT match_count
$$;

CREATE OR REPLACE FUNCTION match_texts(
    query_embedding vector,
    match_threshold double precision,
    match_count integer
)
RETURNS TABLE (id text, findings text, impression text, similarity double precision)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
SET hnsw.ef_search = 100
SET hnsw.iterative_scan = strict_order
AS $$
    SELECT c.case_id, c.findings, c.impression, -(c.text_embedding <#> query_embedding) AS similarity
    FROM cases AS c
    WHERE c.text_embedding IS NOT NULL
      AND -(c.text_embedding <#> query_embedding) > match_threshold
    ORDER BY c.text_embedding <#> query_embedding
    LIMIT match_count
$$;
