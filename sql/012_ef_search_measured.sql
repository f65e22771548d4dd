-- 012_ef_search_measured.sql: the ef_search measured on the archive's own vectors.
-- `python -m etl reindex` (and Dataset Admin's Vector index tab) measure, after each HNSW build, the
-- mean recall@10 of the index against an exact scan with a sample of the archive's own vectors as
-- queries, and record here the lowest ef_search of a ladder that reaches the target (0.98). Where none
-- does up to pgvector's cap (1000), exact = true: searches then scan exactly rather than return a part
-- of the answer. PostgresStore and image_match / text_match use the row unless MEDRAG_EF_SEARCH (the
-- ef_search argument) is given; without a row they keep 300 (sql/007).

CREATE TABLE IF NOT EXISTS index_tuning (
    kind text PRIMARY KEY CHECK (kind IN ('image', 'text')),
    ef_search integer CHECK (ef_search BETWEEN 1 AND 1000),
    exact boolean NOT NULL DEFAULT false,
    recall double precision NOT NULL,      -- mean recall@10 at ef_search (at the cap when exact)
    target double precision NOT NULL,
    queries integer NOT NULL,
    rows_indexed bigint NOT NULL,
    ladder jsonb NOT NULL,                 -- [[ef_search, recall], ...] as tried, lowest first
    measured_at timestamptz NOT NULL DEFAULT now(),
    CHECK (exact OR ef_search IS NOT NULL)
);

GRANT SELECT ON index_tuning TO anon, authenticated;
GRANT ALL ON index_tuning TO service_role;
ALTER TABLE index_tuning ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS index_tuning_read ON index_tuning;
CREATE POLICY index_tuning_read ON index_tuning FOR SELECT TO anon, authenticated USING (true);
DROP POLICY IF EXISTS index_tuning_service ON index_tuning;
CREATE POLICY index_tuning_service ON index_tuning FOR ALL TO service_role USING (true) WITH CHECK (true);

-- The match functions of 011, now reading index_tuning when called without ef_search: its ef_search,
-- or an exact scan where the index cannot reach the target. The exact branch orders by an expression no
-- index serves, so it stays exact whatever plan PostgreSQL 18 caches for the function (planner settings
-- changed inside the body would not reach a cached plan); a one-time filter runs only one branch.
-- ef_search is at least match_count (pgvector returns at most ef_search rows per scan), at most 1000.
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
    SELECT set_config('hnsw.ef_search',
                      least(greatest(coalesce(ef_search, t.ef_search, 300), match_count, 1), 1000)::text, true)
    FROM (SELECT 1) AS one LEFT JOIN index_tuning AS t ON t.kind = 'image';
    WITH mode AS MATERIALIZED (
        SELECT ef_search IS NULL AND coalesce((SELECT exact FROM index_tuning WHERE kind = 'image'), false) AS exact
    )
    SELECT m.case_id, m.similarity FROM (
        (SELECT c.case_id, -(c.image_embedding <#> query) AS similarity
         FROM cases AS c
         WHERE NOT (SELECT exact FROM mode)
           AND c.image_embedding IS NOT NULL
           AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
           AND (filter_views IS NULL OR c.view = ANY (filter_views))
           AND (filter_labels IS NULL OR c.labels @> filter_labels)
         ORDER BY c.image_embedding <#> query
         LIMIT match_count)
        UNION ALL
        (SELECT c.case_id, -(c.image_embedding <#> query) AS similarity
         FROM cases AS c
         WHERE (SELECT exact FROM mode)
           AND c.image_embedding IS NOT NULL
           AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
           AND (filter_views IS NULL OR c.view = ANY (filter_views))
           AND (filter_labels IS NULL OR c.labels @> filter_labels)
         ORDER BY (c.image_embedding <#> query) + 0
         LIMIT match_count)
    ) AS m
    ORDER BY m.similarity DESC
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
    SELECT set_config('hnsw.ef_search',
                      least(greatest(coalesce(ef_search, t.ef_search, 300), match_count, 1), 1000)::text, true)
    FROM (SELECT 1) AS one LEFT JOIN index_tuning AS t ON t.kind = 'text';
    WITH mode AS MATERIALIZED (
        SELECT ef_search IS NULL AND coalesce((SELECT exact FROM index_tuning WHERE kind = 'text'), false) AS exact
    )
    SELECT m.case_id, m.similarity FROM (
        (SELECT c.case_id, -(c.text_embedding <#> query) AS similarity
         FROM cases AS c
         WHERE NOT (SELECT exact FROM mode)
           AND c.text_embedding IS NOT NULL
           AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
           AND (filter_views IS NULL OR c.view = ANY (filter_views))
           AND (filter_labels IS NULL OR c.labels @> filter_labels)
         ORDER BY c.text_embedding <#> query
         LIMIT match_count)
        UNION ALL
        (SELECT c.case_id, -(c.text_embedding <#> query) AS similarity
         FROM cases AS c
         WHERE (SELECT exact FROM mode)
           AND c.text_embedding IS NOT NULL
           AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
           AND (filter_views IS NULL OR c.view = ANY (filter_views))
           AND (filter_labels IS NULL OR c.labels @> filter_labels)
         ORDER BY (c.text_embedding <#> query) + 0
         LIMIT match_count)
    ) AS m
    ORDER BY m.similarity DESC
$$;
