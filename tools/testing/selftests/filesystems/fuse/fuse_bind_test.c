// SPDX-License-Identifier: GPL-2.0
/*
 * Directory passthrough: the binding protocol.  What a server may put in
 * struct fuse_entry_backing_out, what the kernel refuses (always with a
 * clear errno to the caller), and how long a binding lasts.
 *
 * The "bind" fixture mounts the test server with a directory "d" and a
 * regular file "f" in its root, and registers two backing files ("A" and
 * "B", regular) and a backing directory in /tmp.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sched.h>
#include <signal.h>
#include <stdbool.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <linux/mount.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"
#include "fuse_test_util.h"

static const char data_a[] = "backing file A\n";
static const char data_b[] = "backing file B, longer\n";
static const char data_f[] = "the server's own content of f\n";

FIXTURE(bind) {
	struct ftd *d;
	char dir[64];		/* backing directory */
	char file_a[80], file_b[80];
	char path[PATH_MAX];
	__u64 ino_d, ino_f;
	int id_a, id_b, id_dir;
};

/* errno of stat(), 0 on success */
static int stat_err(const char *path)
{
	struct stat st;

	return stat(path, &st) ? errno : 0;
}

#define MP(rel)	({ snprintf(self->path, PATH_MAX, "%s/%s",		\
			    ftd_mnt(self->d), rel); self->path; })

static struct ftd *new_server(__u64 flags)
{
	struct ftd_opts opts;

	ftd_opts_init(&opts);
	opts.init_flags = flags;
	opts.max_stack_depth = 1;
	/* server entries stay valid however slow the kernel: no timing */
	opts.entry_timeout_ms = 3600 * 1000;
	opts.attr_timeout_ms = 3600 * 1000;
	return ftd_new(&opts);
}

FIXTURE_SETUP(bind)
{
	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->dir, sizeof(self->dir), "/tmp/fbt-back.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->dir));
	snprintf(self->file_a, sizeof(self->file_a), "%s/A", self->dir);
	snprintf(self->file_b, sizeof(self->file_b), "%s/B", self->dir);
	ASSERT_EQ(0, put_file(self->file_a, data_a, 0644));
	ASSERT_EQ(0, put_file(self->file_b, data_b, 0644));

	self->d = new_server(FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR);
	ASSERT_NE(NULL, self->d);
	self->ino_d = ftd_add_dir(self->d, FUSE_ROOT_ID, "d", 0755);
	self->ino_f = ftd_add_file(self->d, FUSE_ROOT_ID, "f", 0644, data_f,
				   strlen(data_f));
	ASSERT_NE(0, self->ino_d);
	ASSERT_NE(0, self->ino_f);
	ASSERT_EQ(0, ftd_mount(self->d, NULL));
	if (!ftd_kernel_offers(self->d, FUSE_PASSTHROUGH_DIR)) {
		ftd_destroy(self->d);
		SKIP(return, "kernel does not offer FUSE_PASSTHROUGH_DIR");
	}
	self->id_a = ftd_backing_open_path(self->d, self->file_a, O_RDONLY);
	self->id_b = ftd_backing_open_path(self->d, self->file_b, O_PATH);
	self->id_dir = ftd_backing_open_path(self->d, self->dir,
					     O_PATH | O_DIRECTORY);
	ASSERT_LT(0, self->id_a);
	ASSERT_LT(0, self->id_b);
	ASSERT_LT(0, self->id_dir);
	ftd_log_reset(self->d);
}

FIXTURE_TEARDOWN(bind)
{
	char cmd[128];

	ftd_destroy(self->d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->dir);
	if (system(cmd))
		TH_LOG("could not remove %s", self->dir);
}

TEST_F(bind, file_binding_serves_backing_content)
{
	char buf[64];

	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_a, 0));
	ASSERT_EQ(strlen(data_a), get_file(MP("f"), buf, sizeof(buf)));
	EXPECT_STREQ(data_a, buf);
	EXPECT_EQ(0, ftd_count(self->d, FUSE_OPEN));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_READ));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_FLUSH));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_GETATTR));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_RELEASE));
}

TEST_F(bind, opath_registration_is_enough)
{
	char buf[64];

	/* B was registered from an O_PATH fd: the kernel opens it itself */
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_b, 0));
	ASSERT_EQ(strlen(data_b), get_file(MP("f"), buf, sizeof(buf)));
	EXPECT_STREQ(data_b, buf);
}

TEST_F(bind, id_zero_binds_nothing)
{
	char buf[64];

	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, 0, 0));
	ASSERT_EQ(strlen(data_f), get_file(MP("f"), buf, sizeof(buf)));
	EXPECT_STREQ(data_f, buf);
	EXPECT_EQ(1, ftd_count(self->d, FUSE_OPEN));
}

TEST_F(bind, unknown_id_fails_eio)
{
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, 4242, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

/*
 * struct fuse_backing_map says what a registration is for: without
 * FUSE_BACKING_INODE it is one for FOPEN_PASSTHROUGH of a regular file,
 * as upstream, and cannot bind an inode; with it, any file type.
 */
TEST_F(bind, registration_says_what_it_is_for)
{
	int fdir = open(self->dir, O_PATH | O_DIRECTORY);
	int fnull = open("/dev/null", O_PATH);
	int fa = open(self->file_a, O_RDONLY);
	char buf[64];
	int id;

	ASSERT_LE(0, fdir);
	ASSERT_LE(0, fnull);
	ASSERT_LE(0, fa);
	EXPECT_EQ(-EISDIR, ftd_backing_open(self->d, fdir, 0));
	EXPECT_EQ(-EINVAL, ftd_backing_open(self->d, fnull, 0));
	EXPECT_EQ(-EINVAL, ftd_backing_open(self->d, fa, 1u << 1));
	EXPECT_EQ(-EINVAL, ftd_backing_open(self->d, fa, 1u << 31));
	EXPECT_LT(0, ftd_backing_open(self->d, fnull, FUSE_BACKING_INODE));

	/* a file I/O registration does not bind */
	id = ftd_backing_open(self->d, fa, 0);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, id, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_GETATTR));

	/* an inode registration of a regular file also serves an open */
	ASSERT_EQ(0, ftd_clear_entry_backing(self->d, self->ino_f));
	ASSERT_EQ(0, ftd_set_open_backing(self->d, self->ino_f, self->id_a));
	ASSERT_EQ(strlen(data_a), get_file(MP("f"), buf, sizeof(buf)));
	EXPECT_STREQ(data_a, buf);
	EXPECT_EQ(1, ftd_count(self->d, FUSE_OPEN));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_READ));
	close(fdir);
	close(fnull);
	close(fa);
}

TEST_F(bind, negative_id_fails_eio)
{
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, -1, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, closed_id_fails_eio)
{
	ASSERT_EQ(0, ftd_backing_close(self->d, self->id_a));
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_a, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, unknown_flags_fail_eio)
{
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_a,
					   1u << 7));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, reserved_fields_fail_eio)
{
	struct fuse_entry_backing_out out = {
		.backing_id = self->id_a,
		.reserved = { 0, 1 },
	};

	ASSERT_EQ(0, ftd_set_entry_extra(self->d, self->ino_f, &out,
					 sizeof(out)));
	EXPECT_EQ(EIO, stat_err(MP("f")));
	/* and a filter cookie without FUSE_ENTRY_BACKING_FILTER */
	out.reserved[1] = 0;
	out.filter_cookie = 1;
	ASSERT_EQ(0, ftd_set_entry_extra(self->d, self->ino_f, &out,
					 sizeof(out)));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, truncated_argument_fails_eio)
{
	struct fuse_entry_backing_out out = { .backing_id = self->id_a };

	ASSERT_EQ(0, ftd_set_entry_extra(self->d, self->ino_f, &out, 8));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, oversized_argument_fails_eio)
{
	char blob[sizeof(struct fuse_entry_backing_out) + 8] = { 0 };

	ASSERT_EQ(0, ftd_set_entry_extra(self->d, self->ino_f, blob,
					 sizeof(blob)));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, subtree_flag_on_a_file_fails_eio)
{
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_a,
					   FUSE_ENTRY_BACKING_SUBTREE));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, file_type_mismatch_fails_eio)
{
	/* a directory node bound to a regular file, and the reverse */
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_d, self->id_a, 0));
	EXPECT_EQ(EIO, stat_err(MP("d")));
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_dir, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
}

TEST_F(bind, failed_binding_is_forgotten)
{
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, 4242, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
	/* the kernel did not keep the node: its lookup count drops back */
	EXPECT_LE(1, ftd_wait_count(self->d, FUSE_FORGET, 1, 10000) +
		     ftd_count(self->d, FUSE_BATCH_FORGET));
	EXPECT_EQ(0, ftd_nlookup(self->d, self->ino_f));
}

TEST_F(bind, rebinding_to_another_backing_fails)
{
	char buf[64];
	int fd;

	ftd_set_timeouts(self->d, 0, 0);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_a, 0));
	fd = open(MP("f"), O_RDONLY);	/* keeps the inode */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_b, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
	/* the open file still reads A */
	ASSERT_EQ(strlen(data_a), read(fd, buf, sizeof(buf)));
	close(fd);
}

TEST_F(bind, binding_an_unbound_inode_fails)
{
	int fd;

	ftd_set_timeouts(self->d, 0, 0);
	fd = open(MP("f"), O_RDONLY);	/* served by the server, unbound */
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_a, 0));
	EXPECT_EQ(EIO, stat_err(MP("f")));
	close(fd);
}

TEST_F(bind, reply_without_argument_keeps_binding)
{
	char buf[64];
	int fd;

	ftd_set_timeouts(self->d, 0, 0);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_f, self->id_a, 0));
	fd = open(MP("f"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftd_clear_entry_backing(self->d, self->ino_f));
	ftd_log_reset(self->d);
	ASSERT_EQ(strlen(data_a), get_file(MP("f"), buf, sizeof(buf)));
	EXPECT_STREQ(data_a, buf);
	EXPECT_EQ(0, ftd_count(self->d, FUSE_READ));
	close(fd);
}

TEST_F(bind, inode_only_directory_sends_child_lookups)
{
	struct stat st, bst;
	__u64 x;

	x = ftd_add_file(self->d, self->ino_d, "x", 0644, "x", 1);
	ASSERT_NE(0, x);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_d, self->id_dir, 0));
	ASSERT_EQ(0, stat(MP("d"), &st));
	ASSERT_EQ(0, stat(self->dir, &bst));
	EXPECT_EQ(bst.st_ino, st.st_ino);
	/* "x" exists only in the server's tree, "A" only in the backing dir */
	EXPECT_EQ(0, stat_err(MP("d/x")));
	EXPECT_EQ(ENOENT, stat_err(MP("d/A")));
	EXPECT_EQ(1, ftd_count_name(self->d, FUSE_LOOKUP, "x"));
	EXPECT_EQ(1, ftd_count_name(self->d, FUSE_LOOKUP, "A"));
}

TEST_F(bind, subtree_directory_sends_no_child_lookups)
{
	char buf[64];

	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->ino_d, self->id_dir,
					   FUSE_ENTRY_BACKING_SUBTREE));
	ASSERT_EQ(strlen(data_a), get_file(MP("d/A"), buf, sizeof(buf)));
	EXPECT_EQ(1, ftd_count_total(self->d));
	EXPECT_EQ(1, ftd_count_name(self->d, FUSE_LOOKUP, "d"));
}

static int try_backing_open(struct ftd *d, const char *path)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		int fd = open(path, O_RDONLY);

		if (fd < 0 || setgroups(0, NULL) || setgid(1000) ||
		    setuid(1000))
			_exit(255);
		_exit(-ftd_backing_open(d, fd, 0));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(bind, registration_needs_cap_sys_admin)
{
	EXPECT_EQ(EPERM, try_backing_open(self->d, self->file_a));
}

TEST_F(bind, backing_file_on_same_mount_is_a_loop)
{
	int fd = open(MP("f"), O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(-ELOOP, ftd_backing_open(self->d, fd, 0));
	close(fd);
}

TEST(directory_registration_needs_passthrough_dir)
{
	struct ftd *d = new_server(FUSE_PASSTHROUGH);
	int fd;

	ASSERT_EQ(0, ftd_private_mntns());
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, ftd_mount(d, NULL));
	fd = open("/tmp", O_PATH | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EISDIR, ftd_backing_open(d, fd, 0));
	/* not negotiated: the flag is unknown, as to a kernel without it */
	EXPECT_EQ(-EINVAL, ftd_backing_open(d, fd, FUSE_BACKING_INODE));
	close(fd);
	fd = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EINVAL, ftd_backing_open(d, fd, 0));
	EXPECT_EQ(-EINVAL, ftd_backing_open(d, fd, FUSE_BACKING_INODE));
	close(fd);
	ftd_destroy(d);
}

/*
 * Idmapped mounts: ids of bound inodes are the caller's raw ids, which no
 * idmap would translate, so a connection that negotiated directory
 * passthrough never becomes idmappable, even when the server asks for
 * FUSE_ALLOW_IDMAP; without directory passthrough it does.
 */

/* A user namespace mapping 0 to 1000, as an fd; -1 on failure */
static int userns_fd(void)
{
	int ready[2], done[2], fd = -1;
	char path[64], c = 0;
	pid_t pid;

	if (pipe(ready) || pipe(done))
		return -1;
	pid = fork();
	if (!pid) {
		c = unshare(CLONE_NEWUSER) ? 'n' : 'y';
		if (write(ready[1], &c, 1) != 1)
			_exit(1);
		/* stay until the parent has opened the namespace */
		_exit(read(done[0], &c, 1) != 1);
	}
	if (pid > 0 && read(ready[0], &c, 1) == 1 && c == 'y') {
		snprintf(path, sizeof(path), "/proc/%d/uid_map", pid);
		if (write_file(path, "0 1000 1")) {
			snprintf(path, sizeof(path), "/proc/%d/setgroups", pid);
			write_file(path, "deny");
			snprintf(path, sizeof(path), "/proc/%d/gid_map", pid);
			if (write_file(path, "0 1000 1")) {
				snprintf(path, sizeof(path), "/proc/%d/ns/user",
					 pid);
				fd = open(path, O_RDONLY);
			}
		}
	}
	if (pid > 0) {
		if (write(done[1], "x", 1) != 1)
			kill(pid, SIGKILL);
		waitpid(pid, NULL, 0);
	}
	close(ready[0]);
	close(ready[1]);
	close(done[0]);
	close(done[1]);
	return fd;
}

/* mount_setattr(MOUNT_ATTR_IDMAP) on a clone of mnt: 0 or errno */
static int try_idmap(const char *mnt)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	int tree, ns, err = 0;

	ns = userns_fd();
	if (ns < 0)
		return -1;
	attr.userns_fd = ns;
	tree = syscall(SYS_open_tree, AT_FDCWD, mnt,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	if (tree < 0)
		err = errno;
	else if (syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
			 sizeof(attr)))
		err = errno;
	if (tree >= 0)
		close(tree);
	close(ns);
	return err;
}

static int idmap_result(__u64 init_flags)
{
	struct ftd_opts opts;
	struct ftd *d;
	int err;

	ftd_opts_init(&opts);
	opts.init_flags = init_flags | FUSE_ALLOW_IDMAP;
	opts.max_stack_depth = 1;
	opts.default_permissions = true;
	d = ftd_new(&opts);
	if (!d || ftd_mount(d, NULL))
		return -2;
	err = try_idmap(ftd_mnt(d));
	ftd_destroy(d);
	return err;
}

TEST(passthrough_dir_mount_is_never_idmapped)
{
	ASSERT_EQ(0, ftd_private_mntns());
	/* the control: the same server without directory passthrough */
	ASSERT_EQ(0, idmap_result(FUSE_PASSTHROUGH));
	EXPECT_EQ(EINVAL, idmap_result(FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR));
}

/*
 * Bound inodes mirror raw ids and are checked with the fuse mount's
 * idmap: nothing is bound to a backing file on an idmapped mount.
 */
TEST(no_binding_onto_an_idmapped_backing_mount)
{
	struct mount_attr attr = { .attr_set = MOUNT_ATTR_IDMAP };
	char back[] = "/tmp/fbt-idmap.XXXXXX", mapped[] = "/tmp/fbt-map.XXXXXX";
	char path[PATH_MAX];
	struct ftd *d;
	__u64 node;
	int tree, ns, id;

	ASSERT_EQ(0, ftd_private_mntns());
	ASSERT_NE(NULL, mkdtemp(back));
	ASSERT_NE(NULL, mkdtemp(mapped));
	ns = userns_fd();
	ASSERT_LE(0, ns);
	attr.userns_fd = ns;
	tree = syscall(SYS_open_tree, AT_FDCWD, back,
		       OPEN_TREE_CLONE | OPEN_TREE_CLOEXEC);
	ASSERT_LE(0, tree);
	ASSERT_EQ(0, syscall(SYS_mount_setattr, tree, "", AT_EMPTY_PATH, &attr,
			     sizeof(attr)));
	ASSERT_EQ(0, syscall(SYS_move_mount, tree, "", AT_FDCWD, mapped,
			     MOVE_MOUNT_F_EMPTY_PATH));
	close(tree);
	close(ns);

	d = new_server(FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR);
	ASSERT_NE(NULL, d);
	node = ftd_add_dir(d, FUSE_ROOT_ID, "mapped", 0755);
	ASSERT_NE(0, node);
	ASSERT_NE(0, ftd_add_dir(d, FUSE_ROOT_ID, "plain", 0755));
	ASSERT_EQ(0, ftd_mount(d, NULL));
	id = ftd_backing_open_path(d, mapped, O_PATH | O_DIRECTORY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, ftd_set_entry_backing(d, node, id,
					   FUSE_ENTRY_BACKING_SUBTREE));
	snprintf(path, sizeof(path), "%s/mapped", ftd_mnt(d));
	EXPECT_FALSE(exists(path));
	EXPECT_EQ(EIO, errno);

	/* the control: the same directory without the idmap binds */
	node = ftd_find(d, FUSE_ROOT_ID, "plain");
	id = ftd_backing_open_path(d, back, O_PATH | O_DIRECTORY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, ftd_set_entry_backing(d, node, id,
					   FUSE_ENTRY_BACKING_SUBTREE));
	snprintf(path, sizeof(path), "%s/plain", ftd_mnt(d));
	EXPECT_TRUE(exists(path));
	ftd_destroy(d);
	umount2(mapped, MNT_DETACH);
	rmdir(mapped);
	rmdir(back);
}

/*
 * A mount made in a user namespace: the VFS would check callers'
 * capabilities in that namespace while bound operations run with
 * init-namespace credentials, so the kernel does not offer directory
 * passthrough there (it still offers per-file passthrough).
 */
TEST(no_passthrough_dir_on_a_user_namespace_mount)
{
	pid_t pid = fork();
	int status;

	ASSERT_LE(0, pid);
	if (!pid) {
		struct ftd *d;

		if (unshare(CLONE_NEWUSER | CLONE_NEWNS) ||
		    !write_file("/proc/self/setgroups", "deny") ||
		    !write_file("/proc/self/uid_map", "0 0 1") ||
		    !write_file("/proc/self/gid_map", "0 0 1") ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(10);
		d = new_server(FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR);
		if (!d || ftd_mount(d, NULL))
			_exit(11);
		if (!ftd_kernel_offers(d, FUSE_PASSTHROUGH))
			_exit(12);
		if (ftd_kernel_offers(d, FUSE_PASSTHROUGH_DIR))
			_exit(13);
		ftd_destroy(d);
		_exit(0);
	}
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	ASSERT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
}

TEST_HARNESS_MAIN
