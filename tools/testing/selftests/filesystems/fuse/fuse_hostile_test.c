// SPDX-License-Identifier: GPL-2.0
/*
 * Directory passthrough under abuse: a server that dies or aborts in the
 * middle of requests, ids closed under a binding, stacking over another
 * FUSE mount, unmounts with busy subtrees, a backing filesystem unmounted
 * lazily underneath, and an unprivileged caller probing for more than the
 * mode bits give it.  Every case: a clear errno, no leaked reference (the
 * VM run fails on any kernel report), other mounts unaffected.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"
#include "fuse_test_util.h"

FIXTURE(hostile) {
	struct ftd *d;
	char back[64];
	char path[3][PATH_MAX];
	__u64 tree, ddir, dfile;
	int tree_id;
};

#define mp(rel)		join(self->path[0], ftd_mnt(self->d), rel)
#define mp2(rel)	join(self->path[2], ftd_mnt(self->d), rel)
#define bp(rel)		join(self->path[1], self->back, rel)

static struct ftd *new_server(int depth)
{
	struct ftd_opts opts;

	ftd_opts_init(&opts);
	opts.init_flags = FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR;
	opts.max_stack_depth = depth;
	opts.allow_other = true;
	opts.root_mode = 0755;
	/* server entries stay valid however slow the kernel: no timing */
	opts.entry_timeout_ms = 3600 * 1000;
	opts.attr_timeout_ms = 3600 * 1000;
	return ftd_new(&opts);
}

FIXTURE_SETUP(hostile)
{
	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/fht-back.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->back));
	ASSERT_EQ(0, chmod(self->back, 0755));
	ASSERT_EQ(0, put_file(bp("a"), "alpha\n", 0644));
	ASSERT_EQ(0, put_file(bp("secret"), "root only\n", 0600));
	ASSERT_EQ(0, mkdir(bp("sub"), 0755));
	ASSERT_EQ(0, put_file(bp("sub/b"), "bravo\n", 0644));
	ASSERT_EQ(0, symlink("..", bp("sub/up")));

	self->d = new_server(1);
	ASSERT_NE(NULL, self->d);
	self->tree = ftd_add_dir(self->d, FUSE_ROOT_ID, "tree", 0755);
	self->ddir = ftd_add_dir(self->d, FUSE_ROOT_ID, "ddir", 0755);
	self->dfile = ftd_add_file(self->d, self->ddir, "dfile", 0644, "d\n", 2);
	ASSERT_EQ(0, ftd_mount(self->d, NULL));
	if (!ftd_kernel_offers(self->d, FUSE_PASSTHROUGH_DIR)) {
		ftd_destroy(self->d);
		SKIP(return, "kernel does not offer FUSE_PASSTHROUGH_DIR");
	}
	self->tree_id = ftd_backing_open_path(self->d, self->back, O_PATH);
	ASSERT_LT(0, self->tree_id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->tree, self->tree_id,
					   FUSE_ENTRY_BACKING_SUBTREE));
	ASSERT_EQ(0, access(mp("tree/a"), R_OK));
}

FIXTURE_TEARDOWN(hostile)
{
	char cmd[128];

	ftd_destroy(self->d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->back);
	if (system(cmd))
		TH_LOG("could not remove %s", self->back);
}

/* A hook that never answers: the server "hangs" in this request */
static bool swallow(struct ftd *d, const struct fuse_in_header *in,
		    const void *arg, size_t arglen, void *priv)
{
	__atomic_store_n((int *)priv, 1, __ATOMIC_SEQ_CST);
	return true;
}

/*
 * Start fn(path) in a child, let the server swallow opcode, abort the
 * connection once the request has reached it; the errno the child saw.
 */
static int abort_during(FIXTURE_DATA(hostile) * self, __u32 opcode,
			int (*fn)(const char *), const char *path)
{
	int seen = 0, status;
	pid_t pid;

	ftd_set_hook(self->d, opcode, swallow, &seen);
	pid = fork();
	if (!pid)
		_exit(fn(path));
	while (!__atomic_load_n(&seen, __ATOMIC_SEQ_CST))
		usleep(1000);
	ftd_abort(self->d);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int do_stat(const char *path)
{
	struct stat st;

	return stat(path, &st) ? errno : 0;
}

static int do_open(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int do_list(const char *path)
{
	char buf[4096];
	int fd = open(path, O_RDONLY | O_DIRECTORY);

	if (fd < 0)
		return errno;
	if (syscall(SYS_getdents64, fd, buf, sizeof(buf)) < 0) {
		close(fd);
		return errno;
	}
	close(fd);
	return 0;
}

TEST_F(hostile, server_dies_during_lookup)
{
	EXPECT_EQ(ECONNABORTED, abort_during(self, FUSE_LOOKUP, do_stat,
					     mp("ddir/none")));
	EXPECT_EQ(ENOTCONN, do_stat(mp("ddir/other")));
}

TEST_F(hostile, server_dies_during_open)
{
	EXPECT_EQ(ECONNABORTED, abort_during(self, FUSE_OPEN, do_open,
					     mp("ddir/dfile")));
}

TEST_F(hostile, server_dies_during_readdir)
{
	EXPECT_EQ(ECONNABORTED, abort_during(self, FUSE_READDIR, do_list,
					     mp("ddir")));
}

TEST_F(hostile, abort_leaves_open_passthrough_files_working)
{
	char buf[16];
	int fd;

	fd = open(mp("tree/sub/b"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftd_abort(self->d));
	/* the server is gone; the backing file is still what fd reads */
	EXPECT_EQ(6, pread(fd, buf, sizeof(buf), 0));
	close(fd);
	EXPECT_EQ(ENOTCONN, do_stat(mp("ddir/dfile")));
}

TEST_F(hostile, closing_ids_while_lookups_run)
{
	int i, id, err, fd;

	/* each name bound through a fresh id that is closed right away */
	for (i = 0; i < 50; i++) {
		id = ftd_backing_open_path(self->d, bp("a"), O_PATH);
		ASSERT_LT(0, id);
		ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->dfile, id, 0));
		ftd_set_timeouts(self->d, 0, 0);
		fd = open(mp("ddir/dfile"), O_RDONLY);
		err = fd < 0 ? errno : 0;
		ftd_backing_close(self->d, id);
		if (fd >= 0)
			close(fd);
		/* bound once; later replies naming other ids are refused */
		EXPECT_TRUE(err == 0 || err == EIO);
	}
}

TEST_F(hostile, backing_on_another_fuse_mount_exceeds_depth)
{
	struct ftd *other = new_server(1);
	char path[PATH_MAX];

	ASSERT_NE(NULL, other);
	ASSERT_NE(0, ftd_add_dir(other, FUSE_ROOT_ID, "x", 0755));
	ASSERT_EQ(0, ftd_mount(other, NULL));
	snprintf(path, sizeof(path), "%s/x", ftd_mnt(other));
	EXPECT_EQ(-ELOOP, ftd_backing_open_path(self->d, path, O_PATH));
	EXPECT_EQ(-ELOOP, ftd_backing_open_path(self->d, ftd_mnt(self->d),
						O_PATH));
	ftd_destroy(other);
}

/*
 * A plain FUSE mount (no passthrough: stack depth 0) passes registration,
 * as upstream's per-file passthrough allows, but nothing is bound to it:
 * fuse inode locks of one class would nest, and two servers could wait on
 * each other.
 */
TEST_F(hostile, no_binding_onto_a_plain_fuse_mount)
{
	struct ftd_opts opts;
	char path[PATH_MAX];
	struct ftd *plain;
	__u64 node;
	int id;

	ftd_opts_init(&opts);
	opts.allow_other = true;
	plain = ftd_new(&opts);
	ASSERT_NE(NULL, plain);
	ASSERT_NE(0, ftd_add_dir(plain, FUSE_ROOT_ID, "x", 0755));
	ASSERT_NE(0, ftd_add_file(plain, FUSE_ROOT_ID, "f", 0644, "f\n", 2));
	ASSERT_EQ(0, ftd_mount(plain, NULL));

	node = ftd_add_dir(self->d, FUSE_ROOT_ID, "onfuse", 0755);
	ASSERT_NE(0, node);
	snprintf(path, sizeof(path), "%s/x", ftd_mnt(plain));
	id = ftd_backing_open_path(self->d, path, O_PATH | O_DIRECTORY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, node, id,
					   FUSE_ENTRY_BACKING_SUBTREE));
	EXPECT_FALSE(exists(mp("onfuse")));
	EXPECT_EQ(EIO, errno);

	node = ftd_add_file(self->d, FUSE_ROOT_ID, "fileonfuse", 0644, "", 0);
	ASSERT_NE(0, node);
	snprintf(path, sizeof(path), "%s/f", ftd_mnt(plain));
	id = ftd_backing_open_path(self->d, path, O_RDONLY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, node, id, 0));
	EXPECT_FALSE(exists(mp("fileonfuse")));
	EXPECT_EQ(EIO, errno);
	ftd_destroy(plain);
}

/*
 * Kernel interface filesystems check whoever opened or writes in their
 * own ways (cgroup.procs uses the opener's credentials): through the
 * mount that would be the server.  Binding onto them is refused.
 */
TEST_F(hostile, no_binding_onto_kernel_interface_filesystems)
{
	char cg[] = "/tmp/fht-cg.XXXXXX";
	const char *dirs[2];
	__u64 node;
	int i, id;

	dirs[0] = "/sys/kernel";
	dirs[1] = cg;
	ASSERT_NE(NULL, mkdtemp(cg));
	if (mount("none", cg, "cgroup2", 0, NULL))
		dirs[1] = NULL;
	for (i = 0; i < 2 && dirs[i]; i++) {
		char name[16];

		snprintf(name, sizeof(name), "kif%d", i);
		node = ftd_add_dir(self->d, FUSE_ROOT_ID, name, 0755);
		ASSERT_NE(0, node);
		id = ftd_backing_open_path(self->d, dirs[i],
					   O_PATH | O_DIRECTORY);
		ASSERT_LT(0, id) TH_LOG("%s", dirs[i]);
		ASSERT_EQ(0, ftd_set_entry_backing(self->d, node, id,
						   FUSE_ENTRY_BACKING_SUBTREE));
		EXPECT_FALSE(exists(mp(name))) TH_LOG("%s", dirs[i]);
		EXPECT_EQ(EIO, errno);
	}
	if (dirs[1])
		umount2(cg, MNT_DETACH);
	rmdir(cg);
}

TEST_F(hostile, unmount_with_open_files_and_busy_subtree)
{
	char buf[16];
	int fd, dfd;

	fd = open(mp("tree/sub/b"), O_RDONLY);
	dfd = open(mp("tree/sub"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, dfd);
	ASSERT_EQ(-1, umount2(ftd_mnt(self->d), 0));
	EXPECT_EQ(EBUSY, errno);
	ASSERT_EQ(0, umount2(ftd_mnt(self->d), MNT_DETACH));
	EXPECT_EQ(6, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, faccessat(dfd, "b", R_OK, 0));
	close(fd);
	close(dfd);
}

TEST_F(hostile, backing_fs_unmounted_lazily_underneath)
{
	char small[] = "/tmp/fht-small.XXXXXX";
	char buf[16];
	__u64 node;
	int id, fd;

	ASSERT_NE(NULL, mkdtemp(small));
	ASSERT_EQ(0, mount("small", small, "tmpfs", 0, "size=1m"));
	snprintf(buf, sizeof(buf), "%s", "lazy\n");
	ASSERT_EQ(0, put_file(join(self->path[1], small, "f"), buf, 0644));
	id = ftd_backing_open_path(self->d, small, O_PATH);
	ASSERT_LT(0, id);
	node = ftd_add_dir(self->d, FUSE_ROOT_ID, "small", 0755);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, node, id,
					   FUSE_ENTRY_BACKING_SUBTREE));
	fd = open(mp("small/f"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, umount2(small, MNT_DETACH));
	/* the binding holds the backing mount: still readable, still listed */
	EXPECT_EQ(5, pread(fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, access(mp("small/f"), R_OK));
	close(fd);
	rmdir(small);
}

TEST_F(hostile, dotdot_and_symlinks_stay_in_the_fuse_namespace)
{
	struct stat root, up, backing_parent;
	char buf[PATH_MAX];

	ASSERT_EQ(0, stat(ftd_mnt(self->d), &root));
	ASSERT_EQ(0, stat(mp("tree/sub/../.."), &up));
	EXPECT_EQ(root.st_ino, up.st_ino);
	EXPECT_EQ(root.st_dev, up.st_dev);
	/* sub/up -> "..": the tree, in the mount, not the backing dir */
	ASSERT_EQ(0, stat(mp("tree/sub/up/.."), &up));
	EXPECT_EQ(root.st_ino, up.st_ino);
	ASSERT_EQ(0, stat(join(buf, self->back, ".."), &backing_parent));
	EXPECT_NE(backing_parent.st_dev, up.st_dev);
}

TEST_F(hostile, proc_fd_reopen_is_checked_again)
{
	char proc[64], link[PATH_MAX];
	ssize_t len;
	int fd;

	fd = open(mp("tree/a"), O_RDONLY);
	ASSERT_LE(0, fd);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	/* the fd names the fuse path, not the backing one */
	len = readlink(proc, link, sizeof(link) - 1);
	ASSERT_LT(0, len);
	link[len] = 0;
	EXPECT_EQ(0, strncmp(link, ftd_mnt(self->d), strlen(ftd_mnt(self->d))));
	/* a reopen for writing is a new open, checked against the mode */
	EXPECT_EQ(EACCES, AS_USER(open(proc, O_WRONLY) < 0));
	close(fd);
}

TEST_F(hostile, mmap_names_the_fuse_path)
{
	char line[PATH_MAX + 128];
	bool found = false;
	void *map;
	FILE *f;
	int fd;

	fd = open(mp("tree/a"), O_RDONLY);
	ASSERT_LE(0, fd);
	map = mmap(NULL, 4096, PROT_READ, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	f = fopen("/proc/self/maps", "r");
	ASSERT_NE(NULL, f);
	while (fgets(line, sizeof(line), f))
		if (strstr(line, mp("tree/a")))
			found = true;
	fclose(f);
	EXPECT_TRUE(found);
	munmap(map, 4096);
	close(fd);
}

TEST_F(hostile, caller_gets_nothing_beyond_the_mode_bits)
{
	static const struct timespec times[2] = { { 1, 0 }, { 1, 0 } };

	EXPECT_EQ(EACCES, AS_USER(open(mp("tree/secret"), O_RDONLY) < 0));
	EXPECT_EQ(EACCES, AS_USER(open(mp("tree/a"), O_WRONLY) < 0));
	EXPECT_EQ(EACCES, AS_USER(truncate(mp("tree/a"), 0)));
	EXPECT_EQ(EPERM, AS_USER(chmod(mp("tree/a"), 0666)));
	EXPECT_EQ(EPERM, AS_USER(chown(mp("tree/a"), USER_ID, GROUP_ID)));
	EXPECT_EQ(EACCES, AS_USER(rename(mp("tree/a"), mp2("tree/sub/a2"))));
	EXPECT_EQ(EACCES, AS_USER(unlink(mp("tree/sub/b"))));
	EXPECT_EQ(EACCES, AS_USER(mkdir(mp("tree/new"), 0755)));
	EXPECT_EQ(EACCES, AS_USER(symlink("a", mp("tree/ln"))));
	/* fs.protected_hardlinks (on in Debian kernels) refuses first */
	EXPECT_EQ(EPERM, AS_USER(link(mp("tree/a"), mp2("tree/a3"))));
	EXPECT_EQ(EPERM, AS_USER(utimensat(AT_FDCWD, mp("tree/a"), times, 0)));
	EXPECT_EQ(EACCES, AS_USER(setxattr(mp("tree/a"), "user.x", "1", 1, 0)));
	EXPECT_EQ(EPERM, AS_USER(setxattr(mp("tree/a"), "trusted.x", "1", 1,
					  0)));
	/* nothing changed in the backing tree */
	EXPECT_EQ(0, access(bp("a"), F_OK));
	EXPECT_EQ(0, access(bp("sub/b"), F_OK));
	EXPECT_EQ(-1, access(bp("new"), F_OK));
}

TEST_F(hostile, protected_symlinks_hold)
{
	int old = -1;
	FILE *f;

	f = fopen("/proc/sys/fs/protected_symlinks", "r+");
	if (!f)
		SKIP(return, "no fs.protected_symlinks");
	if (fscanf(f, "%d", &old) != 1)
		old = 0;
	rewind(f);
	fprintf(f, "1\n");
	fclose(f);

	ASSERT_EQ(0, mkdir(bp("tmp"), 01777));
	ASSERT_EQ(0, chmod(bp("tmp"), 01777));
	ASSERT_EQ(0, symlink("../a", bp("tmp/evil")));
	ASSERT_EQ(0, lchown(bp("tmp/evil"), 1001, 1001));
	/* a symlink of another user in a sticky world-writable directory */
	EXPECT_EQ(EACCES, AS_USER(open(mp("tree/tmp/evil"), O_RDONLY) < 0));

	f = fopen("/proc/sys/fs/protected_symlinks", "w");
	if (f) {
		fprintf(f, "%d\n", old);
		fclose(f);
	}
}

TEST_F(hostile, other_mounts_are_unaffected_by_an_abort)
{
	struct ftd *other = new_server(1);
	char path[PATH_MAX];

	ASSERT_NE(NULL, other);
	ASSERT_NE(0, ftd_add_file(other, FUSE_ROOT_ID, "f", 0644, "f\n", 2));
	ASSERT_EQ(0, ftd_mount(other, NULL));
	ASSERT_EQ(0, ftd_abort(self->d));
	snprintf(path, sizeof(path), "%s/f", ftd_mnt(other));
	EXPECT_EQ(0, do_open(path));
	ftd_destroy(other);
}

TEST_HARNESS_MAIN
