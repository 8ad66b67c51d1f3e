CREATE TABLE `campaign_event_counts` (
	`campaign_id` integer NOT NULL,
	`dimension` text NOT NULL,
	`key` text NOT NULL,
	`type` text NOT NULL,
	`total` integer DEFAULT 0 NOT NULL,
	`human_total` integer DEFAULT 0 NOT NULL,
	`messages` integer DEFAULT 0 NOT NULL,
	`human_messages` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `dimension`, `key`, `type`)
);
--> statement-breakpoint
CREATE TABLE `campaign_message_counts` (
	`campaign_id` integer NOT NULL,
	`domain` text NOT NULL,
	`status` text NOT NULL,
	`n` integer DEFAULT 0 NOT NULL,
	PRIMARY KEY(`campaign_id`, `domain`, `status`)
);
--> statement-breakpoint
CREATE TABLE `event_rollup` (
	`id` integer PRIMARY KEY NOT NULL,
	`last_event_id` integer DEFAULT 0 NOT NULL,
	CONSTRAINT "event_rollup_one_row" CHECK("event_rollup"."id" = 1)
);
--> statement-breakpoint
-- Backfill of campaign_message_counts from the messages already stored (installs that
-- upgrade): per campaign and recipient domain (after the last '@', lower-cased, '' with no
-- '@'; see emailDomain in shared/queries/message-counts.ts), every message as `created`
-- and the ended ones under their final status (queued = created − ended), and the same per
-- campaign under domain `*`. From here on the statements that create and end messages keep
-- it exact.
WITH per_domain AS MATERIALIZED (
  SELECT d.campaign_id, d.domain, iif(k.created, 'created', d.status) AS status, count(*) AS n
  FROM (
    SELECT m.campaign_id, m.status,
           CASE WHEN instr(s.email, '@') > 0 THEN lower(substr(s.email, length(rtrim(s.email, replace(s.email, '@', ''))) + 1)) ELSE '' END AS domain
    FROM `messages` AS m
    LEFT JOIN `subscribers` AS s ON s.id = m.subscriber_id
  ) AS d
  JOIN (SELECT 1 AS created UNION ALL SELECT 0) AS k ON k.created OR d.status <> 'queued'
  GROUP BY 1, 2, 3
)
INSERT INTO `campaign_message_counts` (`campaign_id`, `domain`, `status`, `n`)
SELECT campaign_id, domain, status, n FROM per_domain
UNION ALL
SELECT campaign_id, '*', status, sum(n) FROM per_domain GROUP BY campaign_id, status;
--> statement-breakpoint
-- A campaign's biggest recipient domains (campaignMessageCounts): the top of this index.
CREATE INDEX `campaign_message_counts_top` ON `campaign_message_counts` (`campaign_id`,`status`,`n`);
--> statement-breakpoint
-- A campaign's bounces and complaints, newest recorded first (GET /api/campaigns/{id}/bounces):
-- a partial index holds only those events, so it costs nothing on opens, clicks and deliveries.
-- Declared in shared/db/tables/feedback.ts too; a query uses it only when it repeats the WHERE exactly.
CREATE INDEX `events_campaign_feedback` ON `events` (`campaign_id`,`id`) WHERE type = 'bounce' or type = 'complaint';
--> statement-breakpoint
-- Event counters from the events already stored (installs that upgrade), with the watermark at
-- the newest of them: from here on the rollup that follows every event write
-- (shared/queries/event-rollup.ts) counts what comes after. The same counts as the rollup's,
-- made with window functions (one sort per kind of "first", not a probe per event):
-- an event adds to `messages` when it is the first of its (campaign, type, message) (for
-- `link`: and URL), to `human_messages` when it is also the first human one; a hard bounce
-- also counts as `bounce-hard`, a machine's open or click as `open-machine` or `click-machine`
-- (messages: those with a machine event); an event with no message (anonymous tracking)
-- counts in no `messages`. event-rollup.test.ts checks that both count alike.
INSERT INTO `event_rollup` (`id`, `last_event_id`) SELECT 1, coalesce(max(`id`), 0) FROM `events`;
--> statement-breakpoint
WITH ranked AS MATERIALIZED (
  SELECT c, type, url, reason, human, hour,
         CASE WHEN instr(address, '@') > 0 THEN lower(substr(address, length(rtrim(address, replace(address, '@', ''))) + 1)) ELSE '' END AS domain,
         known AND row_number() OVER (PARTITION BY c, type, msg ORDER BY id) = 1 AS first,
         known AND human AND row_number() OVER (PARTITION BY c, type, msg, human ORDER BY id) = 1 AS first_human,
         CASE WHEN type = 'click' AND url IS NOT NULL THEN known AND row_number() OVER (PARTITION BY c, type, msg, url ORDER BY id) = 1 END AS first_link,
         known AND human AND row_number() OVER (PARTITION BY c, type, msg, url, human ORDER BY id) = 1 AS first_link_human,
         CASE WHEN hard THEN known AND row_number() OVER (PARTITION BY c, type, msg, hard ORDER BY id) = 1 END AS first_hard,
         CASE WHEN NOT human THEN known AND row_number() OVER (PARTITION BY c, type, msg, human ORDER BY id) = 1 END AS first_machine
  FROM (
    SELECT e.id, e.campaign_id AS c, e.type, e.url, e.machine_reason AS reason,
           e.message_id AS msg, e.message_id IS NOT NULL AS known,
           coalesce(e.machine, 0) = 0 AS human,
           e.type = 'bounce' AND e.bounce_class IS 'hard' AS hard,
           cast(e.occurred_at - e.occurred_at % 3600000 AS TEXT) AS hour,
           coalesce(nullif(e.recipient, ''), (SELECT email FROM subscribers WHERE id = e.subscriber_id), '') AS address
    FROM `events` AS e
    WHERE e.campaign_id IS NOT NULL
  )
),
counted (c, dimension, key, type, total, human_total, messages, human_messages) AS (
  SELECT c, 'all', '', type, 1, human, first, first_human FROM ranked
  UNION ALL SELECT c, 'domain', domain, type, 1, human, first, first_human FROM ranked
  UNION ALL SELECT c, 'hour', hour, type, 1, human, first, first_human FROM ranked WHERE type = 'open' OR type = 'click'
  UNION ALL SELECT c, 'link', url, type, 1, human, first_link, first_link_human FROM ranked WHERE first_link IS NOT NULL
  UNION ALL SELECT c, 'reason', coalesce(reason, 'unknown'), type, 1, 0, 0, 0 FROM ranked WHERE NOT human
  UNION ALL SELECT c, 'all', '', type || '-machine', 1, 0, first_machine, 0 FROM ranked WHERE first_machine IS NOT NULL
  UNION ALL SELECT c, 'all', '', 'bounce-hard', 1, 1, first_hard, first_hard FROM ranked WHERE first_hard IS NOT NULL
  UNION ALL SELECT c, 'domain', domain, 'bounce-hard', 1, 1, first_hard, first_hard FROM ranked WHERE first_hard IS NOT NULL
)
INSERT INTO `campaign_event_counts` (`campaign_id`, `dimension`, `key`, `type`, `total`, `human_total`, `messages`, `human_messages`)
SELECT c, dimension, key, type, sum(total), sum(human_total), sum(messages), sum(human_messages)
FROM counted WHERE true
GROUP BY c, dimension, key, type;
--> statement-breakpoint
-- Keeps the event counters exact when an event already counted (id <= the watermark) turns
-- from human to machine: hits.ts's clickBurstUpdate flags the earlier clicks of a burst, which
-- an earlier batch may have counted as human. The invariant: campaign_event_counts always
-- equals what the rollup would count from scratch over the events with id <= last_event_id,
-- with the flags they have now. So for the event X that turns machine:
-- - human_total −1 in each row it counted in (all, domain, hour, link), reason +1, and
--   `<type>-machine` total +1, messages +1 when no other machine event of its (campaign,
--   type, message) is counted (an event with no message, anonymous tracking, moves totals only);
-- - if X was the first human event of its (campaign, type, message), human_messages −1 in
--   its all/domain/hour rows, and +1 in those of the next human one up to the watermark (Z),
--   which is now the first: its hour or domain may differ from X's;
-- - in its link row, human_messages −1 when no other human click of that URL up to the
--   watermark remains.
-- Each firing sees the flags of the rows its UPDATE changed before it, so several flips in
-- one statement keep the invariant one after another. The body is compiled into every UPDATE
-- of `machine` (the click-burst rule runs one per batch of clicks), so it is kept to four
-- statements, each reading counter rows by primary key. Events past the watermark need
-- nothing: the rollup will count them with their flags as they are then. Flips back from
-- machine to human are not kept (no code makes them). The domain is taken as the rollup takes
-- it (the recipient, else the subscriber's address); event-rollup.test.ts checks both agree.
CREATE TRIGGER `event_counts_machine_flip` AFTER UPDATE OF `machine` ON `events`
WHEN coalesce(old.machine, 0) = 0 AND new.machine = 1 AND old.campaign_id IS NOT NULL
  AND old.id <= (SELECT last_event_id FROM event_rollup WHERE id = 1)
BEGIN
  -- X's rows (each a primary-key lookup): human_total −1; human_messages −1 where X was the
  -- first human event (link: where no other human click of the URL is counted).
  UPDATE campaign_event_counts
  SET human_total = human_total - 1,
      human_messages = human_messages - CASE WHEN dimension = 'link'
        THEN old.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events AS p WHERE p.campaign_id = old.campaign_id AND p.type = old.type
          AND p.message_id = old.message_id AND p.url = old.url AND p.id <> old.id AND p.id <= (SELECT last_event_id FROM event_rollup WHERE id = 1) AND coalesce(p.machine, 0) = 0)
        ELSE old.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events AS p WHERE p.campaign_id = old.campaign_id AND p.type = old.type
      AND p.message_id = old.message_id AND p.id < old.id AND coalesce(p.machine, 0) = 0) END
  WHERE campaign_id = old.campaign_id AND type = old.type AND (dimension, key) IN (VALUES ('all', ''),
    ('hour', cast(old.occurred_at - old.occurred_at % 3600000 AS TEXT)),
    ('domain', (SELECT CASE WHEN instr(a, '@') > 0 THEN lower(substr(a, length(rtrim(a, replace(a, '@', ''))) + 1)) ELSE '' END FROM (SELECT coalesce(nullif(old.recipient, ''), (SELECT email FROM subscribers WHERE id = old.subscriber_id), '') AS a))),
    ('link', old.url));
  -- The next human event (Z) takes over as the message's first, in its own hour and domain.
  UPDATE campaign_event_counts SET human_messages = human_messages + 1
  WHERE campaign_id = old.campaign_id AND type = old.type AND old.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events AS p WHERE p.campaign_id = old.campaign_id AND p.type = old.type
      AND p.message_id = old.message_id AND p.id < old.id AND coalesce(p.machine, 0) = 0)
    AND (dimension, key) IN (
      SELECT d.column1, CASE d.column1 WHEN 'all' THEN '' WHEN 'hour' THEN cast(z.occurred_at - z.occurred_at % 3600000 AS TEXT) ELSE CASE WHEN instr(z.a, '@') > 0 THEN lower(substr(z.a, length(rtrim(z.a, replace(z.a, '@', ''))) + 1)) ELSE '' END END
      FROM (SELECT z.occurred_at, coalesce(nullif(z.recipient, ''), (SELECT email FROM subscribers WHERE id = z.subscriber_id), '') AS a
            FROM events AS z
            WHERE z.campaign_id = old.campaign_id AND z.type = old.type AND z.message_id = old.message_id AND z.id > old.id
              AND z.id <= (SELECT last_event_id FROM event_rollup WHERE id = 1) AND coalesce(z.machine, 0) = 0
            ORDER BY z.id LIMIT 1) AS z,
           (VALUES ('all'), ('hour'), ('domain')) AS d);
  INSERT INTO campaign_event_counts (campaign_id, dimension, key, type, total, human_total, messages, human_messages)
  VALUES (old.campaign_id, 'reason', coalesce(new.machine_reason, 'unknown'), old.type, 1, 0, 0, 0),
         (old.campaign_id, 'all', '', old.type || '-machine', 1, 0,
          old.message_id IS NOT NULL AND NOT EXISTS (SELECT 1 FROM events AS p WHERE p.campaign_id = old.campaign_id AND p.type = old.type
            AND p.message_id = old.message_id AND p.id <> old.id AND p.id <= (SELECT last_event_id FROM event_rollup WHERE id = 1) AND coalesce(p.machine, 0) <> 0), 0)
  ON CONFLICT (campaign_id, dimension, key, type) DO UPDATE SET total = total + 1, messages = messages + excluded.messages;
END;
