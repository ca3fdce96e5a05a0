// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuse/fuse-passthrough, the server users run: its three modes, the
 * Android-style policy, its request counters, its clean unmount and its
 * errors for bad arguments; and what it serves itself compared with the
 * backing filesystem (xattrs, O_TMPFILE, device nodes with --dev).  The
 * binary is expected next to this test.
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
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <linux/capability.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "../../kselftest_harness.h"
#include "fuse_test_util.h"

/*
 * The results of a sequence of steps, natively or through the mount: each
 * step's return value or -errno, and the bytes it read.
 */
#define MAX_STEPS	48

struct steps {
	int n;
	long ret[MAX_STEPS];
	char data[MAX_STEPS][128];
};

FIXTURE(daemon) {
	char bin[PATH_MAX + 32];
	char src[64], mnt[64];
	char path[PATH_MAX];
	char out[16384];	/* what the server printed */
	struct steps *res;	/* [0] native, [1] through the mount; shared */
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

/* Start the server with args (up to NULL); true once it has mounted */
static bool start(FIXTURE_DATA(daemon) * self, const char *mode, ...)
{
	char *argv[12];
	int p[2], i = 0;
	va_list ap;

	if (pipe(p))
		return false;
	argv[i++] = self->bin;
	argv[i++] = (char *)mode;
	va_start(ap, mode);
	while (i < 9 && (argv[i] = va_arg(ap, char *)))
		i++;
	va_end(ap);
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
	self->res = mmap(NULL, 2 * sizeof(struct steps),
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	ASSERT_NE(MAP_FAILED, self->res);
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
	if (self->res != MAP_FAILED)
		munmap(self->res, 2 * sizeof(struct steps));
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
	ASSERT_TRUE(start(self, "--mode=none", NULL));
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
	ASSERT_TRUE(start(self, "--mode=file", NULL));
	workload(self, _metadata);
	ASSERT_EQ(0, stop(self));
	EXPECT_NE(NULL, strstr(self->out, "OPEN="));
	EXPECT_EQ(NULL, strstr(self->out, " READ="));
	EXPECT_EQ(NULL, strstr(self->out, " WRITE="));
}

TEST_F(daemon, mode_dir_without_policy_binds_the_root)
{
	ASSERT_TRUE(start(self, "--mode=dir", NULL));
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
			  "--server-root", NULL));
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
	ASSERT_TRUE(start(self, "--mode=none", NULL));
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

/* Record a step: ret, or -errno when it is negative; len bytes of data */
static void step(struct steps *s, long ret, const void *data, long len)
{
	int i = s->n;

	if (i >= MAX_STEPS)
		return;
	s->ret[i] = ret < 0 ? -errno : ret;
	memset(s->data[i], 0, sizeof(s->data[i]));
	if (data && len > 0)
		memcpy(s->data[i], data, len < 128 ? len : 128);
	s->n++;
}

/* ret of a call that returns a length of data read into buf */
#define STEP_READ(s, buf, call) ({ long __r = (call);			\
	step(s, __r, buf, __r); })
#define STEP(s, call)	step(s, (call), NULL, 0)

/* A sequence of steps on path; back is the backing path of the object */
typedef void (*steps_fn)(struct steps *s, const char *path, const char *back);

/* Run fn in a child as root or as USER_ID, its results in *s; 0 or -1 */
static int run_steps(struct steps *s, bool as_user, steps_fn fn,
		     const char *path, const char *back)
{
	int status;
	pid_t pid;

	memset(s, 0, sizeof(*s));
	pid = fork();
	if (!pid) {
		if (as_user && (setgroups(0, NULL) || setgid(GROUP_ID) ||
				setuid(USER_ID)))
			_exit(1);
		fn(s, path, back);
		_exit(0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) ? -1 : 0;
}

/*
 * fn natively on nat and through the mount on mnt (backing path back),
 * as root or as USER_ID: the same results, step by step.
 */
static void compare(struct __test_metadata *_metadata,
		    FIXTURE_DATA(daemon) * self, const char *what, bool as_user,
		    steps_fn fn, const char *nat, const char *mnt,
		    const char *back)
{
	struct steps *n = &self->res[0], *m = &self->res[1];
	int i;

	ASSERT_EQ(0, run_steps(n, as_user, fn, nat, nat));
	ASSERT_EQ(0, run_steps(m, as_user, fn, mnt, back));
	ASSERT_EQ(n->n, m->n) TH_LOG("%s", what);
	for (i = 0; i < n->n; i++) {
		EXPECT_EQ(n->ret[i], m->ret[i])
			TH_LOG("%s%s: step %d: native %ld (%s), mount %ld (%s)",
			       what, as_user ? " as user" : "", i, n->ret[i],
			       n->ret[i] < 0 ? strerror(-n->ret[i]) : "ok",
			       m->ret[i],
			       m->ret[i] < 0 ? strerror(-m->ret[i]) : "ok");
		EXPECT_EQ(0, memcmp(n->data[i], m->data[i], sizeof(n->data[i])))
			TH_LOG("%s%s: step %d: data '%.128s', mount '%.128s'",
			       what, as_user ? " as user" : "", i, n->data[i],
			       m->data[i]);
	}
}

/* Both paths of rel: natively (nat) and through the mount (mnt) */
static void paths(FIXTURE_DATA(daemon) * self, const char *rel, char *nat,
		  char *mnt)
{
	join(nat, self->src, rel);
	join(mnt, self->mnt, rel);
}

/*
 * xattrs of path; back is read after each change to see it reached the
 * backing file.
 */
static void xattr_steps(struct steps *s, const char *path, const char *back)
{
	char buf[256];

	STEP(s, lgetxattr(path, "user.fp", NULL, 0));
	STEP(s, lsetxattr(path, "user.fp", "value1", 6, XATTR_CREATE));
	STEP_READ(s, buf, lgetxattr(back, "user.fp", buf, sizeof(buf)));
	STEP(s, lsetxattr(path, "user.fp", "v2", 2, XATTR_CREATE));
	STEP(s, lsetxattr(path, "user.fp", "value-two", 9, XATTR_REPLACE));
	STEP(s, lgetxattr(path, "user.fp", NULL, 0));
	STEP(s, lgetxattr(path, "user.fp", buf, 2));
	STEP_READ(s, buf, lgetxattr(path, "user.fp", buf, sizeof(buf)));
	STEP_READ(s, buf, lgetxattr(back, "user.fp", buf, sizeof(buf)));
	STEP(s, lsetxattr(path, "user.empty", "", 0, 0));
	STEP(s, lgetxattr(path, "user.empty", buf, sizeof(buf)));
	STEP(s, llistxattr(path, NULL, 0));
	STEP(s, llistxattr(path, buf, 1));
	STEP_READ(s, buf, llistxattr(path, buf, sizeof(buf)));
	STEP_READ(s, buf, llistxattr(back, buf, sizeof(buf)));
	STEP(s, lsetxattr(path, "user.none", "x", 1, XATTR_REPLACE));
	STEP(s, lremovexattr(path, "user.none"));
	STEP(s, lremovexattr(path, "user.fp"));
	STEP(s, lremovexattr(path, "user.fp"));
	STEP(s, lgetxattr(back, "user.fp", NULL, 0));
	STEP(s, lgetxattr(path, "user.fp", buf, sizeof(buf)));
	STEP(s, lremovexattr(path, "user.empty"));
	STEP(s, lsetxattr(path, "trusted.fp", "t", 1, 0));
	STEP_READ(s, buf, lgetxattr(back, "trusted.fp", buf, sizeof(buf)));
	STEP_READ(s, buf, lgetxattr(path, "trusted.fp", buf, sizeof(buf)));
	STEP(s, lremovexattr(path, "trusted.fp"));
	STEP_READ(s, buf, llistxattr(path, buf, sizeof(buf)));
}

/* Served by the server in each configuration below */
static const struct {
	const char *args[3];
	const char *dir;	/* a directory of the server's */
} served[] = {
	{ { "--mode=none", "--allow-other" }, "dir" },
	{ { "--mode=file", "--allow-other" }, "dir" },
	{ { "--mode=dir", "--allow-other", "--daemon-path=keep" }, "keep" },
};

TEST_F(daemon, xattrs_of_server_served_nodes_match_the_backing_files)
{
	static const char * const objs[] = {
		"%s/file", "%s/mine", "%s/link", "%s", "",
	};
	char nat[PATH_MAX], mnt[PATH_MAX], rel[64], what[128];
	unsigned int c, i;

	/* the user may reach everything; "mine" is the user's */
	ASSERT_EQ(0, chmod(self->src, 0755));
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		snprintf(rel, sizeof(rel), "%s/mine", served[c].dir);
		ASSERT_EQ(0, put_file(SP(rel), "mine\n", 0644));
		ASSERT_EQ(0, chown(SP(rel), USER_ID, GROUP_ID));
		snprintf(rel, sizeof(rel), "%s/file", served[c].dir);
		ASSERT_EQ(0, put_file(SP(rel), "file\n", 0644));
		snprintf(rel, sizeof(rel), "%s/link", served[c].dir);
		if (!exists(SP(rel)))
			ASSERT_EQ(0, symlink("file", SP(rel)));
	}
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		ASSERT_TRUE(start(self, served[c].args[0], served[c].args[1],
				  served[c].args[2], NULL));
		/* a file, the user's, a symlink, their directory, the root */
		for (i = 0; i < ARRAY_SIZE(objs); i++) {
			snprintf(rel, sizeof(rel), objs[i], served[c].dir);
			paths(self, rel, nat, mnt);
			snprintf(what, sizeof(what), "%s%s%s: /%s",
				 served[c].args[0], served[c].args[2] ? " " : "",
				 served[c].args[2] ?: "", rel);
			compare(_metadata, self, what, false, xattr_steps, nat,
				mnt, nat);
			compare(_metadata, self, what, true, xattr_steps, nat,
				mnt, nat);
		}
		ASSERT_EQ(0, stop(self));
		EXPECT_NE(NULL, strstr(self->out, "SETXATTR="));
		EXPECT_NE(NULL, strstr(self->out, "REMOVEXATTR="));
	}
}

/*
 * O_TMPFILE in dir, written, linked as dir/linked with linkat() of
 * /proc/self/fd/N; back: the backing path of dir.
 */
static void tmpfile_steps(struct steps *s, const char *dir, const char *back)
{
	char path[PATH_MAX], bpath[PATH_MAX], proc[64], buf[128];
	struct stat st = { 0 };
	int fd;

	join(path, dir, "linked");
	join(bpath, back, "linked");
	fd = open(dir, O_TMPFILE | O_RDWR, 0640);
	STEP(s, fd < 0 ? -1 : 0);
	STEP(s, write(fd, "tmpfile data\n", 13));
	STEP(s, fstat(fd, &st));
	STEP(s, st.st_mode);
	STEP(s, st.st_uid);
	STEP(s, st.st_gid);
	STEP(s, st.st_nlink);
	STEP(s, st.st_size);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	STEP(s, linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW));
	STEP(s, fstat(fd, &st) ? -1 : (long)st.st_nlink);
	STEP(s, pwrite(fd, "TMP", 3, 0));
	STEP(s, close(fd));
	memset(&st, 0, sizeof(st));
	STEP(s, lstat(path, &st));
	STEP(s, st.st_mode);
	STEP(s, st.st_uid);
	STEP(s, st.st_gid);
	STEP(s, st.st_nlink);
	STEP(s, st.st_size);
	STEP_READ(s, buf, get_file(path, buf, sizeof(buf)));
	STEP_READ(s, buf, get_file(bpath, buf, sizeof(buf)));
	/* not linkable with O_EXCL */
	fd = open(dir, O_TMPFILE | O_WRONLY | O_EXCL, 0600);
	STEP(s, fd < 0 ? -1 : 0);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	join(path, dir, "excl");
	STEP(s, linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW));
	STEP(s, close(fd));
	STEP(s, open(dir, O_TMPFILE | O_RDONLY, 0600));
	join(path, dir, "linked");
	STEP(s, unlink(path));
	STEP(s, lstat(bpath, &st));
}

TEST_F(daemon, o_tmpfile_and_linkat_match_native)
{
	static const struct {
		const char *args[3];
		const char *dir;
	} cfgs[] = {
		{ { "--mode=none", "--allow-other" }, "pub" },
		{ { "--mode=file", "--allow-other" }, "pub" },
		/* the server's root (the file is bound), its daemon path */
		{ { "--mode=dir", "--allow-other", "--daemon-path=keep" }, "" },
		{ { "--mode=dir", "--allow-other", "--daemon-path=keep" },
		  "keep" },
		/* the kernel's */
		{ { "--mode=dir", "--allow-other" }, "pub" },
	};
	char nat[PATH_MAX], mnt[PATH_MAX], what[128];
	unsigned int c;

	ASSERT_EQ(0, chmod(self->src, 0777));
	ASSERT_EQ(0, chmod(SP("keep"), 0777));
	ASSERT_EQ(0, mkdir(SP("pub"), 0777));
	ASSERT_EQ(0, chmod(SP("pub"), 0777));
	for (c = 0; c < ARRAY_SIZE(cfgs); c++) {
		ASSERT_TRUE(start(self, cfgs[c].args[0], cfgs[c].args[1],
				  cfgs[c].args[2], NULL));
		paths(self, cfgs[c].dir, nat, mnt);
		snprintf(what, sizeof(what), "%s%s%s: /%s", cfgs[c].args[0],
			 cfgs[c].args[2] ? " " : "", cfgs[c].args[2] ?: "",
			 cfgs[c].dir);
		compare(_metadata, self, what, false, tmpfile_steps, nat, mnt,
			nat);
		compare(_metadata, self, what, true, tmpfile_steps, nat, mnt,
			nat);
		ASSERT_EQ(0, stop(self));
		if (strcmp(cfgs[c].args[0], "--mode=dir") ||
		    cfgs[c].args[2])
			EXPECT_NE(NULL, strstr(self->out, "TMPFILE="))
				TH_LOG("%s", what);
	}
}

/* A device node like /dev/null in dir, opened and written */
static void dev_steps(struct steps *s, const char *dir, const char *back)
{
	char path[PATH_MAX];
	struct stat st = { 0 };
	int fd;

	join(path, dir, "null");
	STEP(s, mknod(path, S_IFCHR | 0666, makedev(1, 3)));
	STEP(s, lstat(path, &st));
	STEP(s, st.st_mode);
	STEP(s, major(st.st_rdev));
	STEP(s, minor(st.st_rdev));
	fd = open(path, O_WRONLY);
	STEP(s, fd < 0 ? -1 : 0);
	STEP(s, write(fd, "data", 4));
	STEP(s, close(fd));
	STEP(s, unlink(path));
}

/* ST_NODEV and ST_NOSUID of the mount of path */
static long dev_suid_flags(const char *path)
{
	struct statvfs sv;

	if (statvfs(path, &sv))
		return -errno;
	return sv.f_flag & (ST_NODEV | ST_NOSUID);
}

TEST_F(daemon, dev_and_suid_options_match_native_mounts)
{
	static const struct {
		const char *args[2];
		unsigned long flags;	/* of a native mount that compares */
	} cfgs[] = {
		{ { NULL }, MS_NODEV | MS_NOSUID },
		{ { "--dev" }, MS_NOSUID },
		{ { "--suid" }, MS_NODEV },
		{ { "--dev", "--suid" }, 0 },
	};
	char ref[64], nat[PATH_MAX], mnt[PATH_MAX], what[64];
	unsigned int c;

	for (c = 0; c < ARRAY_SIZE(cfgs); c++) {
		snprintf(ref, sizeof(ref), "/tmp/fdm-ref.XXXXXX");
		ASSERT_NE(NULL, mkdtemp(ref));
		ASSERT_EQ(0, mount("tmpfs", ref, "tmpfs", cfgs[c].flags,
				   NULL));
		ASSERT_TRUE(start(self, "--mode=none", cfgs[c].args[0],
				  cfgs[c].args[1], NULL));
		snprintf(what, sizeof(what), "--mode=none %s %s",
			 cfgs[c].args[0] ?: "", cfgs[c].args[1] ?: "");
		EXPECT_EQ(dev_suid_flags(ref), dev_suid_flags(self->mnt))
			TH_LOG("%s", what);
		/* nodev: as a nodev mount; dev: as SOURCE itself */
		if (cfgs[c].flags & MS_NODEV)
			join(nat, ref, "");
		else
			join(nat, self->src, "");
		join(mnt, self->mnt, "");
		compare(_metadata, self, what, false, dev_steps, nat, mnt,
			self->src);
		ASSERT_EQ(0, stop(self));
		EXPECT_NE(NULL, strstr(self->out, "MKNOD="));
		umount2(ref, MNT_DETACH);
		rmdir(ref);
	}
}

TEST_HARNESS_MAIN
