-- 016_filtered_exact.sql: a selective filter is answered exactly, not through the vector index.
--
-- Browse Similar Cases filters by source, view and labels. Through the HNSW index (iterative scan,
-- strict order) a rare filter silently loses true neighbours: at a million cases and ef_search 300 a
-- label on 2.5% of the rows returned 0.727 of the exact top-10 (docs/benchmarks.md, "One million cases").
-- Now the rows a filter keeps are first counted by a bounded probe (LIMIT max_rows + 1; a rare label is
-- read through the GIN index on labels, a broad filter stops early). When at most max_rows rows match,
-- they are read through the label / source indexes and ordered by exact inner product (recall 1.0 by
-- construction), for either index method; above it the index search runs as in 015. max_rows is
-- medrag_core.store.EXACT_FILTER_MAX_ROWS (PostgresStore's plan, set_knn_plan, follows the same rule;
-- a test checks the two agree), set from the exact cost per matching row measured in docs/benchmarks.md
-- ("Filtered search answered exactly"). View has no index on purpose: with one, the planner may answer a
-- broad view filter (a third of the archive) by sorting all its rows once ef_search is high (measured: 10x).

-- 015's body with the probe and the exact branch in front.
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
    max_rows constant integer := 2000;  -- EXACT_FILTER_MAX_ROWS
    filtered bigint;
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
    IF p_sources IS NOT NULL OR p_views IS NOT NULL OR p_labels IS NOT NULL THEN
        -- planned as PostgresStore plans its probe: sequential reads allowed (a broad filter stops early)
        PERFORM set_config('enable_seqscan', 'on', true);
        EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM cases AS c WHERE c.%1$I IS NOT NULL%2$s LIMIT $6) AS m',
                       col, filters)
        INTO filtered USING p_query, p_match_count, p_sources, p_views, p_labels, max_rows + 1;
        PERFORM set_config('enable_seqscan', 'off', true);
        IF filtered <= max_rows THEN
            tuned_exact := true;
            tuned_method := 'hnsw';
            p_ef_search := NULL;
        END IF;
    END IF;
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
