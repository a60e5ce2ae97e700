-- Baseline schema: the final state of the reference data model
-- (reference/data-model.md §1–§7) with the fixes listed in its §16:
-- timestamptz everywhere, a CHECK on users.role, hashed session tokens,
-- indexes for every foreign key the repositories filter on, no redundant
-- indexes, the transcoding-status index that the reference never created,
-- and a content trigger that only fires when the organization is really gone.

-- ---- auth ----

CREATE TABLE users (
    id             text        PRIMARY KEY,
    name           text        NOT NULL,
    email          text        NOT NULL,
    email_verified boolean     NOT NULL DEFAULT false,
    image          text,
    role           text        NOT NULL DEFAULT 'customer',
    created_at     timestamptz NOT NULL DEFAULT now(),
    updated_at     timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT users_email_unique UNIQUE (email),
    CONSTRAINT check_user_role CHECK (role IN ('customer', 'creator', 'admin', 'system', 'platform_owner'))
);

CREATE TABLE accounts (
    id                       text        PRIMARY KEY,
    account_id               text        NOT NULL,
    provider_id              text        NOT NULL,
    user_id                  text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    access_token             text,
    refresh_token            text,
    id_token                 text,
    access_token_expires_at  timestamptz,
    refresh_token_expires_at timestamptz,
    scope                    text,
    password                 text,
    created_at               timestamptz NOT NULL DEFAULT now(),
    updated_at               timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT accounts_provider_account_unique UNIQUE (provider_id, account_id)
);
CREATE INDEX idx_accounts_user_id ON accounts (user_id);

-- token is the SHA-256 (hex) of the bearer token; the token itself is never stored.
CREATE TABLE sessions (
    id         text        PRIMARY KEY,
    expires_at timestamptz NOT NULL,
    token      text        NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now(),
    ip_address text,
    user_agent text,
    user_id    text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    CONSTRAINT sessions_token_unique UNIQUE (token)
);
CREATE INDEX idx_sessions_user_id ON sessions (user_id);
CREATE INDEX idx_sessions_expires_at ON sessions (expires_at);

CREATE TABLE verification (
    id         text        PRIMARY KEY,
    identifier text        NOT NULL,
    value      text        NOT NULL,
    expires_at timestamptz NOT NULL,
    created_at timestamptz NOT NULL DEFAULT now(),
    updated_at timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX verification_identifier_idx ON verification (identifier);

-- ---- organizations ----

CREATE TABLE organizations (
    id          uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    name        varchar(255) NOT NULL,
    slug        varchar(255) NOT NULL,
    description text,
    logo_url    text,
    website_url text,
    created_at  timestamptz  NOT NULL DEFAULT now(),
    updated_at  timestamptz  NOT NULL DEFAULT now(),
    deleted_at  timestamptz,
    CONSTRAINT organizations_slug_unique UNIQUE (slug)
);
CREATE INDEX idx_organizations_created_at ON organizations (created_at) WHERE deleted_at IS NULL;

CREATE TABLE organization_memberships (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    user_id         text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    role            varchar(50) NOT NULL DEFAULT 'member',
    status          varchar(50) NOT NULL DEFAULT 'active',
    invited_by      text        REFERENCES users (id) ON DELETE SET NULL,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT check_membership_role CHECK (role IN ('owner', 'admin', 'creator', 'subscriber', 'member')),
    CONSTRAINT check_membership_status CHECK (status IN ('active', 'inactive', 'invited'))
);
CREATE UNIQUE INDEX idx_unique_org_membership ON organization_memberships (organization_id, user_id);
CREATE INDEX idx_org_memberships_org_id ON organization_memberships (organization_id);
CREATE INDEX idx_org_memberships_user_id ON organization_memberships (user_id);
CREATE INDEX idx_org_memberships_role ON organization_memberships (organization_id, role);
CREATE INDEX idx_org_memberships_status ON organization_memberships (organization_id, status);
CREATE INDEX idx_org_memberships_invited_by ON organization_memberships (invited_by);

-- ---- media and content ----

CREATE TABLE media_items (
    id                      uuid          PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id              text          NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    title                   varchar(255)  NOT NULL,
    description             text,
    media_type              varchar(50)   NOT NULL,
    status                  varchar(50)   NOT NULL DEFAULT 'uploading',
    r2_key                  varchar(500)  NOT NULL,
    file_size_bytes         bigint,
    mime_type               varchar(100),
    duration_seconds        integer,
    width                   integer,
    height                  integer,
    hls_master_playlist_key varchar(500),
    hls_preview_key         varchar(500),
    thumbnail_key           varchar(500),
    waveform_key            varchar(500),
    waveform_image_key      varchar(500),
    runpod_job_id           varchar(255),
    transcoding_error       varchar(2000),
    transcoding_attempts    integer       NOT NULL DEFAULT 0,
    transcoding_priority    integer       NOT NULL DEFAULT 2,
    mezzanine_key           varchar(500),
    mezzanine_status        varchar(50),
    ready_variants          jsonb,
    loudness_integrated     integer,
    loudness_peak           integer,
    loudness_range          integer,
    uploaded_at             timestamptz,
    created_at              timestamptz   NOT NULL DEFAULT now(),
    updated_at              timestamptz   NOT NULL DEFAULT now(),
    deleted_at              timestamptz,
    CONSTRAINT check_media_type CHECK (media_type IN ('video', 'audio')),
    CONSTRAINT check_media_status CHECK (status IN ('uploading', 'uploaded', 'transcoding', 'ready', 'failed')),
    CONSTRAINT check_max_transcoding_attempts CHECK (transcoding_attempts >= 0 AND transcoding_attempts <= 3),
    CONSTRAINT check_transcoding_priority CHECK (transcoding_priority >= 0 AND transcoding_priority <= 4),
    CONSTRAINT check_mezzanine_status CHECK (mezzanine_status IS NULL OR mezzanine_status IN ('pending', 'processing', 'ready', 'failed')),
    CONSTRAINT status_ready_requires_keys CHECK (
        status <> 'ready' OR (
            hls_master_playlist_key IS NOT NULL
            AND duration_seconds IS NOT NULL
            AND (
                (media_type = 'video' AND thumbnail_key IS NOT NULL)
                OR (media_type = 'audio' AND waveform_key IS NOT NULL)
            )
        )
    )
);
CREATE INDEX idx_media_items_creator_id ON media_items (creator_id);
CREATE INDEX idx_media_items_status ON media_items (creator_id, status);
CREATE INDEX idx_media_items_type ON media_items (creator_id, media_type);
CREATE INDEX idx_media_items_runpod_job_id ON media_items (runpod_job_id);
CREATE INDEX idx_media_items_transcoding_status ON media_items (status, transcoding_attempts);

CREATE TABLE content (
    id              uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id      text         NOT NULL REFERENCES users (id) ON DELETE RESTRICT,
    organization_id uuid         REFERENCES organizations (id) ON DELETE SET NULL,
    media_item_id   uuid         REFERENCES media_items (id) ON DELETE SET NULL,
    title           varchar(500) NOT NULL,
    slug            varchar(500) NOT NULL,
    description     text,
    content_type    varchar(50)  NOT NULL,
    thumbnail_url   text,
    content_body    text,
    category        varchar(100),
    tags            jsonb        DEFAULT '[]'::jsonb,
    visibility      varchar(50)  NOT NULL DEFAULT 'purchased_only',
    price_cents     integer,
    status          varchar(50)  NOT NULL DEFAULT 'draft',
    published_at    timestamptz,
    view_count      integer      NOT NULL DEFAULT 0,
    purchase_count  integer      NOT NULL DEFAULT 0,
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CONSTRAINT check_content_type CHECK (content_type IN ('video', 'audio', 'written')),
    CONSTRAINT check_content_visibility CHECK (visibility IN ('public', 'private', 'members_only', 'purchased_only')),
    CONSTRAINT check_price_non_negative CHECK (price_cents IS NULL OR price_cents >= 0),
    CONSTRAINT check_content_status CHECK (status IN ('draft', 'published', 'archived'))
);
CREATE UNIQUE INDEX idx_unique_content_slug_per_org ON content (slug, organization_id) WHERE organization_id IS NOT NULL;
CREATE UNIQUE INDEX idx_unique_content_slug_personal ON content (slug, creator_id) WHERE organization_id IS NULL;
CREATE INDEX idx_content_creator_id ON content (creator_id);
CREATE INDEX idx_content_organization_id ON content (organization_id);
CREATE INDEX idx_content_media_item_id ON content (media_item_id);
CREATE INDEX idx_content_status ON content (status);
CREATE INDEX idx_content_published_at ON content (published_at);
CREATE INDEX idx_content_category ON content (category);

-- Org content must not surface as published on the creator's personal page
-- once its organization is gone (FK ON DELETE SET NULL). An ordinary update
-- that moves content to personal while the organization still exists is the
-- creator's choice and keeps the status (reference oddity 38).
CREATE FUNCTION unpublish_content_on_org_delete() RETURNS trigger
LANGUAGE plpgsql AS $$
BEGIN
    IF OLD.organization_id IS NOT NULL AND NEW.organization_id IS NULL
       AND NOT EXISTS (SELECT 1 FROM organizations WHERE id = OLD.organization_id) THEN
        NEW.status := 'draft';
        NEW.published_at := NULL;
    END IF;
    RETURN NEW;
END;
$$;

CREATE TRIGGER trigger_unpublish_on_org_delete
    BEFORE UPDATE ON content
    FOR EACH ROW
    WHEN (OLD.organization_id IS DISTINCT FROM NEW.organization_id)
    EXECUTE FUNCTION unpublish_content_on_org_delete();

-- ---- access and playback ----

CREATE TABLE content_access (
    id              uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id         text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id      uuid        NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    organization_id uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    access_type     varchar(50) NOT NULL,
    expires_at      timestamptz,
    granted_by      text        REFERENCES users (id) ON DELETE SET NULL,
    reason          text,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT content_access_user_content_unique UNIQUE (user_id, content_id),
    CONSTRAINT check_access_type CHECK (access_type IN ('purchased', 'subscription', 'complimentary', 'preview'))
);
CREATE INDEX idx_content_access_user_id ON content_access (user_id);
CREATE INDEX idx_content_access_content_id ON content_access (content_id);
CREATE INDEX idx_content_access_organization_id ON content_access (organization_id);
CREATE INDEX idx_content_access_granted_by ON content_access (granted_by);

CREATE TABLE video_playback (
    id               uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    user_id          text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id       uuid        NOT NULL REFERENCES content (id) ON DELETE CASCADE,
    position_seconds integer     NOT NULL DEFAULT 0,
    duration_seconds integer     NOT NULL,
    completed        boolean     NOT NULL DEFAULT false,
    updated_at       timestamptz NOT NULL DEFAULT now(),
    created_at       timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT video_playback_user_id_content_id_unique UNIQUE (user_id, content_id)
);
CREATE INDEX idx_video_playback_user_id ON video_playback (user_id);
CREATE INDEX idx_video_playback_content_id ON video_playback (content_id);

-- ---- fees and purchases ----

CREATE TABLE platform_fee_config (
    id                      uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    platform_fee_percentage integer     NOT NULL,
    effective_from          timestamptz NOT NULL DEFAULT now(),
    effective_until         timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT check_platform_fee_percentage CHECK (platform_fee_percentage >= 0 AND platform_fee_percentage <= 10000)
);
CREATE INDEX idx_platform_fee_config_effective ON platform_fee_config (effective_from, effective_until);

CREATE TABLE organization_platform_agreements (
    id                      uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id         uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    platform_fee_percentage integer     NOT NULL,
    effective_from          timestamptz NOT NULL DEFAULT now(),
    effective_until         timestamptz,
    created_at              timestamptz NOT NULL DEFAULT now(),
    updated_at              timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT check_org_platform_fee_percentage CHECK (platform_fee_percentage >= 0 AND platform_fee_percentage <= 10000)
);
CREATE INDEX idx_org_platform_agreement_org_id ON organization_platform_agreements (organization_id);
CREATE INDEX idx_org_platform_agreement_effective ON organization_platform_agreements (effective_from, effective_until);

CREATE TABLE creator_organization_agreements (
    id                          uuid        PRIMARY KEY DEFAULT gen_random_uuid(),
    creator_id                  text        NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    organization_id             uuid        NOT NULL REFERENCES organizations (id) ON DELETE CASCADE,
    organization_fee_percentage integer     NOT NULL,
    effective_from              timestamptz NOT NULL DEFAULT now(),
    effective_until             timestamptz,
    created_at                  timestamptz NOT NULL DEFAULT now(),
    updated_at                  timestamptz NOT NULL DEFAULT now(),
    CONSTRAINT creator_org_agreement_unique UNIQUE (creator_id, organization_id, effective_from),
    CONSTRAINT check_org_fee_percentage CHECK (organization_fee_percentage >= 0 AND organization_fee_percentage <= 10000)
);
CREATE INDEX idx_creator_org_agreement_creator_id ON creator_organization_agreements (creator_id);
CREATE INDEX idx_creator_org_agreement_org_id ON creator_organization_agreements (organization_id);
CREATE INDEX idx_creator_org_agreement_effective ON creator_organization_agreements (effective_from, effective_until);

CREATE TABLE purchases (
    id                       uuid         PRIMARY KEY DEFAULT gen_random_uuid(),
    customer_id              text         NOT NULL REFERENCES users (id) ON DELETE CASCADE,
    content_id               uuid         NOT NULL REFERENCES content (id) ON DELETE RESTRICT,
    organization_id          uuid         NOT NULL REFERENCES organizations (id) ON DELETE RESTRICT,
    amount_paid_cents        integer      NOT NULL,
    currency                 varchar(3)   NOT NULL DEFAULT 'usd',
    platform_fee_cents       integer      NOT NULL DEFAULT 0,
    organization_fee_cents   integer      NOT NULL DEFAULT 0,
    creator_payout_cents     integer      NOT NULL DEFAULT 0,
    platform_agreement_id    uuid         REFERENCES organization_platform_agreements (id) ON DELETE SET NULL,
    creator_org_agreement_id uuid         REFERENCES creator_organization_agreements (id) ON DELETE SET NULL,
    stripe_payment_intent_id varchar(255) NOT NULL,
    status                   varchar(50)  NOT NULL,
    purchased_at             timestamptz,
    refunded_at              timestamptz,
    refund_reason            text,
    refund_amount_cents      integer,
    stripe_refund_id         varchar(255),
    created_at               timestamptz  NOT NULL DEFAULT now(),
    updated_at               timestamptz  NOT NULL DEFAULT now(),
    CONSTRAINT purchases_stripe_payment_intent_id_unique UNIQUE (stripe_payment_intent_id),
    CONSTRAINT check_amount_positive CHECK (amount_paid_cents >= 0),
    CONSTRAINT check_platform_fee_positive CHECK (platform_fee_cents >= 0),
    CONSTRAINT check_org_fee_positive CHECK (organization_fee_cents >= 0),
    CONSTRAINT check_creator_payout_positive CHECK (creator_payout_cents >= 0),
    CONSTRAINT check_purchase_status CHECK (status IN ('pending', 'completed', 'refunded', 'failed')),
    CONSTRAINT check_revenue_split_equals_total CHECK (amount_paid_cents = platform_fee_cents + organization_fee_cents + creator_payout_cents)
);
CREATE INDEX idx_purchases_customer_id ON purchases (customer_id);
CREATE INDEX idx_purchases_content_id ON purchases (content_id);
CREATE INDEX idx_purchases_organization_id ON purchases (organization_id);
CREATE INDEX idx_purchases_created_at ON purchases (created_at);
CREATE INDEX idx_purchases_purchased_at ON purchases (purchased_at);
CREATE INDEX idx_purchases_platform_agreement ON purchases (platform_agreement_id);
CREATE INDEX idx_purchases_creator_org_agreement ON purchases (creator_org_agreement_id);
CREATE INDEX idx_purchases_org_status_created ON purchases (organization_id, status, created_at);
CREATE INDEX idx_purchases_org_status_purchased ON purchases (organization_id, status, purchased_at);
-- A customer's library and history list newest purchase first; the
-- completed-purchase check filters on the same leading columns.
CREATE INDEX idx_purchases_customer_purchased ON purchases (customer_id, purchased_at DESC NULLS LAST, id);
CREATE INDEX idx_purchases_customer_content_status ON purchases (customer_id, content_id, status);

-- The default fee has applied since the platform began: effective from the
-- epoch rather than from the migration's instant, so a fee lookup for any
-- past purchase finds it (the memory store seeds the same row).
INSERT INTO platform_fee_config (platform_fee_percentage, effective_from, effective_until)
VALUES (1000, '1970-01-01 00:00:00+00', NULL);

-- ---- notifications ----

CREATE TYPE template_scope AS ENUM ('global', 'organization', 'creator');
CREATE TYPE template_status AS ENUM ('draft', 'active', 'archived');
CREATE TYPE email_send_status AS ENUM ('pending', 'success', 'failed');

CREATE TABLE email_templates (
    id              uuid            PRIMARY KEY DEFAULT gen_random_uuid(),
    name            varchar(100)    NOT NULL,
    scope           template_scope  NOT NULL,
    organization_id uuid            REFERENCES organizations (id) ON DELETE CASCADE,
    creator_id      text            REFERENCES users (id) ON DELETE CASCADE,
    created_by      text            REFERENCES users (id) ON DELETE SET NULL,
    subject         varchar(500)    NOT NULL,
    html_body       text            NOT NULL,
    text_body       text            NOT NULL,
    description     text,
    status          template_status NOT NULL DEFAULT 'draft',
    created_at      timestamptz     NOT NULL DEFAULT now(),
    updated_at      timestamptz     NOT NULL DEFAULT now(),
    deleted_at      timestamptz,
    CONSTRAINT global_scope_no_owners CHECK (scope <> 'global' OR (organization_id IS NULL AND creator_id IS NULL)),
    CONSTRAINT org_scope_requires_org CHECK (scope <> 'organization' OR (organization_id IS NOT NULL AND creator_id IS NULL)),
    CONSTRAINT creator_scope_requires_creator CHECK (scope <> 'creator' OR creator_id IS NOT NULL)
);
CREATE UNIQUE INDEX idx_unique_template_global ON email_templates (name) WHERE scope = 'global' AND deleted_at IS NULL;
CREATE UNIQUE INDEX idx_unique_template_org ON email_templates (name, organization_id) WHERE scope = 'organization' AND deleted_at IS NULL;
CREATE UNIQUE INDEX idx_unique_template_creator ON email_templates (name, creator_id) WHERE scope = 'creator' AND deleted_at IS NULL;
CREATE INDEX idx_email_templates_org_id ON email_templates (organization_id);
CREATE INDEX idx_email_templates_creator_id ON email_templates (creator_id);
CREATE INDEX idx_email_templates_scope ON email_templates (scope);
CREATE INDEX idx_email_templates_status ON email_templates (status);
CREATE INDEX idx_templates_org_scope ON email_templates (organization_id, scope);
CREATE INDEX idx_templates_creator_scope ON email_templates (creator_id, scope);
CREATE INDEX idx_templates_created_by_deleted_at ON email_templates (created_by, deleted_at);
CREATE INDEX idx_templates_status_scope_deleted_at ON email_templates (status, scope, deleted_at);
CREATE INDEX idx_templates_status_scope ON email_templates (status, scope);
CREATE INDEX idx_templates_active ON email_templates (id, status) WHERE deleted_at IS NULL;
CREATE INDEX idx_template_lookup ON email_templates (name, scope, organization_id, creator_id) WHERE deleted_at IS NULL;

CREATE TABLE email_audit_logs (
    id              uuid              PRIMARY KEY DEFAULT gen_random_uuid(),
    organization_id uuid              REFERENCES organizations (id) ON DELETE SET NULL,
    creator_id      text              REFERENCES users (id) ON DELETE SET NULL,
    template_name   varchar(100)      NOT NULL,
    recipient_email varchar(255)      NOT NULL,
    status          email_send_status NOT NULL DEFAULT 'pending',
    error           text,
    metadata        text,
    attempts        integer           NOT NULL DEFAULT 0,
    next_attempt_at timestamptz,
    created_at      timestamptz       NOT NULL DEFAULT now(),
    updated_at      timestamptz       NOT NULL DEFAULT now()
);
-- The delivery worker polls for due pending entries.
CREATE INDEX idx_email_audit_logs_due ON email_audit_logs (status, next_attempt_at);
CREATE INDEX idx_email_audit_logs_created_at ON email_audit_logs (created_at);
CREATE INDEX idx_email_audit_logs_recipient ON email_audit_logs (recipient_email);
CREATE INDEX idx_email_audit_logs_org_id ON email_audit_logs (organization_id);
CREATE INDEX idx_email_audit_logs_creator_id ON email_audit_logs (creator_id);

-- ---- per-organization settings (hub and spokes, created lazily) ----

CREATE TABLE platform_settings (
    organization_id uuid        PRIMARY KEY REFERENCES organizations (id) ON DELETE CASCADE,
    created_at      timestamptz NOT NULL DEFAULT now(),
    updated_at      timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX platform_settings_updated_at_idx ON platform_settings (updated_at);

CREATE TABLE branding_settings (
    organization_id   uuid        PRIMARY KEY REFERENCES platform_settings (organization_id) ON DELETE CASCADE,
    logo_url          text,
    logo_r2_path      text,
    primary_color_hex varchar(7)  NOT NULL DEFAULT '#3B82F6',
    created_at        timestamptz NOT NULL DEFAULT now(),
    updated_at        timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX branding_settings_updated_at_idx ON branding_settings (updated_at);

CREATE TABLE contact_settings (
    organization_id uuid         PRIMARY KEY REFERENCES platform_settings (organization_id) ON DELETE CASCADE,
    platform_name   varchar(100) NOT NULL DEFAULT 'Codex Platform',
    support_email   varchar(255) NOT NULL DEFAULT 'support@example.com',
    contact_url     text,
    timezone        varchar(100) NOT NULL DEFAULT 'UTC',
    created_at      timestamptz  NOT NULL DEFAULT now(),
    updated_at      timestamptz  NOT NULL DEFAULT now()
);
CREATE INDEX contact_settings_updated_at_idx ON contact_settings (updated_at);

CREATE TABLE feature_settings (
    organization_id  uuid        PRIMARY KEY REFERENCES platform_settings (organization_id) ON DELETE CASCADE,
    enable_signups   boolean     NOT NULL DEFAULT true,
    enable_purchases boolean     NOT NULL DEFAULT true,
    created_at       timestamptz NOT NULL DEFAULT now(),
    updated_at       timestamptz NOT NULL DEFAULT now()
);
CREATE INDEX feature_settings_updated_at_idx ON feature_settings (updated_at);
