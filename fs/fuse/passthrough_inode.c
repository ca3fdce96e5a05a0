// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE directory passthrough: inode operations of bound inodes
 * (attributes, permission, symlinks, xattrs, POSIX ACLs, statfs).
 *
 * The caller is checked against the mode bits and ACLs of the backing
 * inode (mirrored in the fuse inode) with its own credentials; the backing
 * operation then runs with the server's credentials.
 */

#include "fuse_i.h"
#include "passthrough_filter.h"

#include <linux/fileattr.h>
#include <linux/jhash.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/posix_acl.h>
#include <linux/security.h>
#include <linux/statfs.h>
#include <linux/xattr.h>

/**
 * fuse_pt_override_creds() - switch to the credentials of a bound inode
 * @inode: fuse inode bound to a backing inode
 *
 * Every operation on the backing tree runs with the credentials of the
 * server that registered the backing file (FUSE_DEV_IOC_BACKING_OPEN),
 * as overlayfs runs them with the mounter's.
 *
 * Return: the previous credentials, for revert_creds().
 */
const struct cred *fuse_pt_override_creds(struct inode *inode)
{
	return override_creds(get_fuse_inode(inode)->fb->cred);
}

/**
 * fuse_pt_caller_caps() - the capabilities of the current task a change keeps
 * @server: the registering server's credentials
 *
 * Those both have, in the initial user namespace only.  The backing
 * filesystem asks security modules with the server's label; for the
 * capabilities it tests on its own, that no check on the fuse side asks
 * of the caller first, the caller's label must decide, as capable() does
 * natively: CAP_FSETID (setuid/setgid kept by a write or chown) and
 * CAP_SYS_RESOURCE (quota, reserved blocks).  Those are asked of the
 * current task (which, as natively, marks it PF_SUPERPRIV if granted).
 *
 * Return: the capability set.
 */
kernel_cap_t fuse_pt_caller_caps(const struct cred *server)
{
	static const int asked[] = { CAP_FSETID, CAP_SYS_RESOURCE };
	const struct cred *caller = current_cred();
	kernel_cap_t caps = CAP_EMPTY_SET;
	int i;

	if (caller->user_ns != &init_user_ns)
		return caps;
	caps = cap_intersect(server->cap_effective, caller->cap_effective);
	for (i = 0; i < ARRAY_SIZE(asked); i++)
		if (cap_raised(caps, asked[i]) &&
		    !ns_capable_noaudit(&init_user_ns, asked[i]))
			cap_lower(caps, asked[i]);
	return caps;
}

/**
 * fuse_pt_caller_creds() - the server's credentials, limited to the caller
 * @inode: fuse inode bound to a backing inode
 *
 * For backing operations that change the backing tree or its data on a
 * caller's behalf.  The server's credentials reach the backing tree (its
 * security label); the caller's ids (fsuid, fsgid, euid, egid, groups)
 * own what is created and are what the backing filesystem checks and
 * charges; of the capabilities only those that both have are kept (none
 * for a caller whose capabilities are in another user namespace), as
 * nfsd_setuser() keeps only a client's.  So the backing filesystem checks
 * the caller again, natively and under its own locks (permission,
 * sticky, owner, setgid, setuid clearing, immutable), and quota, reserved
 * blocks and memory accounting apply to the caller (fuse_pt_caller_caps()).
 *
 * Return: new credentials (put_cred() them) or NULL without memory.
 */
struct cred *fuse_pt_caller_creds(struct inode *inode)
{
	const struct cred *caller = current_cred();
	const struct cred *old_cred;
	struct cred *cred;

	old_cred = fuse_pt_override_creds(inode);
	cred = prepare_creds();
	revert_creds(old_cred);
	if (!cred)
		return NULL;
	cred->euid = caller->euid;
	cred->egid = caller->egid;
	cred->fsuid = caller->fsuid;
	cred->fsgid = caller->fsgid;
	set_groups(cred, caller->group_info);
	cred->cap_effective = fuse_pt_caller_caps(cred);
	return cred;
}

/**
 * fuse_pt_opener_creds() - fuse_pt_caller_creds() of the opener of @file
 * @inode: fuse inode bound to a backing inode
 * @file: the fuse file being opened
 *
 * For the file's data operations: made from f_cred, which
 * fuse_pt_write_creds() compares a writer with.
 *
 * Return: new credentials (put_cred() them) or NULL without memory.
 */
struct cred *fuse_pt_opener_creds(struct inode *inode, struct file *file)
{
	const struct cred *old_cred = override_creds(file->f_cred);
	struct cred *cred = fuse_pt_caller_creds(inode);

	revert_creds(old_cred);
	return cred;
}

/**
 * fuse_pt_override_caller_creds() - override_creds(fuse_pt_caller_creds())
 * @inode: fuse inode bound to a backing inode
 *
 * Return: the previous credentials, for fuse_pt_revert_caller_creds(), or
 * ERR_PTR(-ENOMEM).
 */
const struct cred *fuse_pt_override_caller_creds(struct inode *inode)
{
	struct cred *cred;

	cred = fuse_pt_caller_creds(inode);
	if (!cred)
		return ERR_PTR(-ENOMEM);
	/* our reference goes in fuse_pt_revert_caller_creds() */
	return override_creds(cred);
}

/**
 * fuse_pt_revert_caller_creds() - end fuse_pt_override_caller_creds()
 * @old_cred: what it (or fuse_pt_create_creds()) returned
 *
 * The reference to the credentials it made is dropped after they are no
 * longer current, whether or not override_creds() took one of its own.
 * Overrides nest: the credentials current here are the ones it made.
 */
void fuse_pt_revert_caller_creds(const struct cred *old_cred)
{
	const struct cred *cred = current_cred();

	revert_creds(old_cred);
	put_cred(cred);
}

/**
 * fuse_pt_backing_path() - the backing path of a dentry of a bound inode
 * @dentry: fuse dentry of a bound inode
 * @path: result, valid as long as @dentry is held; no reference taken
 *
 * Return: 0, or -EIO for a dentry that has none (instantiated without
 * the kernel seeing the binding, e.g. through an NFS file handle).
 */
int fuse_pt_backing_path(struct dentry *dentry, struct path *path)
{
	struct fuse_dentry *fd = fuse_dentry(dentry);
	struct fuse_inode *fi = get_fuse_inode(d_inode(dentry));

	if (fuse_dentry_has_data(dentry) && fd->backing_path.dentry) {
		*path = fd->backing_path;
		return 0;
	}
	if (fi->nodeid && fi->backing_inode && fi->fb) {
		*path = fi->fb->file->f_path;
		return 0;
	}
	return -EIO;
}

/*
 * Is the connection ready to serve this bound inode?  Every bound inode but
 * one is made after INIT negotiated directory passthrough: the root bound
 * at mount time (passthrough_root=) exists before, its registration marked
 * FUSE_BACKING_PT_ROOT until INIT accepted it.  Its operations wait for
 * INIT as requests do (killable; in RCU walk -ECHILD), and fail as
 * requests do if INIT failed or did not negotiate the feature
 * (fuse_pt_init_root()).
 */
static noinline int fuse_pt_wait_init(struct fuse_conn *fc, bool rcu)
{
	if (!fuse_conn_initialized(fc)) {
		if (rcu)
			return -ECHILD;
		if (fuse_conn_wait_initialized(fc))
			return -EINTR;
	}
	if (!fc->passthrough_dir)
		return fc->conn_error ? -ECONNREFUSED : -ENOTCONN;
	return 0;
}

/* @fb: the inode's registration, read once by the caller; NULL is ready */
static inline int fuse_pt_ready_fb(struct inode *inode,
				   struct fuse_backing *fb, bool rcu)
{
	/* acquire: matches the release in fuse_pt_init_root() */
	if (likely(!fb || !(smp_load_acquire(&fb->flags) & FUSE_BACKING_PT_ROOT)))
		return 0;
	return fuse_pt_wait_init(get_fuse_conn(inode), rcu);
}

static int fuse_pt_ready(struct inode *inode)
{
	return fuse_pt_ready_fb(inode, READ_ONCE(get_fuse_inode(inode)->fb),
				false);
}

/*
 * What fuse's own inode operations check before anything else
 * (fuse_permission(), fuse_setattr(), ...): a bad inode, and
 * allow_other.
 */
static int fuse_pt_check_caller_early(struct inode *inode)
{
	if (fuse_is_bad(inode))
		return -EIO;
	if (!fuse_allow_current_process(get_fuse_conn(inode)))
		return -EACCES;
	return 0;
}

/* Those, then that INIT is done (a refused caller does not wait for it) */
static int fuse_pt_check_caller(struct inode *inode)
{
	return fuse_pt_check_caller_early(inode) ?: fuse_pt_ready(inode);
}

/* One wrapper per backing VFS call: the place to audit idmaps and locks */

static int fuse_pt_do_getattr(const struct path *path, struct kstat *stat,
			      u32 request_mask, unsigned int flags)
{
	pr_debug("getattr(%pd2, 0x%x)\n", path->dentry, request_mask);
	/*
	 * As overlayfs: the VFS asked the LSMs about the fuse inode.  On a
	 * kernel with AT_GETATTR_NOSEC, a getattr that is not nosec asks them
	 * about the backing inode too.
	 */
#ifdef AT_GETATTR_NOSEC
	if (!(flags & AT_GETATTR_NOSEC))
		return vfs_getattr(path, stat, request_mask, flags);
#endif
	return vfs_getattr_nosec(path, stat, request_mask, flags);
}

/* The caller holds mnt_want_write() and the backing inode's lock */
static int fuse_pt_do_notify_change(const struct path *path,
				    struct iattr *attr)
{
	pr_debug("notify_change(%pd2, 0x%x)\n", path->dentry, attr->ia_valid);
	return notify_change(mnt_idmap(path->mnt), path->dentry, attr, NULL);
}

static ssize_t fuse_pt_do_getxattr(const struct path *path, const char *name,
				   void *value, size_t size)
{
	pr_debug("getxattr(%pd2, \"%s\", %zu)\n", path->dentry, name, size);
	return vfs_getxattr(mnt_idmap(path->mnt), path->dentry, name, value,
			    size);
}

static int fuse_pt_do_setxattr(const struct path *path, const char *name,
			       const void *value, size_t size, int flags)
{
	int err;

	pr_debug("setxattr(%pd2, \"%s\", %zu, 0x%x)\n", path->dentry, name,
		 size, flags);
	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	err = vfs_setxattr(mnt_idmap(path->mnt), path->dentry, name, value,
			   size, flags);
	mnt_drop_write(path->mnt);
	return err;
}

static int fuse_pt_do_removexattr(const struct path *path, const char *name)
{
	int err;

	pr_debug("removexattr(%pd2, \"%s\")\n", path->dentry, name);
	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	err = vfs_removexattr(mnt_idmap(path->mnt), path->dentry, name);
	mnt_drop_write(path->mnt);
	return err;
}

static int fuse_pt_do_set_acl(const struct path *path, const char *name,
			      struct posix_acl *acl)
{
	int err;

	pr_debug("%s_acl(%pd2, \"%s\")\n", acl ? "set" : "remove",
		 path->dentry, name);
	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	if (acl)
		err = vfs_set_acl(mnt_idmap(path->mnt), path->dentry, name, acl);
	else
		err = vfs_remove_acl(mnt_idmap(path->mnt), path->dentry, name);
	mnt_drop_write(path->mnt);
	return err;
}

static int fuse_pt_do_fileattr_set(const struct path *path,
				   struct file_kattr *fa)
{
	int err;

	pr_debug("fileattr_set(%pd2, 0x%x)\n", path->dentry, fa->flags);
	err = mnt_want_write(path->mnt);
	if (err)
		return err;
	err = vfs_fileattr_set(mnt_idmap(path->mnt), path->dentry, fa);
	mnt_drop_write(path->mnt);
	return err;
}

static ssize_t fuse_pt_do_listxattr(const struct path *path, char *list,
				    size_t size)
{
	pr_debug("listxattr(%pd2, %zu)\n", path->dentry, size);
	return vfs_listxattr(path->dentry, list, size);
}

/*
 * The backing path of a bound dentry, with the server's credentials in
 * force: the start of every forwarded operation.  revert_creds() after.
 */
static const struct cred *fuse_pt_enter(struct dentry *dentry,
					struct path *backing)
{
	int err = fuse_pt_backing_path(dentry, backing);

	if (err)
		return ERR_PTR(err);
	return fuse_pt_override_creds(d_inode(dentry));
}

/*
 * The same for a change: the server's credentials limited to the caller.
 * fuse_pt_revert_caller_creds() after.
 */
static const struct cred *fuse_pt_enter_change(struct dentry *dentry,
					       struct path *backing)
{
	int err = fuse_pt_backing_path(dentry, backing);

	if (err)
		return ERR_PTR(err);
	return fuse_pt_override_caller_creds(d_inode(dentry));
}

/*
 * And the rest __fuse_pt_copyattr() copies, beyond fuse_pt_stale()'s:
 * nothing to do if all is the
 * same, as after most getattr calls.  Lockless: a change racing this is
 * as racy as one racing the copy.
 */
static bool fuse_pt_same_attr(struct inode *inode, struct inode *backing)
{
	return inode->i_nlink == READ_ONCE(backing->i_nlink) &&
		inode->i_blocks == READ_ONCE(backing->i_blocks) &&
		inode_get_mtime_nsec(inode) == inode_get_mtime_nsec(backing) &&
		inode_get_mtime_sec(inode) == inode_get_mtime_sec(backing) &&
		inode_get_ctime_nsec(inode) == inode_get_ctime_nsec(backing) &&
		inode_get_ctime_sec(inode) == inode_get_ctime_sec(backing) &&
		inode_get_atime_nsec(inode) == inode_get_atime_nsec(backing) &&
		inode_get_atime_sec(inode) == inode_get_atime_sec(backing) &&
		inode->i_rdev == backing->i_rdev;
}

/* fuse_pt_copyattr() from a backing inode the caller read */
void __fuse_pt_copyattr(struct inode *inode, struct inode *backing)
{
	struct fuse_inode *fi = get_fuse_inode(inode);

	/*
	 * fi->lock: fuse's own updates of i_nlink and i_size (unlink by the
	 * server, fuse_write_update_attr()) are made under it.
	 */
	spin_lock(&fi->lock);
	inode->i_mode = (inode->i_mode & S_IFMT) | (backing->i_mode & ~S_IFMT);
	inode->i_uid = backing->i_uid;
	inode->i_gid = backing->i_gid;
	inode->i_rdev = backing->i_rdev;
	set_nlink(inode, backing->i_nlink);
	/* fsstack_copy_inode_size() would take i_lock on 32-bit SMP */
	i_size_write(inode, i_size_read(backing));
	inode->i_blocks = READ_ONCE(backing->i_blocks);
	inode_set_atime_to_ts(inode, inode_get_atime(backing));
	inode_set_mtime_to_ts(inode, inode_get_mtime(backing));
	inode_set_ctime_to_ts(inode, inode_get_ctime(backing));
	spin_unlock(&fi->lock);
	/*
	 * And no S_NOSEC: file_remove_privs() trusts it on the fuse inode
	 * (SB_NOSEC with FUSE_HANDLE_KILLPRIV_V2) and would skip clearing a
	 * setuid bit set on the backing inode since.  Only a write sets it,
	 * for itself, from the backing inode's (fuse_pt_write_iter()).
	 */
	inode_set_flags(inode, READ_ONCE(backing->i_flags) & FUSE_PT_COPY_FLAGS,
			FUSE_PT_COPY_FLAGS | S_NOSEC);
}

/**
 * fuse_pt_copyattr() - mirror the backing inode's attributes
 * @inode: bound fuse inode
 *
 * Like ovl_copyattr() and ovl_copyflags(): the VFS uses the fuse inode's
 * mode, owner, size, times and the append-only, immutable and sync flags
 * (permission checks, sticky directories, setuid on exec and write,
 * i_size, IS_APPEND()...) before any fuse operation runs, so they follow
 * the backing inode.  The file type never changes.  Nothing is written
 * (no lock taken) when nothing differs, as after most getattr calls.
 */
void fuse_pt_copyattr(struct inode *inode)
{
	struct inode *backing = get_fuse_inode(inode)->backing_inode;

	if (fuse_pt_stale(inode, backing) || !fuse_pt_same_attr(inode, backing))
		__fuse_pt_copyattr(inode, backing);
}

/*
 * Inode numbers.  Bound inodes report the backing inode's number in the
 * fuse mount's st_dev (a directory tree keeps one st_dev, for find -xdev,
 * du -x, tar --one-file-system).  Numbers of two backing filesystems may
 * be equal, so each backing filesystem (super block, and the st_dev its
 * getattr gives: btrfs subvolumes) gets an inode number space: the first
 * one used on the connection the backing numbers as they are, so that a
 * mount of one backing filesystem shows its numbers; every other one the
 * backing number with its index in the top bits, as overlayfs' xino
 * does.  The index comes from a hash of the filesystem's UUID and st_dev,
 * so it is the same across mounts unless two filesystems hash alike.
 */
#define FUSE_PT_XINO_SPACES	128

struct fuse_pt_xino {
	/* taken to claim a number space; a claimed one never changes */
	spinlock_t lock;
	struct {
		const struct super_block *sb;
		dev_t dev;
	} fs[FUSE_PT_XINO_SPACES];
};

/* Index of the number space of (sb, dev) on fc; 0: the backing numbers */
/*
 * Find (sb, dev) in slot k, claiming it if empty and @claim (under the
 * lock).  A slot, once set, never changes: readers need no lock, and see
 * dev before sb (store-release of sb).
 */
static bool fuse_pt_xino_slot(struct fuse_pt_xino *x, unsigned int k,
			      const struct super_block *sb, dev_t dev,
			      bool claim, bool *empty)
{
	/* pairs with the store-release below: a set sb has its dev */
	const struct super_block *cur = smp_load_acquire(&x->fs[k].sb);

	if (!cur && claim) {
		x->fs[k].dev = dev;
		/* publishes dev with sb, for the lockless readers above */
		smp_store_release(&x->fs[k].sb, sb);
		cur = sb;
	}
	*empty = !cur;
	return cur == sb && READ_ONCE(x->fs[k].dev) == dev;
}

/* The slot of (sb, dev), or -1; @claim: take a free one on the way */
static int fuse_pt_xino_find(struct fuse_pt_xino *x,
			     const struct super_block *sb, dev_t dev,
			     bool claim)
{
	unsigned int i, k, n;
	bool empty;

	if (fuse_pt_xino_slot(x, 0, sb, dev, claim, &empty))
		return 0;
	if (empty)
		return -1;
	i = jhash(&sb->s_uuid, sizeof(sb->s_uuid), dev) %
		(FUSE_PT_XINO_SPACES - 1);
	for (n = 0; n < FUSE_PT_XINO_SPACES - 1; n++) {
		k = 1 + (i + n) % (FUSE_PT_XINO_SPACES - 1);
		if (fuse_pt_xino_slot(x, k, sb, dev, claim, &empty))
			return k;
		if (empty)
			return -1;
	}
	return -1;
}

/* Index of the number space of (sb, dev) on fc, -1 if none is left */
static int fuse_pt_xino_index(struct fuse_conn *fc,
			      const struct super_block *sb, dev_t dev)
{
	/* pairs with the cmpxchg_release() that publishes the table */
	struct fuse_pt_xino *x = smp_load_acquire(&fc->pt_xino);
	int idx;

	if (!x) {
		x = kzalloc_obj(*x);
		if (!x)
			return -1;
		spin_lock_init(&x->lock);
		if (cmpxchg_release(&fc->pt_xino, NULL, x)) {
			kfree(x);
			/* another caller's table, published by its cmpxchg */
			x = smp_load_acquire(&fc->pt_xino);
		}
	}

	/* every stat of a bound inode: lockless once its fs has a slot */
	idx = fuse_pt_xino_find(x, sb, dev, false);
	if (idx >= 0)
		return idx;
	spin_lock(&x->lock);
	idx = fuse_pt_xino_find(x, sb, dev, true);
	spin_unlock(&x->lock);
	return idx;
}

/**
 * fuse_pt_map_ino() - st_ino (or d_ino) of a backing inode, in the mount
 * @inode: a fuse inode bound to a backing inode of that filesystem
 * @dev: st_dev the backing filesystem reports for it
 * @ino: the backing inode number; the number to report on return
 *
 * Return: false if the number has no place in the mount's number space
 * (it already uses the index bits, or all spaces are taken): it is then
 * reported unchanged, with the backing filesystem's st_dev, which keeps
 * (st_dev, st_ino) unique, as overlayfs does without xino.
 */
bool fuse_pt_map_ino(struct inode *inode, dev_t dev, u64 *ino)
{
	struct inode *backing = get_fuse_inode(inode)->backing_inode;
	int idx;

	/* also in the raw space: it could equal a mapped number */
	if (*ino >> FUSE_PT_XINO_SHIFT)
		return false;
	idx = fuse_pt_xino_index(get_fuse_conn(inode), backing->i_sb, dev);
	if (idx < 0)
		return false;
	*ino |= (u64)idx << FUSE_PT_XINO_SHIFT;
	return true;
}

/**
 * fuse_pt_conn_free() - free what a connection kept for bound inodes
 * @fc: connection being freed
 */
void fuse_pt_conn_free(struct fuse_conn *fc)
{
	fuse_pt_filter_conn_free(fc);
	kfree(fc->pt_xino);
}

/**
 * fuse_pt_getattr() - getattr/statx of a bound inode, always from backing
 * @idmap: idmap of the fuse mount
 * @path: fuse path
 * @stat: result
 * @request_mask: STATX_* wanted
 * @flags: AT_* flags
 *
 * There is no attribute cache to go stale: every call asks the backing
 * inode.  st_dev is the fuse mount's, st_ino the backing inode's in the
 * number space of its filesystem (fuse_pt_map_ino()).
 *
 * Return: 0 or a negative errno from the backing filesystem.
 */
int fuse_pt_getattr(struct mnt_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags)
{
	struct inode *inode = d_inode(path->dentry);
	const struct cred *old_cred;
	struct path backing;
	int err;

	err = fuse_pt_check_caller(inode);
	if (err == -EACCES && !request_mask) {
		/* as fuse_getattr(): nothing asked, st_dev given */
		stat->result_mask = 0;
		stat->dev = inode->i_sb->s_dev;
		return 0;
	}
	if (err)
		return err;

	old_cred = fuse_pt_enter(path->dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	err = fuse_pt_do_getattr(&backing, stat, request_mask, flags);
	revert_creds(old_cred);
	if (err)
		return err;

	fuse_pt_copyattr(inode);
	if (fuse_pt_map_ino(inode, stat->dev, &stat->ino))
		stat->dev = inode->i_sb->s_dev;
	return 0;
}

/*
 * The restrictions of the backing mount hold through the fuse mount too,
 * with the errors the VFS gives natively: noexec (exec, access(X_OK)),
 * nodev (opening a device).  nosuid cannot be honoured on the fuse
 * mount's exec path, so a setuid/setgid file, or one with file
 * capabilities (checked at open, fuse_pt_open()), of a backing mount that
 * may not grant privileges is not executable through it (natively it
 * runs without the privilege).  @bpath is the registration's path: its
 * mount and super block are the bound inode's.
 */
static int fuse_pt_mount_permission(const struct path *bpath,
				    struct inode *inode, int mask)
{
	struct inode *binode = d_inode(bpath->dentry);

	if ((mask & MAY_EXEC) && S_ISREG(inode->i_mode)) {
		if (fuse_pt_noexec(bpath))
			return -EACCES;
		/*
		 * What bprm_fill_uid() would ignore natively (the backing mount's
		 * nosuid) it would honour on the fuse mount.
		 * File capabilities: fuse_pt_open() of the exec.
		 */
		if (!fuse_pt_may_suid(bpath) &&
		    (inode->i_mode & (S_ISUID | S_ISGID)))
			return -EPERM;
	}
	if ((mask & MAY_OPEN) && (S_ISCHR(inode->i_mode) ||
				  S_ISBLK(inode->i_mode)) &&
	    ((bpath->mnt->mnt_flags & MNT_NODEV) ||
	     (binode->i_sb->s_iflags & SB_I_NODEV)))
		return -EACCES;
	return 0;
}

/**
 * fuse_pt_permission() - may the caller do @mask to a bound inode?
 * @idmap: idmap of the fuse mount
 * @inode: bound fuse inode
 * @mask: MAY_* mask
 *
 * The caller is checked against the backing inode's mode bits and ACLs
 * with its own credentials (whether or not the mount has
 * default_permissions), then the server's credentials against the backing
 * inode, as overlayfs checks the mounter's.  No request is sent.
 *
 * Return: 0 or -EACCES, -EPERM, -EROFS, -ECHILD.
 */
int fuse_pt_permission(struct mnt_idmap *idmap, struct inode *inode, int mask)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	struct inode *backing = READ_ONCE(fi->backing_inode);
	struct fuse_backing *fb = READ_ONCE(fi->fb);
	const struct cred *old_cred, *cred;
	int err;

	err = fuse_pt_check_caller_early(inode);
	if (err)
		return err;

	/*
	 * In RCU walk the inode may be under eviction: its binding cleared
	 * (-ECHILD, as ovl_permission()), or read just before.  The backing
	 * inode and the registration are then freed after a grace period,
	 * but the registration's credentials and file are released at once:
	 * take the credentials only if still alive, and leave the file alone
	 * (mount restrictions apply to exec and open, never in RCU walk).
	 */
	if (unlikely(!backing || !fb))
		return -ECHILD;
	err = fuse_pt_ready_fb(inode, fb, mask & MAY_NOT_BLOCK);
	if (err)
		return err;

	/* The VFS decides on the fuse inode's mode and owner: keep them true */
	fuse_pt_refresh_from(inode, backing);

	err = generic_permission(idmap, backing, mask);
	if (err)
		return err;
	/*
	 * Out of RCU walk the caller holds the inode, which holds the
	 * registration: override_creds() needs no reference of ours.
	 */
	if (!(mask & MAY_NOT_BLOCK)) {
		old_cred = override_creds(fb->cred);
		err = inode_permission(&nop_mnt_idmap, backing, mask) ?:
		      fuse_pt_mount_permission(&fb->file->f_path, inode, mask);
		revert_creds(old_cred);
		return err;
	}
	cred = get_cred_rcu(fb->cred);
	if (!cred)
		return -ECHILD;
	/* backing mounts are never idmapped (fuse_pt_resolve()) */
	old_cred = override_creds(cred);
	err = inode_permission(&nop_mnt_idmap, backing, mask);
	revert_creds(old_cred);
	put_cred(cred);
	return err;
}

/**
 * fuse_pt_setattr() - chmod, chown, truncate, utimes of a bound inode
 * @idmap: idmap of the fuse mount
 * @entry: fuse dentry
 * @attr: what to change
 *
 * The caller is checked by setattr_prepare() on the mirrored attributes,
 * as on a local filesystem, which also drops what the caller may not set
 * (S_ISGID outside the group); that is then made on the backing inode
 * with the server's credentials, under mnt_want_write() of the backing
 * mount.
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_setattr(struct mnt_idmap *idmap, struct dentry *entry,
		    struct iattr *attr)
{
	struct inode *inode = d_inode(entry);
	const struct cred *old_cred;
	struct inode *binode;
	struct path backing;
	unsigned int kill_priv;
	struct iattr battr;
	bool by_path;
	int err;

	err = fuse_pt_check_caller(inode);
	if (err)
		return err;

	err = fuse_pt_backing_path(entry, &backing);
	if (err)
		return err;
	binode = d_inode(backing.dentry);

	/*
	 * truncate() by path took write access on the fuse inode only; a
	 * file being executed from the backing tree refuses it natively
	 * (ETXTBSY).  ftruncate() holds it through the open backing file.
	 */
	by_path = (attr->ia_valid & ATTR_SIZE) && !(attr->ia_valid & ATTR_FILE);
	if (by_path) {
		err = get_write_access(binode);
		if (err)
			return err;
	}
	err = mnt_want_write(backing.mnt);
	if (err)
		goto out_put_write;
	/*
	 * The caller is checked on current attributes and under the backing
	 * inode's lock, as natively: a chown or chattr on the backing tree
	 * cannot come between the check and the change made with the
	 * server's CAP_FOWNER and CAP_FSETID.
	 */
	inode_lock(binode);
	fuse_pt_copyattr(inode);
	err = -EPERM;
	/* do_ftruncate() checked IS_APPEND() on attributes that may be old */
	if ((attr->ia_valid & ATTR_SIZE) && IS_APPEND(inode))
		goto out_unlock;
	/*
	 * The VFS computed these from the old mode, too.  A truncate's kill
	 * that it missed is forced, as do_truncate() forces its own (the
	 * caller need not own the file it truncates); a chown's is checked.
	 */
	if (attr->ia_valid & (ATTR_SIZE | ATTR_UID | ATTR_GID) &&
	    !(attr->ia_valid & ATTR_MODE)) {
		int kill = setattr_should_drop_suidgid(idmap, inode);

		if ((kill & ~attr->ia_valid) &&
		    !(attr->ia_valid & (ATTR_UID | ATTR_GID)))
			kill |= ATTR_FORCE;
		attr->ia_valid |= kill;
	}
	/*
	 * Removing security.capability (ATTR_KILL_PRIV) is the backing
	 * filesystem's, on the backing inode: setattr_prepare() would do it
	 * through the fuse inode's xattr handler, which takes the backing
	 * inode's lock held here.
	 */
	kill_priv = attr->ia_valid & ATTR_KILL_PRIV;
	attr->ia_valid &= ~ATTR_KILL_PRIV;
	err = setattr_prepare(idmap, entry, attr);
	attr->ia_valid |= kill_priv;
	if (err)
		goto out_unlock;
	/*
	 * Only now: setattr_prepare() dropped S_ISGID from a chmod by a
	 * caller outside the group, which the server's CAP_FSETID would
	 * keep on the backing inode.
	 */
	battr = *attr;
	/*
	 * Whether security.capability goes is decided on the backing inode
	 * under its lock, as do_truncate() and chown_common() ask for it
	 * natively: the fuse side may have seen a stale S_NOSEC or raced a
	 * setcap on the backing tree (notify_change() drops the flag when
	 * there is nothing to remove).
	 */
	if (battr.ia_valid & (ATTR_SIZE | ATTR_UID | ATTR_GID) &&
	    !S_ISDIR(binode->i_mode))
		battr.ia_valid |= ATTR_KILL_PRIV;

	/*
	 * The fuse file is not the backing file: hand the backing
	 * filesystem the passthrough file of an ftruncate(), if any.
	 */
	if (battr.ia_valid & ATTR_FILE) {
		struct fuse_file *ff = attr->ia_file->private_data;

		battr.ia_valid &= ~ATTR_FILE;
		if (ff && fuse_file_passthrough(ff)) {
			battr.ia_file = fuse_file_passthrough(ff);
			battr.ia_valid |= ATTR_FILE;
		}
	}
	/*
	 * As in ovl_setattr(): let the backing filesystem compute the mode
	 * that kills suid/sgid from its own, current mode (notify_change()
	 * refuses ATTR_MODE together with ATTR_KILL_S*ID).
	 */
	if (battr.ia_valid & (ATTR_KILL_SUID | ATTR_KILL_SGID))
		battr.ia_valid &= ~ATTR_MODE;

	/* a chown moves quota: the caller's CAP_SYS_RESOURCE, not the server's */
	old_cred = fuse_pt_override_caller_creds(inode);
	err = PTR_ERR(old_cred);
	if (!IS_ERR(old_cred)) {
		err = fuse_pt_do_notify_change(&backing, &battr);
		fuse_pt_revert_caller_creds(old_cred);
	}
out_unlock:
	inode_unlock(binode);
	mnt_drop_write(backing.mnt);
out_put_write:
	if (by_path)
		put_write_access(binode);
	fuse_pt_copyattr(inode);
	return err;
}

/**
 * fuse_pt_get_link() - read a bound symlink from the backing filesystem
 * @dentry: fuse dentry, NULL in RCU walk
 * @inode: bound fuse inode
 * @callback: to release the returned body
 *
 * Return: the link body or an ERR_PTR.
 */
static const char *fuse_pt_get_link(struct dentry *dentry, struct inode *inode,
				    struct delayed_call *callback)
{
	const struct cred *old_cred;
	struct path backing;
	const char *link;

	if (fuse_is_bad(inode))
		return ERR_PTR(-EIO);
	if (!dentry)
		return ERR_PTR(-ECHILD);
	old_cred = fuse_pt_enter(dentry, &backing);
	if (IS_ERR(old_cred))
		return ERR_CAST(old_cred);
	link = vfs_get_link(backing.dentry, callback);
	revert_creds(old_cred);
	return link;
}

/*
 * system.* names other than the POSIX ACLs (which go through the ACL
 * operations) are the backing filesystem's own (system.nfs4_acl,
 * system.advise...), checked there against the server's credentials,
 * not the caller's: refused.
 */
static bool fuse_pt_system_xattr(const char *name)
{
	return !strncmp(name, XATTR_SYSTEM_PREFIX, XATTR_SYSTEM_PREFIX_LEN);
}

/*
 * The MAC label of a security module (security.selinux, security.SMACK64):
 * the VFS checked the caller against the fuse inode's label, and the
 * backing filesystem would check the server's security context, never
 * the caller's against the backing inode's label (a confined caller could
 * relabel what it could not natively): not set through the mount, which
 * is stricter than natively.  Other security.* names (capability, and all
 * of them without such a module) are governed by the caller's
 * capabilities (fuse_pt_caller_creds()), as natively.
 */
static bool fuse_pt_label_xattr(const char *name)
{
	return !strncmp(name, XATTR_SECURITY_PREFIX,
			XATTR_SECURITY_PREFIX_LEN) &&
		security_ismaclabel(name + XATTR_SECURITY_PREFIX_LEN);
}

/**
 * fuse_pt_getxattr() - read an xattr of a bound inode
 * @dentry: fuse dentry
 * @inode: bound fuse inode
 * @name: full xattr name; the VFS already checked the caller
 *	  (xattr_permission()) against the fuse inode
 * @value: buffer
 * @size: its size; 0 asks for the size
 *
 * Return: the size or a negative errno.
 */
int fuse_pt_getxattr(struct dentry *dentry, struct inode *inode,
		     const char *name, void *value, size_t size)
{
	const struct cred *old_cred;
	struct path backing;
	ssize_t ret;

	if (fuse_pt_system_xattr(name))
		return -EOPNOTSUPP;
	ret = fuse_pt_ready(inode);
	if (ret)
		return ret;

	old_cred = fuse_pt_enter(dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	ret = fuse_pt_do_getxattr(&backing, name, value, size);
	revert_creds(old_cred);
	return ret;
}

/**
 * fuse_pt_setxattr() - set or (@value NULL) remove an xattr
 * @idmap: idmap of the fuse mount
 * @dentry: fuse dentry
 * @inode: bound fuse inode
 * @name: full xattr name, already checked against the caller
 * @value: new value, or NULL to remove
 * @size: size of @value
 * @flags: XATTR_CREATE, XATTR_REPLACE
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_setxattr(struct mnt_idmap *idmap, struct dentry *dentry,
		     struct inode *inode, const char *name, const void *value,
		     size_t size, int flags)
{
	const struct cred *old_cred;
	struct path backing;
	int err;

	if (fuse_pt_system_xattr(name) || fuse_pt_label_xattr(name))
		return -EOPNOTSUPP;
	err = fuse_pt_ready(inode);
	if (err)
		return err;
	old_cred = fuse_pt_enter_change(dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	if (value)
		err = fuse_pt_do_setxattr(&backing, name, value, size, flags);
	else
		err = fuse_pt_do_removexattr(&backing, name);
	fuse_pt_revert_caller_creds(old_cred);
	fuse_pt_copyattr(inode);
	return err;
}

/* Names the caller may see: trusted.* only with CAP_SYS_ADMIN, as locally */
static bool fuse_pt_can_list(const char *name)
{
	return strncmp(name, XATTR_TRUSTED_PREFIX, XATTR_TRUSTED_PREFIX_LEN) ||
		capable(CAP_SYS_ADMIN);
}

/* Drop the names the caller may not see from a list; its new length */
static ssize_t fuse_pt_filter_list(char *list, ssize_t res)
{
	size_t slen, remain;
	char *s;

	for (s = list, remain = res; remain; s += slen) {
		slen = strnlen(s, remain) + 1;
		/* a backing fs (9p) may pass on a list it did not check */
		if (slen > remain)
			return -EIO;
		remain -= slen;
		if (!fuse_pt_can_list(s)) {
			res -= slen;
			memmove(s, s + slen, remain);
			slen = 0;
		}
	}
	return res;
}

/**
 * fuse_pt_listxattr() - list the xattrs of a bound inode
 * @dentry: fuse dentry
 * @list: buffer
 * @size: its size; 0 asks for the size
 *
 * The list is read with the server's credentials and then filtered for
 * the caller.
 *
 * Return: the size of the list or a negative errno.
 */
ssize_t fuse_pt_listxattr(struct dentry *dentry, char *list, size_t size)
{
	bool admin = ns_capable_noaudit(&init_user_ns, CAP_SYS_ADMIN);
	const struct cred *old_cred;
	struct path backing;
	ssize_t res;
	char *buf;

	res = fuse_pt_check_caller(d_inode(dentry));
	if (res)
		return res;

	old_cred = fuse_pt_enter(dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	res = fuse_pt_do_listxattr(&backing, list, size);
	if (res > 0 && !size && !admin) {
		/* the size must not count trusted.* names either: list them */
		buf = kvmalloc(res, GFP_KERNEL);
		if (!buf) {
			revert_creds(old_cred);
			return -ENOMEM;
		}
		res = fuse_pt_do_listxattr(&backing, buf, res);
		revert_creds(old_cred);
		if (res > 0)
			res = fuse_pt_filter_list(buf, res);
		kvfree(buf);
		return res;
	}
	revert_creds(old_cred);
	if (res <= 0 || !size)
		return res;
	return fuse_pt_filter_list(list, res);
}

/**
 * fuse_pt_get_acl() - POSIX ACL of a bound inode, for getxattr
 * @idmap: idmap of the fuse mount
 * @dentry: fuse dentry
 * @type: ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * Return: the ACL, NULL, or an ERR_PTR.
 */
struct posix_acl *fuse_pt_get_acl(struct mnt_idmap *idmap,
				  struct dentry *dentry, int type)
{
	const struct cred *old_cred;
	struct posix_acl *acl;
	struct path backing;
	int err;

	if (fuse_is_bad(d_inode(dentry)))
		return ERR_PTR(-EIO);
	err = fuse_pt_ready(d_inode(dentry));
	if (err)
		return ERR_PTR(err);
	old_cred = fuse_pt_enter(dentry, &backing);
	if (IS_ERR(old_cred))
		return ERR_CAST(old_cred);
	acl = vfs_get_acl(mnt_idmap(backing.mnt), backing.dentry,
			  type == ACL_TYPE_ACCESS ? XATTR_NAME_POSIX_ACL_ACCESS :
			  XATTR_NAME_POSIX_ACL_DEFAULT);
	revert_creds(old_cred);
	/* EOPNOTSUPP (no ACLs on the backing fs) reaches the caller, as natively */
	if (acl == ERR_PTR(-ENODATA))
		return NULL;
	return acl;
}

/**
 * fuse_pt_get_inode_acl() - POSIX ACL for permission checks
 * @inode: bound fuse inode
 * @type: ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 * @rcu: in RCU walk
 *
 * Return: the backing inode's ACL (cached there), NULL or an ERR_PTR.
 */
struct posix_acl *fuse_pt_get_inode_acl(struct inode *inode, int type,
					bool rcu)
{
	struct inode *backing = READ_ONCE(get_fuse_inode(inode)->backing_inode);

	if (fuse_is_bad(inode))
		return ERR_PTR(-EIO);
	if (rcu)
		return backing ? get_cached_acl_rcu(backing, type) :
			ERR_PTR(-ECHILD);
	return get_inode_acl(backing, type);
}

/**
 * fuse_pt_set_acl() - set or remove a POSIX ACL of a bound inode
 * @idmap: idmap of the fuse mount
 * @dentry: fuse dentry
 * @acl: new ACL, NULL to remove
 * @type: ACL_TYPE_ACCESS or ACL_TYPE_DEFAULT
 *
 * The owner check is made again on fresh attributes, and a setgid bit
 * the caller could not keep natively is cleared first.
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct posix_acl *acl, int type)
{
	struct inode *inode = d_inode(dentry);
	const char *name = type == ACL_TYPE_ACCESS ?
		XATTR_NAME_POSIX_ACL_ACCESS : XATTR_NAME_POSIX_ACL_DEFAULT;
	const struct cred *old_cred;
	struct path backing;
	int err;

	if (fuse_is_bad(inode))
		return -EIO;
	err = fuse_pt_ready(inode);
	if (err)
		return err;
	fuse_pt_copyattr(inode);
	/* the VFS checked the owner on attributes that may have been stale */
	if (!inode_owner_or_capable(idmap, inode))
		return -EPERM;
	/*
	 * As ovl_set_or_remove_acl() (CVE-2016-7097): the backing filesystem
	 * would decide on keeping S_ISGID (posix_acl_update_mode()) with the
	 * server's credentials; decide it with the caller's first.
	 */
	if (type == ACL_TYPE_ACCESS && (inode->i_mode & S_ISGID) &&
	    !in_group_or_capable(idmap, inode, i_gid_into_vfsgid(idmap, inode))) {
		struct iattr iattr = { .ia_valid = ATTR_KILL_SGID };

		err = fuse_pt_setattr(idmap, dentry, &iattr);
		if (err)
			return err;
	}

	old_cred = fuse_pt_enter_change(dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	err = fuse_pt_do_set_acl(&backing, name, acl);
	fuse_pt_revert_caller_creds(old_cred);
	fuse_pt_copyattr(inode);
	return err;
}

/**
 * fuse_pt_statfs() - statfs of the backing filesystem
 * @dentry: fuse dentry of a bound inode
 * @buf: result; f_type stays FUSE_SUPER_MAGIC, as for any fuse path
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_statfs(struct dentry *dentry, struct kstatfs *buf)
{
	const struct cred *old_cred;
	struct path backing;
	int err;

	err = fuse_pt_ready(d_inode(dentry));
	if (err)
		return err;
	old_cred = fuse_pt_enter(dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	err = vfs_statfs(&backing, buf);
	revert_creds(old_cred);
	buf->f_type = FUSE_SUPER_MAGIC;
	return err;
}

/* How many backing filesystems one syncfs() syncs (more: the first ones) */
#define FUSE_PT_SYNC_MAX	32

struct fuse_pt_sync {
	int n;
	struct fuse_backing *fb[FUSE_PT_SYNC_MAX];
};

static bool fuse_pt_sync_has(struct fuse_pt_sync *set,
			     const struct super_block *bsb)
{
	int i;

	for (i = 0; i < set->n; i++)
		if (file_inode(set->fb[i]->file)->i_sb == bsb)
			return true;
	return false;
}

/* Add fb (its super block, once) to the set; false when the set is full */
static bool fuse_pt_sync_add(struct fuse_pt_sync *set, struct fuse_backing *fb)
{
	struct super_block *bsb;

	if (set->n == FUSE_PT_SYNC_MAX)
		return false;
	/* a registration being closed (its file may be gone): skip */
	if (!refcount_inc_not_zero(&fb->count))
		return true;
	bsb = file_inode(fb->file)->i_sb;
	if (fuse_pt_sync_has(set, bsb)) {
		fuse_backing_put(fb);
		return true;
	}
	set->fb[set->n++] = fb;
	return true;
}

/**
 * fuse_pt_sync_fs() - syncfs() of the backing filesystems
 * @sb: fuse superblock, s_umount held
 *
 * Writes through bound inodes go to the backing filesystems: syncfs() of
 * the mount must sync them, as ovl_sync_fs() syncs the upper layer.  They
 * are those of the open registrations and of the bound inodes in the
 * inode cache (a registration may be closed while its bindings live on);
 * each is pinned through a registration, whose file holds its mount.  A
 * writeback error of a backing filesystem during the sync is recorded in
 * the fuse super block, where syncfs() reports it.
 */
void fuse_pt_sync_fs(struct super_block *sb)
{
	struct fuse_conn *fc = get_fuse_conn_super(sb);
	struct fuse_pt_sync set = { .n = 0 };
	struct fuse_backing *fb;
	struct inode *inode;
	int i, id;

	rcu_read_lock();
	idr_for_each_entry(&fc->backing_files_map, fb, id)
		if (!fuse_pt_sync_add(&set, fb))
			break;
	rcu_read_unlock();

	spin_lock(&sb->s_inode_list_lock);
	list_for_each_entry(inode, &sb->s_inodes, i_sb_list) {
		struct inode *backing = READ_ONCE(get_fuse_inode(inode)->backing_inode);

		/* one comparison per inode in the common case of one fs */
		if (!backing || fuse_pt_sync_has(&set, backing->i_sb))
			continue;
		fb = READ_ONCE(get_fuse_inode(inode)->fb);
		if (fb && !fuse_pt_sync_add(&set, fb))
			break;
	}
	spin_unlock(&sb->s_inode_list_lock);

	for (i = 0; i < set.n; i++) {
		struct super_block *bsb = file_inode(set.fb[i]->file)->i_sb;
		/* an error nobody has seen yet is reported too, once */
		errseq_t since = errseq_sample(&bsb->s_wb_err);
		int err;

		down_read(&bsb->s_umount);
		err = sync_filesystem(bsb);
		up_read(&bsb->s_umount);
		if (!err)
			err = errseq_check_and_advance(&bsb->s_wb_err, &since);
		if (err)
			errseq_set(&sb->s_wb_err, err);
		fuse_backing_put(set.fb[i]);
	}
}

/**
 * fuse_pt_fileattr_get() - FS_IOC_GETFLAGS, FS_IOC_FSGETXATTR of a bound inode
 * @dentry: fuse dentry
 * @fa: result
 *
 * Return: 0 or a negative errno from the backing filesystem.
 */
int fuse_pt_fileattr_get(struct dentry *dentry, struct file_kattr *fa)
{
	const struct cred *old_cred;
	struct path backing;
	int err;

	/* as fuse_priv_ioctl_prepare() */
	err = fuse_pt_check_caller(d_inode(dentry));
	if (err)
		return err;
	old_cred = fuse_pt_enter(dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	err = vfs_fileattr_get(backing.dentry, fa);
	revert_creds(old_cred);
	return err;
}

/**
 * fuse_pt_fileattr_set() - FS_IOC_SETFLAGS, FS_IOC_FSSETXATTR of a bound inode
 * @idmap: idmap of the fuse mount
 * @dentry: fuse dentry; the VFS checked that the caller owns the inode
 * @fa: new attributes
 *
 * Return: 0 or a negative errno from the backing filesystem.
 */
int fuse_pt_fileattr_set(struct mnt_idmap *idmap, struct dentry *dentry,
			 struct file_kattr *fa)
{
	const struct cred *old_cred;
	struct path backing;
	int err;

	err = fuse_pt_check_caller(d_inode(dentry));
	if (err)
		return err;
	fuse_pt_copyattr(d_inode(dentry));
	/* the VFS checked the owner on attributes that may have been stale */
	if (!inode_owner_or_capable(idmap, d_inode(dentry)))
		return -EPERM;
	/*
	 * The VFS checked the caller's CAP_LINUX_IMMUTABLE against flags it
	 * read a moment ago; the backing fs checks again, under its lock,
	 * with the credentials given here: a caller without it must not
	 * clear a +i or +a set on the backing tree in between, nor set what
	 * the backing fs reserves to CAP_SYS_RESOURCE (ext4's +j).
	 */
	old_cred = fuse_pt_enter_change(dentry, &backing);
	if (IS_ERR(old_cred))
		return PTR_ERR(old_cred);
	err = fuse_pt_do_fileattr_set(&backing, fa);
	fuse_pt_revert_caller_creds(old_cred);
	fuse_pt_copyattr(d_inode(dentry));
	return err;
}

/* Bound regular files and special files */
const struct inode_operations fuse_pt_inode_operations = {
	.setattr	= fuse_pt_setattr,
	.permission	= fuse_pt_permission,
	.getattr	= fuse_pt_getattr,
	.listxattr	= fuse_pt_listxattr,
	.get_inode_acl	= fuse_pt_get_inode_acl,
	.get_acl	= fuse_pt_get_acl,
	.set_acl	= fuse_pt_set_acl,
	.fileattr_get	= fuse_pt_fileattr_get,
	.fileattr_set	= fuse_pt_fileattr_set,
};

const struct inode_operations fuse_pt_symlink_inode_operations = {
	.setattr	= fuse_pt_setattr,
	.get_link	= fuse_pt_get_link,
	.getattr	= fuse_pt_getattr,
	.listxattr	= fuse_pt_listxattr,
};
