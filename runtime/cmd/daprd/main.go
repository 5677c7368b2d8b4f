// Command daprd is Dapr's sidecar, built from Dapr's own module with the "stablecomponents" set plus
// the components the reference deployment needs that Dapr does not mark stable.
package main

import (
	"github.com/dapr/dapr/cmd/daprd/app"
)

func main() {
	app.Run()
}
