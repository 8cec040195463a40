-- The owners' loop (issue 12): searches, opened results, topic views, votes, and the daily
-- aggregates raw events become after CSOHELP_ANALYTICS_DAYS. Times are buckets (hour or day),
-- never instants; no address, agent or tracking id is ever stored (a vote id is a random
-- per-browser number that only lets a browser change its own vote).
CREATE TABLE analytics_searches (
    id INTEGER PRIMARY KEY,
    hour TEXT NOT NULL,
    lang TEXT NOT NULL,
    query TEXT NOT NULL,
    hits INTEGER NOT NULL,
    source TEXT NOT NULL
);
CREATE INDEX analytics_searches_hour ON analytics_searches (hour);
CREATE TABLE analytics_opens (
    id INTEGER PRIMARY KEY,
    hour TEXT NOT NULL,
    lang TEXT NOT NULL,
    query TEXT NOT NULL,
    pos INTEGER NOT NULL,
    topic TEXT NOT NULL
);
CREATE INDEX analytics_opens_hour ON analytics_opens (hour);
CREATE TABLE analytics_views (
    day TEXT NOT NULL,
    topic TEXT NOT NULL,
    lang TEXT NOT NULL,
    views INTEGER NOT NULL,
    PRIMARY KEY (day, topic, lang)
);
CREATE TABLE feedback_votes (
    vote_id TEXT NOT NULL,
    topic TEXT NOT NULL,
    lang TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    reason TEXT,
    comment TEXT,
    day TEXT NOT NULL,
    PRIMARY KEY (vote_id, topic)
);
CREATE INDEX feedback_votes_day ON feedback_votes (day);
CREATE TABLE analytics_search_days (
    day TEXT NOT NULL,
    lang TEXT NOT NULL,
    query TEXT NOT NULL,
    searches INTEGER NOT NULL,
    no_result INTEGER NOT NULL,
    opens INTEGER NOT NULL,
    PRIMARY KEY (day, lang, query)
);
CREATE TABLE feedback_vote_days (
    day TEXT NOT NULL,
    topic TEXT NOT NULL,
    lang TEXT NOT NULL,
    helpful INTEGER NOT NULL,
    reason TEXT NOT NULL,
    votes INTEGER NOT NULL,
    PRIMARY KEY (day, topic, lang, helpful, reason)
);
