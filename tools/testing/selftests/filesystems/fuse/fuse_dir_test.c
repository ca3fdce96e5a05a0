// SPDX-License-Identifier: GPL-2.0
/*
 * Directory passthrough: lookup-time binding (FUSE_PASSTHROUGH_DIR) and
 * kernel-served subtrees, read side.
 *
 * The "subtree" fixture mounts the test server with three nodes in its
 * root:
 *   tree   a directory bound with FUSE_ENTRY_BACKING_SUBTREE to a backing
 *          directory in /tmp (tmpfs)
 *   single a regular file bound on its own (no flags) to a backing file
 *   plain  a regular file the server serves itself
 * Most tests reset the request log after the first lookup of "tree" and
 * assert at the end that nothing reached the server.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/magic.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/statfs.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <grp.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"
#include "fuse_test_util.h"

static const char content_a[] = "alpha content\n";
static const char content_b[] = "bravo, one level down\n";
static const char content_single[] = "a file bound on its own\n";
static const char content_plain[] = "served by the daemon\n";

/*
 * Run fn(arg) in a child process as uid/gid 1000 (no capabilities) and
 * return what it returns (an errno value, 0 for success), or -1.
 */
static int as_user(int (*fn)(const char *), const char *arg)
{
	int status;
	pid_t pid;

	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (setgroups(0, NULL) || setgid(1000) || setuid(1000))
			_exit(255);
		_exit(fn(arg));
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static int try_read(const char *path)
{
	int fd = open(path, O_RDONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_write(const char *path)
{
	int fd = open(path, O_WRONLY);

	if (fd < 0)
		return errno;
	close(fd);
	return 0;
}

static int try_list(const char *path)
{
	DIR *dir = opendir(path);

	if (!dir)
		return errno;
	closedir(dir);
	return 0;
}

static int try_chmod(const char *path)
{
	return chmod(path, 0777) ? errno : 0;
}

FIXTURE(subtree) {
	struct ftd *d;
	char back[64];		/* backing directory of "tree" */
	char single[80];	/* backing file of "single" */
	char path[2][PATH_MAX];	/* scratch for mp()/mp2() */
	char bpath[2][PATH_MAX]; /* scratch for bp()/bp2() */
	__u64 tree, single_ino, plain;
	int tree_id, single_id;
};

/*
 * Paths below the mount point and below the backing directory of "tree";
 * mp2()/bp2() use a second buffer, for calls that take two paths.
 */
/* In tests, with self the fixture data */
#define mp(rel)		join(self->path[0], ftd_mnt(self->d), rel)
#define mp2(rel)	join(self->path[1], ftd_mnt(self->d), rel)
#define bp(rel)		join(self->bpath[0], self->back, rel)
#define bp2(rel)	join(self->bpath[1], self->back, rel)

FIXTURE_SETUP(subtree)
{
	struct ftd_opts opts;
	char buf[PATH_MAX];
	int fd;

	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/fdt-back.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->back));
	ASSERT_EQ(0, chmod(self->back, 0755));
	snprintf(self->single, sizeof(self->single), "%s.single", self->back);

	/* the backing tree */
	ASSERT_EQ(0, put_file(bp("a"), content_a, 0644));
	ASSERT_EQ(0, mkdir(bp("sub"), 0755));
	ASSERT_EQ(0, put_file(bp("sub/b"), content_b, 0644));
	ASSERT_EQ(0, symlink("a", bp("link")));
	ASSERT_EQ(0, put_file(bp("secret"), "root only\n", 0600));
	ASSERT_EQ(0, mkdir(bp("private"), 0700));
	ASSERT_EQ(0, put_file(self->single, content_single, 0644));

	ftd_opts_init(&opts);
	opts.init_flags = FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR;
	opts.max_stack_depth = 1;
	opts.allow_other = true;	/* tests act as other users too */
	/* server entries stay valid however slow the kernel: no timing */
	opts.entry_timeout_ms = 3600 * 1000;
	opts.attr_timeout_ms = 3600 * 1000;
	self->d = ftd_new(&opts);
	ASSERT_NE(NULL, self->d);
	self->tree = ftd_add_dir(self->d, FUSE_ROOT_ID, "tree", 0755);
	self->single_ino = ftd_add_file(self->d, FUSE_ROOT_ID, "single", 0644,
					content_single, strlen(content_single));
	self->plain = ftd_add_file(self->d, FUSE_ROOT_ID, "plain", 0644,
				   content_plain, strlen(content_plain));
	ASSERT_NE(0, self->tree);
	ASSERT_NE(0, self->single_ino);
	ASSERT_NE(0, self->plain);
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

	fd = open(self->single, O_RDONLY);
	ASSERT_LE(0, fd);
	self->single_id = ftd_backing_open(self->d, fd, FUSE_BACKING_INODE);
	close(fd);
	ASSERT_LT(0, self->single_id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, self->single_ino,
					   self->single_id, 0));

	/* the subtree root itself is the server's: look it up once */
	snprintf(buf, sizeof(buf), "%s/tree", ftd_mnt(self->d));
	ASSERT_EQ(0, access(buf, F_OK));
	ftd_log_reset(self->d);
}

FIXTURE_TEARDOWN(subtree)
{
	char cmd[PATH_MAX];

	ftd_destroy(self->d);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", self->back, self->single);
	if (system(cmd))
		TH_LOG("could not remove %s", self->back);
}

/* Nothing below the subtree root reached the server (uses self) */
TEST_F(subtree, stat_comes_from_backing)
{
	struct stat st, bst;

	ASSERT_EQ(0, stat(mp("tree/a"), &st));
	ASSERT_EQ(0, stat(bp("a"), &bst));
	EXPECT_EQ(bst.st_ino, st.st_ino);
	EXPECT_EQ(bst.st_mode, st.st_mode);
	EXPECT_EQ(bst.st_size, st.st_size);
	EXPECT_EQ(bst.st_nlink, st.st_nlink);
	EXPECT_EQ(bst.st_mtim.tv_sec, st.st_mtim.tv_sec);
	EXPECT_EQ(bst.st_mtim.tv_nsec, st.st_mtim.tv_nsec);
	ASSERT_EQ(0, stat(mp("tree/sub/b"), &st));
	EXPECT_EQ(strlen(content_b), st.st_size);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, statx_of_root_and_child)
{
	struct statx stx, bstx;

	ASSERT_EQ(0, statx(AT_FDCWD, mp("tree"), 0, STATX_ALL, &stx));
	ASSERT_EQ(0, statx(AT_FDCWD, self->back, 0, STATX_ALL, &bstx));
	EXPECT_EQ(bstx.stx_ino, stx.stx_ino);
	EXPECT_EQ(bstx.stx_mode, stx.stx_mode);
	ASSERT_EQ(0, statx(AT_FDCWD, mp("tree/sub"), 0, STATX_ALL, &stx));
	EXPECT_TRUE(S_ISDIR(stx.stx_mode));
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, read_file)
{
	char buf[128];

	ASSERT_EQ(strlen(content_a), get_file(mp("tree/a"), buf,
					      sizeof(buf)));
	EXPECT_STREQ(content_a, buf);
	ASSERT_EQ(strlen(content_b), get_file(mp("tree/sub/b"), buf,
					      sizeof(buf)));
	EXPECT_STREQ(content_b, buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, write_lands_in_backing)
{
	char buf[128];

	ASSERT_EQ(0, put_file(mp("tree/a"), "new words\n", 0644));
	ASSERT_EQ(10, get_file(bp("a"), buf, sizeof(buf)));
	EXPECT_STREQ("new words\n", buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, append_and_pwrite)
{
	char buf[128];
	int fd;

	fd = open(mp("tree/sub/b"), O_WRONLY | O_APPEND);
	ASSERT_LE(0, fd);
	ASSERT_EQ(3, write(fd, "+1\n", 3));
	close(fd);
	fd = open(mp("tree/sub/b"), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(5, pwrite(fd, "BRAVO", 5, 0));
	ASSERT_EQ(0, fsync(fd));
	ASSERT_EQ(0, fdatasync(fd));
	close(fd);
	ASSERT_LT(0, get_file(bp("sub/b"), buf, sizeof(buf)));
	EXPECT_STREQ("BRAVO, one level down\n+1\n", buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, truncate_and_ftruncate)
{
	struct stat st;
	int fd;

	ASSERT_EQ(0, truncate(mp("tree/a"), 3));
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(3, st.st_size);
	fd = open(mp("tree/a"), O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, ftruncate(fd, 1000));
	ASSERT_EQ(0, fstat(fd, &st));
	EXPECT_EQ(1000, st.st_size);
	close(fd);
	fd = open(mp("tree/a"), O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	close(fd);
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(0, st.st_size);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, mmap_shared_write_reaches_backing)
{
	char buf[128];
	char *map;
	int fd;

	fd = open(mp("tree/a"), O_RDWR);
	ASSERT_LE(0, fd);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	EXPECT_EQ(0, memcmp(map, content_a, strlen(content_a)));
	memcpy(map, "ALPHA", 5);
	ASSERT_EQ(0, msync(map, 4096, MS_SYNC));
	munmap(map, 4096);
	close(fd);
	ASSERT_LT(0, get_file(bp("a"), buf, sizeof(buf)));
	EXPECT_STREQ("ALPHA content\n", buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, mmap_private_does_not_write_back)
{
	char buf[128];
	char *map;
	int fd;

	fd = open(mp("tree/a"), O_RDONLY);
	ASSERT_LE(0, fd);
	map = mmap(NULL, 4096, PROT_READ | PROT_WRITE, MAP_PRIVATE, fd, 0);
	ASSERT_NE(MAP_FAILED, map);
	memcpy(map, "XXXXX", 5);
	munmap(map, 4096);
	close(fd);
	ASSERT_LT(0, get_file(bp("a"), buf, sizeof(buf)));
	EXPECT_STREQ(content_a, buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, splice_read_and_write)
{
	char buf[128];
	int fd, p[2];

	ASSERT_EQ(0, pipe(p));
	fd = open(mp("tree/a"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(strlen(content_a), splice(fd, NULL, p[1], NULL, 4096, 0));
	close(fd);
	fd = open(mp("tree/sub/b"), O_WRONLY | O_TRUNC);
	ASSERT_LE(0, fd);
	ASSERT_EQ(strlen(content_a), splice(p[0], NULL, fd, NULL, 4096, 0));
	close(fd);
	close(p[0]);
	close(p[1]);
	ASSERT_LT(0, get_file(bp("sub/b"), buf, sizeof(buf)));
	EXPECT_STREQ(content_a, buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, lseek_data_and_hole)
{
	off_t big = 1 << 20;
	int fd;

	fd = open(bp("sparse"), O_RDWR | O_CREAT, 0644);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, pwrite(fd, "data", 4, big));
	close(fd);

	fd = open(mp("tree/sparse"), O_RDONLY);
	ASSERT_LE(0, fd);
	EXPECT_EQ(big + 4, lseek(fd, 0, SEEK_END));
	EXPECT_EQ(0, lseek(fd, 0, SEEK_HOLE));
	EXPECT_EQ(big, lseek(fd, 0, SEEK_DATA));
	EXPECT_EQ(big + 4, lseek(fd, big, SEEK_HOLE));
	EXPECT_EQ(10, lseek(fd, 10, SEEK_SET));
	EXPECT_EQ(15, lseek(fd, 5, SEEK_CUR));
	close(fd);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, readdir_lists_backing_entries)
{
	static const char * const names[] = {
		"a", "sub", "link", "secret", "private"
	};
	static const unsigned char types[] = {
		DT_REG, DT_DIR, DT_LNK, DT_REG, DT_DIR
	};
	unsigned int seen = 0, i;
	struct dirent *de;
	struct stat st;
	DIR *dir;

	dir = opendir(mp("tree"));
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, ".."))
			continue;
		for (i = 0; i < 5; i++)
			if (!strcmp(de->d_name, names[i]))
				break;
		ASSERT_LT(i, 5) TH_LOG("unexpected entry %s", de->d_name);
		EXPECT_EQ(types[i], de->d_type);
		ASSERT_EQ(0, lstat(bp(names[i]), &st));
		EXPECT_EQ(st.st_ino, de->d_ino);
		seen |= 1 << i;
	}
	closedir(dir);
	EXPECT_EQ(0x1f, seen);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, telldir_seekdir_are_stable)
{
	char first[NAME_MAX + 1], again[NAME_MAX + 1];
	struct dirent *de;
	long pos;
	DIR *dir;

	dir = opendir(mp("tree"));
	ASSERT_NE(NULL, dir);
	ASSERT_NE(NULL, readdir(dir));
	ASSERT_NE(NULL, readdir(dir));
	pos = telldir(dir);
	de = readdir(dir);
	ASSERT_NE(NULL, de);
	snprintf(first, sizeof(first), "%s", de->d_name);
	while (readdir(dir))
		;
	seekdir(dir, pos);
	de = readdir(dir);
	ASSERT_NE(NULL, de);
	snprintf(again, sizeof(again), "%s", de->d_name);
	EXPECT_STREQ(first, again);
	rewinddir(dir);
	de = readdir(dir);
	ASSERT_NE(NULL, de);
	closedir(dir);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, readlink_returns_backing_target)
{
	char buf[64];
	char data[128];

	ASSERT_EQ(1, readlink(mp("tree/link"), buf, sizeof(buf)));
	EXPECT_EQ('a', buf[0]);
	/* followed by the VFS, in the fuse namespace */
	ASSERT_EQ(strlen(content_a), get_file(mp("tree/link"), data,
					      sizeof(data)));
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, xattrs_are_the_backing_files)
{
	char buf[64], list[256];
	ssize_t len;

	if (setxattr(bp("a"), "user.color", "blue", 4, 0))
		SKIP(return, "backing fs has no user xattrs");
	ASSERT_EQ(4, getxattr(mp("tree/a"), "user.color", buf,
			      sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "blue", 4));
	len = listxattr(mp("tree/a"), list, sizeof(list));
	ASSERT_LT(0, len);
	EXPECT_NE(NULL, memmem(list, len, "user.color", 11));
	ASSERT_EQ(-1, getxattr(mp("tree/a"), "user.none", buf,
			       sizeof(buf)));
	EXPECT_EQ(ENODATA, errno);
	ASSERT_EQ(0, setxattr(mp("tree/a"), "user.size", "xl", 2, 0));
	ASSERT_EQ(2, getxattr(bp("a"), "user.size", buf, sizeof(buf)));
	ASSERT_EQ(0, removexattr(mp("tree/a"), "user.size"));
	ASSERT_EQ(-1, getxattr(bp("a"), "user.size", buf, sizeof(buf)));
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, statfs_is_backing_fs)
{
	struct statfs sf, bsf;

	ASSERT_EQ(0, statfs(mp("tree/sub"), &sf));
	ASSERT_EQ(0, statfs(self->back, &bsf));
	EXPECT_EQ(FUSE_SUPER_MAGIC, sf.f_type);
	EXPECT_EQ(bsf.f_blocks, sf.f_blocks);
	EXPECT_EQ(bsf.f_bsize, sf.f_bsize);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, unlink_in_backing_is_seen)
{
	struct stat st;

	ASSERT_EQ(0, stat(mp("tree/a"), &st));
	ASSERT_EQ(0, unlink(bp("a")));
	ASSERT_EQ(-1, stat(mp("tree/a"), &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, create_in_backing_is_seen)
{
	struct stat st;
	char buf[32];

	ASSERT_EQ(-1, stat(mp("tree/late"), &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, put_file(bp("late"), "late\n", 0644));
	ASSERT_EQ(0, stat(mp("tree/late"), &st));
	ASSERT_EQ(5, get_file(mp("tree/late"), buf, sizeof(buf)));
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, rename_in_backing_is_seen)
{
	struct stat st, bst;

	ASSERT_EQ(0, stat(mp("tree/a"), &st));
	ASSERT_EQ(0, rename(bp("a"), bp2("sub/moved")));
	ASSERT_EQ(-1, stat(mp("tree/a"), &st));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(0, stat(mp("tree/sub/moved"), &st));
	ASSERT_EQ(0, stat(bp("sub/moved"), &bst));
	EXPECT_EQ(bst.st_ino, st.st_ino);
	/* a new file at the old name is a new inode */
	ASSERT_EQ(0, put_file(bp("a"), "again\n", 0644));
	ASSERT_EQ(0, stat(mp("tree/a"), &st));
	EXPECT_NE(bst.st_ino, st.st_ino);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, chmod_and_write_in_backing_are_seen)
{
	struct stat st;
	char buf[64];

	ASSERT_EQ(0, stat(mp("tree/a"), &st));
	ASSERT_EQ(0, chmod(bp("a"), 0640));
	ASSERT_EQ(0, stat(mp("tree/a"), &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	ASSERT_EQ(0, put_file(bp("a"), "changed behind\n", 0644));
	ASSERT_EQ(15, get_file(mp("tree/a"), buf, sizeof(buf)));
	EXPECT_STREQ("changed behind\n", buf);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, hard_links_share_an_inode)
{
	struct stat st1, st2;

	ASSERT_EQ(0, link(bp("a"), bp2("sub/a2")));
	ASSERT_EQ(0, stat(mp("tree/a"), &st1));
	ASSERT_EQ(0, stat(mp("tree/sub/a2"), &st2));
	EXPECT_EQ(st1.st_ino, st2.st_ino);
	EXPECT_EQ(st1.st_dev, st2.st_dev);
	EXPECT_EQ(2, st1.st_nlink);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, chmod_through_mount)
{
	struct stat st;

	ASSERT_EQ(0, chmod(mp("tree/a"), 0600));
	ASSERT_EQ(0, stat(bp("a"), &st));
	EXPECT_EQ(S_IFREG | 0600, st.st_mode);
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, caller_is_checked_against_mode_bits)
{
	/* the server (root) could do all of this; uid 1000 may not */
	EXPECT_EQ(0, as_user(try_read, mp("tree/a")));
	EXPECT_EQ(EACCES, as_user(try_write, mp("tree/a")));
	EXPECT_EQ(EACCES, as_user(try_read, mp("tree/secret")));
	EXPECT_EQ(EACCES, as_user(try_list, mp("tree/private")));
	EXPECT_EQ(EPERM, as_user(try_chmod, mp("tree/a")));
	EXPECT_EQ(0, as_user(try_list, mp("tree/sub")));
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, caller_gets_access_the_mode_bits_grant)
{
	ASSERT_EQ(0, chown(bp("secret"), 1000, 1000));
	EXPECT_EQ(0, as_user(try_read, mp("tree/secret")));
	EXPECT_EQ(0, as_user(try_write, mp("tree/secret")));
	EXPECT_EQ(0, as_user(try_chmod, mp("tree/secret")));
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, rename_across_boundary_is_exdev)
{
	ASSERT_EQ(-1, rename(mp("tree/a"), mp2("moved")));
	EXPECT_EQ(EXDEV, errno);
	ASSERT_EQ(-1, link(mp("tree/a"), mp2("linked")));
	EXPECT_EQ(EXDEV, errno);
	/* nothing reached the server for the names in its directory? */
	EXPECT_EQ(0, ftd_count(self->d, FUSE_RENAME) +
		     ftd_count(self->d, FUSE_RENAME2) +
		     ftd_count(self->d, FUSE_LINK));
}

TEST_F(subtree, backing_close_while_bound_keeps_working)
{
	char buf[128];

	ASSERT_EQ(0, ftd_backing_close(self->d, self->tree_id));
	ASSERT_EQ(strlen(content_a), get_file(mp("tree/a"), buf,
					      sizeof(buf)));
	ASSERT_EQ(-ENOENT, ftd_backing_close(self->d, self->tree_id));
	ASSERT_NO_REQUESTS();
}

TEST_F(subtree, single_file_binding)
{
	struct stat st, bst;
	char buf[128];

	ASSERT_EQ(strlen(content_single), get_file(mp("single"), buf,
						   sizeof(buf)));
	EXPECT_STREQ(content_single, buf);
	ASSERT_EQ(0, stat(mp("single"), &st));
	ASSERT_EQ(0, stat(self->single, &bst));
	EXPECT_EQ(bst.st_ino, st.st_ino);
	/* the lookup is the server's, the rest is not */
	EXPECT_EQ(1, ftd_count_name(self->d, FUSE_LOOKUP, "single"));
	EXPECT_EQ(1, ftd_count_total(self->d));
}

TEST_F(subtree, daemon_served_file_coexists)
{
	char buf[128];

	ASSERT_EQ(strlen(content_plain), get_file(mp("plain"), buf,
						  sizeof(buf)));
	EXPECT_STREQ(content_plain, buf);
	EXPECT_EQ(1, ftd_count(self->d, FUSE_OPEN));
	EXPECT_LE(1, ftd_count(self->d, FUSE_READ));
}

TEST_F(subtree, namespace_nodeids_never_reach_daemon)
{
	DIR *dir;

	/* walk and read the tree: no request may carry another node id */
	dir = opendir(mp("tree/sub"));
	ASSERT_NE(NULL, dir);
	while (readdir(dir))
		;
	closedir(dir);
	EXPECT_EQ(0, access(mp("tree/sub/b"), R_OK));
	EXPECT_EQ(-1, access(mp("tree/sub/none"), F_OK));
	ASSERT_NO_REQUESTS();
	EXPECT_EQ(0, ftd_count_nodeid(self->d, 0));
}

TEST_F(subtree, posix_acl_is_read_from_backing)
{
	/* user::rw- user:1000:r-- group::r-- mask::r-- other::--- */
	static const unsigned char acl[] = {
		2, 0, 0, 0,
		0x01, 0, 0x06, 0, 0xff, 0xff, 0xff, 0xff,
		0x02, 0, 0x04, 0, 0xe8, 0x03, 0, 0,
		0x04, 0, 0x04, 0, 0xff, 0xff, 0xff, 0xff,
		0x10, 0, 0x04, 0, 0xff, 0xff, 0xff, 0xff,
		0x20, 0, 0x00, 0, 0xff, 0xff, 0xff, 0xff,
	};
	char buf[128];

	if (setxattr(bp("secret"), "system.posix_acl_access", acl, sizeof(acl),
		     0))
		SKIP(return, "backing fs has no POSIX ACLs");
	ASSERT_EQ(sizeof(acl), getxattr(mp("tree/secret"),
					"system.posix_acl_access", buf,
					sizeof(buf)));
	EXPECT_EQ(0, memcmp(acl, buf, sizeof(acl)));
	/* the named user entry grants what the mode bits alone do not */
	EXPECT_EQ(0, as_user(try_read, mp("tree/secret")));
	EXPECT_EQ(EACCES, as_user(try_write, mp("tree/secret")));
	ASSERT_NO_REQUESTS();
}

TEST_HARNESS_MAIN
