/* SPDX-License-Identifier: GPL-2.0 */
/*
 * A small FUSE server for selftests, speaking the raw /dev/fuse protocol
 * (no libfuse).  The test builds an in-memory tree of nodes, mounts it and
 * then watches which requests reach the server.
 *
 * The server runs in a thread of the test process.  One mutex protects the
 * node table and the request log, so the test may add nodes, change them
 * and read the log while the file system is mounted.
 *
 * Request log: every request the server reads is logged (opcode, nodeid,
 * name for name-carrying requests) before it is handled.  ftd_count_total()
 * and ftd_count_nodeid() leave out FUSE_FORGET, FUSE_BATCH_FORGET and
 * FUSE_INTERRUPT, which the kernel sends on its own schedule; count those
 * with ftd_count().
 */
#ifndef FUSE_TEST_DAEMON_H
#define FUSE_TEST_DAEMON_H

#include <stdbool.h>
#include <stddef.h>
#include <stdio.h>
#include <sys/types.h>
#include <sys/uio.h>
#include <linux/fuse.h>
#include <linux/types.h>

struct ftd;

struct ftd_opts {
	/*
	 * INIT reply flags, both words (FUSE_PASSTHROUGH, FUSE_PASSTHROUGH_DIR,
	 * ...); sent as given, FUSE_INIT_EXT is added for bits above 31.
	 */
	__u64 init_flags;
	__u32 max_stack_depth;		/* init_out.max_stack_depth */
	__u32 root_mode;		/* permission bits of the root, 0755 */
	__u32 entry_timeout_ms;		/* entry_valid of entry replies, 1000 */
	__u32 attr_timeout_ms;		/* attr_valid of all replies, 1000 */
	bool default_permissions;
	bool allow_other;
	const char *extra_mount_opts;	/* appended to the mount data */
};

/* Reply to a request on the server's behalf; return true when handled. */
typedef bool (*ftd_hook_fn)(struct ftd *d, const struct fuse_in_header *in,
			    const void *arg, size_t arglen, void *priv);

/*
 * Life cycle.  ftd_mount() (mnt NULL: a new directory in /tmp) returns once
 * INIT is answered.  ftd_umount() unmounts (lazily if busy, then aborts the
 * connection), stops the thread and closes the device; it does not hang on
 * an aborted connection.  ftd_abort() aborts the connection through fusectl,
 * as if the server had died.  ftd_private_mntns() moves the caller into a
 * private mount namespace, so mounts go away with the process.
 */
void ftd_opts_init(struct ftd_opts *opts);
struct ftd *ftd_new(const struct ftd_opts *opts);
int ftd_mount(struct ftd *d, const char *mnt);
int ftd_umount(struct ftd *d);
int ftd_abort(struct ftd *d);
void ftd_destroy(struct ftd *d);
int ftd_private_mntns(void);

/* Connection state */
const char *ftd_mnt(struct ftd *d);
int ftd_devfd(struct ftd *d);
__u64 ftd_kernel_flags(struct ftd *d);
__u32 ftd_kernel_minor(struct ftd *d);
bool ftd_kernel_offers(struct ftd *d, __u64 flag);

/* Node table; FUSE_ROOT_ID is the root, nodeid 0 means failure */
__u64 ftd_add_dir(struct ftd *d, __u64 parent, const char *name, mode_t mode);
__u64 ftd_add_file(struct ftd *d, __u64 parent, const char *name, mode_t mode,
		   const void *content, size_t len);
__u64 ftd_add_symlink(struct ftd *d, __u64 parent, const char *name,
		      const char *target);
__u64 ftd_find(struct ftd *d, __u64 parent, const char *name);
int ftd_set_content(struct ftd *d, __u64 nodeid, const void *content,
		    size_t len);
int ftd_set_entry_backing(struct ftd *d, __u64 nodeid, __s32 backing_id,
			  __u32 flags);
int ftd_set_entry_extra(struct ftd *d, __u64 nodeid, const void *blob,
			size_t len);
int ftd_clear_entry_backing(struct ftd *d, __u64 nodeid);
int ftd_set_open_backing(struct ftd *d, __u64 nodeid, __s32 backing_id);
void ftd_set_timeouts(struct ftd *d, __u32 entry_ms, __u32 attr_ms);
long ftd_nlookup(struct ftd *d, __u64 nodeid);

/* Backing files (FUSE_DEV_IOC_BACKING_OPEN/CLOSE): id or -errno */
int ftd_backing_open(struct ftd *d, int fd, __u32 flags);
/*
 * The same for the file at path, opened with open_flags (O_PATH...), for
 * binding inodes (FUSE_BACKING_INODE)
 */
int ftd_backing_open_path(struct ftd *d, const char *path, int open_flags);
int ftd_backing_close(struct ftd *d, int backing_id);

/*
 * Request log.  ftd_wait_count() waits up to timeout_ms until min requests
 * of opcode are logged and all logged requests handled (FORGET is async);
 * it returns the count.
 */
int ftd_count(struct ftd *d, __u32 opcode);
int ftd_count_total(struct ftd *d);
int ftd_count_nodeid(struct ftd *d, __u64 nodeid);
int ftd_count_name(struct ftd *d, __u32 opcode, const char *name);
int ftd_wait_count(struct ftd *d, __u32 opcode, int min, int timeout_ms);
void ftd_log_reset(struct ftd *d);
void ftd_log_dump(struct ftd *d, FILE *f);
const char *ftd_opname(__u32 opcode);

/*
 * Hooks and replies.  A hook runs in the server thread without the lock
 * held, before the default handling, and may call any ftd_*() function.
 * error is 0 or a negative errno (then only the header is sent);
 * ftd_reply_entry() replies with the node's fuse_entry_out followed by
 * tail, ftd_write_raw() writes buf to /dev/fuse as it is.  All return 0 or
 * the -errno of the write.  A request nobody answers (the kernel rejects a
 * malformed reply, leaving the request pending) waits until ftd_abort() or
 * ftd_umount().
 */
void ftd_set_hook(struct ftd *d, __u32 opcode, ftd_hook_fn fn, void *priv);
int ftd_reply(struct ftd *d, const struct fuse_in_header *in, int error,
	      const void *arg, size_t len);
int ftd_reply_iov(struct ftd *d, __u64 unique, int error,
		  const struct iovec *iov, int iovcnt);
int ftd_reply_entry(struct ftd *d, const struct fuse_in_header *in,
		    __u64 nodeid, const void *tail, size_t taillen);
int ftd_write_raw(struct ftd *d, const void *buf, size_t len);
int ftd_fill_entry(struct ftd *d, __u64 nodeid, struct fuse_entry_out *out);

#endif /* FUSE_TEST_DAEMON_H */
