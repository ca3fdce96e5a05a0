// SPDX-License-Identifier: GPL-2.0
/*
 * Directory passthrough from libfuse (patches/libfuse): libfuse's own tests
 * of the new API, and libfuse's example/passthrough_hp with
 * --dir-passthrough over a tmpfs tree.  The requests that reach
 * passthrough_hp are counted from libfuse's debug output (--debug-fuse
 * prints one "opcode:" line per request it reads).
 *
 * The patched libfuse is the one `make libfuse` builds (LIBFUSE_BUILD,
 * or the environment variable of the same name).
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../kselftest_harness.h"
#include "fuse_test_util.h"

#ifndef LIBFUSE_BUILD
#define LIBFUSE_BUILD ""
#endif

/* "<libfuse build>/<rel>", or NULL when it is not there */
static const char *libfuse_file(char *buf, size_t size, const char *rel)
{
	const char *dir = getenv("LIBFUSE_BUILD") ?: LIBFUSE_BUILD;

	snprintf(buf, size, "%s/%s", dir, rel);
	return *dir && !access(buf, X_OK) ? buf : NULL;
}

FIXTURE(hp) {
	char bin[PATH_MAX];
	char src[64], mnt[64], logdir[64], log[80];
	char path[PATH_MAX];
	pid_t pid;
};

#define MP(rel)	({ snprintf(self->path, PATH_MAX, "%s/%s", self->mnt, rel); \
		   self->path; })
#define SP(rel)	({ snprintf(self->path, PATH_MAX, "%s/%s", self->src, rel); \
		   self->path; })

FIXTURE_SETUP(hp)
{
	self->pid = 0;
	if (!libfuse_file(self->bin, sizeof(self->bin),
			  "example/passthrough_hp"))
		SKIP(return, "no patched libfuse build (make libfuse)");
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	snprintf(self->src, sizeof(self->src), "/tmp/flf-src.XXXXXX");
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/flf-mnt.XXXXXX");
	snprintf(self->logdir, sizeof(self->logdir), "/tmp/flf-log.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->src));
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	ASSERT_NE(NULL, mkdtemp(self->logdir));
	snprintf(self->log, sizeof(self->log), "%s/log", self->logdir);
	ASSERT_EQ(0, mount("tmpfs", self->src, "tmpfs", 0, NULL));
	ASSERT_EQ(0, put_file(SP("file"), "file content\n", 0644));
	ASSERT_EQ(0, mkdir(SP("dir"), 0755));
	ASSERT_EQ(0, put_file(SP("dir/file"), "dir file\n", 0640));
	ASSERT_EQ(0, mkdir(SP("dir/sub"), 0700));
	ASSERT_EQ(0, put_file(SP("dir/sub/deep"), "deep content\n", 0600));
}

FIXTURE_TEARDOWN(hp)
{
	char cmd[256];

	if (self->pid) {
		kill(self->pid, SIGTERM);
		waitpid(self->pid, NULL, 0);
	}
	umount2(self->mnt, MNT_DETACH);
	umount2(self->src, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s %s", self->src, self->mnt,
		 self->logdir);
	if (system(cmd))
		TH_LOG("could not clean up");
}

/* Start passthrough_hp; true once its mount answers */
static bool start(FIXTURE_DATA(hp) * self, bool dir_passthrough)
{
	char *argv[8] = { self->bin, "--debug-fuse", "--nosplice" };
	struct stat top, st;
	int fd, i, n = 3;

	if (dir_passthrough)
		argv[n++] = "--dir-passthrough";
	argv[n++] = self->src;
	argv[n++] = self->mnt;
	fd = open(self->log, O_WRONLY | O_CREAT | O_APPEND, 0600);
	if (fd < 0 || stat(self->mnt, &top))
		return false;
	self->pid = fork();
	if (!self->pid) {
		dup2(fd, 1);
		dup2(fd, 2);
		execv(self->bin, argv);
		_exit(127);
	}
	close(fd);
	/* the mount appears, and a stat of its root waits for INIT */
	for (i = 0; i < 6000; i++) {
		if (!stat(self->mnt, &st) && st.st_dev != top.st_dev)
			return true;
		if (waitpid(self->pid, NULL, WNOHANG) == self->pid) {
			self->pid = 0;
			return false;
		}
		usleep(10000);
	}
	return false;
}

/* Requests passthrough_hp read so far ("opcode: NAME" lines; NULL: all) */
static int requests(FIXTURE_DATA(hp) * self, const char *name)
{
	char line[512], want[64];
	FILE *f = fopen(self->log, "r");
	int n = 0;

	if (!f)
		return -1;
	snprintf(want, sizeof(want), "opcode: %s ", name ?: "");
	while (fgets(line, sizeof(line), f))
		n += !!strstr(line, name ? want : "opcode: ");
	fclose(f);
	return n;
}

/* The same file through the mount (at dirfd) and in the source */
static void same_file(FIXTURE_DATA(hp) * self, struct __test_metadata *_metadata,
		      int dirfd, const char *rel, const char *src_rel)
{
	struct stat a, b;

	ASSERT_EQ(0, fstatat(dirfd, rel, &a, AT_SYMLINK_NOFOLLOW));
	ASSERT_EQ(0, lstat(SP(src_rel), &b));
	EXPECT_EQ(b.st_mode, a.st_mode);
	EXPECT_EQ(b.st_uid, a.st_uid);
	EXPECT_EQ(b.st_gid, a.st_gid);
	EXPECT_EQ(b.st_size, a.st_size);
	EXPECT_EQ(b.st_nlink, a.st_nlink);
}

/*
 * Below the subtree root dir/: stats, reads, creates, renames, unlinks,
 * mkdir, rmdir and readdir, by *at() calls on a descriptor of dir/, each
 * checked against the source tree.
 */
static void workload(FIXTURE_DATA(hp) * self, struct __test_metadata *_metadata,
		     int dirfd)
{
	char buf[64];
	int fd;

	same_file(self, _metadata, dirfd, "file", "dir/file");
	same_file(self, _metadata, dirfd, "sub", "dir/sub");
	same_file(self, _metadata, dirfd, "sub/deep", "dir/sub/deep");

	fd = openat(dirfd, "sub/deep", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(13, read(fd, buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "deep content\n", 13));
	close(fd);

	fd = openat(dirfd, "new", O_WRONLY | O_CREAT | O_EXCL, 0640);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "new\n", 4));
	close(fd);
	same_file(self, _metadata, dirfd, "new", "dir/new");
	ASSERT_EQ(0, renameat(dirfd, "new", dirfd, "sub/moved"));
	ASSERT_EQ(4, get_file(SP("dir/sub/moved"), buf, sizeof(buf)));
	ASSERT_EQ(0, unlinkat(dirfd, "sub/moved", 0));
	EXPECT_FALSE(exists(SP("dir/sub/moved")));

	ASSERT_EQ(0, mkdirat(dirfd, "made", 0750));
	same_file(self, _metadata, dirfd, "made", "dir/made");
	ASSERT_EQ(0, unlinkat(dirfd, "made", AT_REMOVEDIR));
	EXPECT_FALSE(exists(SP("dir/made")));
}

TEST_F(hp, dir_passthrough_serves_nothing_below_a_subtree_root)
{
	int dirfd, before;

	ASSERT_TRUE(start(self, true));
	dirfd = open(MP("dir"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dirfd);
	before = requests(self, NULL);
	ASSERT_LT(0, before);
	EXPECT_EQ(1, requests(self, "LOOKUP"));

	workload(self, _metadata, dirfd);
	EXPECT_EQ(before, requests(self, NULL));
	EXPECT_EQ(0, requests(self, "OPENDIR"));
	close(dirfd);
}

/* The same workload without the option: the requests are seen */
TEST_F(hp, without_dir_passthrough_the_server_serves_the_subtree)
{
	int dirfd, before;

	ASSERT_TRUE(start(self, false));
	dirfd = open(MP("dir"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dirfd);
	before = requests(self, NULL);
	workload(self, _metadata, dirfd);
	close(dirfd);
	EXPECT_LT(before, requests(self, NULL));
	EXPECT_LT(0, requests(self, "CREATE"));
	EXPECT_LT(0, requests(self, "RENAME"));
}

/*
 * Entries of the root: a file bound on its own is opened and read without
 * requests; a file created in the root is bound by the create reply.
 */
TEST_F(hp, dir_passthrough_binds_the_files_of_the_root)
{
	char buf[64];

	ASSERT_TRUE(start(self, true));
	ASSERT_EQ(13, get_file(MP("file"), buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "file content\n", 13));
	EXPECT_EQ(1, requests(self, "LOOKUP"));
	EXPECT_EQ(0, requests(self, "OPEN"));
	EXPECT_EQ(0, requests(self, "READ"));

	ASSERT_EQ(0, put_file(MP("created"), "created\n", 0600));
	EXPECT_EQ(1, requests(self, "CREATE"));
	EXPECT_EQ(0, requests(self, "WRITE"));
	EXPECT_EQ(8, get_file(SP("created"), buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, "created\n", 8));
	EXPECT_EQ(0, unlink(MP("created")));
	EXPECT_FALSE(exists(SP("created")));
}

/* Run a libfuse test program; its exit status */
static int run(const char *bin, const char *arg1, const char *arg2)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		int null = open("/dev/null", O_WRONLY);

		dup2(null, 1);
		dup2(null, 2);
		execl(bin, bin, arg1, arg2, (char *)NULL);
		_exit(127);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* libfuse's own tests of the new API (test/, as test_ctests.py runs them) */
TEST(libfuse_test_want_conversion)
{
	char bin[PATH_MAX];

	if (!libfuse_file(bin, sizeof(bin), "test/test_want_conversion"))
		SKIP(return, "no patched libfuse build (make libfuse)");
	EXPECT_EQ(0, run(bin, NULL, NULL));
}

TEST(libfuse_test_passthrough_dir)
{
	char bin[PATH_MAX], dir[] = "/tmp/flf-tpd.XXXXXX", b[64], m[64];
	char cmd[64];

	if (!libfuse_file(bin, sizeof(bin), "test/test_passthrough_dir"))
		SKIP(return, "no patched libfuse build (make libfuse)");
	ASSERT_NE(NULL, mkdtemp(dir));
	ASSERT_EQ(0, mount("tmpfs", dir, "tmpfs", 0, NULL));
	snprintf(b, sizeof(b), "%s/backing", dir);
	snprintf(m, sizeof(m), "%s/mnt", dir);
	ASSERT_EQ(0, mkdir(b, 0755));
	ASSERT_EQ(0, mkdir(m, 0755));
	/* 77 would be a skip: the kernel did not offer the capability */
	EXPECT_EQ(0, run(bin, b, m));
	umount2(m, MNT_DETACH);
	umount2(dir, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rmdir %s", dir);
	EXPECT_EQ(0, system(cmd));
}

TEST_HARNESS_MAIN
