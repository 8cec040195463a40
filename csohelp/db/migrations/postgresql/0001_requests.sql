-- Requests with their outbox state, per-client idempotency keys, shared rate-limit hits.
CREATE TABLE requests (
    id BIGSERIAL PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    language TEXT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent', 'failed')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at DOUBLE PRECISION NOT NULL DEFAULT 0,
    sent_at TEXT,
    last_error TEXT,
    UNIQUE (year, seq)
);
CREATE INDEX requests_outbox ON requests (status, next_attempt_at);
CREATE TABLE idempotency_keys (
    client TEXT NOT NULL,
    key TEXT NOT NULL,
    body_hash TEXT NOT NULL,
    reference TEXT NOT NULL,
    created_at TEXT NOT NULL,
    PRIMARY KEY (client, key)
);
CREATE TABLE rate_hits (
    client TEXT NOT NULL,
    at DOUBLE PRECISION NOT NULL
);
CREATE INDEX rate_hits_client ON rate_hits (client, at);
