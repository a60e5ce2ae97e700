package postgres_test

import (
	"testing"

	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/storetest"
)

func TestConformance(t *testing.T) {
	needDB(t)
	storetest.Run(t, func(t *testing.T) store.Store { return newStore(t) })
}
