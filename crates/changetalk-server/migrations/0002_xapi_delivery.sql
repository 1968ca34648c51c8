-- Live xAPI (`changetalk serve --lrs URL`): which log entries have been delivered to the
-- Learning Record Store. The statements themselves are rebuilt from the log, so a reply or
-- closing entry with no row here is still to be sent (after a restart too). A row is
-- written once the LRS accepted the entry's statements (`sent`) or refused them for good
-- (`rejected`, with its answer in `detail`); transient failures are retried and leave no row.
CREATE TABLE xapi_delivery (
    attempt_id TEXT NOT NULL REFERENCES attempts (id),
    seq BIGINT NOT NULL,
    state TEXT NOT NULL,
    tries BIGINT NOT NULL,
    at_ms BIGINT NOT NULL,
    detail TEXT NOT NULL,
    PRIMARY KEY (attempt_id, seq)
);
