// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE directory passthrough: binding at lookup time, subtree lookups,
 * revalidation against the backing tree and inode lifetime.
 *
 * A fuse inode is bound to a backing inode once, when it is instantiated,
 * and stays bound until it is evicted.  It is bound either by the server,
 * with a struct fuse_entry_backing_out naming a backing_id in an entry
 * reply, or by the kernel, when it looks the name up in the backing
 * directory of a passthrough subtree.  See
 * Documentation/filesystems/fuse-dir-passthrough.rst.
 */

#include "fuse_i.h"
#include "passthrough_filter.h"

#include <linux/file.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/posix_acl.h>

/* Entry timeout of kernel-made dentries: they are revalidated otherwise */
#define FUSE_PT_DENTRY_FOREVER	BIT_ULL(62)

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
 * blocks and memory accounting apply to the caller.
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
	if (caller->user_ns == &init_user_ns)
		cred->cap_effective = cap_intersect(cred->cap_effective,
						    caller->cap_effective);
	else
		cap_clear(cred->cap_effective);
	return cred;
}

/**
 * fuse_pt_override_caller_creds() - override_creds(fuse_pt_caller_creds())
 * @inode: fuse inode bound to a backing inode
 *
 * Return: the previous credentials, for revert_creds(), or ERR_PTR(-ENOMEM).
 */
const struct cred *fuse_pt_override_caller_creds(struct inode *inode)
{
	const struct cred *old_cred;
	struct cred *cred;

	cred = fuse_pt_caller_creds(inode);
	if (!cred)
		return ERR_PTR(-ENOMEM);
	old_cred = override_creds(cred);
	put_cred(cred);
	return old_cred;
}

/*
 * Kernel interface filesystems check the opener or the writer in their
 * own ways (f_cred of the open file, capable() or euid at write time,
 * cgroup.procs' common-ancestor test): through the mount that would be
 * the server.  Not backing filesystems.  (procfs is refused by its stack
 * depth at registration.)
 */
/* fs/fuse/control.c's, not in a header */
#define FUSE_PT_CTL_SUPER_MAGIC	0x65735543

static bool fuse_pt_pseudo_fs(const struct super_block *sb)
{
	/* internal mounts nobody can mount: sockfs, pipefs, pidfs, ... */
	if (sb->s_flags & SB_NOUSER)
		return true;
	switch (sb->s_magic) {
	case SYSFS_MAGIC:
	case CGROUP_SUPER_MAGIC:
	case CGROUP2_SUPER_MAGIC:
	case DEBUGFS_MAGIC:
	case TRACEFS_MAGIC:
	case SECURITYFS_MAGIC:
	case SELINUX_MAGIC:
	case SMACK_MAGIC:
	case BPF_FS_MAGIC:
	case EFIVARFS_MAGIC:
	case PSTOREFS_MAGIC:
	case PROC_SUPER_MAGIC:
	case FUSE_PT_CTL_SUPER_MAGIC:
	case RDTGROUP_SUPER_MAGIC:
	case BINFMTFS_MAGIC:
	case DEVPTS_SUPER_MAGIC:
	case NSFS_MAGIC:
		return true;
	}
	return false;
}

static void fuse_pt_warn(struct fuse_conn *fc, const char *what, int id)
{
	pr_warn_ratelimited("bad entry backing reply (backing_id %d): %s\n",
			    id, what);
}

/*
 * Backing files no inode may be bound to, whoever registered them: why,
 * or NULL.
 */
static const char *fuse_pt_refused_backing(struct file *file)
{
	struct super_block *sb = file_inode(file)->i_sb;

	/*
	 * A FUSE mount without passthrough has stack depth 0, so it passes
	 * the registration check; but bound operations would nest inode
	 * locks of one lockdep class (fuse over fuse), and a server could
	 * make the two mounts wait on each other.  Not supported.
	 */
	if (sb->s_magic == FUSE_SUPER_MAGIC)
		return "backing file on a FUSE mount";
	if (fuse_pt_pseudo_fs(sb))
		return "backing file on a kernel interface filesystem";
	/*
	 * Bound inodes mirror raw backing ids and are checked with the fuse
	 * mount's idmap: an idmapped backing mount would give callers the
	 * wrong owner.  Not supported.
	 */
	if (is_idmapped_mnt(file->f_path.mnt))
		return "backing file on an idmapped mount";
	return NULL;
}

/**
 * fuse_pt_resolve() - check an entry reply's backing argument
 * @fc: connection
 * @out: the argument as received
 * @size: how many bytes of it the server sent (0: none)
 * @attr: attributes of the entry from the same reply
 * @bind: result; bind->fb holds a reference when set
 *
 * A reply without the argument, or with backing_id 0, binds nothing.  Any
 * other malformed argument is a server error and fails the operation.
 *
 * Return: 0 or -EIO.
 */
int fuse_pt_resolve(struct fuse_conn *fc, const struct fuse_entry_backing_out *out,
		    unsigned int size, const struct fuse_attr *attr,
		    struct fuse_pt_bind *bind)
{
	struct fuse_backing *fb;
	const char *why;
	umode_t mode;

	u32 known = FUSE_ENTRY_BACKING_SUBTREE;

	bind->fb = NULL;
	bind->subtree = false;
	bind->filter = false;
	if (!size)
		return 0;
	if (size != sizeof(*out)) {
		fuse_pt_warn(fc, "truncated argument", 0);
		return -EIO;
	}
	if (IS_ENABLED(CONFIG_FUSE_PASSTHROUGH_FILTER))
		known |= FUSE_ENTRY_BACKING_FILTER;
	if ((out->flags & ~known) || out->reserved[0] || out->reserved[1] ||
	    (out->filter_cookie && !(out->flags & FUSE_ENTRY_BACKING_FILTER))) {
		fuse_pt_warn(fc, "unknown flags or reserved fields set",
			     out->backing_id);
		return -EIO;
	}
	if ((out->flags & FUSE_ENTRY_BACKING_FILTER) &&
	    !(out->flags & FUSE_ENTRY_BACKING_SUBTREE)) {
		fuse_pt_warn(fc, "filter without a subtree", out->backing_id);
		return -EIO;
	}
	if (!out->backing_id && !out->flags)
		return 0;
	if (out->backing_id <= 0) {
		fuse_pt_warn(fc, "invalid id", out->backing_id);
		return -EIO;
	}
	if (attr->flags & FUSE_ATTR_SUBMOUNT) {
		fuse_pt_warn(fc, "submount cannot be bound", out->backing_id);
		return -EIO;
	}

	fb = fuse_backing_lookup(fc, out->backing_id);
	if (!fb) {
		fuse_pt_warn(fc, "unknown id", out->backing_id);
		return -EIO;
	}
	if (!(fb->flags & FUSE_BACKING_INODE)) {
		fuse_pt_warn(fc, "not registered with FUSE_BACKING_INODE",
			     out->backing_id);
		goto out_put;
	}
	why = fuse_pt_refused_backing(fb->file);
	if (why) {
		fuse_pt_warn(fc, why, out->backing_id);
		goto out_put;
	}
	mode = file_inode(fb->file)->i_mode;
	if ((mode ^ attr->mode) & S_IFMT) {
		fuse_pt_warn(fc, "file type differs from attr", out->backing_id);
		goto out_put;
	}
	if ((out->flags & FUSE_ENTRY_BACKING_SUBTREE) && !S_ISDIR(mode)) {
		fuse_pt_warn(fc, "subtree of a non-directory", out->backing_id);
		goto out_put;
	}
	if ((out->flags & FUSE_ENTRY_BACKING_FILTER) &&
	    !fuse_pt_filter_backing_ok(fb->file)) {
		fuse_pt_warn(fc, "filter on a filesystem that matches names its own way",
			     out->backing_id);
		goto out_put;
	}
	bind->fb = fb;
	bind->subtree = out->flags & FUSE_ENTRY_BACKING_SUBTREE;
	bind->filter = out->flags & FUSE_ENTRY_BACKING_FILTER;
	bind->cookie = out->filter_cookie;
	return 0;

out_put:
	fuse_backing_put(fb);
	return -EIO;
}

/**
 * fuse_pt_bind_put() - drop what fuse_pt_resolve() took and was not used
 * @bind: resolved binding
 */
void fuse_pt_bind_put(struct fuse_pt_bind *bind)
{
	fuse_backing_put(bind->fb);
	bind->fb = NULL;
}

/* Attributes of a new fuse inode, taken from its backing inode */
static void fuse_pt_fill_attr(struct inode *inode, struct inode *backing,
			      struct fuse_attr *attr)
{
	struct fuse_conn *fc = get_fuse_conn(inode);
	struct timespec64 mtime = inode_get_mtime(backing);
	struct timespec64 ctime = inode_get_ctime(backing);

	memset(attr, 0, sizeof(*attr));
	attr->ino = backing->i_ino;
	attr->mode = backing->i_mode;
	attr->size = i_size_read(backing);
	attr->nlink = backing->i_nlink;
	attr->uid = from_kuid(fc->user_ns, backing->i_uid);
	attr->gid = from_kgid(fc->user_ns, backing->i_gid);
	attr->rdev = new_encode_dev(backing->i_rdev);
	attr->mtime = mtime.tv_sec;
	attr->mtimensec = mtime.tv_nsec;
	attr->ctime = ctime.tv_sec;
	attr->ctimensec = ctime.tv_nsec;
}

/*
 * Finish a new (I_NEW) inode whose backing_inode and fb are set
 * and referenced: pick the passthrough inode and file operations, once
 * (as ovl_fill_inode() does), and copy the attributes.  A directory bound
 * by the server without its subtree keeps the server's namespace
 * operations and file operations (readdir).
 */
static void fuse_pt_init_inode(struct inode *inode, bool subtree)
{
	struct fuse_inode *fi = get_fuse_inode(inode);

	if (subtree)
		set_bit(FUSE_I_PT_SUBTREE, &fi->state);
	/*
	 * ACLs are the backing inode's (fuse_pt_get_inode_acl()), cached
	 * there; a copy cached here would go stale with FUSE_POSIX_ACL.
	 */
	inode->i_acl = ACL_DONT_CACHE;
	inode->i_default_acl = ACL_DONT_CACHE;
	if (S_ISDIR(inode->i_mode) && subtree) {
		inode->i_op = &fuse_pt_dir_inode_operations;
		inode->i_fop = &fuse_pt_dir_operations;
	} else if (S_ISDIR(inode->i_mode)) {
		inode->i_op = &fuse_pt_bound_dir_inode_operations;
	} else if (S_ISLNK(inode->i_mode)) {
		inode->i_op = &fuse_pt_symlink_inode_operations;
	} else {
		inode->i_op = &fuse_pt_inode_operations;
		if (S_ISREG(inode->i_mode)) {
			inode->i_fop = &fuse_pt_file_operations;
			inode->i_data.a_ops = &fuse_pt_file_aops;
		}
	}
	inode->i_ino = fi->backing_inode->i_ino;
	fi->orig_ino = fi->backing_inode->i_ino;
	fuse_pt_copyattr(inode);
}

/**
 * fuse_pt_bind_new_inode() - bind a new server-made inode
 * @inode: fuse inode, still I_NEW, initialized from the reply's attributes
 * @bind: resolved binding; its reference moves to the inode
 */
void fuse_pt_bind_new_inode(struct inode *inode, struct fuse_pt_bind *bind)
{
	struct fuse_inode *fi = get_fuse_inode(inode);

	if (!bind || !bind->fb)
		return;
	fi->fb = bind->fb;
	fi->backing_inode = file_inode(bind->fb->file);
	ihold(fi->backing_inode);
	bind->fb = NULL;
	fuse_pt_filter_bind(inode, bind->filter, bind->cookie);
	fuse_pt_init_inode(inode, bind->subtree);
}

/**
 * fuse_pt_root_open() - the backing directory to bind the mount root to
 * @fc: the new connection
 * @fd: the passthrough_root= (or passthrough_root_inode=) file descriptor
 * @dev: the mount's /dev/fuse file, or NULL
 *
 * The root inode is made at mount time, not from an entry reply, so a
 * mount option names its backing directory, as fd= names /dev/fuse: a
 * file descriptor of the mounting process, resolved here, in its context.
 * The checks are those of FUSE_DEV_IOC_BACKING_OPEN with
 * FUSE_BACKING_INODE and of an entry reply binding a directory, and the
 * mounter's credentials are recorded, as the ioctl records the server's.
 * The registration is the root's alone: it has no backing id.  INIT must
 * still negotiate the feature (fuse_pt_init_root()).
 *
 * Return: the registration, or ERR_PTR(): -EPERM without CAP_SYS_ADMIN or
 * outside the initial user namespace (of the mounter, or of the openers of
 * the directory and of /dev/fuse), -EBADF, -ENOTDIR, -ELOOP for a backing
 * filesystem stacked too deep to stack on, -EINVAL for one that no inode
 * may be bound to (see fuse_pt_refused_backing()), -ENOMEM.
 */
struct fuse_backing *fuse_pt_root_open(struct fuse_conn *fc, unsigned int fd,
				       struct file *dev)
{
	struct fuse_backing *fb;
	struct file *file;
	const char *why;
	int err;

	if (!fuse_pt_wanted(fc) || !capable(CAP_SYS_ADMIN))
		return ERR_PTR(-EPERM);
	file = fget_raw(fd);
	if (!file)
		return ERR_PTR(-EBADF);
	/*
	 * Both descriptors come from privileged openers too, so that a mount
	 * helper passing the option on (a setuid one, from an unprivileged
	 * user) cannot lend a directory, or its own authority, to the user.
	 */
	err = -EPERM;
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) || !dev ||
	    !file_ns_capable(dev, &init_user_ns, CAP_SYS_ADMIN))
		goto out_fput;
	err = -ENOTDIR;
	if (!d_is_dir(file->f_path.dentry))
		goto out_fput;
	err = -ELOOP;
	if (file_inode(file)->i_sb->s_stack_depth >= FILESYSTEM_MAX_STACK_DEPTH)
		goto out_fput;
	err = -EINVAL;
	why = fuse_pt_refused_backing(file);
	if (why) {
		pr_warn("passthrough_root: %s\n", why);
		goto out_fput;
	}
	err = -ENOMEM;
	fb = kmalloc(sizeof(*fb), GFP_KERNEL);
	if (!fb)
		goto out_fput;
	fb->cred = get_current_cred();
	fb->file = file;
	fb->flags = FUSE_BACKING_INODE | FUSE_BACKING_PT_ROOT;
	refcount_set(&fb->count, 1);
	return fb;

out_fput:
	fput(file);
	return ERR_PTR(err);
}

/**
 * fuse_pt_root_prepare() - check the root binding against the super block
 * @sb: the new fuse super block
 * @fb: the root's registration (fuse_pt_root_open()), or NULL
 * @rootmode: the rootmode= option
 *
 * A mount whose root is bound stacks on the backing filesystem from the
 * start, before INIT says how deep it may stack.
 *
 * Return: 0, or -ENOTDIR if rootmode= is not a directory's.
 */
int fuse_pt_root_prepare(struct super_block *sb, struct fuse_backing *fb,
			 umode_t rootmode)
{
	if (!fb)
		return 0;
	if (!S_ISDIR(rootmode))
		return -ENOTDIR;
	sb->s_stack_depth = file_inode(fb->file)->i_sb->s_stack_depth + 1;
	return 0;
}

/**
 * fuse_pt_init_root() - INIT answered: may anything bound be served?
 * @fm: the mount whose INIT reply was processed
 *
 * A failed INIT serves nothing bound.  A root bound at mount time is
 * served only if INIT negotiated FUSE_PASSTHROUGH_DIR with a
 * max_stack_depth above the backing directory's; otherwise the
 * connection fails as a refused INIT does: requests get ECONNREFUSED, and
 * so do the operations of the root, which waited for INIT until now
 * (fuse_pt_ready()).  Called before fuse_set_initialized().
 */
void fuse_pt_init_root(struct fuse_mount *fm)
{
	struct fuse_conn *fc = fm->fc;
	struct fuse_backing *fb;
	struct inode *root;
	const char *why;
	int depth;

	if (fc->conn_error)
		fc->passthrough_dir = 0;
	root = fm->sb && fm->sb->s_root ? d_inode(fm->sb->s_root) : NULL;
	if (!root || !fuse_inode_bound(root))
		return;
	fb = get_fuse_inode(root)->fb;
	depth = file_inode(fb->file)->i_sb->s_stack_depth;
	if (fc->conn_error) {
		why = "INIT failed";
	} else if (!fc->passthrough_dir) {
		why = "INIT did not negotiate FUSE_PASSTHROUGH_DIR";
	} else if (depth >= fc->max_stack_depth) {
		why = "max_stack_depth of INIT too small for it";
	} else {
		/*
		 * Served from now on: its operations need not look at INIT
		 * again (fuse_pt_ready()).  Release: what INIT set is seen by
		 * whoever sees the flag cleared.
		 */
		smp_store_release(&fb->flags, fb->flags & ~FUSE_BACKING_PT_ROOT);
		return;
	}
	pr_warn("mount root bound to a backing directory, but %s: connection refused\n",
		why);
	fc->passthrough_dir = 0;
	fc->conn_init = 0;
	fc->conn_error = 1;
	/* INIT may have set a smaller one: the root still stacks on it */
	fm->sb->s_stack_depth = max(fm->sb->s_stack_depth, depth + 1);
}

/**
 * fuse_pt_same_domain() - may a rename or link join two bindings?
 * @a: registration of one side
 * @b: registration of the other
 *
 * Backing operations run with a registration's credentials: between two
 * registrations made with the same ones, nothing can be done that either
 * could not do alone.  "The same" is the same struct cred: a registration
 * takes a reference to its task's credentials (get_current_cred()), so
 * the registrations of one thread, or of threads sharing credentials, have
 * the same until it changes them (setfsuid(), capset(), a new security
 * label...), when a new struct cred is made.  No field-by-field
 * comparison can see all of what security modules keep there.  The
 * backing mounts are compared by the caller.
 *
 * Return: true for one registration, or two with the same credentials.
 */
bool fuse_pt_same_domain(const struct fuse_backing *a,
			 const struct fuse_backing *b)
{
	return a == b || a->cred == b->cred;
}

/**
 * fuse_pt_bind_matches() - may an existing inode take this reply?
 * @inode: fuse inode found by nodeid
 * @bind: resolved binding of the reply
 *
 * Bindings are made at instantiation and never change: a reply naming a
 * different backing inode (or none for an unbound inode that the reply
 * wants bound) is refused.  A reply without the argument leaves an
 * existing binding alone.
 *
 * Return: true if the reply is consistent with the inode.
 */
bool fuse_pt_bind_matches(struct inode *inode, const struct fuse_pt_bind *bind)
{
	struct fuse_inode *fi = get_fuse_inode(inode);

	if (!bind->fb)
		return true;
	if (fi->backing_inode == file_inode(bind->fb->file) &&
	    bind->subtree == fuse_inode_subtree(inode) &&
	    fuse_pt_filter_matches(inode, bind->filter, bind->cookie))
		return true;
	pr_warn_ratelimited("node %llu is already %s; binding refused\n",
			    fi->nodeid, fi->backing_inode ?
			    "bound to another backing inode" : "served unbound");
	return false;
}

/**
 * fuse_pt_bind_dentry() - give a server-made dentry its backing path
 * @entry: new dentry, not yet hashed
 * @inode: the inode it will be spliced to, or NULL
 *
 * The backing path of an inode bound by the server is the path of the
 * registered backing file.
 */
void fuse_pt_bind_dentry(struct dentry *entry, struct inode *inode)
{
	struct fuse_dentry *fd = fuse_dentry(entry);
	struct fuse_inode *fi;

	if (!inode || !fuse_inode_bound(inode) ||
	    WARN_ON_ONCE(!fuse_dentry_has_data(entry)) ||
	    fd->backing_path.dentry)
		return;
	fi = get_fuse_inode(inode);
	fd->backing_path = fi->fb->file->f_path;
	path_get(&fd->backing_path);
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

struct fuse_pt_key {
	struct inode *backing;
	struct fuse_backing *ctx;
	/* the directory it is looked up in: its filter is inherited */
	struct inode *dir;
};

static int fuse_pt_inode_test(struct inode *inode, void *data)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	struct fuse_pt_key *key = data;

	return !fi->nodeid && fi->backing_inode == key->backing &&
		fi->fb == key->ctx && fuse_pt_filter_same(inode, key->dir);
}

/* Under inode_hash_lock: make the new inode findable by its key at once */
static int fuse_pt_inode_set(struct inode *inode, void *data)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	struct fuse_pt_key *key = data;

	fi->nodeid = 0;
	fi->backing_inode = key->backing;
	fi->fb = key->ctx;
	fuse_pt_filter_inherit(inode, key->dir);
	return 0;
}

/**
 * fuse_pt_iget() - the fuse inode of a backing inode below a subtree root
 * @dir: the subtree directory it is found in
 * @backing: backing inode
 *
 * Such inodes have no node id (the server never hears of them, so nothing
 * is forgotten either) and are hashed by backing inode, registration and
 * filter of the subtree: hard links in one subtree share one fuse inode.
 *
 * Return: the inode with a new reference, or ERR_PTR(-ENOMEM).
 */
struct inode *fuse_pt_iget(struct inode *dir, struct inode *backing)
{
	struct fuse_backing *ctx = get_fuse_inode(dir)->fb;
	struct fuse_pt_key key = { .backing = backing, .ctx = ctx, .dir = dir };
	struct fuse_attr attr;
	struct inode *inode;

	inode = iget5_locked(dir->i_sb, (unsigned long)backing,
			     fuse_pt_inode_test, fuse_pt_inode_set, &key);
	if (!inode)
		return ERR_PTR(-ENOMEM);
	if (inode->i_state & I_NEW) {
		ihold(backing);
		fuse_backing_get(ctx);
		fuse_pt_fill_attr(inode, backing, &attr);
		fuse_init_new_inode(inode, 0, &attr);
		fuse_pt_init_inode(inode, S_ISDIR(backing->i_mode));
		unlock_new_inode(inode);
	} else {
		/* another name of it, or looked up again: attributes may be old */
		fuse_pt_copyattr(inode);
	}
	return inode;
}

/**
 * fuse_pt_lookup() - look up a name in a passthrough subtree directory
 * @dir: subtree directory
 * @entry: dentry to instantiate
 * @flags: lookup flags
 *
 * The name is looked up in the backing directory with the server's
 * credentials; nothing is sent to the server.  Mounts on the backing tree
 * are not crossed and symlinks are returned, not followed.
 *
 * Return: as for inode_operations.lookup.
 */
struct dentry *fuse_pt_lookup(struct inode *dir, struct dentry *entry,
			      unsigned int flags)
{
	struct fuse_dentry *fd = fuse_dentry(entry);
	const struct cred *old_cred;
	struct dentry *backing;
	struct inode *inode;
	struct path parent;
	int err;

	if (fuse_is_bad(dir))
		return ERR_PTR(-EIO);
	err = fuse_pt_backing_path(entry->d_parent, &parent);
	if (err)
		return ERR_PTR(err);

	old_cred = fuse_pt_override_creds(dir);
	backing = lookup_one_unlocked(mnt_idmap(parent.mnt), entry->d_name.name,
				      parent.dentry, entry->d_name.len);
	revert_creds(old_cred);
	if (IS_ERR(backing))
		return ERR_CAST(backing);

	pr_debug("%s: %pd -> %pd (%s)\n", __func__, entry, backing,
		 d_is_negative(backing) ? "negative" : "positive");
	if (fuse_pt_filtered(dir)) {
		/* hidden: a negative dentry, looked up again by every caller */
		err = fuse_pt_filter_lookup(dir, entry, d_inode(backing));
		if (err) {
			dput(backing);
			return err == FUSE_PT_FILTER_HIDDEN ?
				d_splice_alias(NULL, entry) : ERR_PTR(err);
		}
	}
	if (d_is_negative(backing)) {
		dput(backing);
		return d_splice_alias(NULL, entry);
	}

	inode = fuse_pt_iget(dir, d_inode(backing));
	if (IS_ERR(inode)) {
		dput(backing);
		return ERR_CAST(inode);
	}
	fd->backing_path.mnt = mntget(parent.mnt);
	fd->backing_path.dentry = backing;
	fd->backing_seq = raw_read_seqcount(&backing->d_seq);
	fuse_pt_set_entry_forever(entry);

	return d_splice_alias(inode, entry);
}

/**
 * fuse_pt_set_entry_forever() - no entry timeout for a kernel-made dentry
 * @entry: fuse dentry below a subtree root
 *
 * It is revalidated against the backing tree instead (fuse_pt_revalidate()),
 * and stays cached (->d_delete() looks at the timeout).
 */
void fuse_pt_set_entry_forever(struct dentry *entry)
{
	fuse_dentry(entry)->time = get_jiffies_64() + FUSE_PT_DENTRY_FOREVER;
}

/**
 * fuse_pt_parent_is_subtree() - is this dentry made by a subtree lookup?
 * @entry: fuse dentry, possibly in RCU walk
 *
 * Return: true if its parent directory is a passthrough subtree.
 */
bool fuse_pt_parent_is_subtree(struct dentry *entry)
{
	struct inode *dir = d_inode_rcu(READ_ONCE(entry->d_parent));

	return dir && fuse_inode_subtree(dir);
}

/*
 * The fuse name names the backing dentry: the same bytes, or, in a
 * directory that compares names its own way (casefolding), a name that
 * directory takes for it, as __d_lookup() would.  Under both d_locks.
 */
static bool fuse_pt_name_matches(struct dentry *entry, struct dentry *backing,
				 struct dentry *backing_parent)
{
	bool same;

	/* ->d_compare() is written for RCU lookup (__d_lookup_rcu()) */
	rcu_read_lock();
	same = d_same_name(backing, backing_parent, &entry->d_name);
	rcu_read_unlock();
	return same;
}

/* Does the backing dentry still sit at the fuse dentry's name? */
static bool fuse_pt_same_name(struct dentry *entry, struct dentry *backing,
			      struct dentry *backing_parent, unsigned int *seq)
{
	bool same;

	spin_lock(&entry->d_lock);
	spin_lock_nested(&backing->d_lock, DENTRY_D_LOCK_NESTED);
	same = !d_unhashed(backing) && backing->d_parent == backing_parent &&
		fuse_pt_name_matches(entry, backing, backing_parent);
	*seq = raw_read_seqcount(&backing->d_seq);
	spin_unlock(&backing->d_lock);
	spin_unlock(&entry->d_lock);
	return same;
}

/*
 * The name is valid; the VFS is about to act on the inode (sticky and
 * owner checks on a victim of unlink or rename are made on the fuse
 * inode, with no permission call on it): its attributes must be current.
 */
static int fuse_pt_revalidate_attr(struct dentry *entry)
{
	struct inode *inode = d_inode_rcu(entry);

	if (inode && fuse_pt_refresh(inode))
		return -ECHILD;
	return 1;
}

/*
 * The dentry is valid while its backing dentry is still hashed, positive,
 * under the parent's backing dentry and at the same name.
 */
static int fuse_pt_revalidate_name(struct dentry *entry, unsigned int flags)
{
	struct fuse_dentry *fd = fuse_dentry(entry);
	struct dentry *backing = READ_ONCE(fd->backing_path.dentry);
	struct dentry *parent;
	struct path bparent;
	unsigned int seq;
	bool valid;

	/*
	 * Negative: always looked up again.  This also covers a dentry that
	 * fuse_pt_instantiate() gave its backing path but not yet its inode
	 * (as ovl_instantiate() learned in 6.12.11x stable).
	 */
	if (!d_inode_rcu(entry) || !backing || d_unhashed(backing) ||
	    d_is_negative(backing))
		return 0;

	/*
	 * Nothing moved, dropped or unlinked the backing dentry since it was
	 * last found at the right name (d_seq changes with each of those):
	 * valid, in RCU walk or not.  Otherwise compare names under the locks.
	 */
	if (raw_read_seqcount(&backing->d_seq) == READ_ONCE(fd->backing_seq) &&
	    !(backing->d_flags & DCACHE_OP_REVALIDATE))
		return fuse_pt_revalidate_attr(entry);
	if (flags & LOOKUP_RCU)
		return -ECHILD;

	parent = dget_parent(entry);
	valid = d_inode(parent) && fuse_inode_subtree(d_inode(parent)) &&
		!fuse_pt_backing_path(parent, &bparent) &&
		fuse_pt_same_name(entry, backing, bparent.dentry, &seq);
	dput(parent);
	if (!valid)
		return 0;
	if (backing->d_flags & DCACHE_OP_REVALIDATE) {
		/* as the lookup it revalidates: with the server's creds */
		const struct cred *old_cred;
		int ret;

		old_cred = fuse_pt_override_creds(d_inode(entry));
		ret = backing->d_op->d_revalidate(backing, flags);
		revert_creds(old_cred);
		if (ret <= 0)
			return ret;
	}
	WRITE_ONCE(fd->backing_seq, seq);
	return fuse_pt_revalidate_attr(entry);
}

/**
 * fuse_pt_revalidate() - revalidate a dentry below a subtree root
 * @entry: fuse dentry whose parent is a subtree directory
 * @flags: lookup flags
 *
 * The dentry is valid while its backing dentry is still hashed, positive,
 * under the parent's backing dentry and at the same name: a change made
 * directly on the backing tree (unlink, rename, create over a negative
 * entry) is seen at once.  Negative dentries are always looked up again.
 * The attributes of a valid dentry's inode are refreshed from the
 * backing inode.  In a filtered directory the filter is asked again for
 * every caller (fuse_pt_filter_revalidate()).
 *
 * Return: 1 if valid, 0 if not, -ECHILD to retry out of RCU walk, or the
 * filter's errno.
 */
int fuse_pt_revalidate(struct dentry *entry, unsigned int flags)
{
	int ret;

	if (!fuse_pt_filter_parent(entry))
		return fuse_pt_revalidate_name(entry, flags);
	ret = fuse_pt_revalidate_name(entry, flags);
	if (ret > 0)
		ret = fuse_pt_filter_revalidate(entry, flags);
	return ret;
}

/**
 * fuse_pt_dentry_release() - drop a dentry's backing path
 * @fd: fuse dentry data
 */
void fuse_pt_dentry_release(struct fuse_dentry *fd)
{
	if (fd->backing_path.dentry)
		path_put(&fd->backing_path);
}

/**
 * fuse_pt_evict_inode() - end of a binding
 * @inode: fuse inode being evicted
 *
 * An RCU walker in fuse_pt_permission() may still hold the pointers read
 * before they were cleared: the backing inode and the registration are
 * freed after a grace period, and the credentials are taken there with
 * get_cred_rcu().
 */
void fuse_pt_evict_inode(struct inode *inode)
{
	struct fuse_inode *fi = get_fuse_inode(inode);
	struct inode *backing = fi->backing_inode;
	struct fuse_backing *fb = fi->fb;

	if (!backing)
		return;
	WRITE_ONCE(fi->backing_inode, NULL);
	WRITE_ONCE(fi->fb, NULL);
	iput(backing);
	fuse_backing_put(fb);
}
