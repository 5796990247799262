SELECT count(*) FROM quarantine WHERE released_at IS NULL
