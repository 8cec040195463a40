-- The schema before versioned migrations (issue 4): kept as is, so an existing file is version 1.
CREATE TABLE IF NOT EXISTS requests (
    id INTEGER PRIMARY KEY,
    reference TEXT NOT NULL UNIQUE,
    year INTEGER NOT NULL,
    seq INTEGER NOT NULL,
    created_at TEXT NOT NULL,
    idempotency_key TEXT UNIQUE,
    language TEXT NOT NULL,
    data TEXT NOT NULL,
    status TEXT NOT NULL DEFAULT 'queued' CHECK (status IN ('queued', 'sent')),
    attempts INTEGER NOT NULL DEFAULT 0,
    next_attempt_at REAL NOT NULL DEFAULT 0,
    sent_at TEXT,
    last_error TEXT,
    UNIQUE (year, seq)
);
CREATE INDEX IF NOT EXISTS requests_outbox ON requests (status, next_attempt_at);
