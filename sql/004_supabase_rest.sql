-- 004_supabase_rest.sql: what the Supabase (REST) store needs beyond the tables and match functions.
--
-- PostgREST exposes tables, views and functions, not arbitrary SQL, so the REST store
-- (medrag_core/store/supabase.py) reads and writes through these:
--
--   has_image_embedding / has_text_embedding   computed fields on cases (read: anon)
--   report_search(...)    full-text search ranked like PostgresStore.text_search (call: anon)
--   medrag_stats()        the StoreStats numbers as one JSON object (call: anon)
--   medrag_bind_model(..) bind the store to an embedding model and dimension (call: service_role only)
--
-- Reads are SECURITY INVOKER with a fixed search_path, so RLS from 003 applies to the caller.
-- medrag_bind_model is SECURITY DEFINER because typing the embedding columns vector(dim) (which an
-- HNSW index needs) is an ALTER TABLE only the table owner may run; EXECUTE is revoked from
-- everyone but service_role (Supabase grants new functions to anon by default: revoked here).

-- Computed fields (PostgREST: a function of the table's row type is selectable like a column,
-- `select=case_id,has_image_embedding`): whether a case has each embedding, without sending the
-- vectors. Functions, not a view: a view on the embedding columns would block the ALTER ... TYPE
-- vector(dim) that binding a model runs.
CREATE OR REPLACE FUNCTION has_image_embedding(c cases) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER SET search_path = public, extensions, pg_temp
AS $$ SELECT c.image_embedding IS NOT NULL $$;

CREATE OR REPLACE FUNCTION has_text_embedding(c cases) RETURNS boolean
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER SET search_path = public, extensions, pg_temp
AS $$ SELECT c.text_embedding IS NOT NULL $$;

CREATE OR REPLACE FUNCTION report_search(
    query text,
    match_count integer DEFAULT 10,
    filter_sources text[] DEFAULT NULL,
    filter_views text[] DEFAULT NULL,
    filter_labels text[] DEFAULT NULL
)
RETURNS TABLE (case_id text, rank real)
LANGUAGE sql STABLE PARALLEL SAFE SECURITY INVOKER
SET search_path = public, extensions, pg_temp
AS $$
    SELECT c.case_id, ts_rank_cd(c.fts, q) AS rank
    FROM cases AS c, websearch_to_tsquery('english', query) AS q
    WHERE c.fts @@ q
      AND (filter_sources IS NULL OR c.source = ANY (filter_sources))
      AND (filter_views IS NULL OR c.view = ANY (filter_views))
      AND (filter_labels IS NULL OR c.labels @> filter_labels)
    ORDER BY 2 DESC, c.case_id
    LIMIT match_count
$$;

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
        'embed_model', (SELECT m.embed_model FROM store_meta AS m),
        'dimension', (SELECT m.dimension FROM store_meta AS m),
        'index_state', coalesce(
            (SELECT jsonb_object_agg(
                 a.attname,
                 CASE WHEN i.indisvalid
                      THEN 'hnsw ' || coalesce(array_to_string(ic.reloptions, ' '), 'defaults')
                      ELSE 'hnsw invalid (rebuild with reindex)' END)
             FROM pg_index AS i
             JOIN pg_class AS ic ON ic.oid = i.indexrelid
             JOIN pg_am AS am ON am.oid = ic.relam
             JOIN pg_attribute AS a ON a.attrelid = i.indrelid AND a.attnum = i.indkey[0]
             WHERE i.indrelid = 'public.cases'::regclass AND am.amname = 'hnsw'),
            '{}'::jsonb)
    )
    FROM (SELECT count(*) AS total, count(image_sha256) AS with_image,
                 count(image_embedding) AS with_ie, count(text_embedding) AS with_te
          FROM cases) AS t
$$;

-- Returns the model and dimension the store is bound to after the call: the caller compares them
-- with its own and refuses a mismatch (nothing is changed then).
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
            'ALTER TABLE public.cases ALTER COLUMN image_embedding TYPE vector(%s),'
            ' ALTER COLUMN text_embedding TYPE vector(%s)', p_dimension, p_dimension);
    END IF;
    bound_model := m_model;
    bound_dimension := m_dim;
    RETURN NEXT;
END
$$;

REVOKE ALL ON FUNCTION medrag_bind_model(text, integer) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION medrag_bind_model(text, integer) TO service_role;
GRANT EXECUTE ON FUNCTION report_search(text, integer, text[], text[], text[]), medrag_stats(),
    has_image_embedding(cases), has_text_embedding(cases)
    TO anon, authenticated, service_role;

-- Supabase's PostgREST reloads its schema cache on DDL by itself; this makes sure (a no-op elsewhere).
NOTIFY pgrst, 'reload schema';
