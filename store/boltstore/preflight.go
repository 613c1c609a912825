package boltstore

import (
	"encoding/binary"
	"errors"
	"fmt"
	"hash/fnv"
	"io"
	"os"
	"time"

	bolt "go.etcd.io/bbolt"
	berrors "go.etcd.io/bbolt/errors"
)

// bbolt's file format (version 2), as far as checkFreelist reads it. Pages
// start with a 16-byte header: id (8), flags (2), count (2), overflow (4).
// A meta page's body, at 16, holds magic (4), version (4), page size (4),
// flags (4), root bucket (16), freelist page (8), high water mark (8), txid
// (8) and a FNV-64a checksum (8) of the 56 bytes before it. Integers are in
// the machine's byte order (bbolt casts pages to structs).
const (
	boltMagic        = 0xED0CDAED
	boltVersion      = 2
	pageHeaderSize   = 16
	metaSize         = 56 + 8
	freelistPageFlag = 0x10
	noFreelist       = ^uint64(0)
)

// errCorruptFreelist reports a file whose freelist page is not one.
var errCorruptFreelist = errors.New("corrupt file: its freelist page is not a freelist")

// checkFreelist checks, before bbolt opens the file at path, the one page
// bbolt's Open reads besides the meta pages: the freelist. bbolt panics on
// a freelist page that is not one, and a panic in its Open leaves the file
// mapped, so locked, until the process exits (the mapping holds the open
// file, whose lock closing the descriptor does not release); and it reads
// a freelist that claims more entries than the file holds beyond its
// mapping, which crashes the process. checkFreelist judges only files
// whose meta pages it can read as bbolt does; for anything else (a new or
// empty file, a short one, unreadable metas) it returns nil and leaves the
// verdict to bbolt, whose errors there are errors, not panics.
func checkFreelist(path string) error {
	f, err := os.Open(path)
	if errors.Is(err, os.ErrNotExist) {
		return nil
	}
	if err != nil {
		return err
	}
	defer f.Close()
	st, err := f.Stat()
	if err != nil {
		return err
	}
	size := st.Size()
	buf := make([]byte, pageHeaderSize+metaSize)
	readMeta := func(off int64) (pageSize uint32, freelist, hwm, txid uint64, ok bool) {
		if _, err := f.ReadAt(buf, off); err != nil {
			return 0, 0, 0, 0, false
		}
		m := buf[pageHeaderSize:]
		ne := binary.NativeEndian
		if ne.Uint32(m[0:]) != boltMagic || ne.Uint32(m[4:]) != boltVersion {
			return 0, 0, 0, 0, false
		}
		h := fnv.New64a()
		h.Write(m[:56])
		if h.Sum64() != ne.Uint64(m[56:]) {
			return 0, 0, 0, 0, false
		}
		return ne.Uint32(m[8:]), ne.Uint64(m[32:]), ne.Uint64(m[40:]), ne.Uint64(m[48:]), true
	}
	pageSize, fl0, hwm0, tx0, ok0 := readMeta(0)
	if !ok0 || pageSize < 1024 {
		return nil // bbolt finds the page size another way, or fails
	}
	_, fl1, hwm1, tx1, ok1 := readMeta(int64(pageSize))
	// bbolt takes the meta with the higher txid if it is valid, else the
	// other.
	freelist, hwm := fl0, hwm0
	if ok1 && tx1 > tx0 {
		freelist, hwm = fl1, hwm1
	}
	if freelist == noFreelist {
		return nil // bbolt rebuilds it by scanning the pages
	}
	ps := uint64(pageSize)
	if freelist < 2 || freelist >= hwm || freelist >= uint64(size)/ps {
		return fmt.Errorf("%w (page %d of a file of %d pages)", errCorruptFreelist, freelist, uint64(size)/ps)
	}
	page := make([]byte, pageHeaderSize+8)
	if _, err := f.ReadAt(page, int64(freelist*ps)); err != nil && err != io.EOF {
		return err
	}
	ne := binary.NativeEndian
	if ne.Uint64(page[0:]) != freelist || ne.Uint16(page[8:])&freelistPageFlag == 0 {
		return fmt.Errorf("%w (page %d)", errCorruptFreelist, freelist)
	}
	// The entries (8 bytes each; a count of 0xFFFF means the first entry
	// holds the real count) must lie within the file.
	avail := (uint64(size) - freelist*ps - pageHeaderSize) / 8
	n := uint64(ne.Uint16(page[10:]))
	if n == 0xFFFF {
		if n = ne.Uint64(page[pageHeaderSize:]); n < avail {
			n++
		}
	}
	if n > avail {
		return fmt.Errorf("%w (page %d claims %d entries)", errCorruptFreelist, freelist, n)
	}
	return nil
}

// checkFreelistLocked repeats checkFreelist under a shared lock of the
// file: the first look, taken without the lock, may have raced a commit of
// the process that holds the file. A read-only bbolt Open takes that lock
// (waiting up to timeout, as Open does, and failing with ErrLocked) and
// reads no freelist.
func checkFreelistLocked(path string, timeout time.Duration) error {
	db, err := bolt.Open(path, 0o600, &bolt.Options{ReadOnly: true, Timeout: timeout})
	if errors.Is(err, berrors.ErrTimeout) {
		return fmt.Errorf("%w (%w)", ErrLocked, err)
	}
	if err != nil {
		return err
	}
	defer db.Close()
	return checkFreelist(path)
}
