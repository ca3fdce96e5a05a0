/* SPDX-License-Identifier: GPL-2.0 */
/*
 * FUSE directory passthrough: lookup-time binding of fuse inodes to backing
 * inodes, and kernel-served passthrough subtrees.
 *
 * Included from fuse_i.h; see Documentation/filesystems/fuse-dir-passthrough.rst
 */

#ifndef _FS_FUSE_PASSTHROUGH_DIR_H
#define _FS_FUSE_PASSTHROUGH_DIR_H

#include <linux/cred.h>
#include <linux/mount.h>
#include <linux/path.h>
#include <linux/user_namespace.h>

struct fuse_entry_backing_out;

/*
 * Per-dentry data.  On 64-bit kernels without directory passthrough the
 * entry timeout is stored in d_fsdata directly; with it, every fuse dentry
 * has one of these.
 */
struct fuse_dentry {
	union {
		u64 time;
		struct rcu_head rcu;
	};
#ifdef CONFIG_FUSE_PASSTHROUGH_DIR
	/* Backing path of a bound dentry (reference held), or empty */
	struct path backing_path;
	/* backing_path.dentry->d_seq when last found valid (RCU revalidate) */
	unsigned int backing_seq;
#endif
};

static inline struct fuse_dentry *fuse_dentry(const struct dentry *dentry)
{
	return dentry->d_fsdata;
}

/* What an entry reply asked to bind, resolved from its backing_id */
struct fuse_pt_bind {
	/* Registration (creds, backing file); reference held */
	struct fuse_backing *fb;
	/* FUSE_ENTRY_BACKING_SUBTREE was set */
	bool subtree;
};

#ifdef CONFIG_FUSE_PASSTHROUGH_DIR

/* True for any fuse inode bound to a backing inode */
static inline bool fuse_inode_backed(struct inode *inode)
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
void fuse_pt_bind_put(struct fuse_pt_bind *bind);
void fuse_pt_bind_new_inode(struct inode *inode, struct fuse_pt_bind *bind);
bool fuse_pt_bind_matches(struct inode *inode, const struct fuse_pt_bind *bind);
void fuse_pt_bind_dentry(struct dentry *entry, struct inode *inode);
bool fuse_pt_parent_is_subtree(struct dentry *entry);
void fuse_pt_evict_inode(struct inode *inode);

#else /* CONFIG_FUSE_PASSTHROUGH_DIR */

static inline bool fuse_inode_backed(struct inode *inode)
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

#endif /* CONFIG_FUSE_PASSTHROUGH_DIR */

/*
 * Reached only behind fuse_inode_backed()/fuse_inode_subtree(), which are
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

/* passthrough_lookup.c */
struct dentry *fuse_pt_lookup(struct inode *dir, struct dentry *entry,
			      unsigned int flags);
int fuse_pt_revalidate(struct dentry *entry, unsigned int flags);
void fuse_pt_dentry_release(struct fuse_dentry *fd);
int fuse_pt_backing_path(struct dentry *dentry, struct path *path);
struct inode *fuse_pt_iget(struct super_block *sb, struct inode *backing,
			   struct fuse_backing *ctx);
void fuse_pt_set_entry_forever(struct dentry *entry);
const struct cred *fuse_pt_override_creds(struct inode *inode);
struct cred *fuse_pt_caller_creds(struct inode *inode);
const struct cred *fuse_pt_override_caller_creds(struct inode *inode);

/* passthrough_inode.c */
void fuse_pt_copyattr(struct inode *inode);
int fuse_pt_refresh(struct inode *inode);
int fuse_pt_getattr(struct mnt_idmap *idmap, const struct path *path,
		    struct kstat *stat, u32 request_mask, unsigned int flags);
int fuse_pt_permission(struct mnt_idmap *idmap, struct inode *inode, int mask);
int fuse_pt_setattr(struct mnt_idmap *idmap, struct dentry *entry,
		    struct iattr *attr);
const char *fuse_pt_get_link(struct dentry *dentry, struct inode *inode,
			     struct delayed_call *callback);
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
int fuse_pt_fileattr_get(struct dentry *dentry, struct fileattr *fa);
int fuse_pt_fileattr_set(struct mnt_idmap *idmap, struct dentry *dentry,
			 struct fileattr *fa);

/* passthrough_dir.c: namespace changes in a subtree directory */
int fuse_pt_create_open(struct mnt_idmap *idmap, struct inode *dir,
			struct dentry *entry, struct file *file,
			unsigned int flags, umode_t mode);
int fuse_pt_mknod(struct mnt_idmap *idmap, struct inode *dir,
		  struct dentry *entry, umode_t mode, dev_t rdev);
int fuse_pt_tmpfile(struct mnt_idmap *idmap, struct inode *dir,
		    struct file *file, umode_t mode);
int fuse_pt_mkdir(struct mnt_idmap *idmap, struct inode *dir,
		  struct dentry *entry, umode_t mode);
int fuse_pt_symlink(struct mnt_idmap *idmap, struct inode *dir,
		    struct dentry *entry, const char *link);
int fuse_pt_unlink(struct inode *dir, struct dentry *entry);
int fuse_pt_rmdir(struct inode *dir, struct dentry *entry);
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

#endif /* _FS_FUSE_PASSTHROUGH_DIR_H */
