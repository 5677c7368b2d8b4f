package main

import (
	jetstream "github.com/dapr/components-contrib/pubsub/jetstream"
	nrsqlite "github.com/dapr/components-contrib/nameresolution/sqlite"
	nrLoader "github.com/dapr/dapr/pkg/components/nameresolution"
	pubsubLoader "github.com/dapr/dapr/pkg/components/pubsub"
)

// pubsub.jetstream and nameresolution.sqlite are outside Dapr's "stablecomponents" build tag, yet the
// reference deployment depends on both: JetStream is its broker, and sqlite resolves app ids between
// processes on loopback, where mDNS multicast is not available.
func init() {
	pubsubLoader.DefaultRegistry.RegisterComponent(jetstream.NewJetStream, "jetstream")
	nrLoader.DefaultRegistry.RegisterComponent(nrsqlite.NewResolver, "sqlite")
}
