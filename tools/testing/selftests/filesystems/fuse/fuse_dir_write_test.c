// SPDX-License-Identifier: GPL-2.0
/*
 * Directory passthrough: namespace and metadata changes below a subtree
 * root (create, mkdir, unlink, rename, link, symlink, mknod, tmpfile,
 * setattr, xattrs, fallocate, copy_file_range, locks), the ownership of
 * what a caller creates, the subtree boundary, and entries created by the
 * server and handed over in its reply.
 *
 * The "mut" fixture mounts the test server with "tree", a subtree bound to
 * a backing directory in /tmp, and "ddir", a directory the server serves
 * itself, holding the file "dfile".
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <sys/file.h>
#include <sys/ioctl.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"
#include "fuse_test_util.h"

FIXTURE(mut) {
	struct ftd *d;
	char back[64];
	char path[4][PATH_MAX];
	__u64 tree, ddir;
	int tree_id;
};

/* In tests, with self the fixture data: paths in the mount, in backing */
#define mp(rel)		join(self->path[0], ftd_mnt(self->d), rel)
#define mp2(rel)	join(self->path[1], ftd_mnt(self->d), rel)
#define bp(rel)		join(self->path[2], self->back, rel)
#define bp2(rel)	join(self->path[3], self->back, rel)

FIXTURE_SETUP(mut)
{
	struct ftd_opts opts;
	__u64 dfile;
	int fd;

	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/fdw-back.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->back));
	ASSERT_EQ(0, chmod(self->back, 0777));
	ASSERT_EQ(0, put_file(bp("a"), "alpha\n", 0644));
	ASSERT_EQ(0, mkdir(bp("sub"), 0755));
	ASSERT_EQ(0, put_file(bp("sub/b"), "bravo\n", 0644));

	ftd_opts_init(&opts);
	opts.init_flags = FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR;
	opts.max_stack_depth = 1;
	opts.allow_other = true;
	opts.root_mode = 0777;
	/* server entries stay valid however slow the kernel: no timing */
	opts.entry_timeout_ms = 3600 * 1000;
	opts.attr_timeout_ms = 3600 * 1000;
	self->d = ftd_new(&opts);
	ASSERT_NE(NULL, self->d);
	self->tree = ftd_add_dir(self->d, FUSE_ROOT_ID, "tree", 0777);
	self->ddir = ftd_add_dir(self->d, FUSE_ROOT_ID, "ddir", 0777);
	dfile = ftd_add_file(self->d, self->ddir, "dfile", 0644, "d\n", 2);
	ASSERT_NE(0, self->tree);
	ASSERT_NE(0, dfile);
	ASSERT_EQ(0, ftd_mount(self->d, NULL));
	if (!ftd_kernel_offers(self->d, FUSE_PASSTHROUGH_DIR)) {
		ftd_destroy(self->d);
		SKIP(return, "kernel does not offer FUSE_PASSTHROUGH_DIR");
	}
	fd = open(self->back, O_PATH | O_DIRECTORY);
	ASSERT_LE(0, fd);
	self->tree_id = ftd_backing_open(self->d, fd, FUSE_BACKING_INODE);
	close(fd);
	ASSERT_LT(0, self->tree_id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->tree, self->tree_id,
					   FUSE_ENTRY_BACKING_SUBTREE));
	ASSERT_TRUE(exists(mp("tree")));
	ASSERT_TRUE(exists(mp("ddir/dfile")));
	ftd_log_reset(self->d);
	umask(022);
}

FIXTURE_TEARDOWN(mut)
{
	char cmd[PATH_MAX];

	ftd_destroy(self->d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->back);
	if (system(cmd))
		TH_LOG("could not remove %s", self->back);
}

TEST_F(mut, create_file_appears_in_backing)
{
	struct stat st, bst;
	char buf[32];

	ASSERT_EQ(0, put_file(mp("tree/new"), "fresh\n", 0640));
	ASSERT_EQ(6, get_file(bp("new"), buf, sizeof(buf)));
	EXPECT_STREQ("fresh\n", buf);
	ASSERT_EQ(0, stat(mp("tree/new"), &st));
	ASSERT_EQ(0, stat(bp("new"), &bst));
	EXPECT_EQ(bst.st_ino, st.st_ino);
	EXPECT_EQ(S_IFREG | 0640, bst.st_mode);
	ASSERT_NO_REQUESTS();
}

/* Blocks of the backing fs freed by writing 16 MiB to path, then unlinking */
static long write_unlink_frees(const char *path, const char *fsdir)
{
	static char buf[1 << 20];
	struct statvfs full, after;
	int fd, i;

	memset(buf, 'u', sizeof(buf));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644);
	if (fd < 0)
		return -1;
	for (i = 0; i < 16; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			break;
	close(fd);
	if (i < 16 || statvfs(fsdir, &full) || unlink(path) ||
	    statvfs(fsdir, &after))
		return -1;
	return (long)(after.f_bfree - full.f_bfree) * full.f_bsize >> 20;
}

/*
 * Natively, the blocks of an unlinked, unused file are free at once; the
 * fuse dentry must not stay cached holding the backing one (as dd, rm,
 * df through the mount found).
 */
TEST_F(mut, unlink_frees_the_backing_blocks_at_once)
{
	EXPECT_EQ(16, write_unlink_frees(bp("native"), self->back));
	EXPECT_EQ(16, write_unlink_frees(mp("tree/big"), self->back));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, o_direct_opens_as_natively)
{
	int nfd, mfd, nerr, merr;

	nfd = open(bp("a"), O_RDONLY | O_DIRECT);
	nerr = nfd < 0 ? errno : 0;
	mfd = open(mp("tree/a"), O_RDONLY | O_DIRECT);
	merr = mfd < 0 ? errno : 0;
	EXPECT_EQ(nerr, merr);
	if (nfd >= 0)
		close(nfd);
	if (mfd >= 0)
		close(mfd);
	ASSERT_NO_REQUESTS();
}

/*
 * Inodes below a subtree root have no node id: they get no file handle
 * rather than one handle for all of them (fanotify FIDs, nfsd).
 */
TEST_F(mut, no_shared_file_handle_below_a_subtree_root)
{
	struct {
		struct file_handle fh;
		unsigned char buf[MAX_HANDLE_SZ];
	} h1 = { .fh.handle_bytes = MAX_HANDLE_SZ },
	  h2 = { .fh.handle_bytes = MAX_HANDLE_SZ };
	int m1, m2, r1, r2;

	r1 = name_to_handle_at(AT_FDCWD, mp("tree/a"), &h1.fh, &m1, 0);
	r2 = name_to_handle_at(AT_FDCWD, mp("tree/sub/b"), &h2.fh, &m2, 0);
	if (!r1 && !r2)
		EXPECT_TRUE(h1.fh.handle_bytes != h2.fh.handle_bytes ||
			    memcmp(h1.fh.f_handle, h2.fh.f_handle,
				   h1.fh.handle_bytes));
	ASSERT_NO_REQUESTS();
}

/*
 * security.* names that no security module uses as its label are set,
 * removed and read through the mount as natively (the caller's
 * capabilities decide: CAP_SYS_ADMIN).  A module's MAC label
 * (security.selinux...) is refused instead, which needs such a module to
 * be seen; the test kernel has none.
 */
TEST_F(mut, security_names_as_natively)
{
	int nset, mset, nrm, mrm;
	char buf[8];

	nset = setxattr(bp("a"), "security.fdw", "n", 1, 0) ? errno : 0;
	mset = setxattr(mp("tree/sub/b"), "security.fdw", "m", 1, 0) ?
		errno : 0;
	EXPECT_EQ(nset, mset);
	if (!mset) {
		EXPECT_EQ(1, getxattr(bp("sub/b"), "security.fdw", buf,
				      sizeof(buf)));
		EXPECT_EQ('m', buf[0]);
	}
	nrm = removexattr(bp("a"), "security.fdw") ? errno : 0;
	mrm = removexattr(mp("tree/sub/b"), "security.fdw") ? errno : 0;
	EXPECT_EQ(nrm, mrm);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, create_excl_on_existing_fails_eexist)
{
	int fd;

	fd = open(mp("tree/a"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	ASSERT_EQ(-1, fd);
	EXPECT_EQ(EEXIST, errno);
	/* created behind the mount after a negative lookup */
	ASSERT_FALSE(exists(mp("tree/late")));
	ASSERT_EQ(0, put_file(bp("late"), "x", 0644));
	fd = open(mp("tree/late"), O_WRONLY | O_CREAT | O_EXCL, 0644);
	ASSERT_EQ(-1, fd);
	EXPECT_EQ(EEXIST, errno);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, open_trunc_truncates)
{
	struct stat st;
	int fd;

	fd = open(mp("tree/a"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(0, st.st_size);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, mkdir_and_rmdir)
{
	struct stat st;

	ASSERT_EQ(0, mkdir(mp("tree/d1"), 0750));
	ASSERT_EQ(0, stat(bp("d1"), &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
	ASSERT_EQ(0, put_file(mp("tree/d1/inner"), "in\n", 0644));
	ASSERT_TRUE(exists(bp("d1/inner")));
	ASSERT_EQ(0, unlink(mp("tree/d1/inner")));
	ASSERT_EQ(0, rmdir(mp("tree/d1")));
	EXPECT_FALSE(exists(bp("d1")));
	EXPECT_FALSE(exists(mp("tree/d1")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rmdir_nonempty_fails_enotempty)
{
	ASSERT_EQ(-1, rmdir(mp("tree/sub")));
	EXPECT_EQ(ENOTEMPTY, errno);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, mkdir_existing_fails_eexist)
{
	ASSERT_EQ(-1, mkdir(mp("tree/sub"), 0755));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, unlink_file)
{
	ASSERT_EQ(0, unlink(mp("tree/a")));
	EXPECT_FALSE(exists(bp("a")));
	EXPECT_FALSE(exists(mp("tree/a")));
	ASSERT_EQ(-1, unlink(mp("tree/a")));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, unlink_of_open_file_keeps_its_data)
{
	char buf[16];
	int fd;

	fd = open(mp("tree/a"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, unlink(mp("tree/a")));
	ASSERT_EQ(6, read(fd, buf, sizeof(buf)));
	close(fd);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, symlink_is_created_in_backing)
{
	char buf[64];

	ASSERT_EQ(0, symlink("sub/b", mp("tree/ln")));
	ASSERT_EQ(5, readlink(bp("ln"), buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "sub/b", 5));
	ASSERT_EQ(6, get_file(mp("tree/ln"), buf, sizeof(buf)));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, hard_link_in_subtree)
{
	struct stat st1, st2;

	ASSERT_EQ(0, link(mp("tree/a"), mp2("tree/sub/a2")));
	ASSERT_EQ(0, stat(mp("tree/a"), &st1));
	ASSERT_EQ(0, stat(mp("tree/sub/a2"), &st2));
	EXPECT_EQ(st1.st_ino, st2.st_ino);
	EXPECT_EQ(2, st2.st_nlink);
	ASSERT_EQ(0, stat(bp("sub/a2"), &st2));
	EXPECT_EQ(st1.st_ino, st2.st_ino);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, mknod_fifo)
{
	struct stat st;

	ASSERT_EQ(0, mkfifo(mp("tree/fifo"), 0600));
	ASSERT_EQ(0, stat(bp("fifo"), &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_EQ(0, stat(mp("tree/fifo"), &st));
	EXPECT_TRUE(S_ISFIFO(st.st_mode));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, mknod_device_needs_cap_mknod)
{
	struct stat st;

	EXPECT_EQ(EPERM, AS_USER(mknod(mp("tree/null"), S_IFCHR | 0666,
				       makedev(1, 3))));
	ASSERT_EQ(0, mknod(mp("tree/null"), S_IFCHR | 0666, makedev(1, 3)));
	ASSERT_EQ(0, stat(bp("null"), &st));
	EXPECT_TRUE(S_ISCHR(st.st_mode));
	EXPECT_EQ(makedev(1, 3), st.st_rdev);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_file_in_dir_and_across_dirs)
{
	char buf[16];

	ASSERT_EQ(0, rename(mp("tree/a"), mp2("tree/a1")));
	EXPECT_FALSE(exists(bp("a")));
	EXPECT_TRUE(exists(bp("a1")));
	ASSERT_EQ(0, rename(mp("tree/a1"), mp2("tree/sub/a2")));
	ASSERT_EQ(6, get_file(bp("sub/a2"), buf, sizeof(buf)));
	ASSERT_EQ(6, get_file(mp("tree/sub/a2"), buf, sizeof(buf)));
	EXPECT_FALSE(exists(mp("tree/a1")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_over_existing_file)
{
	char buf[16];

	ASSERT_EQ(0, rename(mp("tree/a"), mp2("tree/sub/b")));
	ASSERT_EQ(6, get_file(bp("sub/b"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_EQ(6, get_file(mp("tree/sub/b"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_dir_over_empty_dir)
{
	ASSERT_EQ(0, mkdir(mp("tree/empty"), 0755));
	ASSERT_EQ(0, rename(mp("tree/sub"), mp2("tree/empty")));
	EXPECT_TRUE(exists(bp("empty/b")));
	EXPECT_TRUE(exists(mp("tree/empty/b")));
	EXPECT_FALSE(exists(mp("tree/sub")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_dir_over_nonempty_dir_fails_enotempty)
{
	ASSERT_EQ(0, mkdir(mp("tree/other"), 0755));
	ASSERT_EQ(-1, rename(mp("tree/other"), mp2("tree/sub")));
	EXPECT_EQ(ENOTEMPTY, errno);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_noreplace_fails_eexist)
{
	ASSERT_EQ(-1, renameat2(AT_FDCWD, mp("tree/a"), AT_FDCWD,
				mp2("tree/sub/b"), RENAME_NOREPLACE));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, renameat2(AT_FDCWD, mp("tree/a"), AT_FDCWD,
			       mp2("tree/sub/c"), RENAME_NOREPLACE));
	EXPECT_TRUE(exists(bp("sub/c")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_exchange_files)
{
	char buf[16];

	ASSERT_EQ(0, renameat2(AT_FDCWD, mp("tree/a"), AT_FDCWD,
			       mp2("tree/sub/b"), RENAME_EXCHANGE));
	ASSERT_EQ(6, get_file(bp("a"), buf, sizeof(buf)));
	EXPECT_STREQ("bravo\n", buf);
	ASSERT_EQ(6, get_file(mp("tree/a"), buf, sizeof(buf)));
	EXPECT_STREQ("bravo\n", buf);
	ASSERT_EQ(6, get_file(mp("tree/sub/b"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_exchange_file_and_dir)
{
	struct stat st;

	ASSERT_EQ(0, renameat2(AT_FDCWD, mp("tree/a"), AT_FDCWD,
			       mp2("tree/sub"), RENAME_EXCHANGE));
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0, stat(mp("tree/a/b"), &st));
	ASSERT_EQ(0, stat(mp("tree/sub"), &st));
	EXPECT_TRUE(S_ISREG(st.st_mode));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_whiteout_leaves_a_whiteout)
{
	struct stat st, bst;

	ASSERT_EQ(0, renameat2(AT_FDCWD, mp("tree/a"), AT_FDCWD,
			       mp2("tree/w"), RENAME_WHITEOUT));
	ASSERT_EQ(0, lstat(bp("a"), &bst));
	EXPECT_TRUE(S_ISCHR(bst.st_mode));
	EXPECT_EQ(makedev(0, 0), bst.st_rdev);
	ASSERT_EQ(0, lstat(mp("tree/a"), &st));
	EXPECT_EQ(bst.st_mode, st.st_mode);
	EXPECT_EQ(bst.st_rdev, st.st_rdev);
	EXPECT_TRUE(exists(bp("w")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, rename_out_of_subtree_is_exdev)
{
	ASSERT_EQ(-1, rename(mp("tree/a"), mp2("ddir/a")));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_TRUE(exists(bp("a")));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_RENAME) +
		     ftd_count(self->d, FUSE_RENAME2));
}

TEST_F(mut, rename_into_subtree_is_exdev)
{
	ASSERT_EQ(-1, rename(mp("ddir/dfile"), mp2("tree/dfile")));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_FALSE(exists(bp("dfile")));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_RENAME) +
		     ftd_count(self->d, FUSE_RENAME2));
}

TEST_F(mut, link_across_boundary_is_exdev_both_ways)
{
	ASSERT_EQ(-1, link(mp("tree/a"), mp2("ddir/a")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, link(mp("ddir/dfile"), mp2("tree/dfile")));
	EXPECT_EQ(EXDEV, errno);
	EXPECT_EQ(0, ftd_count(self->d, FUSE_LINK));
}

TEST_F(mut, tmpfile_then_linkat)
{
	char proc[64], buf[16];
	int fd;

	fd = open(mp("tree/sub"), O_TMPFILE | O_RDWR, 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "tmp\n", 4));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ASSERT_EQ(0, linkat(AT_FDCWD, proc, AT_FDCWD, mp("tree/sub/kept"),
			    AT_SYMLINK_FOLLOW));
	close(fd);
	ASSERT_EQ(4, get_file(bp("sub/kept"), buf, sizeof(buf)));
	EXPECT_STREQ("tmp\n", buf);
	ASSERT_EQ(4, get_file(mp("tree/sub/kept"), buf, sizeof(buf)));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, tmpfile_excl_cannot_be_linked)
{
	char proc[64];
	int fd;

	fd = open(mp("tree"), O_TMPFILE | O_RDWR | O_EXCL, 0600);
	ASSERT_LE(0, fd);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	ASSERT_EQ(-1, linkat(AT_FDCWD, proc, AT_FDCWD, mp("tree/nope"),
			     AT_SYMLINK_FOLLOW));
	EXPECT_EQ(ENOENT, errno);
	close(fd);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, chmod_chown_truncate_utimens)
{
	struct timespec ts[2] = {
		{ .tv_sec = 1000000000, .tv_nsec = 5 },
		{ .tv_sec = 0, .tv_nsec = UTIME_OMIT },
	};
	struct stat st, before;

	ASSERT_EQ(0, chmod(mp("tree/a"), 0604));
	ASSERT_EQ(0, chown(mp("tree/a"), 123, 456));
	ASSERT_EQ(0, truncate(mp("tree/a"), 2));
	ASSERT_EQ(0, stat(bp("a"), &before));
	ASSERT_EQ(0, utimensat(AT_FDCWD, mp("tree/a"), ts, 0));
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(S_IFREG | 0604, st.st_mode);
	EXPECT_EQ(123, st.st_uid);
	EXPECT_EQ(456, st.st_gid);
	EXPECT_EQ(2, st.st_size);
	EXPECT_EQ(1000000000, st.st_atim.tv_sec);
	EXPECT_EQ(5, st.st_atim.tv_nsec);
	EXPECT_EQ(before.st_mtim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(before.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
	ts[1].tv_nsec = UTIME_NOW;
	ASSERT_EQ(0, utimensat(AT_FDCWD, mp("tree/a"), ts, 0));
	ASSERT_EQ(0, stat(mp("tree/a"), &st));
	EXPECT_LE(before.st_mtim.tv_sec, st.st_mtim.tv_sec);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, chown_and_chmod_by_non_owner_fail_eperm)
{
	EXPECT_EQ(EPERM, AS_USER(chown(mp("tree/a"), USER_ID, GROUP_ID)));
	EXPECT_EQ(EPERM, AS_USER(chmod(mp("tree/a"), 0777)));
	ASSERT_EQ(0, chown(bp("a"), USER_ID, GROUP_ID));
	/* the owner may give the file to a group it is not in: no */
	EXPECT_EQ(EPERM, AS_USER(chown(mp("tree/a"), -1, 0)));
	EXPECT_EQ(0, AS_USER(chmod(mp("tree/a"), 0600)));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, created_objects_belong_to_the_caller)
{
	struct stat st;

	ASSERT_EQ(0, AS_USER(put_file(mp("tree/mine"), "mine\n", 0644)));
	ASSERT_EQ(0, AS_USER(mkdir(mp("tree/mydir"), 0755)));
	ASSERT_EQ(0, AS_USER(symlink("mine", mp("tree/mylink"))));
	ASSERT_EQ(0, stat(bp("mine"), &st));
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(GROUP_ID, st.st_gid);
	ASSERT_EQ(0, stat(bp("mydir"), &st));
	EXPECT_EQ(USER_ID, st.st_uid);
	ASSERT_EQ(0, lstat(bp("mylink"), &st));
	EXPECT_EQ(USER_ID, st.st_uid);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, caller_cannot_create_in_a_dir_it_cannot_write)
{
	EXPECT_EQ(EACCES, AS_USER(put_file(mp("tree/sub/no"), "no\n", 0644)));
	EXPECT_EQ(EACCES, AS_USER(unlink(mp("tree/sub/b"))));
	EXPECT_FALSE(exists(bp("sub/no")));
	EXPECT_TRUE(exists(bp("sub/b")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, sticky_directory_protects_others_files)
{
	ASSERT_EQ(0, mkdir(bp("sticky"), 01777));
	ASSERT_EQ(0, chmod(bp("sticky"), 01777));
	ASSERT_EQ(0, put_file(bp("sticky/roots"), "r\n", 0666));
	EXPECT_EQ(EPERM, AS_USER(unlink(mp("tree/sticky/roots"))));
	EXPECT_TRUE(exists(bp("sticky/roots")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, setgid_directory_passes_its_group_on)
{
	struct stat st;

	ASSERT_EQ(0, mkdir(bp("sgid"), 0777));
	ASSERT_EQ(0, chown(bp("sgid"), 0, 500));
	ASSERT_EQ(0, chmod(bp("sgid"), 02777));
	ASSERT_EQ(0, AS_USER(put_file(mp("tree/sgid/f"), "f\n", 0644)));
	ASSERT_EQ(0, AS_USER(mkdir(mp("tree/sgid/d"), 0755)));
	ASSERT_EQ(0, stat(bp("sgid/f"), &st));
	EXPECT_EQ(USER_ID, st.st_uid);
	EXPECT_EQ(500, st.st_gid);
	ASSERT_EQ(0, stat(bp("sgid/d"), &st));
	EXPECT_EQ(500, st.st_gid);
	EXPECT_TRUE(st.st_mode & S_ISGID);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, umask_applies_to_new_objects)
{
	struct stat st;

	umask(027);
	ASSERT_EQ(0, put_file(mp("tree/masked"), "m\n", 0666));
	ASSERT_EQ(0, mkdir(mp("tree/maskdir"), 0777));
	ASSERT_EQ(0, stat(bp("masked"), &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	ASSERT_EQ(0, stat(bp("maskdir"), &st));
	EXPECT_EQ(S_IFDIR | 0750, st.st_mode);
	ASSERT_NO_REQUESTS();
}

/* system.posix_acl_default of user::rwx group::r-x other::--- */
static const unsigned char default_acl[] = {
	2, 0, 0, 0,					/* version */
	0x01, 0, 0x07, 0, 0xff, 0xff, 0xff, 0xff,	/* USER_OBJ rwx */
	0x04, 0, 0x05, 0, 0xff, 0xff, 0xff, 0xff,	/* GROUP_OBJ r-x */
	0x20, 0, 0x00, 0, 0xff, 0xff, 0xff, 0xff,	/* OTHER --- */
};

TEST_F(mut, default_acl_of_directory_applies)
{
	struct stat st;

	ASSERT_EQ(0, mkdir(bp("acl"), 0777));
	if (setxattr(bp("acl"), "system.posix_acl_default", default_acl,
		     sizeof(default_acl), 0))
		SKIP(return, "backing fs has no POSIX ACLs");
	umask(0);
	ASSERT_EQ(0, put_file(mp("tree/acl/f"), "f\n", 0666));
	ASSERT_EQ(0, stat(bp("acl/f"), &st));
	/* the default ACL, not the umask, decides: group r, other none */
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, write_by_user_clears_setuid)
{
	struct stat st;

	ASSERT_EQ(0, chmod(bp("a"), 06777));
	ASSERT_EQ(0, AS_USER(put_file(mp("tree/a"), "x\n", 0644)));
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(0, st.st_mode & (S_ISUID | S_ISGID));
	EXPECT_EQ(0777, st.st_mode & 0777);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, write_by_root_keeps_setuid)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, chmod(bp("a"), 04755));
	fd = open(mp("tree/a"), O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(2, write(fd, "y\n", 2));
	close(fd);
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(S_ISUID, st.st_mode & S_ISUID);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, chown_by_root_clears_setuid)
{
	struct stat st;

	ASSERT_EQ(0, chmod(bp("a"), 04755));
	ASSERT_EQ(0, chown(mp("tree/a"), USER_ID, -1));
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(0, st.st_mode & S_ISUID);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, set_and_remove_xattrs)
{
	char buf[32];

	if (setxattr(bp("a"), "user.probe", "1", 1, 0))
		SKIP(return, "backing fs has no user xattrs");
	ASSERT_EQ(0, setxattr(mp("tree/a"), "user.k", "v1", 2, XATTR_CREATE));
	ASSERT_EQ(-1, setxattr(mp("tree/a"), "user.k", "v2", 2, XATTR_CREATE));
	EXPECT_EQ(EEXIST, errno);
	ASSERT_EQ(0, setxattr(mp("tree/a"), "user.k", "v2", 2, XATTR_REPLACE));
	ASSERT_EQ(2, getxattr(bp("a"), "user.k", buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "v2", 2));
	ASSERT_EQ(0, setxattr(mp("tree/a"), "trusted.k", "t", 1, 0));
	ASSERT_EQ(1, getxattr(bp("a"), "trusted.k", buf, sizeof(buf)));
	EXPECT_EQ(EPERM, AS_USER(setxattr(mp("tree/a"), "trusted.k", "u", 1, 0)));
	EXPECT_EQ(EACCES, AS_USER(setxattr(mp("tree/a"), "user.k", "u", 1, 0)));
	EXPECT_EQ(0, AS_USER(listxattr(mp("tree/a"), buf, sizeof(buf)) < 0 ||
			     memmem(buf, sizeof(buf), "trusted.", 8)));
	ASSERT_EQ(0, removexattr(mp("tree/a"), "user.k"));
	ASSERT_EQ(-1, getxattr(bp("a"), "user.k", buf, sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, fallocate_modes)
{
	static char data[8192];
	struct stat st;
	int fd;

	fd = open(mp("tree/falloc"), O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fallocate(fd, 0, 0, 65536));
	/* written data, so that the hole punched below is a hole */
	ASSERT_EQ(8192, pwrite(fd, data, sizeof(data), 0));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(65536, st.st_size);
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_KEEP_SIZE, 65536, 65536));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(65536, st.st_size);
	ASSERT_EQ(0, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			       0, 4096));
	EXPECT_EQ(4096, lseek(fd, 0, SEEK_DATA));
	close(fd);
	ASSERT_EQ(0, stat(bp("falloc"), &st));
	EXPECT_EQ(65536, st.st_size);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, copy_file_range_between_passthrough_files)
{
	char buf[16];
	int in, out;

	in = open(mp("tree/a"), O_RDONLY);
	out = open(mp("tree/copy"), O_WRONLY | O_CREAT, 0644);
	ASSERT_LE(0, in);
	ASSERT_LE(0, out);
	ASSERT_EQ(6, copy_file_range(in, NULL, out, NULL, 6, 0));
	close(in);
	close(out);
	ASSERT_EQ(6, get_file(bp("copy"), buf, sizeof(buf)));
	EXPECT_STREQ("alpha\n", buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, flock_is_seen_on_the_backing_file)
{
	int fd, bfd;

	fd = open(mp("tree/a"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, flock(fd, LOCK_EX));
	bfd = open(bp("a"), O_RDONLY);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(-1, flock(bfd, LOCK_EX | LOCK_NB));
	EXPECT_EQ(EWOULDBLOCK, errno);
	ASSERT_EQ(0, flock(fd, LOCK_UN));
	ASSERT_EQ(0, flock(bfd, LOCK_EX | LOCK_NB));
	close(bfd);
	close(fd);
	ASSERT_NO_REQUESTS();
}

/* F_GETLK on the backing file from another process: the lock's type */
static int backing_lock_type(const char *path)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd, status;
	pid_t pid;

	pid = fork();
	if (!pid) {
		fd = open(path, O_RDWR);
		if (fd < 0 || fcntl(fd, F_GETLK, &fl))
			_exit(255);
		_exit(fl.l_type);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

TEST_F(mut, posix_locks_are_seen_and_dropped_on_close)
{
	struct flock fl = {
		.l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 10,
	};
	int fd, fd2;

	fd = open(mp("tree/a"), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETLK, &fl));
	EXPECT_EQ(F_WRLCK, backing_lock_type(bp("a")));
	/* any close by the owner drops its POSIX locks */
	fd2 = open(mp("tree/a"), O_RDONLY);
	ASSERT_LE(0, fd2);
	close(fd2);
	EXPECT_EQ(F_UNLCK, backing_lock_type(bp("a")));
	close(fd);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, ofd_locks_are_seen_and_dropped_on_release)
{
	struct flock fl = {
		.l_type = F_RDLCK, .l_whence = SEEK_SET, .l_len = 10,
	};
	int fd;

	fd = open(mp("tree/a"), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_OFD_SETLK, &fl));
	EXPECT_EQ(F_RDLCK, backing_lock_type(bp("a")));
	close(fd);
	EXPECT_EQ(F_UNLCK, backing_lock_type(bp("a")));
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, fadvise_and_readahead)
{
	int fd = open(mp("tree/a"), O_RDONLY);

	ASSERT_LE(0, fd);
	EXPECT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_WILLNEED));
	EXPECT_EQ(0, posix_fadvise(fd, 0, 0, POSIX_FADV_DONTNEED));
	close(fd);
	ASSERT_NO_REQUESTS();
}

/* The steps of the build-and-teardown scenario, relative to base */
static int build_tree(const char *base)
{
	static const char * const dirs[] = {
		"src", "src/lib", "src/bin", "obj", "obj/lib",
	};
	char p[PATH_MAX], q[PATH_MAX], data[64];
	unsigned int i;
	int fd;

	for (i = 0; i < ARRAY_SIZE(dirs); i++) {
		snprintf(p, sizeof(p), "%s/%s", base, dirs[i]);
		if (mkdir(p, 0755))
			return -1;
	}
	for (i = 0; i < 40; i++) {
		snprintf(p, sizeof(p), "%s/src/%s/f%02u.c", base,
			 i % 2 ? "lib" : "bin", i);
		snprintf(data, sizeof(data), "int f%u(void) { return %u; }\n",
			 i, i * 7);
		if (put_file(p, data, 0644))
			return -1;
		snprintf(q, sizeof(q), "%s/obj/lib/f%02u.o", base, i);
		if (put_file(q, data, 0600))
			return -1;
		if (i % 5 == 0 && unlink(q))
			return -1;
	}
	snprintf(p, sizeof(p), "%s/obj/lib/f01.o", base);
	snprintf(q, sizeof(q), "%s/obj/lib/renamed.o", base);
	if (rename(p, q))
		return -1;
	snprintf(p, sizeof(p), "%s/src/lib/f03.c", base);
	snprintf(q, sizeof(q), "%s/src/bin/hard.c", base);
	if (link(p, q))
		return -1;
	snprintf(p, sizeof(p), "%s/obj/latest", base);
	if (symlink("lib/renamed.o", p))
		return -1;
	snprintf(p, sizeof(p), "%s/obj/lib/f02.o", base);
	if (truncate(p, 3) || chmod(p, 0444))
		return -1;
	snprintf(p, sizeof(p), "%s/obj/log", base);
	fd = open(p, O_WRONLY | O_CREAT | O_APPEND, 0644);
	if (fd < 0)
		return -1;
	for (i = 0; i < 100; i++)
		if (write(fd, "line\n", 5) != 5)
			return -1;
	if (fsync(fd))
		return -1;
	return close(fd);
}

/* Compare two trees entry by entry; number of differences */
static int compare_trees(const char *a, const char *b, const char *rel)
{
	char pa[PATH_MAX], pb[PATH_MAX], da[4096], db[4096];
	struct stat sa, sb;
	struct dirent *de;
	int diff = 0;
	DIR *dir;

	snprintf(pa, sizeof(pa), "%s/%s", a, rel);
	snprintf(pb, sizeof(pb), "%s/%s", b, rel);
	if (lstat(pa, &sa) || lstat(pb, &sb))
		return 1;
	if (sa.st_mode != sb.st_mode || sa.st_nlink != sb.st_nlink ||
	    (!S_ISDIR(sa.st_mode) && sa.st_size != sb.st_size)) {
		fprintf(stderr, "# %s differs: mode %o/%o nlink %lu/%lu\n",
			rel, sa.st_mode, sb.st_mode, (unsigned long)sa.st_nlink,
			(unsigned long)sb.st_nlink);
		return 1;
	}
	if (S_ISREG(sa.st_mode)) {
		ssize_t la = get_file(pa, da, sizeof(da));
		ssize_t lb = get_file(pb, db, sizeof(db));

		return la != lb || memcmp(da, db, la > 0 ? la : 0);
	}
	if (S_ISLNK(sa.st_mode)) {
		ssize_t la = readlink(pa, da, sizeof(da));
		ssize_t lb = readlink(pb, db, sizeof(db));

		return la != lb || memcmp(da, db, la > 0 ? la : 0);
	}
	if (!S_ISDIR(sa.st_mode))
		return 0;
	dir = opendir(pa);
	if (!dir)
		return 1;
	while ((de = readdir(dir))) {
		char sub[PATH_MAX];

		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		snprintf(sub, sizeof(sub), "%s/%s", rel, de->d_name);
		diff += compare_trees(a, b, sub);
	}
	closedir(dir);
	return diff;
}

static int count_entries(const char *path)
{
	struct dirent *de;
	int n = 0;
	DIR *dir;

	dir = opendir(path);
	if (!dir)
		return -1;
	while ((de = readdir(dir)))
		n += strcmp(de->d_name, ".") && strcmp(de->d_name, "..");
	closedir(dir);
	return n;
}

TEST_F(mut, build_and_teardown_match_native)
{
	char native[PATH_MAX], cmd[2 * PATH_MAX + 32];

	snprintf(native, sizeof(native), "%s.native", self->back);
	ASSERT_EQ(0, mkdir(native, 0755));
	ASSERT_EQ(0, mkdir(mp("tree/build"), 0755));
	ASSERT_EQ(0, build_tree(native));
	ASSERT_EQ(0, build_tree(mp("tree/build")));
	/* the tree the mount made, as the backing fs sees it, and as the mount */
	EXPECT_EQ(0, compare_trees(native, bp("build"), "."));
	EXPECT_EQ(0, compare_trees(native, mp("tree/build"), "."));
	ASSERT_NO_REQUESTS();

	snprintf(cmd, sizeof(cmd), "rm -rf %s/tree/build/* %s/*",
		 ftd_mnt(self->d), native);
	ASSERT_EQ(0, system(cmd));
	EXPECT_EQ(0, count_entries(mp("tree/build")));
	EXPECT_EQ(0, count_entries(bp("build")));
	ASSERT_EQ(0, rmdir(mp("tree/build")));
	EXPECT_FALSE(exists(bp("build")));
	rmdir(native);
	ASSERT_NO_REQUESTS();
}

/* MKDIR in the server's directory: make a backing dir and hand it over */
static bool mkdir_hands_over(struct ftd *d, const struct fuse_in_header *in,
			     const void *arg, size_t arglen, void *priv)
{
	const char *name = (const char *)arg + sizeof(struct fuse_mkdir_in);
	struct fuse_entry_backing_out b = {
		.flags = FUSE_ENTRY_BACKING_SUBTREE,
	};
	const char *back = priv;
	char path[PATH_MAX];
	__u64 node;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", back, name);
	fd = mkdir(path, 0755) ? -1 : open(path, O_PATH | O_DIRECTORY);
	b.backing_id = fd < 0 ? -1 :
		ftd_backing_open(d, fd, FUSE_BACKING_INODE);
	if (fd >= 0)
		close(fd);
	node = ftd_add_dir(d, in->nodeid, name, 0755);
	if (b.backing_id <= 0 || !node) {
		ftd_reply(d, in, -EIO, NULL, 0);
		return true;
	}
	ftd_reply_entry(d, in, node, &b, sizeof(b));
	return true;
}

TEST_F(mut, server_mkdir_reply_binds_a_subtree)
{
	ftd_set_hook(self->d, FUSE_MKDIR, mkdir_hands_over, self->back);
	ASSERT_EQ(0, mkdir(mp("ddir/handed"), 0755));
	EXPECT_EQ(1, ftd_count(self->d, FUSE_MKDIR));
	ftd_log_reset(self->d);
	ASSERT_EQ(0, put_file(mp("ddir/handed/inside"), "in\n", 0644));
	EXPECT_TRUE(exists(bp("handed/inside")));
	ASSERT_NO_REQUESTS();
}

/* CREATE: make a backing file and hand it over in the reply */
static bool create_hands_over(struct ftd *d, const struct fuse_in_header *in,
			      const void *arg, size_t arglen, void *priv)
{
	const char *name = (const char *)arg + sizeof(struct fuse_create_in);
	struct {
		struct fuse_open_out open;
		struct fuse_entry_backing_out b;
	} tail = { .open.fh = 77 };
	const char *back = priv;
	char path[PATH_MAX];
	__u64 node;
	int fd;

	snprintf(path, sizeof(path), "%s/%s", back, name);
	fd = open(path, O_RDWR | O_CREAT | O_EXCL, 0644);
	tail.b.backing_id = fd < 0 ? -1 :
		ftd_backing_open(d, fd, FUSE_BACKING_INODE);
	if (fd >= 0)
		close(fd);
	node = ftd_add_file(d, in->nodeid, name, 0644, "", 0);
	if (tail.b.backing_id <= 0 || !node) {
		ftd_reply(d, in, -EIO, NULL, 0);
		return true;
	}
	ftd_reply_entry(d, in, node, &tail, sizeof(tail));
	return true;
}

TEST_F(mut, server_create_reply_binds_the_file)
{
	char buf[32];
	int fd;

	ftd_set_hook(self->d, FUSE_CREATE, create_hands_over, self->back);
	fd = open(mp("ddir/made"), O_WRONLY | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, write(fd, "made\n", 5));
	close(fd);
	ASSERT_EQ(5, get_file(bp("made"), buf, sizeof(buf)));
	EXPECT_STREQ("made\n", buf);
	EXPECT_EQ(1, ftd_count(self->d, FUSE_CREATE));
	/* the server's handle is given back at once, nothing else */
	EXPECT_EQ(1, ftd_count(self->d, FUSE_RELEASE));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_WRITE));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_FLUSH));
}

/* Bind a new node of the root as a subtree of dir; 0 or -1 */
static int add_subtree(struct ftd *d, const char *name, const char *dir)
{
	__u64 node = ftd_add_dir(d, FUSE_ROOT_ID, name, 0777);
	int id = ftd_backing_open_path(d, dir, O_PATH | O_DIRECTORY);

	if (!node || id <= 0)
		return -1;
	return ftd_set_entry_backing(d, node, id, FUSE_ENTRY_BACKING_SUBTREE);
}

TEST_F(mut, backing_errors_reach_the_caller_unchanged)
{
	char small[] = "/tmp/fdw-small.XXXXXX", ro[] = "/tmp/fdw-ro.XXXXXX";
	char name[300], buf[4096] = { 0 };
	int fd, i;

	ASSERT_NE(NULL, mkdtemp(small));
	ASSERT_NE(NULL, mkdtemp(ro));
	ASSERT_EQ(0, mount("small", small, "tmpfs", 0, "size=64k,nr_inodes=4"));
	ASSERT_EQ(0, mount("ro", ro, "tmpfs", MS_RDONLY, NULL));
	ASSERT_EQ(0, add_subtree(self->d, "small", small));
	ASSERT_EQ(0, add_subtree(self->d, "ro", ro));

	/* EROFS */
	ASSERT_EQ(-1, mkdir(mp("ro/d"), 0755));
	EXPECT_EQ(EROFS, errno);
	ASSERT_EQ(-1, open(mp("ro/f"), O_WRONLY | O_CREAT, 0644));
	EXPECT_EQ(EROFS, errno);
	/* ENAMETOOLONG */
	memset(name, 'n', sizeof(name) - 1);
	name[sizeof(name) - 1] = 0;
	ASSERT_EQ(-1, mkdir(mp2(name), 0755));
	EXPECT_EQ(ENAMETOOLONG, errno);
	/* ENOSPC for blocks, then for inodes; nothing half made is left */
	fd = open(mp("small/big"), O_WRONLY | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	for (i = 0; i < 32 && write(fd, buf, sizeof(buf)) == sizeof(buf); i++)
		;
	EXPECT_EQ(ENOSPC, errno);
	close(fd);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "small/n%d", i);
		if (mkdir(mp(name), 0755))
			break;
	}
	EXPECT_EQ(ENOSPC, errno);
	EXPECT_FALSE(exists(mp(name)));
	snprintf(name, sizeof(name), "%s/n%d", small, i);
	EXPECT_FALSE(exists(name));

	umount2(small, MNT_DETACH);
	umount2(ro, MNT_DETACH);
	rmdir(small);
	rmdir(ro);
}

TEST_F(mut, data_written_and_synced_is_in_backing_byte_for_byte)
{
	static unsigned char pattern[1 << 20], back[1 << 20];
	unsigned int i;
	int fd, bfd;

	for (i = 0; i < sizeof(pattern); i++)
		pattern[i] = (i * 2654435761u) >> 24;
	fd = open(mp("tree/pattern"), O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(sizeof(pattern), write(fd, pattern, sizeof(pattern)));
	ASSERT_EQ(0, fsync(fd));
	bfd = open(bp("pattern"), O_RDWR);
	ASSERT_LE(0, bfd);
	ASSERT_EQ(sizeof(back), pread(bfd, back, sizeof(back), 0));
	EXPECT_EQ(0, memcmp(pattern, back, sizeof(back)));
	/* and what the backing tree changes is what the caller reads */
	memset(pattern + 4096, 0xa5, 8192);
	ASSERT_EQ(8192, pwrite(bfd, pattern + 4096, 8192, 4096));
	ASSERT_EQ(sizeof(back), pread(fd, back, sizeof(back), 0));
	EXPECT_EQ(0, memcmp(pattern, back, sizeof(back)));
	close(bfd);
	close(fd);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, fileattr_ioctls_come_from_backing)
{
	int flags = 0, bflags = 0, fd, bfd;

	fd = open(mp("tree/a"), O_RDONLY);
	bfd = open(bp("a"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_LE(0, bfd);
	if (ioctl(bfd, FS_IOC_GETFLAGS, &bflags))
		SKIP(return, "backing fs has no FS_IOC_GETFLAGS");
	ASSERT_EQ(0, ioctl(fd, FS_IOC_GETFLAGS, &flags));
	EXPECT_EQ(bflags, flags);
	flags |= FS_NODUMP_FL;
	ASSERT_EQ(0, ioctl(fd, FS_IOC_SETFLAGS, &flags));
	ASSERT_EQ(0, ioctl(bfd, FS_IOC_GETFLAGS, &bflags));
	EXPECT_TRUE(bflags & FS_NODUMP_FL);
	/* the owner rule holds for the caller */
	EXPECT_EQ(EPERM, AS_USER(ioctl(fd, FS_IOC_SETFLAGS, &flags)));
	close(bfd);
	close(fd);
	ASSERT_NO_REQUESTS();
}

TEST_F(mut, copy_file_range_across_the_boundary_copies)
{
	char buf[16];
	int in, out;

	in = open(mp("ddir/dfile"), O_RDONLY);
	out = open(mp2("tree/fromserver"), O_WRONLY | O_CREAT, 0644);
	ASSERT_LE(0, in);
	ASSERT_LE(0, out);
	ASSERT_EQ(2, copy_file_range(in, NULL, out, NULL, 2, 0));
	close(in);
	close(out);
	ASSERT_EQ(2, get_file(bp("fromserver"), buf, sizeof(buf)));
	EXPECT_STREQ("d\n", buf);
	in = open(mp("tree/a"), O_RDONLY);
	out = open(mp2("ddir/dfile"), O_WRONLY);
	ASSERT_LE(0, in);
	ASSERT_LE(0, out);
	EXPECT_EQ(6, copy_file_range(in, NULL, out, NULL, 6, 0));
	close(in);
	close(out);
	EXPECT_EQ(0, ftd_count(self->d, FUSE_COPY_FILE_RANGE));
	EXPECT_EQ(0, ftd_count_nodeid(self->d, 0));
}

TEST_F(mut, posix_setlkw_waits_for_the_holder)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET, .l_len = 1 };
	int fd, status;
	pid_t pid;

	fd = open(mp("tree/a"), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, fcntl(fd, F_SETLK, &fl));
	pid = fork();
	if (!pid) {
		int cfd = open(mp("tree/a"), O_RDWR);

		/* blocks in the backing file's lock list until released */
		_exit(cfd < 0 || fcntl(cfd, F_SETLKW, &fl) ? 1 : 0);
	}
	ASSERT_LT(0, pid);
	usleep(200000);	/* let the child block: not an assertion on time */
	fl.l_type = F_UNLCK;
	ASSERT_EQ(0, fcntl(fd, F_SETLK, &fl));
	ASSERT_EQ(pid, waitpid(pid, &status, 0));
	EXPECT_TRUE(WIFEXITED(status));
	EXPECT_EQ(0, WEXITSTATUS(status));
	close(fd);
	ASSERT_NO_REQUESTS();
}

TEST_HARNESS_MAIN
