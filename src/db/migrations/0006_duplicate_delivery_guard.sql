-- Intake stores a message with its customer, conversation and work in one statement (no
-- transaction around it). When the message turns out to be stored already, that statement calls
-- this to abort, so its other changes (unread count, reply schedule) are rolled back with it.
CREATE FUNCTION cosbot_duplicate_delivery(platform_message_id text) RETURNS boolean LANGUAGE plpgsql AS $$
BEGIN
  RAISE EXCEPTION 'platform message % is already stored', platform_message_id USING ERRCODE = 'CB001';
END
$$;
