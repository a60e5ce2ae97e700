package memory_test

import (
	"testing"

	"github.com/codexforgo/codex/store"
	"github.com/codexforgo/codex/store/memory"
	"github.com/codexforgo/codex/store/storetest"
)

func TestStore(t *testing.T) {
	storetest.Run(t, func(t *testing.T) store.Store { return memory.New() })
}
