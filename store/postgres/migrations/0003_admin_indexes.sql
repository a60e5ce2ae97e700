-- Indexes for the admin dashboard (store.AdminRepo). Analytics count only
-- completed purchases, so the indexes are partial on that status: they
-- skip pending, failed and refunded rows and stay smaller than the table's
-- own indexes. The INCLUDE columns let revenue, fee and top-content sums be
-- answered by index-only scans, without visiting the heap.
--
-- Migrations run in a transaction, so these are built without CONCURRENTLY
-- and block writes to purchases while they build; on a large live table,
-- create them CONCURRENTLY by hand first (IF NOT EXISTS then skips them).

-- One organization's revenue over a date range, by day, and its top content.
CREATE INDEX IF NOT EXISTS idx_purchases_completed_org_day ON purchases (organization_id, purchased_at)
    INCLUDE (amount_paid_cents, platform_fee_cents, organization_fee_cents, creator_payout_cents, content_id)
    WHERE status = 'completed';

-- The same, platform-wide.
CREATE INDEX IF NOT EXISTS idx_purchases_completed_day ON purchases (purchased_at)
    INCLUDE (amount_paid_cents, platform_fee_cents, organization_fee_cents, creator_payout_cents, content_id)
    WHERE status = 'completed';

-- Per-customer aggregates (customer counts, first purchase, customer list
-- and detail) of one organization: rows arrive grouped by customer.
CREATE INDEX IF NOT EXISTS idx_purchases_completed_org_customer ON purchases (organization_id, customer_id, purchased_at)
    INCLUDE (amount_paid_cents)
    WHERE status = 'completed';

-- The same, platform-wide.
CREATE INDEX IF NOT EXISTS idx_purchases_completed_customer ON purchases (customer_id, purchased_at)
    INCLUDE (amount_paid_cents)
    WHERE status = 'completed';

-- Cross-creator content lists, newest first, of one organization or all.
CREATE INDEX IF NOT EXISTS idx_content_live_org_created ON content (organization_id, created_at DESC, id)
    WHERE deleted_at IS NULL;
CREATE INDEX IF NOT EXISTS idx_content_live_created ON content (created_at DESC, id)
    WHERE deleted_at IS NULL;

-- Revenue by day groups on the UTC day of purchased_at. Without statistics
-- on that expression the planner assumes one group per row and sorts the
-- whole range (spilling to disk platform-wide); with them it knows there
-- are a few hundred days and hash-aggregates, in parallel.
CREATE STATISTICS IF NOT EXISTS purchases_utc_day ON (date_trunc('day', purchased_at AT TIME ZONE 'UTC')) FROM purchases;
