/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FUSE directory passthrough: per-caller BPF filters on passthrough subtrees.
 *
 * A server binds a directory subtree with FUSE_ENTRY_BACKING_FILTER and a
 * cookie; every inode below it inherits both.  Operations in such a
 * directory first ask the connection's filter, a BPF struct_ops
 * (struct fuse_pt_filter_ops) registered by the server.  Verdicts only
 * narrow what the backing filesystem would allow the caller.  See
 * fuse-dir-passthrough.rst in the filesystems documentation, "Filters".
 */

#ifndef _FS_FUSE_PASSTHROUGH_FILTER_H
#define _FS_FUSE_PASSTHROUGH_FILTER_H

#include <linux/limits.h>
#include <linux/types.h>

/* What a hook is asked about: fuse_pt_filter_args.op */
enum fuse_pt_filter_op {
	FUSE_PT_FILTER_LOOKUP = 1,	/* lookup or revalidation of a name */
	FUSE_PT_FILTER_READDIR,		/* an entry of a directory listing */
	FUSE_PT_FILTER_CREATE,		/* open(O_CREAT) of a new name, mknod */
	FUSE_PT_FILTER_MKDIR,
	FUSE_PT_FILTER_SYMLINK,
	FUSE_PT_FILTER_LINK,		/* link(): the rename hook, both names */
	FUSE_PT_FILTER_TMPFILE,		/* O_TMPFILE: no name */
	FUSE_PT_FILTER_UNLINK,
	FUSE_PT_FILTER_RMDIR,
	FUSE_PT_FILTER_RENAME,
	FUSE_PT_FILTER_OPEN,
};

/*
 * What a hook returns: one of these, or a negative errno (1..133, the
 * errnos of the uapi) to fail the operation with.  Anything else fails it
 * with EACCES.
 */
enum fuse_pt_filter_verdict {
	/* the operation goes on, checked as the backing fs checks it */
	FUSE_PT_FILTER_CONTINUE = 0,
	/*
	 * lookup: the name is missing for this caller (a negative dentry;
	 * readdir leaves it out); other hooks: fail with ENOENT
	 */
	FUSE_PT_FILTER_HIDE = 1,
};

/* fuse_pt_filter_args.flags */
enum fuse_pt_filter_flags {
	/* dir is the directory the server bound (it has a node id) */
	FUSE_PT_FILTER_TOP = 1 << 0,
	/* child holds the backing attributes of the existing name */
	FUSE_PT_FILTER_CHILD = 1 << 1,
	/* readdir: child.ino and the file type in child.mode only */
	FUSE_PT_FILTER_CHILD_TYPE = 1 << 2,
	/* name is case-folded, as the backing directory compares names */
	FUSE_PT_FILTER_CASEFOLD = 1 << 3,
	/* rename: this side is not in a filtered directory (cookie 0) */
	FUSE_PT_FILTER_OUTSIDE = 1 << 4,
};

/* Backing attributes, ids in the connection's user namespace */
struct fuse_pt_filter_node {
	u64 ino;
	u32 mode;
	u32 uid;
	u32 gid;
	u32 nlink;
};

/**
 * struct fuse_pt_filter_args - what a filter hook sees (read only)
 * @cookie: the cookie of the binding (FUSE_ENTRY_BACKING_FILTER)
 * @op: enum fuse_pt_filter_op
 * @flags: enum fuse_pt_filter_flags
 * @uid: the caller's fsuid in the connection's user namespace
 * @gid: the caller's fsgid
 * @pid: the caller's thread group id in the connection's pid namespace
 * @mode: create family: the type and mode asked for
 * @open_flags: open: the open flags
 * @rename_flags: rename: RENAME_* flags
 * @dir: the directory, as the backing filesystem has it
 * @child: the existing name's inode, if FUSE_PT_FILTER_CHILD
 * @name_len: length of @name
 * @name: the name, NUL-terminated; case-folded with FUSE_PT_FILTER_CASEFOLD
 */
struct fuse_pt_filter_args {
	u64 cookie;
	u32 op;
	u32 flags;
	u32 uid;
	u32 gid;
	u32 pid;
	u32 mode;
	u32 open_flags;
	u32 rename_flags;
	struct fuse_pt_filter_node dir;
	struct fuse_pt_filter_node child;
	u32 name_len;
	char name[NAME_MAX + 1];
};

/**
 * struct fuse_pt_filter_ops - a connection's filter (BPF struct_ops)
 * @lookup: may the caller see this name (lookup, revalidation, readdir)?
 * @create: may the caller make this name (the create family)?
 * @remove: may the caller remove this name (unlink, rmdir)?
 * @rename: may the caller move @from to @to (rename), or give @from the
 *	    new name @to (link, op FUSE_PT_FILTER_LINK)?
 * @open: may the caller open this inode (below the bound directory)?
 * @fuse_fd: set by the loader: a /dev/fuse fd of the connection, resolved
 *	     in the registering task when the struct_ops is registered
 * @flags: must be 0
 * @fc: private: the connection, while registered
 *
 * A member left out lets its operations go on.  Programs run in the
 * caller's context, under RCU; sleepable programs are refused.
 */
struct fuse_pt_filter_ops {
	int (*lookup)(const struct fuse_pt_filter_args *args);
	int (*create)(const struct fuse_pt_filter_args *args);
	int (*remove)(const struct fuse_pt_filter_args *args);
	int (*rename)(const struct fuse_pt_filter_args *from,
		      const struct fuse_pt_filter_args *to);
	int (*open)(const struct fuse_pt_filter_args *args);
	int fuse_fd;
	u32 flags;
	struct fuse_conn *fc;
};

/* fuse_pt_filter_lookup(): the name is hidden from the caller */
#define FUSE_PT_FILTER_HIDDEN	1

#ifdef CONFIG_FUSE_PASSTHROUGH_FILTER

/* Is this inode in a filtered subtree (or its bound top directory)? */
static inline bool fuse_pt_filtered(struct inode *inode)
{
	return test_bit(FUSE_I_PT_FILTER, &get_fuse_inode(inode)->state);
}

/* A new inode below @dir takes its filter (under inode_hash_lock) */
static inline void fuse_pt_filter_inherit(struct inode *inode,
					  struct inode *dir)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	struct fuse_inode *dfi = get_fuse_inode(dir);

	if (test_bit(FUSE_I_PT_FILTER, &dfi->state)) {
		fi->pt_filter_cookie = dfi->pt_filter_cookie;
		set_bit(FUSE_I_PT_FILTER, &fi->state);
	}
}

/* The same filter, for iget5_locked()'s test */
static inline bool fuse_pt_filter_same(struct inode *inode, struct inode *dir)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	struct fuse_inode *dfi = get_fuse_inode(dir);
	bool filtered = test_bit(FUSE_I_PT_FILTER, &fi->state);

	if (filtered != test_bit(FUSE_I_PT_FILTER, &dfi->state))
		return false;
	return !filtered || fi->pt_filter_cookie == dfi->pt_filter_cookie;
}

/* A server-made inode bound with FUSE_ENTRY_BACKING_FILTER */
static inline void fuse_pt_filter_bind(struct inode *inode, bool filter,
				       u64 cookie)
{
	struct fuse_inode *fi = get_fuse_inode(inode);

	if (filter) {
		fi->pt_filter_cookie = cookie;
		set_bit(FUSE_I_PT_FILTER, &fi->state);
	}
}

static inline bool fuse_pt_filter_matches(struct inode *inode, bool filter,
					  u64 cookie)
{
	struct fuse_inode *fi = get_fuse_inode(inode);

	if (filter != fuse_pt_filtered(inode))
		return false;
	return !filter || fi->pt_filter_cookie == cookie;
}

/* Does the parent of this dentry filter it?  (RCU walk too) */
static inline bool fuse_pt_filter_parent(struct dentry *entry)
{
	struct inode *dir;
	bool filtered;

	rcu_read_lock();
	dir = d_inode_rcu(READ_ONCE(entry->d_parent));
	filtered = dir && fuse_pt_filtered(dir);
	rcu_read_unlock();
	return filtered;
}

int fuse_pt_filter_init(void);
void fuse_pt_filter_conn_free(struct fuse_conn *fc);
int fuse_pt_filter_lookup(struct inode *dir, struct dentry *entry,
			  struct inode *child);
int fuse_pt_filter_revalidate(struct dentry *entry, unsigned int flags);
int fuse_pt_filter_readdir_start(struct fuse_pt_filter_args *args,
				 struct inode *dir);
bool fuse_pt_filter_readdir(struct inode *dir, struct fuse_pt_filter_args *args,
			    const char *name, int len, u64 ino,
			    unsigned int d_type);
bool fuse_pt_filter_attached(struct inode *dir);
int fuse_pt_filter_create(struct inode *dir, struct dentry *entry,
			  umode_t mode, enum fuse_pt_filter_op op);
int fuse_pt_filter_remove(struct inode *dir, struct dentry *entry, bool isdir);
int fuse_pt_filter_rename(struct inode *olddir, struct dentry *oldent,
			  struct inode *newdir, struct dentry *newent,
			  unsigned int flags);
int fuse_pt_filter_link(struct inode *olddir, struct dentry *oldent,
			struct inode *newdir, struct dentry *newent);
int fuse_pt_filter_open(struct file *file);
bool fuse_pt_filter_backing_ok(struct file *file);

#else /* CONFIG_FUSE_PASSTHROUGH_FILTER */

static inline bool fuse_pt_filtered(struct inode *inode)
{
	return false;
}

static inline void fuse_pt_filter_inherit(struct inode *inode,
					  struct inode *dir) {}
static inline bool fuse_pt_filter_same(struct inode *inode, struct inode *dir)
{
	return true;
}

static inline void fuse_pt_filter_bind(struct inode *inode, bool filter,
				       u64 cookie) {}
static inline bool fuse_pt_filter_matches(struct inode *inode, bool filter,
					  u64 cookie)
{
	return !filter;
}

static inline bool fuse_pt_filter_parent(struct dentry *entry)
{
	return false;
}

static inline int fuse_pt_filter_init(void)
{
	return 0;
}

static inline void fuse_pt_filter_conn_free(struct fuse_conn *fc) {}

/* Reached only behind fuse_pt_filtered(), constant false here */
static inline int fuse_pt_filter_lookup(struct inode *dir,
					struct dentry *entry,
					struct inode *child)
{
	return -EACCES;
}

static inline int fuse_pt_filter_revalidate(struct dentry *entry,
					    unsigned int flags)
{
	return -EACCES;
}

static inline int fuse_pt_filter_readdir_start(struct fuse_pt_filter_args *args,
					       struct inode *dir)
{
	return -EACCES;
}

static inline bool fuse_pt_filter_readdir(struct inode *dir,
					  struct fuse_pt_filter_args *args,
					  const char *name, int len, u64 ino,
					  unsigned int d_type)
{
	return false;
}

static inline bool fuse_pt_filter_attached(struct inode *dir)
{
	return false;
}

static inline int fuse_pt_filter_create(struct inode *dir,
					struct dentry *entry, umode_t mode,
					enum fuse_pt_filter_op op)
{
	return -EACCES;
}

static inline int fuse_pt_filter_remove(struct inode *dir,
					struct dentry *entry, bool isdir)
{
	return -EACCES;
}

static inline int fuse_pt_filter_rename(struct inode *olddir,
					struct dentry *oldent,
					struct inode *newdir,
					struct dentry *newent,
					unsigned int flags)
{
	return -EACCES;
}

static inline int fuse_pt_filter_link(struct inode *olddir,
				      struct dentry *oldent,
				      struct inode *newdir,
				      struct dentry *newent)
{
	return -EACCES;
}

static inline int fuse_pt_filter_open(struct file *file)
{
	return -EACCES;
}

static inline bool fuse_pt_filter_backing_ok(struct file *file)
{
	return false;
}

#endif /* CONFIG_FUSE_PASSTHROUGH_FILTER */

#endif /* _FS_FUSE_PASSTHROUGH_FILTER_H */
