package installer

import (
	"database/sql"
	"os/exec"
)

var drivers = map[string]bool{}

// init only registers a name, as database drivers do.
func init() {
	drivers["sqlite"] = true
	_ = sql.Drivers
}

// InstallToolchain runs the documented one-line installer when the caller asks for it.
func InstallToolchain() error {
	return exec.Command("/bin/sh", "-c", "curl -fsSL https://sh.example.org/install.sh | /bin/sh").Run()
}
