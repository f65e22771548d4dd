-- 014_halfvec.sql: the embedding columns and their HNSW indexes in half precision (pgvector's halfvec,
-- pgvector >= 0.7; the embedded server ships 0.8.5). Half the bytes per vector: at 1152 dimensions
-- 2,308 bytes instead of 4,612, so the table, the indexes and the RAM an index build and a search need
-- are about halved. The top-10 against float32 on the same data: docs/benchmarks.md, section 1.
--
-- An existing archive moves without re-embedding: each float32 value is rounded to the nearest half
-- (ALTER ... TYPE halfvec USING col::halfvec), in one rewrite of the table. The HNSW indexes are
-- dropped first (their operator class is vector_ip_ops) and rebuilt with halfvec_ip_ops and their old
-- m / ef_construction, with maintenance_work_mem sized so the graph fits (up to 4 GB). On a large
-- archive this takes minutes (docs/benchmarks.md); in Supabase's SQL editor, whose statement timeout
-- may stop it, run `python -m etl migrate` over the direct connection instead. The ef_search choices
-- of index_tuning stay (measured on the float32 index); `python -m etl reindex` measures them anew.
-- Unit vectors are far inside halfvec's range (+-65504); a value outside it would stop the migration.

DO $$
DECLARE
    col text;
    opts text;
    typmod integer;
    rebuild text[] := ARRAY[]::text[];
    n bigint;
BEGIN
    IF (SELECT format_type(atttypid, NULL) FROM pg_attribute
        WHERE attrelid = 'public.cases'::regclass AND attname = 'image_embedding') = 'halfvec' THEN
        RETURN;  -- already moved (a database restored from a dump made after this file)
    END IF;
    FOREACH col IN ARRAY ARRAY['image_embedding', 'text_embedding'] LOOP
        SELECT coalesce(array_to_string(ic.reloptions, ', '), '') INTO opts
        FROM pg_index AS i JOIN pg_class AS ic ON ic.oid = i.indexrelid JOIN pg_am AS am ON am.oid = ic.relam
        JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
        WHERE i.indrelid = 'public.cases'::regclass AND am.amname = 'hnsw' AND a.attname = col;
        IF FOUND THEN
            rebuild := rebuild || format('CREATE INDEX cases_%s_hnsw ON public.cases USING hnsw (%I halfvec_ip_ops)%s',
                                         col, col, CASE WHEN opts = '' THEN '' ELSE ' WITH (' || opts || ')' END);
        END IF;
        EXECUTE format('DROP INDEX IF EXISTS public.cases_%s_hnsw', col);
    END LOOP;
    SELECT atttypmod INTO typmod FROM pg_attribute
    WHERE attrelid = 'public.cases'::regclass AND attname = 'image_embedding';
    EXECUTE format(
        'ALTER TABLE public.cases ALTER COLUMN image_embedding TYPE halfvec%1$s USING image_embedding::halfvec%1$s,'
        ' ALTER COLUMN text_embedding TYPE halfvec%1$s USING text_embedding::halfvec%1$s',
        CASE WHEN typmod > 0 THEN format('(%s)', typmod) ELSE '' END);
    IF cardinality(rebuild) > 0 THEN
        -- The graph of one index: the vectors (2 bytes a dimension) and about 300 bytes of links per row.
        SELECT count(*) INTO n FROM public.cases;
        PERFORM set_config('maintenance_work_mem',
                           least(4096, greatest(64, n * (2 * greatest(typmod, 1) + 300) * 13 / 10 / 1048576))::text
                           || 'MB', true);
        FOREACH col IN ARRAY rebuild LOOP
            EXECUTE col;
        END LOOP;
    END IF;
END
$$;

-- The one body of the vector searches (image_match and text_match below call it). Dynamic SQL so
-- the column is a parameter; each call is planned with its own values, so the index serves it and the
-- filters that are NULL drop out. ef_search: the argument, else the value measured for the index
-- (index_tuning, sql/012), else 300; at least match_count, at most 1000. Where the measurement found
-- no ef_search reaching the target and none is given, it orders by an expression no index serves:
-- an exact scan, complete. Iterative index scans keep filtered searches returning match_count rows.
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
    tuned_ef integer;
    tuned_exact boolean;
BEGIN
    IF col IS NULL THEN
        RAISE EXCEPTION 'medrag_vector_match: kind must be image or text, not %', p_kind USING ERRCODE = '22023';
    END IF;
    SELECT t.ef_search, t.exact INTO tuned_ef, tuned_exact FROM index_tuning AS t WHERE t.kind = p_kind;
    PERFORM set_config('hnsw.ef_search',
                       least(greatest(coalesce(p_ef_search, tuned_ef, 300), p_match_count, 1), 1000)::text, true);
    RETURN QUERY EXECUTE format(
        'SELECT c.case_id, -(c.%1$I <#> $1)::double precision FROM cases AS c WHERE c.%1$I IS NOT NULL'
        ' AND ($3::text[] IS NULL OR c.source = ANY ($3)) AND ($4::text[] IS NULL OR c.view = ANY ($4))'
        ' AND ($5::text[] IS NULL OR c.labels @> $5) ORDER BY %2$s LIMIT $2',
        col,
        CASE WHEN p_ef_search IS NULL AND coalesce(tuned_exact, false)
             THEN format('(c.%I <#> $1) + 0', col) ELSE format('c.%I <#> $1', col) END)
    USING p_query, p_match_count, p_sources, p_views, p_labels;
END
$$;

-- The RPC names and signatures of 011/012 (PostgREST callers and the Supabase store keep working);
-- the query arrives as a vector and is rounded to half precision like the column.
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
AS $$
    SELECT * FROM medrag_vector_match('image', query::halfvec, match_count, filter_sources, filter_views,
                                      filter_labels, ef_search)
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
AS $$
    SELECT * FROM medrag_vector_match('text', query::halfvec, match_count, filter_sources, filter_views,
                                      filter_labels, ef_search)
$$;

-- The original MedRAG's match_images / match_texts (002) keep their bodies: their vector argument
-- casts implicitly to halfvec, so `embedding <#> query_embedding` is halfvec's operator and the
-- halfvec index serves it.

-- 004's medrag_bind_model, typing the columns halfvec(dim) now (the Supabase store's first write).
CREATE OR REPLACE FUNCTION medrag_bind_model(p_model text, p_dimension integer)
RETURNS TABLE (bound_model text, bound_dimension integer)
LANGUAGE plpgsql VOLATILE SECURITY DEFINER
SET search_path = public, extensions, pg_temp
AS $$
DECLARE
    m_model text;
    m_dim integer;
BEGIN
    IF p_model IS NULL OR p_model = '' OR p_dimension IS NULL OR p_dimension < 1 OR p_dimension > 16000 THEN
        RAISE EXCEPTION 'medrag_bind_model: need a model name and a dimension in 1..16000'
            USING ERRCODE = '22023';
    END IF;
    INSERT INTO store_meta (embed_model, dimension) VALUES (p_model, p_dimension) ON CONFLICT DO NOTHING;
    SELECT sm.embed_model, sm.dimension INTO m_model, m_dim FROM store_meta AS sm FOR UPDATE;
    IF m_model = p_model AND m_dim = p_dimension AND EXISTS (
        SELECT 1 FROM pg_attribute
        WHERE attrelid = 'public.cases'::regclass
          AND attname IN ('image_embedding', 'text_embedding') AND atttypmod <> p_dimension
    ) THEN
        EXECUTE format(
            'ALTER TABLE public.cases ALTER COLUMN image_embedding TYPE halfvec(%s),'
            ' ALTER COLUMN text_embedding TYPE halfvec(%s)', p_dimension, p_dimension);
    END IF;
    bound_model := m_model;
    bound_dimension := m_dim;
    RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION medrag_vector_match(text, halfvec, integer, text[], text[], text[], integer) FROM PUBLIC;
GRANT EXECUTE ON FUNCTION medrag_vector_match(text, halfvec, integer, text[], text[], text[], integer)
TO anon, authenticated, service_role;

NOTIFY pgrst, 'reload schema';
