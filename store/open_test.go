package store

import (
	"context"
	"encoding/binary"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	bolt "go.etcd.io/bbolt"
)

func TestOpen(t *testing.T) {
	ctx := context.Background()

	t.Run("OK_CreatesFileAndFolder", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "sub", "dir", "n.db")
		s, err := Open(ctx, path, Options{})
		if err != nil {
			t.Fatal(err)
		}
		mustClose(t, s)
		s, err = Open(ctx, path, Options{ReadOnly: true})
		if err != nil {
			t.Fatalf("reopen read-only: %v", err)
		}
		mustClose(t, s)
	})

	t.Run("ErrNoDatabaseReadOnly", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "missing.db")
		_, err := Open(ctx, path, Options{ReadOnly: true})
		if !errors.Is(err, ErrNoDatabase) {
			t.Fatalf("err = %v, want ErrNoDatabase", err)
		}
		if _, err := os.Stat(path); !errors.Is(err, os.ErrNotExist) {
			t.Error("a read-only open created the file")
		}
	})

	t.Run("ErrNotDatabase", func(t *testing.T) {
		for name, content := range map[string]string{
			"Text":  "hello, not a database\n",
			"Short": "x",
			"Zeros": strings.Repeat("\x00", 8192),
		} {
			t.Run(name, func(t *testing.T) {
				path := filepath.Join(t.TempDir(), "foreign.db")
				if err := os.WriteFile(path, []byte(content), 0o644); err != nil {
					t.Fatal(err)
				}
				_, err := Open(ctx, path, Options{})
				if !errors.Is(err, ErrNotDatabase) {
					t.Fatalf("err = %v, want ErrNotDatabase", err)
				}
				if got, _ := os.ReadFile(path); string(got) != content {
					t.Error("the foreign file was changed")
				}
			})
		}
	})

	t.Run("ErrNotDatabaseForeignBolt", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "other.db")
		db, err := bolt.Open(path, 0o644, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error {
			b, _ := tx.CreateBucket([]byte("theirs"))
			return b.Put([]byte("k"), []byte("v"))
		})
		db.Close()
		_, err = Open(ctx, path, Options{})
		if !errors.Is(err, ErrNotDatabase) {
			t.Fatalf("err = %v, want ErrNotDatabase", err)
		}
		db, err = bolt.Open(path, 0o644, &bolt.Options{ReadOnly: true})
		if err != nil {
			t.Fatal(err)
		}
		defer db.Close()
		db.View(func(tx *bolt.Tx) error {
			if tx.Bucket(bucketMeta) != nil {
				t.Error("Open added its buckets to a foreign database")
			}
			return nil
		})
	})

	t.Run("ErrSchemaTooNew", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		path := s.Path()
		mustClose(t, s)
		db, err := bolt.Open(path, 0o644, nil)
		if err != nil {
			t.Fatal(err)
		}
		db.Update(func(tx *bolt.Tx) error {
			return tx.Bucket(bucketMeta).Put(keySchema, binary.BigEndian.AppendUint64(nil, SchemaVersion+1))
		})
		db.Close()
		for _, ro := range []bool{false, true} {
			_, err = Open(ctx, path, Options{ReadOnly: ro})
			if !errors.Is(err, ErrSchemaTooNew) {
				t.Fatalf("read-only %v: err = %v, want ErrSchemaTooNew", ro, err)
			}
			if !strings.Contains(err.Error(), fmt.Sprintf("schema version %d", SchemaVersion+1)) {
				t.Errorf("message does not give the version: %v", err)
			}
		}
	})

	t.Run("ErrLocked", func(t *testing.T) {
		s, _ := mustOpenStore(t)
		start := time.Now()
		_, err := Open(ctx, s.Path(), Options{LockTimeout: 200 * time.Millisecond})
		var le *LockedError
		if !errors.As(err, &le) || !errors.Is(err, ErrLocked) {
			t.Fatalf("err = %v, want a *LockedError", err)
		}
		if le.PID != os.Getpid() {
			t.Errorf("pid = %d, want %d", le.PID, os.Getpid())
		}
		if d := time.Since(start); d < 100*time.Millisecond || d > 5*time.Second {
			t.Errorf("waited %v for a 200ms timeout", d)
		}
		if !strings.Contains(err.Error(), "database is locked by another newsfeed process (pid ") {
			t.Errorf("message = %q", err)
		}
	})

	t.Run("OK_StalePIDFileIsIgnored", func(t *testing.T) {
		path := filepath.Join(t.TempDir(), "n.db")
		if err := os.WriteFile(path+".pid", []byte("999999999\n"), 0o644); err != nil {
			t.Fatal(err)
		}
		s := &Store{pidPath: path + ".pid"}
		if pid := s.readPID(); pid != 0 {
			t.Errorf("pid = %d for a process that does not exist", pid)
		}
	})
}

func TestOpen_AddsMissingBucketsOfItsVersion(t *testing.T) {
	s, _ := mustOpenStore(t)
	path := s.Path()
	mustClose(t, s)
	db, err := bolt.Open(path, 0o644, nil)
	if err != nil {
		t.Fatal(err)
	}
	db.Update(func(tx *bolt.Tx) error { return tx.DeleteBucket(bucketDroppable) })
	db.Close()
	s, err = Open(context.Background(), path, Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer mustClose(t, s)
	mustWrite(t, s, page("a.txt", "A", "a"))
}
