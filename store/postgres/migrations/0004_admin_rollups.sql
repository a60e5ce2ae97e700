-- Rollups for the admin dashboard (store.AdminRepo). Platform-wide, the
-- dashboard's aggregates over the raw purchases read about a million index
-- entries per call; these tables hold the same figures pre-summed, so a
-- year of revenue is a few thousand rows and customer counts one row per
-- customer. Triggers on purchases keep them exact in the writing
-- transaction: nothing is refreshed later, nothing goes stale.
--
-- Only completed purchases count, as everywhere in the dashboard. The
-- tables carry no foreign keys: every row is derived from purchases rows
-- whose own keys already hold, and deleting those rows (a user's cascade
-- included) removes their share here through the trigger.

-- Completed, dated purchases per organization and UTC day.
CREATE TABLE purchase_daily_totals (
    organization_id        uuid   NOT NULL,
    day                    date   NOT NULL,
    revenue_cents          bigint NOT NULL,
    purchases              bigint NOT NULL,
    platform_fee_cents     bigint NOT NULL,
    organization_fee_cents bigint NOT NULL,
    creator_payout_cents   bigint NOT NULL,
    PRIMARY KEY (organization_id, day)
) WITH (fillfactor = 50);
-- Every purchase rewrites its day's row. Free room on each page lets the
-- new version stay on the page (a HOT update: no index entry to add), and
-- the next writer's page pruning reclaims the old ones without waiting for
-- vacuum; the table is small enough that half-full pages cost nothing.
-- Platform-wide ranges select on day alone.
CREATE INDEX idx_purchase_daily_totals_day ON purchase_daily_totals (day);

-- Each customer's completed purchases in one organization: the earliest
-- purchased_at (NULL when every one is undated; min() semantics), how many
-- and how much. A row exists exactly while completed_count > 0.
CREATE TABLE customer_first_purchase (
    organization_id    uuid        NOT NULL,
    customer_id        text        NOT NULL,
    first_purchased_at timestamptz,
    completed_count    bigint      NOT NULL,
    spent_cents        bigint      NOT NULL,
    PRIMARY KEY (organization_id, customer_id)
);
CREATE INDEX idx_customer_first_purchase_org_first ON customer_first_purchase (organization_id, first_purchased_at);

-- The same across every organization. Deriving it from the per-organization
-- table would group up to (customers x organizations) rows per call; kept
-- separately it is one row per customer.
CREATE TABLE customer_first_purchase_all (
    customer_id        text        PRIMARY KEY,
    first_purchased_at timestamptz,
    completed_count    bigint      NOT NULL,
    spent_cents        bigint      NOT NULL
);
CREATE INDEX idx_customer_first_purchase_all_first ON customer_first_purchase_all (first_purchased_at);

-- purchase_rollups_add counts p in every rollup if it is completed. The
-- upserts add deltas (x = x + EXCLUDED.x) and LEAST() the first purchase,
-- so concurrent writers to one row commute: each waits for the other's row
-- lock and applies its own change on top. LEAST ignores NULLs, as min()
-- does, so an undated purchase never hides a dated one.
CREATE FUNCTION purchase_rollups_add(p purchases) RETURNS void
LANGUAGE plpgsql AS $$
BEGIN
    IF p.status <> 'completed' THEN
        RETURN;
    END IF;
    IF p.purchased_at IS NOT NULL THEN
        INSERT INTO purchase_daily_totals AS t (organization_id, day, revenue_cents, purchases,
                platform_fee_cents, organization_fee_cents, creator_payout_cents)
        VALUES (p.organization_id, (p.purchased_at AT TIME ZONE 'UTC')::date, p.amount_paid_cents, 1,
                p.platform_fee_cents, p.organization_fee_cents, p.creator_payout_cents)
        ON CONFLICT (organization_id, day) DO UPDATE SET
            revenue_cents          = t.revenue_cents + EXCLUDED.revenue_cents,
            purchases              = t.purchases + 1,
            platform_fee_cents     = t.platform_fee_cents + EXCLUDED.platform_fee_cents,
            organization_fee_cents = t.organization_fee_cents + EXCLUDED.organization_fee_cents,
            creator_payout_cents   = t.creator_payout_cents + EXCLUDED.creator_payout_cents;
    END IF;
    INSERT INTO customer_first_purchase AS c (organization_id, customer_id, first_purchased_at, completed_count, spent_cents)
    VALUES (p.organization_id, p.customer_id, p.purchased_at, 1, p.amount_paid_cents)
    ON CONFLICT (organization_id, customer_id) DO UPDATE SET
        first_purchased_at = LEAST(c.first_purchased_at, EXCLUDED.first_purchased_at),
        completed_count    = c.completed_count + 1,
        spent_cents        = c.spent_cents + EXCLUDED.spent_cents;
    INSERT INTO customer_first_purchase_all AS c (customer_id, first_purchased_at, completed_count, spent_cents)
    VALUES (p.customer_id, p.purchased_at, 1, p.amount_paid_cents)
    ON CONFLICT (customer_id) DO UPDATE SET
        first_purchased_at = LEAST(c.first_purchased_at, EXCLUDED.first_purchased_at),
        completed_count    = c.completed_count + 1,
        spent_cents        = c.spent_cents + EXCLUDED.spent_cents;
END;
$$;

-- purchase_rollups_remove takes p (as it was) out of every rollup if it
-- was completed. Sums and counts subtract. The first purchase cannot be
-- subtracted: when p may have been the customer's earliest, it is
-- recomputed from their remaining completed purchases (one short range of
-- idx_purchases_completed_org_customer / _customer). The recompute is a
-- statement of its own, run after the UPDATE has taken the row lock, so in
-- READ COMMITTED its fresh snapshot sees every writer that held the lock
-- before; writers after it apply LEAST on top of the recomputed value.
CREATE FUNCTION purchase_rollups_remove(p purchases) RETURNS void
LANGUAGE plpgsql AS $$
DECLARE
    n     bigint;
    first timestamptz;
BEGIN
    IF p.status <> 'completed' THEN
        RETURN;
    END IF;
    IF p.purchased_at IS NOT NULL THEN
        UPDATE purchase_daily_totals SET
            revenue_cents          = revenue_cents - p.amount_paid_cents,
            purchases              = purchases - 1,
            platform_fee_cents     = platform_fee_cents - p.platform_fee_cents,
            organization_fee_cents = organization_fee_cents - p.organization_fee_cents,
            creator_payout_cents   = creator_payout_cents - p.creator_payout_cents
        WHERE organization_id = p.organization_id AND day = (p.purchased_at AT TIME ZONE 'UTC')::date
        RETURNING purchases INTO n;
        IF n = 0 THEN
            DELETE FROM purchase_daily_totals
            WHERE organization_id = p.organization_id AND day = (p.purchased_at AT TIME ZONE 'UTC')::date;
        END IF;
    END IF;

    UPDATE customer_first_purchase SET
        completed_count = completed_count - 1,
        spent_cents     = spent_cents - p.amount_paid_cents
    WHERE organization_id = p.organization_id AND customer_id = p.customer_id
    RETURNING completed_count, first_purchased_at INTO n, first;
    IF n = 0 THEN
        DELETE FROM customer_first_purchase WHERE organization_id = p.organization_id AND customer_id = p.customer_id;
    ELSIF p.purchased_at IS NOT NULL AND (first IS NULL OR first >= p.purchased_at) THEN
        UPDATE customer_first_purchase SET first_purchased_at = (
            SELECT min(q.purchased_at) FROM purchases q
            WHERE q.organization_id = p.organization_id AND q.customer_id = p.customer_id AND q.status = 'completed')
        WHERE organization_id = p.organization_id AND customer_id = p.customer_id;
    END IF;

    UPDATE customer_first_purchase_all SET
        completed_count = completed_count - 1,
        spent_cents     = spent_cents - p.amount_paid_cents
    WHERE customer_id = p.customer_id
    RETURNING completed_count, first_purchased_at INTO n, first;
    IF n = 0 THEN
        DELETE FROM customer_first_purchase_all WHERE customer_id = p.customer_id;
    ELSIF p.purchased_at IS NOT NULL AND (first IS NULL OR first >= p.purchased_at) THEN
        UPDATE customer_first_purchase_all SET first_purchased_at = (
            SELECT min(q.purchased_at) FROM purchases q
            WHERE q.customer_id = p.customer_id AND q.status = 'completed')
        WHERE customer_id = p.customer_id;
    END IF;
END;
$$;

-- An update is the old row leaving and the new one arriving; when both
-- count, the subtraction and the addition net out to the change.
CREATE FUNCTION purchase_rollups_trigger() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP IN ('UPDATE', 'DELETE') THEN
        PERFORM purchase_rollups_remove(OLD);
    END IF;
    IF TG_OP IN ('INSERT', 'UPDATE') THEN
        PERFORM purchase_rollups_add(NEW);
    END IF;
    RETURN NULL;
END;
$$;

-- Block writes to purchases (reads go on) until this migration commits, so
-- no purchase lands between the backfill's snapshot and the triggers
-- taking over.
LOCK TABLE purchases IN SHARE ROW EXCLUSIVE MODE;

-- The triggers are deferred to commit. A rollup row, say an organization's
-- today, is shared by every purchase of the day, and its row lock is held
-- from the trigger to the end of the transaction; at commit that is only
-- the commit itself, not the rest of the purchase's transaction (the access
-- grant that follows it on the webhook path). Readers outside the
-- transaction see the same figures either way.
CREATE CONSTRAINT TRIGGER purchases_rollups_insert AFTER INSERT ON purchases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (NEW.status = 'completed')
    EXECUTE FUNCTION purchase_rollups_trigger();
-- Refunds and the rest of a purchase's life rewrite other columns (refund
-- amounts, Stripe ids, updated_at) far more often than these; the WHEN
-- clause skips the function unless a figure the rollups hold can change.
CREATE CONSTRAINT TRIGGER purchases_rollups_update
    AFTER UPDATE OF status, amount_paid_cents, platform_fee_cents, organization_fee_cents, creator_payout_cents,
        purchased_at, organization_id, customer_id ON purchases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN ((OLD.status = 'completed' OR NEW.status = 'completed') AND
        (OLD.status, OLD.amount_paid_cents, OLD.platform_fee_cents, OLD.organization_fee_cents, OLD.creator_payout_cents,
         OLD.purchased_at, OLD.organization_id, OLD.customer_id)
        IS DISTINCT FROM
        (NEW.status, NEW.amount_paid_cents, NEW.platform_fee_cents, NEW.organization_fee_cents, NEW.creator_payout_cents,
         NEW.purchased_at, NEW.organization_id, NEW.customer_id))
    EXECUTE FUNCTION purchase_rollups_trigger();
CREATE CONSTRAINT TRIGGER purchases_rollups_delete AFTER DELETE ON purchases
    DEFERRABLE INITIALLY DEFERRED FOR EACH ROW WHEN (OLD.status = 'completed')
    EXECUTE FUNCTION purchase_rollups_trigger();

INSERT INTO purchase_daily_totals (organization_id, day, revenue_cents, purchases,
        platform_fee_cents, organization_fee_cents, creator_payout_cents)
SELECT organization_id, (purchased_at AT TIME ZONE 'UTC')::date, sum(amount_paid_cents), count(*),
       sum(platform_fee_cents), sum(organization_fee_cents), sum(creator_payout_cents)
FROM purchases WHERE status = 'completed' AND purchased_at IS NOT NULL
GROUP BY 1, 2;

INSERT INTO customer_first_purchase (organization_id, customer_id, first_purchased_at, completed_count, spent_cents)
SELECT organization_id, customer_id, min(purchased_at), count(*), sum(amount_paid_cents)
FROM purchases WHERE status = 'completed'
GROUP BY 1, 2;

INSERT INTO customer_first_purchase_all (customer_id, first_purchased_at, completed_count, spent_cents)
SELECT customer_id, min(purchased_at), count(*), sum(amount_paid_cents)
FROM purchases WHERE status = 'completed'
GROUP BY 1;

ANALYZE purchase_daily_totals;
ANALYZE customer_first_purchase;
ANALYZE customer_first_purchase_all;
