-- Requests may be set aside as 'failed'; idempotency keys are per client and bound to a body hash;
-- rate-limit hits shared by every process. SQLite cannot change a CHECK: the table is rebuilt.
CREATE TABLE requests_v2 (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    language TEXT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    sent_at TEXT,
    last_error TEXT,
    UNIQUE (year, seq)
);
INSERT INTO requests_v2 (id, reference, year, seq, created_at, language, data, status, attempts,
                         next_attempt_at, sent_at, last_error)
    SELECT id, reference, year, seq, created_at, language, data, status, attempts, next_attempt_at,
           sent_at, last_error FROM requests;
CREATE TABLE idempotency_keys (
    client TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    reference TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (client, key)
);
-- Old keys had no client and no hash: kept, under an empty client, so no reference is lost.
INSERT INTO idempotency_keys (client, key, body_hash, reference, created_at)
    SELECT '', idempotency_key, '', reference, created_at FROM requests WHERE idempotency_key IS NOT NULL;
DROP TABLE requests;
ALTER TABLE requests_v2 RENAME TO requests;
CREATE INDEX requests_outbox ON requests (status, next_attempt_at);
CREATE TABLE rate_hits (
    client TEXT NOT NULL,
    at REAL NOT NULL
);
CREATE INDEX rate_hits_client ON rate_hits (client, at);
