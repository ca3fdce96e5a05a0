// SPDX-License-Identifier: GPL-2.0
/*
 * fuse-passthrough: a FUSE server that mirrors a directory, on the libfuse
 * low-level API (libfuse with the directory passthrough series:
 * FUSE_CAP_PASSTHROUGH_DIR, fuse_reply_entry_backing()).  It mounts by
 * itself, for the mount options libfuse does not know (passthrough_root=),
 * and hands the /dev/fuse descriptor to libfuse.
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
 * --filter=SUBPATH  bind the directory SUBPATH as a passthrough subtree
 *              filtered per caller by a BPF struct_ops (its cookie: the
 *              option's position, 1 for the first); repeatable.
 * --filter-prog=OBJ  the filter (default: fuse-passthrough-filter.bpf.o
 *              next to this program), registered for the connection once
 *              INIT is done; its policy maps are filled with bpftool.
 *
 * Other options: --threads=N (default 2), --timeout=SECS for entries and
 * attributes of server-served nodes (default 1), --allow-other, --dev and
 * --suid (the mount is nodev,nosuid otherwise, as with libfuse), --debug.
 *
 * SIGUSR1 prints the number of requests by opcode; SIGTERM and SIGINT
 * unmount and exit, printing them too.
 */
#define _GNU_SOURCE
#define FUSE_USE_VERSION FUSE_MAKE_VERSION(3, 17)
#include <fuse_lowlevel.h>
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
#include <sched.h>
#include <sys/mount.h>
#include <sys/resource.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/syscall.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <sys/xattr.h>
#ifdef HAVE_LIBBPF
#include <bpf/btf.h>
#include <bpf/libbpf.h>
#endif

#ifndef FUSE_PASSTHROUGH_DIR
#error "needs the uapi of directory passthrough (include/uapi/linux/fuse.h)"
#endif

#define MAX_WRITE	(1024 * 1024)
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
	char **filters;
	int n_filters;
	const char *filter_prog;
	int threads;
	double timeout;
	bool allow_other;
	bool dev;
	bool suid;
	bool debug;
	bool server_root;
} cfg = { .mode = MODE_DIR, .threads = 2, .timeout = 1.0 };

static unsigned long counts[MAX_OPCODE];
static bool dont_mask;	/* FUSE_CAP_DONT_MASK: the umask is ours to apply */
static dev_t source_dev;
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

/* Open directories; open files are their fd */
struct dir_handle {
	DIR *dir;
	off_t off;
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
	[FUSE_SETUPMAPPING] = "SETUPMAPPING", [FUSE_TMPFILE] = "TMPFILE",
	[FUSE_STATX] = "STATX",
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

static const char *opname(uint32_t opcode)
{
	return opcode < MAX_OPCODE && opnames[opcode] ? opnames[opcode] : "?";
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
		fprintf(f, " %s=%lu", opname(i), n);
	}
	fprintf(f, " total=%lu\n", total);
	fflush(f);
}

/* ---- /dev/fuse i/o: every request read is counted here ---- */

static ssize_t dev_read(int fd, void *buf, size_t size, void *userdata)
{
	struct fuse_in_header *in = buf;
	ssize_t len;

	for (;;) {
		len = read(fd, buf, size);
		if (len < (ssize_t)sizeof(*in) || in->len != len)
			return len;
		if (in->opcode < MAX_OPCODE)
			__atomic_fetch_add(&counts[in->opcode], 1,
					   __ATOMIC_RELAXED);
		/* node ids come from us; never trust one we did not give out */
		if (in->nodeid || in->opcode == FUSE_INIT ||
		    in->opcode == FUSE_DESTROY || in->opcode == FUSE_INTERRUPT ||
		    in->opcode == FUSE_BATCH_FORGET) {
			if (cfg.debug)
				fprintf(stderr, "fuse-passthrough: %s node %llu\n",
					opname(in->opcode),
					(unsigned long long)in->nodeid);
			return len;
		}
		fprintf(stderr, "fuse-passthrough: %s for node id 0 refused\n",
			in->opcode < MAX_OPCODE && opnames[in->opcode] ?
			opnames[in->opcode] : "request");
		if (in->opcode != FUSE_FORGET) {
			struct fuse_out_header out = {
				.len = sizeof(out),
				.error = -EINVAL,
				.unique = in->unique,
			};

			if (write(fd, &out, sizeof(out)) < 0 && cfg.debug)
				perror("fuse-passthrough: reply");
		}
	}
}

static ssize_t dev_writev(int fd, struct iovec *iov, int count,
			  void *userdata)
{
	return writev(fd, iov, count);
}

static const struct fuse_custom_io dev_io = {
	.read = dev_read,
	.writev = dev_writev,
};

/* ---- node table ---- */

static unsigned int hash_of(dev_t dev, ino_t ino)
{
	return (ino ^ (dev << 5) ^ (ino >> 16)) % HASH_SIZE;
}

static struct node *node_of(fuse_ino_t ino)
{
	return ino == FUSE_ROOT_ID ? &root : (struct node *)(uintptr_t)ino;
}

static fuse_ino_t id_of(struct node *n)
{
	return n == &root ? FUSE_ROOT_ID : (fuse_ino_t)(uintptr_t)n;
}

static char *join_rel(const char *parent, const char *name)
{
	char *rel;

	if (asprintf(&rel, "%s%s%s", parent, *parent ? "/" : "", name) < 0)
		return NULL;
	return rel;
}

/*
 * Find or add the node of fd, an O_PATH fd (taken over) on name in parent;
 * takes a lookup reference.
 */
static struct node *node_add(int fd, struct node *parent, const char *name,
			     struct stat *st, int *err)
{
	struct node *n;
	unsigned int h;

	if (fd < 0 || fstatat(fd, "", st, AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW)) {
		*err = errno;
		if (fd >= 0)
			close(fd);
		return NULL;
	}
	/*
	 * Mounts on the source tree are not crossed, as in passthrough
	 * subtrees: the server would act on another filesystem (e.g. a
	 * cgroup or proc file) with its own rights.
	 */
	if (st->st_dev != source_dev) {
		close(fd);
		*err = EXDEV;
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
		if (n)
			n->rel = join_rel(parent->rel, name);
		if (!n || !n->rel) {
			pthread_mutex_unlock(&lock);
			free(n);
			close(fd);
			*err = ENOMEM;
			return NULL;
		}
		n->dev = st->st_dev;
		n->ino = st->st_ino;
		n->fd = fd;
		n->next = hash[h];
		hash[h] = n;
	}
	n->nlookup++;
	pthread_mutex_unlock(&lock);
	return n;
}

static struct node *node_get(struct node *parent, const char *name,
			     struct stat *st, int *err)
{
	return node_add(openat(parent->fd, name, O_PATH | O_NOFOLLOW), parent,
			name, st, err);
}

static void node_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	struct node *n = node_of(ino), **pp;

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
		fuse_passthrough_close(req, n->backing_id);
	close(n->fd);
	free(n->rel);
	free(n);
}

/*
 * The backing id of a node, registered from its O_PATH fd on first use and
 * kept until the node is forgotten: upstream passthrough wants one backing
 * file per inode for all its opens (file mode), and the kernel resolves a
 * bound entry's id after the reply was written (dir mode).  With the
 * directory passthrough capability libfuse registers with
 * FUSE_BACKING_INODE, which also serves FOPEN_PASSTHROUGH.
 */
/*
 * Registrations are made by one thread whose credentials never change: the
 * kernel records the registering thread's credentials (and uses them for
 * the bound inode), and rename and link between two bound directories need
 * registrations with the same ones.  A worker that once created as a
 * caller (setfsuid and back) has other credentials from then on.
 */
static struct {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	fuse_req_t req;
	int fd, id;
	int state;	/* 0 idle, 1 asked, 2 answered */
} reg = { PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER };

static void *registrar(void *unused)
{
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	pthread_mutex_lock(&reg.lock);
	for (;;) {
		while (reg.state != 1)
			pthread_cond_wait(&reg.cond, &reg.lock);
		reg.id = fuse_passthrough_open(reg.req, reg.fd);
		reg.state = 2;
		pthread_cond_broadcast(&reg.cond);
	}
	return NULL;
}

static int register_fd(fuse_req_t req, int fd)
{
	int id;

	pthread_mutex_lock(&reg.lock);
	while (reg.state)
		pthread_cond_wait(&reg.cond, &reg.lock);
	reg.req = req;
	reg.fd = fd;
	reg.state = 1;
	pthread_cond_broadcast(&reg.cond);
	while (reg.state != 2)
		pthread_cond_wait(&reg.cond, &reg.lock);
	id = reg.id;
	reg.state = 0;
	pthread_cond_broadcast(&reg.cond);
	pthread_mutex_unlock(&reg.lock);
	return id;
}

static int node_backing_id(fuse_req_t req, struct node *n)
{
	pthread_mutex_lock(&lock);
	if (!n->backing_id) {
		/* only bindings (dir mode) need the one thread's credentials */
		int id = cfg.mode == MODE_DIR ? register_fd(req, n->fd) :
			fuse_passthrough_open(req, n->fd);

		n->backing_id = id > 0 ? id : -EIO;
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
	/* the directories above a filtered subtree */
	for (i = 0; i < cfg.n_filters; i++) {
		const char *fp = cfg.filters[i];

		if (!strncmp(fp, rel, len) && fp[len] == '/')
			return true;
	}
	return false;
}

/* The cookie of a --filter directory (its position), or 0 */
static uint64_t filter_cookie(const char *rel)
{
	int i;

	for (i = 0; i < cfg.n_filters; i++)
		if (!strcmp(cfg.filters[i], rel))
			return i + 1;
	return 0;
}

/* Is a new name in parent refused by the policy (hidden)? */
static bool refused_name(fuse_req_t req, const char *name)
{
	if (!hidden(name))
		return false;
	fuse_reply_err(req, EACCES);
	return true;
}

/* Is name in parent served here (not bound to the kernel)? */
static bool served_name(struct node *parent, const char *name)
{
	char *rel = join_rel(parent->rel, name);
	bool served = rel ? served_here(rel) : true;

	free(rel);
	return served;
}

/* ---- replies ---- */

/*
 * The entry reply (with fi: of a create): in dir mode, nodes outside the
 * server's paths are bound to themselves (directories as subtrees).
 */
static void reply_entry(fuse_req_t req, struct node *n, const struct stat *st,
			struct fuse_file_info *fi)
{
	struct fuse_entry_param e = {
		.ino = id_of(n),
		.attr = *st,
		.attr_timeout = cfg.timeout,
		.entry_timeout = cfg.timeout,
	};
	unsigned int flags = S_ISDIR(st->st_mode) ? FUSE_BACKING_SUBTREE : 0;
	int id = 0;

	if (!served_here(n->rel)) {
		id = node_backing_id(req, n);
		if (id < 0)
			id = 0;
	}
	if (fi)
		fuse_reply_create_backing(req, &e, fi, id, flags);
	else if (id && S_ISDIR(st->st_mode) && filter_cookie(n->rel))
		fuse_reply_entry_filtered(req, &e, id, filter_cookie(n->rel));
	else
		fuse_reply_entry_backing(req, &e, id, flags);
}

static void reply_new(fuse_req_t req, struct node *parent, const char *name)
{
	struct node *n;
	struct stat st;
	int err;

	n = node_get(parent, name, &st, &err);
	if (!n)
		fuse_reply_err(req, err);
	else
		reply_entry(req, n, &st, NULL);
}

static void reply_result(fuse_req_t req, int ret)
{
	fuse_reply_err(req, ret ? errno : 0);
}

static const char *proc_path(char *buf, int fd)
{
	snprintf(buf, 64, "/proc/self/fd/%d", fd);
	return buf;
}

/*
 * The umask of this thread: with FUSE_CAP_DONT_MASK the kernel leaves the
 * caller's umask to the server, which applies it by creating with it (the
 * backing filesystem ignores it where a default ACL applies, as natively).
 * Each thread has its own fs_struct for that (unshare(CLONE_FS)).
 */
static mode_t thread_umask(mode_t mask)
{
	static __thread bool own_fs;

	if (!own_fs) {
		if (unshare(CLONE_FS))
			return umask(0);	/* keep 0: shared with others */
		own_fs = true;
	}
	return umask(mask);
}

/*
 * call (creating or changing a file) as the caller: fsuid/fsgid of this
 * thread, and the caller's umask where the kernel sent one
 */
#define AS_CALLER(req, call) ({						\
	const struct fuse_ctx *__ctx = fuse_req_ctx(req);		\
	uid_t __uid = syscall(SYS_setfsuid, __ctx->uid);		\
	gid_t __gid = syscall(SYS_setfsgid, __ctx->gid);		\
	mode_t __mask = dont_mask ? thread_umask(__ctx->umask) : 0;	\
	int __ret = (call), __err = errno;				\
									\
	if (dont_mask)							\
		thread_umask(__mask);					\
	syscall(SYS_setfsuid, __uid);					\
	syscall(SYS_setfsgid, __gid);					\
	errno = __err;							\
	__ret; })

/* The reply to a mknod, mkdir, symlink or link of name in parent */
static void reply_made(fuse_req_t req, fuse_ino_t parent, const char *name,
		       int ret)
{
	if (ret)
		fuse_reply_err(req, errno);
	else
		reply_new(req, node_of(parent), name);
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

/* Open of n on fd: per-file passthrough in file mode; 0 or an errno */
static int open_fh(fuse_req_t req, struct node *n, int fd,
		   struct fuse_file_info *fi)
{
	fi->fh = fd;
	if (cfg.mode == MODE_FILE) {
		int id = node_backing_id(req, n);

		if (id < 0)
			return -id;
		fi->backing_id = id;
	}
	return 0;
}

/* The reply to a create or tmpfile of n (or an error), open on fd */
static void reply_created(fuse_req_t req, struct node *n, int fd,
			  struct fuse_file_info *fi, const struct stat *st,
			  int err)
{
	if (n) {
		err = open_fh(req, n, fd, fi);
		if (!err) {
			reply_entry(req, n, st, fi);
			return;
		}
		node_forget(req, id_of(n), 1);
	}
	close(fd);
	fuse_reply_err(req, err);
}

/* ---- request handlers ---- */

static void fp_init(void *userdata, struct fuse_conn_info *conn)
{
	int state = 1;

	conn->max_write = MAX_WRITE;
	conn->max_background = 64;
	conn->congestion_threshold = 48;
	/* only what the server asks for, not libfuse's defaults */
	fuse_unset_feature_flag(conn, FUSE_CAP_AUTO_INVAL_DATA |
				FUSE_CAP_ASYNC_DIO | FUSE_CAP_IOCTL_DIR |
				FUSE_CAP_ATOMIC_O_TRUNC);
	fuse_set_feature_flag(conn, FUSE_CAP_PARALLEL_DIROPS);
	if (cfg.mode == MODE_NONE) {
		fuse_set_feature_flag(conn, FUSE_CAP_WRITEBACK_CACHE);
	} else if (!fuse_set_feature_flag(conn, FUSE_CAP_PASSTHROUGH)) {
		warn("no FUSE_PASSTHROUGH in this kernel; use --mode=none");
		state = -1;
	}
	/*
	 * No file handles: node ids are pointers, valid only while the kernel
	 * holds the node; a handle would bring back a stale or forged one.
	 */
	fuse_set_feature_flag(conn, FUSE_CAP_NO_EXPORT_SUPPORT);
	if (cfg.mode == MODE_DIR &&
	    !fuse_set_feature_flag(conn, FUSE_CAP_PASSTHROUGH_DIR)) {
		warn("no FUSE_PASSTHROUGH_DIR in this kernel; use --mode=file");
		state = -1;
	}
	/*
	 * The kernel checks callers of server-served nodes against their ACLs
	 * too, not the mode bits alone, before the server acts with its own
	 * rights (bound inodes have the backing ACLs anyway); and it leaves
	 * the umask to the server, so that a default ACL of the backing
	 * directory replaces it, as natively.
	 */
	fuse_set_feature_flag(conn, FUSE_CAP_POSIX_ACL);
	dont_mask = fuse_set_feature_flag(conn, FUSE_CAP_DONT_MASK);

	pthread_mutex_lock(&lock);
	init_state = state;
	pthread_cond_broadcast(&init_cond);
	pthread_mutex_unlock(&lock);
}

/*
 * Names that are not there (or hidden) are negative entries for the
 * timeout: the kernel then sends a create for them, and never looks them
 * up again between its lookup and the create
 */
static void fp_lookup(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	struct fuse_entry_param e = { .entry_timeout = cfg.timeout };
	struct node *n;
	struct stat st;
	int err = ENOENT;

	n = hidden(name) ? NULL : node_get(node_of(parent), name, &st, &err);
	if (n)
		reply_entry(req, n, &st, NULL);
	else if (err == ENOENT)
		fuse_reply_entry(req, &e);
	else
		fuse_reply_err(req, err);
}

static void fp_forget(fuse_req_t req, fuse_ino_t ino, uint64_t nlookup)
{
	node_forget(req, ino, nlookup);
	fuse_reply_none(req);
}

static void fp_forget_multi(fuse_req_t req, size_t count,
			    struct fuse_forget_data *forgets)
{
	size_t i;

	for (i = 0; i < count; i++)
		node_forget(req, forgets[i].ino, forgets[i].nlookup);
	fuse_reply_none(req);
}

static void fp_getattr(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct stat st;

	if (fstatat(node_of(ino)->fd, "", &st,
		    AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		fuse_reply_err(req, errno);
	else
		fuse_reply_attr(req, &st, cfg.timeout);
}

static int do_setattr(struct node *n, struct stat *attr, int valid,
		      struct fuse_file_info *fi)
{
	char p[64];

	proc_path(p, n->fd);
	if ((valid & FUSE_SET_ATTR_MODE) && chmod(p, attr->st_mode))
		return errno;
	if ((valid & (FUSE_SET_ATTR_UID | FUSE_SET_ATTR_GID)) &&
	    fchownat(n->fd, "",
		     (valid & FUSE_SET_ATTR_UID) ? attr->st_uid : (uid_t)-1,
		     (valid & FUSE_SET_ATTR_GID) ? attr->st_gid : (gid_t)-1,
		     AT_EMPTY_PATH | AT_SYMLINK_NOFOLLOW))
		return errno;
	if ((valid & FUSE_SET_ATTR_SIZE) &&
	    (fi ? ftruncate(fi->fh, attr->st_size) :
	     truncate(p, attr->st_size)))
		return errno;
	if (valid & (FUSE_SET_ATTR_ATIME | FUSE_SET_ATTR_MTIME)) {
		struct timespec ts[2] = {
			{ .tv_nsec = UTIME_OMIT }, { .tv_nsec = UTIME_OMIT },
		};

		if (valid & FUSE_SET_ATTR_ATIME_NOW)
			ts[0].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_ATIME)
			ts[0] = attr->st_atim;
		if (valid & FUSE_SET_ATTR_MTIME_NOW)
			ts[1].tv_nsec = UTIME_NOW;
		else if (valid & FUSE_SET_ATTR_MTIME)
			ts[1] = attr->st_mtim;
		if (utimensat(AT_FDCWD, p, ts, 0))
			return errno;
	}
	return 0;
}

static void fp_setattr(fuse_req_t req, fuse_ino_t ino, struct stat *attr,
		       int valid, struct fuse_file_info *fi)
{
	int err = do_setattr(node_of(ino), attr, valid, fi);

	if (err)
		fuse_reply_err(req, err);
	else
		fp_getattr(req, ino, fi);
}

static void fp_readlink(fuse_req_t req, fuse_ino_t ino)
{
	char buf[PATH_MAX + 1];
	ssize_t len = readlinkat(node_of(ino)->fd, "", buf, PATH_MAX);

	if (len < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	buf[len] = 0;
	fuse_reply_readlink(req, buf);
}

static void fp_mknod(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode, dev_t rdev)
{
	int fd = node_of(parent)->fd;

	if (refused_name(req, name))
		return;
	reply_made(req, parent, name,
		   AS_CALLER(req, mknodat(fd, name, mode, rdev)));
}

static void fp_mkdir(fuse_req_t req, fuse_ino_t parent, const char *name,
		     mode_t mode)
{
	int fd = node_of(parent)->fd;

	if (refused_name(req, name))
		return;
	reply_made(req, parent, name,
		   AS_CALLER(req, mkdirat(fd, name, mode)));
}

static void fp_symlink(fuse_req_t req, const char *target, fuse_ino_t parent,
		       const char *name)
{
	int fd = node_of(parent)->fd;

	if (refused_name(req, name))
		return;
	reply_made(req, parent, name,
		   AS_CALLER(req, symlinkat(target, fd, name)));
}

static void fp_link(fuse_req_t req, fuse_ino_t ino, fuse_ino_t parent,
		    const char *name)
{
	char p[64];

	if (refused_name(req, name))
		return;
	/* a name served here for a bound inode, or the reverse: as EXDEV */
	if (served_here(node_of(ino)->rel) != served_name(node_of(parent), name)) {
		fuse_reply_err(req, EXDEV);
		return;
	}
	reply_made(req, parent, name,
		   linkat(AT_FDCWD, proc_path(p, node_of(ino)->fd),
			  node_of(parent)->fd, name, AT_SYMLINK_FOLLOW));
}

static void fp_unlink(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	reply_result(req, unlinkat(node_of(parent)->fd, name, 0));
}

static void fp_rmdir(fuse_req_t req, fuse_ino_t parent, const char *name)
{
	reply_result(req, unlinkat(node_of(parent)->fd, name, AT_REMOVEDIR));
}

static void fp_rename(fuse_req_t req, fuse_ino_t parent, const char *name,
		      fuse_ino_t newparent, const char *newname,
		      unsigned int flags)
{
	if (refused_name(req, newname) || refused_name(req, name))
		return;
	if (served_name(node_of(parent), name) !=
	    served_name(node_of(newparent), newname)) {
		fuse_reply_err(req, EXDEV);
		return;
	}
	reply_result(req, renameat2(node_of(parent)->fd, name,
				    node_of(newparent)->fd, newname, flags));
}

static void fp_open(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	struct node *n = node_of(ino);
	char p[64];
	int fd, err;

	fd = open(proc_path(p, n->fd), open_flags_in(fi->flags));
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	err = open_fh(req, n, fd, fi);
	if (err) {
		close(fd);
		fuse_reply_err(req, err);
		return;
	}
	fuse_reply_open(req, fi);
}

static void fp_create(fuse_req_t req, fuse_ino_t parent, const char *name,
		      mode_t mode, struct fuse_file_info *fi)
{
	struct node *p = node_of(parent), *n;
	char path[64];
	struct stat st;
	int fd, err;

	if (refused_name(req, name))
		return;
	/*
	 * Never a symlink found at the name (the kernel resolves those in the
	 * caller's view), and the node is the file opened, not whatever the
	 * name points to by the time it is looked up again.
	 */
	fd = AS_CALLER(req, openat(p->fd, name, open_flags_in(fi->flags) |
				   O_CREAT | O_NOFOLLOW | (fi->flags & O_EXCL),
				   mode));
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	n = node_add(open(proc_path(path, fd), O_PATH), p, name, &st, &err);
	if (n && !S_ISREG(st.st_mode)) {
		node_forget(req, id_of(n), 1);
		n = NULL;
		err = EIO;
	}
	reply_created(req, n, fd, fi, &st, err);
}

/*
 * O_TMPFILE: the node has no name; "/" as its name keeps it inside the
 * daemon path of its directory, or outside every daemon path.
 */
static void fp_tmpfile(fuse_req_t req, fuse_ino_t parent, mode_t mode,
		       struct fuse_file_info *fi)
{
	struct node *p = node_of(parent), *n;
	struct stat st;
	char path[64];
	int fd, err;

	fd = AS_CALLER(req, openat(p->fd, ".", open_flags_in(fi->flags) |
				   O_TMPFILE | (fi->flags & O_EXCL), mode));
	if (fd < 0) {
		fuse_reply_err(req, errno);
		return;
	}
	n = node_add(open(proc_path(path, fd), O_PATH), p, "/", &st, &err);
	reply_created(req, n, fd, fi, &st, err);
}

/*
 * Reads go through one buffer per thread: fuse_reply_data() of an fd
 * without splice allocates (and faults in) a buffer of the request's size
 * for every read.
 */
static void fp_read(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		    struct fuse_file_info *fi)
{
	static __thread char *buf;
	ssize_t len;

	if (!buf)
		buf = malloc(MAX_WRITE);
	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	len = pread(fi->fh, buf, size < MAX_WRITE ? size : MAX_WRITE, off);
	if (len < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_buf(req, buf, len);
}

static void fp_write(fuse_req_t req, fuse_ino_t ino, const char *data,
		     size_t size, off_t off, struct fuse_file_info *fi)
{
	ssize_t len = pwrite(fi->fh, data, size, off);

	if (len < 0)
		fuse_reply_err(req, errno);
	else
		fuse_reply_write(req, len);
}

static void fp_flush(fuse_req_t req, fuse_ino_t ino, struct fuse_file_info *fi)
{
	fuse_reply_err(req, 0);
}

static void fp_release(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	close(fi->fh);
	fuse_reply_err(req, 0);
}

static void fp_fsync(fuse_req_t req, fuse_ino_t ino, int datasync,
		     struct fuse_file_info *fi)
{
	reply_result(req, datasync ? fdatasync(fi->fh) : fsync(fi->fh));
}

static struct dir_handle *dir_of(struct fuse_file_info *fi)
{
	return (struct dir_handle *)(uintptr_t)fi->fh;
}

static void fp_opendir(fuse_req_t req, fuse_ino_t ino,
		       struct fuse_file_info *fi)
{
	struct dir_handle *h = calloc(1, sizeof(*h));
	int fd, err;

	fd = openat(node_of(ino)->fd, ".", O_RDONLY | O_DIRECTORY);
	err = fd < 0 ? errno : ENOMEM;
	if (h && fd >= 0)
		h->dir = fdopendir(fd);
	if (!h || !h->dir) {
		if (fd >= 0)
			close(fd);
		free(h);
		fuse_reply_err(req, err);
		return;
	}
	fi->fh = (uintptr_t)h;
	fuse_reply_open(req, fi);
}

static void fp_readdir(fuse_req_t req, fuse_ino_t ino, size_t size, off_t off,
		       struct fuse_file_info *fi)
{
	struct dir_handle *h = dir_of(fi);
	char *buf = malloc(size);
	size_t used = 0;
	struct dirent *de;

	if (!buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	if (h->off != off) {
		seekdir(h->dir, off);
		h->off = off;
	}
	while ((de = readdir(h->dir))) {
		struct stat st = {
			.st_ino = de->d_ino,
			.st_mode = DTTOIF(de->d_type),
		};
		off_t next = telldir(h->dir);
		size_t rec;

		if (hidden(de->d_name)) {
			h->off = next;
			continue;
		}
		rec = fuse_add_direntry(req, buf + used, size - used,
					de->d_name, &st, next);
		if (rec > size - used) {
			seekdir(h->dir, h->off);
			break;
		}
		used += rec;
		h->off = next;
	}
	fuse_reply_buf(req, buf, used);
	free(buf);
}

static void fp_releasedir(fuse_req_t req, fuse_ino_t ino,
			  struct fuse_file_info *fi)
{
	closedir(dir_of(fi)->dir);
	free(dir_of(fi));
	fuse_reply_err(req, 0);
}

static void fp_fsyncdir(fuse_req_t req, fuse_ino_t ino, int datasync,
			struct fuse_file_info *fi)
{
	int fd = dirfd(dir_of(fi)->dir);

	reply_result(req, datasync ? fdatasync(fd) : fsync(fd));
}

static void fp_statfs(fuse_req_t req, fuse_ino_t ino)
{
	struct statvfs sv;

	if (fstatvfs(node_of(ino)->fd, &sv))
		fuse_reply_err(req, errno);
	else
		fuse_reply_statfs(req, &sv);
}

static void fp_fallocate(fuse_req_t req, fuse_ino_t ino, int mode,
			 off_t offset, off_t length, struct fuse_file_info *fi)
{
	reply_result(req, fallocate(fi->fh, mode, offset, length));
}

/*
 * Extended attributes, on the node's file through its /proc magic link
 * (an O_PATH fd has no f*xattr()).  The kernel checked the caller
 * (default_permissions), but leaves security.* and system.* names to the
 * filesystem: changes are made with the caller's fsuid/fsgid (which drops
 * the server's file capabilities), so that the backing filesystem's own
 * owner checks apply to the caller, as natively.
 */
static void fp_getxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			size_t size)
{
	char *buf = size ? malloc(size) : NULL, p[64];
	ssize_t len;

	if (size && !buf) {
		fuse_reply_err(req, ENOMEM);
		return;
	}
	proc_path(p, node_of(ino)->fd);
	len = getxattr(p, name, buf, size);
	if (len < 0)
		fuse_reply_err(req, errno);
	else if (!size)
		fuse_reply_xattr(req, len);
	else
		fuse_reply_buf(req, buf, len);
	free(buf);
}

/*
 * The names, without trusted.* ones for callers other than root: a
 * filesystem lists those only to CAP_SYS_ADMIN (uid 0 stands for it here).
 */
static void fp_listxattr(fuse_req_t req, fuse_ino_t ino, size_t size)
{
	bool all = fuse_req_ctx(req)->uid == 0;
	char p[64], *buf = NULL, *from, *to;
	ssize_t len;

	proc_path(p, node_of(ino)->fd);
	do {
		free(buf);
		len = listxattr(p, NULL, 0);
		buf = len > 0 ? malloc(len) : NULL;
		if (len > 0 && buf)
			len = listxattr(p, buf, len);
		else if (len > 0)
			len = -1, errno = ENOMEM;
	} while (len < 0 && errno == ERANGE);
	if (len < 0) {
		fuse_reply_err(req, errno);
		free(buf);
		return;
	}
	for (from = to = buf; from < buf + len; from += strlen(from) + 1) {
		if (!all && !strncmp(from, "trusted.", 8))
			continue;
		memmove(to, from, strlen(from) + 1);
		to += strlen(to) + 1;
	}
	len = to - buf;
	if (!size)
		fuse_reply_xattr(req, len);
	else if ((size_t)len > size)
		fuse_reply_err(req, ERANGE);
	else
		fuse_reply_buf(req, buf, len);
	free(buf);
}

static void fp_setxattr(fuse_req_t req, fuse_ino_t ino, const char *name,
			const char *value, size_t size, int flags)
{
	char p[64];

	proc_path(p, node_of(ino)->fd);
	reply_result(req, AS_CALLER(req, setxattr(p, name, value, size,
						  flags)));
}

static void fp_removexattr(fuse_req_t req, fuse_ino_t ino, const char *name)
{
	char p[64];

	proc_path(p, node_of(ino)->fd);
	reply_result(req, AS_CALLER(req, removexattr(p, name)));
}

static const struct fuse_lowlevel_ops fp_ops = {
	.init = fp_init,
	.lookup = fp_lookup,
	.forget = fp_forget,
	.forget_multi = fp_forget_multi,
	.getattr = fp_getattr,
	.setattr = fp_setattr,
	.readlink = fp_readlink,
	.mknod = fp_mknod,
	.mkdir = fp_mkdir,
	.symlink = fp_symlink,
	.link = fp_link,
	.unlink = fp_unlink,
	.rmdir = fp_rmdir,
	.rename = fp_rename,
	.open = fp_open,
	.create = fp_create,
	.tmpfile = fp_tmpfile,
	.read = fp_read,
	.write = fp_write,
	.flush = fp_flush,
	.release = fp_release,
	.fsync = fp_fsync,
	.opendir = fp_opendir,
	.readdir = fp_readdir,
	.releasedir = fp_releasedir,
	.fsyncdir = fp_fsyncdir,
	.statfs = fp_statfs,
	.fallocate = fp_fallocate,
	.getxattr = fp_getxattr,
	.listxattr = fp_listxattr,
	.setxattr = fp_setxattr,
	.removexattr = fp_removexattr,
};

/* The request loop, with every signal blocked (main takes them) */
static void *loop(void *se)
{
	struct fuse_loop_config *lc;
	sigset_t all;

	sigfillset(&all);
	pthread_sigmask(SIG_BLOCK, &all, NULL);
	if (cfg.threads == 1) {
		fuse_session_loop(se);
	} else {
		lc = fuse_loop_cfg_create();
		if (!lc)
			die("out of memory");
		fuse_loop_cfg_set_max_threads(lc, cfg.threads);
		fuse_loop_cfg_set_idle_threads(lc, cfg.threads);
		fuse_session_loop_mt(se, lc);
		fuse_loop_cfg_destroy(lc);
	}
	pthread_mutex_lock(&lock);
	if (!init_state)
		init_state = -1;
	pthread_cond_broadcast(&init_cond);
	pthread_mutex_unlock(&lock);
	return NULL;
}

/*
 * Once the descriptor limit is raised: no CAP_SYS_RESOURCE for what the
 * server does for callers (nor for registrations, whose credentials the
 * kernel uses for bound inodes), so quotas and reserved blocks hold for
 * them as natively.
 */
static struct __user_cap_header_struct cap_hdr = {
	.version = _LINUX_CAPABILITY_VERSION_3,
};

static void drop_sys_resource(void)
{
	struct __user_cap_data_struct data[2];
	unsigned int bit = 1u << (CAP_SYS_RESOURCE % 32);

	if (syscall(SYS_capget, &cap_hdr, data))
		return;
	data[CAP_SYS_RESOURCE / 32].effective &= ~bit;
	data[CAP_SYS_RESOURCE / 32].permitted &= ~bit;
	data[CAP_SYS_RESOURCE / 32].inheritable &= ~bit;
	if (syscall(SYS_capset, &cap_hdr, data))
		warn("cannot drop CAP_SYS_RESOURCE");
}

static bool has_cap_sys_admin(void)
{
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &cap_hdr, data))
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
		"  --filter=SUBPATH       bind directory SUBPATH filtered per caller (BPF);\n"
		"                         repeatable; cookie = position (1, 2, ...)\n"
		"  --filter-prog=OBJ      the filter (fuse-passthrough-filter.bpf.o)\n"
		"  --threads=N            request threads (default 2)\n"
		"  --timeout=SECS         entry/attribute timeout of server-served nodes (1)\n"
		"  --allow-other          let other users use the mount\n"
		"  --dev                  allow device files (the mount is nodev otherwise)\n"
		"  --suid                 allow setuid/setgid (the mount is nosuid otherwise)\n"
		"  --debug                log every request to stderr\n");
}

/*
 * A --daemon-path as the server compares it: no leading, trailing or
 * repeated slashes; "." and ".." components are refused.
 */
static char *clean_path(const char *arg)
{
	char *path = calloc(1, strlen(arg) + 1), *to = path;
	const char *from = arg, *end;

	if (!path)
		die("out of memory");
	for (; *from; from = end) {
		while (*from == '/')
			from++;
		end = strchrnul(from, '/');
		if (end == from)
			break;
		if ((end - from == 1 && from[0] == '.') ||
		    (end - from == 2 && !strncmp(from, "..", 2)))
			die("--daemon-path=%s: no . or .. components", arg);
		if (to != path)
			*to++ = '/';
		memcpy(to, from, end - from);
		to += end - from;
	}
	if (!*path)
		die("--daemon-path=%s names the root; use --server-root", arg);
	return path;
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
		{ "dev", no_argument, NULL, 'D' },
		{ "suid", no_argument, NULL, 'S' },
		{ "debug", no_argument, NULL, 'd' },
		{ "filter", required_argument, NULL, 'F' },
		{ "filter-prog", required_argument, NULL, 'P' },
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
			cfg.daemon_paths = realloc(cfg.daemon_paths,
						   ++cfg.n_daemon_paths * sizeof(char *));
			cfg.daemon_paths[cfg.n_daemon_paths - 1] =
				clean_path(optarg);
			break;
		case 'H':
			cfg.hides = realloc(cfg.hides, ++cfg.n_hides * sizeof(char *));
			cfg.hides[cfg.n_hides - 1] = optarg;
			break;
		case 'F':
			cfg.filters = realloc(cfg.filters,
					      ++cfg.n_filters * sizeof(char *));
			cfg.filters[cfg.n_filters - 1] = clean_path(optarg);
			break;
		case 'P':
			cfg.filter_prog = optarg;
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
		case 'D':
			cfg.dev = true;
			break;
		case 'S':
			cfg.suid = true;
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
	if (cfg.n_filters && cfg.mode != MODE_DIR)
		die("--filter needs --mode=dir");
#ifndef HAVE_LIBBPF
	if (cfg.n_filters)
		die("--filter: built without libbpf");
#endif
	if (stat(cfg.source, &st))
		die("SOURCE %s: %s", cfg.source, strerror(errno));
	source_dev = st.st_dev;
	if (cfg.suid || cfg.dev) {
		struct statvfs sv;

		/* the mount must not allow what SOURCE's mount does not */
		if (statvfs(cfg.source, &sv))
			die("SOURCE %s: %s", cfg.source, strerror(errno));
		if (cfg.suid && (sv.f_flag & ST_NOSUID))
			die("--suid: SOURCE %s is on a nosuid mount", cfg.source);
		if (cfg.dev && (sv.f_flag & ST_NODEV))
			die("--dev: SOURCE %s is on a nodev mount", cfg.source);
	}
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

/*
 * Mount on /dev/fuse fd ourselves (libfuse cannot pass passthrough_root=);
 * true if the root is bound.
 */
static bool mount_fuse(int devfd)
{
	unsigned long flags = (cfg.dev ? 0 : MS_NODEV) |
		(cfg.suid ? 0 : MS_NOSUID);
	bool root_bound;
	char opts[256];

	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=%u,group_id=%u,default_permissions%s",
		 devfd, getuid(), getgid(), cfg.allow_other ? ",allow_other" : "");
	/*
	 * No policy needs the server in the root: the kernel serves it all.
	 * A kernel without the option refuses it (EINVAL): serve the root.
	 */
	root_bound = cfg.mode == MODE_DIR && !cfg.server_root &&
		!cfg.n_daemon_paths && !cfg.n_hides && !cfg.n_filters;
	if (root_bound) {
		size_t len = strlen(opts);

		snprintf(opts + len, sizeof(opts) - len, ",passthrough_root=%d",
			 root.fd);
		if (mount(cfg.source, cfg.mnt, "fuse.passthrough", flags, opts)) {
			if (errno != EINVAL)
				die("mount on %s: %s", cfg.mnt, strerror(errno));
			warn("root binding refused; the server serves the root");
			root_bound = false;
			opts[len] = '\0';
		}
	}
	if (!root_bound &&
	    mount(cfg.source, cfg.mnt, "fuse.passthrough", flags, opts))
		die("mount on %s: %s", cfg.mnt, strerror(errno));
	return root_bound;
}

#ifdef HAVE_LIBBPF
/* The --filter-prog object and its registration, until we exit */
static struct bpf_object *filter_obj;
static struct bpf_link *filter_link;

/* Set the fuse_fd member of a struct_ops map before it is loaded */
static int set_fuse_fd(struct bpf_object *obj, struct bpf_map *map, int devfd)
{
	struct btf *btf = bpf_object__btf(obj);
	const struct btf_type *t;
	const struct btf_member *m;
	size_t size = 0;
	char *data;
	int i;

	t = btf ? btf__type_by_id(btf, bpf_map__btf_value_type_id(map)) : NULL;
	data = bpf_map__initial_value(map, &size);
	if (!t || !data || !btf_is_struct(t))
		return -EINVAL;
	for (i = 0, m = btf_members(t); i < btf_vlen(t); i++, m++) {
		__u32 off = btf_member_bit_offset(t, i);

		if (strcmp(btf__name_by_offset(btf, m->name_off), "fuse_fd"))
			continue;
		if (off % 8 || off / 8 + sizeof(int) > size)
			return -EINVAL;
		memcpy(data + off / 8, &devfd, sizeof(int));
		return 0;
	}
	return -ENOENT;
}

/*
 * Load the filter and register it for our connection (its struct_ops map,
 * with fuse_fd = devfd): after INIT, by this process, which has
 * CAP_SYS_ADMIN.  The policy maps are the object's, found by name with
 * bpftool.  NULL or why not.
 */
static const char *filter_start(int devfd)
{
	static char path[PATH_MAX], why[PATH_MAX + 128];
	struct bpf_map *map, *ops = NULL;
	int err;

	if (!cfg.filter_prog) {
		ssize_t n = readlink("/proc/self/exe", path, sizeof(path) - 64);
		char *slash;

		if (n < 0)
			return "cannot find fuse-passthrough-filter.bpf.o";
		path[n] = 0;
		slash = strrchr(path, '/');
		n = slash ? slash + 1 - path : 0;
		snprintf(path + n, sizeof(path) - n,
			 "fuse-passthrough-filter.bpf.o");
		cfg.filter_prog = path;
	}
	filter_obj = bpf_object__open_file(cfg.filter_prog, NULL);
	if (!filter_obj) {
		snprintf(why, sizeof(why), "--filter-prog=%s: %s",
			 cfg.filter_prog, strerror(errno));
		return why;
	}
	bpf_object__for_each_map(map, filter_obj) {
		if (bpf_map__type(map) != BPF_MAP_TYPE_STRUCT_OPS)
			continue;
		if (ops)
			return "the filter has more than one struct_ops";
		ops = map;
	}
	if (!ops || set_fuse_fd(filter_obj, ops, devfd))
		return "the filter has no struct_ops with a fuse_fd member";
	err = bpf_object__load(filter_obj);
	if (err) {
		snprintf(why, sizeof(why), "loading %s: %s", cfg.filter_prog,
			 strerror(-err));
		return why;
	}
	filter_link = bpf_map__attach_struct_ops(ops);
	if (!filter_link) {
		snprintf(why, sizeof(why), "registering the filter: %s",
			 strerror(errno));
		return why;
	}
	return NULL;
}

static void filter_stop(void)
{
	bpf_link__destroy(filter_link);
	bpf_object__close(filter_obj);
}
#else
static const char *filter_start(int devfd)
{
	return "built without libbpf";
}

static void filter_stop(void) {}
#endif

int main(int argc, char **argv)
{
	struct fuse_args args = FUSE_ARGS_INIT(1, argv);
	struct fuse_session *se;
	char devpath[64];
	pthread_t thread;
	bool root_bound;
	sigset_t sigs;
	int devfd, sig;

	parse_args(argc, argv);
	umask(0);
	raise_nofile();
	drop_sys_resource();

	root.fd = open(cfg.source, O_PATH | O_DIRECTORY);
	if (root.fd < 0)
		die("%s: %s", cfg.source, strerror(errno));
	root.rel = "";
	root.nlookup = 1;

	se = fuse_session_new(&args, &fp_ops, sizeof(fp_ops), NULL);
	if (!se)
		die("cannot start a libfuse session");
	devfd = open("/dev/fuse", O_RDWR | O_CLOEXEC);
	if (devfd < 0)
		die("/dev/fuse: %s", strerror(errno));
	root_bound = mount_fuse(devfd);
	snprintf(devpath, sizeof(devpath), "/dev/fd/%d", devfd);
	if (fuse_session_mount(se, devpath) ||
	    fuse_session_custom_io(se, &dev_io, sizeof(dev_io), devfd)) {
		umount2(cfg.mnt, MNT_DETACH);
		die("cannot hand /dev/fuse to libfuse");
	}

	sigemptyset(&sigs);
	sigaddset(&sigs, SIGTERM);
	sigaddset(&sigs, SIGINT);
	sigaddset(&sigs, SIGUSR1);
	sigaddset(&sigs, SIGHUP);
	pthread_sigmask(SIG_BLOCK, &sigs, NULL);
	/* both with the credentials the mount recorded for the root */
	if (pthread_create(&thread, NULL, registrar, NULL))
		die("cannot start threads");
	pthread_detach(thread);
	if (pthread_create(&thread, NULL, loop, se))
		die("cannot start threads");

	pthread_mutex_lock(&lock);
	while (!init_state)
		pthread_cond_wait(&init_cond, &lock);
	pthread_mutex_unlock(&lock);
	if (init_state < 0) {
		umount2(cfg.mnt, MNT_DETACH);
		return 1;
	}
	if (cfg.n_filters) {
		struct stat st;
		const char *why;

		/* a request of ours waits until the kernel has taken INIT */
		why = stat(cfg.mnt, &st) ? strerror(errno) : filter_start(devfd);
		if (why) {
			umount2(cfg.mnt, MNT_DETACH);
			die("--filter: %s", why);
		}
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
	/* after a lazy unmount the loop ends with the last user */
	pthread_join(thread, NULL);
	fuse_session_destroy(se);
	if (cfg.n_filters)
		filter_stop();
	print_counts(stdout);
	return 0;
}
