// Command sentry is Dapr's certificate authority, built from Dapr's own module.
package main

import (
	"github.com/dapr/dapr/cmd/sentry/app"
)

func main() {
	app.Run()
}
