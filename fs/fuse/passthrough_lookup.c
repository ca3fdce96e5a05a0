// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE directory passthrough: binding server-made inodes to backing files.
 *
 * A fuse inode is bound to a backing inode once, when it is instantiated,
 * and stays bound until it is evicted.  Here it is bound by the server,
 * with a struct fuse_entry_backing_out naming a backing_id in an entry
 * reply, or at mount time (passthrough_root=); below a passthrough subtree
 * the kernel binds what it looks up itself (passthrough_dir.c).  See
 * fuse-dir-passthrough.rst in the filesystems documentation.
 */

#include "fuse_i.h"
#include "passthrough_filter.h"

#include <linux/file.h>
#include <linux/magic.h>
#include <linux/namei.h>
#include <linux/posix_acl.h>

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
 * @dev_admin: the opener of the mount's /dev/fuse file (fd=) had
 *	CAP_SYS_ADMIN in the initial user namespace
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
				       bool dev_admin)
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
	if (!file_ns_capable(file, &init_user_ns, CAP_SYS_ADMIN) || !dev_admin)
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
	fb = kmalloc_obj(*fb);
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

/* The backing directory of a root bound at mount time, if any */
static struct fuse_backing *fuse_pt_root_backing(struct fuse_mount *fm)
{
	struct inode *root;

	root = fm->sb && fm->sb->s_root ? d_inode(fm->sb->s_root) : NULL;
	if (!root || !fuse_inode_bound(root))
		return NULL;
	return get_fuse_inode(root)->fb;
}

/**
 * fuse_pt_root_fits() - may INIT's max_stack_depth enable passthrough?
 * @fm: the mount whose INIT reply is being processed
 * @max_stack_depth: what the reply asks for
 *
 * Asked before INIT sets the super block's s_stack_depth, which must never
 * go below a root bound at mount time, even for a moment: another mount
 * could stack on it meanwhile.  If it does not fit, no passthrough is
 * negotiated and fuse_pt_init_root() refuses the connection.
 *
 * Return: false if the mount root is bound to a backing directory at
 * least that deep.
 */
bool fuse_pt_root_fits(struct fuse_mount *fm, int max_stack_depth)
{
	struct fuse_backing *fb = fuse_pt_root_backing(fm);

	return !fb || file_inode(fb->file)->i_sb->s_stack_depth <
		      max_stack_depth;
}

/**
 * fuse_pt_init_root() - INIT answered: may anything bound be served?
 * @fm: the mount whose INIT reply was processed
 * @ok: INIT succeeded so far
 *
 * A failed INIT serves nothing bound.  A root bound at mount time is
 * served only if INIT negotiated FUSE_PASSTHROUGH_DIR with a
 * max_stack_depth above the backing directory's; otherwise the
 * connection fails as a refused INIT does: requests get ECONNREFUSED, and
 * so do the operations of the root, which waited for INIT until now
 * (fuse_pt_ready()).  Called before the connection is marked initialized,
 * with what INIT made of it so far.  The mount,
 * its super block and root outlive this: INIT is counted in num_waiting
 * (FR_WAITING, fuse_request_queue_background()) until its ->end has run,
 * and umount waits for that (fuse_wait_aborted()) before the super block
 * goes.
 *
 * Return: @ok, or false if the root bound at mount time refuses INIT.
 */
bool fuse_pt_init_root(struct fuse_mount *fm, bool ok)
{
	struct fuse_backing *fb = fuse_pt_root_backing(fm);
	struct fuse_conn *fc = fm->fc;
	const char *why;

	if (!ok)
		fc->passthrough_dir = 0;
	if (!fb)
		return ok;
	if (!ok) {
		why = "INIT failed";
	} else if (!fc->passthrough_dir) {
		/* not asked for, or fuse_pt_root_fits() said no */
		why = "INIT did not negotiate FUSE_PASSTHROUGH_DIR with a max_stack_depth above it";
	} else {
		/*
		 * Served from now on: its operations need not look at INIT
		 * again (fuse_pt_ready()).  Release: what INIT set is seen by
		 * whoever sees the flag cleared.
		 */
		smp_store_release(&fb->flags, fb->flags & ~FUSE_BACKING_PT_ROOT);
		return true;
	}
	pr_warn("mount root bound to a backing directory, but %s: connection refused\n",
		why);
	fc->passthrough_dir = 0;
	return false;
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
