package org

import (
	"context"
	"errors"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/actor"
	"github.com/codexforgo/codex/store"
)

// BrandingUpdate changes the branding colour; the logo has its own calls.
type BrandingUpdate struct {
	PrimaryColorHex *string
}

// ContactUpdate changes contact settings; nil fields stay. ContactURL set
// to nil clears the URL.
type ContactUpdate struct {
	PlatformName *string
	SupportEmail *string
	ContactURL   store.Opt[*string]
	Timezone     *string
}

// FeaturesUpdate changes feature toggles; nil fields stay.
type FeaturesUpdate struct {
	EnableSignups   *bool
	EnablePurchases *bool
}

// Settings returns every settings category of the organization (defaults
// where nothing was saved). Settings are managed by owners, admins and
// platform owners, who alone may read them, as in the reference.
func (s *Service) Settings(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.OrgSettings, error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return nil, err
	}
	return s.db.OrgSettings().Get(ctx, id)
}

// Branding returns the branding settings.
func (s *Service) Branding(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Branding, error) {
	set, err := s.Settings(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return &set.Branding, nil
}

// Contact returns the contact settings.
func (s *Service) Contact(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Contact, error) {
	set, err := s.Settings(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return &set.Contact, nil
}

// Features returns the feature toggles.
func (s *Service) Features(ctx context.Context, a *actor.Actor, id uuid.UUID) (*store.Features, error) {
	set, err := s.Settings(ctx, a, id)
	if err != nil {
		return nil, err
	}
	return &set.Features, nil
}

// UpdateBranding sets the primary colour, normalised to upper-case
// #RRGGBB. It never touches the logo.
func (s *Service) UpdateBranding(ctx context.Context, a *actor.Actor, id uuid.UUID, in BrandingUpdate) (*store.Branding, error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return nil, err
	}
	var f fields
	var p store.BrandingPatch
	if in.PrimaryColorHex != nil {
		c, ok := normalizeColor(*in.PrimaryColorHex)
		if !ok {
			f.add("body.primaryColorHex", "Color must be hex format (#RRGGBB)")
		}
		p.PrimaryColorHex = store.Some(c)
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if !p.PrimaryColorHex.Set {
		return s.currentBranding(ctx, id)
	}
	b, err := s.db.OrgSettings().UpdateBranding(ctx, id, p)
	return b, settingsErr(err)
}

func (s *Service) currentBranding(ctx context.Context, id uuid.UUID) (*store.Branding, error) {
	set, err := s.db.OrgSettings().Get(ctx, id)
	if err != nil {
		return nil, err
	}
	return &set.Branding, nil
}

// UpdateContact changes the contact settings. The timezone must be an
// IANA zone name.
func (s *Service) UpdateContact(ctx context.Context, a *actor.Actor, id uuid.UUID, in ContactUpdate) (*store.Contact, error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return nil, err
	}
	var f fields
	var p store.ContactPatch
	if in.PlatformName != nil {
		p.PlatformName = store.Some(checkPlatformName(&f, "body.platformName", *in.PlatformName))
	}
	if in.SupportEmail != nil {
		p.SupportEmail = store.Some(checkEmail(&f, "body.supportEmail", *in.SupportEmail))
	}
	if in.ContactURL.Set {
		p.ContactURL = store.Some(checkURL(&f, "body.contactUrl", in.ContactURL.Value))
	}
	if in.Timezone != nil {
		p.Timezone = store.Some(checkTimezone(&f, "body.timezone", *in.Timezone))
	}
	if err := f.err(); err != nil {
		return nil, err
	}
	if p == (store.ContactPatch{}) {
		set, err := s.db.OrgSettings().Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return &set.Contact, nil
	}
	c, err := s.db.OrgSettings().UpdateContact(ctx, id, p)
	return c, settingsErr(err)
}

// UpdateFeatures changes the feature toggles.
func (s *Service) UpdateFeatures(ctx context.Context, a *actor.Actor, id uuid.UUID, in FeaturesUpdate) (*store.Features, error) {
	if _, err := s.manage(ctx, a, id); err != nil {
		return nil, err
	}
	var p store.FeaturesPatch
	if in.EnableSignups != nil {
		p.EnableSignups = store.Some(*in.EnableSignups)
	}
	if in.EnablePurchases != nil {
		p.EnablePurchases = store.Some(*in.EnablePurchases)
	}
	if p == (store.FeaturesPatch{}) {
		set, err := s.db.OrgSettings().Get(ctx, id)
		if err != nil {
			return nil, err
		}
		return &set.Features, nil
	}
	feat, err := s.db.OrgSettings().UpdateFeatures(ctx, id, p)
	return feat, settingsErr(err)
}

// settingsErr maps the foreign-key failure of a settings write for an
// organization removed in the meantime to the ordinary 404.
func settingsErr(err error) error {
	if store.IsConstraint(err, store.ForeignKey, "") {
		return ErrNotFound
	}
	return err
}

// PurchasesEnabled reports whether the organization's enablePurchases
// toggle is on (the default). The purchase flow must ask it before
// starting a checkout for the organization's content and refuse when it
// is off. A missing or deleted organization is ErrNotFound: nothing of it
// may be sold.
func (s *Service) PurchasesEnabled(ctx context.Context, orgID uuid.UUID) (bool, error) {
	f, err := s.features(ctx, orgID)
	if err != nil {
		return false, err
	}
	return f.EnablePurchases, nil
}

// SignupsEnabled reports whether the organization's enableSignups toggle
// is on (the default). Sign-up today is platform-wide (auth.SignUp) and
// no flow joins a user to an organization by sign-up, so nothing consults
// this yet; an organization-scoped sign-up or self-join flow must refuse
// when it is off. A missing or deleted organization is ErrNotFound.
func (s *Service) SignupsEnabled(ctx context.Context, orgID uuid.UUID) (bool, error) {
	f, err := s.features(ctx, orgID)
	if err != nil {
		return false, err
	}
	return f.EnableSignups, nil
}

func (s *Service) features(ctx context.Context, orgID uuid.UUID) (*store.Features, error) {
	if _, err := s.db.Organizations().Get(ctx, orgID); err != nil {
		if errors.Is(err, store.ErrNotFound) {
			return nil, ErrNotFound
		}
		return nil, err
	}
	set, err := s.db.OrgSettings().Get(ctx, orgID)
	if err != nil {
		return nil, err
	}
	return &set.Features, nil
}
