// SPDX-License-Identifier: GPL-2.0
/*
 * Whole-mount passthrough: the mount root bound at mount time
 * (passthrough_root= and passthrough_root_inode=), rename and link between
 * bindings of one backing mount and one set of credentials, whiteouts, and
 * overlayfs with its upper layer in a passthrough subtree.
 *
 * Backing directories are on tmpfs mounts of the test's own mount
 * namespace: a reference left behind by the kernel makes their unmount
 * fail with EBUSY, which the tests check after every failed or refused
 * mount.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <sys/fsuid.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/syscall.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"
#include "fuse_test_util.h"

/* A fresh tmpfs at a new directory made from template (mkdtemp) */
static int new_tmpfs(char *template)
{
	if (!mkdtemp(template))
		return -1;
	return mount("tmpfs", template, "tmpfs", 0, "mode=0777");
}

static struct ftd *new_server(__u64 flags, int depth, const char *mount_opts)
{
	struct ftd_opts opts;

	ftd_opts_init(&opts);
	opts.init_flags = flags;
	opts.max_stack_depth = depth;
	opts.allow_other = true;
	opts.root_mode = 0755;
	/* server entries stay valid however slow the kernel: no timing */
	opts.entry_timeout_ms = 3600 * 1000;
	opts.attr_timeout_ms = 3600 * 1000;
	opts.extra_mount_opts = mount_opts;
	return ftd_new(&opts);
}

#define PT_FLAGS	(FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR)

/*
 * Mount a test server with "opt=<fd of dir>" (opt NULL: none), INIT
 * answered with flags and depth; the -errno of the mount or 0, the server
 * in *dp.
 */
static int mount_root(struct ftd **dp, const char *opt, const char *dir,
		      __u64 flags, int depth)
{
	char opts[64];
	int fd = -1, ret;

	if (opt) {
		fd = open(dir, O_PATH);
		if (fd < 0)
			return -errno;
		snprintf(opts, sizeof(opts), "%s=%d", opt, fd);
	}
	*dp = new_server(flags, depth, opt ? opts : NULL);
	ret = *dp ? ftd_mount(*dp, NULL) : -ENOMEM;
	if (fd >= 0)
		close(fd);
	return ret;
}

/* Only INIT has reached the server since the mount */
#define ASSERT_ONLY_INIT() do {					\
	int __n = ftd_count_total(self->d);			\
	if (__n != 1)						\
		ftd_log_dump(self->d, stderr);			\
	ASSERT_EQ(1, ftd_count(self->d, FUSE_INIT));		\
	ASSERT_EQ(1, __n);					\
} while (0)

/* The attributes a caller sees, compared with the backing file's */
#define EXPECT_SAME_STAT(a, b) do {				\
	const struct stat *__a = &(a), *__b = &(b);		\
	EXPECT_EQ(__b->st_mode, __a->st_mode);			\
	EXPECT_EQ(__b->st_uid, __a->st_uid);			\
	EXPECT_EQ(__b->st_gid, __a->st_gid);			\
	EXPECT_EQ(__b->st_size, __a->st_size);			\
	EXPECT_EQ(__b->st_nlink, __a->st_nlink);		\
	EXPECT_EQ(__b->st_ino, __a->st_ino);			\
	EXPECT_EQ(__b->st_rdev, __a->st_rdev);			\
} while (0)

/* ---- the root bound as a subtree ---------------------------------- */

FIXTURE(root) {
	struct ftd *d;
	char back[64];
	char path[4][PATH_MAX];
};

#define mp(rel)		join(self->path[0], ftd_mnt(self->d), rel)
#define mp2(rel)	join(self->path[1], ftd_mnt(self->d), rel)
#define bp(rel)		join(self->path[2], self->back, rel)
#define bp2(rel)	join(self->path[3], self->back, rel)

FIXTURE_SETUP(root)
{
	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/frt-back.XXXXXX");
	ASSERT_EQ(0, new_tmpfs(self->back));
	ASSERT_EQ(0, mkdir(bp("a"), 0777));
	ASSERT_EQ(0, mkdir(bp("b"), 0777));
	ASSERT_EQ(0, mkdir(bp("a/sub"), 0755));
	ASSERT_EQ(0, put_file(bp("a/f"), "alpha\n", 0644));
	ASSERT_EQ(0, put_file(bp("a/sub/g"), "golf\n", 0644));
	ASSERT_EQ(0, put_file(bp("b/h"), "hotel\n", 0644));
	umask(022);
	ASSERT_EQ(0, mount_root(&self->d, "passthrough_root", self->back,
				PT_FLAGS, 1));
}

FIXTURE_TEARDOWN(root)
{
	ftd_destroy(self->d);
	/* nothing of the mount still holds the backing tmpfs */
	EXPECT_EQ(0, umount2(self->back, 0));
	rmdir(self->back);
}

TEST_F(root, root_attributes_are_the_backing_directory)
{
	struct stat st, bst;

	ASSERT_EQ(0, chmod(self->back, 0751));
	ASSERT_EQ(0, chown(self->back, 1000, 1000));
	ASSERT_EQ(0, stat(ftd_mnt(self->d), &st));
	ASSERT_EQ(0, stat(self->back, &bst));
	EXPECT_SAME_STAT(st, bst);
	ASSERT_ONLY_INIT();
}

TEST_F(root, statfs_is_the_backing_filesystem)
{
	struct statfs st, bst;

	ASSERT_EQ(0, statfs(ftd_mnt(self->d), &st));
	ASSERT_EQ(0, statfs(self->back, &bst));
	EXPECT_EQ(bst.f_blocks, st.f_blocks);
	EXPECT_EQ(bst.f_bsize, st.f_bsize);
	EXPECT_EQ(bst.f_files, st.f_files);
	ASSERT_ONLY_INIT();
}

/* A workload over several top-level directories: the server hears nothing */
TEST_F(root, no_request_after_init)
{
	char buf[32], val[8];
	struct dirent *de;
	struct stat st;
	int n = 0;
	DIR *dir;

	dir = opendir(ftd_mnt(self->d));
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir)))
		n++;
	closedir(dir);
	EXPECT_EQ(4, n);	/* ., .., a, b */
	ASSERT_EQ(0, put_file(mp("a/new"), "november\n", 0640));
	ASSERT_EQ(0, rename(mp("a/new"), mp2("b/new")));
	ASSERT_EQ(0, link(mp("b/new"), mp2("a/link")));
	ASSERT_EQ(0, renameat2(AT_FDCWD, mp("a/f"), AT_FDCWD, mp2("b/h"),
			       RENAME_EXCHANGE));
	ASSERT_EQ(0, mkdir(mp("b/d"), 0700));
	ASSERT_EQ(0, rename(mp("a/sub"), mp2("b/d/sub")));
	ASSERT_EQ(5, get_file(mp("b/d/sub/g"), buf, sizeof(buf)));
	ASSERT_EQ(0, chmod(mp("b/new"), 0600));
	ASSERT_EQ(0, setxattr(mp("b/new"), "user.k", "v", 1, 0));
	ASSERT_EQ(1, getxattr(mp("a/link"), "user.k", val, sizeof(val)));
	ASSERT_EQ(0, unlink(mp("a/link")));
	ASSERT_EQ(0, mkdir(mp("top"), 0755));
	ASSERT_EQ(0, rmdir(mp("top")));

	/* all of it happened on the backing tree */
	ASSERT_EQ(9, get_file(bp("b/new"), buf, sizeof(buf)));
	EXPECT_STREQ("november\n", buf);
	ASSERT_EQ(0, stat(bp("b/new"), &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	EXPECT_EQ(1, st.st_nlink);
	ASSERT_EQ(6, get_file(bp("b/h"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_EQ(6, get_file(bp("a/f"), buf, sizeof(buf)));
	EXPECT_STREQ("hotel\n", buf);
	EXPECT_TRUE(exists(bp("b/d/sub/g")));
	EXPECT_FALSE(exists(bp("a/sub")));
	EXPECT_FALSE(exists(bp("top")));
	ASSERT_ONLY_INIT();
}

/* A name renamed away is gone at once, also for a directory held open */
TEST_F(root, rename_between_top_level_directories_is_seen_at_once)
{
	struct stat st;
	int da, db;

	da = open(mp("a"), O_RDONLY | O_DIRECTORY);
	db = open(mp("b"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, da);
	ASSERT_LE(0, db);
	ASSERT_EQ(0, fstatat(da, "f", &st, 0));
	ASSERT_EQ(-1, fstatat(db, "f", &st, 0));
	ASSERT_EQ(0, rename(mp("a/f"), mp2("b/f")));
	EXPECT_EQ(-1, fstatat(da, "f", &st, 0));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(0, fstatat(db, "f", &st, 0));
	EXPECT_TRUE(exists(bp("b/f")));
	EXPECT_FALSE(exists(bp("a/f")));
	close(da);
	close(db);
	ASSERT_ONLY_INIT();
}

static int try_whiteout(const char *from, const char *to)
{
	return renameat2(AT_FDCWD, from, AT_FDCWD, to, RENAME_WHITEOUT);
}

/*
 * RENAME_WHITEOUT as on the backing fs: a 0/0 character device.  Since
 * Linux 5.8 whiteouts need no CAP_MKNOD: an unprivileged caller may make
 * one where it may rename, natively and through the mount.
 */
TEST_F(root, whiteout_as_natively)
{
	struct stat st, nst;

	ASSERT_EQ(0, put_file(bp("a/nat"), "x", 0644));
	ASSERT_EQ(0, try_whiteout(bp("a/nat"), bp2("b/nat")));
	ASSERT_EQ(0, try_whiteout(mp("a/f"), mp2("b/f")));

	ASSERT_EQ(0, lstat(bp("a/nat"), &nst));
	ASSERT_EQ(0, lstat(bp("a/f"), &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(makedev(0, 0), st.st_rdev);
	EXPECT_EQ(nst.st_mode, st.st_mode);
	EXPECT_EQ(nst.st_rdev, st.st_rdev);
	/* and the same through the mount */
	ASSERT_EQ(0, lstat(mp("a/f"), &st));
	EXPECT_EQ(nst.st_mode, st.st_mode);
	EXPECT_EQ(nst.st_rdev, st.st_rdev);
	EXPECT_TRUE(exists(bp("b/f")));

	/* an unprivileged caller: where it may not write, and where it may */
	ASSERT_EQ(0, chmod(bp("b"), 0755));
	ASSERT_EQ(0, put_file(bp("b/u"), "u", 0666));
	ASSERT_EQ(0, put_file(bp("b/v"), "v", 0666));
	EXPECT_EQ(EACCES, AS_USER(try_whiteout(bp("b/u"), bp2("b/u2"))));
	EXPECT_EQ(EACCES, AS_USER(try_whiteout(mp("b/v"), mp2("b/v2"))));
	ASSERT_EQ(0, chmod(bp("b"), 0777));
	EXPECT_EQ(0, AS_USER(try_whiteout(bp("b/u"), bp2("b/u2"))));
	EXPECT_EQ(0, AS_USER(try_whiteout(mp("b/v"), mp2("b/v2"))));
	ASSERT_EQ(0, lstat(bp("b/u"), &nst));
	ASSERT_EQ(0, lstat(bp("b/v"), &st));
	EXPECT_EQ(nst.st_mode, st.st_mode);
	EXPECT_EQ(nst.st_rdev, st.st_rdev);
	EXPECT_EQ(nst.st_uid, st.st_uid);
	EXPECT_EQ(nst.st_gid, st.st_gid);
	ASSERT_ONLY_INIT();
}

/* Names, types and device numbers of a directory, sorted, in buf */
static void list_dir(const char *path, char *buf, size_t size)
{
	struct dirent **names;
	char p[PATH_MAX];
	struct stat st;
	size_t off = 0;
	int i, n;

	buf[0] = '\0';
	n = scandir(path, &names, NULL, alphasort);
	for (i = 0; i < n; i++) {
		if (names[i]->d_name[0] != '.') {
			snprintf(p, sizeof(p), "%s/%s", path, names[i]->d_name);
			if (!lstat(p, &st))
				off += snprintf(buf + off, size - off, "%s:%o:%lx ",
						names[i]->d_name, st.st_mode,
						(unsigned long)st.st_rdev);
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

/*
 * On an overlay of lower with upper and work in base: create a file,
 * delete a lower one (a whiteout) and rename another; the listings of the
 * merged directory and of upper.
 */
static int overlay_steps(const char *lower, const char *base, const char *ovl,
			 char *merged, char *upper, size_t size)
{
	char opts[3 * PATH_MAX], p[PATH_MAX], u[PATH_MAX];
	int err = 0;

	snprintf(p, sizeof(p), "%s/up", base);
	snprintf(u, sizeof(u), "%s/work", base);
	if (mkdir(p, 0755) || mkdir(u, 0755) || mkdir(ovl, 0755))
		return errno;
	snprintf(opts, sizeof(opts), "lowerdir=%s,upperdir=%s/up,workdir=%s",
		 lower, base, u);
	if (mount("overlay", ovl, "overlay", 0, opts))
		return errno;
	snprintf(p, sizeof(p), "%s/created", ovl);
	if (put_file(p, "c", 0644))
		err = errno;
	snprintf(p, sizeof(p), "%s/deleted", ovl);
	if (!err && unlink(p))
		err = errno;
	snprintf(p, sizeof(p), "%s/renamed", ovl);
	snprintf(u, sizeof(u), "%s/moved", ovl);
	if (!err && rename(p, u))
		err = errno;
	list_dir(ovl, merged, size);
	umount2(ovl, 0);
	snprintf(p, sizeof(p), "%s/up", base);
	list_dir(p, upper, size);
	return err;
}

TEST_F(root, overlayfs_upper_layer_in_the_mount)
{
	char lower[] = "/tmp/frt-lower.XXXXXX", nat[] = "/tmp/frt-nat.XXXXXX";
	char merged[512], upper[512], nmerged[512], nupper[512];
	char ovl[PATH_MAX], nbase[PATH_MAX], nlower[PATH_MAX];

	ASSERT_NE(NULL, mkdtemp(lower));
	ASSERT_EQ(0, put_file(join(nlower, lower, "deleted"), "d", 0644));
	ASSERT_EQ(0, put_file(join(nlower, lower, "renamed"), "r", 0644));
	ASSERT_EQ(0, put_file(join(nlower, lower, "kept"), "k", 0644));
	ASSERT_EQ(0, new_tmpfs(nat));

	/* natively: upper and work on a tmpfs */
	ASSERT_EQ(0, overlay_steps(lower, nat, join(nbase, nat, "ovl"),
				   nmerged, nupper, sizeof(nmerged)));
	/* upper and work in the passthrough mount */
	ASSERT_EQ(0, overlay_steps(lower, ftd_mnt(self->d),
				   join(ovl, nat, "ovl2"), merged, upper,
				   sizeof(merged)));
	TH_LOG("native upper: %s", nupper);
	EXPECT_STREQ(nmerged, merged);
	EXPECT_STREQ(nupper, upper);
	/* the whiteout is on the backing fs */
	list_dir(bp("up"), merged, sizeof(merged));
	EXPECT_STREQ(nupper, merged);
	EXPECT_NE(NULL, strstr(upper, "deleted:20000:0 "));
	ASSERT_ONLY_INIT();
	umount2(nat, MNT_DETACH);
}

/* Bound inodes need no server: the mount keeps working after an abort */
TEST_F(root, served_after_the_server_is_gone)
{
	char buf[16];

	ASSERT_EQ(0, ftd_abort(self->d));
	ASSERT_EQ(6, get_file(mp("a/f"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_EQ(0, rename(mp("a/f"), mp2("b/f")));
	EXPECT_TRUE(exists(bp("b/f")));
}

/* ---- the root bound as an inode only ------------------------------ */

FIXTURE(inode_root) {
	struct ftd *d;
	char back[64];
	char path[2][PATH_MAX];
	__u64 x;
};

FIXTURE_SETUP(inode_root)
{
	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/frt-iback.XXXXXX");
	ASSERT_EQ(0, new_tmpfs(self->back));
	ASSERT_EQ(0, put_file(bp("only-backing"), "b\n", 0644));
	ASSERT_EQ(0, mount_root(&self->d, "passthrough_root_inode",
				self->back, PT_FLAGS, 1));
	self->x = ftd_add_file(self->d, FUSE_ROOT_ID, "x", 0644, "x\n", 2);
	ASSERT_NE(0, self->x);
}

FIXTURE_TEARDOWN(inode_root)
{
	ftd_destroy(self->d);
	EXPECT_EQ(0, umount2(self->back, 0));
	rmdir(self->back);
}

TEST_F(inode_root, attributes_from_backing_names_from_server)
{
	struct stat st, bst;

	ASSERT_EQ(0, chmod(self->back, 0711));
	ASSERT_EQ(0, stat(ftd_mnt(self->d), &st));
	ASSERT_EQ(0, stat(self->back, &bst));
	EXPECT_SAME_STAT(st, bst);
	EXPECT_EQ(0, ftd_count(self->d, FUSE_GETATTR));

	/* the names are the server's */
	EXPECT_TRUE(exists(mp("x")));
	EXPECT_FALSE(exists(mp("only-backing")));
	EXPECT_LE(1, ftd_count_name(self->d, FUSE_LOOKUP, "x"));
	EXPECT_LE(1, ftd_count_name(self->d, FUSE_LOOKUP, "only-backing"));
}

TEST_F(inode_root, permission_from_backing_as_natively)
{
	ASSERT_EQ(0, chmod(self->back, 0700));
	/* the caller may not search the backing root, nor the mount's */
	EXPECT_EQ(EACCES, AS_USER(access(bp("only-backing"), F_OK)));
	EXPECT_EQ(EACCES, AS_USER(access(mp("x"), F_OK)));
	EXPECT_EQ(0, ftd_count_name(self->d, FUSE_LOOKUP, "x"));
}

#undef mp
#undef mp2
#undef bp
#undef bp2

/* ---- rename and link between bindings ------------------------------ */

/*
 * A server-served root with t1 and t2 bound as subtrees through two
 * registrations of directories of one tmpfs mount, t3 through one on
 * another tmpfs, t4 through one made with another fsuid, and ddir served
 * by the server.
 */
FIXTURE(bindings) {
	struct ftd *d;
	char back[64], other[64];
	char path[4][PATH_MAX];
	__u64 t[5], ddir;
};

#define mp(rel)		join(self->path[0], ftd_mnt(self->d), rel)
#define mp2(rel)	join(self->path[1], ftd_mnt(self->d), rel)
#define bp(rel)		join(self->path[2], self->back, rel)
#define op(rel)		join(self->path[3], self->other, rel)

static int bind_subtree(struct ftd *d, __u64 node, const char *dir)
{
	int fd = open(dir, O_PATH | O_DIRECTORY), id;

	if (fd < 0)
		return -errno;
	id = ftd_backing_open(d, fd, FUSE_BACKING_INODE);
	close(fd);
	if (id < 0)
		return id;
	return ftd_set_entry_backing(d, node, id, FUSE_ENTRY_BACKING_SUBTREE);
}

FIXTURE_SETUP(bindings)
{
	static const char * const names[] = { NULL, "t1", "t2", "t3", "t4" };
	int i, fsuid;

	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/frt-b1.XXXXXX");
	snprintf(self->other, sizeof(self->other), "/tmp/frt-b2.XXXXXX");
	ASSERT_EQ(0, new_tmpfs(self->back));
	ASSERT_EQ(0, new_tmpfs(self->other));
	ASSERT_EQ(0, mkdir(bp("a"), 0777));
	ASSERT_EQ(0, mkdir(bp("b"), 0777));
	ASSERT_EQ(0, mkdir(bp("d"), 0777));
	ASSERT_EQ(0, mkdir(bp("a/sub"), 0755));
	ASSERT_EQ(0, mkdir(op("c"), 0777));
	ASSERT_EQ(0, chmod(bp("d"), 0777));
	ASSERT_EQ(0, put_file(bp("a/f"), "alpha\n", 0644));
	ASSERT_EQ(0, put_file(bp("a/sub/g"), "golf\n", 0644));
	ASSERT_EQ(0, put_file(bp("b/h"), "hotel\n", 0644));
	umask(022);

	self->d = new_server(PT_FLAGS, 1, NULL);
	ASSERT_NE(NULL, self->d);
	for (i = 1; i <= 4; i++) {
		self->t[i] = ftd_add_dir(self->d, FUSE_ROOT_ID, names[i], 0777);
		ASSERT_NE(0, self->t[i]);
	}
	self->ddir = ftd_add_dir(self->d, FUSE_ROOT_ID, "ddir", 0777);
	ASSERT_NE(0, ftd_add_file(self->d, self->ddir, "df", 0644, "d\n", 2));
	ASSERT_EQ(0, ftd_mount(self->d, NULL));
	ASSERT_EQ(0, bind_subtree(self->d, self->t[1], bp("a")));
	ASSERT_EQ(0, bind_subtree(self->d, self->t[2], bp("b")));
	ASSERT_EQ(0, bind_subtree(self->d, self->t[3], op("c")));
	/* registered by this thread with another fsuid: other credentials */
	fsuid = setfsuid(4321);
	ASSERT_EQ(0, bind_subtree(self->d, self->t[4], bp("d")));
	setfsuid(fsuid);
	ASSERT_EQ(0, setfsuid(-1));
	for (i = 1; i <= 4; i++)
		ASSERT_TRUE(exists(mp(names[i])));
	ftd_log_reset(self->d);
}

FIXTURE_TEARDOWN(bindings)
{
	ftd_destroy(self->d);
	EXPECT_EQ(0, umount2(self->back, 0));
	EXPECT_EQ(0, umount2(self->other, 0));
	rmdir(self->back);
	rmdir(self->other);
}

TEST_F(bindings, rename_between_registrations_of_one_mount)
{
	struct stat st;
	char buf[16];
	int d1, d2;

	d1 = open(mp("t1"), O_RDONLY | O_DIRECTORY);
	d2 = open(mp("t2"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, d1);
	ASSERT_LE(0, d2);
	ASSERT_EQ(0, fstatat(d1, "f", &st, 0));
	ASSERT_EQ(0, rename(mp("t1/f"), mp2("t2/f")));
	EXPECT_EQ(-1, fstatat(d1, "f", &st, 0));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, fstatat(d2, "f", &st, 0));
	ASSERT_EQ(6, get_file(bp("b/f"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	EXPECT_FALSE(exists(bp("a/f")));
	close(d1);
	close(d2);
	ASSERT_NO_REQUESTS();
}

TEST_F(bindings, directory_moved_between_registrations_stays_served)
{
	char buf[16];

	ASSERT_EQ(0, rename(mp("t1/sub"), mp2("t2/sub")));
	ASSERT_EQ(5, get_file(mp("t2/sub/g"), buf, sizeof(buf)));
	EXPECT_STREQ("golf\n", buf);
	ASSERT_EQ(0, put_file(mp("t2/sub/new"), "n", 0644));
	EXPECT_TRUE(exists(bp("b/sub/new")));
	EXPECT_FALSE(exists(mp("t1/sub")));
	ASSERT_NO_REQUESTS();
}

TEST_F(bindings, link_and_exchange_between_registrations)
{
	struct stat st, bst;
	char buf[16];

	ASSERT_EQ(0, link(mp("t1/f"), mp2("t2/l")));
	ASSERT_EQ(0, stat(mp("t2/l"), &st));
	ASSERT_EQ(0, stat(bp("a/f"), &bst));
	EXPECT_EQ(2, bst.st_nlink);
	EXPECT_EQ(bst.st_ino, st.st_ino);
	EXPECT_EQ(2, st.st_nlink);

	ASSERT_EQ(0, renameat2(AT_FDCWD, mp("t1/f"), AT_FDCWD, mp2("t2/h"),
			       RENAME_EXCHANGE));
	ASSERT_EQ(6, get_file(bp("a/f"), buf, sizeof(buf)));
	EXPECT_STREQ("hotel\n", buf);
	ASSERT_EQ(6, get_file(mp("t2/h"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_NO_REQUESTS();
}

static ssize_t copy_range(const char *from, const char *to)
{
	int in = open(from, O_RDONLY), out = open(to, O_WRONLY | O_CREAT, 0644);
	ssize_t n = -1;

	if (in >= 0 && out >= 0)
		n = copy_file_range(in, NULL, out, NULL, 64, 0);
	if (n < 0)
		n = -errno;
	close(in);
	close(out);
	return n;
}

/*
 * copy_file_range between bindings of one backing mount: as natively.
 * Between backing mounts natively EXDEV (two super blocks); through the
 * mount both files are on one fuse super block, and the copy falls back
 * to splice as for any filesystem (and as through overlayfs).
 */
TEST_F(bindings, copy_file_range_between_registrations)
{
	char buf[16], to[PATH_MAX];

	EXPECT_EQ(copy_range(bp("a/f"), join(to, self->back, "b/native")),
		  copy_range(mp("t1/f"), mp2("t2/copy")));
	ASSERT_EQ(6, get_file(bp("b/copy"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	EXPECT_EQ(-EXDEV, copy_range(bp("a/f"), op("c/native")));
	EXPECT_EQ(6, copy_range(mp("t1/f"), mp2("t3/copy")));
	ASSERT_EQ(6, get_file(op("c/copy"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_NO_REQUESTS();
}

/* Between backing mounts: EXDEV through the mount as natively */
TEST_F(bindings, other_backing_mount_is_exdev_as_natively)
{
	ASSERT_EQ(-1, rename(bp("a/f"), op("c/f")));
	ASSERT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, rename(mp("t1/f"), mp2("t3/f")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, link(bp("a/f"), op("c/l")));
	ASSERT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, link(mp("t1/f"), mp2("t3/l")));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_TRUE(exists(bp("a/f")));
	EXPECT_FALSE(exists(op("c/f")));
	ASSERT_NO_REQUESTS();
}

TEST_F(bindings, other_credentials_are_exdev)
{
	ASSERT_EQ(-1, rename(mp("t1/f"), mp2("t4/f")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, link(mp("t1/f"), mp2("t4/l")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, rename(mp("t4"), mp2("t1/t4")));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_FALSE(exists(bp("d/f")));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_RENAME) +
		     ftd_count(self->d, FUSE_RENAME2) +
		     ftd_count(self->d, FUSE_LINK));
}

/* A file the server bound itself gets no name in a subtree */
TEST_F(bindings, server_bound_file_is_not_linked_into_a_subtree)
{
	__u64 sf;
	int fd, id;

	ASSERT_EQ(0, put_file(bp("a/own"), "own\n", 0644));
	sf = ftd_add_file(self->d, self->ddir, "own", 0644, NULL, 0);
	ASSERT_NE(0, sf);
	fd = open(bp("a/own"), O_PATH);
	ASSERT_LE(0, fd);
	id = ftd_backing_open(self->d, fd, FUSE_BACKING_INODE);
	close(fd);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, sf, id, 0));
	ASSERT_TRUE(exists(mp("ddir/own")));
	ASSERT_EQ(-1, link(mp("ddir/own"), mp2("t1/own2")));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_FALSE(exists(bp("a/own2")));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_LINK));
}

TEST_F(bindings, server_directory_is_exdev)
{
	ASSERT_EQ(-1, rename(mp("t1/f"), mp2("ddir/f")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, rename(mp("ddir/df"), mp2("t2/df")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, link(mp("ddir/df"), mp2("t2/df")));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_EQ(0, ftd_count(self->d, FUSE_RENAME) +
		     ftd_count(self->d, FUSE_RENAME2) +
		     ftd_count(self->d, FUSE_LINK));
}

#undef mp
#undef mp2
#undef bp
#undef op

/* ---- malformed and hostile root bindings --------------------------- */

/* A private mount namespace and a tmpfs at dir, in a child */
#define IN_CHILD(body) do {						\
	pid_t __pid = fork();						\
	int __st;							\
	ASSERT_LE(0, __pid);						\
	if (!__pid) {							\
		body;							\
		_exit(0);						\
	}								\
	ASSERT_EQ(__pid, waitpid(__pid, &__st, 0));			\
	ASSERT_TRUE(WIFEXITED(__st));					\
	EXPECT_EQ(0, WEXITSTATUS(__st));				\
} while (0)

/* Mount with the options fmt makes of fd (twice); the mount's -errno */
static int try_root_opts(const char *fmt, int fd)
{
	char opts[128];
	struct ftd *d;
	int ret;

	snprintf(opts, sizeof(opts), fmt, fd, fd);
	d = new_server(PT_FLAGS, 1, opts);
	if (!d)
		return -ENOMEM;
	ret = ftd_mount(d, NULL);
	ftd_destroy(d);
	return ret;
}

#define BOTH_OPTIONS	"passthrough_root=%d,passthrough_root_inode=%d"

TEST(bad_root_bindings_fail_the_mount)
{
	char back[] = "/tmp/frt-bad.XXXXXX", p[PATH_MAX];
	int dfd, ffd;

	ASSERT_EQ(0, ftd_private_mntns());
	ASSERT_EQ(0, new_tmpfs(back));
	ASSERT_EQ(0, put_file(join(p, back, "file"), "f", 0644));
	dfd = open(back, O_PATH | O_DIRECTORY);
	ffd = open(p, O_RDONLY);
	ASSERT_LE(0, dfd);
	ASSERT_LE(0, ffd);

	EXPECT_EQ(-EBADF, try_root_opts("passthrough_root=%d", 999));
	EXPECT_EQ(-ENOTDIR, try_root_opts("passthrough_root=%d", ffd));
	EXPECT_EQ(-ENOTDIR, try_root_opts("passthrough_root_inode=%d",
					  ffd));
	EXPECT_EQ(-EINVAL, try_root_opts("passthrough_root=%d,passthrough_root=%d", dfd));
	EXPECT_EQ(-EINVAL, try_root_opts(BOTH_OPTIONS, dfd));
	EXPECT_EQ(-EINVAL, try_root_opts("passthrough_root=x%d", dfd));
	/* a kernel interface filesystem is no backing directory */
	close(ffd);
	ffd = open("/sys", O_PATH | O_DIRECTORY);
	ASSERT_LE(0, ffd);
	EXPECT_EQ(-EINVAL, try_root_opts("passthrough_root=%d", ffd));
	close(ffd);
	/* nor procfs, which nothing may stack on */
	ffd = open("/proc", O_PATH | O_DIRECTORY);
	ASSERT_LE(0, ffd);
	EXPECT_EQ(-ELOOP, try_root_opts("passthrough_root=%d", ffd));
	close(ffd);
	close(dfd);
	/* no reference left on the backing tmpfs */
	EXPECT_EQ(0, umount2(back, 0));
}

TEST(root_binding_needs_init_to_negotiate_it)
{
	char back[] = "/tmp/frt-neg.XXXXXX", p[PATH_MAX];
	struct stat st;
	struct ftd *d;

	ASSERT_EQ(0, ftd_private_mntns());
	ASSERT_EQ(0, new_tmpfs(back));
	ASSERT_EQ(0, mkdir(join(p, back, "a"), 0755));
	/* the kernel offers it, the server does not take it */
	ASSERT_EQ(0, mount_root(&d, "passthrough_root", back,
				FUSE_PASSTHROUGH, 1));
	EXPECT_EQ(-1, stat(ftd_mnt(d), &st));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(-1, open(ftd_mnt(d), O_RDONLY | O_DIRECTORY));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(-1, stat(join(p, ftd_mnt(d), "a"), &st));
	EXPECT_EQ(ECONNREFUSED, errno);
	EXPECT_EQ(1, ftd_count_total(d));
	ftd_destroy(d);

	/* nor with a max_stack_depth too small for the backing root */
	ASSERT_EQ(0, mount_root(&d, "passthrough_root", back, PT_FLAGS, 0));
	EXPECT_EQ(-1, stat(ftd_mnt(d), &st));
	EXPECT_EQ(ECONNREFUSED, errno);
	ftd_destroy(d);
	EXPECT_EQ(0, umount2(back, 0));
}

/* A backing root on overlayfs needs INIT's max_stack_depth to allow it */
TEST(root_binding_checks_the_stack_depth)
{
	char low[] = "/tmp/frt-low.XXXXXX", ovl[] = "/tmp/frt-ovl.XXXXXX";
	char opts[PATH_MAX];
	struct stat st;
	struct ftd *d;

	ASSERT_EQ(0, ftd_private_mntns());
	ASSERT_EQ(0, new_tmpfs(low));
	ASSERT_NE(NULL, mkdtemp(ovl));
	ASSERT_EQ(0, mkdir(join(opts, low, "l1"), 0755));
	ASSERT_EQ(0, mkdir(join(opts, low, "l2"), 0755));
	ASSERT_EQ(0, put_file(join(opts, low, "l1/f"), "f", 0644));
	snprintf(opts, sizeof(opts), "lowerdir=%s/l1:%s/l2", low, low);
	ASSERT_EQ(0, mount("overlay", ovl, "overlay", 0, opts));

	ASSERT_EQ(0, mount_root(&d, "passthrough_root", ovl, PT_FLAGS, 1));
	EXPECT_EQ(-1, stat(ftd_mnt(d), &st));
	EXPECT_EQ(ECONNREFUSED, errno);
	ftd_destroy(d);

	ASSERT_EQ(0, mount_root(&d, "passthrough_root", ovl, PT_FLAGS, 2));
	EXPECT_EQ(0, stat(join(opts, ftd_mnt(d), "f"), &st));
	EXPECT_EQ(1, ftd_count_total(d));
	ftd_destroy(d);
	EXPECT_EQ(0, umount2(ovl, 0));
	EXPECT_EQ(0, umount2(low, 0));
}

TEST(root_binding_needs_cap_sys_admin_in_the_initial_namespace)
{
	IN_CHILD({
		char back[] = "/tmp/frt-ns.XXXXXX";
		struct ftd *d;
		int fd;

		if (!mkdtemp(back))
			_exit(9);
		fd = open(back, O_PATH | O_DIRECTORY);
		if (fd < 0 ||
		    unshare(CLONE_NEWUSER | CLONE_NEWNS) ||
		    !write_file("/proc/self/setgroups", "deny") ||
		    !write_file("/proc/self/uid_map", "0 0 1") ||
		    !write_file("/proc/self/gid_map", "0 0 1") ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL))
			_exit(10);
		/* a plain mount works in the namespace ... */
		d = new_server(PT_FLAGS, 1, NULL);
		if (!d || ftd_mount(d, NULL))
			_exit(11);
		ftd_destroy(d);
		/* ... one binding its root does not */
		if (try_root_opts("passthrough_root=%d", fd) != -EPERM)
			_exit(12);
		close(fd);
		rmdir(back);
	});
}

/* Open path (O_PATH) with CAP_SYS_ADMIN out of the effective set */
static int open_without_sys_admin(const char *path)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2], saved[2];
	int fd, err;

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	memcpy(saved, data, sizeof(saved));
	data[CAP_SYS_ADMIN / 32].effective &= ~(1u << (CAP_SYS_ADMIN % 32));
	if (syscall(SYS_capset, &hdr, data))
		return -1;
	fd = open(path, O_PATH | O_DIRECTORY);
	err = errno;
	if (syscall(SYS_capset, &hdr, saved))
		_exit(99);
	errno = err;
	return fd;
}

/*
 * The directory must come from a privileged opener too: a mount helper
 * passing the option on for a user cannot lend the user's directory the
 * helper's authority.
 */
TEST(root_binding_needs_a_privileged_descriptor)
{
	char back[] = "/tmp/frt-priv.XXXXXX";
	int fd;

	ASSERT_EQ(0, ftd_private_mntns());
	ASSERT_EQ(0, new_tmpfs(back));
	fd = open_without_sys_admin(back);
	ASSERT_LE(0, fd);
	EXPECT_EQ(-EPERM, try_root_opts("passthrough_root=%d", fd));
	close(fd);
	fd = open(back, O_PATH | O_DIRECTORY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(0, try_root_opts("passthrough_root=%d", fd));
	close(fd);
	EXPECT_EQ(0, umount2(back, 0));
}

/* An initialized connection's root exists: it cannot be bound any more */
TEST(root_binding_of_an_existing_connection_is_refused)
{
	char back[] = "/tmp/frt-ex.XXXXXX", opts[128];
	char mnt2[] = "/tmp/frt-mnt2.XXXXXX";
	struct ftd *d;
	int fd;

	ASSERT_EQ(0, ftd_private_mntns());
	ASSERT_EQ(0, new_tmpfs(back));
	ASSERT_NE(NULL, mkdtemp(mnt2));
	d = new_server(PT_FLAGS, 1, NULL);
	ASSERT_NE(NULL, d);
	ASSERT_EQ(0, ftd_mount(d, NULL));
	fd = open(back, O_PATH | O_DIRECTORY);
	ASSERT_LE(0, fd);
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0,passthrough_root=%d",
		 ftd_devfd(d), fd);
	EXPECT_EQ(-1, mount("fuse_test", mnt2, "fuse", 0, opts));
	EXPECT_EQ(EINVAL, errno);
	/* without the option the connection can be mounted again */
	snprintf(opts, sizeof(opts),
		 "fd=%d,rootmode=40000,user_id=0,group_id=0", ftd_devfd(d));
	EXPECT_EQ(0, mount("fuse_test", mnt2, "fuse", 0, opts));
	umount2(mnt2, MNT_DETACH);
	close(fd);
	ftd_destroy(d);
	EXPECT_EQ(0, umount2(back, 0));
}

TEST_HARNESS_MAIN
