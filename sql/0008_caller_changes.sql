-- Gateways keep the callers of recent requests (the user and their
-- organizations) in memory instead of reading them at every request. Each
-- change that matters to a caller is announced on `caller_changed` with the
-- user's id, so a deactivated user, a superuser flag taken away or a
-- membership removed takes effect on every gateway within milliseconds.

CREATE FUNCTION notify_user_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    PERFORM pg_notify('caller_changed', OLD.id::text);
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION notify_user_changed() IS 'Tells gateways (LISTEN caller_changed) that a user changed, so they forget what they hold of that user.';

CREATE FUNCTION notify_membership_changed() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM pg_notify('caller_changed', OLD.user_id::text);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM pg_notify('caller_changed', NEW.user_id::text);
    END IF;
    RETURN NULL;
END
$$;
COMMENT ON FUNCTION notify_membership_changed() IS 'Tells gateways (LISTEN caller_changed) that a user''s memberships changed.';

CREATE TRIGGER users_caller_changed AFTER UPDATE ON users FOR EACH ROW
    WHEN ((OLD.email, OLD.full_name, OLD.is_active, OLD.is_superuser) IS DISTINCT FROM (NEW.email, NEW.full_name, NEW.is_active, NEW.is_superuser))
    EXECUTE FUNCTION notify_user_changed();
CREATE TRIGGER users_caller_deleted AFTER DELETE ON users FOR EACH ROW
    EXECUTE FUNCTION notify_user_changed();
CREATE TRIGGER memberships_caller_changed AFTER INSERT OR UPDATE OR DELETE ON memberships FOR EACH ROW
    EXECUTE FUNCTION notify_membership_changed();
