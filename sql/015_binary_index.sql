-- 015_binary_index.sql: a second kind of vector index, binary quantisation with exact re-ranking.
--
-- `python -m etl reindex --method binary` builds, per embedding column, an HNSW index on the sign bits of
-- the vector (pgvector's binary_quantize, Hamming distance, 144 bytes a row at 1152 dimensions instead of
-- 2,308) and drops the halfvec HNSW index of that column. A search takes the nearest candidates by the
-- bits from that index, then orders them exactly by inner product on the stored halfvec values. How many
-- candidates is measured on the archive's own vectors after the build, as ef_search is for the halfvec
-- index (sql/012): the lowest count of a ladder whose recall@10 reaches the target, recorded here as
-- method = 'binary' and candidates. Where none does, exact = true and searches scan exactly.
-- At a million synthetic cases the bit graph built in 6-8 minutes a column (halfvec: 19) in a third of
-- the memory, but reached recall@10 0.952 at best and searched more slowly than the halfvec index
-- (docs/benchmarks.md, "One million cases, binary quantisation"): HNSW on halfvec stays the default.
-- Without this index nothing changes: method defaults to 'hnsw'.

ALTER TABLE index_tuning ADD COLUMN IF NOT EXISTS method text NOT NULL DEFAULT 'hnsw';
ALTER TABLE index_tuning ADD COLUMN IF NOT EXISTS candidates integer;
ALTER TABLE index_tuning ALTER COLUMN recall DROP NOT NULL;  -- NULL: built without a measurement
ALTER TABLE index_tuning DROP CONSTRAINT IF EXISTS index_tuning_check;
ALTER TABLE index_tuning DROP CONSTRAINT IF EXISTS index_tuning_choice;
ALTER TABLE index_tuning ADD CONSTRAINT index_tuning_choice CHECK (
    method IN ('hnsw', 'binary')
    AND (candidates IS NULL OR candidates BETWEEN 1 AND 10000)
    AND (exact OR (method = 'hnsw' AND ef_search IS NOT NULL) OR (method = 'binary' AND candidates IS NOT NULL))
);

-- Per embedding kind, what indexes it: 'hnsw m=16 ef_construction=64', 'hnsw binary m=16 ...' or
-- 'hnsw invalid (rebuild with reindex)'; kinds without an index are absent. Read by PostgresStore
-- (index_state) and by medrag_stats() for the Supabase store, so both say the same.
CREATE OR REPLACE FUNCTION medrag_index_state()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
AS $$
    SELECT coalesce(jsonb_object_agg(s.kind, s.state), '{}'::jsonb)
    FROM (
        SELECT DISTINCT ON (d.kind) d.kind,
               CASE WHEN NOT d.valid THEN 'hnsw invalid (rebuild with reindex)'
                    ELSE 'hnsw ' || CASE WHEN d.def LIKE '%binary_quantize(%' THEN 'binary ' ELSE '' END
                         || coalesce(d.opts, 'defaults') END AS state
        FROM (
            SELECT CASE WHEN pg_get_indexdef(i.indexrelid) LIKE '%image_embedding%' THEN 'image'
                        WHEN pg_get_indexdef(i.indexrelid) LIKE '%text_embedding%' THEN 'text' END AS kind,
                   pg_get_indexdef(i.indexrelid) AS def, i.indisvalid AS valid,
                   array_to_string(ic.reloptions, ' ') AS opts
            FROM pg_index AS i
            JOIN pg_class AS ic ON ic.oid = i.indexrelid
            JOIN pg_am AS am ON am.oid = ic.relam
            WHERE i.indrelid = 'public.cases'::regclass AND am.amname = 'hnsw'
        ) AS d
        WHERE d.kind IS NOT NULL
        ORDER BY d.kind, d.valid DESC, d.def LIKE '%binary_quantize(%' DESC
    ) AS s
$$;

-- 013's medrag_stats(), its index_state from medrag_index_state() (keys 'image' / 'text').
CREATE OR REPLACE FUNCTION medrag_stats()
RETURNS jsonb
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
AS $$
    SELECT jsonb_build_object(
        'total_cases', t.total,
        'with_image', t.with_image,
        'with_image_embedding', t.with_ie,
        'with_text_embedding', t.with_te,
        'per_source', coalesce(
            (SELECT jsonb_object_agg(s.source, s.n) FROM (SELECT source, count(*) AS n FROM cases GROUP BY source) AS s),
            '{}'::jsonb),
        'per_label', coalesce(
            (SELECT jsonb_object_agg(l.label, l.n)
             FROM (SELECT u.label, count(*) AS n FROM cases AS c, unnest(c.labels) AS u(label) GROUP BY u.label) AS l),
            '{}'::jsonb),
        'embed_model', (SELECT m.embed_model FROM store_meta AS m),
        'dimension', (SELECT m.dimension FROM store_meta AS m),
        'index_state', medrag_index_state()
    )
    FROM (SELECT count(*) AS total, count(image_sha256) AS with_image,
                 count(image_embedding) AS with_ie, count(text_embedding) AS with_te
          FROM cases) AS t
$$;

-- 014's body of image_match / text_match, with the binary branch: the candidates nearest by the bits
-- (the expression of the index, so the index serves it), re-ranked by inner product. ef_search given:
-- for a binary index it is the candidate count for a top-10; a longer list re-ranks proportionally
-- more (the hybrid search asks for 50). The bit length is the store's dimension (store_meta).
CREATE OR REPLACE FUNCTION medrag_vector_match(
    p_kind text,
    p_query halfvec,
    p_match_count integer,
    p_sources text[],
    p_views text[],
    p_labels text[],
    p_ef_search integer
)
RETURNS TABLE (case_id text, similarity double precision)
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
SET hnsw.ef_search = 300
SET hnsw.iterative_scan = strict_order
SET enable_seqscan = off
AS $$
DECLARE
    col text := CASE p_kind WHEN 'image' THEN 'image_embedding' WHEN 'text' THEN 'text_embedding' END;
    filters text := ' AND ($3::text[] IS NULL OR c.source = ANY ($3)) AND ($4::text[] IS NULL OR c.view = ANY ($4))'
                    ' AND ($5::text[] IS NULL OR c.labels @> $5)';
    tuned_ef integer;
    tuned_exact boolean;
    tuned_method text;
    tuned_candidates integer;
    dim integer;
    n_candidates integer;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION 'medrag_vector_match: kind must be image or text, not %', p_kind USING ERRCODE = '22023';
    END IF;
    SELECT t.ef_search, t.exact, t.method, t.candidates INTO tuned_ef, tuned_exact, tuned_method, tuned_candidates
    FROM index_tuning AS t WHERE t.kind = p_kind;
    SELECT m.dimension INTO dim FROM store_meta AS m;
    IF tuned_method = 'binary' AND dim IS NOT NULL AND NOT (p_ef_search IS NULL AND coalesce(tuned_exact, false)) THEN
        -- measured for a top-10: a longer list re-ranks proportionally more (as PostgresStore's plan)
        n_candidates := least(greatest(coalesce(p_ef_search, tuned_candidates, 400)
                                       * greatest(ceil(p_match_count / 10.0), 1), p_match_count, 1), 10000);
        PERFORM set_config('hnsw.ef_search', least(n_candidates, 1000)::text, true);
        RETURN QUERY EXECUTE format(
            'SELECT r.case_id, -r.d::double precision FROM (SELECT c.case_id, c.%1$I <#> $1 AS d FROM cases AS c'
            ' WHERE c.%1$I IS NOT NULL%3$s ORDER BY binary_quantize(c.%1$I)::bit(%2$s) <~> binary_quantize($1)::bit(%2$s)'
            ' LIMIT $6) AS r ORDER BY r.d LIMIT $2',
            col, dim, filters)
        USING p_query, p_match_count, p_sources, p_views, p_labels, n_candidates;
        RETURN;
    END IF;
    PERFORM set_config('hnsw.ef_search',
                       least(greatest(coalesce(p_ef_search, tuned_ef, 300), p_match_count, 1), 1000)::text, true);
    RETURN QUERY EXECUTE format(
        'SELECT c.case_id, -(c.%1$I <#> $1)::double precision FROM cases AS c WHERE c.%1$I IS NOT NULL%3$s'
        ' ORDER BY %2$s LIMIT $2',
        col,
        CASE WHEN p_ef_search IS NULL AND coalesce(tuned_exact, false)
             THEN format('(c.%I <#> $1) + 0', col) ELSE format('c.%I <#> $1', col) END,
        filters)
    USING p_query, p_match_count, p_sources, p_views, p_labels;
END
$$;

NOTIFY pgrst, 'reload schema';
