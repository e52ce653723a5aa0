//go:build linux

package integration

import (
	"os/exec"
	"syscall"
)

// setProcAttr makes the kernel kill a started server when the test binary
// dies, so no process outlives a crashed or killed test run.
func setProcAttr(cmd *exec.Cmd) {
	cmd.SysProcAttr = &syscall.SysProcAttr{Pdeathsig: syscall.SIGKILL}
}
