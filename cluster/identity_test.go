package cluster

import (
	"os"
	"path/filepath"
	"testing"
)

func TestLoadOrCreateIDPersists(t *testing.T) {
	dir := t.TempDir()
	id, err := LoadOrCreateID(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !ValidID(id) {
		t.Fatalf("new id %q is not 40 hex chars", id)
	}
	again, err := LoadOrCreateID(dir)
	if err != nil {
		t.Fatal(err)
	}
	if again != id {
		t.Fatalf("id changed across loads: %q then %q", id, again)
	}
	other, err := LoadOrCreateID(t.TempDir())
	if err != nil {
		t.Fatal(err)
	}
	if other == id {
		t.Fatalf("two data dirs got the same id %q", id)
	}
}

func TestLoadOrCreateIDRejectsMalformed(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, idFile), []byte("not-an-id\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if _, err := LoadOrCreateID(dir); err == nil {
		t.Fatal("malformed id file accepted")
	}
}

func TestValidID(t *testing.T) {
	for id, want := range map[string]bool{
		"07c37dfeb235213a872192d90877d0cd55635b91":  true,
		"07C37DFEB235213A872192D90877D0CD55635B91":  false,
		"07c37dfeb235213a872192d90877d0cd55635b9":   false,
		"07c37dfeb235213a872192d90877d0cd55635b911": false,
		"g7c37dfeb235213a872192d90877d0cd55635b91":  false,
	} {
		if got := ValidID(id); got != want {
			t.Errorf("ValidID(%q) = %v, want %v", id, got, want)
		}
	}
}
