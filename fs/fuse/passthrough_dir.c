// SPDX-License-Identifier: GPL-2.0
/*
 * FUSE directory passthrough: directories of a passthrough subtree.
 *
 * Names are looked up in the backing directory with the server's
 * credentials, and the inodes found are bound to their backing inodes by
 * the kernel (fuse_pt_iget()): they have no node id.  Their dentries are
 * revalidated against the backing tree, not by entry timeout.
 *
 * readdir iterates the backing directory: names, d_type, d_ino and the
 * directory offsets (telldir/seekdir cookies) are the backing
 * filesystem's.  No FUSE_OPENDIR, FUSE_READDIR or FUSE_RELEASEDIR is sent.
 *
 * Namespace changes (create, mknod, mkdir, symlink, link, unlink, rmdir,
 * rename, tmpfile) are made on the backing directory under its lock, as
 * overlayfs does: the backing dentry is looked up again under the lock and
 * checked to be the one the fuse dentry is bound to, and a new fuse inode
 * is instantiated from the new backing inode (no d_drop and re-lookup).
 */

#include "fuse_i.h"
#include "passthrough_filter.h"

#include <linux/backing-file.h>
#include <linux/file.h>
#include <linux/namei.h>
#include <linux/security.h>

/* Entry timeout of kernel-made dentries: they are revalidated otherwise */
#define FUSE_PT_DENTRY_FOREVER	BIT_ULL(62)

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
void fuse_pt_init_inode(struct inode *inode, bool subtree)
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
	if (inode_state_read_once(inode) & I_NEW) {
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
	backing = lookup_one_unlocked(mnt_idmap(parent.mnt),
				      &QSTR_LEN(entry->d_name.name,
						entry->d_name.len),
				      parent.dentry);
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

	/* only a dentry with the passthrough part can hold a backing path */
	if (WARN_ON_ONCE(!fuse_dentry_has_data(entry)))
		inode = ERR_PTR(-EIO);
	else
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
		/*
		 * As the lookup it revalidates: with the server's creds; and
		 * as ovl_revalidate_real(): the backing dentry's own parent and
		 * a snapshot of its name, held across the call.
		 */
		const struct cred *old_cred;
		struct name_snapshot n;
		struct dentry *bdparent;
		int ret;

		old_cred = fuse_pt_override_creds(d_inode(entry));
		bdparent = dget_parent(backing);
		take_dentry_name_snapshot(&n, backing);
		ret = backing->d_op->d_revalidate(d_inode(bdparent), &n.name,
						  backing, flags);
		release_dentry_name_snapshot(&n);
		dput(bdparent);
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
	int ret = fuse_pt_revalidate_name(entry, flags);

	if (ret > 0 && unlikely(fuse_pt_filter_parent(entry)))
		ret = fuse_pt_filter_revalidate(entry, flags);
	return ret;
}

/*
 * A readdir whose d_ino are mapped as st_ino is (fuse_pt_map_ino()), or
 * whose entries a filter may leave out (@dir)
 */
struct fuse_pt_readdir {
	struct dir_context ctx;
	struct dir_context *caller;
	u64 ino_space;
	struct inode *dir;
	/* filtered directories only: the arguments of the lookup hook */
	struct fuse_pt_filter_args *filter;
};

static bool fuse_pt_filldir(struct dir_context *ctx, const char *name,
			    int namelen, loff_t offset, u64 ino,
			    unsigned int d_type)
{
	struct fuse_pt_readdir *rd = container_of(ctx, struct fuse_pt_readdir,
						  ctx);

	/* as ovl_fill_real(): the caller's position follows the backing one */
	rd->caller->pos = ctx->pos;
	if (rd->dir && !name_is_dot_dotdot(name, namelen) &&
	    !fuse_pt_filter_readdir(rd->dir, rd->filter, name, namelen, ino,
				    d_type))
		return true;
	if (!(ino >> FUSE_PT_XINO_SHIFT))
		ino |= rd->ino_space;
	return rd->caller->actor(rd->caller, name, namelen, offset, ino,
				 d_type);
}

static int fuse_pt_iterate_shared(struct file *file, struct dir_context *ctx)
{
	struct fuse_file *ff = file->private_data;
	struct file *backing_file = fuse_file_passthrough(ff);
	struct fuse_pt_readdir rd = {
		.ctx.actor = fuse_pt_filldir,
		.caller = ctx,
	};
	const struct cred *old_cred;
	struct kstat stat;
	int err;

	if (fuse_is_bad(file_inode(file)))
		return -EIO;
	if (fuse_pt_filtered(file_inode(file))) {
		/* no filter registered: nothing listed (fail closed) */
		if (!fuse_pt_filter_attached(file_inode(file)))
			return -EACCES;
		rd.filter = kzalloc_obj(*rd.filter);
		if (!rd.filter)
			return -ENOMEM;
		rd.dir = file_inode(file);
		err = fuse_pt_filter_readdir_start(rd.filter, rd.dir);
		if (err)
			goto out;
	}

	/* the number space of the directory's entries is the directory's */
	err = vfs_getattr_nosec(&backing_file->f_path, &stat, STATX_INO,
				AT_STATX_DONT_SYNC);
	if (err)
		goto out;
	/* no place in the mount's number space: the numbers as they are */
	if (!fuse_pt_map_ino(file_inode(file), stat.dev, &rd.ino_space))
		rd.ino_space = 0;

	/* iterate_dir() carries the position in and out through ctx->pos */
	backing_file->f_pos = ctx->pos;
	old_cred = override_creds(ff->cred);
	if (!rd.ino_space && !rd.dir) {
		err = iterate_dir(backing_file, ctx);
	} else {
		rd.ctx.pos = ctx->pos;
		err = iterate_dir(backing_file, &rd.ctx);
		ctx->pos = rd.ctx.pos;
	}
	revert_creds(old_cred);
out:
	kfree(rd.filter);
	return err;
}

/* One wrapper per backing VFS call: the place to audit idmaps and locks */

/* @entry's name in the backing directory @dir, which the caller locked */
static struct dentry *fuse_pt_lookup_one(const struct path *dir,
					 struct dentry *entry)
{
	return lookup_one(mnt_idmap(dir->mnt),
			  &QSTR_LEN(entry->d_name.name, entry->d_name.len),
			  dir->dentry);
}

/*
 * Lock the backing directory @dir and look up @entry's name in it, for a
 * new name: negative, or positive if the name was made on the backing tree
 * since @entry was looked up.  end_creating() unlocks it.
 */
static struct dentry *fuse_pt_start_creating(const struct path *dir,
					     struct dentry *entry)
{
	return start_creating(mnt_idmap(dir->mnt), dir->dentry,
			      &QSTR_LEN(entry->d_name.name, entry->d_name.len));
}

/*
 * Make @child, from fuse_pt_start_creating().  Return: the new backing
 * dentry, still locked (@child, or the one vfs_mkdir() returned instead);
 * or an error, with @child unlocked and put, as vfs_mkdir() does.
 */
static struct dentry *fuse_pt_do_create(const struct path *dir,
					struct dentry *child, umode_t mode,
					dev_t rdev, const char *link)
{
	struct mnt_idmap *idmap = mnt_idmap(dir->mnt);
	struct inode *bdir = d_inode(dir->dentry);
	int err;

	switch (mode & S_IFMT) {
	case S_IFREG:
		err = vfs_create(idmap, child, mode, NULL);
		break;
	case S_IFDIR:
		child = vfs_mkdir(idmap, bdir, child, mode, NULL);
		pr_debug("mkdir(0%o) = %pe\n", mode, child);
		return child;
	case S_IFLNK:
		err = vfs_symlink(idmap, bdir, child, link, NULL);
		break;
	default:
		err = vfs_mknod(idmap, bdir, child, mode, rdev, NULL);
		break;
	}
	pr_debug("create(%pd2, 0%o) = %i\n", child, mode, err);
	if (err) {
		end_creating(child);
		return ERR_PTR(err);
	}
	return child;
}

static int fuse_pt_do_link(struct dentry *old, const struct path *dir,
			   struct dentry *entry)
{
	int err;

	err = vfs_link(old, mnt_idmap(dir->mnt), d_inode(dir->dentry), entry,
		       NULL);
	pr_debug("link(%pd2, %pd2) = %i\n", old, entry, err);
	return err;
}

static int fuse_pt_do_remove(const struct path *dir, struct dentry *entry,
			     bool isdir)
{
	struct mnt_idmap *idmap = mnt_idmap(dir->mnt);
	int err;

	if (isdir)
		err = vfs_rmdir(idmap, d_inode(dir->dentry), entry, NULL);
	else
		err = vfs_unlink(idmap, d_inode(dir->dentry), entry, NULL);
	pr_debug("%s(%pd2) = %i\n", isdir ? "rmdir" : "unlink", entry, err);
	return err;
}

/* @rd from start_renaming() */
static int fuse_pt_do_rename(struct renamedata *rd)
{
	int err;

	err = vfs_rename(rd);
	pr_debug("rename(%pd2, %pd2, 0x%x) = %i\n", rd->old_dentry,
		 rd->new_dentry, rd->flags, err);
	return err;
}

/*
 * Credentials for creating: the server's, limited to the caller
 * (fuse_pt_caller_creds()), so that new objects belong to the caller
 * (with the backing directory's setgid inheritance, the caller's umask and
 * the directory's default ACLs applied by the backing filesystem) and
 * count against the caller's quota, as overlayfs creates with the
 * mounter's credentials and the caller's ids.
 */
static const struct cred *
fuse_pt_create_creds(struct inode *dir, struct dentry *entry, umode_t mode)
{
	const struct cred *caller = current_cred();
	struct cred *cred;
	int err;

	cred = fuse_pt_caller_creds(dir);
	if (!cred)
		return ERR_PTR(-ENOMEM);
	/*
	 * As ovl_setup_cred_for_create(): a security module labels the new
	 * object for the caller, not for the server.
	 */
	err = security_dentry_create_files_as(entry, mode, &entry->d_name,
					      caller, cred);
	if (err) {
		put_cred(cred);
		return ERR_PTR(err);
	}
	/* our reference goes in fuse_pt_revert_caller_creds() */
	return override_creds(cred);
}

/* Give a fuse dentry the backing dentry @child (reference moved) */
static void fuse_pt_set_backing(struct dentry *entry, const struct path *dir,
				struct dentry *child)
{
	struct fuse_dentry *fd = fuse_dentry(entry);

	if (fd->backing_path.dentry)
		path_put(&fd->backing_path);
	fd->backing_path.mnt = mntget(dir->mnt);
	fd->backing_path.dentry = child;
	fd->backing_seq = raw_read_seqcount(&child->d_seq);
	fuse_pt_set_entry_forever(entry);
}

/*
 * Instantiate a negative fuse dentry from the backing dentry just created
 * for it, under the backing parent's lock: no d_drop() and re-lookup.
 */
/*
 * The backing dentry of a name just made as @child under the backing
 * directory's lock: some filesystems leave the new dentry for a lookup
 * (negative, or unhashed).  Return: a reference to it, positive, or an
 * error.
 */
static struct dentry *fuse_pt_made(const struct path *bdir,
				   struct dentry *entry, struct dentry *child)
{
	struct dentry *found;

	if (!d_unhashed(child) && d_is_positive(child))
		return dget(child);
	found = fuse_pt_lookup_one(bdir, entry);
	if (!IS_ERR(found) && d_is_negative(found)) {
		dput(found);
		return ERR_PTR(-ENOENT);
	}
	return found;
}

static int fuse_pt_instantiate(struct inode *dir, struct dentry *entry,
			       const struct path *bdir, struct dentry *child)
{
	struct inode *inode;

	child = fuse_pt_made(bdir, entry, child);
	if (IS_ERR(child))
		return PTR_ERR(child);

	inode = fuse_pt_iget(dir, d_inode(child));
	if (IS_ERR(inode)) {
		dput(child);
		return PTR_ERR(inode);
	}
	/*
	 * A directory found here that already has a fuse dentry was moved
	 * to this name behind our back: a second alias would let a rename
	 * lock it twice.  Let the VFS look again.
	 */
	if (S_ISDIR(inode->i_mode) && !hlist_empty(&inode->i_dentry)) {
		iput(inode);
		dput(child);
		return -ESTALE;
	}
	fuse_pt_set_backing(entry, bdir, child);
	d_instantiate(entry, inode);
	return 0;
}

/*
 * The backing name @found exists where the fuse dentry @entry is negative.
 * In a filtered directory it may be hidden from the caller: then making
 * it is refused with EACCES, as a filter that hides a name should refuse
 * to create it; EEXIST (or opening it) would tell that it exists.  Under
 * the backing directory's lock.
 *
 * Return: -EACCES if hidden, or -EEXIST.
 */
static int fuse_pt_exists(struct inode *dir, struct dentry *entry,
			  struct dentry *found)
{
	if (fuse_pt_filtered(dir) &&
	    fuse_pt_filter_lookup(dir, entry, d_inode(found)))
		return -EACCES;
	return -EEXIST;
}

/*
 * A rename onto a name that is negative in the fuse directory @dir, if
 * filtered, must not tell about a name the filter hides, but
 * start_renaming() checks the traps of the backing tree first: look the
 * name up (not under the backing directory's lock).
 *
 * Return: 0 if not there or not filtered, -EACCES if hidden, -EEXIST if
 * there, or another negative errno.
 */
static int fuse_pt_target_exists(struct inode *dir, struct dentry *entry,
				 const struct path *bdir)
{
	struct dentry *found;
	int err = 0;

	if (!fuse_pt_filtered(dir))
		return 0;
	found = lookup_one_unlocked(mnt_idmap(bdir->mnt),
				    &QSTR_LEN(entry->d_name.name,
					      entry->d_name.len),
				    bdir->dentry);
	if (IS_ERR(found))
		return PTR_ERR(found);
	if (d_is_positive(found))
		err = fuse_pt_exists(dir, entry, found);
	dput(found);
	return err;
}

/* The filter's operation for making a name of type @mode */
static enum fuse_pt_filter_op fuse_pt_create_op(umode_t mode)
{
	switch (mode & S_IFMT) {
	case S_IFDIR:
		return FUSE_PT_FILTER_MKDIR;
	case S_IFLNK:
		return FUSE_PT_FILTER_SYMLINK;
	default:
		return FUSE_PT_FILTER_CREATE;
	}
}

/*
 * Create @entry in the backing directory.  With @open_existing (open with
 * O_CREAT but not O_EXCL), a name that another process made on the
 * backing tree since the lookup is not an error, as natively: @entry is
 * instantiated from it and 1 is returned.
 */
static int fuse_pt_create(struct inode *dir, struct dentry *entry,
			  umode_t mode, dev_t rdev, const char *link,
			  bool open_existing)
{
	const struct cred *old_cred;
	struct dentry *child;
	struct path bdir;
	int err;

	if (fuse_is_bad(dir))
		return -EIO;
	err = fuse_pt_backing_path(entry->d_parent, &bdir);
	if (err)
		return err;
	if (fuse_pt_filtered(dir)) {
		err = fuse_pt_filter_create(dir, entry, mode,
					    fuse_pt_create_op(mode));
		if (err)
			return err;
	}

	err = mnt_want_write(bdir.mnt);
	if (err)
		return err;
	old_cred = fuse_pt_create_creds(dir, entry, mode);
	err = PTR_ERR(old_cred);
	if (IS_ERR(old_cred))
		goto out_drop_write;
	child = fuse_pt_start_creating(&bdir, entry);
	err = PTR_ERR(child);
	if (IS_ERR(child))
		goto out_revert;
	if (d_is_positive(child)) {
		err = fuse_pt_exists(dir, entry, child);
		/* as open(O_CREAT) of a directory; and no second alias */
		if (err == -EEXIST && open_existing)
			err = d_is_dir(child) ? -EISDIR :
			      fuse_pt_instantiate(dir, entry, &bdir, child) ?: 1;
	} else {
		child = fuse_pt_do_create(&bdir, child, mode, rdev, link);
		err = PTR_ERR(child);
		if (!IS_ERR(child))
			err = fuse_pt_instantiate(dir, entry, &bdir, child);
	}
	end_creating(child);
out_revert:
	fuse_pt_revert_caller_creds(old_cred);
out_drop_write:
	mnt_drop_write(bdir.mnt);
	fuse_pt_copyattr(dir);
	return err;
}

/**
 * fuse_pt_create_open() - open(O_CREAT) of a new name in a subtree directory
 * @idmap: idmap of the fuse mount
 * @dir: subtree directory, locked
 * @entry: negative dentry
 * @file: file being opened
 * @flags: open flags
 * @mode: mode of the new file, not yet masked
 *
 * Return: 0 with @file opened on the new file, or a negative errno.
 */
static int fuse_pt_create_open(struct mnt_idmap *idmap, struct inode *dir,
			       struct dentry *entry, struct file *file,
			       unsigned int flags, umode_t mode)
{
	int err;

	err = fuse_pt_create(dir, entry, (mode & ~S_IFMT) | S_IFREG, 0, NULL,
			     !(flags & O_EXCL));
	if (err == 1)	/* made by another process meanwhile: open it */
		return finish_no_open(file, NULL);
	if (err)
		return err;
	file->f_mode |= FMODE_CREATED;
	return finish_open(file, entry, NULL);
}

/* As fuse_atomic_open(), in the backing directory */
static int fuse_pt_atomic_open(struct inode *dir, struct dentry *entry,
			       struct file *file, unsigned int flags,
			       umode_t mode)
{
	struct dentry *res = NULL;
	int err;

	if (fuse_is_bad(dir))
		return -EIO;
	if (d_in_lookup(entry)) {
		res = fuse_pt_lookup(dir, entry, 0);
		if (IS_ERR(res))
			return PTR_ERR(res);
		if (res)
			entry = res;
	}
	if (!(flags & O_CREAT) || d_really_is_positive(entry))
		return finish_no_open(file, res);

	err = fuse_pt_create_open(file_mnt_idmap(file), dir, entry, file,
				  flags, mode);
	dput(res);
	return err;
}

/**
 * fuse_pt_mknod() - mknod (and create) in a subtree directory
 * @idmap: idmap of the fuse mount
 * @dir: subtree directory
 * @entry: negative dentry
 * @mode: type and mode; device nodes were checked for CAP_MKNOD
 * @rdev: device number
 *
 * Return: 0 or a negative errno from the backing filesystem.
 */
static int fuse_pt_mknod(struct mnt_idmap *idmap, struct inode *dir,
			 struct dentry *entry, umode_t mode, dev_t rdev)
{
	if (!(mode & S_IFMT))
		mode |= S_IFREG;
	return fuse_pt_create(dir, entry, mode, rdev, NULL, false);
}

/* vfs_create() (nfsd, overlayfs upper layers), as fuse_create() */
static int fuse_pt_create_reg(struct mnt_idmap *idmap, struct inode *dir,
			      struct dentry *entry, umode_t mode)
{
	return fuse_pt_mknod(idmap, dir, entry, mode, 0);
}

/**
 * fuse_pt_mkdir() - mkdir in a subtree directory
 * @idmap: idmap of the fuse mount
 * @dir: subtree directory
 * @entry: negative dentry
 * @mode: mode of the new directory
 *
 * Return: NULL (@entry is instantiated), or an error from the backing
 * filesystem.
 */
static struct dentry *fuse_pt_mkdir(struct mnt_idmap *idmap, struct inode *dir,
				    struct dentry *entry, umode_t mode)
{
	return ERR_PTR(fuse_pt_create(dir, entry, (mode & ~S_IFMT) | S_IFDIR,
				      0, NULL, false));
}

/**
 * fuse_pt_symlink() - symlink in a subtree directory
 * @idmap: idmap of the fuse mount
 * @dir: subtree directory
 * @entry: negative dentry
 * @link: target
 *
 * Return: 0 or a negative errno from the backing filesystem.
 */
static int fuse_pt_symlink(struct mnt_idmap *idmap, struct inode *dir,
			   struct dentry *entry, const char *link)
{
	return fuse_pt_create(dir, entry, S_IFLNK | 0777, 0, link, false);
}

/**
 * fuse_pt_tmpfile() - O_TMPFILE in a subtree directory
 * @idmap: idmap of the fuse mount
 * @dir: subtree directory
 * @file: file being opened; its dentry is not hashed
 * @mode: mode of the new file
 *
 * The backing tmpfile is the passthrough file of @file; linkat() of it
 * goes through fuse_pt_link().
 *
 * Return: 0 or a negative errno.
 */
static int fuse_pt_tmpfile(struct mnt_idmap *idmap, struct inode *dir,
			   struct file *file, umode_t mode)
{
	struct dentry *entry = file->f_path.dentry;
	struct file *backing_file;
	const struct cred *old_cred;
	struct fuse_file *ff;
	struct inode *inode;
	struct path bdir;
	int err;

	if (fuse_is_bad(dir))
		return -EIO;
	err = fuse_pt_backing_path(entry->d_parent, &bdir);
	if (err)
		return err;
	if (fuse_pt_filtered(dir)) {
		err = fuse_pt_filter_create(dir, NULL, mode | S_IFREG,
					    FUSE_PT_FILTER_TMPFILE);
		if (err)
			return err;
	}
	ff = fuse_file_alloc(get_fuse_mount(dir), false);
	if (!ff)
		return -ENOMEM;

	/* the backing file is opened for write: its open takes the mount */
	old_cred = fuse_pt_create_creds(dir, entry, mode);
	if (IS_ERR(old_cred)) {
		fuse_file_free(ff);
		return PTR_ERR(old_cred);
	}
	err = mnt_want_write(bdir.mnt);
	if (!err) {
		backing_file = backing_tmpfile_open(file, file->f_flags, &bdir,
						    mode, current_cred());
		mnt_drop_write(bdir.mnt);
	} else {
		backing_file = ERR_PTR(err);
	}
	fuse_pt_revert_caller_creds(old_cred);
	if (IS_ERR(backing_file)) {
		fuse_file_free(ff);
		return PTR_ERR(backing_file);
	}

	inode = fuse_pt_iget(dir, file_inode(backing_file));
	if (IS_ERR(inode)) {
		fput(backing_file);
		fuse_file_free(ff);
		return PTR_ERR(inode);
	}
	/* data operations: limited to the opener, as fuse_pt_open() */
	ff->cred = fuse_pt_opener_creds(dir, file);
	if (!ff->cred) {
		iput(inode);
		fput(backing_file);
		fuse_file_free(ff);
		return -ENOMEM;
	}
	fuse_pt_set_backing(entry, &backing_file->f_path,
			    dget(backing_file->f_path.dentry));
	ff->passthrough = backing_file;
	file->private_data = ff;
	/* as fuse_create_open(): the inode already has no link */
	d_instantiate(entry, inode);
	err = finish_open(file, entry, generic_file_open);
	if (err) {
		/* not opened (an fsnotify permission hook said no): no ->release */
		file->private_data = NULL;
		fuse_passthrough_release(ff, NULL);
		fuse_file_free(ff);
	}
	return err;
}

/* unlink and rmdir */
static int fuse_pt_remove(struct inode *dir, struct dentry *entry, bool isdir)
{
	const struct cred *old_cred;
	struct dentry *child;
	struct path bdir;
	int err;

	if (fuse_is_bad(dir))
		return -EIO;
	err = fuse_pt_backing_path(entry->d_parent, &bdir);
	if (err)
		return err;
	if (fuse_pt_filtered(dir)) {
		err = fuse_pt_filter_remove(dir, entry, isdir);
		if (err)
			return err;
	}

	err = mnt_want_write(bdir.mnt);
	if (err)
		return err;
	/* the backing fs's may_delete() (sticky...) checks the caller again */
	old_cred = fuse_pt_override_caller_creds(dir);
	if (IS_ERR(old_cred)) {
		mnt_drop_write(bdir.mnt);
		return PTR_ERR(old_cred);
	}
	child = start_removing(mnt_idmap(bdir.mnt), bdir.dentry,
			       &QSTR_LEN(entry->d_name.name, entry->d_name.len));
	err = PTR_ERR(child);
	if (!IS_ERR(child)) {
		/* the backing tree changed under us: let the VFS look again */
		err = -ESTALE;
		if (child == fuse_dentry(entry)->backing_path.dentry)
			err = fuse_pt_do_remove(&bdir, child, isdir);
		end_removing(child);
	}
	fuse_pt_revert_caller_creds(old_cred);
	mnt_drop_write(bdir.mnt);

	fuse_pt_copyattr(dir);
	if (!err) {
		if (isdir) {
			struct fuse_inode *fi = get_fuse_inode(d_inode(entry));

			/* fi->lock: as fuse_pt_copyattr()'s set_nlink() */
			spin_lock(&fi->lock);
			clear_nlink(d_inode(entry));
			spin_unlock(&fi->lock);
		} else {
			fuse_pt_copyattr(d_inode(entry));
		}
		/*
		 * The name is gone: once unused, the fuse dentry must not stay
		 * cached (as a negative dentry) holding the removed backing
		 * dentry, and with it the backing inode and its blocks; so it
		 * is unhashed, as ovl_remove_upper() does.  While in use (an
		 * open file, a cwd) it keeps its backing path: fstat() still
		 * works.
		 */
		d_drop(entry);
	}
	return err;
}

/**
 * fuse_pt_unlink() - unlink in a subtree directory
 * @dir: subtree directory
 * @entry: the name; the VFS checked the caller (sticky bit included)
 *
 * Return: 0 or a negative errno from the backing filesystem; -ENOENT if
 * the backing name is gone, -ESTALE if it is another one now (the VFS
 * then looks it up again).
 */
static int fuse_pt_unlink(struct inode *dir, struct dentry *entry)
{
	return fuse_pt_remove(dir, entry, false);
}

/**
 * fuse_pt_rmdir() - rmdir in a subtree directory
 * @dir: subtree directory
 * @entry: the name
 *
 * Return: 0 or a negative errno (ENOTEMPTY...) from the backing filesystem.
 */
static int fuse_pt_rmdir(struct inode *dir, struct dentry *entry)
{
	return fuse_pt_remove(dir, entry, true);
}

/*
 * May a rename or link between two bound places be made in the backing
 * tree?  Only if both backing paths are on one backing mount (as natively)
 * and both registrations have the same credentials, whatever their
 * backing ids: then nothing is done that either could not do alone.
 */
static bool fuse_pt_same_domain_path(struct inode *a, const struct path *pa,
				     struct inode *b, const struct path *pb)
{
	return pa->mnt == pb->mnt &&
		fuse_pt_same_domain(get_fuse_inode(a)->fb, get_fuse_inode(b)->fb);
}

/**
 * fuse_pt_rename() - rename and renameat2 below subtree roots
 * @idmap: idmap of the fuse mount
 * @olddir: directory of @oldent
 * @oldent: source
 * @newdir: directory of @newent
 * @newent: target, negative or not
 * @flags: RENAME_NOREPLACE, RENAME_EXCHANGE, RENAME_WHITEOUT
 *
 * Both directories are in passthrough subtrees, of one registration or of
 * two whose backing directories are on one backing mount and which were
 * registered with the same credentials; otherwise (a server-served
 * directory, another backing mount, other credentials) this fails with
 * EXDEV, and mv copies.  RENAME_WHITEOUT is passed on: the backing
 * filesystem makes the whiteout, for the caller, which needs no CAP_MKNOD
 * for it (as natively since Linux 5.8).
 *
 * Return: 0 or a negative errno.
 */
int fuse_pt_rename(struct mnt_idmap *idmap, struct inode *olddir,
		   struct dentry *oldent, struct inode *newdir,
		   struct dentry *newent, unsigned int flags)
{
	struct path bolddir, bnewdir;
	const struct cred *old_cred;
	struct renamedata rd = {};
	int err;

	if (fuse_is_bad(olddir))
		return -EIO;
	if (!fuse_inode_subtree(olddir) || !fuse_inode_subtree(newdir))
		return -EXDEV;
	if (flags & ~(RENAME_NOREPLACE | RENAME_EXCHANGE | RENAME_WHITEOUT))
		return -EINVAL;
	err = fuse_pt_backing_path(oldent->d_parent, &bolddir);
	if (!err)
		err = fuse_pt_backing_path(newent->d_parent, &bnewdir);
	if (err)
		return err;
	if (!fuse_pt_same_domain_path(olddir, &bolddir, newdir, &bnewdir))
		return -EXDEV;
	/*
	 * A directory's inode keeps the filter it was found under, for what
	 * is below it: it may not move to a directory filtered otherwise (or
	 * not at all), nor may one come in for another; mv copies.
	 */
	if ((d_is_dir(oldent) &&
	     !fuse_pt_filter_same(d_inode(oldent), newdir)) ||
	    ((flags & RENAME_EXCHANGE) && d_is_dir(newent) &&
	     !fuse_pt_filter_same(d_inode(newent), olddir)))
		return -EXDEV;
	if (fuse_pt_filtered(olddir) || fuse_pt_filtered(newdir)) {
		err = fuse_pt_filter_rename(olddir, oldent, newdir, newent,
					    flags);
		if (err)
			return err;
	}

	err = mnt_want_write(bolddir.mnt);
	if (err)
		return err;
	/* the new name may grow the target directory: the caller's quota */
	old_cred = fuse_pt_override_caller_creds(olddir);
	err = PTR_ERR(old_cred);
	if (IS_ERR(old_cred))
		goto out_drop_write;
	/*
	 * Both on one mount: one idmap.  RENAME_NOREPLACE is left out of the
	 * lookups: a name that is there must be looked at (filter) first.
	 */
	rd.mnt_idmap = mnt_idmap(bolddir.mnt);
	rd.old_parent = bolddir.dentry;
	rd.new_parent = bnewdir.dentry;
	rd.flags = flags & RENAME_EXCHANGE;
	err = start_renaming(&rd, 0,
			     &QSTR_LEN(oldent->d_name.name, oldent->d_name.len),
			     &QSTR_LEN(newent->d_name.name, newent->d_name.len));
	if (err) {
		/* a trap of the backing tree: but a hidden target stays hidden */
		if ((err == -ENOTEMPTY || err == -EINVAL) && d_is_negative(newent) &&
		    fuse_pt_target_exists(newdir, newent, &bnewdir) == -EACCES)
			err = -EACCES;
		goto out_revert;
	}

	/* the backing tree changed under us: let the VFS look again */
	err = -ESTALE;
	if (rd.old_dentry != fuse_dentry(oldent)->backing_path.dentry)
		goto out_end;
	if (d_is_positive(newent)) {
		if (rd.new_dentry != fuse_dentry(newent)->backing_path.dentry)
			goto out_end;
	} else {
		/*
		 * Filtered: a hidden name must not be overwritten, but
		 * start_renaming() looked the target up for a rename
		 * (LOOKUP_RENAME_TARGET, with which NFS may answer negative
		 * without asking its server): look again without that.
		 */
		if (d_is_negative(rd.new_dentry) && fuse_pt_filtered(newdir)) {
			struct dentry *found = fuse_pt_lookup_one(&bnewdir,
								  newent);

			err = PTR_ERR(found);
			if (IS_ERR(found))
				goto out_end;
			dput(rd.new_dentry);
			rd.new_dentry = found;
		}
		err = 0;
		if (d_is_positive(rd.new_dentry)) {
			err = fuse_pt_exists(newdir, newent, rd.new_dentry);
			if (err == -EEXIST && !(flags & RENAME_NOREPLACE))
				err = -ESTALE;
			goto out_end;
		}
	}

	/*
	 * Each fuse dentry keeps its backing dentry: the VFS moves (or
	 * exchanges) the fuse dentries as vfs_rename() moves the backing ones.
	 */
	rd.flags = flags;
	err = fuse_pt_do_rename(&rd);
out_end:
	end_renaming(&rd);
out_revert:
	fuse_pt_revert_caller_creds(old_cred);
out_drop_write:
	mnt_drop_write(bolddir.mnt);
	fuse_pt_copyattr(olddir);
	if (newdir != olddir)
		fuse_pt_copyattr(newdir);
	if (!err)
		fuse_pt_copyattr(d_inode(oldent));
	return err;
}

/**
 * fuse_pt_link() - hard link (and linkat of an O_TMPFILE) into a subtree
 * @entry: existing name
 * @newdir: directory of the new name
 * @newent: negative dentry of the new name
 *
 * As for rename, the inode's registration and the new directory's must be
 * one, or have the same credentials, on one backing mount.  An inode the
 * server bound itself (it has a node id) gets no name in a subtree: its
 * registration names that one file, for the server's namespace.
 *
 * Return: 0 or a negative errno; EXDEV across the subtree boundary.
 */
int fuse_pt_link(struct dentry *entry, struct inode *newdir,
		 struct dentry *newent)
{
	struct inode *inode = d_inode(entry);
	const struct cred *old_cred;
	struct path bold, bdir;
	struct dentry *child;
	int err;

	if (fuse_is_bad(newdir))
		return -EIO;
	if (!fuse_inode_subtree(newdir) || !fuse_inode_bound(inode) ||
	    get_fuse_inode(inode)->nodeid)
		return -EXDEV;
	err = fuse_pt_backing_path(entry, &bold);
	if (!err)
		err = fuse_pt_backing_path(newent->d_parent, &bdir);
	if (err)
		return err;
	if (!fuse_pt_same_domain_path(inode, &bold, newdir, &bdir))
		return -EXDEV;
	/* a new name in, or a new way out of, a filtered directory */
	if (fuse_pt_filter_parent(entry) || fuse_pt_filtered(newdir)) {
		struct dentry *parent = dget_parent(entry);

		err = -EXDEV;
		if (d_inode(parent) && fuse_inode_subtree(d_inode(parent)))
			err = fuse_pt_filter_link(d_inode(parent), entry,
						  newdir, newent);
		dput(parent);
		if (err)
			return err;
	}

	err = mnt_want_write(bdir.mnt);
	if (err)
		return err;
	old_cred = fuse_pt_create_creds(newdir, newent, inode->i_mode);
	err = PTR_ERR(old_cred);
	if (IS_ERR(old_cred))
		goto out_drop_write;
	child = fuse_pt_start_creating(&bdir, newent);
	err = PTR_ERR(child);
	if (IS_ERR(child))
		goto out_revert;
	if (d_is_positive(child))
		err = fuse_pt_exists(newdir, newent, child);
	else
		err = fuse_pt_do_link(bold.dentry, &bdir, child);
	if (!err) {
		struct dentry *made = fuse_pt_made(&bdir, newent, child);

		err = PTR_ERR(made);
		if (!IS_ERR(made)) {
			fuse_pt_set_backing(newent, &bdir, made);
			ihold(inode);
			d_instantiate(newent, inode);
			err = 0;
		}
	}
	end_creating(child);
out_revert:
	fuse_pt_revert_caller_creds(old_cred);
out_drop_write:
	mnt_drop_write(bdir.mnt);
	fuse_pt_copyattr(newdir);
	fuse_pt_copyattr(inode);
	return err;
}

const struct file_operations fuse_pt_dir_operations = {
	.open		= fuse_pt_open,
	.release	= fuse_pt_release,
	.llseek		= fuse_pt_llseek,
	.read		= generic_read_dir,
	.iterate_shared	= fuse_pt_iterate_shared,
	.fsync		= fuse_pt_fsync,
};

/* Directories of a passthrough subtree: the namespace is the backing one */
const struct inode_operations fuse_pt_dir_inode_operations = {
	.lookup		= fuse_pt_lookup,
	.mkdir		= fuse_pt_mkdir,
	.symlink	= fuse_pt_symlink,
	.unlink		= fuse_pt_unlink,
	.rmdir		= fuse_pt_rmdir,
	.rename		= fuse_pt_rename,
	.link		= fuse_pt_link,
	.setattr	= fuse_pt_setattr,
	.create		= fuse_pt_create_reg,
	.atomic_open	= fuse_pt_atomic_open,
	.tmpfile	= fuse_pt_tmpfile,
	.mknod		= fuse_pt_mknod,
	.permission	= fuse_pt_permission,
	.getattr	= fuse_pt_getattr,
	.listxattr	= fuse_pt_listxattr,
	.get_inode_acl	= fuse_pt_get_inode_acl,
	.get_acl	= fuse_pt_get_acl,
	.set_acl	= fuse_pt_set_acl,
	.fileattr_get	= fuse_pt_fileattr_get,
	.fileattr_set	= fuse_pt_fileattr_set,
};
