// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE directory passthrough: directories of a passthrough subtree.
 *
 * readdir iterates the backing directory: names, d_type, d_ino and the
 * directory offsets (telldir/seekdir cookies) are the backing
 * filesystem's.  No FUSE_OPENDIR, FUSE_READDIR or FUSE_RELEASEDIR is sent.
 */

#include "fuse_i.h"

#include <linux/file.h>

static int fuse_pt_iterate_shared(struct file *file, struct dir_context *ctx)
{
	struct fuse_file *ff = file->private_data;
	struct file *backing_file = fuse_file_passthrough(ff);
	const struct cred *old_cred;
	int err;

	if (fuse_is_bad(file_inode(file)))
		return -EIO;

	/* iterate_dir() carries the position in and out through ctx->pos */
	backing_file->f_pos = ctx->pos;
	old_cred = override_creds(ff->cred);
	err = iterate_dir(backing_file, ctx);
	revert_creds(old_cred);
	return err;
}

/*
 * Namespace changes below a subtree root (create, mkdir, unlink, rename,
 * link...) are not passed through yet: they fail with EOPNOTSUPP rather
 * than reach the server with a node id it never gave out.
 */
int fuse_pt_create_open(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *entry, struct file *file,
			unsigned int flags, umode_t mode)
{
	return -EOPNOTSUPP;
}

int fuse_pt_mknod(struct mnt_idmap *idmap, struct inode *dir,
		  struct dentry *entry, umode_t mode, dev_t rdev)
{
	return -EOPNOTSUPP;
}

int fuse_pt_tmpfile(struct mnt_idmap *idmap, struct inode *dir,
		    struct file *file, umode_t mode)
{
	return -EOPNOTSUPP;
}

int fuse_pt_mkdir(struct mnt_idmap *idmap, struct inode *dir,
		  struct dentry *entry, umode_t mode)
{
	return -EOPNOTSUPP;
}

int fuse_pt_symlink(struct mnt_idmap *idmap, struct inode *dir,
		    struct dentry *entry, const char *link)
{
	return -EOPNOTSUPP;
}

int fuse_pt_unlink(struct inode *dir, struct dentry *entry)
{
	return -EOPNOTSUPP;
}

int fuse_pt_rmdir(struct inode *dir, struct dentry *entry)
{
	return -EOPNOTSUPP;
}

int fuse_pt_rename(struct mnt_idmap *idmap, struct inode *olddir,
		   struct dentry *oldent, struct inode *newdir,
		   struct dentry *newent, unsigned int flags)
{
	/* Between a subtree and a server-served directory: tools copy */
	if (!fuse_inode_subtree(olddir) || !fuse_inode_subtree(newdir))
		return -EXDEV;
	return -EOPNOTSUPP;
}

int fuse_pt_link(struct dentry *entry, struct inode *newdir,
		 struct dentry *newent)
{
	if (!fuse_inode_subtree(newdir) || !fuse_inode_backed(d_inode(entry)))
		return -EXDEV;
	return -EOPNOTSUPP;
}

const struct file_operations fuse_pt_dir_operations = {
	.open		= fuse_pt_open,
	.release	= fuse_pt_release,
	.llseek		= fuse_pt_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= fuse_pt_iterate_shared,
	.fsync		= fuse_pt_fsync,
};
