-- The caller with their organizations (UsersRepository.Caller). The gateway
-- keeps callers in memory (CallerCache), so a route sends this only for a
-- caller it does not hold: the first request, after a change, or 10 s on.
-- Variables: :user.
SELECT u.id, u.email, u.full_name, u.is_active, u.is_superuser,
       coalesce(array_agg(m.organization_id) FILTER (WHERE m.organization_id IS NOT NULL), '{}')
FROM users u
LEFT JOIN memberships m ON m.user_id = u.id
WHERE u.id = :user
GROUP BY u.id;
