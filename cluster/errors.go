package cluster

import (
	"errors"
	"fmt"
)

// Errors of the cluster commands. resp turns each into Redis's exact text
// (resp/errors.go); the values here carry meaning, not wording.
var (
	ErrSlotBusy       = errors.New("cluster: slot already assigned")
	ErrSlotUnassigned = errors.New("cluster: slot not assigned")
	ErrEpochNotAlone  = errors.New("cluster: config epoch can be set only while the node knows no other node")
	ErrEpochNonZero   = errors.New("cluster: config epoch already set")
	ErrForgetMyself   = errors.New("cluster: a node cannot forget itself")
	ErrUnknownNode    = errors.New("cluster: unknown node")
	ErrInvalidAddress = errors.New("cluster: invalid node address")
	ErrClosed         = errors.New("cluster: node closed")
)

// SlotError is an error about one slot (busy or unassigned).
type SlotError struct {
	Slot int
	Err  error
}

func (e *SlotError) Error() string { return fmt.Sprintf("%v: %d", e.Err, e.Slot) }

// Unwrap returns the sentinel.
func (e *SlotError) Unwrap() error { return e.Err }

// NodeError is an error about a node ID (unknown node).
type NodeError struct {
	ID  string
	Err error
}

func (e *NodeError) Error() string { return fmt.Sprintf("%v: %s", e.Err, e.ID) }

// Unwrap returns the sentinel.
func (e *NodeError) Unwrap() error { return e.Err }
