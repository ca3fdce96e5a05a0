// SPDX-License-Identifier: GPL-2.0
/*
 * fuse-passthrough: a FUSE server that mirrors a directory, speaking the raw
 * /dev/fuse protocol (no libfuse: libfuse cannot negotiate
 * FUSE_PASSTHROUGH_DIR).
 *
 *   fuse-passthrough [options] SOURCE MOUNTPOINT
 *
 * --mode=dir   (default) the kernel serves SOURCE itself: with no policy
 *              below, the mount root is bound to SOURCE as a passthrough
 *              subtree at mount time (passthrough_root=), and after INIT
 *              no request reaches the server.  With a policy (or
 *              --server-root), the server serves the root and hands its
 *              entries to the kernel at lookup: directories as passthrough
 *              subtrees, other files bound on their own.
 * --mode=file  upstream per-file passthrough: FOPEN_PASSTHROUGH for data,
 *              every other request served here.
 * --mode=none  everything served here (a classic passthrough server, with
 *              the writeback cache), the baseline.
 *
 * Android-style policy, in dir mode:
 * --daemon-path=SUBPATH  keep SUBPATH (and everything below it) served by
 *              the server, e.g. to filter it; repeatable.
 * --hide=GLOB  hide names matching GLOB in server-served directories;
 *              repeatable.
 * --server-root  serve the root in the server even without a policy.
 *
 * Other options: --threads=N (default 2), --timeout=SECS for entries and
 * attributes of server-served nodes (default 1), --allow-other, --debug.
 *
 * SIGUSR1 prints the number of requests by opcode; SIGTERM and SIGINT
 * unmount and exit, printing them too.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <fnmatch.h>
#include <getopt.h>
#include <limits.h>
#include <pthread.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/fuse.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/xattr.h>

#ifndef FUSE_PASSTHROUGH_DIR
#error "needs the uapi of directory passthrough (include/uapi/linux/fuse.h)"
#endif

#define MAX_WRITE	(1024 * 1024)
#define BUF_SIZE	(MAX_WRITE + 4096)
#define MAX_OPCODE	64

enum mode { MODE_NONE, MODE_FILE, MODE_DIR };

static struct {
	enum mode mode;
	const char *source;
	const char *mnt;
	char **daemon_paths;
	int n_daemon_paths;
	char **hides;
	int n_hides;
	int threads;
	double timeout;
	bool allow_other;
	bool debug;
	bool server_root;
} cfg = { .mode = MODE_DIR, .threads = 2, .timeout = 1.0 };

static int devfd = -1;
static unsigned long counts[MAX_OPCODE];
static pthread_mutex_t lock = PTHREAD_MUTEX_INITIALIZER;
static pthread_cond_t init_cond = PTHREAD_COND_INITIALIZER;
static int init_state;	/* 0 waiting, 1 done, -1 failed */

/* A node the kernel knows by node id: an O_PATH fd on the source tree */
struct node {
	struct node *next;	/* hash chain */
	dev_t dev;
	ino_t ino;
	int fd;
	uint64_t nlookup;
	int backing_id;		/* registration of the node, or -errno */
	char *rel;		/* path below SOURCE ("" for the root) */
};

#define HASH_SIZE 65536
static struct node *hash[HASH_SIZE];
static struct node root;

struct handle {
	int fd;
	DIR *dir;
	off_t dir_off;
	char *rel;		/* directories: path below SOURCE */
};

static const char * const opnames[MAX_OPCODE] = {
	[FUSE_LOOKUP] = "LOOKUP", [FUSE_FORGET] = "FORGET",
	[FUSE_GETATTR] = "GETATTR", [FUSE_SETATTR] = "SETATTR",
	[FUSE_READLINK] = "READLINK", [FUSE_SYMLINK] = "SYMLINK",
	[FUSE_MKNOD] = "MKNOD", [FUSE_MKDIR] = "MKDIR",
	[FUSE_UNLINK] = "UNLINK", [FUSE_RMDIR] = "RMDIR",
	[FUSE_RENAME] = "RENAME", [FUSE_LINK] = "LINK", [FUSE_OPEN] = "OPEN",
	[FUSE_READ] = "READ", [FUSE_WRITE] = "WRITE", [FUSE_STATFS] = "STATFS",
	[FUSE_RELEASE] = "RELEASE", [FUSE_FSYNC] = "FSYNC",
	[FUSE_SETXATTR] = "SETXATTR", [FUSE_GETXATTR] = "GETXATTR",
	[FUSE_LISTXATTR] = "LISTXATTR", [FUSE_REMOVEXATTR] = "REMOVEXATTR",
	[FUSE_FLUSH] = "FLUSH", [FUSE_INIT] = "INIT",
	[FUSE_OPENDIR] = "OPENDIR", [FUSE_READDIR] = "READDIR",
	[FUSE_RELEASEDIR] = "RELEASEDIR", [FUSE_FSYNCDIR] = "FSYNCDIR",
	[FUSE_GETLK] = "GETLK", [FUSE_SETLK] = "SETLK", [FUSE_SETLKW] = "SETLKW",
	[FUSE_ACCESS] = "ACCESS", [FUSE_CREATE] = "CREATE",
	[FUSE_INTERRUPT] = "INTERRUPT", [FUSE_BMAP] = "BMAP",
	[FUSE_DESTROY] = "DESTROY", [FUSE_IOCTL] = "IOCTL", [FUSE_POLL] = "POLL",
	[FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY",
	[FUSE_BATCH_FORGET] = "BATCH_FORGET", [FUSE_FALLOCATE] = "FALLOCATE",
	[FUSE_READDIRPLUS] = "READDIRPLUS", [FUSE_RENAME2] = "RENAME2",
	[FUSE_LSEEK] = "LSEEK", [FUSE_COPY_FILE_RANGE] = "COPY_FILE_RANGE",
	[FUSE_SETUPMAPPING] = "SETUPMAPPING", [FUSE_STATX] = "STATX",
};

static void warn(const char *msg)
{
	fprintf(stderr, "fuse-passthrough: %s\n", msg);
}

static void die(const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	fprintf(stderr, "fuse-passthrough: ");
	vfprintf(stderr, fmt, ap);
	fputc('\n', stderr);
	va_end(ap);
	exit(1);
}

static void print_counts(FILE *f)
{
	unsigned long total = 0;
	int i;

	fprintf(f, "fuse-passthrough: requests:");
	for (i = 0; i < MAX_OPCODE; i++) {
		unsigned long n = __atomic_load_n(&counts[i], __ATOMIC_RELAXED);

		if (!n)
			continue;
		total += n;
		fprintf(f, " %s=%lu", opnames[i] ? opnames[i] : "?", n);
	}
	fprintf(f, " total=%lu\n", total);
	fflush(f);
}

/* ---- node table ---- */

static unsigned int hash_of(dev_t dev, ino_t ino)
{
	return (ino ^ (dev << 5) ^ (ino >> 16)) % HASH_SIZE;
}

static struct node *node_of(uint64_t nodeid)
{
	return nodeid == FUSE_ROOT_ID ? &root : (struct node *)(uintptr_t)nodeid;
}

static uint64_t id_of(struct node *n)
{
	return n == &root ? FUSE_ROOT_ID : (uint64_t)(uintptr_t)n;
}

static char *join_rel(const char *parent, const char *name)
{
	char *rel;

	if (asprintf(&rel, "%s%s%s", parent, *parent ? "/" : "", name) < 0)
		return NULL;
	return rel;
}

/* Find or add the node of name in parent; takes a lookup reference */
static struct node *node_get(struct node *parent, const char *name,
			     struct stat *st, int *err)
{
	struct node *n;
	unsigned int h;
	int fd;

	fd = openat(parent->fd, name, O_PATH | O_NOFOLLOW);
	if (fd < 0) {
		*err = -errno;
		return NULL;
	}
	if (fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		*err = -errno;
		close(fd);
		return NULL;
	}
	h = hash_of(st->st_dev, st->st_ino);
	pthread_mutex_lock(&lock);
	for (n = hash[h]; n; n = n->next)
		if (n->dev == st->st_dev && n->ino == st->st_ino)
			break;
	if (n) {
		close(fd);
	} else {
		n = calloc(1, sizeof(*n));
		if (!n) {
			pthread_mutex_unlock(&lock);
			close(fd);
			*err = -ENOMEM;
			return NULL;
		}
		n->dev = st->st_dev;
		n->ino = st->st_ino;
		n->fd = fd;
		n->rel = join_rel(parent->rel, name);
		n->next = hash[h];
		hash[h] = n;
	}
	n->nlookup++;
	pthread_mutex_unlock(&lock);
	return n;
}

static void node_forget(uint64_t nodeid, uint64_t nlookup)
{
	struct node *n = node_of(nodeid), **pp;

	if (n == &root)
		return;
	pthread_mutex_lock(&lock);
	n->nlookup -= nlookup;
	if (n->nlookup) {
		pthread_mutex_unlock(&lock);
		return;
	}
	for (pp = &hash[hash_of(n->dev, n->ino)]; *pp; pp = &(*pp)->next) {
		if (*pp == n) {
			*pp = n->next;
			break;
		}
	}
	pthread_mutex_unlock(&lock);
	if (n->backing_id > 0)
		ioctl(devfd, FUSE_DEV_IOC_BACKING_CLOSE, &n->backing_id);
	close(n->fd);
	free(n->rel);
	free(n);
}

/*
 * The backing id of a node, registered from its O_PATH fd on first use and
 * kept until the node is forgotten: upstream passthrough wants one backing
 * file per inode for all its opens (file mode), and the kernel may resolve
 * a bound entry's id after the reply was written (dir mode).
 */
static int node_backing_id(struct node *n)
{
	pthread_mutex_lock(&lock);
	if (!n->backing_id) {
		/* dir mode binds inodes; the id also serves FOPEN_PASSTHROUGH */
		struct fuse_backing_map map = {
			.fd = n->fd,
			.flags = cfg.mode == MODE_DIR ? FUSE_BACKING_INODE : 0,
		};
		int id = ioctl(devfd, FUSE_DEV_IOC_BACKING_OPEN, &map);

		n->backing_id = id > 0 ? id : -errno;
	}
	pthread_mutex_unlock(&lock);
	return n->backing_id;
}

/* ---- policy ---- */

static bool hidden(const char *name)
{
	int i;

	for (i = 0; i < cfg.n_hides; i++)
		if (!fnmatch(cfg.hides[i], name, 0))
			return true;
	return false;
}

/* Is rel a daemon path, below one, or above one? */
static bool served_here(const char *rel)
{
	size_t len = strlen(rel);
	int i;

	if (cfg.mode != MODE_DIR)
		return true;
	for (i = 0; i < cfg.n_daemon_paths; i++) {
		const char *dp = cfg.daemon_paths[i];
		size_t dl = strlen(dp);

		if (!strncmp(rel, dp, dl) && (rel[dl] == 0 || rel[dl] == '/'))
			return true;
		if (!strncmp(dp, rel, len) && dp[len] == '/')
			return true;
	}
	return false;
}

/* ---- replies ---- */

static void reply_iov(uint64_t unique, int error, struct iovec *iov, int n)
{
	struct fuse_out_header out = { .unique = unique, .error = error };
	struct iovec v[4];
	int i;

	v[0].iov_base = &out;
	v[0].iov_len = sizeof(out);
	out.len = sizeof(out);
	for (i = 0; !error && i < n; i++) {
		v[i + 1] = iov[i];
		out.len += iov[i].iov_len;
	}
	if (writev(devfd, v, error ? 1 : n + 1) < 0 && errno != ENOENT &&
	    cfg.debug)
		perror("fuse-passthrough: reply");
}

static void reply(uint64_t unique, int error, const void *arg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)arg, .iov_len = len };

	reply_iov(unique, error, &iov, len ? 1 : 0);
}

static void fill_attr(const struct stat *st, struct fuse_attr *a)
{
	a->ino = st->st_ino;
	a->mode = st->st_mode;
	a->nlink = st->st_nlink;
	a->uid = st->st_uid;
	a->gid = st->st_gid;
	a->rdev = st->st_rdev;
	a->size = st->st_size;
	a->blocks = st->st_blocks;
	a->blksize = st->st_blksize;
	a->atime = st->st_atim.tv_sec;
	a->atimensec = st->st_atim.tv_nsec;
	a->mtime = st->st_mtim.tv_sec;
	a->mtimensec = st->st_mtim.tv_nsec;
	a->ctime = st->st_ctim.tv_sec;
	a->ctimensec = st->st_ctim.tv_nsec;
}

static void fill_timeout(uint64_t *sec, uint32_t *nsec)
{
	*sec = (uint64_t)cfg.timeout;
	*nsec = (uint32_t)((cfg.timeout - *sec) * 1e9);
}

static void fill_entry(struct node *n, const struct stat *st,
		       struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	e->nodeid = id_of(n);
	fill_timeout(&e->entry_valid, &e->entry_valid_nsec);
	fill_timeout(&e->attr_valid, &e->attr_valid_nsec);
	fill_attr(st, &e->attr);
}

/*
 * The entry reply: in dir mode, nodes outside the server's paths are bound
 * to themselves (directories as subtrees); the registration is kept until
 * the node is forgotten, so the kernel always finds the id.
 */
static void reply_entry(uint64_t unique, struct node *n, const struct stat *st,
			const struct fuse_open_out *open)
{
	struct fuse_entry_backing_out b = { 0 };
	struct fuse_entry_out e;
	struct iovec iov[3];
	int cnt = 0;

	fill_entry(n, st, &e);
	iov[cnt].iov_base = &e;
	iov[cnt++].iov_len = sizeof(e);
	if (open) {
		iov[cnt].iov_base = (void *)open;
		iov[cnt++].iov_len = sizeof(*open);
	}
	if (!served_here(n->rel)) {
		b.backing_id = node_backing_id(n);
		if (b.backing_id > 0) {
			if (S_ISDIR(st->st_mode))
				b.flags = FUSE_ENTRY_BACKING_SUBTREE;
			iov[cnt].iov_base = &b;
			iov[cnt++].iov_len = sizeof(b);
		}
	}
	reply_iov(unique, 0, iov, cnt);
}

/* ---- request handlers; each returns 0 (replied) or -errno ---- */

static int do_lookup(struct fuse_in_header *in, const char *name)
{
	struct node *parent = node_of(in->nodeid), *n;
	struct stat st;
	int err;

	if (hidden(name))
		return -ENOENT;
	n = node_get(parent, name, &st, &err);
	if (!n)
		return err;
	reply_entry(in->unique, n, &st, NULL);
	return 0;
}

static int do_getattr(struct fuse_in_header *in)
{
	struct fuse_attr_out out = { 0 };
	struct stat st;

	if (fstatat(node_of(in->nodeid)->fd, "", &st,
		    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	fill_timeout(&out.attr_valid, &out.attr_valid_nsec);
	fill_attr(&st, &out.attr);
	reply(in->unique, 0, &out, sizeof(out));
	return 0;
}

static const char *proc_path(char *buf, int fd)
{
	snprintf(buf, 64, "/proc/self/fd/%d", fd);
	return buf;
}

static int do_setattr(struct fuse_in_header *in, struct fuse_setattr_in *sa)
{
	struct node *n = node_of(in->nodeid);
	struct handle *h = (struct handle *)(uintptr_t)sa->fh;
	char p[64];

	proc_path(p, n->fd);
	if ((sa->valid & FATTR_MODE) && chmod(p, sa->mode))
		return -errno;
	if ((sa->valid & (FATTR_UID | FATTR_GID)) &&
	    fchownat(n->fd, "", (sa->valid & FATTR_UID) ? sa->uid : (uid_t)-1,
		     (sa->valid & FATTR_GID) ? sa->gid : (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return -errno;
	if (sa->valid & FATTR_SIZE) {
		int ret = (sa->valid & FATTR_FH) ? ftruncate(h->fd, sa->size) :
			truncate(p, sa->size);

		if (ret)
			return -errno;
	}
	if (sa->valid & (FATTR_ATIME | FATTR_MTIME)) {
		struct timespec ts[2] = {
			{ .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT },
		};

		if (sa->valid & FATTR_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		else if (sa->valid & FATTR_ATIME)
			ts[0] = (struct timespec){ sa->atime, sa->atimensec };
		if (sa->valid & FATTR_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		else if (sa->valid & FATTR_MTIME)
			ts[1] = (struct timespec){ sa->mtime, sa->mtimensec };
		if (utimensat(AT_FDCWD, p, ts, 0))
			return -errno;
	}
	return do_getattr(in);
}

static int do_readlink(struct fuse_in_header *in)
{
	char buf[PATH_MAX];
	ssize_t len = readlinkat(node_of(in->nodeid)->fd, "", buf, sizeof(buf));

	if (len < 0)
		return -errno;
	reply(in->unique, 0, buf, len);
	return 0;
}

/* Create as the caller: fsuid/fsgid of this thread */
struct as_caller {
	uid_t uid;
	gid_t gid;
};

static void caller_begin(struct fuse_in_header *in, struct as_caller *c)
{
	c->uid = syscall(SYS_setfsuid, in->uid);
	c->gid = syscall(SYS_setfsgid, in->gid);
}

static void caller_end(struct as_caller *c)
{
	syscall(SYS_setfsuid, c->uid);
	syscall(SYS_setfsgid, c->gid);
}

static int reply_new(struct fuse_in_header *in, struct node *parent,
		     const char *name)
{
	struct node *n;
	struct stat st;
	int err;

	n = node_get(parent, name, &st, &err);
	if (!n)
		return err;
	reply_entry(in->unique, n, &st, NULL);
	return 0;
}

static int do_mknod(struct fuse_in_header *in, struct fuse_mknod_in *arg)
{
	struct node *parent = node_of(in->nodeid);
	const char *name = (const char *)(arg + 1);
	struct as_caller c;
	int ret;

	caller_begin(in, &c);
	ret = mknodat(parent->fd, name, arg->mode, arg->rdev);
	ret = ret ? -errno : 0;
	caller_end(&c);
	return ret ? ret : reply_new(in, parent, name);
}

static int do_mkdir(struct fuse_in_header *in, struct fuse_mkdir_in *arg)
{
	struct node *parent = node_of(in->nodeid);
	const char *name = (const char *)(arg + 1);
	struct as_caller c;
	int ret;

	caller_begin(in, &c);
	ret = mkdirat(parent->fd, name, arg->mode) ? -errno : 0;
	caller_end(&c);
	return ret ? ret : reply_new(in, parent, name);
}

static int do_symlink(struct fuse_in_header *in, const char *name)
{
	const char *target = name + strlen(name) + 1;
	struct node *parent = node_of(in->nodeid);
	struct as_caller c;
	int ret;

	caller_begin(in, &c);
	ret = symlinkat(target, parent->fd, name) ? -errno : 0;
	caller_end(&c);
	return ret ? ret : reply_new(in, parent, name);
}

static int do_link(struct fuse_in_header *in, struct fuse_link_in *arg)
{
	struct node *parent = node_of(in->nodeid);
	const char *name = (const char *)(arg + 1);
	char p[64];

	if (linkat(AT_FDCWD, proc_path(p, node_of(arg->oldnodeid)->fd),
		   parent->fd, name, AT_SYMLINK_FOLLOW))
		return -errno;
	return reply_new(in, parent, name);
}

static int do_unlink(struct fuse_in_header *in, const char *name, int flags)
{
	if (unlinkat(node_of(in->nodeid)->fd, name, flags))
		return -errno;
	reply(in->unique, 0, NULL, 0);
	return 0;
}

static int do_rename(struct fuse_in_header *in, uint64_t newdir,
		     const char *name, unsigned int flags)
{
	const char *newname = name + strlen(name) + 1;

	if (syscall(SYS_renameat2, node_of(in->nodeid)->fd, name,
		    node_of(newdir)->fd, newname, flags))
		return -errno;
	reply(in->unique, 0, NULL, 0);
	return 0;
}

static struct handle *handle_new(int fd)
{
	struct handle *h = calloc(1, sizeof(*h));

	if (h)
		h->fd = fd;
	return h;
}

static int open_flags_out(struct node *n, struct handle *h,
			  struct fuse_open_out *out)
{
	memset(out, 0, sizeof(*out));
	out->fh = (uint64_t)(uintptr_t)h;
	if (cfg.mode == MODE_FILE) {
		int id = node_backing_id(n);

		if (id < 0)
			return id;
		out->open_flags = FOPEN_PASSTHROUGH;
		out->backing_id = id;
	}
	return 0;
}

/*
 * Flags to open a node's file with: the kernel already resolved the path
 * (O_NOFOLLOW would refuse the /proc magic link), and with the writeback
 * cache it reads pages of write-only files and sends writes at their own
 * offsets, so no O_WRONLY and no O_APPEND.
 */
static int open_flags_in(int flags)
{
	flags &= ~(O_CREAT | O_EXCL | O_NOCTTY | O_NOFOLLOW);
	if (cfg.mode == MODE_NONE) {
		flags &= ~O_APPEND;
		if ((flags & O_ACCMODE) == O_WRONLY)
			flags = (flags & ~O_ACCMODE) | O_RDWR;
	}
	return flags;
}

static int do_open(struct fuse_in_header *in, struct fuse_open_in *arg)
{
	struct fuse_open_out out;
	struct handle *h;
	char p[64];
	int fd, err;

	fd = open(proc_path(p, node_of(in->nodeid)->fd),
		  open_flags_in(arg->flags));
	if (fd < 0)
		return -errno;
	h = handle_new(fd);
	if (!h) {
		close(fd);
		return -ENOMEM;
	}
	err = open_flags_out(node_of(in->nodeid), h, &out);
	if (err) {
		close(fd);
		free(h);
		return err;
	}
	reply(in->unique, 0, &out, sizeof(out));
	return 0;
}

static int do_create(struct fuse_in_header *in, struct fuse_create_in *arg)
{
	struct node *parent = node_of(in->nodeid), *n;
	const char *name = (const char *)(arg + 1);
	struct fuse_open_out out;
	struct as_caller c;
	struct handle *h;
	struct stat st;
	int fd, err;

	caller_begin(in, &c);
	fd = openat(parent->fd, name, open_flags_in(arg->flags) | O_CREAT |
		    (arg->flags & O_EXCL), arg->mode);
	err = fd < 0 ? -errno : 0;
	caller_end(&c);
	if (err)
		return err;
	n = node_get(parent, name, &st, &err);
	h = n ? handle_new(fd) : NULL;
	if (!h) {
		close(fd);
		if (n)
			node_forget(id_of(n), 1);
		return n ? -ENOMEM : err;
	}
	err = open_flags_out(n, h, &out);
	if (err) {
		close(fd);
		free(h);
		node_forget(id_of(n), 1);
		return err;
	}
	reply_entry(in->unique, n, &st, &out);
	return 0;
}

static int do_read(struct fuse_in_header *in, struct fuse_read_in *arg,
		   char *buf)
{
	struct handle *h = (struct handle *)(uintptr_t)arg->fh;
	ssize_t len = pread(h->fd, buf, arg->size, arg->offset);

	if (len < 0)
		return -errno;
	reply(in->unique, 0, buf, len);
	return 0;
}

static int do_write(struct fuse_in_header *in, struct fuse_write_in *arg)
{
	struct handle *h = (struct handle *)(uintptr_t)arg->fh;
	struct fuse_write_out out = { 0 };
	ssize_t len = pwrite(h->fd, arg + 1, arg->size, arg->offset);

	if (len < 0)
		return -errno;
	out.size = len;
	reply(in->unique, 0, &out, sizeof(out));
	return 0;
}

static int do_release(struct fuse_in_header *in, struct fuse_release_in *arg)
{
	struct handle *h = (struct handle *)(uintptr_t)arg->fh;

	if (h->dir)
		closedir(h->dir);
	else
		close(h->fd);
	free(h->rel);
	free(h);
	reply(in->unique, 0, NULL, 0);
	return 0;
}

static int do_fsync(struct fuse_in_header *in, struct fuse_fsync_in *arg)
{
	struct handle *h = (struct handle *)(uintptr_t)arg->fh;
	int fd = h->dir ? dirfd(h->dir) : h->fd;

	if ((arg->fsync_flags & FUSE_FSYNC_FDATASYNC) ? fdatasync(fd) :
	    fsync(fd))
		return -errno;
	reply(in->unique, 0, NULL, 0);
	return 0;
}

static int do_opendir(struct fuse_in_header *in)
{
	struct node *n = node_of(in->nodeid);
	struct fuse_open_out out = { 0 };
	struct handle *h;
	int fd;

	fd = openat(n->fd, ".", O_RDONLY | O_DIRECTORY);
	if (fd < 0)
		return -errno;
	h = handle_new(fd);
	if (h) {
		h->dir = fdopendir(fd);
		h->rel = strdup(n->rel);
	}
	if (!h || !h->dir || !h->rel) {
		if (h)
			free(h->rel);
		free(h);
		close(fd);
		return -ENOMEM;
	}
	out.fh = (uint64_t)(uintptr_t)h;
	reply(in->unique, 0, &out, sizeof(out));
	return 0;
}

static int do_readdir(struct fuse_in_header *in, struct fuse_read_in *arg,
		      char *buf)
{
	struct handle *h = (struct handle *)(uintptr_t)arg->fh;
	size_t used = 0, size = arg->size;
	struct dirent *de;

	if (h->dir_off != (off_t)arg->offset) {
		seekdir(h->dir, arg->offset);
		h->dir_off = arg->offset;
	}
	while ((de = readdir(h->dir))) {
		size_t namelen = strlen(de->d_name);
		size_t rec = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);
		struct fuse_dirent *fde = (struct fuse_dirent *)(buf + used);
		off_t next = telldir(h->dir);

		if (hidden(de->d_name)) {
			h->dir_off = next;
			continue;
		}
		if (used + rec > size) {
			seekdir(h->dir, h->dir_off);
			break;
		}
		memset(fde, 0, rec);
		fde->ino = de->d_ino;
		fde->off = next;
		fde->namelen = namelen;
		fde->type = de->d_type;
		memcpy(fde->name, de->d_name, namelen);
		used += rec;
		h->dir_off = next;
	}
	reply(in->unique, 0, buf, used);
	return 0;
}

static int do_statfs(struct fuse_in_header *in)
{
	struct fuse_statfs_out out = { 0 };
	struct statvfs sv;

	if (fstatvfs(node_of(in->nodeid)->fd, &sv))
		return -errno;
	out.st.blocks = sv.f_blocks;
	out.st.bfree = sv.f_bfree;
	out.st.bavail = sv.f_bavail;
	out.st.files = sv.f_files;
	out.st.ffree = sv.f_ffree;
	out.st.bsize = sv.f_bsize;
	out.st.frsize = sv.f_frsize;
	out.st.namelen = sv.f_namemax;
	reply(in->unique, 0, &out, sizeof(out));
	return 0;
}

static int do_fallocate(struct fuse_in_header *in,
			struct fuse_fallocate_in *arg)
{
	struct handle *h = (struct handle *)(uintptr_t)arg->fh;

	if (fallocate(h->fd, arg->mode, arg->offset, arg->length))
		return -errno;
	reply(in->unique, 0, NULL, 0);
	return 0;
}

static int do_getxattr(struct fuse_in_header *in, struct fuse_getxattr_in *arg,
		       bool list, char *buf)
{
	const char *name = (const char *)(arg + 1);
	size_t size = arg->size > BUF_SIZE ? BUF_SIZE : arg->size;
	char p[64];
	ssize_t len;

	proc_path(p, node_of(in->nodeid)->fd);
	len = list ? llistxattr(p, size ? buf : NULL, size) :
		lgetxattr(p, name, size ? buf : NULL, size);
	if (len < 0)
		return -errno;
	if (!size) {
		struct fuse_getxattr_out out = { .size = len };

		reply(in->unique, 0, &out, sizeof(out));
	} else {
		reply(in->unique, 0, buf, len);
	}
	return 0;
}

static int do_init(struct fuse_in_header *in, struct fuse_init_in *arg)
{
	uint64_t offered = arg->flags;
	uint64_t want = FUSE_ASYNC_READ | FUSE_BIG_WRITES | FUSE_MAX_PAGES |
		FUSE_PARALLEL_DIROPS | FUSE_INIT_EXT | FUSE_EXPORT_SUPPORT;
	struct fuse_init_out out = {
		.major = FUSE_KERNEL_VERSION,
		.minor = FUSE_KERNEL_MINOR_VERSION,
		.max_readahead = arg->max_readahead,
		.max_write = MAX_WRITE,
		.max_background = 64,
		.congestion_threshold = 48,
		.max_pages = MAX_WRITE / 4096,
		.time_gran = 1,
	};
	int state = 1;

	if (arg->flags & FUSE_INIT_EXT)
		offered |= (uint64_t)arg->flags2 << 32;
	if (cfg.mode == MODE_NONE) {
		want |= FUSE_WRITEBACK_CACHE;
	} else {
		want |= FUSE_PASSTHROUGH;
		out.max_stack_depth = 1;
		if (!(offered & FUSE_PASSTHROUGH)) {
			warn("no FUSE_PASSTHROUGH in this kernel; use --mode=none");
			state = -1;
		}
	}
	if (cfg.mode == MODE_DIR) {
		/* bindings are made at lookup; READDIRPLUS cannot carry them */
		want |= FUSE_PASSTHROUGH_DIR | FUSE_NO_EXPORT_SUPPORT;
		want &= ~FUSE_EXPORT_SUPPORT;
		if (!(offered & FUSE_PASSTHROUGH_DIR)) {
			warn("no FUSE_PASSTHROUGH_DIR in this kernel; use --mode=file");
			state = -1;
		}
	}
	want &= offered;
	out.flags = want;
	out.flags2 = want >> 32;
	if (arg->minor < out.minor)
		out.minor = arg->minor;
	reply(in->unique, 0, &out, sizeof(out));

	pthread_mutex_lock(&lock);
	init_state = state;
	pthread_cond_broadcast(&init_cond);
	pthread_mutex_unlock(&lock);
	return 0;
}

static void handle(char *buf, ssize_t len, char *rbuf)
{
	struct fuse_in_header *in = (struct fuse_in_header *)buf;
	void *arg = in + 1;
	int err = -ENOSYS;

	if (len < (ssize_t)sizeof(*in) || in->len != len)
		return;
	if (in->opcode < MAX_OPCODE)
		__atomic_fetch_add(&counts[in->opcode], 1, __ATOMIC_RELAXED);
	/* node ids come from us; never trust one we did not give out */
	if (!in->nodeid && in->opcode != FUSE_INIT &&
	    in->opcode != FUSE_DESTROY && in->opcode != FUSE_INTERRUPT &&
	    in->opcode != FUSE_BATCH_FORGET) {
		fprintf(stderr, "fuse-passthrough: %s for node id 0 refused\n",
			in->opcode < MAX_OPCODE && opnames[in->opcode] ?
			opnames[in->opcode] : "request");
		if (in->opcode != FUSE_FORGET)
			reply(in->unique, -EINVAL, NULL, 0);
		return;
	}
	if (cfg.debug)
		fprintf(stderr, "fuse-passthrough: %s node %llu\n",
			in->opcode < MAX_OPCODE && opnames[in->opcode] ?
			opnames[in->opcode] : "?", (unsigned long long)in->nodeid);

	switch (in->opcode) {
	case FUSE_INIT:
		err = do_init(in, arg);
		break;
	case FUSE_DESTROY:
		err = 0;
		reply(in->unique, 0, NULL, 0);
		break;
	case FUSE_LOOKUP:
		err = do_lookup(in, arg);
		break;
	case FUSE_FORGET:
		node_forget(in->nodeid, ((struct fuse_forget_in *)arg)->nlookup);
		return;
	case FUSE_BATCH_FORGET: {
		struct fuse_batch_forget_in *b = arg;
		struct fuse_forget_one *one = (void *)(b + 1);
		unsigned int i;

		for (i = 0; i < b->count; i++)
			node_forget(one[i].nodeid, one[i].nlookup);
		return;
	}
	case FUSE_INTERRUPT:
		return;
	case FUSE_GETATTR:
		err = do_getattr(in);
		break;
	case FUSE_SETATTR:
		err = do_setattr(in, arg);
		break;
	case FUSE_READLINK:
		err = do_readlink(in);
		break;
	case FUSE_MKNOD:
		err = do_mknod(in, arg);
		break;
	case FUSE_MKDIR:
		err = do_mkdir(in, arg);
		break;
	case FUSE_SYMLINK:
		err = do_symlink(in, arg);
		break;
	case FUSE_LINK:
		err = do_link(in, arg);
		break;
	case FUSE_UNLINK:
		err = do_unlink(in, arg, 0);
		break;
	case FUSE_RMDIR:
		err = do_unlink(in, arg, AT_REMOVEDIR);
		break;
	case FUSE_RENAME: {
		struct fuse_rename_in *r = arg;

		err = do_rename(in, r->newdir, (char *)(r + 1), 0);
		break;
	}
	case FUSE_RENAME2: {
		struct fuse_rename2_in *r = arg;

		err = do_rename(in, r->newdir, (char *)(r + 1), r->flags);
		break;
	}
	case FUSE_OPEN:
		err = do_open(in, arg);
		break;
	case FUSE_CREATE:
		err = do_create(in, arg);
		break;
	case FUSE_READ:
		err = do_read(in, arg, rbuf);
		break;
	case FUSE_WRITE:
		err = do_write(in, arg);
		break;
	case FUSE_FLUSH:
		err = 0;
		reply(in->unique, 0, NULL, 0);
		break;
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
		err = do_release(in, arg);
		break;
	case FUSE_FSYNC:
	case FUSE_FSYNCDIR:
		err = do_fsync(in, arg);
		break;
	case FUSE_OPENDIR:
		err = do_opendir(in);
		break;
	case FUSE_READDIR:
		err = do_readdir(in, arg, rbuf);
		break;
	case FUSE_STATFS:
		err = do_statfs(in);
		break;
	case FUSE_FALLOCATE:
		err = do_fallocate(in, arg);
		break;
	case FUSE_GETXATTR:
		err = do_getxattr(in, arg, false, rbuf);
		break;
	case FUSE_LISTXATTR:
		err = do_getxattr(in, arg, true, rbuf);
		break;
	}
	if (err)
		reply(in->unique, err, NULL, 0);
}

static void *worker(void *unused)
{
	char *buf = malloc(BUF_SIZE), *rbuf = malloc(BUF_SIZE);
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (!buf || !rbuf)
		die("out of memory");
	for (;;) {
		ssize_t len = read(devfd, buf, BUF_SIZE);

		if (len < 0) {
			if (errno == EINTR || errno == EAGAIN ||
			    errno == ENOENT)
				continue;
			break;	/* ENODEV: unmounted */
		}
		handle(buf, len, rbuf);
	}
	free(buf);
	free(rbuf);
	pthread_mutex_lock(&lock);
	if (!init_state)
		init_state = -1;
	pthread_cond_broadcast(&init_cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

static bool has_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return false;
	return data[CAP_SYS_ADMIN / 32].effective & (1u << (CAP_SYS_ADMIN % 32));
}

static void help(FILE *f)
{
	fprintf(f,
		"usage: fuse-passthrough [options] SOURCE MOUNTPOINT\n"
		"  --mode=dir|file|none   directory passthrough (default), upstream\n"
		"                         per-file passthrough, or no passthrough\n"
		"  --daemon-path=SUBPATH  serve SUBPATH in the server (dir mode); repeatable\n"
		"  --hide=GLOB            hide matching names in server-served directories\n"
		"  --server-root          serve the root here even with no policy (dir mode)\n"
		"  --threads=N            request threads (default 2)\n"
		"  --timeout=SECS         entry/attribute timeout of server-served nodes (1)\n"
		"  --allow-other          let other users use the mount\n"
		"  --debug                log every request to stderr\n");
}

static void parse_args(int argc, char **argv)
{
	static const struct option opts[] = {
		{ "mode", required_argument, NULL, 'm' },
		{ "daemon-path", required_argument, NULL, 'p' },
		{ "hide", required_argument, NULL, 'H' },
		{ "server-root", no_argument, NULL, 'R' },
		{ "threads", required_argument, NULL, 't' },
		{ "timeout", required_argument, NULL, 'T' },
		{ "allow-other", no_argument, NULL, 'a' },
		{ "debug", no_argument, NULL, 'd' },
		{ "help", no_argument, NULL, 'h' },
		{ }
	};
	struct stat st;
	int c;

	while ((c = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		switch (c) {
		case 'm':
			if (!strcmp(optarg, "dir"))
				cfg.mode = MODE_DIR;
			else if (!strcmp(optarg, "file"))
				cfg.mode = MODE_FILE;
			else if (!strcmp(optarg, "none"))
				cfg.mode = MODE_NONE;
			else
				die("unknown mode '%s' (dir, file or none)", optarg);
			break;
		case 'p':
			while (*optarg == '/')
				optarg++;
			cfg.daemon_paths = realloc(cfg.daemon_paths,
						   ++cfg.n_daemon_paths * sizeof(char *));
			cfg.daemon_paths[cfg.n_daemon_paths - 1] = strdup(optarg);
			break;
		case 'H':
			cfg.hides = realloc(cfg.hides, ++cfg.n_hides * sizeof(char *));
			cfg.hides[cfg.n_hides - 1] = optarg;
			break;
		case 't':
			cfg.threads = atoi(optarg);
			if (cfg.threads < 1 || cfg.threads > 64)
				die("--threads takes 1 to 64");
			break;
		case 'T':
			cfg.timeout = atof(optarg);
			if (cfg.timeout < 0)
				die("--timeout takes a number of seconds >= 0");
			break;
		case 'a':
			cfg.allow_other = true;
			break;
		case 'R':
			cfg.server_root = true;
			break;
		case 'd':
			cfg.debug = true;
			break;
		case 'h':
			help(stdout);
			exit(0);
		default:
			help(stderr);
			exit(2);
		}
	}
	if (argc - optind != 2) {
		help(stderr);
		die(argc - optind < 1 ? "missing SOURCE" :
		    argc - optind < 2 ? "missing MOUNTPOINT" :
		    "too many arguments");
	}
	cfg.source = argv[optind];
	cfg.mnt = argv[optind + 1];
	if (stat(cfg.source, &st) || !S_ISDIR(st.st_mode))
		die("SOURCE %s is not a directory", cfg.source);
	if (stat(cfg.mnt, &st) || !S_ISDIR(st.st_mode))
		die("MOUNTPOINT %s is not a directory", cfg.mnt);
	if (cfg.n_daemon_paths && cfg.mode != MODE_DIR)
		die("--daemon-path needs --mode=dir");
	if (cfg.mode != MODE_NONE && !has_cap_sys_admin())
		die("--mode=%s needs CAP_SYS_ADMIN for backing files; use --mode=none",
		    cfg.mode == MODE_DIR ? "dir" : "file");
}

/* Every node the kernel knows holds an O_PATH fd: allow as many as we may */
static void raise_nofile(void)
{
	struct rlimit rl;
	FILE *f = fopen("/proc/sys/fs/nr_open", "r");
	unsigned long max = 0;

	if (f) {
		if (fscanf(f, "%lu", &max) != 1)
			max = 0;
		fclose(f);
	}
	if (getrlimit(RLIMIT_NOFILE, &rl))
		return;
	if (max > rl.rlim_max && !setrlimit(RLIMIT_NOFILE,
					    &(struct rlimit){ max, max }))
		return;
	rl.rlim_cur = rl.rlim_max;
	setrlimit(RLIMIT_NOFILE, &rl);
}

int main(int argc, char **argv)
{
	pthread_t *threads;
	bool root_bound;
	char opts[256];
	sigset_t sigs;
	int i, sig;

	parse_args(argc, argv);
	umask(0);
	raise_nofile();

	root.fd = open(cfg.source, O_PATH | O_DIRECTORY);
	if (root.fd < 0)
		die("%s: %s", cfg.source, strerror(errno));
	root.rel = "";
	root.nlookup = 1;

	devfd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (devfd < 0)
		die("/dev/fuse: %s", strerror(errno));
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,default_permissions%s",
		 devfd, getuid(), getgid(), cfg.allow_other ? ",allow_other" : "");
	/*
	 * No policy needs the server in the root: the kernel serves it all.
	 * A kernel without the option refuses it (EINVAL): serve the root.
	 */
	root_bound = cfg.mode == MODE_DIR && !cfg.server_root &&
		!cfg.n_daemon_paths && !cfg.n_hides;
	if (root_bound) {
		size_t len = strlen(opts);

		snprintf(opts + len, sizeof(opts) - len, ",passthrough_root=%d",
			 root.fd);
		if (mount(cfg.source, cfg.mnt, "fuse.passthrough",
			  MS_NOSUID | MS_NODEV, opts)) {
			if (errno != EINVAL)
				die("mount on %s: %s", cfg.mnt, strerror(errno));
			warn("root binding refused; the server serves the root");
			root_bound = false;
			opts[len] = '\0';
		}
	}
	if (!root_bound && mount(cfg.source, cfg.mnt, "fuse.passthrough",
				 MS_NOSUID | MS_NODEV, opts))
		die("mount on %s: %s", cfg.mnt, strerror(errno));

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);

	threads = calloc(cfg.threads, sizeof(*threads));
	for (i = 0; i < cfg.threads; i++)
		if (pthread_create(&threads[i], NULL, worker, NULL))
			die("cannot start threads");

	pthread_mutex_lock(&lock);
	while (!init_state)
		pthread_cond_wait(&init_cond, &lock);
	pthread_mutex_unlock(&lock);
	if (init_state < 0) {
		umount2(cfg.mnt, MNT_DETACH);
		return 1;
	}
	printf("fuse-passthrough: %s mounted on %s (mode %s%s, %d threads)\n",
	       cfg.source, cfg.mnt, cfg.mode == MODE_DIR ? "dir" :
	       cfg.mode == MODE_FILE ? "file" : "none",
	       root_bound ? ", root bound" : "", cfg.threads);
	fflush(stdout);

	for (;;) {
		if (sigwait(&sigs, &sig))
			continue;
		if (sig == SIGUSR1) {
			print_counts(stdout);
			continue;
		}
		break;
	}
	if (umount2(cfg.mnt, 0) && umount2(cfg.mnt, MNT_DETACH))
		fprintf(stderr, "fuse-passthrough: unmount %s: %s\n", cfg.mnt,
			strerror(errno));
	/* after a lazy unmount the workers end with the last user */
	for (i = 0; i < cfg.threads; i++)
		pthread_join(threads[i], NULL);
	print_counts(stdout);
	return 0;
}
