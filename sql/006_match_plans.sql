-- The vectors are stored out of line (TOAST), so the heap looks small and the planner prices an exact
-- scan + sort below the HNSW index even at 30k rows (600 ms instead of 3-13 ms; see docs/benchmarks.md).
-- The match functions therefore never take a sequential scan, and search with ef_search = 200, the lowest
-- value that gave recall@10 >= 0.98 on realistic 1152-d data. Without an index they still scan exactly.
ALTER FUNCTION image_match(vector, integer, text[], text[], text[]) SET enable_seqscan = off;
ALTER FUNCTION image_match(vector, integer, text[], text[], text[]) SET hnsw.ef_search = 200;
ALTER FUNCTION text_match(vector, integer, text[], text[], text[]) SET enable_seqscan = off;
ALTER FUNCTION text_match(vector, integer, text[], text[], text[]) SET hnsw.ef_search = 200;
ALTER FUNCTION match_images(vector, double precision, integer) SET enable_seqscan = off;
ALTER FUNCTION match_images(vector, double precision, integer) SET hnsw.ef_search = 200;
ALTER FUNCTION match_texts(vector, double precision, integer) SET enable_seqscan = off;
ALTER FUNCTION match_texts(vector, double precision, integer) SET hnsw.ef_search = 200;
