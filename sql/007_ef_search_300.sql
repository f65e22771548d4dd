-- bench/retrieval.py at 100,000 realistic 1152-d cases: recall@10 was 0.979-0.980 at ef_search 200 and
-- 0.989 at 300 (hybrid p50 44.8 ms). 300 is the lowest tried that keeps recall@10 >= 0.98 at that size.
ALTER FUNCTION image_match(vector, integer, text[], text[], text[]) SET hnsw.ef_search = 300;
ALTER FUNCTION text_match(vector, integer, text[], text[], text[]) SET hnsw.ef_search = 300;
ALTER FUNCTION match_images(vector, double precision, integer) SET hnsw.ef_search = 300;
ALTER FUNCTION match_texts(vector, double precision, integer) SET hnsw.ef_search = 300;
