// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE directory passthrough: per-caller BPF filters on passthrough subtrees.
 *
 * A server that wants some callers not to see, make, remove, move or open
 * some names of a subtree it hands to the kernel binds it with
 * FUSE_ENTRY_BACKING_FILTER and a cookie, and registers a struct_ops of
 * type fuse_pt_filter_ops for its connection.  The kernel calls the hooks
 * in the caller's context before the operation, with the caller's ids,
 * the cookie, the name (case-folded as the backing directory compares
 * names) and backing attributes.  A hook can only let the operation go
 * on, as the backing filesystem then checks it, or refuse it: verdicts
 * never widen access, rename or redirect.  Every failure (no filter
 * registered, a filter unregistered while the subtree is in use, an
 * unknown verdict) refuses the operation: fail closed.
 */

#include "fuse_i.h"
#include "passthrough_filter.h"

#include <linux/bpf.h>
#include <linux/bpf_verifier.h>
#include <linux/btf.h>
#include <linux/file.h>
#include <linux/namei.h>
#include <linux/pid_namespace.h>
#include <linux/unicode.h>

/* Which member of struct fuse_pt_filter_ops is asked */
enum fuse_pt_filter_hook {
	FUSE_PT_HOOK_LOOKUP,
	FUSE_PT_HOOK_CREATE,
	FUSE_PT_HOOK_REMOVE,
	FUSE_PT_HOOK_RENAME,
	FUSE_PT_HOOK_OPEN,
};

/* Protects fuse_conn.pt_filter and fuse_pt_filter_ops.fc */
static DEFINE_MUTEX(fuse_pt_filter_mutex);

/*
 * fuse_pt_filter_ops.fc of a registration whose connection went away:
 * until it is unregistered, the struct_ops cannot be registered again
 * (by a second link of the same map), so that the stale registration's
 * unregistering cannot detach the new one.
 */
#define FUSE_PT_FILTER_GONE	((struct fuse_conn *)-1L)

/*
 * A hook's return value as an errno, or FUSE_PT_FILTER_HIDDEN.  Hiding a
 * name that is being made (create family, link, rename) refuses it with
 * EACCES, what making a hidden name gives (fuse_pt_filter_revalidate(),
 * fuse_pt_create()): so that it tells nothing about the name.
 */
static int fuse_pt_filter_verdict(int ret, enum fuse_pt_filter_hook hook)
{
	if (ret == FUSE_PT_FILTER_CONTINUE)
		return 0;
	if (ret == FUSE_PT_FILTER_HIDE) {
		switch (hook) {
		case FUSE_PT_HOOK_LOOKUP:
			return FUSE_PT_FILTER_HIDDEN;
		case FUSE_PT_HOOK_REMOVE:
		case FUSE_PT_HOOK_OPEN:
			return -ENOENT;
		default:
			return -EACCES;
		}
	}
	/*
	 * Errnos the VFS acts on itself (ECHILD: retry out of RCU walk,
	 * ESTALE: retry with LOOKUP_REVAL) and anything outside the uapi's
	 * errnos are not a filter's to return.
	 */
	if (ret < 0 && ret >= -EHWPOISON && ret != -ECHILD && ret != -ESTALE)
		return ret;
	return -EACCES;
}

static void fuse_pt_filter_node(struct fuse_conn *fc,
				struct fuse_pt_filter_node *node,
				struct inode *inode)
{
	node->ino = inode->i_ino;
	node->mode = inode->i_mode;
	node->uid = from_kuid(fc->user_ns, inode->i_uid);
	node->gid = from_kgid(fc->user_ns, inode->i_gid);
	node->nlink = inode->i_nlink;
}

/*
 * The name as the backing directory @bdir compares it: case-folded in a
 * case-insensitive directory (the fold also drops what the encoding
 * ignores), so a filter cannot be passed with another spelling of a
 * name the backing filesystem takes for the same.  A name that is no
 * valid UTF-8 is compared byte by byte there too, and passed as it is.
 */
static int fuse_pt_filter_name(struct fuse_pt_filter_args *args,
			       struct inode *bdir, const struct qstr *name)
{
#if IS_ENABLED(CONFIG_UNICODE)
	const struct unicode_map *um = bdir->i_sb->s_encoding;
	int len;
#endif

	/* what a previous name left (readdir) is no program's to see */
	memset(args->name, 0, args->name_len);
	args->name_len = 0;
	args->flags &= ~FUSE_PT_FILTER_CASEFOLD;
#if IS_ENABLED(CONFIG_UNICODE)
	if (um && IS_CASEFOLDED(bdir)) {
		len = utf8_casefold(um, name, args->name, NAME_MAX + 1);
		if (len >= 0) {
			args->name[len] = 0;
			args->name_len = len;
			args->flags |= FUSE_PT_FILTER_CASEFOLD;
			return 0;
		}
		/* nor what a fold that failed half way wrote */
		memset(args->name, 0, sizeof(args->name));
		/* longer once folded than a name may be: fail closed */
		if (utf8_validate(um, name) == 0)
			return -EACCES;
	}
#endif
	if (name->len > NAME_MAX)
		return -ENAMETOOLONG;
	memcpy(args->name, name->name, name->len);
	args->name[name->len] = 0;
	args->name_len = name->len;
	return 0;
}

/*
 * Fill what every hook sees about the caller (@cred) and directory @dir,
 * and the name of @entry (NULL: no name), stable under its d_lock.  The
 * whole block is cleared: no byte of kernel memory reaches a program
 * that it is not meant to see.  In RCU walk too: the backing inodes are
 * freed after a grace period (fuse_pt_evict_inode()).
 */
static int fuse_pt_filter_caller_args(struct fuse_pt_filter_args *args,
				      const struct cred *cred,
				      struct inode *dir, struct dentry *entry,
				      enum fuse_pt_filter_op op)
{
	struct fuse_conn *fc = get_fuse_conn(dir);
	struct fuse_inode *dfi = get_fuse_inode(dir);
	struct inode *bdir = READ_ONCE(dfi->backing_inode);
	int err = 0;

	memset(args, 0, sizeof(*args));
	if (!bdir)
		return -ECHILD;
	args->op = op;
	if (!fuse_pt_filtered(dir))
		args->flags |= FUSE_PT_FILTER_OUTSIDE;
	else if (dfi->nodeid)
		args->flags |= FUSE_PT_FILTER_TOP;
	if (fuse_pt_filtered(dir))
		args->cookie = dfi->pt_filter_cookie;
	args->uid = from_kuid(fc->user_ns, cred->fsuid);
	args->gid = from_kgid(fc->user_ns, cred->fsgid);
	args->pid = task_tgid_nr_ns(current, fc->pid_ns);
	fuse_pt_filter_node(fc, &args->dir, bdir);
	if (entry) {
		spin_lock(&entry->d_lock);
		err = fuse_pt_filter_name(args, bdir, &entry->d_name);
		spin_unlock(&entry->d_lock);
	}
	return err;
}

static int fuse_pt_filter_args(struct fuse_pt_filter_args *args,
			       struct inode *dir, struct dentry *entry,
			       enum fuse_pt_filter_op op)
{
	return fuse_pt_filter_caller_args(args, current_cred(), dir, entry,
					  op);
}

static void fuse_pt_filter_child(struct fuse_pt_filter_args *args,
				 struct inode *dir, struct inode *child)
{
	if (!child)
		return;
	fuse_pt_filter_node(get_fuse_conn(dir), &args->child, child);
	args->flags |= FUSE_PT_FILTER_CHILD;
}

/* The backing inode of a positive fuse dentry, or NULL (RCU walk too) */
static struct inode *fuse_pt_filter_backing(struct dentry *entry)
{
	struct inode *inode = d_inode_rcu(entry);

	return inode ? READ_ONCE(get_fuse_inode(inode)->backing_inode) : NULL;
}

/*
 * Run one hook of @fc's filter.  Without one registered: EACCES.  Hooks
 * run under rcu_read_lock(): unregistering waits for them (synchronize_rcu()
 * in fuse_pt_filter_unreg()), and they may run in RCU path walk.
 */
static int fuse_pt_filter_run(struct fuse_conn *fc,
			      enum fuse_pt_filter_hook hook,
			      const struct fuse_pt_filter_args *a,
			      const struct fuse_pt_filter_args *b)
{
	const struct fuse_pt_filter_ops *ops;
	int (*fn)(const struct fuse_pt_filter_args *args) = NULL;
	int ret = -EACCES;

	rcu_read_lock();
	ops = rcu_dereference(fc->pt_filter);
	if (!ops)
		goto out;
	ret = FUSE_PT_FILTER_CONTINUE;
	switch (hook) {
	case FUSE_PT_HOOK_LOOKUP:
		fn = ops->lookup;
		break;
	case FUSE_PT_HOOK_CREATE:
		fn = ops->create;
		break;
	case FUSE_PT_HOOK_REMOVE:
		fn = ops->remove;
		break;
	case FUSE_PT_HOOK_OPEN:
		fn = ops->open;
		break;
	case FUSE_PT_HOOK_RENAME:
		if (ops->rename)
			ret = ops->rename(a, b);
		goto out;
	}
	if (fn)
		ret = fn(a);
out:
	rcu_read_unlock();
	return fuse_pt_filter_verdict(ret, hook);
}

/**
 * fuse_pt_filter_lookup() - may the caller see a name of a filtered dir?
 * @dir: filtered subtree directory
 * @entry: the fuse dentry of the name
 * @child: the backing inode found at the name, or NULL if there is none
 *
 * Return: 0, FUSE_PT_FILTER_HIDDEN, or a negative errno.
 */
int fuse_pt_filter_lookup(struct inode *dir, struct dentry *entry,
			  struct inode *child)
{
	struct fuse_pt_filter_args args;
	int err;

	err = fuse_pt_filter_args(&args, dir, entry, FUSE_PT_FILTER_LOOKUP);
	if (err)
		return err;
	fuse_pt_filter_child(&args, dir, child);
	return fuse_pt_filter_run(get_fuse_conn(dir), FUSE_PT_HOOK_LOOKUP,
				  &args, NULL);
}

/**
 * fuse_pt_filter_revalidate() - a cached name, for this caller
 * @entry: positive fuse dentry whose parent is filtered, valid otherwise
 * @flags: lookup flags
 *
 * A dentry is shared by all callers, so the filter is asked again by
 * every one that walks through it, even while others hold it in use.  To
 * a caller it is hidden from, the name is missing: ENOENT; and creating
 * it (the last name of open(O_CREAT), mkdir, rename's target...) is
 * refused with EACCES, as a create over a hidden name is
 * (fuse_pt_create()).  The dentry itself stays valid: invalidating it
 * would detach whatever is mounted on it, for everyone.  In RCU walk the
 * parent and the inodes are read as the walk reads them (it checks d_seq
 * after), and the name under its d_lock.
 *
 * Return: 1 if the caller may see it, -ECHILD to retry out of RCU walk, or
 * a negative errno.
 */
int fuse_pt_filter_revalidate(struct dentry *entry, unsigned int flags)
{
	bool rcu = flags & LOOKUP_RCU;
	struct dentry *parent;
	struct inode *dir;
	int ret = 1;

	if (rcu) {
		parent = READ_ONCE(entry->d_parent);
		dir = d_inode_rcu(parent);
	} else {
		parent = dget_parent(entry);
		dir = d_inode(parent);
	}

	if (dir && fuse_pt_filtered(dir)) {
		ret = fuse_pt_filter_lookup(dir, entry,
					    fuse_pt_filter_backing(entry));
		if (ret == FUSE_PT_FILTER_HIDDEN)
			ret = flags & (LOOKUP_CREATE | LOOKUP_EXCL |
				       LOOKUP_RENAME_TARGET) ?
				-EACCES : -ENOENT;
		else if (!ret)
			ret = 1;
	}
	if (!rcu)
		dput(parent);
	return ret;
}

/**
 * fuse_pt_filter_attached() - is a filter registered for this directory?
 * @dir: filtered subtree directory
 *
 * Return: false if its operations would all be refused.
 */
bool fuse_pt_filter_attached(struct inode *dir)
{
	return rcu_access_pointer(get_fuse_conn(dir)->pt_filter);
}

/**
 * fuse_pt_filter_readdir_start() - the arguments of a listing's entries
 * @args: filled with the caller and the directory, once per listing
 * @dir: filtered subtree directory
 *
 * Called before the listing switches to the server's credentials.
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_filter_readdir_start(struct fuse_pt_filter_args *args,
				 struct inode *dir)
{
	int err;

	err = fuse_pt_filter_args(args, dir, NULL, FUSE_PT_FILTER_READDIR);
	args->flags |= FUSE_PT_FILTER_CHILD_TYPE;
	return err;
}

/**
 * fuse_pt_filter_readdir() - list this entry of a filtered directory?
 * @dir: filtered subtree directory
 * @args: from fuse_pt_filter_readdir_start()
 * @name: the entry's name, as the backing directory lists it
 * @len: its length
 * @ino: its inode number on the backing filesystem
 * @d_type: its DT_* type
 *
 * The lookup hook decides, with what a listing has of the child (number
 * and type); anything but "go on" leaves the entry out.
 *
 * Return: true to list it.
 */
bool fuse_pt_filter_readdir(struct inode *dir, struct fuse_pt_filter_args *args,
			    const char *name, int len, u64 ino,
			    unsigned int d_type)
{
	struct qstr q = QSTR_INIT(name, len);

	if (fuse_pt_filter_name(args, get_fuse_inode(dir)->backing_inode, &q))
		return false;
	args->child.ino = ino;
	args->child.mode = (d_type << 12) & S_IFMT;
	return !fuse_pt_filter_run(get_fuse_conn(dir), FUSE_PT_HOOK_LOOKUP,
				   args, NULL);
}

/**
 * fuse_pt_filter_create() - may the caller make this name?
 * @dir: filtered subtree directory
 * @entry: the new name; NULL for O_TMPFILE
 * @mode: type and mode asked for
 * @op: FUSE_PT_FILTER_CREATE, _MKDIR, _SYMLINK or _TMPFILE
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_filter_create(struct inode *dir, struct dentry *entry,
			  umode_t mode, enum fuse_pt_filter_op op)
{
	struct fuse_pt_filter_args args;
	int err;

	err = fuse_pt_filter_args(&args, dir, entry, op);
	if (err)
		return err;
	args.mode = mode;
	return fuse_pt_filter_run(get_fuse_conn(dir), FUSE_PT_HOOK_CREATE,
				  &args, NULL);
}

/**
 * fuse_pt_filter_remove() - may the caller remove this name?
 * @dir: filtered subtree directory
 * @entry: positive dentry
 * @isdir: rmdir
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_filter_remove(struct inode *dir, struct dentry *entry, bool isdir)
{
	struct fuse_pt_filter_args args;
	int err;

	err = fuse_pt_filter_args(&args, dir, entry, isdir ?
				  FUSE_PT_FILTER_RMDIR : FUSE_PT_FILTER_UNLINK);
	if (err)
		return err;
	fuse_pt_filter_child(&args, dir, fuse_pt_filter_backing(entry));
	return fuse_pt_filter_run(get_fuse_conn(dir), FUSE_PT_HOOK_REMOVE,
				  &args, NULL);
}

/* Rename and link: both sides, each marked OUTSIDE if not filtered */
static int fuse_pt_filter_move(struct inode *olddir, struct dentry *oldent,
			       struct inode *newdir, struct dentry *newent,
			       unsigned int flags, enum fuse_pt_filter_op op)
{
	struct fuse_pt_filter_args *args;
	int err;

	args = kcalloc(2, sizeof(*args), GFP_KERNEL);
	if (!args)
		return -ENOMEM;
	err = fuse_pt_filter_args(&args[0], olddir, oldent, op);
	if (!err)
		err = fuse_pt_filter_args(&args[1], newdir, newent, op);
	if (!err) {
		fuse_pt_filter_child(&args[0], olddir,
				     fuse_pt_filter_backing(oldent));
		fuse_pt_filter_child(&args[1], newdir,
				     fuse_pt_filter_backing(newent));
		args[0].rename_flags = flags;
		args[1].rename_flags = flags;
		err = fuse_pt_filter_run(get_fuse_conn(olddir),
					 FUSE_PT_HOOK_RENAME, &args[0],
					 &args[1]);
	}
	kfree(args);
	return err;
}

/**
 * fuse_pt_filter_rename() - may the caller move this name?
 * @olddir: directory of @oldent
 * @oldent: source
 * @newdir: directory of @newent
 * @newent: target, positive or not
 * @flags: RENAME_* flags
 *
 * One of the directories is filtered; the other side is marked
 * FUSE_PT_FILTER_OUTSIDE if it is not.  The two argument blocks are
 * allocated: they do not both fit on the stack of a rename.
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_filter_rename(struct inode *olddir, struct dentry *oldent,
			  struct inode *newdir, struct dentry *newent,
			  unsigned int flags)
{
	return fuse_pt_filter_move(olddir, oldent, newdir, newent, flags,
				   FUSE_PT_FILTER_RENAME);
}

/**
 * fuse_pt_filter_link() - may the caller give this inode a new name?
 * @olddir: directory of @oldent
 * @oldent: existing name
 * @newdir: directory of the new name
 * @newent: the new name, negative
 *
 * As rename, both sides: a link out of a filtered directory is a new way
 * to the inode, which the filter must see (FUSE_PT_FILTER_LINK).
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_filter_link(struct inode *olddir, struct dentry *oldent,
			struct inode *newdir, struct dentry *newent)
{
	return fuse_pt_filter_move(olddir, oldent, newdir, newent, 0,
				   FUSE_PT_FILTER_LINK);
}

/**
 * fuse_pt_filter_open() - may the caller open this inode?
 * @file: file being opened, whose parent directory is filtered
 *
 * The directory a name is in decides, not where the inode was first
 * looked up: a file moved out of a filtered directory is no longer
 * filtered, one moved in is (the rename hook saw both moves).
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_filter_open(struct file *file)
{
	struct dentry *entry = file->f_path.dentry;
	struct fuse_pt_filter_args args;
	struct dentry *parent;
	struct inode *dir;
	int err = 0;

	parent = dget_parent(entry);
	dir = d_inode(parent);
	if (dir && fuse_pt_filtered(dir)) {
		err = fuse_pt_filter_args(&args, dir, entry,
					  FUSE_PT_FILTER_OPEN);
		if (!err) {
			fuse_pt_filter_child(&args, dir,
					     fuse_pt_filter_backing(entry));
			args.open_flags = file->f_flags;
			err = fuse_pt_filter_run(get_fuse_conn(dir),
						 FUSE_PT_HOOK_OPEN, &args,
						 NULL);
		}
	}
	dput(parent);
	return err;
}

/**
 * fuse_pt_filter_backing_ok() - may a subtree of this directory be filtered?
 * @file: the registered backing directory
 *
 * A filter compares names as the kernel passes them, which is as the
 * backing directory compares them only where that is bytes, or the
 * case-folding of the filesystem's encoding (fuse_pt_filter_name()).  A
 * filesystem that matches names its own way (vfat, exfat, ntfs3, hfsplus:
 * dentry operations that hash or compare, without an encoding) would take
 * other spellings for a name the filter was asked about.
 *
 * Return: true if its names can be passed as the filesystem compares them.
 */
bool fuse_pt_filter_backing_ok(struct file *file)
{
	struct dentry *dentry = file->f_path.dentry;

	if (!(dentry->d_flags & (DCACHE_OP_HASH | DCACHE_OP_COMPARE)))
		return true;
#if IS_ENABLED(CONFIG_UNICODE)
	if (dentry->d_sb->s_encoding)
		return true;
#endif
	return false;
}

/* The struct_ops type */

static int fuse_pt_filter_ops_init(struct btf *btf)
{
	return 0;
}

static int fuse_pt_filter_check_member(const struct btf_type *t,
				       const struct btf_member *member,
				       const struct bpf_prog *prog)
{
	/* hooks run under RCU, in RCU path walk too */
	if (prog->sleepable)
		return -EINVAL;
	return 0;
}

static int fuse_pt_filter_init_member(const struct btf_type *t,
				      const struct btf_member *member,
				      void *kdata, const void *udata)
{
	const struct fuse_pt_filter_ops *uops = udata;
	struct fuse_pt_filter_ops *kops = kdata;
	u32 moff = __btf_member_bit_offset(t, member) / 8;

	switch (moff) {
	case offsetof(struct fuse_pt_filter_ops, fuse_fd):
		kops->fuse_fd = uops->fuse_fd;
		return 1;
	case offsetof(struct fuse_pt_filter_ops, flags):
		if (uops->flags)
			return -EINVAL;
		return 1;
	}
	return 0;
}

/*
 * Register: in the task that registers the struct_ops (BPF_MAP_UPDATE_ELEM
 * of the map, or BPF_LINK_CREATE of a struct_ops link), which must hold
 * the connection's /dev/fuse fd and CAP_SYS_ADMIN, as registering backing
 * files does: a filter is the access control of subtrees served with the
 * server's credentials.  One filter per connection.
 */
static int fuse_pt_filter_reg(void *kdata, struct bpf_link *link)
{
	struct fuse_pt_filter_ops *ops = kdata;
	struct fuse_conn *fc;
	struct file *file;
	int err;

	if (!capable(CAP_SYS_ADMIN))
		return -EPERM;
	file = fget(ops->fuse_fd);
	if (!file)
		return -EBADF;
	/* not /dev/fuse, or not yet mounted: no connection */
	err = -EINVAL;
	fc = fuse_dev_file_conn(file);
	if (!fc)
		goto out_fput;
	err = -EOPNOTSUPP;
	if (!fuse_conn_initialized(fc) || !fc->passthrough_dir)
		goto out_fput;

	mutex_lock(&fuse_pt_filter_mutex);
	err = -EBUSY;
	if (!ops->fc && !rcu_access_pointer(fc->pt_filter)) {
		ops->fc = fc;
		rcu_assign_pointer(fc->pt_filter, ops);
		err = 0;
	}
	mutex_unlock(&fuse_pt_filter_mutex);
out_fput:
	fput(file);
	return err;
}

/* Detach; operations of filtered subtrees are refused from now on */
static void fuse_pt_filter_unreg(void *kdata, struct bpf_link *link)
{
	struct fuse_pt_filter_ops *ops = kdata;

	mutex_lock(&fuse_pt_filter_mutex);
	if (ops->fc && ops->fc != FUSE_PT_FILTER_GONE)
		RCU_INIT_POINTER(ops->fc->pt_filter, NULL);
	ops->fc = NULL;
	mutex_unlock(&fuse_pt_filter_mutex);
	/* no hook runs the programs once this returns */
	synchronize_rcu();
}

/**
 * fuse_pt_filter_conn_free() - a connection goes away with its filter
 * @fc: connection being freed; no inode of it is left
 *
 * The struct_ops stays registered until its owner unregisters it, bound
 * to nothing (FUSE_PT_FILTER_GONE).
 */
void fuse_pt_filter_conn_free(struct fuse_conn *fc)
{
	struct fuse_pt_filter_ops *ops;

	mutex_lock(&fuse_pt_filter_mutex);
	ops = rcu_dereference_protected(fc->pt_filter,
					lockdep_is_held(&fuse_pt_filter_mutex));
	if (ops) {
		ops->fc = FUSE_PT_FILTER_GONE;
		RCU_INIT_POINTER(fc->pt_filter, NULL);
	}
	mutex_unlock(&fuse_pt_filter_mutex);
}

static bool fuse_pt_filter_is_valid_access(int off, int size,
					   enum bpf_access_type type,
					   const struct bpf_prog *prog,
					   struct bpf_insn_access_aux *info)
{
	return bpf_tracing_btf_ctx_access(off, size, type, prog, info);
}

/* No btf_struct_access: what the hooks are passed is read only */
static const struct bpf_verifier_ops fuse_pt_filter_verifier_ops = {
	.get_func_proto = bpf_base_func_proto,
	.is_valid_access = fuse_pt_filter_is_valid_access,
};

static int fuse_pt_filter_stub(const struct fuse_pt_filter_args *args)
{
	return FUSE_PT_FILTER_CONTINUE;
}

static int fuse_pt_filter_stub_rename(const struct fuse_pt_filter_args *from,
				      const struct fuse_pt_filter_args *to)
{
	return FUSE_PT_FILTER_CONTINUE;
}

static struct fuse_pt_filter_ops fuse_pt_filter_stubs = {
	.lookup = fuse_pt_filter_stub,
	.create = fuse_pt_filter_stub,
	.remove = fuse_pt_filter_stub,
	.rename = fuse_pt_filter_stub_rename,
	.open = fuse_pt_filter_stub,
};

static struct bpf_struct_ops fuse_pt_filter_struct_ops = {
	.verifier_ops = &fuse_pt_filter_verifier_ops,
	.init = fuse_pt_filter_ops_init,
	.check_member = fuse_pt_filter_check_member,
	.init_member = fuse_pt_filter_init_member,
	.reg = fuse_pt_filter_reg,
	.unreg = fuse_pt_filter_unreg,
	.cfi_stubs = &fuse_pt_filter_stubs,
	.name = "fuse_pt_filter_ops",
	.owner = THIS_MODULE,
};

/**
 * fuse_pt_filter_init() - register the struct_ops type
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_filter_init(void)
{
	/* what programs compare their arguments with, in BTF */
	BTF_TYPE_EMIT_ENUM(FUSE_PT_FILTER_LOOKUP);
	BTF_TYPE_EMIT_ENUM(FUSE_PT_FILTER_CONTINUE);
	BTF_TYPE_EMIT_ENUM(FUSE_PT_FILTER_TOP);
	return register_bpf_struct_ops(&fuse_pt_filter_struct_ops,
				       fuse_pt_filter_ops);
}
