/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FUSE directory passthrough: lookup-time binding of fuse inodes to backing
 * inodes, and kernel-served passthrough subtrees.
 *
 * Included from fuse_i.h; see fuse-dir-passthrough.rst in the filesystems
 * documentation.
 */

#ifndef _FS_FUSE_PASSTHROUGH_DIR_H
#define _FS_FUSE_PASSTHROUGH_DIR_H

#include <linux/cred.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/user_namespace.h>

struct fuse_entry_backing_out;

/*
 * May this connection negotiate FUSE_PASSTHROUGH_DIR?  Bound inodes are
 * served with init-namespace credentials, and the VFS checks a caller's
 * capabilities in the mount's user namespace.
 */
static inline bool fuse_pt_wanted(const struct fuse_conn *fc)
{
	return IS_ENABLED(CONFIG_FUSE_PASSTHROUGH_DIR) &&
		fc->user_ns == &init_user_ns;
}

/*
 * Inodes below a subtree root have node id 0: the server never heard of
 * them, and no request may name them (INIT and DESTROY name no node).
 */
static inline bool fuse_pt_bad_nodeid(struct fuse_conn *fc,
				      const struct fuse_args *args)
{
	return IS_ENABLED(CONFIG_FUSE_PASSTHROUGH_DIR) && fc->passthrough_dir &&
		!args->nodeid && args->opcode != FUSE_INIT &&
		args->opcode != FUSE_DESTROY;
}

/*
 * fuse_backing.flags bit of the kernel's own: the registration of a root
 * bound at mount time, until INIT accepted it (FUSE_DEV_IOC_BACKING_OPEN
 * accepts no flags but FUSE_BACKING_INODE, so no server can set it).
 */
#define FUSE_BACKING_PT_ROOT	BIT(31)

/* What an entry reply asked to bind, resolved from its backing_id */
struct fuse_pt_bind {
	/* Registration (creds, backing file); reference held */
	struct fuse_backing *fb;
	/* FUSE_ENTRY_BACKING_SUBTREE was set */
	bool subtree;
	/* FUSE_ENTRY_BACKING_FILTER was set, with this cookie */
	bool filter;
	u64 cookie;
};

#ifdef CONFIG_FUSE_PASSTHROUGH_DIR

/* True for any fuse inode bound to a backing inode */
static inline bool fuse_inode_bound(struct inode *inode)
{
	return !!READ_ONCE(get_fuse_inode(inode)->backing_inode);
}

/* True for a directory whose whole subtree is served from its backing dir */
static inline bool fuse_inode_subtree(struct inode *inode)
{
	return test_bit(FUSE_I_PT_SUBTREE, &get_fuse_inode(inode)->state);
}

int fuse_pt_resolve(struct fuse_conn *fc, const struct fuse_entry_backing_out *out,
		    unsigned int size, const struct fuse_attr *attr,
		    struct fuse_pt_bind *bind);
struct fuse_backing *fuse_pt_root_open(struct fuse_conn *fc, unsigned int fd,
				       bool dev_admin);
int fuse_pt_root_prepare(struct super_block *sb, struct fuse_backing *fb,
			 umode_t rootmode);
bool fuse_pt_same_domain(const struct fuse_backing *a,
			 const struct fuse_backing *b);
void fuse_pt_bind_put(struct fuse_pt_bind *bind);
void fuse_pt_bind_new_inode(struct inode *inode, struct fuse_pt_bind *bind);
bool fuse_pt_bind_matches(struct inode *inode, const struct fuse_pt_bind *bind);
void fuse_pt_bind_dentry(struct dentry *entry, struct inode *inode);

/**
 * fuse_pt_parent_is_subtree() - is this dentry made by a subtree lookup?
 * @entry: fuse dentry, possibly in RCU walk
 *
 * Return: true if its parent directory is a passthrough subtree.
 */
static inline bool fuse_pt_parent_is_subtree(struct dentry *entry)
{
	struct inode *dir = d_inode_rcu(READ_ONCE(entry->d_parent));

	return dir && fuse_inode_subtree(dir);
}

void fuse_pt_evict_inode(struct inode *inode);
bool fuse_pt_root_fits(struct fuse_mount *fm, int max_stack_depth);
bool fuse_pt_init_root(struct fuse_mount *fm, bool ok);

#else /* CONFIG_FUSE_PASSTHROUGH_DIR */

static inline bool fuse_inode_bound(struct inode *inode)
{
	return false;
}

static inline bool fuse_inode_subtree(struct inode *inode)
{
	return false;
}

static inline int fuse_pt_resolve(struct fuse_conn *fc,
				  const struct fuse_entry_backing_out *out,
				  unsigned int size, const struct fuse_attr *attr,
				  struct fuse_pt_bind *bind)
{
	bind->fb = NULL;
	bind->subtree = false;
	bind->filter = false;
	return 0;
}

static inline struct fuse_backing *fuse_pt_root_open(struct fuse_conn *fc,
						     unsigned int fd,
						     bool dev_admin)
{
	return ERR_PTR(-EOPNOTSUPP);
}

static inline int fuse_pt_root_prepare(struct super_block *sb,
				       struct fuse_backing *fb,
				       umode_t rootmode)
{
	return 0;
}

static inline void fuse_pt_bind_put(struct fuse_pt_bind *bind) {}
static inline void fuse_pt_bind_new_inode(struct inode *inode,
					  struct fuse_pt_bind *bind) {}
static inline bool fuse_pt_bind_matches(struct inode *inode,
					const struct fuse_pt_bind *bind)
{
	return true;
}

static inline void fuse_pt_bind_dentry(struct dentry *entry,
				       struct inode *inode) {}
static inline bool fuse_pt_parent_is_subtree(struct dentry *entry)
{
	return false;
}

static inline void fuse_pt_evict_inode(struct inode *inode) {}
static inline bool fuse_pt_root_fits(struct fuse_mount *fm,
				     int max_stack_depth)
{
	return true;
}

static inline bool fuse_pt_init_root(struct fuse_mount *fm, bool ok)
{
	return ok;
}

#endif /* CONFIG_FUSE_PASSTHROUGH_DIR */

/*
 * Reached only behind fuse_inode_bound()/fuse_inode_subtree(), which are
 * constant false without CONFIG_FUSE_PASSTHROUGH_DIR.
 */

/*
 * The backing mount's noexec and nosuid, as path_noexec() and
 * mnt_may_suid() tell them (not exported to modules).  mnt_may_suid()
 * also refuses mounts of other mount namespaces: through the fuse mount
 * such a mount is reached by design.
 */
static inline bool fuse_pt_noexec(const struct path *path)
{
	return (path->mnt->mnt_flags & MNT_NOEXEC) ||
		(path->mnt->mnt_sb->s_iflags & SB_I_NOEXEC);
}

static inline bool fuse_pt_may_suid(const struct path *path)
{
	return !(path->mnt->mnt_flags & MNT_NOSUID) &&
		current_in_userns(path->mnt->mnt_sb->s_user_ns);
}

/* ->d_release() of a dentry with data: drop its backing path */
static inline void fuse_pt_dentry_release(struct fuse_dentry *fd)
{
#ifdef CONFIG_FUSE_PASSTHROUGH_DIR
	if (fd->backing_path.dentry)
		path_put(&fd->backing_path);
#endif
}

/* passthrough_inode.c: inode operations of bound inodes */
const struct cred *fuse_pt_override_creds(struct inode *inode);
kernel_cap_t fuse_pt_caller_caps(const struct cred *server);
struct cred *fuse_pt_caller_creds(struct inode *inode);
struct cred *fuse_pt_opener_creds(struct inode *inode, struct file *file);
const struct cred *fuse_pt_override_caller_creds(struct inode *inode);
void fuse_pt_revert_caller_creds(const struct cred *old_cred);
int fuse_pt_backing_path(struct dentry *dentry, struct path *path);
void fuse_pt_copyattr(struct inode *inode);
void __fuse_pt_copyattr(struct inode *inode, struct inode *backing);
int fuse_pt_getattr(struct mnt_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags);
int fuse_pt_permission(struct mnt_idmap *idmap, struct inode *inode, int mask);
int fuse_pt_setattr(struct mnt_idmap *idmap, struct dentry *entry,
		    struct iattr *attr);
int fuse_pt_getxattr(struct dentry *dentry, struct inode *inode,
		     const char *name, void *value, size_t size);
int fuse_pt_setxattr(struct mnt_idmap *idmap, struct dentry *dentry,
		     struct inode *inode, const char *name, const void *value,
		     size_t size, int flags);
ssize_t fuse_pt_listxattr(struct dentry *dentry, char *list, size_t size);
struct posix_acl *fuse_pt_get_acl(struct mnt_idmap *idmap,
				  struct dentry *dentry, int type);
struct posix_acl *fuse_pt_get_inode_acl(struct inode *inode, int type,
					bool rcu);
int fuse_pt_set_acl(struct mnt_idmap *idmap, struct dentry *dentry,
		    struct posix_acl *acl, int type);
int fuse_pt_statfs(struct dentry *dentry, struct kstatfs *buf);
void fuse_pt_sync_fs(struct super_block *sb);
/* Inode number spaces of backing filesystems: the index's place in st_ino */
#define FUSE_PT_XINO_SHIFT	56
bool fuse_pt_map_ino(struct inode *inode, dev_t dev, u64 *ino);
void fuse_pt_conn_free(struct fuse_conn *fc);
int fuse_pt_fileattr_get(struct dentry *dentry, struct file_kattr *fa);
int fuse_pt_fileattr_set(struct mnt_idmap *idmap, struct dentry *dentry,
			 struct file_kattr *fa);

#ifdef CONFIG_FUSE_PASSTHROUGH_DIR
/* The inode flags the VFS checks on the fuse inode, as ovl_copyflags() */
#define FUSE_PT_COPY_FLAGS	(S_SYNC | S_APPEND | S_IMMUTABLE)

/**
 * fuse_pt_stale() - do the attributes the VFS decides on differ?
 * @inode: bound fuse inode
 * @backing: its backing inode
 *
 * Lockless, also in RCU walk: a cheap test before fuse_pt_copyattr().
 * The size too: the VFS clamps copy_file_range() to the fuse inode's
 * (generic_copy_file_checks()) before any fuse operation runs.
 *
 * Return: true if mode, owner, group, size or the checked flags differ.
 */
static inline bool fuse_pt_stale(struct inode *inode, struct inode *backing)
{
	return inode->i_mode != READ_ONCE(backing->i_mode) ||
		!uid_eq(inode->i_uid, READ_ONCE(backing->i_uid)) ||
		!gid_eq(inode->i_gid, READ_ONCE(backing->i_gid)) ||
		i_size_read(inode) != i_size_read(backing) ||
		(inode->i_flags & S_NOSEC) ||
		((inode->i_flags ^ READ_ONCE(backing->i_flags)) &
		 FUSE_PT_COPY_FLAGS);
}

/* fuse_pt_refresh() of a backing inode the caller read */
static inline void fuse_pt_refresh_from(struct inode *inode,
					struct inode *backing)
{
	if (unlikely(fuse_pt_stale(inode, backing)))
		__fuse_pt_copyattr(inode, backing);
}

/**
 * fuse_pt_refresh() - fuse_pt_copyattr() if a decision could differ
 * @inode: bound fuse inode, possibly in RCU walk
 *
 * Called where the VFS is about to decide on the fuse inode's attributes
 * (permission, revalidation of a name about to be acted on).
 *
 * Return: 0, or -ECHILD if the inode is being evicted (RCU walk only).
 */
static inline int fuse_pt_refresh(struct inode *inode)
{
	struct inode *backing = READ_ONCE(get_fuse_inode(inode)->backing_inode);

	if (unlikely(!backing))
		return -ECHILD;
	fuse_pt_refresh_from(inode, backing);
	return 0;
}
#endif

/* passthrough_dir.c: subtree directories: lookup, revalidation, namespace */
void fuse_pt_init_inode(struct inode *inode, bool subtree);
struct dentry *fuse_pt_lookup(struct inode *dir, struct dentry *entry,
			      unsigned int flags);
int fuse_pt_revalidate(struct dentry *entry, unsigned int flags);
struct inode *fuse_pt_iget(struct inode *dir, struct inode *backing);
void fuse_pt_set_entry_forever(struct dentry *entry);
int fuse_pt_rename(struct mnt_idmap *idmap, struct inode *olddir,
		   struct dentry *oldent, struct inode *newdir,
		   struct dentry *newent, unsigned int flags);
int fuse_pt_link(struct dentry *entry, struct inode *newdir,
		 struct dentry *newent);

/* passthrough_file.c, passthrough_dir.c */
int fuse_pt_open(struct inode *inode, struct file *file);
int fuse_pt_release(struct inode *inode, struct file *file);
int fuse_pt_fsync(struct file *file, loff_t start, loff_t end, int datasync);
loff_t fuse_pt_llseek(struct file *file, loff_t offset, int whence);
ssize_t fuse_pt_copy_file_range(struct file *in, loff_t pos_in,
				struct file *out, loff_t pos_out, size_t len,
				unsigned int flags);
extern const struct file_operations fuse_pt_file_operations;
extern const struct file_operations fuse_pt_dir_operations;
extern const struct address_space_operations fuse_pt_file_aops;

/* Chosen when a bound inode is filled (fuse_pt_init_inode()) */
extern const struct inode_operations fuse_pt_inode_operations;
extern const struct inode_operations fuse_pt_symlink_inode_operations;
extern const struct inode_operations fuse_pt_dir_inode_operations;
/* dir.c: the server's namespace, the backing inode's attributes */
extern const struct inode_operations fuse_pt_bound_dir_inode_operations;

#endif /* _FS_FUSE_PASSTHROUGH_DIR_H */
