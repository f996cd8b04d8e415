package service

import (
	"context"
	"errors"
	"fmt"

	"github.com/dianshubao/dianshubao/blob"
	"github.com/dianshubao/dianshubao/store"
)

// eraseBlob deletes the bytes stored under key unless an evidence row stores them, in one
// transaction that holds the deletion's mark (models.BlobDeletion) while it checks and deletes.
// An upload of the same content whose row is being written at that moment is either seen (its
// row is waited for, and the bytes are kept) or waits for the mark and then finds its bytes
// gone, and is refused to be sent again (checkBlobKept): a row never points at bytes that are
// no longer there. The delete is the one piece of I/O the work queue does inside a
// transaction (DESIGN.md has workers do theirs outside any): the check and the delete must be
// one step against uploads of the same content, and the lock it holds for that one request to
// the disk or the bucket blocks only those uploads.
func (e *Evidence) eraseBlob(ctx context.Context, key string) error {
	return e.st.Tx(ctx, func(tx *store.Store) error {
		if err := tx.MarkBlobDeletion(ctx, key, now(e.clock)); err != nil {
			return err
		}
		held, err := tx.EvidenceHoldsBlob(ctx, key)
		if err != nil {
			return err
		}
		if held {
			return nil
		}
		return e.blobStore().Delete(ctx, key)
	})
}

// errBlobErased is an upload whose bytes an erase-blob job removed between their storing and
// the row's: the client sends the file again (503, with Retry-After).
var errBlobErased = fmt.Errorf("%w: the file's bytes were removed while it was being saved; send it again", blob.ErrUnavailable)

// checkBlobKept, in the transaction that writes an evidence row, waits for a deletion of its
// bytes that is under way and, when the bytes were deleted within the mark's day, checks that
// they are still stored (an upload of content never deleted reads no more than the mark).
func (e *Evidence) checkBlobKept(ctx context.Context, tx *store.Store, key string) error {
	marked, err := tx.BlobDeletionMarked(ctx, key)
	if err != nil || !marked {
		return err
	}
	if _, err := e.blobStore().Stat(ctx, key); err != nil {
		if errors.Is(err, blob.ErrNotExist) {
			return errBlobErased
		}
		return err
	}
	return nil
}
