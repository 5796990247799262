-- Minutes since the feeds suite last ran (NULL if never): feed health is a 24-hour measure, so
-- checking it on every ten-minute cycle adds nothing.
SELECT extract(epoch FROM now() - max(run_at)) / 60 FROM dq_results WHERE suite = 'feeds'
