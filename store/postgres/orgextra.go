package postgres

import (
	"context"

	"github.com/google/uuid"

	"github.com/codexforgo/codex/store"
)

func (r orgRepo) Lock(ctx context.Context, id uuid.UUID) error {
	var one int
	err := r.q.QueryRow(ctx, "SELECT 1 FROM organizations WHERE id = $1 AND deleted_at IS NULL FOR UPDATE", id).Scan(&one)
	return mapErr(err, "lock organization")
}

func scanMember(s scanner) (*store.Member, error) {
	var m store.Member
	err := s.Scan(&m.ID, &m.OrganizationID, &m.UserID, &m.Role, &m.Status, &m.InvitedBy, &m.CreatedAt, &m.UpdatedAt,
		&m.Email, &m.Name)
	return &m, err
}

func (r membershipRepo) ListMembers(ctx context.Context, orgID uuid.UUID, page store.Page) (store.List[store.Member], error) {
	var a args
	w := newWhere(&a)
	w.and("m.organization_id = ?", orgID)
	return list(ctx, r.q, "list members", prefixed("m.", membershipCols)+", u.email, u.name",
		"organization_memberships m JOIN users u ON u.id = m.user_id", w,
		"m.created_at ASC, m.id ASC", page, scanMember)
}
