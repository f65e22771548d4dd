-- 017_filter_floor.sql: a broad filter skips the bounded count of sql/016.
--
-- sql/016 counts the embedded rows a filter keeps (LIMIT EXACT_FILTER_MAX_ROWS + 1) before every
-- filtered kNN; for a broad filter that count can never choose the exact scan and costs 1.5-7.6 ms
-- (docs/benchmarks.md, "Filtered search answered exactly"). Now a lower bound comes first, from exact
-- counts, not from an estimate: filter_stats holds the embedded rows per source, view and label as a
-- refresh counted them (medrag_refresh_filter_stats: PostgresStore.analyze and reindex, so after each
-- ETL ingest and embed), and filter_removals how many rows have since been deleted or changed in a
-- filtered column or lost an embedding (triggers; an insert can only add rows to a filter). A filter
-- keeps at least its rows at the refresh less every row removed since, so where that floor is above
-- max_rows the count could only have said "more": it is skipped. Otherwise (a rare filter, a value
-- never counted, stale counts, no refresh yet) the count runs as in 016, so the exact path never
-- depends on statistics. Several conditions: |A and B| >= |A| + |B| - all (Bonferroni), usually 0.
-- PostgresStore's plan (set_knn_plan) reads the same floor; a test checks the two agree.

CREATE TABLE IF NOT EXISTS filter_stats (
    kind   text NOT NULL CHECK (kind IN ('image', 'text')),
    field  text NOT NULL CHECK (field IN ('all', 'source', 'view', 'label')),
    value  text NOT NULL DEFAULT '',   -- '' for 'all'
    rows   bigint NOT NULL CHECK (rows >= 0),  -- rows with a `kind` embedding and this value
    PRIMARY KEY (kind, field, value)
);

CREATE TABLE IF NOT EXISTS filter_removals (
    singleton     boolean PRIMARY KEY DEFAULT true CHECK (singleton),
    removed       bigint NOT NULL DEFAULT 0,  -- rows deleted or changed in a filtered column, ever
    at_refresh    bigint,                     -- `removed` when filter_stats was counted (NULL: never)
    refreshed_at  timestamptz
);
INSERT INTO filter_removals (singleton) VALUES (true) ON CONFLICT DO NOTHING;

-- Read by everyone who may search; written only by the functions below (as their owner).
GRANT SELECT ON filter_stats, filter_removals TO anon, authenticated, service_role;
ALTER TABLE filter_stats ENABLE ROW LEVEL SECURITY;
ALTER TABLE filter_removals ENABLE ROW LEVEL SECURITY;
DROP POLICY IF EXISTS filter_stats_read ON filter_stats;
CREATE POLICY filter_stats_read ON filter_stats FOR SELECT TO anon, authenticated, service_role USING (true);
DROP POLICY IF EXISTS filter_removals_read ON filter_removals;
CREATE POLICY filter_removals_read ON filter_removals FOR SELECT TO anon, authenticated, service_role USING (true);

-- Triggers run as the owner (SECURITY DEFINER), so any role that may write cases keeps the tally.
-- A deletion is counted once per statement (delete_source); an update only for the rows it takes
-- out of some filter (the WHEN below), so ingest and `etl embed` pay nothing for the others, and
-- those rows are summed in a transaction-local setting and added once per statement (one update of
-- the tally row per row would make a bulk update quadratic). The embeddings are read through a
-- function of the whole rows: naming the columns in the trigger would pin their type, which binding
-- a model changes.

-- Inlined into the trigger's WHEN (no SET clause, so PostgreSQL may inline it): through
-- has_*_embedding, four calls with a search_path each, the WHEN made a re-ingest upsert 1.3x slower
-- (bench.filter_tally). It names no table or function, so the caller's search_path cannot change it.
CREATE OR REPLACE FUNCTION medrag_embedding_dropped(o cases, n cases)
RETURNS boolean
LANGUAGE sql IMMUTABLE PARALLEL SAFE
AS $$
    SELECT (o.image_embedding IS NOT NULL AND n.image_embedding IS NULL)
        OR (o.text_embedding IS NOT NULL AND n.text_embedding IS NULL)
$$;
CREATE OR REPLACE FUNCTION medrag_note_filter_removals()
RETURNS trigger
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    pending bigint := coalesce(nullif(current_setting('medrag.filter_removals', true), ''), '0')::bigint;
    n bigint;
BEGIN
    IF TG_OP = 'TRUNCATE' THEN
        DELETE FROM filter_stats;  -- no counts, no skip, until the next refresh
        RETURN NULL;
    ELSIF TG_LEVEL = 'ROW' THEN
        PERFORM set_config('medrag.filter_removals', (pending + 1)::text, true);
        RETURN NULL;
    ELSIF TG_OP = 'DELETE' THEN
        SELECT count(*) INTO n FROM removed_rows;
    ELSE  -- the end of an UPDATE (or of an INSERT ... ON CONFLICT DO UPDATE): its rows' sum
        n := pending;
        PERFORM set_config('medrag.filter_removals', '0', true);
    END IF;
    IF n > 0 THEN
        UPDATE filter_removals SET removed = removed + n;
    END IF;
    RETURN NULL;
END
$$;
REVOKE ALL ON FUNCTION medrag_note_filter_removals() FROM PUBLIC;

DROP TRIGGER IF EXISTS cases_filter_removals_delete ON cases;
CREATE TRIGGER cases_filter_removals_delete AFTER DELETE ON cases
    REFERENCING OLD TABLE AS removed_rows FOR EACH STATEMENT EXECUTE FUNCTION medrag_note_filter_removals();
DROP TRIGGER IF EXISTS cases_filter_removals_row ON cases;
CREATE TRIGGER cases_filter_removals_row AFTER UPDATE ON cases FOR EACH ROW
    WHEN (OLD.case_id IS DISTINCT FROM NEW.case_id OR OLD.source IS DISTINCT FROM NEW.source
          OR OLD.view IS DISTINCT FROM NEW.view OR OLD.labels IS DISTINCT FROM NEW.labels
          OR medrag_embedding_dropped(OLD, NEW))
    EXECUTE FUNCTION medrag_note_filter_removals();
-- AFTER ROW triggers of a statement fire before its AFTER STATEMENT ones
DROP TRIGGER IF EXISTS cases_filter_removals_update ON cases;
CREATE TRIGGER cases_filter_removals_update AFTER UPDATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION medrag_note_filter_removals();
DROP TRIGGER IF EXISTS cases_filter_removals_truncate ON cases;
CREATE TRIGGER cases_filter_removals_truncate AFTER TRUNCATE ON cases
    FOR EACH STATEMENT EXECUTE FUNCTION medrag_note_filter_removals();

-- Count again. The tally is read first, in an earlier snapshot than the counts: a removal committed
-- in between is then both in the counts and after the mark, counted twice (a lower floor), never lost.
CREATE OR REPLACE FUNCTION medrag_refresh_filter_stats()
RETURNS bigint
LANGUAGE plpgsql SECURITY DEFINER
SET search_path = public, pg_temp
AS $$
DECLARE
    mark bigint;
    written bigint;
BEGIN
    LOCK TABLE filter_stats IN EXCLUSIVE MODE;  -- one refresh at a time; readers are not blocked
    SELECT r.removed INTO mark FROM filter_removals AS r;
    DELETE FROM filter_stats;
    INSERT INTO filter_stats (kind, field, value, rows)
    SELECT k.kind, g.field, g.value, count(*)
    FROM cases AS c
    CROSS JOIN (VALUES ('image'), ('text')) AS k(kind)
    CROSS JOIN LATERAL (
        SELECT 'all', '' UNION ALL SELECT 'source', c.source UNION ALL SELECT 'view', c.view WHERE c.view IS NOT NULL
        UNION ALL SELECT DISTINCT 'label', l FROM unnest(c.labels) AS l WHERE l IS NOT NULL
    ) AS g(field, value)
    WHERE CASE k.kind WHEN 'image' THEN c.image_embedding IS NOT NULL ELSE c.text_embedding IS NOT NULL END
    GROUP BY k.kind, g.field, g.value;
    GET DIAGNOSTICS written = ROW_COUNT;
    UPDATE filter_removals SET at_refresh = mark, refreshed_at = now();
    RETURN written;
END
$$;
REVOKE ALL ON FUNCTION medrag_refresh_filter_stats() FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION medrag_refresh_filter_stats() TO service_role;

-- The fewest embedded rows of `p_kind` the filter can keep now (0 when unknown). NULL arguments do not
-- filter; an empty label list does not either (labels @> '{}'), as in the match function.
CREATE OR REPLACE FUNCTION medrag_filter_floor(p_kind text, p_sources text[], p_views text[], p_labels text[])
RETURNS bigint
LANGUAGE sql STABLE SECURITY INVOKER
SET search_path = public, pg_temp
AS $$
    WITH s AS (SELECT f.field, f.value, f.rows FROM filter_stats AS f WHERE f.kind = p_kind),
    parts AS (
        SELECT (SELECT coalesce(sum(s.rows), 0) FROM s WHERE s.field = 'source' AND s.value = ANY (p_sources)) AS n
        WHERE p_sources IS NOT NULL
        UNION ALL
        SELECT (SELECT coalesce(sum(s.rows), 0) FROM s WHERE s.field = 'view' AND s.value = ANY (p_views))
        WHERE p_views IS NOT NULL
        UNION ALL
        SELECT coalesce((SELECT s.rows FROM s WHERE s.field = 'label' AND s.value = u.l), 0)
        FROM (SELECT DISTINCT l FROM unnest(p_labels) AS l) AS u
    )
    SELECT greatest(coalesce(sum(p.n) - (count(*) - 1) * (SELECT s.rows FROM s WHERE s.field = 'all')
                             - (SELECT r.removed - r.at_refresh FROM filter_removals AS r), 0), 0)::bigint
    FROM parts AS p
$$;
GRANT EXECUTE ON FUNCTION medrag_filter_floor(text, text[], text[], text[]) TO anon, authenticated, service_role;

-- 016's bounded count, apart so that a test can see whether it ran (pg_stat_xact_user_functions).
CREATE OR REPLACE FUNCTION medrag_filter_count(p_kind text, p_sources text[], p_views text[], p_labels text[],
                                               p_limit integer)
RETURNS bigint
LANGUAGE plpgsql STABLE SECURITY INVOKER
SET search_path = public, pg_temp
SET enable_seqscan = on  -- planned as PostgresStore plans its probe: a broad filter stops early
AS $$
DECLARE
    col text := CASE p_kind WHEN 'image' THEN 'image_embedding' WHEN 'text' THEN 'text_embedding' END;
    n bigint;
BEGIN
    EXECUTE format('SELECT count(*) FROM (SELECT 1 FROM cases AS c WHERE c.%I IS NOT NULL'
                   ' AND ($1::text[] IS NULL OR c.source = ANY ($1)) AND ($2::text[] IS NULL OR c.view = ANY ($2))'
                   ' AND ($3::text[] IS NULL OR c.labels @> $3) LIMIT $4) AS m', col)
    INTO n USING p_sources, p_views, p_labels, p_limit;
    RETURN n;
END
$$;
GRANT EXECUTE ON FUNCTION medrag_filter_count(text, text[], text[], text[], integer)
    TO anon, authenticated, service_role;

-- 016's function, the count now behind the floor.
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
    IF (p_sources IS NOT NULL OR p_views IS NOT NULL OR p_labels IS NOT NULL)
       AND medrag_filter_floor(p_kind, p_sources, p_views, p_labels) <= max_rows THEN
        -- counted only where the floor cannot rule the exact scan out
        IF medrag_filter_count(p_kind, p_sources, p_views, p_labels, max_rows + 1) <= max_rows THEN
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
