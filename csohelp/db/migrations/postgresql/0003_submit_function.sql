-- A submission in one round trip: under heavy load every round trip made while the per-year lock
-- is held waits for the scheduler, so the whole submission runs inside the server.
CREATE FUNCTION csohelp_submit(p_year INTEGER, p_created TEXT, p_language TEXT, p_data TEXT,
                               p_client TEXT, p_key TEXT, p_hash TEXT, p_max INTEGER)
RETURNS TABLE (ref TEXT, created BOOLEAN, conflict BOOLEAN) AS $$
DECLARE
    found_ref TEXT;
    found_hash TEXT;
    next_seq INTEGER;
BEGIN
    -- One submission at a time per year (released at commit): numbers unique and gap-free
    -- across processes; the key check under the same lock sees a concurrent retry's row.
    PERFORM pg_advisory_xact_lock(1668509442, p_year);
    IF p_key IS NOT NULL THEN
        SELECT k.reference, k.body_hash INTO found_ref, found_hash
            FROM idempotency_keys k WHERE k.client = p_client AND k.key = p_key;
        IF FOUND THEN
            RETURN QUERY SELECT found_ref, FALSE, (found_hash <> p_hash AND found_hash <> '');
            RETURN;
        END IF;
    END IF;
    SELECT COALESCE(MAX(r.seq), 0) + 1 INTO next_seq FROM requests r WHERE r.year = p_year;
    IF next_seq > p_max THEN
        RAISE EXCEPTION 'no reference numbers left for %', p_year USING ERRCODE = 'P0001';
    END IF;
    found_ref := 'CSOL-' || lpad(p_year::TEXT, 4, '0') || '-' || lpad(next_seq::TEXT, 6, '0');
    INSERT INTO requests (reference, year, seq, created_at, language, data)
        VALUES (found_ref, p_year, next_seq, p_created, p_language, p_data);
    IF p_key IS NOT NULL THEN
        INSERT INTO idempotency_keys (client, key, body_hash, reference, created_at)
            VALUES (p_client, p_key, p_hash, found_ref, p_created);
    END IF;
    RETURN QUERY SELECT found_ref, TRUE, FALSE;
END
$$ LANGUAGE plpgsql;
