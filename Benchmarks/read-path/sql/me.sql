-- GET /api/v1/users/me answers from the caller the gateway holds (CallerCache):
-- no statement at all once the caller is held. This is the statement of a
-- caller not held, for comparison.
\ir caller.sql
