// Package natstest starts real NATS servers, JetStream on, inside a test:
// one, or a cluster of several joined by routes. Each listens on a random
// loopback port and keeps its store in the test's temp dir.
package natstest

import (
	"fmt"
	"net"
	"path/filepath"
	"strconv"
	"testing"
	"time"

	"github.com/nats-io/nats-server/v2/server"
)

// Start starts one JetStream server for the test and shuts it down when
// the test ends.
func Start(t testing.TB) *server.Server {
	t.Helper()
	s := run(t, &server.Options{
		Host:      "127.0.0.1",
		Port:      server.RANDOM_PORT,
		JetStream: true,
		StoreDir:  filepath.Join(t.TempDir(), "jetstream"),
		NoLog:     true,
		NoSigs:    true,
	})
	t.Cleanup(s.Shutdown)
	return s
}

// Restart shuts s down, as a crash of the whole NATS deployment would,
// and starts a server again on the same port with the same store: what
// the streams held is there again, and clients reconnect to it.
func Restart(t testing.TB, s *server.Server) *server.Server {
	t.Helper()
	port := s.Addr().(*net.TCPAddr).Port
	dir := s.JetStreamConfig().StoreDir
	s.Shutdown()
	s.WaitForShutdown()
	s2 := run(t, &server.Options{
		Host:      "127.0.0.1",
		Port:      port,
		JetStream: true,
		StoreDir:  filepath.Dir(dir),
		NoLog:     true,
		NoSigs:    true,
	})
	t.Cleanup(s2.Shutdown)
	return s2
}

// Cluster starts n JetStream servers joined by routes into one cluster
// and waits until JetStream has a leader.
func Cluster(t testing.TB, n int) []*server.Server {
	t.Helper()
	ports := make([]int, n)
	for i := range ports {
		ports[i] = freePort(t)
	}
	routes := ""
	for i, p := range ports {
		if i > 0 {
			routes += ","
		}
		routes += "nats-route://127.0.0.1:" + strconv.Itoa(p)
	}
	dir := t.TempDir()
	servers := make([]*server.Server, n)
	for i := range servers {
		opts := &server.Options{
			ServerName: fmt.Sprintf("n%d", i+1),
			Host:       "127.0.0.1",
			Port:       server.RANDOM_PORT,
			JetStream:  true,
			StoreDir:   filepath.Join(dir, fmt.Sprintf("n%d", i+1)),
			NoLog:      true,
			NoSigs:     true,
			Cluster: server.ClusterOpts{
				Name: "newsfeed-test",
				Host: "127.0.0.1",
				Port: ports[i],
			},
			Routes: server.RoutesFromStr(routes),
		}
		servers[i] = run(t, opts)
		t.Cleanup(servers[i].Shutdown)
	}
	// Ready means a meta leader that counts every server as a peer, and
	// every server current with it: before that, a stream with as many
	// replicas as servers may find "no suitable peers for placement".
	deadline := time.Now().Add(30 * time.Second)
	for time.Now().Before(deadline) {
		if ready(servers) {
			return servers
		}
		time.Sleep(50 * time.Millisecond)
	}
	t.Fatal("natstest: the cluster was not ready in 30s")
	return nil
}

func ready(servers []*server.Server) bool {
	leader := false
	for _, s := range servers {
		if !s.JetStreamIsCurrent() {
			return false
		}
		if s.JetStreamIsLeader() {
			leader = len(s.JetStreamClusterPeers()) == len(servers) && len(s.ActivePeers()) == len(servers)
		}
	}
	return leader
}

// URLs returns the client URLs of servers joined by commas, as
// cluster.Config.URL takes them.
func URLs(servers ...*server.Server) string {
	s := ""
	for i, srv := range servers {
		if i > 0 {
			s += ","
		}
		s += srv.ClientURL()
	}
	return s
}

func run(t testing.TB, opts *server.Options) *server.Server {
	t.Helper()
	s, err := server.NewServer(opts)
	if err != nil {
		t.Fatalf("natstest: %v", err)
	}
	go s.Start()
	if !s.ReadyForConnections(10 * time.Second) {
		s.Shutdown()
		t.Fatal("natstest: server not ready in 10s")
	}
	return s
}

func freePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}
