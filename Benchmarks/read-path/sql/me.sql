-- GET /api/v1/users/me (and the token check of every route): the statement the gateway sends.
-- Variables: :user.
\ir caller.sql
