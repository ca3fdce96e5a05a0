/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FUSE directory passthrough on Linux 6.12: the mainline VFS interfaces the
 * feature is written against, in terms of 6.12's.
 *
 * Included from fuse_i.h by the 6.12 series only, after every kernel
 * header the fuse files use and before passthrough_dir.h; the mainline
 * series has no such file.  A mainline call is a static inline wrapper of
 * the 6.12 function, defined first and then given the mainline name by a
 * macro; only the directory passthrough files use those names.  Nothing
 * here may change what a call does: a 6.12 argument the mainline call
 * lacks gets the value mainline implies.
 */

#ifndef _FS_FUSE_PASSTHROUGH_COMPAT_H
#define _FS_FUSE_PASSTHROUGH_COMPAT_H

#include <linux/dcache.h>
#include <linux/fileattr.h>
#include <linux/fs.h>
#include <linux/namei.h>

/* mainline's struct file_kattr is 6.12's struct fileattr */
#define file_kattr fileattr

/* mainline reads i_state with inode_state_read_once() */
static inline unsigned long inode_state_read_once(struct inode *inode)
{
	return READ_ONCE(inode->i_state);
}

/* mainline's name for is_dot_dotdot() */
#define name_is_dot_dotdot(name, len) is_dot_dotdot(name, len)

/* mainline's lookups take a qstr, not a name and a length */
#ifndef QSTR_LEN
#define QSTR_LEN(n, l) ((struct qstr)QSTR_INIT(n, l))
#endif

static inline struct dentry *fuse_compat_lookup_one(struct mnt_idmap *idmap,
						    struct qstr *name,
						    struct dentry *base)
{
	return lookup_one(idmap, name->name, base, name->len);
}

#define lookup_one fuse_compat_lookup_one

static inline struct dentry *
fuse_compat_lookup_one_unlocked(struct mnt_idmap *idmap, struct qstr *name,
				struct dentry *base)
{
	return lookup_one_unlocked(idmap, name->name, base, name->len);
}

#define lookup_one_unlocked fuse_compat_lookup_one_unlocked

/*
 * Mainline's namespace calls take a struct delegated_inode (NULL here: no
 * NFS delegation is broken from a fuse mount), and its vfs_create() takes
 * the parent from the dentry and is always exclusive, as 6.12's is with
 * want_excl.
 */
struct delegated_inode;

static inline int fuse_compat_vfs_create(struct mnt_idmap *idmap,
					 struct dentry *dentry, umode_t mode,
					 struct delegated_inode *di)
{
	WARN_ON_ONCE(di);
	return vfs_create(idmap, d_inode(dentry->d_parent), dentry, mode, true);
}

#define vfs_create fuse_compat_vfs_create

static inline int fuse_compat_vfs_symlink(struct mnt_idmap *idmap,
					  struct inode *dir,
					  struct dentry *dentry,
					  const char *oldname,
					  struct delegated_inode *di)
{
	WARN_ON_ONCE(di);
	return vfs_symlink(idmap, dir, dentry, oldname);
}

#define vfs_symlink fuse_compat_vfs_symlink

static inline int fuse_compat_vfs_mknod(struct mnt_idmap *idmap,
					struct inode *dir, struct dentry *dentry,
					umode_t mode, dev_t dev,
					struct delegated_inode *di)
{
	WARN_ON_ONCE(di);
	return vfs_mknod(idmap, dir, dentry, mode, dev);
}

#define vfs_mknod fuse_compat_vfs_mknod

static inline int fuse_compat_vfs_rmdir(struct mnt_idmap *idmap,
					struct inode *dir, struct dentry *dentry,
					struct delegated_inode *di)
{
	WARN_ON_ONCE(di);
	return vfs_rmdir(idmap, dir, dentry);
}

#define vfs_rmdir fuse_compat_vfs_rmdir

/*
 * mainline's ->d_revalidate() takes the parent and the name too; this one
 * is called as a member, so it is renamed by a function-like macro (its
 * own name is not expanded again).
 */
#define d_revalidate(dir, name, dentry, flags) \
	d_revalidate(((void)(dir), (void)(name), (dentry)), flags)

/*
 * The helpers the mainline series adds to req.c and dev.c, where the
 * connection's INIT state and /dev/fuse's private data are those of a
 * struct fuse_chan.
 */
static inline bool fuse_conn_initialized(struct fuse_conn *fc)
{
	/* as smp_rmb() in fuse_get_req(): pairs with fuse_set_initialized() */
	return smp_load_acquire(&fc->initialized);
}

static inline int fuse_conn_wait_initialized(struct fuse_conn *fc)
{
	return wait_event_killable(fc->blocked_waitq,
				   fuse_conn_initialized(fc));
}

static inline struct fuse_conn *fuse_dev_file_conn(struct file *file)
{
	struct fuse_dev *fud;

	if (file->f_op != &fuse_dev_operations)
		return NULL;
	fud = READ_ONCE(file->private_data);
	return fud ? fud->fc : NULL;
}

#endif /* _FS_FUSE_PASSTHROUGH_COMPAT_H */
