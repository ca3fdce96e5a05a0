// SPDX-License-Identifier: GPL-2.0
/*
 * tools/fuse/fuse-passthrough, the server users run: its three modes, the
 * Android-style policy, its request counters, its clean unmount and its
 * errors for bad arguments; what it serves itself compared with the
 * backing filesystem (xattrs, O_TMPFILE, device nodes with --dev, POSIX
 * ACLs and the umask); and the limits of what it does for callers with its
 * own rights (hidden names, symlinks at a created name, renames and links
 * across the policy's boundary, mounts below SOURCE).  The binary is
 * expected next to this test.
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
#include <endian.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/prctl.h>
#include <linux/capability.h>
#include <linux/posix_acl.h>
#include <linux/posix_acl_xattr.h>
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

/* The attributes compared of a file: mode, owner, link count and size */
static void step_attrs(struct steps *s, const struct stat *st)
{
	STEP(s, st->st_mode);
	STEP(s, st->st_uid);
	STEP(s, st->st_gid);
	STEP(s, st->st_nlink);
	STEP(s, st->st_size);
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
	step_attrs(s, &st);
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	STEP(s, linkat(AT_FDCWD, proc, AT_FDCWD, path, AT_SYMLINK_FOLLOW));
	STEP(s, fstat(fd, &st) ? -1 : (long)st.st_nlink);
	STEP(s, pwrite(fd, "TMP", 3, 0));
	STEP(s, close(fd));
	memset(&st, 0, sizeof(st));
	STEP(s, lstat(path, &st));
	step_attrs(s, &st);
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

/* base/dir/name in buf (PATH_MAX bytes) */
static char *in_dir(char *buf, const char *base, const char *dir,
		    const char *name)
{
	snprintf(buf, PATH_MAX, "%s/%s/%s", base, dir, name);
	return buf;
}

/* The errno of a call that returns a negative value on failure, or 0 */
static int err_of(long ret)
{
	return ret < 0 ? errno : 0;
}

/*
 * After start(), for a server expected to refuse its arguments: its exit
 * status with all it printed, or -1 if it mounted (it is stopped then).
 */
static int refused(FIXTURE_DATA(daemon) * self, bool mounted)
{
	pid_t pid = self->pid;
	int status;

	if (mounted) {
		stop(self);
		return -1;
	}
	self->pid = 0;
	close(self->out_fd);
	if (pid <= 0 || waitpid(pid, &status, 0) != pid)
		return -1;
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/* The running server's count of requests op ("LOOKUP") so far, or -1 */
static long requests(FIXTURE_DATA(daemon) * self, const char *op)
{
	char name[32], *p;

	snprintf(name, sizeof(name), " %s=", op);
	self->out[0] = 0;
	kill(self->pid, SIGUSR1);
	if (!collect(self->out_fd, self->out, sizeof(self->out), "total="))
		return -1;
	p = strstr(self->out, name);
	return p ? atol(p + strlen(name)) : 0;
}

/*
 * --filter: a directory handed to the kernel and filtered per caller by
 * fuse-passthrough-filter.bpf.o, its policy filled with bpftool as a user
 * would.  Each app sees and opens only its own directory; a hidden one
 * gives what a missing name gives; nothing reaches the server for it.
 */
TEST_F_TIMEOUT(daemon, filter_shows_each_app_its_own_directory, 300)
{
	static const char *const bpftool = BPFTOOL;
	char cmd[2048], key[512], *k;
	struct stat st;
	unsigned int i;
	struct {
		unsigned long long cookie;
		unsigned int uid;
		char name[64];
		unsigned int pad;
	} raw = { .cookie = 1, .uid = 1001, .name = "app1" };
	const unsigned char *b = (const unsigned char *)&raw;
	long before;

	ASSERT_EQ(0, chmod(self->src, 0755));
	ASSERT_EQ(0, mkdir(SP("data"), 0755));
	ASSERT_EQ(0, mkdir(SP("data/app1"), 0700));
	ASSERT_EQ(0, mkdir(SP("data/app2"), 0700));
	ASSERT_EQ(0, put_file(SP("data/app1/f"), "one\n", 0644));
	ASSERT_EQ(0, chown(SP("data/app1/f"), 1001, 1001));
	ASSERT_EQ(0, chown(SP("data/app1"), 1001, 1001));
	ASSERT_EQ(0, chown(SP("data/app2"), 1002, 1002));
	/* server entries stay valid however slow the kernel: no timing */
	ASSERT_TRUE(start(self, "--filter=data", "--allow-other",
			  "--timeout=3600", NULL));
	/* before the policy: the server's filter hides every app from apps */
	ASSERT_EQ(ENOENT, AS_USER_ID(1001, 1001, stat(MP("data/app1"), &st)));
	for (i = 0, k = key; i < sizeof(raw); i++)
		k += sprintf(k, " %02x", b[i]);
	snprintf(cmd, sizeof(cmd),
		 "%s map update name fpt_allow key hex%s value hex 01 00 00 00",
		 bpftool, key);
	ASSERT_EQ(0, system(cmd));
	before = requests(self, "LOOKUP");
	ASSERT_EQ(1, before);
	/* the own directory as natively; the other as a missing name */
	ASSERT_EQ(AS_USER_ID(1001, 1001, stat(SP("data/app1/f"), &st)),
		  AS_USER_ID(1001, 1001, stat(MP("data/app1/f"), &st)));
	ASSERT_EQ(0, AS_USER_ID(1001, 1001, stat(MP("data/app1/f"), &st)));
	ASSERT_EQ(AS_USER_ID(1001, 1001, stat(MP("data/nothere"), &st)),
		  AS_USER_ID(1001, 1001, stat(MP("data/app2"), &st)));
	ASSERT_EQ(AS_USER_ID(1001, 1001, mkdir(MP("data/nothere"), 0755)),
		  AS_USER_ID(1001, 1001, mkdir(MP("data/app2"), 0755)));
	ASSERT_EQ(ENOENT, AS_USER_ID(1002, 1002, stat(MP("data/app2"), &st)));
	/* root is not filtered by that program */
	ASSERT_EQ(0, stat(MP("data/app2"), &st));
	ASSERT_EQ(1002, st.st_uid);
	/*
	 * The kernel answered all of it: the server only sees the root's
	 * ACL asked for (GETXATTR) by the first two walks, not by each of
	 * them (the root is made before INIT enables POSIX ACLs: the first
	 * ask lets it cache them, the second caches them)
	 */
	ASSERT_EQ(before, requests(self, "LOOKUP"));
	ASSERT_EQ(0, requests(self, "MKDIR"));
	ASSERT_EQ(0, requests(self, "OPENDIR"));
	ASSERT_EQ(1, requests(self, "GETATTR"));
	ASSERT_GE(2, requests(self, "GETXATTR"));
	ASSERT_EQ(0, stop(self));
}

/* What the user tries with hidden names: a (and b) in a directory */
enum name_op {
	OPEN_CREAT, OPEN_TRUNC, MKDIR, MKFIFO, SYMLINK, LINK, RENAME, LSTAT,
};

static const struct {
	enum name_op op;
	const char *a, *b;
	int err;
} name_ops[] = {
	/* an existing hidden file, a new one, a hidden symlink */
	{ OPEN_CREAT, "x.secret", NULL, EACCES },
	{ OPEN_TRUNC, "x.secret", NULL, EACCES },
	{ OPEN_CREAT, "new.secret", NULL, EACCES },
	{ OPEN_CREAT, "lnk.secret", NULL, EACCES },
	{ MKDIR, "d.secret", NULL, EACCES },
	{ MKFIFO, "f.secret", NULL, EACCES },
	{ SYMLINK, "s.secret", NULL, EACCES },
	{ LINK, "plain", "l.secret", EACCES },
	/* over an existing hidden file, to a new hidden name */
	{ RENAME, "plain", "x.secret", EACCES },
	{ RENAME, "plain", "n.secret", EACCES },
	/* the kernel's lookup of a hidden name fails */
	{ RENAME, "x.secret", "other", ENOENT },
	{ LSTAT, "x.secret", NULL, ENOENT },
};

static const char * const name_op_names[] = {
	"open(O_CREAT)", "open(O_CREAT | O_TRUNC)", "mkdir", "mknod(S_IFIFO)",
	"symlink", "link", "rename", "lstat",
};

/* op on a (and b); its result, < 0 on failure */
static int do_name_op(enum name_op op, const char *a, const char *b)
{
	struct stat st;

	switch (op) {
	case OPEN_CREAT:
		return open(a, O_CREAT | O_RDWR, 0644);
	case OPEN_TRUNC:
		return open(a, O_CREAT | O_RDWR | O_TRUNC, 0644);
	case MKDIR:
		return mkdir(a, 0755);
	case MKFIFO:
		return mknod(a, S_IFIFO | 0644, 0);
	case SYMLINK:
		return symlink("plain", a);
	case LINK:
		return link(a, b);
	case RENAME:
		return rename(a, b);
	case LSTAT:
		return lstat(a, &st);
	}
	return -1;
}

TEST_F(daemon, hidden_names_cannot_be_created_or_renamed_over)
{
	static const struct {
		const char *args[3];
		const char *dir;	/* a directory of the server's */
	} cfgs[] = {
		{ { "--hide=*.secret", "--allow-other" }, "" },
		{ { "--hide=*.secret", "--allow-other", "--daemon-path=keep" },
		  "keep" },
	};
	/* names nothing may make */
	static const char made[][12] = {
		"new.secret", "d.secret", "f.secret", "s.secret", "l.secret",
		"n.secret", "other",
	};
	char out[64], planted[PATH_MAX], a[PATH_MAX], b[PATH_MAX];
	char buf[64], what[96];
	unsigned int c, i;
	struct stat st;
	const char *d;

	/* where a link the server followed would create a file */
	snprintf(out, sizeof(out), "/tmp/fdm-out.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(out));
	ASSERT_EQ(0, chmod(out, 0777));
	join(planted, out, "planted");
	ASSERT_EQ(0, chmod(self->src, 0777));
	ASSERT_EQ(0, chmod(SP("keep"), 0777));
	for (c = 0; c < ARRAY_SIZE(cfgs); c++) {
		d = cfgs[c].dir;
		snprintf(what, sizeof(what), "%s %s: /%s", cfgs[c].args[0],
			 cfgs[c].args[2] ?: "", d);
		/* the user's, who could change it natively */
		ASSERT_EQ(0, put_file(in_dir(a, self->src, d, "x.secret"),
				      "x secret\n", 0644));
		ASSERT_EQ(0, chown(a, USER_ID, GROUP_ID));
		ASSERT_EQ(0, put_file(in_dir(a, self->src, d, "plain"),
				      "plain\n", 0644));
		ASSERT_EQ(0, chown(a, USER_ID, GROUP_ID));
		ASSERT_EQ(0, symlink(planted,
				     in_dir(a, self->src, d, "lnk.secret")));
		ASSERT_TRUE(start(self, cfgs[c].args[0], cfgs[c].args[1],
				  cfgs[c].args[2], NULL));
		for (i = 0; i < ARRAY_SIZE(name_ops); i++) {
			in_dir(a, self->mnt, d, name_ops[i].a);
			in_dir(b, self->mnt, d, name_ops[i].b ?: "");
			EXPECT_EQ(name_ops[i].err,
				  AS_USER(do_name_op(name_ops[i].op, a, b) < 0))
				TH_LOG("%s: %s %s %s", what,
				       name_op_names[name_ops[i].op],
				       name_ops[i].a, name_ops[i].b ?: "");
		}
		ASSERT_EQ(0, stop(self));

		/* nothing changed in SOURCE */
		EXPECT_EQ(9, get_file(in_dir(a, self->src, d, "x.secret"),
				      buf, sizeof(buf))) TH_LOG("%s", what);
		EXPECT_STREQ("x secret\n", buf) TH_LOG("%s", what);
		EXPECT_EQ(6, get_file(in_dir(a, self->src, d, "plain"), buf,
				      sizeof(buf))) TH_LOG("%s", what);
		EXPECT_EQ(0, lstat(in_dir(a, self->src, d, "lnk.secret"), &st));
		EXPECT_TRUE(S_ISLNK(st.st_mode)) TH_LOG("%s", what);
		for (i = 0; i < ARRAY_SIZE(made); i++) {
			EXPECT_FALSE(exists(in_dir(a, self->src, d, made[i])))
				TH_LOG("%s: %s was made", what, made[i]);
		}
		EXPECT_FALSE(exists(planted)) TH_LOG("%s", what);
		unlink(planted);
	}
	EXPECT_EQ(7, get_file(SP(".secret"), buf, sizeof(buf)));
	unlink(planted);
	rmdir(out);
}

/* What create_covered() made, when the open succeeded */
#define MADE_THERE	200	/* the file in the caller's view */
#define MADE_ELSEWHERE	201	/* not that one */

/*
 * open(path, O_CREAT | O_WRONLY) as root, in a mount namespace of its own
 * where a tmpfs covers dir, the directory of file: the errno it failed
 * with, MADE_THERE, MADE_ELSEWHERE or -1.  A symlink to file that the
 * kernel follows names the caller's file; one the server follows, the
 * server's.
 */
static int create_covered(const char *path, const char *dir,
			  const char *file)
{
	int status, fd;
	pid_t pid;

	pid = fork();
	if (!pid) {
		if (unshare(CLONE_NEWNS) ||
		    mount(NULL, "/", NULL, MS_REC | MS_PRIVATE, NULL) ||
		    mount("tmpfs", dir, "tmpfs", 0, "mode=0755"))
			_exit(255);
		fd = open(path, O_CREAT | O_WRONLY, 0644);
		if (fd < 0)
			_exit(errno);
		_exit(exists(file) ? MADE_THERE : MADE_ELSEWHERE);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) == 255 ? -1 : WEXITSTATUS(status);
}

TEST_F(daemon, create_does_not_follow_a_symlink_at_the_name)
{
	static const char * const cfgs[][2] = {
		{ "--mode=none" }, { "--mode=file" },
		{ "--mode=dir", "--server-root" },
	};
	char out[64], planted[PATH_MAX], name[32];
	unsigned int c;
	struct stat st;
	long lookups;
	int err;

	/* a directory outside SOURCE */
	snprintf(out, sizeof(out), "/tmp/fdm-out.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(out));
	join(planted, out, "planted");
	for (c = 0; c < ARRAY_SIZE(cfgs); c++) {
		snprintf(name, sizeof(name), "late%u", c);
		/* the negative entry of name stays: CREATE without a LOOKUP */
		ASSERT_TRUE(start(self, cfgs[c][0], "--timeout=3600",
				  cfgs[c][1], NULL));
		EXPECT_EQ(-1, lstat(MP(name), &st));
		EXPECT_EQ(ENOENT, errno);
		lookups = requests(self, "LOOKUP");
		ASSERT_EQ(0, symlink(planted, SP(name)));
		err = create_covered(MP(name), out, planted);
		EXPECT_TRUE(err == EEXIST || err == ELOOP)
			TH_LOG("%s: %s", cfgs[c][0],
			       err == MADE_THERE ? "made (the link followed)" :
			       err == MADE_ELSEWHERE ? "made elsewhere" :
			       strerror(err));
		/* the server's /tmp/fdm-out.../planted */
		EXPECT_FALSE(exists(planted)) TH_LOG("%s", cfgs[c][0]);
		/* otherwise the kernel found the link and followed it */
		EXPECT_EQ(lookups, requests(self, "LOOKUP"))
			TH_LOG("%s: the negative entry was not kept",
			       cfgs[c][0]);
		ASSERT_EQ(0, stop(self));
		EXPECT_EQ(0, lstat(SP(name), &st));
		EXPECT_TRUE(S_ISLNK(st.st_mode));
		unlink(planted);
	}
	rmdir(out);
}

TEST_F(daemon, rename_and_link_across_the_policy_boundary_fail)
{
	/* in SOURCE afterwards, or not */
	static const struct {
		char name[16];
		bool there;
	} after[] = {
		{ "dir/file", true }, { "keep/kept", true }, { "newdir", true },
		{ "rootlink", true }, { "rootfile", true },
		{ "keep/moved" }, { "dir/moved" }, { "dir/l" }, { "keep/l" },
		{ "keep/newdir" }, { "keep/planted" }, { "keep/rootfile" },
	};
	char a[PATH_MAX], proc[64];
	unsigned int i;
	struct stat st;
	int fd, err;

	/* the root and keep/ are the server's; dir/ and newdir/ the kernel's */
	ASSERT_TRUE(start(self, "--daemon-path=keep", NULL));
	EXPECT_EQ(EXDEV, err_of(rename(MP("dir/file"),
				       join(a, self->mnt, "keep/moved"))));
	EXPECT_EQ(EXDEV, err_of(rename(MP("keep/kept"),
				       join(a, self->mnt, "dir/moved"))));
	EXPECT_EQ(EXDEV, err_of(link(MP("keep/kept"),
				     join(a, self->mnt, "dir/l"))));
	EXPECT_EQ(EXDEV, err_of(link(MP("dir/file"),
				     join(a, self->mnt, "keep/l"))));
	/*
	 * Between two directories of the server's, but a file of the root
	 * is bound (outside keep/): it would be a kernel-served file in keep/
	 */
	ASSERT_EQ(0, put_file(MP("rootfile"), "root file\n", 0644));
	join(a, self->mnt, "keep/rootfile");
	err = err_of(rename(MP("rootfile"), a));
	EXPECT_EQ(EXDEV, err);
	/* a subtree (a directory outside keep/) moved into keep/ */
	ASSERT_EQ(0, mkdir(MP("newdir"), 0755));
	EXPECT_EQ(EXDEV, err_of(rename(MP("newdir"),
				       join(a, self->mnt, "keep/newdir"))));
	/* an O_TMPFILE of the root: bound, as a file of the root is */
	fd = open(MP(""), O_TMPFILE | O_RDWR, 0600);
	ASSERT_LE(0, fd);
	ASSERT_EQ(4, write(fd, "tmp\n", 4));
	snprintf(proc, sizeof(proc), "/proc/self/fd/%d", fd);
	EXPECT_EQ(EXDEV, err_of(linkat(AT_FDCWD, proc, AT_FDCWD,
				       MP("keep/planted"),
				       AT_SYMLINK_FOLLOW)));
	EXPECT_EQ(0, err_of(linkat(AT_FDCWD, proc, AT_FDCWD, MP("rootlink"),
				   AT_SYMLINK_FOLLOW)));
	close(fd);
	if (!err)
		EXPECT_EQ(10, get_file(MP("keep/rootfile"), a, sizeof(a)));
	ASSERT_EQ(0, stop(self));
	/* the file was bound in the root, and may still be */
	if (!err && !strstr(self->out, " OPEN="))
		TH_LOG("note: keep/rootfile, renamed in, is served by the kernel");

	for (i = 0; i < ARRAY_SIZE(after); i++) {
		EXPECT_EQ(after[i].there, exists(SP(after[i].name)))
			TH_LOG("%s", after[i].name);
	}
	EXPECT_EQ(0, lstat(SP("dir/file"), &st));
	EXPECT_EQ(1, st.st_nlink);
	EXPECT_EQ(0, lstat(SP("keep/kept"), &st));
	EXPECT_EQ(1, st.st_nlink);
}

TEST_F(daemon, daemon_paths_are_normalized_or_refused)
{
	static const char * const same[] = {
		"--daemon-path=keep/", "--daemon-path=//keep",
	};
	static const char * const bad[] = {
		"--daemon-path=../x", "--daemon-path=a/./b",
	};
	char buf[64];
	unsigned int i;

	for (i = 0; i < ARRAY_SIZE(same); i++) {
		ASSERT_TRUE(start(self, same[i], NULL));
		EXPECT_EQ(5, get_file(MP("keep/kept"), buf, sizeof(buf)));
		EXPECT_EQ(13, get_file(MP("dir/file"), buf, sizeof(buf)));
		ASSERT_EQ(0, stop(self));
		/* keep/kept reached the server, dir/file did not */
		EXPECT_NE(NULL, strstr(self->out, " OPEN=1 "))
			TH_LOG("%s: %s", same[i], self->out);
	}
	for (i = 0; i < ARRAY_SIZE(bad); i++) {
		EXPECT_EQ(1, refused(self, start(self, bad[i], NULL)))
			TH_LOG("%s", bad[i]);
		EXPECT_NE(NULL, strstr(self->out, "--daemon-path"))
			TH_LOG("%s: %s", bad[i], self->out);
	}
}

/* The names of path's xattrs, and its trusted.t and user.u */
static void listxattr_steps(struct steps *s, const char *path,
			    const char *back)
{
	char buf[256];

	STEP(s, llistxattr(path, NULL, 0));
	STEP_READ(s, buf, llistxattr(path, buf, sizeof(buf)));
	/* "user.u" with its NUL: all of the list, or too small */
	STEP(s, llistxattr(path, buf, 7));
	STEP(s, llistxattr(path, buf, 6));
	STEP_READ(s, buf, lgetxattr(path, "trusted.t", buf, sizeof(buf)));
	STEP_READ(s, buf, lgetxattr(path, "user.u", buf, sizeof(buf)));
}

TEST_F(daemon, listxattr_shows_trusted_names_as_natively)
{
	char nat[PATH_MAX], mnt[PATH_MAX], rel[64], what[128];
	unsigned int c;

	ASSERT_EQ(0, chmod(self->src, 0755));
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		snprintf(rel, sizeof(rel), "%s/xattrs", served[c].dir);
		ASSERT_EQ(0, put_file(SP(rel), "xattrs\n", 0644));
		ASSERT_EQ(0, setxattr(SP(rel), "trusted.t", "1", 1, 0));
		ASSERT_EQ(0, setxattr(SP(rel), "user.u", "1", 1, 0));
	}
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		ASSERT_TRUE(start(self, served[c].args[0], served[c].args[1],
				  served[c].args[2], NULL));
		snprintf(rel, sizeof(rel), "%s/xattrs", served[c].dir);
		paths(self, rel, nat, mnt);
		snprintf(what, sizeof(what), "%s %s: /%s", served[c].args[0],
			 served[c].args[2] ?: "", rel);
		compare(_metadata, self, what, true, listxattr_steps, nat, mnt,
			nat);
		compare(_metadata, self, what, false, listxattr_steps, nat,
			mnt, nat);
		ASSERT_EQ(0, stop(self));
		EXPECT_NE(NULL, strstr(self->out, "LISTXATTR=")) TH_LOG("%s",
									what);
	}
}

TEST_F(daemon, suid_and_dev_are_refused_on_nosuid_and_nodev_sources)
{
	static const char * const modes[] = { "--mode=dir", "--mode=none" };
	static const char * const opts[] = { "--suid", "--dev" };
	unsigned int m, o;

	ASSERT_EQ(0, mount("tmpfs", self->src, "tmpfs", MS_NOSUID | MS_NODEV,
			   "mode=0755"));
	for (m = 0; m < ARRAY_SIZE(modes); m++) {
		for (o = 0; o < ARRAY_SIZE(opts); o++) {
			EXPECT_EQ(1, refused(self, start(self, modes[m],
							 opts[o], NULL)))
				TH_LOG("%s %s", modes[m], opts[o]);
			EXPECT_NE(NULL, strstr(self->out, opts[o]))
				TH_LOG("%s %s: %s", modes[m], opts[o],
				       self->out);
		}
		/* without them, it mounts */
		ASSERT_TRUE(start(self, modes[m], NULL));
		EXPECT_EQ(0, stop(self));
	}
	umount2(self->src, MNT_DETACH);
}

TEST_F(daemon, mounts_below_the_source_are_not_crossed)
{
	static const char * const dirs[] = { "dir", "keep" };
	char rel[64], what[96], buf[64];
	unsigned int c;
	struct stat st;

	for (c = 0; c < ARRAY_SIZE(dirs); c++) {
		snprintf(rel, sizeof(rel), "%s/sub", dirs[c]);
		ASSERT_EQ(0, mkdir(SP(rel), 0755));
		ASSERT_EQ(0, mount("tmpfs", SP(rel), "tmpfs", 0, "mode=0755"));
		snprintf(rel, sizeof(rel), "%s/sub/f", dirs[c]);
		ASSERT_EQ(0, put_file(SP(rel), "on another fs\n", 0644));
	}
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		ASSERT_TRUE(start(self, served[c].args[0], served[c].args[1],
				  served[c].args[2], NULL));
		snprintf(what, sizeof(what), "%s %s", served[c].args[0],
			 served[c].args[2] ?: "");
		snprintf(rel, sizeof(rel), "%s/sub", served[c].dir);
		EXPECT_EQ(EXDEV, err_of(lstat(MP(rel), &st)))
			TH_LOG("%s: /%s", what, rel);
		snprintf(rel, sizeof(rel), "%s/sub/f", served[c].dir);
		EXPECT_NE(0, err_of(lstat(MP(rel), &st)))
			TH_LOG("%s: /%s", what, rel);
		EXPECT_EQ(-1, get_file(MP(rel), buf, sizeof(buf)))
			TH_LOG("%s: /%s", what, rel);
		ASSERT_EQ(0, stop(self));
	}
	for (c = 0; c < ARRAY_SIZE(dirs); c++) {
		snprintf(rel, sizeof(rel), "%s/sub", dirs[c]);
		umount2(SP(rel), MNT_DETACH);
	}
}

/* An entry of a POSIX ACL: ACL_USER_OBJ..., ACL_READ..., its uid or gid */
struct acl_ent {
	unsigned short tag, perm;
	unsigned int id;
};

#define ACL_RW	(ACL_READ | ACL_WRITE)
#define ACL_RX	(ACL_READ | ACL_EXECUTE)
#define ACL_RWX	(ACL_READ | ACL_WRITE | ACL_EXECUTE)
#define NO_ID	((unsigned int)ACL_UNDEFINED_ID)

/* A file 0644 and a directory 0755 which USER_ID may not use */
static const struct acl_ent deny_file[] = {
	{ ACL_USER_OBJ, ACL_RW, NO_ID }, { ACL_USER, 0, USER_ID },
	{ ACL_GROUP_OBJ, ACL_READ, NO_ID }, { ACL_MASK, ACL_READ, NO_ID },
	{ ACL_OTHER, ACL_READ, NO_ID },
};

static const struct acl_ent deny_dir[] = {
	{ ACL_USER_OBJ, ACL_RWX, NO_ID }, { ACL_USER, 0, USER_ID },
	{ ACL_GROUP_OBJ, ACL_RX, NO_ID }, { ACL_MASK, ACL_RX, NO_ID },
	{ ACL_OTHER, ACL_RX, NO_ID },
};

/* A default ACL that gives everything to everyone, umask or not */
static const struct acl_ent allow_all[] = {
	{ ACL_USER_OBJ, ACL_RWX, NO_ID }, { ACL_GROUP_OBJ, ACL_RWX, NO_ID },
	{ ACL_MASK, ACL_RWX, NO_ID }, { ACL_OTHER, ACL_RWX, NO_ID },
};

/* Set the ACL of n entries e as xattr name (system.posix_acl_*) of path */
static int set_acl(const char *path, const char *name,
		   const struct acl_ent *e, int n)
{
	struct posix_acl_xattr_header h = {
		.a_version = htole32(POSIX_ACL_XATTR_VERSION),
	};
	struct posix_acl_xattr_entry x;
	char buf[256], *p = buf;
	int i;

	memcpy(p, &h, sizeof(h));
	p += sizeof(h);
	for (i = 0; i < n && p + sizeof(x) <= buf + sizeof(buf); i++) {
		x.e_tag = htole16(e[i].tag);
		x.e_perm = htole16(e[i].perm);
		x.e_id = htole32(e[i].id);
		memcpy(p, &x, sizeof(x));
		p += sizeof(x);
	}
	return setxattr(path, name, buf, p - buf, 0);
}

#define ACL_ACCESS	"system.posix_acl_access"
#define ACL_DEFAULT	"system.posix_acl_default"

/* Open and read the file path */
static void acl_file_steps(struct steps *s, const char *path,
			   const char *back)
{
	char buf[64];
	int fd;

	fd = open(path, O_RDONLY);
	STEP(s, fd < 0 ? -1 : 0);
	STEP_READ(s, buf, read(fd, buf, sizeof(buf)));
	close(fd);
	STEP(s, access(path, R_OK));
	fd = open(path, O_WRONLY);
	STEP(s, fd < 0 ? -1 : 0);
	close(fd);
}

/* The file f in the directory path, and the directory */
static void acl_dir_steps(struct steps *s, const char *path,
			  const char *back)
{
	char f[PATH_MAX];
	struct stat st;
	int fd;

	join(f, path, "f");
	STEP(s, lstat(f, &st));
	fd = open(f, O_RDONLY);
	STEP(s, fd < 0 ? -1 : 0);
	close(fd);
	fd = open(path, O_RDONLY | O_DIRECTORY);
	STEP(s, fd < 0 ? -1 : 0);
	close(fd);
	STEP(s, access(path, X_OK));
}

/* The mode, owner and ACLs of name in dir (back: the backing dir) */
static void made_steps(struct steps *s, const char *dir, const char *back,
		       const char *name)
{
	char path[PATH_MAX], bpath[PATH_MAX], buf[128];
	struct stat st = { 0 };

	join(path, dir, name);
	join(bpath, back, name);
	STEP(s, lstat(path, &st));
	STEP(s, st.st_mode);
	STEP(s, st.st_uid);
	STEP(s, st.st_gid);
	memset(&st, 0, sizeof(st));
	STEP(s, lstat(bpath, &st));
	STEP(s, st.st_mode);
	STEP_READ(s, buf, lgetxattr(path, ACL_ACCESS, buf, sizeof(buf)));
	STEP_READ(s, buf, lgetxattr(bpath, ACL_ACCESS, buf, sizeof(buf)));
	STEP_READ(s, buf, lgetxattr(path, ACL_DEFAULT, buf, sizeof(buf)));
	STEP_READ(s, buf, lgetxattr(bpath, ACL_DEFAULT, buf, sizeof(buf)));
}

/* With umask 022: a file 0666, a directory 0777 and a fifo 0666 in dir */
static void umask_steps(struct steps *s, const char *dir, const char *back)
{
	char path[PATH_MAX];
	struct stat st = { 0 };
	int fd;

	umask(022);
	fd = open(join(path, dir, "file"), O_CREAT | O_EXCL | O_WRONLY, 0666);
	STEP(s, fd < 0 ? -1 : 0);
	STEP(s, fstat(fd, &st));
	STEP(s, st.st_mode);
	close(fd);
	made_steps(s, dir, back, "file");
	STEP(s, mkdir(join(path, dir, "dir"), 0777));
	made_steps(s, dir, back, "dir");
	STEP(s, mknod(join(path, dir, "fifo"), S_IFIFO | 0666, 0));
	made_steps(s, dir, back, "fifo");
}

TEST_F(daemon, posix_acls_and_umask_of_server_served_nodes_match_native)
{
	char nat[PATH_MAX], mnt[PATH_MAX], back[PATH_MAX], rel[64];
	char what[128];
	unsigned int c, i;

	ASSERT_EQ(0, chmod(self->src, 0755));
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		snprintf(rel, sizeof(rel), "%s/acl_file", served[c].dir);
		if (exists(SP(rel)))
			continue;
		ASSERT_EQ(0, put_file(SP(rel), "acl\n", 0644));
		ASSERT_EQ(0, chmod(SP(rel), 0644));
		ASSERT_EQ(0, set_acl(SP(rel), ACL_ACCESS, deny_file,
				     ARRAY_SIZE(deny_file)));
		snprintf(rel, sizeof(rel), "%s/acl_dir", served[c].dir);
		ASSERT_EQ(0, mkdir(SP(rel), 0755));
		ASSERT_EQ(0, chmod(SP(rel), 0755));
		snprintf(rel, sizeof(rel), "%s/acl_dir/f", served[c].dir);
		ASSERT_EQ(0, put_file(SP(rel), "f\n", 0644));
		snprintf(rel, sizeof(rel), "%s/acl_dir", served[c].dir);
		ASSERT_EQ(0, set_acl(SP(rel), ACL_ACCESS, deny_dir,
				     ARRAY_SIZE(deny_dir)));
	}
	/* the user's directories, natively (n) and through the mount (m) */
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		for (i = 0; i < 4; i++) {
			snprintf(rel, sizeof(rel), "%s/%s%u_%c", served[c].dir,
				 i < 2 ? "umask" : "default", c,
				 i % 2 ? 'm' : 'n');
			ASSERT_EQ(0, mkdir(SP(rel), 0755));
			ASSERT_EQ(0, chown(SP(rel), USER_ID, GROUP_ID));
			if (i >= 2)
				ASSERT_EQ(0, set_acl(SP(rel), ACL_DEFAULT,
						     allow_all,
						     ARRAY_SIZE(allow_all)));
		}
	}
	for (c = 0; c < ARRAY_SIZE(served); c++) {
		ASSERT_TRUE(start(self, served[c].args[0], served[c].args[1],
				  served[c].args[2], NULL));
		snprintf(what, sizeof(what), "%s %s: /%s", served[c].args[0],
			 served[c].args[2] ?: "", served[c].dir);
		snprintf(rel, sizeof(rel), "%s/acl_file", served[c].dir);
		paths(self, rel, nat, mnt);
		compare(_metadata, self, what, true, acl_file_steps, nat, mnt,
			nat);
		compare(_metadata, self, what, false, acl_file_steps, nat,
			mnt, nat);
		snprintf(rel, sizeof(rel), "%s/acl_dir", served[c].dir);
		paths(self, rel, nat, mnt);
		compare(_metadata, self, what, true, acl_dir_steps, nat, mnt,
			nat);
		compare(_metadata, self, what, false, acl_dir_steps, nat, mnt,
			nat);
		for (i = 0; i < 2; i++) {
			snprintf(rel, sizeof(rel), "%s/%s%u_n", served[c].dir,
				 i ? "default" : "umask", c);
			join(nat, self->src, rel);
			snprintf(rel, sizeof(rel), "%s/%s%u_m", served[c].dir,
				 i ? "default" : "umask", c);
			join(mnt, self->mnt, rel);
			join(back, self->src, rel);
			compare(_metadata, self, rel, true, umask_steps, nat,
				mnt, back);
		}
		ASSERT_EQ(0, stop(self));
	}
}

/* As USER_ID: create path through the mount; 0 or an errno */
static int create_as_user(const char *path)
{
	int status;
	pid_t pid = fork();

	if (!pid) {
		if (setgroups(0, NULL) || setgid(GROUP_ID) || setuid(USER_ID))
			_exit(126);
		_exit(put_file(path, "x\n", 0644) ? 1 : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Rename and link between two bound subtrees of the root, one registered
 * before and one after the server's only worker created files as a caller
 * (setfsuid to another user and back): they work, as between any two
 * directories of one backing filesystem natively.  The server registers
 * from a thread whose credentials never change.
 */
TEST_F(daemon, rename_between_subtrees_registered_around_creates)
{
	char a[PATH_MAX], b[PATH_MAX];
	int i;

	ASSERT_EQ(0, mkdir(SP("a"), 0755));
	ASSERT_EQ(0, mkdir(SP("b"), 0755));
	ASSERT_EQ(0, put_file(SP("a/f"), "moved\n", 0644));
	ASSERT_EQ(0, chmod(self->src, 0777));
	ASSERT_TRUE(start(self, "--daemon-path=keep", "--threads=1",
			  "--allow-other", NULL));
	ASSERT_TRUE(exists(MP("a/f")));
	for (i = 0; i < 3; i++) {
		snprintf(a, sizeof(a), "%s/made%d", self->mnt, i);
		ASSERT_EQ(0, create_as_user(a));
	}
	ASSERT_TRUE(exists(MP("b")));
	join(a, self->mnt, "a/f");
	join(b, self->mnt, "b/f");
	EXPECT_EQ(0, rename(a, b));
	join(a, self->mnt, "a/l");
	EXPECT_EQ(0, link(b, a));
	ASSERT_EQ(0, stop(self));
	EXPECT_TRUE(exists(SP("b/f")));
	EXPECT_TRUE(exists(SP("a/l")));
	EXPECT_FALSE(exists(SP("a/f")));
	/* the files were made by the server, as the user */
	EXPECT_NE(NULL, strstr(self->out, "CREATE=3 "));
}

TEST_HARNESS_MAIN
