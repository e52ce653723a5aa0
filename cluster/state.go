package cluster

import (
	"encoding/json"
	"errors"
	"fmt"
	"os"
	"path/filepath"

	"github.com/kvnode/kvnode/slots"
)

// stateFile is the file, in the data dir, that keeps the node's cluster
// configuration across restarts (Redis keeps the same facts in nodes.conf).
const stateFile = "cluster-state.json"

// stateVersion is the format version of stateFile.
const stateVersion = 1

// persisted is stateFile's content: epochs, this node's own claim and every
// peer it knows, so a restarted node serves the same slots and rejoins its
// peers by itself.
type persisted struct {
	Version       int          `json:"version"`
	CurrentEpoch  uint64       `json:"current_epoch"`
	ConfigEpoch   uint64       `json:"config_epoch"`
	LastVoteEpoch uint64       `json:"last_vote_epoch"`
	Slots         string       `json:"slots"` // this node's claim, Redis range text
	Peers         []peerRecord `json:"peers"`
}

// peerRecord is one known peer in stateFile.
type peerRecord struct {
	ID      string `json:"id"`
	IP      string `json:"ip"`
	Port    int    `json:"port"`
	BusPort int    `json:"bus_port"`
	Epoch   uint64 `json:"epoch"`
	Slots   string `json:"slots"`
}

// loadState reads stateFile from dir; a missing file is a fresh node.
func loadState(dir string) (persisted, error) {
	path := filepath.Join(dir, stateFile)
	b, err := os.ReadFile(path)
	if errors.Is(err, os.ErrNotExist) {
		return persisted{Version: stateVersion}, nil
	}
	if err != nil {
		return persisted{}, fmt.Errorf("read cluster state: %w", err)
	}
	var st persisted
	if err := json.Unmarshal(b, &st); err != nil {
		return persisted{}, fmt.Errorf("cluster state %s: %w", path, err)
	}
	if st.Version != stateVersion {
		return persisted{}, fmt.Errorf("cluster state %s: unknown version %d", path, st.Version)
	}
	if _, err := slots.ParseSet(st.Slots); err != nil {
		return persisted{}, fmt.Errorf("cluster state %s: slots: %w", path, err)
	}
	for _, p := range st.Peers {
		if !ValidID(p.ID) {
			return persisted{}, fmt.Errorf("cluster state %s: peer id %q", path, p.ID)
		}
		if _, err := slots.ParseSet(p.Slots); err != nil {
			return persisted{}, fmt.Errorf("cluster state %s: peer %s slots: %w", path, p.ID, err)
		}
	}
	return st, nil
}

// encode returns the file content.
func (st *persisted) encode() []byte {
	b, _ := json.MarshalIndent(st, "", "  ")
	return append(b, '\n')
}

// saveState writes content atomically to stateFile in dir.
func saveState(dir string, content []byte) error {
	if err := writeFileAtomic(filepath.Join(dir, stateFile), content); err != nil {
		return fmt.Errorf("save cluster state: %w", err)
	}
	return nil
}

// writeID replaces the node ID file (CLUSTER RESET HARD).
func writeID(dir, id string) error {
	if err := writeFileAtomic(filepath.Join(dir, idFile), []byte(id+"\n")); err != nil {
		return fmt.Errorf("persist node id: %w", err)
	}
	return nil
}
