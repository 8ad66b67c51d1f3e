-- Outgoing webhooks, outbox by trigger: every change a marketer's endpoint can subscribe to
-- writes its webhook_deliveries rows in the same transaction as the change itself, so no
-- code path can forget one and none is lost to a crash. The sender plane sends them.
--
-- Conventions of every trigger below (docs/webhooks.md is the catalogue):
-- - WHEN starts with one lookup of webhook_endpoints, so with no active endpoint a trigger
--   costs a read of an empty table and its body never runs. No `x IN (list)` there: in a
--   trigger SQLite rebuilds the list for every row, which made an insert twice as slow;
-- - one row per active endpoint whose `events` JSON array names the event, found with
--   instr on the quoted name: the API writes that array from the catalogue, a quoted name
--   matches only itself, and instr costs a fraction of json_each on every changed row;
-- - the body is fixed here, once: `{ "type", "timestamp" (ISO 8601, ms, UTC), "data" }`,
--   each type always with the same keys (null when unknown);
-- - JSON read from rows goes through json_valid first: a bad value must never fail the
--   write that fired the trigger (a send, a tracking hit, a relay event).
-- A later migration that rebuilds events, messages, subscribers or campaigns (drizzle-kit
-- does for many column changes) drops that table's triggers: it must create them again
-- (shared/queries/webhook-delivery-triggers.test.ts fails until it does).
CREATE TRIGGER `webhook_message_feedback` AFTER INSERT ON `events`
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE active = 1) AND new.type <> 'unsubscribe'
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event, payload)
  SELECT e.id, t.name, json_object(
    'type', t.name,
    'timestamp', strftime('%Y-%m-%dT%H:%M:%S', new.occurred_at / 1000, 'unixepoch') || printf('.%03dZ', new.occurred_at % 1000),
    'data', json_object(
      'messageId', new.message_id,
      'campaignId', new.campaign_id,
      'campaignName', (SELECT name FROM campaigns WHERE id = new.campaign_id),
      'subscriberId', new.subscriber_id,
      'email', coalesce(new.recipient, (SELECT email FROM subscribers WHERE id = new.subscriber_id)),
      'source', coalesce(new.source, 'edgepost'),
      'bounceClass', new.bounce_class,
      'status', t.data ->> 'status',
      'diagnostic', t.data ->> 'diagnostic',
      'url', new.url,
      'userAgent', t.data ->> 'userAgent',
      'machine', json(coalesce(t.data -> 'machine', 'null'))))
  FROM (SELECT CASE new.type
                 WHEN 'delivered' THEN 'message.delivered'
                 WHEN 'deferred' THEN 'message.deferred'
                 WHEN 'bounce' THEN 'message.bounced'
                 WHEN 'dropped' THEN 'message.dropped'
                 WHEN 'complaint' THEN 'message.complained'
                 WHEN 'open' THEN 'message.opened'
                 WHEN 'click' THEN 'message.clicked'
               END AS name,
               iif(json_valid(new.data), new.data, '{}') AS data) AS t
  JOIN webhook_endpoints AS e ON e.active = 1
    AND instr(e.events, '"' || t.name || '"') > 0;
END;
--> statement-breakpoint
-- Unsubscribes from our link or page carry the method in `data.source`; a relay's carry the
-- relay in `source`. `lists`: the lists the campaign went to, which the recipient left.
CREATE TRIGGER `webhook_subscriber_unsubscribed` AFTER INSERT ON `events`
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE active = 1) AND new.type = 'unsubscribe'
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event, payload)
  SELECT e.id, 'subscriber.unsubscribed', json_object(
    'type', 'subscriber.unsubscribed',
    'timestamp', strftime('%Y-%m-%dT%H:%M:%S', new.occurred_at / 1000, 'unixepoch') || printf('.%03dZ', new.occurred_at % 1000),
    'data', json_object(
      'subscriberId', new.subscriber_id,
      'email', coalesce(new.recipient, (SELECT email FROM subscribers WHERE id = new.subscriber_id)),
      'messageId', new.message_id,
      'campaignId', new.campaign_id,
      'campaignName', (SELECT name FROM campaigns WHERE id = new.campaign_id),
      'lists', (SELECT json_group_array(list_id) FROM (SELECT list_id FROM campaign_lists WHERE campaign_id = new.campaign_id ORDER BY list_id)),
      'source', coalesce(new.source, 'edgepost'),
      'method', CASE WHEN new.source IS NULL AND json_valid(new.data) THEN new.data ->> 'source' END))
  FROM webhook_endpoints AS e
  WHERE e.active = 1
    AND instr(e.events, '"subscriber.unsubscribed"') > 0;
END;
--> statement-breakpoint
-- Only the moves to an outcome: a retry leaves the status `queued` and fires nothing.
CREATE TRIGGER `webhook_message_outcome` AFTER UPDATE OF `status` ON `messages`
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE active = 1)
  AND (new.status = 'sent' OR new.status = 'failed') AND old.status IS NOT new.status
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event, payload)
  SELECT e.id, t.name, json_object(
    'type', t.name,
    'timestamp', strftime('%Y-%m-%dT%H:%M:%S', t.at / 1000, 'unixepoch') || printf('.%03dZ', t.at % 1000),
    'data', json_object(
      'messageId', new.id,
      'campaignId', new.campaign_id,
      'campaignName', (SELECT name FROM campaigns WHERE id = new.campaign_id),
      'subscriberId', new.subscriber_id,
      'email', (SELECT email FROM subscribers WHERE id = new.subscriber_id),
      'sendingServerId', new.sending_server_id,
      'providerMessageId', new.provider_message_id,
      'attempts', new.attempts,
      'error', new.last_error))
  FROM (SELECT 'message.' || new.status AS name, coalesce(new.sent_at, new.updated_at) AS at) AS t
  JOIN webhook_endpoints AS e ON e.active = 1
    AND instr(e.events, '"' || t.name || '"') > 0;
END;
--> statement-breakpoint
CREATE TRIGGER `webhook_subscriber_created` AFTER INSERT ON `subscribers`
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE active = 1)
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event, payload)
  SELECT e.id, 'subscriber.created', json_object(
    'type', 'subscriber.created',
    'timestamp', strftime('%Y-%m-%dT%H:%M:%S', new.created_at / 1000, 'unixepoch') || printf('.%03dZ', new.created_at % 1000),
    'data', json_object(
      'subscriberId', new.id,
      'email', new.email,
      'name', new.name,
      'attributes', json(iif(json_valid(new.attributes), new.attributes, '{}')),
      'status', new.status))
  FROM webhook_endpoints AS e
  WHERE e.active = 1
    AND instr(e.events, '"subscriber.created"') > 0;
END;
--> statement-breakpoint
-- Only fields the marketer sees: a write that changes nothing visible (or only updated_at)
-- sends nothing. `previous` holds the same fields as they were.
CREATE TRIGGER `webhook_subscriber_updated` AFTER UPDATE ON `subscribers`
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE active = 1)
  AND (old.email IS NOT new.email OR old.name IS NOT new.name OR old.attributes IS NOT new.attributes OR old.status IS NOT new.status)
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event, payload)
  SELECT e.id, 'subscriber.updated', json_object(
    'type', 'subscriber.updated',
    'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    'data', json_object(
      'subscriberId', new.id,
      'email', new.email,
      'name', new.name,
      'attributes', json(iif(json_valid(new.attributes), new.attributes, '{}')),
      'status', new.status,
      'changed', (SELECT json_group_array(field) FROM (
          SELECT 'email' AS field WHERE old.email IS NOT new.email
          UNION ALL SELECT 'name' WHERE old.name IS NOT new.name
          UNION ALL SELECT 'attributes' WHERE old.attributes IS NOT new.attributes
          UNION ALL SELECT 'status' WHERE old.status IS NOT new.status)),
      'previous', json_object(
        'email', old.email,
        'name', old.name,
        'attributes', json(iif(json_valid(old.attributes), old.attributes, '{}')),
        'status', old.status)))
  FROM webhook_endpoints AS e
  WHERE e.active = 1
    AND instr(e.events, '"subscriber.updated"') > 0;
END;
--> statement-breakpoint
-- A lapsed lease re-claimed (sending → sending) is no change. `started` is the first claim
-- only (started_at was unset); resuming is the marketer's paused → queued/scheduled, and
-- the claim that follows it is not a second start. `reason` is Edgepost's, for a pause or
-- failure of its own (a later cancel keeps the column, not the reason). `messages` counts
-- by outcome so far (ranges of the messages_campaign_status index).
CREATE TRIGGER `webhook_campaign_status` AFTER UPDATE OF `status` ON `campaigns`
WHEN EXISTS (SELECT 1 FROM webhook_endpoints WHERE active = 1) AND old.status IS NOT new.status
BEGIN
  INSERT INTO webhook_deliveries (endpoint_id, event, payload)
  SELECT e.id, t.name, json_object(
    'type', t.name,
    'timestamp', strftime('%Y-%m-%dT%H:%M:%fZ', 'now'),
    'data', json_object(
      'campaignId', new.id,
      'name', new.name,
      'subject', new.subject,
      'status', new.status,
      'reason', CASE WHEN new.status IN ('paused', 'failed') THEN new.status_reason END,
      'startedAt', CASE WHEN new.started_at IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', new.started_at / 1000, 'unixepoch') || printf('.%03dZ', new.started_at % 1000) END,
      'finishedAt', CASE WHEN new.finished_at IS NOT NULL THEN strftime('%Y-%m-%dT%H:%M:%S', new.finished_at / 1000, 'unixepoch') || printf('.%03dZ', new.finished_at % 1000) END,
      'messages', json_object(
        'queued', (SELECT count(*) FROM messages WHERE campaign_id = new.id AND status = 'queued'),
        'sent', (SELECT count(*) FROM messages WHERE campaign_id = new.id AND status = 'sent'),
        'failed', (SELECT count(*) FROM messages WHERE campaign_id = new.id AND status = 'failed'),
        'skipped', (SELECT count(*) FROM messages WHERE campaign_id = new.id AND status IN ('skipped', 'cancelled')))))
  FROM (SELECT CASE
                 WHEN new.status = 'sending' AND old.started_at IS NULL THEN 'campaign.started'
                 WHEN new.status = 'paused' THEN 'campaign.paused'
                 WHEN old.status = 'paused' AND new.status IN ('queued', 'scheduled') THEN 'campaign.resumed'
                 WHEN new.status = 'sent' THEN 'campaign.finished'
                 WHEN new.status = 'cancelled' THEN 'campaign.cancelled'
                 WHEN new.status = 'failed' THEN 'campaign.failed'
               END AS name) AS t
  JOIN webhook_endpoints AS e ON e.active = 1
    AND instr(e.events, '"' || t.name || '"') > 0
  WHERE t.name IS NOT NULL;
END;
