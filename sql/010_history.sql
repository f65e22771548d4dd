-- 010_history.sql: the verification history (an audit trail) and the radiologists' feedback on each flag.
--
--   verifications        one row per verification: when, who, which entry point, hashes of the
--                        image and report, the report text (unless MEDRAG_HISTORY_TEXT=false), the
--                        verdict, which verifier and embedding model answered, fallbacks, archive
--                        size, stage timings
--   verification_issues  each issue of a verification (kind, severity, finding, section, evidence)
--   issue_feedback       a rating of one issue: useful / not_useful / wrong, with an optional comment
--
-- Append-only: a trigger refuses every UPDATE, and every DELETE except inside history_prune (the
-- retention job), which sets medrag.history_retention for its own transaction. Both stores write and
-- read only through the functions below, so the REST store (Supabase) and Postgres share one code path.
--
-- Who may do what (Supabase roles, created NOLOGIN by 003 on plain Postgres): anon / authenticated
-- (the app's keys) have no privilege on the tables at all: they may only call history_record and
-- history_feedback (SECURITY DEFINER: they append, and feedback checks that the issue exists), never
-- read. Reading, exporting and pruning need service_role (or the table owner: the embedded store,
-- direct connections).

CREATE TABLE IF NOT EXISTS verifications (
    verification_id uuid PRIMARY KEY,
    created_at timestamptz NOT NULL DEFAULT now(),
    who text NOT NULL,
    entry_point text NOT NULL,
    image_sha256 text,
    report_sha256 text NOT NULL,
    report_text text,
    verdict text NOT NULL,
    check_status text NOT NULL,
    verifier text NOT NULL,
    verifier_fallback text,
    embed_model text,
    archive_size integer,
    timings_ms jsonb NOT NULL DEFAULT '{}'::jsonb,
    notices jsonb NOT NULL DEFAULT '[]'::jsonb
);
CREATE INDEX IF NOT EXISTS verifications_created_at ON verifications (created_at);

CREATE TABLE IF NOT EXISTS verification_issues (
    verification_id uuid NOT NULL REFERENCES verifications ON DELETE CASCADE,
    issue_index integer NOT NULL,
    kind text NOT NULL,
    severity text NOT NULL,
    origin text NOT NULL,
    finding text,
    section text,
    message text NOT NULL,
    evidence text NOT NULL DEFAULT '',
    PRIMARY KEY (verification_id, issue_index)
);
CREATE INDEX IF NOT EXISTS verification_issues_kind ON verification_issues (kind);

CREATE TABLE IF NOT EXISTS issue_feedback (
    feedback_id bigserial PRIMARY KEY,
    verification_id uuid NOT NULL,
    issue_index integer NOT NULL,
    rating text NOT NULL CHECK (rating IN ('useful', 'not_useful', 'wrong')),
    comment text NOT NULL DEFAULT '',
    who text NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    FOREIGN KEY (verification_id, issue_index) REFERENCES verification_issues ON DELETE CASCADE
);
CREATE INDEX IF NOT EXISTS issue_feedback_issue ON issue_feedback (verification_id, issue_index);

CREATE OR REPLACE FUNCTION history_append_only() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'DELETE' AND current_setting('medrag.history_retention', true) = 'on' THEN
        RETURN OLD;
    END IF;
    RAISE EXCEPTION 'the verification history is append-only (% on %)', TG_OP, TG_TABLE_NAME
        USING ERRCODE = 'insufficient_privilege';
END
$$;

DROP TRIGGER IF EXISTS verifications_append_only ON verifications;
CREATE TRIGGER verifications_append_only BEFORE UPDATE OR DELETE ON verifications
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
DROP TRIGGER IF EXISTS verification_issues_append_only ON verification_issues;
CREATE TRIGGER verification_issues_append_only BEFORE UPDATE OR DELETE ON verification_issues
    FOR EACH ROW EXECUTE FUNCTION history_append_only();
DROP TRIGGER IF EXISTS issue_feedback_append_only ON issue_feedback;
CREATE TRIGGER issue_feedback_append_only BEFORE UPDATE OR DELETE ON issue_feedback
    FOR EACH ROW EXECUTE FUNCTION history_append_only();

-- Record one verification and its issues in one transaction; returns its id.
CREATE OR REPLACE FUNCTION history_record(p_verification jsonb, p_issues jsonb) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
DECLARE
    vid uuid := (p_verification->>'verification_id')::uuid;
BEGIN
    INSERT INTO verifications (verification_id, who, entry_point, image_sha256, report_sha256, report_text,
                               verdict, check_status, verifier, verifier_fallback, embed_model, archive_size,
                               timings_ms, notices)
    VALUES (vid, p_verification->>'who', p_verification->>'entry_point', p_verification->>'image_sha256',
            p_verification->>'report_sha256', p_verification->>'report_text', p_verification->>'verdict',
            p_verification->>'check_status', p_verification->>'verifier', p_verification->>'verifier_fallback',
            p_verification->>'embed_model', (p_verification->>'archive_size')::integer,
            coalesce(p_verification->'timings_ms', '{}'::jsonb), coalesce(p_verification->'notices', '[]'::jsonb));
    INSERT INTO verification_issues (verification_id, issue_index, kind, severity, origin, finding, section,
                                     message, evidence)
    SELECT vid, (i->>'issue_index')::integer, i->>'kind', i->>'severity', i->>'origin', i->>'finding',
           i->>'section', i->>'message', coalesce(i->>'evidence', '')
    FROM jsonb_array_elements(coalesce(p_issues, '[]'::jsonb)) AS i;
    RETURN to_jsonb(vid::text);
END
$$;

-- Rate one issue: true, or false when no such issue was recorded. A later rating by the same person
-- supersedes an earlier one (both rows are kept).
CREATE OR REPLACE FUNCTION history_feedback(p_verification_id uuid, p_issue_index integer, p_rating text,
                                            p_comment text, p_who text) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY DEFINER SET search_path = public, pg_temp
AS $$
BEGIN
    IF NOT EXISTS (SELECT 1 FROM verification_issues
                   WHERE verification_id = p_verification_id AND issue_index = p_issue_index) THEN
        RETURN 'false'::jsonb;
    END IF;
    INSERT INTO issue_feedback (verification_id, issue_index, rating, comment, who)
    VALUES (p_verification_id, p_issue_index, p_rating, coalesce(p_comment, ''), p_who);
    RETURN 'true'::jsonb;
END
$$;

-- Verifications, newest first, with their issues, filtered and paged.
CREATE OR REPLACE FUNCTION history_list(p_since timestamptz DEFAULT NULL, p_until timestamptz DEFAULT NULL,
                                        p_verdict text DEFAULT NULL, p_kind text DEFAULT NULL,
                                        p_limit integer DEFAULT 50, p_offset integer DEFAULT 0) RETURNS jsonb
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(row_json ORDER BY created_at DESC, verification_id), '[]'::jsonb)
    FROM (
        SELECT v.created_at, v.verification_id,
               to_jsonb(v) || jsonb_build_object('issues', coalesce((
                   SELECT jsonb_agg(to_jsonb(i) - 'verification_id' ORDER BY i.issue_index)
                   FROM verification_issues AS i WHERE i.verification_id = v.verification_id), '[]'::jsonb)
               ) AS row_json
        FROM verifications AS v
        WHERE (p_since IS NULL OR v.created_at >= p_since)
          AND (p_until IS NULL OR v.created_at < p_until)
          AND (p_verdict IS NULL OR v.verdict = p_verdict)
          AND (p_kind IS NULL OR EXISTS (SELECT 1 FROM verification_issues AS k
                                         WHERE k.verification_id = v.verification_id AND k.kind = p_kind))
        ORDER BY v.created_at DESC, v.verification_id
        LIMIT greatest(0, least(p_limit, 1000)) OFFSET greatest(0, p_offset)
    ) AS page
$$;

-- Every issue since a time, with its verification's time and its latest rating per person (one row per
-- issue and rater; unrated issues once with rating NULL): what the Quality tab aggregates.
CREATE OR REPLACE FUNCTION history_issue_ratings(p_since timestamptz DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object(
        'verification_id', i.verification_id, 'issue_index', i.issue_index, 'created_at', v.created_at,
        'kind', i.kind, 'severity', i.severity, 'finding', i.finding, 'section', i.section,
        'evidence', i.evidence, 'rating', f.rating, 'comment', f.comment, 'rated_by', f.who,
        'rated_at', f.created_at) ORDER BY v.created_at, i.verification_id, i.issue_index), '[]'::jsonb)
    FROM verification_issues AS i
    JOIN verifications AS v USING (verification_id)
    LEFT JOIN LATERAL (
        SELECT DISTINCT ON (fb.who) fb.who, fb.rating, fb.comment, fb.created_at
        FROM issue_feedback AS fb
        WHERE fb.verification_id = i.verification_id AND fb.issue_index = i.issue_index
        ORDER BY fb.who, fb.created_at DESC, fb.feedback_id DESC
    ) AS f ON true
    WHERE p_since IS NULL OR v.created_at >= p_since
$$;

-- Verifications per day and how many were flagged (verdict other than consistent).
CREATE OR REPLACE FUNCTION history_daily(p_since timestamptz DEFAULT NULL) RETURNS jsonb
LANGUAGE sql STABLE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
    SELECT coalesce(jsonb_agg(jsonb_build_object('day', day, 'verifications', n, 'flagged', flagged)
                              ORDER BY day), '[]'::jsonb)
    FROM (
        SELECT (created_at AT TIME ZONE 'UTC')::date AS day, count(*) AS n,
               count(*) FILTER (WHERE verdict <> 'consistent') AS flagged
        FROM verifications
        WHERE p_since IS NULL OR created_at >= p_since
        GROUP BY 1
    ) AS d
$$;

-- The retention job: delete verifications (and, by cascade, their issues and feedback) created before a time.
CREATE OR REPLACE FUNCTION history_prune(p_before timestamptz) RETURNS jsonb
LANGUAGE plpgsql VOLATILE SECURITY INVOKER SET search_path = public, pg_temp
AS $$
DECLARE
    removed integer;
BEGIN
    PERFORM set_config('medrag.history_retention', 'on', true);
    DELETE FROM verifications WHERE created_at < p_before;
    GET DIAGNOSTICS removed = ROW_COUNT;
    PERFORM set_config('medrag.history_retention', 'off', true);
    RETURN to_jsonb(removed);
END
$$;

-- Grants: the app's keys append through the two functions only; reading and pruning are for service_role.
REVOKE ALL ON verifications, verification_issues, issue_feedback FROM PUBLIC, anon, authenticated;
REVOKE ALL ON SEQUENCE issue_feedback_feedback_id_seq FROM PUBLIC, anon, authenticated;
GRANT USAGE ON SEQUENCE issue_feedback_feedback_id_seq TO service_role;
GRANT SELECT, INSERT, DELETE ON verifications, verification_issues, issue_feedback TO service_role;

ALTER TABLE verifications ENABLE ROW LEVEL SECURITY;
ALTER TABLE verification_issues ENABLE ROW LEVEL SECURITY;
ALTER TABLE issue_feedback ENABLE ROW LEVEL SECURITY;

DROP POLICY IF EXISTS verifications_service ON verifications;
CREATE POLICY verifications_service ON verifications FOR ALL TO service_role USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS verification_issues_service ON verification_issues;
CREATE POLICY verification_issues_service ON verification_issues FOR ALL TO service_role
    USING (true) WITH CHECK (true);
DROP POLICY IF EXISTS issue_feedback_service ON issue_feedback;
CREATE POLICY issue_feedback_service ON issue_feedback FOR ALL TO service_role USING (true) WITH CHECK (true);

REVOKE ALL ON FUNCTION history_record(jsonb, jsonb), history_feedback(uuid, integer, text, text, text),
    history_list(timestamptz, timestamptz, text, text, integer, integer), history_issue_ratings(timestamptz),
    history_daily(timestamptz), history_prune(timestamptz) FROM PUBLIC, anon, authenticated;
GRANT EXECUTE ON FUNCTION history_record(jsonb, jsonb), history_feedback(uuid, integer, text, text, text)
    TO anon, authenticated, service_role;
GRANT EXECUTE ON FUNCTION history_list(timestamptz, timestamptz, text, text, integer, integer),
    history_issue_ratings(timestamptz), history_daily(timestamptz), history_prune(timestamptz) TO service_role;
