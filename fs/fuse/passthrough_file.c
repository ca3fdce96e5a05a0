// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE directory passthrough: open files of bound inodes.
 *
 * Every open of a bound inode opens a backing file (backing_file_open(),
 * so /proc/PID/maps and locks name the right file) with the server's
 * credentials.  No FUSE_OPEN, FUSE_FLUSH or FUSE_RELEASE is sent; read,
 * write, splice and mmap are upstream's passthrough helpers.
 */

#include "fuse_i.h"
#include "passthrough_filter.h"

#include <linux/backing-file.h>
#include <linux/fadvise.h>
#include <linux/file.h>
#include <linux/filelock.h>
#include <linux/mm.h>
#include <linux/splice.h>
#include <linux/xattr.h>

/*
 * get_file_caps() honours file capabilities on the fuse mount; natively
 * it would ignore them on a backing mount that may not grant privileges
 * (nosuid, another mount namespace).  Refuse such an exec: EPERM, as for
 * setuid files there (fuse_pt_permission()).
 */
static int fuse_pt_may_exec(struct file *file, const struct path *path,
			    const struct cred *cred)
{
	const struct cred *old_cred;
	ssize_t size;

	if (!(file->f_flags & __FMODE_EXEC) || fuse_pt_may_suid(path))
		return 0;
	old_cred = override_creds(cred);
	size = vfs_getxattr(mnt_idmap(path->mnt), path->dentry,
			    XATTR_NAME_CAPS, NULL, 0);
	revert_creds(old_cred);
	return size > 0 ? -EPERM : 0;
}

/**
 * fuse_pt_open() - open (or opendir) a bound inode
 * @inode: bound fuse inode
 * @file: the fuse file being opened; the VFS already checked the caller's
 *	  permission on the inode
 *
 * Return: 0 or a negative errno from the backing filesystem.
 */
int fuse_pt_open(struct inode *inode, struct file *file)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	int flags = file->f_flags & ~(O_CREAT | O_EXCL | O_NOCTTY | O_TRUNC);
	const struct cred *old_cred;
	struct file *backing_file;
	struct fuse_file *ff;
	struct path path;
	int err;

	if (fuse_is_bad(inode))
		return -EIO;
	err = fuse_pt_backing_path(file->f_path.dentry, &path);
	if (err)
		return err;
	/* the size, for copy_file_range() of this file before any stat */
	fuse_pt_copyattr(inode);
	if (fuse_pt_filter_parent(file->f_path.dentry)) {
		err = fuse_pt_filter_open(file);
		if (err)
			return err;
	}
	if (S_ISREG(inode->i_mode)) {
		err = generic_file_open(inode, file);
		if (err)
			return err;
		err = fuse_pt_may_exec(file, &path, fi->fb->cred);
		if (err)
			return err;
	}

	/* No server file handle: the release path sends nothing either */
	ff = fuse_file_alloc(get_fuse_mount(inode), false);
	if (!ff)
		return -ENOMEM;
	ff->nodeid = fi->nodeid;

	/* the backing fs's ->open() (NFS OPEN) asks as the server, as lookups */
	old_cred = override_creds(fi->fb->cred);
	backing_file = backing_file_open(file, flags, &path,
					 fi->fb->cred);
	revert_creds(old_cred);
	if (IS_ERR(backing_file)) {
		fuse_file_free(ff);
		return PTR_ERR(backing_file);
	}
	ff->passthrough = backing_file;
	/*
	 * Reads, writes and allocations of a regular file count against the
	 * caller: the server's credentials limited to the opener, so that a
	 * write is stopped by quota and reserved blocks, and the backing
	 * filesystem's own setuid clearing (a chmod u+s made on the backing
	 * tree after the check below) is not undone by the server's
	 * CAP_FSETID.
	 */
	if (S_ISREG(inode->i_mode))
		ff->cred = fuse_pt_opener_creds(inode, file);
	else
		ff->cred = get_cred(fi->fb->cred);
	if (!ff->cred) {
		fput(backing_file);
		fuse_file_free(ff);
		return -ENOMEM;
	}
	file->private_data = ff;
	pr_debug("%s: %pD -> %pD\n", __func__, file, backing_file);
	return 0;
}

/*
 * No POSIX lock taken through a fuse file may outlive it: the lock names
 * the backing file, which is freed with the fuse file.  OFD locks are
 * owned by the fuse file.  A lock of a process's files_struct is dropped
 * by close() (fuse_pt_flush()), but not when fcntl_setlk() loses its race
 * with close(): it then calls locks_remove_posix() on the fuse file,
 * whose inode holds no locks.  Sweep what is left.
 */
static void fuse_pt_remove_locks(struct file *file, struct file *backing_file)
{
	struct file_lock_context *ctx;
	fl_owner_t owner, last = NULL;
	struct file_lock *fl;

	ctx = locks_inode_context(file_inode(backing_file));
	if (!ctx)
		return;
	locks_remove_posix(backing_file, file);
	for (;;) {
		owner = NULL;
		spin_lock(&ctx->flc_lock);
		list_for_each_entry(fl, &ctx->flc_posix, c.flc_list) {
			if (fl->c.flc_file == backing_file) {
				owner = fl->c.flc_owner;
				break;
			}
		}
		spin_unlock(&ctx->flc_lock);
		/* a backing ->lock that failed to unlock: do not spin */
		if (!owner)
			break;
		if (owner == last) {
			pr_warn_once("posix lock on a backing file not removed\n");
			break;
		}
		locks_remove_posix(backing_file, owner);
		last = owner;
	}
}

/**
 * fuse_pt_release() - last close of a file opened by fuse_pt_open()
 * @inode: bound fuse inode
 * @file: fuse file
 *
 * Return: 0.
 */
int fuse_pt_release(struct inode *inode, struct file *file)
{
	struct fuse_file *ff = file->private_data;
	struct file *backing_file = fuse_file_passthrough(ff);

	if (S_ISREG(inode->i_mode))
		fuse_pt_remove_locks(file, backing_file);
	fuse_passthrough_release(ff, NULL);
	fuse_file_free(ff);
	return 0;
}

static int fuse_pt_flush(struct file *file, fl_owner_t id)
{
	struct fuse_file *ff = file->private_data;
	struct file *backing_file = fuse_file_passthrough(ff);
	const struct cred *old_cred;
	int err = 0;

	/*
	 * close() drops the caller's POSIX locks; the VFS only looks at the
	 * fuse inode, the locks are on the backing inode.
	 */
	if (locks_inode_context(file_inode(backing_file)))
		locks_remove_posix(backing_file, id);

	if (backing_file->f_op->flush) {
		old_cred = override_creds(ff->cred);
		err = backing_file->f_op->flush(backing_file, id);
		revert_creds(old_cred);
	}
	return err;
}

/**
 * fuse_pt_fsync() - fsync, fdatasync and fsync of a directory
 * @file: fuse file
 * @start: first byte
 * @end: last byte
 * @datasync: only data and what is needed to reach it
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_fsync(struct file *file, loff_t start, loff_t end, int datasync)
{
	struct fuse_file *ff = file->private_data;
	const struct cred *old_cred;
	int err;

	old_cred = override_creds(ff->cred);
	err = vfs_fsync_range(fuse_file_passthrough(ff), start, end, datasync);
	revert_creds(old_cred);
	return err;
}

/**
 * fuse_pt_llseek() - lseek of files and directories, done by the backing file
 * @file: fuse file
 * @offset: offset
 * @whence: SEEK_*, including SEEK_DATA and SEEK_HOLE
 *
 * As in ovl_llseek(): the fuse file's position is the master copy, the
 * backing file knows the limits, holes and directory cookies.
 *
 * Return: the new position or a negative errno.
 */
loff_t fuse_pt_llseek(struct file *file, loff_t offset, int whence)
{
	struct fuse_file *ff = file->private_data;
	struct file *backing_file = fuse_file_passthrough(ff);
	struct inode *inode = file_inode(file);
	const struct cred *old_cred;
	loff_t ret;

	/* a directory rewind must reach the backing fs (NFS cookies...) */
	if (offset == 0) {
		if (whence == SEEK_CUR)
			return file->f_pos;
		if (whence == SEEK_SET && S_ISREG(inode->i_mode))
			return vfs_setpos(file, 0, 0);
	}

	inode_lock(inode);
	backing_file->f_pos = file->f_pos;
	old_cred = override_creds(ff->cred);
	ret = vfs_llseek(backing_file, offset, whence);
	revert_creds(old_cred);
	file->f_pos = backing_file->f_pos;
	inode_unlock(inode);
	return ret;
}

/*
 * ff->cred, made at open by fuse_pt_caller_creds() from the opener
 * (f_cred), decides a write as natively only if the writer is the opener,
 * or has what fuse_pt_caller_creds() takes from a caller: ids, groups and
 * capabilities (a child, or a program it executed, writing to a
 * descriptor it inherited); security modules may answer for it
 * otherwise than for the opener (fuse_pt_caller_caps()).
 */
static bool fuse_pt_writer_is_opener(struct file *file)
{
	const struct cred *writer = current_cred(), *opener = file->f_cred;
	const struct cred *server = get_fuse_inode(file_inode(file))->fb->cred;
	struct fuse_file *ff = file->private_data;

	if (writer == opener)
		return true;
	return uid_eq(writer->euid, opener->euid) &&
	       gid_eq(writer->egid, opener->egid) &&
	       uid_eq(writer->fsuid, opener->fsuid) &&
	       gid_eq(writer->fsgid, opener->fsgid) &&
	       writer->group_info == opener->group_info &&
	       writer->user_ns == opener->user_ns &&
	       cap_isidentical(writer->cap_effective, opener->cap_effective) &&
	       cap_isidentical(fuse_pt_caller_caps(server),
			       ff->cred->cap_effective);
}

/*
 * The credentials of a write, splice write, fallocate() or
 * copy_file_range(): natively the writer's, asked at each call (quota and
 * reserved blocks, CAP_FSETID), not the opener's.  A descriptor passed to
 * another process, or kept across a change of ids or capabilities, must
 * neither write with the opener's rights nor lose the writer's.
 *
 * Return: ff->cred if fuse_pt_writer_is_opener(), else new credentials
 * made from the writer, or NULL without memory.  Drop them with
 * fuse_pt_put_write_creds().
 */
static const struct cred *fuse_pt_write_creds(struct file *file)
{
	struct fuse_file *ff = file->private_data;

	if (fuse_pt_writer_is_opener(file))
		return ff->cred;
	return fuse_pt_caller_creds(file_inode(file));
}

static void fuse_pt_put_write_creds(struct file *file, const struct cred *cred)
{
	struct fuse_file *ff = file->private_data;

	if (cred != ff->cred)
		put_cred(cred);
}

/*
 * fuse_passthrough_write_iter() and fuse_passthrough_splice_write(), with
 * the writer's CAP_FSETID.  backing_file_write_iter() uses the credentials
 * only while it submits; an async write completes without them.
 */
static ssize_t fuse_pt_backing_write_iter(struct kiocb *iocb,
					  struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	const struct cred *cred;
	ssize_t ret;

	cred = fuse_pt_write_creds(file);
	if (!cred)
		return -ENOMEM;
	ret = fuse_passthrough_write_iter_cred(iocb, from, cred);
	fuse_pt_put_write_creds(file, cred);
	return ret;
}

/*
 * The backing write runs with the server's credentials, which would keep
 * setuid/setgid bits that a write by the caller must clear: clear them
 * first as the caller, as ovl_write_iter() does.
 *
 * A backing inode marked S_NOSEC has nothing to clear, as a native write
 * would find.  Say so to the file_remove_privs() that
 * backing_file_write_iter() makes on the fuse file: without S_NOSEC on
 * the fuse inode it would look up security.capability through the fuse
 * inode (fuse_pt_getxattr(), on the backing inode) on every write.  The
 * flag is the backing inode's, mirrored for this write only: dropped when
 * the write returns, and by every fuse_pt_copyattr() meanwhile
 * (fuse_pt_stale() sees it), so the fuse inode never keeps a S_NOSEC that
 * the backing inode lost by a change made directly on the backing tree.
 * A chmod u+s made on the backing tree after either check is caught by
 * the backing filesystem's own check, made with the writer's CAP_FSETID.
 */
static ssize_t fuse_pt_write_iter(struct kiocb *iocb, struct iov_iter *from)
{
	struct file *file = iocb->ki_filp;
	struct inode *inode = file_inode(file);
	ssize_t ret;

	if (IS_NOSEC(get_fuse_inode(inode)->backing_inode)) {
		inode_set_flags(inode, S_NOSEC, S_NOSEC);
		ret = fuse_pt_backing_write_iter(iocb, from);
		inode_set_flags(inode, 0, S_NOSEC);
		return ret;
	}
	inode_lock(inode);
	fuse_pt_copyattr(inode);
	ret = file_remove_privs(file);
	inode_unlock(inode);
	if (ret)
		return ret;
	return fuse_pt_backing_write_iter(iocb, from);
}

/* backing_file_splice_write() clears privileges on the fuse inode's mode */
static ssize_t fuse_pt_splice_write(struct pipe_inode_info *pipe,
				    struct file *out, loff_t *ppos, size_t len,
				    unsigned int flags)
{
	const struct cred *cred;
	ssize_t ret;

	fuse_pt_copyattr(file_inode(out));
	cred = fuse_pt_write_creds(out);
	if (!cred)
		return -ENOMEM;
	ret = fuse_passthrough_splice_write_cred(pipe, out, ppos, len, flags,
						 cred);
	fuse_pt_put_write_creds(out, cred);
	return ret;
}

static long fuse_pt_fallocate(struct file *file, int mode, loff_t offset,
			      loff_t len)
{
	struct fuse_file *ff = file->private_data;
	struct inode *inode = file_inode(file);
	const struct cred *old_cred;
	const struct cred *cred;
	long ret;

	cred = fuse_pt_write_creds(file);
	if (!cred)
		return -ENOMEM;
	inode_lock(inode);
	old_cred = override_creds(cred);
	ret = vfs_fallocate(fuse_file_passthrough(ff), mode, offset, len);
	revert_creds(old_cred);
	fuse_pt_put_write_creds(file, cred);
	fuse_pt_copyattr(inode);
	/*
	 * The backing filesystem's fallocate may not clear setuid/setgid;
	 * drop them as the caller's own fallocate would have.
	 * Only after success: a mode the backing fs refuses changes nothing
	 * natively either.  Zeroing cannot plant chosen bytes meanwhile.
	 */
	if (!ret)
		ret = file_remove_privs(file);
	inode_unlock(inode);
	return ret;
}

/**
 * fuse_pt_copy_file_range() - copy_file_range() between two bound files
 * @in: source, a passthrough file
 * @pos_in: source offset
 * @out: destination, a passthrough file
 * @pos_out: destination offset
 * @len: bytes
 * @flags: copy_file_range() flags
 *
 * Offloaded to the backing filesystem (reflink, server-side copy...) or,
 * if it cannot, a splice copy, as fuse_copy_file_range() falls back to.
 *
 * Return: bytes copied or a negative errno.
 */
ssize_t fuse_pt_copy_file_range(struct file *in, loff_t pos_in,
				struct file *out, loff_t pos_out, size_t len,
				unsigned int flags)
{
	struct fuse_file *ff_in = in->private_data;
	struct fuse_file *ff_out = out->private_data;
	struct inode *inode_out = file_inode(out);
	const struct cred *old_cred, *cred = NULL;
	ssize_t ret;

	/*
	 * As ovl_copyfile(): the copy runs with the destination's
	 * credentials, so check read access on the source with its own.
	 */
	if (ff_in->cred != ff_out->cred) {
		old_cred = override_creds(ff_in->cred);
		ret = rw_verify_area(READ, fuse_file_passthrough(ff_in), &pos_in,
				     len);
		revert_creds(old_cred);
		if (ret)
			return ret;
	}

	inode_lock(inode_out);
	/* the mode may have changed on the backing inode since open */
	fuse_pt_copyattr(inode_out);
	ret = file_remove_privs(out);
	if (!ret) {
		cred = fuse_pt_write_creds(out);
		ret = -ENOMEM;
	}
	if (cred) {
		old_cred = override_creds(cred);
		ret = vfs_copy_file_range(fuse_file_passthrough(ff_in), pos_in,
					  fuse_file_passthrough(ff_out), pos_out,
					  len, flags);
		revert_creds(old_cred);
		fuse_pt_put_write_creds(out, cred);
	}
	fuse_pt_copyattr(inode_out);
	inode_unlock(inode_out);
	if (ret == -EXDEV || ret == -EOPNOTSUPP)
		ret = splice_copy_file_range(in, pos_in, out, pos_out, len);
	return ret;
}

/*
 * Locks are taken on the backing file, so that a process working on the
 * backing tree directly sees them.  POSIX locks keep their owner (the
 * files_struct, or the fuse file for OFD locks); flock locks belong to the
 * backing file, which lives exactly as long as the fuse file.
 */
static int fuse_pt_lock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *backing_file = fuse_file_passthrough(file->private_data);
	int err;

	/* the caller may call again with the same request (F_SETLKW) */
	fl->c.flc_file = backing_file;
	if (cmd == F_CANCELLK)
		err = vfs_cancel_lock(backing_file, fl);
	else if (IS_GETLK(cmd))
		/* a test, never a lock (vfs_lock_file() would set one) */
		err = vfs_test_lock(backing_file, fl);
	else
		err = vfs_lock_file(backing_file, cmd, fl, NULL);
	fl->c.flc_file = file;
	return err;
}

static int fuse_pt_flock(struct file *file, int cmd, struct file_lock *fl)
{
	struct file *backing_file = fuse_file_passthrough(file->private_data);

	fl->c.flc_file = backing_file;
	fl->c.flc_owner = backing_file;
	if (backing_file->f_op->flock)
		return backing_file->f_op->flock(backing_file, cmd, fl);
	return locks_lock_file_wait(backing_file, fl);
}

static int fuse_pt_fadvise(struct file *file, loff_t offset, loff_t len,
			   int advice)
{
	struct fuse_file *ff = file->private_data;
	const struct cred *old_cred;
	int err;

	old_cred = override_creds(ff->cred);
	err = vfs_fadvise(fuse_file_passthrough(ff), offset, len, advice);
	revert_creds(old_cred);
	return err;
}

static int fuse_pt_mmap(struct file *file, struct vm_area_struct *vma)
{
	struct file *backing_file = fuse_file_passthrough(file->private_data);

	/*
	 * do_mmap() asked path_noexec() of the fuse mount; ask the backing
	 * mount too, as natively (mprotect() later asks the VMA's file,
	 * which is then the backing file).
	 */
	if (fuse_pt_noexec(&backing_file->f_path)) {
		if (vma->vm_flags & VM_EXEC)
			return -EPERM;
		vm_flags_clear(vma, VM_MAYEXEC);
	}
	return fuse_passthrough_mmap(file, vma);
}

/*
 * Address space of a bound regular file: its data is the backing file's,
 * never in a page cache here, and there is no FUSE_BMAP to send (FIBMAP,
 * swapon).  Whether O_DIRECT is possible is the backing open's decision.
 */
const struct address_space_operations fuse_pt_file_aops = {
	.direct_IO	= noop_direct_IO,
};

const struct file_operations fuse_pt_file_operations = {
	.open		= fuse_pt_open,
	.release	= fuse_pt_release,
	.flush		= fuse_pt_flush,
	.fsync		= fuse_pt_fsync,
	.llseek		= fuse_pt_llseek,
	.read_iter	= fuse_passthrough_read_iter,
	.write_iter	= fuse_pt_write_iter,
	.splice_read	= fuse_passthrough_splice_read,
	.splice_write	= fuse_pt_splice_write,
	.mmap		= fuse_pt_mmap,
	.fallocate	= fuse_pt_fallocate,
	/* fuse's: the VFS copies between files with the same method only */
	.copy_file_range = fuse_copy_file_range,
	.lock		= fuse_pt_lock,
	.flock		= fuse_pt_flock,
	.fadvise	= fuse_pt_fadvise,
};
