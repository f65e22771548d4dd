-- 013: medrag_stats() also counts cases per label (StoreStats.per_label), so the Browse label filter
-- and the admin view can list the labels an archive holds, such as the Open-i source's MeSH headings
-- ("MeSH: Cardiomegaly"). The same function as in 004, one key more; grants are kept by REPLACE.

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

NOTIFY pgrst, 'reload schema';
