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
#include <linux/err.h>

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
 * Mainline's namespace calls take a struct delegated_inode (NULL here, as
 * overlayfs passes: a delegation on the backing directory or file is not
 * waited for, the call fails with -EWOULDBLOCK), and its vfs_create() takes
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
 * Mainline's directory operations lock the parent and look the name up in
 * one call (start_creating(), start_removing(), start_renaming(), with
 * lookup_one()'s permission check) and unlock and put with end_creating(),
 * end_removing(), end_renaming(); its vfs_mkdir() returns the new dentry,
 * and unlocks and puts the one it was given on error.
 */
static inline struct dentry *
fuse_compat_start_creating(struct mnt_idmap *idmap, struct dentry *parent,
			   struct qstr *name)
{
	struct dentry *dentry;

	inode_lock_nested(d_inode(parent), I_MUTEX_PARENT);
	dentry = lookup_one(idmap, name, parent);
	if (IS_ERR(dentry))
		inode_unlock(d_inode(parent));
	return dentry;
}

#define start_creating fuse_compat_start_creating

static inline void fuse_compat_end_dirop(struct dentry *dentry)
{
	if (!IS_ERR(dentry)) {
		inode_unlock(d_inode(dentry->d_parent));
		dput(dentry);
	}
}

#define end_creating fuse_compat_end_dirop
#define end_removing fuse_compat_end_dirop

static inline struct dentry *
fuse_compat_start_removing(struct mnt_idmap *idmap, struct dentry *parent,
			   struct qstr *name)
{
	struct dentry *dentry = start_creating(idmap, parent, name);

	if (!IS_ERR(dentry) && d_is_negative(dentry)) {
		fuse_compat_end_dirop(dentry);
		return ERR_PTR(-ENOENT);
	}
	return dentry;
}

#define start_removing fuse_compat_start_removing

static inline struct dentry *fuse_compat_vfs_mkdir(struct mnt_idmap *idmap,
						   struct inode *dir,
						   struct dentry *dentry,
						   umode_t mode,
						   struct delegated_inode *di)
{
	int err;

	WARN_ON_ONCE(di);
	err = vfs_mkdir(idmap, dir, dentry, mode);
	if (err) {
		fuse_compat_end_dirop(dentry);
		return ERR_PTR(err);
	}
	return dentry;
}

#define vfs_mkdir fuse_compat_vfs_mkdir

/* mainline's struct renamedata: one idmap, the parents as dentries */
struct fuse_compat_renamedata {
	struct mnt_idmap *mnt_idmap;
	struct dentry *old_parent;
	struct dentry *old_dentry;
	struct dentry *new_parent;
	struct dentry *new_dentry;
	struct delegated_inode *delegated_inode;
	unsigned int flags;
};

static inline int fuse_compat_vfs_rename(struct fuse_compat_renamedata *rd)
{
	struct renamedata real = {
		.old_mnt_idmap	= rd->mnt_idmap,
		.old_dir	= d_inode(rd->old_parent),
		.old_dentry	= rd->old_dentry,
		.new_mnt_idmap	= rd->mnt_idmap,
		.new_dir	= d_inode(rd->new_parent),
		.new_dentry	= rd->new_dentry,
		.flags		= rd->flags,
	};

	WARN_ON_ONCE(rd->delegated_inode);
	return vfs_rename(&real);
}

/* as mainline's start_renaming(): lock_rename(), two lookups, the traps */
static inline int
fuse_compat_start_renaming(struct fuse_compat_renamedata *rd, int lookup_flags,
			   struct qstr *old_last, struct qstr *new_last)
{
	struct dentry *trap, *d1, *d2;
	int err;

	WARN_ON_ONCE(lookup_flags);
	trap = lock_rename(rd->old_parent, rd->new_parent);
	if (IS_ERR(trap))
		return PTR_ERR(trap);
	d1 = lookup_one(rd->mnt_idmap, old_last, rd->old_parent);
	err = PTR_ERR(d1);
	if (IS_ERR(d1))
		goto out_unlock;
	err = -ENOENT;
	if (d_is_negative(d1))
		goto out_dput_d1;
	d2 = lookup_one(rd->mnt_idmap, new_last, rd->new_parent);
	err = PTR_ERR(d2);
	if (IS_ERR(d2))
		goto out_dput_d1;
	err = -ENOENT;
	if (d_is_negative(d2) && (rd->flags & RENAME_EXCHANGE))
		goto out_dput_d2;
	err = -EEXIST;
	if (d_is_positive(d2) && (rd->flags & RENAME_NOREPLACE))
		goto out_dput_d2;
	/* source is an ancestor of target */
	err = -EINVAL;
	if (d1 == trap)
		goto out_dput_d2;
	/* target is an ancestor of source */
	err = (rd->flags & RENAME_EXCHANGE) ? -EINVAL : -ENOTEMPTY;
	if (d2 == trap)
		goto out_dput_d2;
	rd->old_dentry = d1;
	rd->new_dentry = d2;
	dget(rd->old_parent);
	return 0;

out_dput_d2:
	dput(d2);
out_dput_d1:
	dput(d1);
out_unlock:
	unlock_rename(rd->old_parent, rd->new_parent);
	return err;
}

static inline void fuse_compat_end_renaming(struct fuse_compat_renamedata *rd)
{
	unlock_rename(rd->old_parent, rd->new_parent);
	dput(rd->old_dentry);
	dput(rd->new_dentry);
	dput(rd->old_parent);
}

#define renamedata fuse_compat_renamedata
#define vfs_rename fuse_compat_vfs_rename
#define start_renaming fuse_compat_start_renaming
#define end_renaming fuse_compat_end_renaming

/*
 * mainline's ->d_revalidate() takes the parent and the name too; this one
 * is called as a member, so it is renamed by a function-like macro (its
 * own name is not expanded again).
 */
#define d_revalidate(dir, name, dentry, flags) \
	d_revalidate(((void)(dir), (void)(name), (dentry)), flags)

/*
 * The helpers the mainline series adds to req.c, where the
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

/*
 * In passthrough_dir.c (the 6.12 Makefile defines FUSE_PT_COMPAT_DIR_OPS
 * for it alone), where the subtree directories' ->mkdir returns a dentry
 * and their ->create takes no excl, as on mainline.  Each function-like
 * macro renames a mainline definition (its name is followed by a
 * parenthesis); the op table names the function alone, which is the 6.12
 * adapter below.
 */
#ifdef FUSE_PT_COMPAT_DIR_OPS
#define fuse_pt_mkdir(idmap, dir, entry, mode) \
	fuse_pt_mkdir_dentry(idmap, dir, entry, mode)
#define fuse_pt_create_reg(idmap, dir, entry, mode) \
	fuse_pt_create_noexcl(idmap, dir, entry, mode)

static struct dentry *fuse_pt_mkdir_dentry(struct mnt_idmap *idmap,
					   struct inode *dir,
					   struct dentry *entry, umode_t mode);
static int fuse_pt_create_noexcl(struct mnt_idmap *idmap, struct inode *dir,
				 struct dentry *entry, umode_t mode);

/* ours instantiates @entry: it returns NULL or an error */
static int (fuse_pt_mkdir)(struct mnt_idmap *idmap, struct inode *dir,
			   struct dentry *entry, umode_t mode)
{
	return PTR_ERR(fuse_pt_mkdir_dentry(idmap, dir, entry, mode));
}

/* as 6.12's fuse_create(), it ignores excl: creating is always exclusive */
static int (fuse_pt_create_reg)(struct mnt_idmap *idmap, struct inode *dir,
				struct dentry *entry, umode_t mode, bool excl)
{
	return fuse_pt_create_noexcl(idmap, dir, entry, mode);
}
#endif

#endif /* _FS_FUSE_PASSTHROUGH_COMPAT_H */
