// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuse/fuse-passthrough, the server users run: its three modes, the
 * Android-style policy, its request counters, its clean unmount and its
 * errors for bad arguments.  The binary is expected next to this test.
 */
#define _GNU_SOURCE
#include <errno.h>
#include <fcntl.h>
#include <libgen.h>
#include <limits.h>
#include <sched.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/wait.h>

#include "../../kselftest_harness.h"
#include "fuse_test_util.h"

FIXTURE(daemon) {
	char bin[PATH_MAX + 32];
	char src[64], mnt[64];
	char path[PATH_MAX];
	char out[16384];	/* what the server printed */
	pid_t pid;
	int out_fd;
};

/* Append what the server printed so far to self->out, until it has want */
static bool collect(int fd, char *out, size_t size, const char *want)
{
	size_t len = strlen(out);
	ssize_t n;

	while (!want || !strstr(out, want)) {
		if (len + 1 >= size)
			return false;
		n = read(fd, out + len, size - len - 1);
		if (n <= 0)
			return !want;
		len += n;
		out[len] = 0;
	}
	return true;
}

/* Start the server with args (NULL-terminated); true once it has mounted */
static bool start(FIXTURE_DATA(daemon) * self, const char *mode,
		  const char *extra1, const char *extra2)
{
	char *argv[8];
	int p[2], i = 0;

	if (pipe(p))
		return false;
	argv[i++] = self->bin;
	argv[i++] = (char *)mode;
	if (extra1)
		argv[i++] = (char *)extra1;
	if (extra2)
		argv[i++] = (char *)extra2;
	argv[i++] = self->src;
	argv[i++] = self->mnt;
	argv[i] = NULL;
	self->out[0] = 0;
	self->pid = fork();
	if (!self->pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		execv(self->bin, argv);
		_exit(127);
	}
	close(p[1]);
	self->out_fd = p[0];
	return self->pid > 0 &&
		collect(p[0], self->out, sizeof(self->out), "mounted on");
}

/* SIGTERM; the exit status, with all the output collected */
static int stop(FIXTURE_DATA(daemon) * self)
{
	int status;

	kill(self->pid, SIGTERM);
	collect(self->out_fd, self->out, sizeof(self->out), NULL);
	close(self->out_fd);
	if (waitpid(self->pid, &status, 0) != self->pid)
		return -1;
	self->pid = 0;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * Run the server with arguments up to NULL to completion, optionally
 * without CAP_SYS_ADMIN (dropped from the bounding set, so that the exec
 * does not depend on the permissions of the directories above the test);
 * its exit status.
 */
static int run(FIXTURE_DATA(daemon) * self, bool no_sys_admin, ...)
{
	char *argv[8] = { self->bin };
	int p[2], status, i = 1;
	va_list ap;
	pid_t pid;

	va_start(ap, no_sys_admin);
	while (i < 7 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
	if (pipe(p))
		return -1;
	self->out[0] = 0;
	pid = fork();
	if (!pid) {
		dup2(p[1], 1);
		dup2(p[1], 2);
		if (no_sys_admin && prctl(PR_CAPBSET_DROP, CAP_SYS_ADMIN, 0, 0, 0))
			_exit(126);
		execv(self->bin, argv);
		_exit(127);
	}
	close(p[1]);
	collect(p[0], self->out, sizeof(self->out), NULL);
	close(p[0]);
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

#define MP(rel)	({ snprintf(self->path, PATH_MAX, "%s/%s", self->mnt, rel); \
		   self->path; })
#define SP(rel)	({ snprintf(self->path, PATH_MAX, "%s/%s", self->src, rel); \
		   self->path; })

FIXTURE_SETUP(daemon)
{
	char exe[PATH_MAX];
	ssize_t len;

	len = readlink("/proc/self/exe", exe, sizeof(exe) - 1);
	ASSERT_LT(0, len);
	exe[len] = 0;
	snprintf(self->bin, sizeof(self->bin), "%s/fuse-passthrough",
		 dirname(exe));
	if (access(self->bin, X_OK))
		SKIP(return, "fuse-passthrough is not next to this test");
	ASSERT_EQ(0, unshare(CLONE_NEWNS));
	ASSERT_EQ(0, mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL));
	snprintf(self->src, sizeof(self->src), "/tmp/fdm-src.XXXXXX");
	snprintf(self->mnt, sizeof(self->mnt), "/tmp/fdm-mnt.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->src));
	ASSERT_NE(NULL, mkdtemp(self->mnt));
	ASSERT_EQ(0, mkdir(SP("dir"), 0755));
	ASSERT_EQ(0, put_file(SP("dir/file"), "file content\n", 0644));
	ASSERT_EQ(0, mkdir(SP("keep"), 0755));
	ASSERT_EQ(0, put_file(SP("keep/kept"), "kept\n", 0644));
	ASSERT_EQ(0, put_file(SP(".secret"), "hidden\n", 0644));
	self->pid = 0;
}

FIXTURE_TEARDOWN(daemon)
{
	char cmd[256];

	if (self->pid)
		stop(self);
	umount2(self->mnt, MNT_DETACH);
	snprintf(cmd, sizeof(cmd), "rm -rf %s %s", self->src, self->mnt);
	if (system(cmd))
		TH_LOG("could not clean up");
}

/* A few operations through the mount: read, create, mkdir, rename, unlink */
static void workload(FIXTURE_DATA(daemon) * self,
		     struct __test_metadata *_metadata)
{
	char buf[PATH_MAX];

	ASSERT_EQ(13, get_file(MP("dir/file"), buf, sizeof(buf)));
	ASSERT_EQ(0, put_file(MP("dir/new"), "new\n", 0644));
	ASSERT_EQ(0, mkdir(MP("dir/sub"), 0755));
	snprintf(buf, sizeof(buf), "%s/dir/sub/moved", self->mnt);
	ASSERT_EQ(0, rename(MP("dir/new"), buf));
	ASSERT_EQ(0, unlink(buf));
	ASSERT_EQ(0, rmdir(MP("dir/sub")));
	ASSERT_EQ(-1, access(SP("dir/sub"), F_OK));
}

TEST_F(daemon, mode_none_serves_everything)
{
	ASSERT_TRUE(start(self, "--mode=none", NULL, NULL));
	workload(self, _metadata);
	ASSERT_EQ(0, stop(self));
	EXPECT_NE(NULL, strstr(self->out, "READ="));
	EXPECT_NE(NULL, strstr(self->out, "CREATE="));
	EXPECT_NE(NULL, strstr(self->out, "RENAME"));
	EXPECT_NE(NULL, strstr(self->out, "total="));
	/* unmounted on SIGTERM */
	EXPECT_EQ(-1, access(MP("dir"), F_OK));
}

TEST_F(daemon, mode_file_passes_data_through)
{
	ASSERT_TRUE(start(self, "--mode=file", NULL, NULL));
	workload(self, _metadata);
	ASSERT_EQ(0, stop(self));
	EXPECT_NE(NULL, strstr(self->out, "OPEN="));
	EXPECT_EQ(NULL, strstr(self->out, " READ="));
	EXPECT_EQ(NULL, strstr(self->out, " WRITE="));
}

TEST_F(daemon, mode_dir_without_policy_binds_the_root)
{
	ASSERT_TRUE(start(self, "--mode=dir", NULL, NULL));
	workload(self, _metadata);
	ASSERT_EQ(0, access(MP(".secret"), F_OK));
	ASSERT_EQ(0, stop(self));
	EXPECT_NE(NULL, strstr(self->out, "root bound"));
	/* after INIT, nothing at all reached the server */
	EXPECT_NE(NULL, strstr(self->out, "requests: INIT=1 total=1\n"));
}

TEST_F(daemon, mode_dir_serves_nothing_below_the_root)
{
	/* entries of the root stay valid for the whole test */
	ASSERT_TRUE(start(self, "--mode=dir", "--timeout=3600",
			  "--server-root"));
	workload(self, _metadata);
	ASSERT_EQ(0, stop(self));
	/* the root's entry "dir" was looked up, nothing else reached it */
	EXPECT_EQ(NULL, strstr(self->out, "OPEN="));
	EXPECT_EQ(NULL, strstr(self->out, "CREATE="));
	EXPECT_EQ(NULL, strstr(self->out, "MKDIR="));
	EXPECT_EQ(NULL, strstr(self->out, "RENAME"));
	EXPECT_EQ(NULL, strstr(self->out, "UNLINK="));
	EXPECT_NE(NULL, strstr(self->out, "LOOKUP=1 "));
}

TEST_F(daemon, daemon_path_and_hide_policy)
{
	char buf[64];

	ASSERT_TRUE(start(self, "--daemon-path=keep", "--hide=.s*", NULL));
	ASSERT_EQ(-1, access(MP(".secret"), F_OK));
	EXPECT_EQ(ENOENT, errno);
	ASSERT_EQ(5, get_file(MP("keep/kept"), buf, sizeof(buf)));
	ASSERT_EQ(13, get_file(MP("dir/file"), buf, sizeof(buf)));
	ASSERT_EQ(0, stop(self));
	/* keep/ is served by the server, dir/ is passed through */
	EXPECT_NE(NULL, strstr(self->out, "OPEN=1 "));
	EXPECT_NE(NULL, strstr(self->out, "READ="));
}

TEST_F(daemon, sigusr1_prints_the_counters)
{
	ASSERT_TRUE(start(self, "--mode=none", NULL, NULL));
	ASSERT_EQ(0, access(MP("dir/file"), R_OK));
	kill(self->pid, SIGUSR1);
	ASSERT_TRUE(collect(self->out_fd, self->out, sizeof(self->out),
			    "total="));
	EXPECT_NE(NULL, strstr(self->out, "LOOKUP="));
	EXPECT_EQ(0, access(MP("dir/file"), R_OK));
	ASSERT_EQ(0, stop(self));
}

TEST_F(daemon, bad_arguments_are_explained)
{
	EXPECT_EQ(1, run(self, false, self->src, NULL));
	EXPECT_NE(NULL, strstr(self->out, "missing MOUNTPOINT"));
	EXPECT_EQ(1, run(self, false, self->src, SP("dir/file"), NULL));
	EXPECT_NE(NULL, strstr(self->out, "not a directory"));
	EXPECT_EQ(1, run(self, false, "--mode=fast", self->src, self->mnt,
			 NULL));
	EXPECT_NE(NULL, strstr(self->out, "unknown mode"));
	EXPECT_EQ(1, run(self, true, self->src, self->mnt, NULL));
	EXPECT_NE(NULL, strstr(self->out, "CAP_SYS_ADMIN"));
	EXPECT_NE(NULL, strstr(self->out, "--mode=none"));
}

TEST_HARNESS_MAIN
