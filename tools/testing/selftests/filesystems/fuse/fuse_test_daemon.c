// SPDX-License-Identifier: GPL-2.0
/*
 * A small raw /dev/fuse server for selftests; see fuse_test_daemon.h.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <poll.h>
#include <pthread.h>
#include <sched.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>
#include <sys/eventfd.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>

#include "fuse_test_daemon.h"

#ifndef ARRAY_SIZE
#define ARRAY_SIZE(a)		(sizeof(a) / sizeof((a)[0]))
#endif

#define FTD_MAX_WRITE		(128 * 1024)
#define FTD_BUF_SIZE		(FTD_MAX_WRITE + 64 * 1024)
#define FTD_NR_HOOKS		64
#define FTD_INIT_TIMEOUT_MS	60000
/*
 * FUSE's "not implemented" errno, after which the kernel stops sending that
 * request or falls back (FUSE_STATX to FUSE_GETATTR, ...).  Spelled through
 * FTD_E() because checkpatch reserves the plain name for "invalid syscall
 * number".
 */
#define FTD_E(name)		E##name
#define FTD_NOT_IMPLEMENTED	FTD_E(NOSYS)

#define FTD_FUSECTL_DIR		"/sys/fs/fuse/connections"
#define FTD_FUSECTL_MAGIC	0x65735543

struct ftd_node {
	__u64 parent;			/* 0: root or unlinked */
	char *name;
	__u32 mode;
	char *data;			/* file content or symlink target */
	size_t size;
	__u64 mtime;
	long nlookup;
	bool has_backing;
	struct fuse_entry_backing_out backing;
	bool has_extra;
	void *extra;
	size_t extra_len;
	__s32 open_backing_id;
};

struct ftd_rec {
	__u32 opcode;
	__u32 pid;
	__u64 unique;
	__u64 nodeid;
	char name[NAME_MAX + 1];
};

struct ftd_hook {
	ftd_hook_fn fn;
	void *priv;
};

struct ftd {
	struct ftd_opts opts;
	pthread_mutex_t lock;
	pthread_cond_t cond;

	struct ftd_node *nodes;		/* nodeid N is nodes[N - 1] */
	size_t nr_nodes;
	struct ftd_rec *log;
	size_t nr_log;
	unsigned long nr_read;		/* requests read ... */
	unsigned long nr_done;		/* ... and handled, never reset */
	size_t log_cap;
	struct ftd_hook hooks[FTD_NR_HOOKS];

	int fd;
	int stopfd;
	pthread_t thread;
	bool thread_running;
	bool thread_done;
	bool init_done;
	__u64 kflags;
	__u32 kminor;
	__u32 kmax_readahead;

	char mnt[PATH_MAX];
	unsigned int conn;		/* fusectl name, 0: unknown */
	bool mounted;
	bool mnt_created;
	char *buf;
};

static const char * const ftd_opnames[] = {
	[FUSE_LOOKUP] = "LOOKUP",	[FUSE_FORGET] = "FORGET",
	[FUSE_GETATTR] = "GETATTR",	[FUSE_SETATTR] = "SETATTR",
	[FUSE_READLINK] = "READLINK",	[FUSE_SYMLINK] = "SYMLINK",
	[FUSE_MKNOD] = "MKNOD",		[FUSE_MKDIR] = "MKDIR",
	[FUSE_UNLINK] = "UNLINK",	[FUSE_RMDIR] = "RMDIR",
	[FUSE_RENAME] = "RENAME",	[FUSE_LINK] = "LINK",
	[FUSE_OPEN] = "OPEN",		[FUSE_READ] = "READ",
	[FUSE_WRITE] = "WRITE",		[FUSE_STATFS] = "STATFS",
	[FUSE_RELEASE] = "RELEASE",	[FUSE_FSYNC] = "FSYNC",
	[FUSE_SETXATTR] = "SETXATTR",	[FUSE_GETXATTR] = "GETXATTR",
	[FUSE_LISTXATTR] = "LISTXATTR",	[FUSE_REMOVEXATTR] = "REMOVEXATTR",
	[FUSE_FLUSH] = "FLUSH",		[FUSE_INIT] = "INIT",
	[FUSE_OPENDIR] = "OPENDIR",	[FUSE_READDIR] = "READDIR",
	[FUSE_RELEASEDIR] = "RELEASEDIR", [FUSE_FSYNCDIR] = "FSYNCDIR",
	[FUSE_GETLK] = "GETLK",		[FUSE_SETLK] = "SETLK",
	[FUSE_SETLKW] = "SETLKW",	[FUSE_ACCESS] = "ACCESS",
	[FUSE_CREATE] = "CREATE",	[FUSE_INTERRUPT] = "INTERRUPT",
	[FUSE_BMAP] = "BMAP",		[FUSE_DESTROY] = "DESTROY",
	[FUSE_IOCTL] = "IOCTL",		[FUSE_POLL] = "POLL",
	[FUSE_NOTIFY_REPLY] = "NOTIFY_REPLY",
	[FUSE_BATCH_FORGET] = "BATCH_FORGET",
	[FUSE_FALLOCATE] = "FALLOCATE",	[FUSE_READDIRPLUS] = "READDIRPLUS",
	[FUSE_RENAME2] = "RENAME2",	[FUSE_LSEEK] = "LSEEK",
	[FUSE_COPY_FILE_RANGE] = "COPY_FILE_RANGE",
	[FUSE_SETUPMAPPING] = "SETUPMAPPING",
	[FUSE_REMOVEMAPPING] = "REMOVEMAPPING",
	[FUSE_SYNCFS] = "SYNCFS",	[FUSE_TMPFILE] = "TMPFILE",
	[FUSE_STATX] = "STATX",
};

const char *ftd_opname(__u32 opcode)
{
	if (opcode < ARRAY_SIZE(ftd_opnames) &&
	    ftd_opnames[opcode])
		return ftd_opnames[opcode];
	return "?";
}

void ftd_opts_init(struct ftd_opts *opts)
{
	memset(opts, 0, sizeof(*opts));
	opts->root_mode = 0755;
	opts->entry_timeout_ms = 1000;
	opts->attr_timeout_ms = 1000;
}

/* Called with d->lock held; returns the node or NULL */
static struct ftd_node *ftd_node(struct ftd *d, __u64 nodeid)
{
	if (nodeid == 0 || nodeid > d->nr_nodes)
		return NULL;
	return &d->nodes[nodeid - 1];
}

static __u64 ftd_find_locked(struct ftd *d, __u64 parent, const char *name)
{
	size_t i;

	for (i = 0; i < d->nr_nodes; i++) {
		struct ftd_node *n = &d->nodes[i];

		if (n->parent == parent && n->name && !strcmp(n->name, name))
			return i + 1;
	}
	return 0;
}

static __u64 ftd_add_locked(struct ftd *d, __u64 parent, const char *name,
			    __u32 mode, const void *data, size_t size)
{
	struct ftd_node *nodes, *n;

	if (parent) {
		struct ftd_node *p = ftd_node(d, parent);

		if (!p || !S_ISDIR(p->mode) || !name ||
		    strlen(name) > NAME_MAX || ftd_find_locked(d, parent, name))
			return 0;
	}
	nodes = realloc(d->nodes, (d->nr_nodes + 1) * sizeof(*nodes));
	if (!nodes)
		return 0;
	d->nodes = nodes;
	n = &nodes[d->nr_nodes];
	memset(n, 0, sizeof(*n));
	n->parent = parent;
	n->mode = mode;
	n->mtime = time(NULL);
	if (name)
		n->name = strdup(name);
	if (size) {
		n->data = malloc(size);
		if (n->data)
			memcpy(n->data, data, size);
		n->size = size;
	}
	if ((name && !n->name) || (size && !n->data)) {
		free(n->name);
		free(n->data);
		return 0;
	}
	return ++d->nr_nodes;
}

static __u64 ftd_add(struct ftd *d, __u64 parent, const char *name,
		     __u32 mode, const void *data, size_t size)
{
	__u64 nodeid;

	pthread_mutex_lock(&d->lock);
	nodeid = ftd_add_locked(d, parent, name, mode, data, size);
	pthread_mutex_unlock(&d->lock);
	return nodeid;
}

__u64 ftd_add_dir(struct ftd *d, __u64 parent, const char *name, mode_t mode)
{
	return ftd_add(d, parent, name, S_IFDIR | (mode & 07777), NULL, 0);
}

__u64 ftd_add_file(struct ftd *d, __u64 parent, const char *name, mode_t mode,
		   const void *content, size_t len)
{
	return ftd_add(d, parent, name, S_IFREG | (mode & 07777), content, len);
}

__u64 ftd_add_symlink(struct ftd *d, __u64 parent, const char *name,
		      const char *target)
{
	return ftd_add(d, parent, name, S_IFLNK | 0777, target, strlen(target));
}

__u64 ftd_find(struct ftd *d, __u64 parent, const char *name)
{
	__u64 nodeid;

	pthread_mutex_lock(&d->lock);
	nodeid = ftd_find_locked(d, parent, name);
	pthread_mutex_unlock(&d->lock);
	return nodeid;
}

static int ftd_set_data_locked(struct ftd_node *n, const void *data,
			       size_t size)
{
	char *p = NULL;

	if (size) {
		p = malloc(size);
		if (!p)
			return -ENOMEM;
		memcpy(p, data, size);
	}
	free(n->data);
	n->data = p;
	n->size = size;
	return 0;
}

int ftd_set_content(struct ftd *d, __u64 nodeid, const void *content,
		    size_t len)
{
	struct ftd_node *n;
	int ret = -ENOENT;

	pthread_mutex_lock(&d->lock);
	n = ftd_node(d, nodeid);
	if (n)
		ret = ftd_set_data_locked(n, content, len);
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int ftd_set_entry_backing(struct ftd *d, __u64 nodeid, __s32 backing_id,
			  __u32 flags)
{
	struct ftd_node *n;
	int ret = -ENOENT;

	pthread_mutex_lock(&d->lock);
	n = ftd_node(d, nodeid);
	if (n) {
		n->has_backing = true;
		memset(&n->backing, 0, sizeof(n->backing));
		n->backing.backing_id = backing_id;
		n->backing.flags = flags;
		ret = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int ftd_set_entry_extra(struct ftd *d, __u64 nodeid, const void *blob,
			size_t len)
{
	struct ftd_node *n;
	void *p = NULL;
	int ret = -ENOENT;

	if (len) {
		p = malloc(len);
		if (!p)
			return -ENOMEM;
		memcpy(p, blob, len);
	}
	pthread_mutex_lock(&d->lock);
	n = ftd_node(d, nodeid);
	if (n) {
		free(n->extra);
		n->has_extra = true;
		n->extra = p;
		n->extra_len = len;
		p = NULL;
		ret = 0;
	}
	pthread_mutex_unlock(&d->lock);
	free(p);
	return ret;
}

int ftd_clear_entry_backing(struct ftd *d, __u64 nodeid)
{
	struct ftd_node *n;
	int ret = -ENOENT;

	pthread_mutex_lock(&d->lock);
	n = ftd_node(d, nodeid);
	if (n) {
		n->has_backing = false;
		n->has_extra = false;
		free(n->extra);
		n->extra = NULL;
		n->extra_len = 0;
		ret = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int ftd_set_open_backing(struct ftd *d, __u64 nodeid, __s32 backing_id)
{
	struct ftd_node *n;
	int ret = -ENOENT;

	pthread_mutex_lock(&d->lock);
	n = ftd_node(d, nodeid);
	if (n) {
		n->open_backing_id = backing_id;
		ret = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

void ftd_set_timeouts(struct ftd *d, __u32 entry_ms, __u32 attr_ms)
{
	pthread_mutex_lock(&d->lock);
	d->opts.entry_timeout_ms = entry_ms;
	d->opts.attr_timeout_ms = attr_ms;
	pthread_mutex_unlock(&d->lock);
}

long ftd_nlookup(struct ftd *d, __u64 nodeid)
{
	struct ftd_node *n;
	long ret = -ENOENT;

	pthread_mutex_lock(&d->lock);
	n = ftd_node(d, nodeid);
	if (n)
		ret = n->nlookup;
	pthread_mutex_unlock(&d->lock);
	return ret;
}

struct ftd *ftd_new(const struct ftd_opts *opts)
{
	struct ftd *d = calloc(1, sizeof(*d));

	if (!d)
		return NULL;
	if (opts)
		d->opts = *opts;
	else
		ftd_opts_init(&d->opts);
	d->fd = -1;
	d->stopfd = -1;
	pthread_mutex_init(&d->lock, NULL);
	pthread_cond_init(&d->cond, NULL);
	d->buf = malloc(FTD_BUF_SIZE);
	if (!d->buf ||
	    ftd_add_locked(d, 0, NULL, S_IFDIR | (d->opts.root_mode & 07777),
			   NULL, 0) != FUSE_ROOT_ID) {
		ftd_destroy(d);
		return NULL;
	}
	return d;
}

const char *ftd_mnt(struct ftd *d)
{
	return d->mnt;
}

int ftd_devfd(struct ftd *d)
{
	return d->fd;
}

__u64 ftd_kernel_flags(struct ftd *d)
{
	return d->kflags;
}

__u32 ftd_kernel_minor(struct ftd *d)
{
	return d->kminor;
}

bool ftd_kernel_offers(struct ftd *d, __u64 flag)
{
	return (d->kflags & flag) == flag;
}

int ftd_backing_open(struct ftd *d, int fd, __u32 flags)
{
	struct fuse_backing_map map = { .fd = fd, .flags = flags };
	int ret = ioctl(d->fd, FUSE_DEV_IOC_BACKING_OPEN, &map);

	return ret < 0 ? -errno : ret;
}

int ftd_backing_open_path(struct ftd *d, const char *path, int open_flags)
{
	int fd = open(path, open_flags);
	int id;

	if (fd < 0)
		return -errno;
	id = ftd_backing_open(d, fd, FUSE_BACKING_INODE);
	close(fd);
	return id;
}

int ftd_backing_close(struct ftd *d, int backing_id)
{
	__u32 id = backing_id;

	return ioctl(d->fd, FUSE_DEV_IOC_BACKING_CLOSE, &id) < 0 ? -errno : 0;
}

/* Request log */

static bool ftd_is_forget(__u32 opcode)
{
	return opcode == FUSE_FORGET || opcode == FUSE_BATCH_FORGET ||
	       opcode == FUSE_INTERRUPT;
}

int ftd_count(struct ftd *d, __u32 opcode)
{
	size_t i;
	int n = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_log; i++)
		n += d->log[i].opcode == opcode;
	pthread_mutex_unlock(&d->lock);
	return n;
}

int ftd_count_total(struct ftd *d)
{
	size_t i;
	int n = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_log; i++)
		n += !ftd_is_forget(d->log[i].opcode);
	pthread_mutex_unlock(&d->lock);
	return n;
}

int ftd_count_nodeid(struct ftd *d, __u64 nodeid)
{
	size_t i;
	int n = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_log; i++)
		n += !ftd_is_forget(d->log[i].opcode) &&
		     d->log[i].nodeid == nodeid;
	pthread_mutex_unlock(&d->lock);
	return n;
}

int ftd_count_name(struct ftd *d, __u32 opcode, const char *name)
{
	size_t i;
	int n = 0;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_log; i++)
		n += d->log[i].opcode == opcode &&
		     !strcmp(d->log[i].name, name);
	pthread_mutex_unlock(&d->lock);
	return n;
}

static int ftd_count_locked(struct ftd *d, __u32 opcode)
{
	size_t i;
	int n = 0;

	for (i = 0; i < d->nr_log; i++)
		n += d->log[i].opcode == opcode;
	return n;
}

int ftd_wait_count(struct ftd *d, __u32 opcode, int min, int timeout_ms)
{
	struct timespec ts;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += timeout_ms / 1000;
	ts.tv_nsec += (timeout_ms % 1000) * 1000000L;
	if (ts.tv_nsec >= 1000000000L) {
		ts.tv_sec++;
		ts.tv_nsec -= 1000000000L;
	}
	pthread_mutex_lock(&d->lock);
	/* wait for the requests to be handled too, not just logged */
	while (((n = ftd_count_locked(d, opcode)) < min ||
		d->nr_done != d->nr_read) && !d->thread_done) {
		if (pthread_cond_timedwait(&d->cond, &d->lock, &ts))
			break;
	}
	n = ftd_count_locked(d, opcode);
	pthread_mutex_unlock(&d->lock);
	return n;
}

void ftd_log_reset(struct ftd *d)
{
	pthread_mutex_lock(&d->lock);
	d->nr_log = 0;
	pthread_mutex_unlock(&d->lock);
}

void ftd_log_dump(struct ftd *d, FILE *f)
{
	size_t i;

	pthread_mutex_lock(&d->lock);
	for (i = 0; i < d->nr_log; i++) {
		struct ftd_rec *r = &d->log[i];

		fprintf(f, "# ftd: %llu %s(%u) nodeid=%llu pid=%u%s%s\n",
			(unsigned long long)r->unique, ftd_opname(r->opcode),
			r->opcode, (unsigned long long)r->nodeid, r->pid,
			r->name[0] ? " name=" : "", r->name);
	}
	pthread_mutex_unlock(&d->lock);
}

/* Offset of the name in the arguments of a request, or -1 */
static long ftd_name_offset(__u32 opcode)
{
	switch (opcode) {
	case FUSE_LOOKUP:
	case FUSE_UNLINK:
	case FUSE_RMDIR:
	case FUSE_SYMLINK:
	case FUSE_REMOVEXATTR:
		return 0;
	case FUSE_MKNOD:
		return sizeof(struct fuse_mknod_in);
	case FUSE_MKDIR:
		return sizeof(struct fuse_mkdir_in);
	case FUSE_CREATE:
	case FUSE_TMPFILE:
		return sizeof(struct fuse_create_in);
	case FUSE_LINK:
		return sizeof(struct fuse_link_in);
	case FUSE_RENAME:
		return sizeof(struct fuse_rename_in);
	case FUSE_RENAME2:
		return sizeof(struct fuse_rename2_in);
	case FUSE_GETXATTR:
		return sizeof(struct fuse_getxattr_in);
	case FUSE_SETXATTR:
		return FUSE_COMPAT_SETXATTR_IN_SIZE;
	default:
		return -1;
	}
}

static void ftd_log_add(struct ftd *d, const struct fuse_in_header *in,
			const char *arg, size_t arglen)
{
	long off = ftd_name_offset(in->opcode);
	struct ftd_rec *r;

	pthread_mutex_lock(&d->lock);
	d->nr_read++;
	if (d->nr_log == d->log_cap) {
		size_t cap = d->log_cap ? 2 * d->log_cap : 256;
		struct ftd_rec *log = realloc(d->log, cap * sizeof(*log));

		if (!log)
			goto out;
		d->log = log;
		d->log_cap = cap;
	}
	r = &d->log[d->nr_log++];
	memset(r, 0, sizeof(*r));
	r->opcode = in->opcode;
	r->pid = in->pid;
	r->unique = in->unique;
	r->nodeid = in->nodeid;
	if (off >= 0 && (size_t)off < arglen) {
		size_t namelen = strnlen(arg + off, arglen - off);

		if (namelen > NAME_MAX)
			namelen = NAME_MAX;
		memcpy(r->name, arg + off, namelen);
	}
out:
	pthread_mutex_unlock(&d->lock);
}

/* Replies */

int ftd_write_raw(struct ftd *d, const void *buf, size_t len)
{
	ssize_t ret = write(d->fd, buf, len);

	return ret < 0 ? -errno : 0;
}

int ftd_reply_iov(struct ftd *d, __u64 unique, int error,
		  const struct iovec *iov, int iovcnt)
{
	struct iovec v[8];
	struct fuse_out_header out = {
		.len = sizeof(out),
		.error = error,
		.unique = unique,
	};
	int i;

	if (iovcnt > 7)
		return -EINVAL;
	if (error)
		iovcnt = 0;
	v[0].iov_base = &out;
	v[0].iov_len = sizeof(out);
	for (i = 0; i < iovcnt; i++) {
		v[i + 1] = iov[i];
		out.len += iov[i].iov_len;
	}
	return writev(d->fd, v, iovcnt + 1) < 0 ? -errno : 0;
}

int ftd_reply(struct ftd *d, const struct fuse_in_header *in, int error,
	      const void *arg, size_t len)
{
	struct iovec iov = { .iov_base = (void *)arg, .iov_len = len };

	return ftd_reply_iov(d, in->unique, error, &iov, len ? 1 : 0);
}

static void ftd_ms(__u32 ms, uint64_t *sec, uint32_t *nsec)
{
	*sec = ms / 1000;
	*nsec = (ms % 1000) * 1000000;
}

static void ftd_fill_attr(struct ftd *d, __u64 nodeid, struct fuse_attr *a)
{
	struct ftd_node *n = ftd_node(d, nodeid);

	memset(a, 0, sizeof(*a));
	a->ino = nodeid;
	a->size = n->size;
	a->blocks = (n->size + 511) / 512;
	a->atime = n->mtime;
	a->mtime = n->mtime;
	a->ctime = n->mtime;
	a->mode = n->mode;
	a->nlink = S_ISDIR(n->mode) ? 2 : 1;
	a->uid = getuid();
	a->gid = getgid();
	a->blksize = 4096;
}

static void ftd_fill_entry_locked(struct ftd *d, __u64 nodeid,
				  struct fuse_entry_out *e)
{
	memset(e, 0, sizeof(*e));
	e->nodeid = nodeid;
	ftd_ms(d->opts.entry_timeout_ms, &e->entry_valid, &e->entry_valid_nsec);
	ftd_ms(d->opts.attr_timeout_ms, &e->attr_valid, &e->attr_valid_nsec);
	ftd_fill_attr(d, nodeid, &e->attr);
}

int ftd_fill_entry(struct ftd *d, __u64 nodeid, struct fuse_entry_out *out)
{
	int ret = -ENOENT;

	pthread_mutex_lock(&d->lock);
	if (ftd_node(d, nodeid)) {
		ftd_fill_entry_locked(d, nodeid, out);
		ret = 0;
	}
	pthread_mutex_unlock(&d->lock);
	return ret;
}

int ftd_reply_entry(struct ftd *d, const struct fuse_in_header *in,
		    __u64 nodeid, const void *tail, size_t taillen)
{
	struct fuse_entry_out e;
	struct iovec iov[2] = {
		{ .iov_base = &e, .iov_len = sizeof(e) },
		{ .iov_base = (void *)tail, .iov_len = taillen },
	};
	int ret;

	ret = ftd_fill_entry(d, nodeid, &e);
	if (ret)
		return ftd_reply(d, in, ret, NULL, 0);
	pthread_mutex_lock(&d->lock);
	ftd_node(d, nodeid)->nlookup++;
	pthread_mutex_unlock(&d->lock);
	return ftd_reply_iov(d, in->unique, 0, iov, taillen ? 2 : 1);
}

/*
 * Request handlers: called with d->lock held, return a negative errno to
 * reply with, or 0 once they have replied themselves.
 */

static int ftd_entry_locked(struct ftd *d, const struct fuse_in_header *in,
			    __u64 nodeid, const struct fuse_open_out *open)
{
	struct ftd_node *n = ftd_node(d, nodeid);
	struct fuse_entry_out e;
	struct iovec iov[3];
	int cnt = 0;

	ftd_fill_entry_locked(d, nodeid, &e);
	iov[cnt].iov_base = &e;
	iov[cnt++].iov_len = sizeof(e);
	if (open) {
		iov[cnt].iov_base = (void *)open;
		iov[cnt++].iov_len = sizeof(*open);
	}
	if (n->has_extra) {
		iov[cnt].iov_base = n->extra;
		iov[cnt++].iov_len = n->extra_len;
	} else if (n->has_backing) {
		iov[cnt].iov_base = &n->backing;
		iov[cnt++].iov_len = sizeof(n->backing);
	}
	n->nlookup++;
	ftd_reply_iov(d, in->unique, 0, iov, cnt);
	return 0;
}

static int ftd_do_init(struct ftd *d, const struct fuse_in_header *in,
		       const void *arg, size_t arglen)
{
	const struct fuse_init_in *ii = arg;
	struct fuse_init_out out = {
		.major = FUSE_KERNEL_VERSION,
		.minor = FUSE_KERNEL_MINOR_VERSION,
		.max_readahead = ii->max_readahead,
		.flags = (__u32)d->opts.init_flags,
		.flags2 = (__u32)(d->opts.init_flags >> 32),
		.max_write = FTD_MAX_WRITE,
		.time_gran = 1,
		.max_stack_depth = d->opts.max_stack_depth,
	};

	if (ii->major != FUSE_KERNEL_VERSION)
		return -EPROTO;
	if (ii->minor < out.minor)
		out.minor = ii->minor;
	if (out.flags2)
		out.flags |= FUSE_INIT_EXT;
	ftd_reply(d, in, 0, &out, sizeof(out));
	return 0;
}

static int ftd_do_lookup(struct ftd *d, const struct fuse_in_header *in,
			 const char *name)
{
	__u64 nodeid = ftd_find_locked(d, in->nodeid, name);

	if (!nodeid)
		return -ENOENT;
	return ftd_entry_locked(d, in, nodeid, NULL);
}

static void ftd_forget(struct ftd *d, __u64 nodeid, __u64 nlookup)
{
	struct ftd_node *n = ftd_node(d, nodeid);

	if (n)
		n->nlookup -= nlookup;
}

static int ftd_reply_attr(struct ftd *d, const struct fuse_in_header *in)
{
	struct fuse_attr_out out;

	memset(&out, 0, sizeof(out));
	ftd_ms(d->opts.attr_timeout_ms, &out.attr_valid, &out.attr_valid_nsec);
	ftd_fill_attr(d, in->nodeid, &out.attr);
	ftd_reply(d, in, 0, &out, sizeof(out));
	return 0;
}

static int ftd_do_setattr(struct ftd *d, const struct fuse_in_header *in,
			  const struct fuse_setattr_in *sa)
{
	struct ftd_node *n = ftd_node(d, in->nodeid);

	if (sa->valid & FATTR_MODE)
		n->mode = (n->mode & S_IFMT) | (sa->mode & 07777);
	if (sa->valid & FATTR_SIZE) {
		char *p;

		if (!S_ISREG(n->mode))
			return -EINVAL;
		p = realloc(n->data, sa->size ? sa->size : 1);
		if (!p)
			return -ENOMEM;
		if (sa->size > n->size)
			memset(p + n->size, 0, sa->size - n->size);
		n->data = p;
		n->size = sa->size;
	}
	if (sa->valid & FATTR_MTIME)
		n->mtime = sa->mtime;
	if (sa->valid & FATTR_MTIME_NOW)
		n->mtime = time(NULL);
	return ftd_reply_attr(d, in);
}

static int ftd_do_open(struct ftd *d, const struct fuse_in_header *in)
{
	struct ftd_node *n = ftd_node(d, in->nodeid);
	struct fuse_open_out out = { 0 };

	if (in->opcode == FUSE_OPEN && S_ISDIR(n->mode))
		return -EISDIR;
	if (in->opcode == FUSE_OPENDIR && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (in->opcode == FUSE_OPEN && n->open_backing_id) {
		out.open_flags = FOPEN_PASSTHROUGH;
		out.backing_id = n->open_backing_id;
	}
	ftd_reply(d, in, 0, &out, sizeof(out));
	return 0;
}

static int ftd_do_read(struct ftd *d, const struct fuse_in_header *in,
		       const struct fuse_read_in *ri)
{
	struct ftd_node *n = ftd_node(d, in->nodeid);
	size_t len = 0;

	if (!S_ISREG(n->mode))
		return -EINVAL;
	if (ri->offset < n->size) {
		len = n->size - ri->offset;
		if (len > ri->size)
			len = ri->size;
	}
	ftd_reply(d, in, 0, len ? n->data + ri->offset : NULL, len);
	return 0;
}

static int ftd_do_write(struct ftd *d, const struct fuse_in_header *in,
			const struct fuse_write_in *wi, size_t arglen)
{
	struct ftd_node *n = ftd_node(d, in->nodeid);
	struct fuse_write_out out = { .size = wi->size };
	size_t end = wi->offset + wi->size;

	if (!S_ISREG(n->mode))
		return -EINVAL;
	if (arglen < sizeof(*wi) + wi->size)
		return -EINVAL;
	if (end > n->size) {
		char *p = realloc(n->data, end);

		if (!p)
			return -ENOMEM;
		memset(p + n->size, 0, end - n->size);
		n->data = p;
		n->size = end;
	}
	memcpy(n->data + wi->offset, wi + 1, wi->size);
	n->mtime = time(NULL);
	ftd_reply(d, in, 0, &out, sizeof(out));
	return 0;
}

static size_t ftd_add_dirent(char *buf, size_t room, __u64 ino, __u64 off,
			     __u32 mode, const char *name)
{
	struct fuse_dirent *de = (struct fuse_dirent *)buf;
	size_t namelen = strlen(name);
	size_t len = FUSE_DIRENT_ALIGN(FUSE_NAME_OFFSET + namelen);

	if (len > room)
		return 0;
	memset(buf, 0, len);
	de->ino = ino;
	de->off = off;
	de->namelen = namelen;
	de->type = (mode & S_IFMT) >> 12;
	memcpy(de->name, name, namelen);
	return len;
}

static int ftd_do_readdir(struct ftd *d, const struct fuse_in_header *in,
			  const struct fuse_read_in *ri)
{
	struct ftd_node *dir = ftd_node(d, in->nodeid);
	size_t room = ri->size, len = 0, n;
	__u64 idx = 0, i;
	char *buf;

	if (!S_ISDIR(dir->mode))
		return -ENOTDIR;
	buf = malloc(room ? room : 1);
	if (!buf)
		return -ENOMEM;
	/* entry idx has d_off idx + 1: ".", "..", then children in order */
	for (i = 0; i <= d->nr_nodes + 1; i++) {
		__u64 ino;
		__u32 mode;
		const char *name;

		if (i == 0) {
			ino = in->nodeid;
			mode = S_IFDIR;
			name = ".";
		} else if (i == 1) {
			ino = dir->parent ? dir->parent : in->nodeid;
			mode = S_IFDIR;
			name = "..";
		} else if (d->nodes[i - 2].parent == in->nodeid) {
			ino = i - 1;
			mode = d->nodes[i - 2].mode;
			name = d->nodes[i - 2].name;
		} else {
			continue;
		}
		if (idx++ < ri->offset)
			continue;
		n = ftd_add_dirent(buf + len, room - len, ino, idx, mode, name);
		if (!n)
			break;
		len += n;
	}
	ftd_reply(d, in, 0, buf, len);
	free(buf);
	return 0;
}

static int ftd_do_statfs(struct ftd *d, const struct fuse_in_header *in)
{
	struct fuse_statfs_out out = {
		.st = {
			.blocks = 1024, .bfree = 512, .bavail = 512,
			.files = 1024, .ffree = 512,
			.bsize = 4096, .namelen = NAME_MAX, .frsize = 4096,
		},
	};

	ftd_reply(d, in, 0, &out, sizeof(out));
	return 0;
}

static int ftd_do_readlink(struct ftd *d, const struct fuse_in_header *in)
{
	struct ftd_node *n = ftd_node(d, in->nodeid);

	if (!S_ISLNK(n->mode))
		return -EINVAL;
	ftd_reply(d, in, 0, n->data, n->size);
	return 0;
}

static int ftd_do_new(struct ftd *d, const struct fuse_in_header *in,
		      const char *name, __u32 mode, const char *target)
{
	struct fuse_open_out open = { 0 };
	__u64 nodeid;

	if (ftd_find_locked(d, in->nodeid, name))
		return -EEXIST;
	if (strlen(name) > NAME_MAX)
		return -ENAMETOOLONG;
	if (!S_ISDIR(mode) && !S_ISREG(mode) && !S_ISLNK(mode))
		return -EPERM;
	nodeid = ftd_add_locked(d, in->nodeid, name, mode, target,
				target ? strlen(target) : 0);
	if (!nodeid)
		return -ENOMEM;
	return ftd_entry_locked(d, in, nodeid,
				in->opcode == FUSE_CREATE ? &open : NULL);
}

static bool ftd_has_children(struct ftd *d, __u64 nodeid)
{
	size_t i;

	for (i = 0; i < d->nr_nodes; i++)
		if (d->nodes[i].parent == nodeid)
			return true;
	return false;
}

static int ftd_do_remove(struct ftd *d, const struct fuse_in_header *in,
			 const char *name)
{
	__u64 nodeid = ftd_find_locked(d, in->nodeid, name);
	struct ftd_node *n = ftd_node(d, nodeid);

	if (!n)
		return -ENOENT;
	if (in->opcode == FUSE_RMDIR && !S_ISDIR(n->mode))
		return -ENOTDIR;
	if (in->opcode == FUSE_UNLINK && S_ISDIR(n->mode))
		return -EISDIR;
	if (in->opcode == FUSE_RMDIR && ftd_has_children(d, nodeid))
		return -ENOTEMPTY;
	n->parent = 0;
	ftd_reply(d, in, 0, NULL, 0);
	return 0;
}

/* Minimum argument size of the requests ftd_dispatch() looks into */
static size_t ftd_min_arglen(__u32 opcode)
{
	switch (opcode) {
	case FUSE_INIT:
		return sizeof(struct fuse_init_in);
	case FUSE_FORGET:
		return sizeof(struct fuse_forget_in);
	case FUSE_BATCH_FORGET:
		return sizeof(struct fuse_batch_forget_in);
	case FUSE_SETATTR:
		return sizeof(struct fuse_setattr_in);
	case FUSE_READ:
	case FUSE_READDIR:
		return sizeof(struct fuse_read_in);
	case FUSE_WRITE:
		return sizeof(struct fuse_write_in);
	case FUSE_MKNOD:
		return sizeof(struct fuse_mknod_in) + 1;
	case FUSE_MKDIR:
		return sizeof(struct fuse_mkdir_in) + 1;
	case FUSE_CREATE:
		return sizeof(struct fuse_create_in) + 1;
	case FUSE_LOOKUP:
	case FUSE_UNLINK:
	case FUSE_RMDIR:
	case FUSE_SYMLINK:
		return 2;
	default:
		return 0;
	}
}

static int ftd_dispatch(struct ftd *d, const struct fuse_in_header *in,
			const char *arg, size_t arglen)
{
	__u32 mode;

	if (arglen < ftd_min_arglen(in->opcode))
		return -EINVAL;
	if (in->opcode != FUSE_INIT && in->opcode != FUSE_BATCH_FORGET &&
	    in->opcode != FUSE_INTERRUPT && in->opcode != FUSE_DESTROY &&
	    !ftd_node(d, in->nodeid))
		return -ENOENT;

	switch (in->opcode) {
	case FUSE_INIT:
		return ftd_do_init(d, in, arg, arglen);
	case FUSE_LOOKUP:
		return ftd_do_lookup(d, in, arg);
	case FUSE_FORGET:
		ftd_forget(d, in->nodeid,
			   ((const struct fuse_forget_in *)arg)->nlookup);
		return 0;
	case FUSE_BATCH_FORGET: {
		const struct fuse_batch_forget_in *bf = (const void *)arg;
		const struct fuse_forget_one *one = (const void *)(bf + 1);
		__u32 i;

		for (i = 0; i < bf->count &&
		     (const char *)(one + i + 1) <= arg + arglen; i++)
			ftd_forget(d, one[i].nodeid, one[i].nlookup);
		return 0;
	}
	case FUSE_INTERRUPT:
		return 0;
	case FUSE_GETATTR:
		return ftd_reply_attr(d, in);
	case FUSE_SETATTR:
		return ftd_do_setattr(d, in, (const void *)arg);
	case FUSE_OPEN:
	case FUSE_OPENDIR:
		return ftd_do_open(d, in);
	case FUSE_READ:
		return ftd_do_read(d, in, (const void *)arg);
	case FUSE_WRITE:
		return ftd_do_write(d, in, (const void *)arg, arglen);
	case FUSE_READDIR:
		return ftd_do_readdir(d, in, (const void *)arg);
	case FUSE_STATFS:
		return ftd_do_statfs(d, in);
	case FUSE_READLINK:
		return ftd_do_readlink(d, in);
	case FUSE_MKDIR:
		mode = S_IFDIR | (((const struct fuse_mkdir_in *)arg)->mode & 07777);
		return ftd_do_new(d, in, arg + sizeof(struct fuse_mkdir_in),
				  mode, NULL);
	case FUSE_MKNOD:
		mode = ((const struct fuse_mknod_in *)arg)->mode;
		return ftd_do_new(d, in, arg + sizeof(struct fuse_mknod_in),
				  mode, NULL);
	case FUSE_CREATE:
		mode = ((const struct fuse_create_in *)arg)->mode;
		return ftd_do_new(d, in, arg + sizeof(struct fuse_create_in),
				  mode, NULL);
	case FUSE_SYMLINK:
		return ftd_do_new(d, in, arg, S_IFLNK | 0777,
				  arg + strlen(arg) + 1);
	case FUSE_UNLINK:
	case FUSE_RMDIR:
		return ftd_do_remove(d, in, arg);
	case FUSE_RELEASE:
	case FUSE_RELEASEDIR:
	case FUSE_FLUSH:
	case FUSE_ACCESS:
	case FUSE_DESTROY:
		ftd_reply(d, in, 0, NULL, 0);
		return 0;
	default:
		/* includes the xattr requests: no xattr support */
		return -FTD_NOT_IMPLEMENTED;
	}
}

static void ftd_handle(struct ftd *d, const char *buf, size_t len)
{
	const struct fuse_in_header *in = (const void *)buf;
	const char *arg = buf + sizeof(*in);
	size_t arglen;
	ftd_hook_fn fn = NULL;
	void *priv = NULL;
	int err;

	if (len < sizeof(*in) || in->len != len)
		return;
	arglen = len - sizeof(*in);
	ftd_log_add(d, in, arg, arglen);

	pthread_mutex_lock(&d->lock);
	if (in->opcode == FUSE_INIT && arglen >= sizeof(struct fuse_init_in)) {
		const struct fuse_init_in *ii = (const void *)arg;

		d->kminor = ii->minor;
		d->kmax_readahead = ii->max_readahead;
		d->kflags = ii->flags;
		if (ii->flags & FUSE_INIT_EXT)
			d->kflags |= (__u64)ii->flags2 << 32;
	}
	if (in->opcode < FTD_NR_HOOKS) {
		fn = d->hooks[in->opcode].fn;
		priv = d->hooks[in->opcode].priv;
	}
	pthread_mutex_unlock(&d->lock);

	if (!fn || !fn(d, in, arg, arglen, priv)) {
		pthread_mutex_lock(&d->lock);
		err = ftd_dispatch(d, in, arg, arglen);
		pthread_mutex_unlock(&d->lock);
		if (err && in->opcode != FUSE_FORGET &&
		    in->opcode != FUSE_BATCH_FORGET &&
		    in->opcode != FUSE_INTERRUPT)
			ftd_reply(d, in, err, NULL, 0);
	}

	pthread_mutex_lock(&d->lock);
	if (in->opcode == FUSE_INIT)
		d->init_done = true;
	d->nr_done = d->nr_read;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
}

static void *ftd_thread(void *data)
{
	struct ftd *d = data;

	for (;;) {
		struct pollfd pfd[2] = {
			{ .fd = d->fd, .events = POLLIN },
			{ .fd = d->stopfd, .events = POLLIN },
		};
		ssize_t n;

		if (poll(pfd, 2, -1) < 0) {
			if (errno == EINTR)
				continue;
			break;
		}
		if (pfd[1].revents)
			break;
		n = read(d->fd, d->buf, FTD_BUF_SIZE);
		if (n < 0) {
			/* ENOENT: the request went away before we read it */
			if (errno == EINTR || errno == EAGAIN ||
			    errno == ENOENT)
				continue;
			break;		/* ENODEV: unmounted or aborted */
		}
		ftd_handle(d, d->buf, n);
	}

	pthread_mutex_lock(&d->lock);
	d->thread_done = true;
	pthread_cond_broadcast(&d->cond);
	pthread_mutex_unlock(&d->lock);
	return NULL;
}

void ftd_set_hook(struct ftd *d, __u32 opcode, ftd_hook_fn fn, void *priv)
{
	if (opcode >= FTD_NR_HOOKS)
		return;
	pthread_mutex_lock(&d->lock);
	d->hooks[opcode].fn = fn;
	d->hooks[opcode].priv = priv;
	pthread_mutex_unlock(&d->lock);
}

int ftd_private_mntns(void)
{
	if (unshare(CLONE_NEWNS))
		return -errno;
	if (mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
		return -errno;
	return 0;
}

/* The fusectl directory name of the mount at d->mnt, from mountinfo */
static unsigned int ftd_find_conn(struct ftd *d)
{
	char line[2 * PATH_MAX], mp[PATH_MAX], real[PATH_MAX];
	unsigned int maj, min, conn = 0;
	FILE *f;

	if (!realpath(d->mnt, real))
		return 0;
	f = fopen("/proc/self/mountinfo", "re");
	if (!f)
		return 0;
	while (fgets(line, sizeof(line), f)) {
		if (sscanf(line, "%*d %*d %u:%u %*s %4095s", &maj, &min, mp) == 3 &&
		    !strcmp(mp, real))
			conn = maj << 20 | min;	/* the kernel's dev_t */
	}
	fclose(f);
	return conn;
}

int ftd_abort(struct ftd *d)
{
	char tmp[] = "/tmp/ftd-fusectl.XXXXXX", path[PATH_MAX];
	const char *dir = FTD_FUSECTL_DIR;
	struct statfs sfs;
	int fd, ret = 0;

	if (!d->conn)
		return -ENOENT;
	/* Mount fusectl for the occasion if nobody has. */
	if (statfs(dir, &sfs) || sfs.f_type != FTD_FUSECTL_MAGIC) {
		if (!mkdtemp(tmp))
			return -errno;
		if (mount("fusectl", tmp, "fusectl", 0, NULL)) {
			ret = -errno;
			rmdir(tmp);
			return ret;
		}
		dir = tmp;
	}
	snprintf(path, sizeof(path), "%s/%u/abort", dir, d->conn);
	fd = open(path, O_WRONLY | O_CLOEXEC);
	if (fd < 0 || write(fd, "1", 1) != 1)
		ret = -errno;
	if (fd >= 0)
		close(fd);
	if (dir == tmp) {
		umount2(tmp, MNT_DETACH);
		rmdir(tmp);
	}
	return ret;
}

int ftd_mount(struct ftd *d, const char *mnt)
{
	struct timespec ts;
	char data[512];
	int ret;

	if (d->fd >= 0)
		return -EBUSY;
	if (mnt) {
		if (strlen(mnt) >= sizeof(d->mnt))
			return -ENAMETOOLONG;
		snprintf(d->mnt, sizeof(d->mnt), "%s", mnt);
	} else {
		snprintf(d->mnt, sizeof(d->mnt), "/tmp/ftd-mnt.XXXXXX");
		if (!mkdtemp(d->mnt))
			return -errno;
		d->mnt_created = true;
	}

	d->fd = open("/dev/fuse", O_RDWR | O_CLOEXEC | O_NONBLOCK);
	d->stopfd = eventfd(0, EFD_CLOEXEC);
	if (d->fd < 0 || d->stopfd < 0) {
		ret = -errno;
		goto fail;
	}
	snprintf(data, sizeof(data),
		 "fd=%d,rootmode=%o,user_id=%u,group_id=%u%s%s%s%s",
		 d->fd, S_IFDIR | (d->opts.root_mode & 07777), getuid(),
		 getgid(),
		 d->opts.default_permissions ? ",default_permissions" : "",
		 d->opts.allow_other ? ",allow_other" : "",
		 d->opts.extra_mount_opts ? "," : "",
		 d->opts.extra_mount_opts ? d->opts.extra_mount_opts : "");
	if (mount("fuse_test", d->mnt, "fuse", 0, data)) {
		ret = -errno;
		goto fail;
	}
	d->mounted = true;
	d->conn = ftd_find_conn(d);

	d->thread_done = false;
	d->init_done = false;
	ret = pthread_create(&d->thread, NULL, ftd_thread, d);
	if (ret) {
		ret = -ret;
		goto fail;
	}
	d->thread_running = true;

	/* The kernel sends INIT at mount time; wait until it is answered. */
	clock_gettime(CLOCK_REALTIME, &ts);
	ts.tv_sec += FTD_INIT_TIMEOUT_MS / 1000;
	pthread_mutex_lock(&d->lock);
	while (!d->init_done && !d->thread_done) {
		if (pthread_cond_timedwait(&d->cond, &d->lock, &ts))
			break;
	}
	ret = d->init_done ? 0 : -ETIMEDOUT;
	pthread_mutex_unlock(&d->lock);
	if (ret)
		goto fail;
	return 0;

fail:
	ftd_umount(d);
	return ret;
}

int ftd_umount(struct ftd *d)
{
	__u64 one = 1;
	int ret = 0;

	if (d->mounted) {
		/*
		 * Still in use: detach it, and abort the connection, which a
		 * forked child may keep alive by holding the device fd.
		 */
		if (umount2(d->mnt, 0)) {
			if (umount2(d->mnt, MNT_DETACH))
				ret = -errno;
			ftd_abort(d);
		}
		d->mounted = false;
	}
	if (d->thread_running) {
		if (write(d->stopfd, &one, sizeof(one)) != sizeof(one))
			ret = -errno;
		pthread_join(d->thread, NULL);
		d->thread_running = false;
	}
	/* Closing the last device fd aborts whatever is left. */
	if (d->fd >= 0)
		close(d->fd);
	if (d->stopfd >= 0)
		close(d->stopfd);
	d->fd = -1;
	d->stopfd = -1;
	if (d->mnt_created) {
		rmdir(d->mnt);
		d->mnt_created = false;
	}
	return ret;
}

void ftd_destroy(struct ftd *d)
{
	size_t i;

	if (!d)
		return;
	ftd_umount(d);
	for (i = 0; i < d->nr_nodes; i++) {
		free(d->nodes[i].name);
		free(d->nodes[i].data);
		free(d->nodes[i].extra);
	}
	free(d->nodes);
	free(d->log);
	free(d->buf);
	pthread_cond_destroy(&d->cond);
	pthread_mutex_destroy(&d->lock);
	free(d);
}
