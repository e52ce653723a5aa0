//go:build !linux

package integration

import "os/exec"

// setProcAttr does nothing off Linux: processes are killed by the tests'
// cleanup functions only.
func setProcAttr(cmd *exec.Cmd) {}
