// SPDX-License-Identifier: GPL-2.0
/*
 * Per-caller BPF filters on passthrough subtrees (FUSE_ENTRY_BACKING_FILTER,
 * struct fuse_pt_filter_ops): Android's per-app directories.
 *
 * The "filter" fixture mounts the test server with a node "data" bound
 * with FUSE_ENTRY_BACKING_SUBTREE | FUSE_ENTRY_BACKING_FILTER (cookie 7)
 * to a backing directory in /tmp (mode 0777, so that only the filter
 * refuses) holding
 *   app1/    uid 1001's directory (0700), with app1/file
 *   app2/    uid 1002's directory (0700), with app2/file
 *   secret   a file of root's (0644)
 *   shared/  a directory of root's (0755)
 * and registers fuse_filter.bpf.c for the connection (fuse_fd = the
 * server's /dev/fuse fd), allowing app1 and shared to uid 1001, app2 and
 * shared to uid 1002.  Root is never filtered by that program.
 *
 * Hidden names are checked against the native result of a missing name:
 * every step gives through the mount, for a name the filter hides, the
 * errno it gives for a name that does not exist.  Visible names are
 * checked against the same steps on the backing directory.  Nothing may
 * reach the server.  bpftool is the one built from the kernel tree.
 *
 * Every test loads the filter (the verifier) and runs bpftool, which
 * reads the kernel's BTF: slow on the debug kernel, so the harness
 * timeouts are generous.  Nothing is timed.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <sched.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/syscall.h>
#include <sys/wait.h>
#include <sys/xattr.h>
#include <linux/capability.h>
#include <bpf/bpf.h>
#include <bpf/libbpf.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"
#include "fuse_test_util.h"
#include "fuse_filter.skel.h"

#define UID1	1001
#define UID2	1002
#define COOKIE	7
#define NAME_LEN 64	/* fuse_filter.bpf.c's FPT_NAME_LEN */

/*
 * As fs/fuse/passthrough_filter.h has them (BPF programs take them from
 * vmlinux.h): the operations fpt_calls counts, and a verdict
 */
enum {
	FUSE_PT_FILTER_LOOKUP = 1, FUSE_PT_FILTER_READDIR, FUSE_PT_FILTER_CREATE,
	FUSE_PT_FILTER_MKDIR, FUSE_PT_FILTER_SYMLINK, FUSE_PT_FILTER_LINK,
	FUSE_PT_FILTER_TMPFILE, FUSE_PT_FILTER_UNLINK, FUSE_PT_FILTER_RMDIR,
	FUSE_PT_FILTER_RENAME, FUSE_PT_FILTER_OPEN,
};

#define FUSE_PT_FILTER_HIDE	1

/* fuse_filter.bpf.c's map key */
struct fpt_key {
	__u64 cookie;
	__u32 uid;
	char name[NAME_LEN];
};

/* Load and register the filter for the connection of devfd: 0 or -errno */
static int filter_attach(int devfd, struct fuse_filter_bpf **skelp,
			 struct bpf_link **linkp)
{
	struct fuse_filter_bpf *skel;
	struct bpf_link *link;
	int err;

	*skelp = NULL;
	*linkp = NULL;
	skel = fuse_filter_bpf__open();
	if (!skel)
		return -errno;
	skel->struct_ops.fpt_filter->fuse_fd = devfd;
	/* the sleepable one is for the test that expects it refused */
	bpf_map__set_autocreate(skel->maps.fpt_sleepy, false);
	bpf_program__set_autoload(skel->progs.fpt_sleepy_lookup, false);
	err = fuse_filter_bpf__load(skel);
	if (err) {
		fuse_filter_bpf__destroy(skel);
		return err < 0 ? err : -EINVAL;
	}
	link = bpf_map__attach_struct_ops(skel->maps.fpt_filter);
	if (!link) {
		err = -errno;
		fuse_filter_bpf__destroy(skel);
		return err;
	}
	*skelp = skel;
	*linkp = link;
	return 0;
}

static void filter_detach(struct fuse_filter_bpf *skel, struct bpf_link *link)
{
	if (link)
		bpf_link__destroy(link);
	if (skel)
		fuse_filter_bpf__destroy(skel);
}

static int allow(struct fuse_filter_bpf *skel, __u64 cookie, __u32 uid,
		 const char *name)
{
	struct fpt_key key = { .cookie = cookie, .uid = uid };
	__u32 one = 1;

	snprintf(key.name, sizeof(key.name), "%s", name);
	return bpf_map__update_elem(skel->maps.fpt_allow, &key, sizeof(key),
				    &one, sizeof(one), BPF_ANY);
}

static __u64 calls(struct fuse_filter_bpf *skel, __u32 op)
{
	__u64 n = 0;

	bpf_map__lookup_elem(skel->maps.fpt_calls, &op, sizeof(op), &n,
			     sizeof(n), 0);
	return n;
}

static int set_setting(struct fuse_filter_bpf *skel, __u32 i, __s32 value)
{
	return bpf_map__update_elem(skel->maps.fpt_settings, &i, sizeof(i),
				    &value, sizeof(value), BPF_ANY);
}

static int force_verdict(struct fuse_filter_bpf *skel, __s32 verdict)
{
	return set_setting(skel, 0, verdict);
}

/* Run bpftool with args (a shell fragment); its exit status, output in out */
static int bpftool(char *out, size_t size, const char *fmt, ...)
{
	char cmd[4096], args[3800];
	va_list ap;
	FILE *f;
	size_t n = 0;
	int status;

	va_start(ap, fmt);
	vsnprintf(args, sizeof(args), fmt, ap);
	va_end(ap);
	snprintf(cmd, sizeof(cmd), "%s %s 2>&1", BPFTOOL, args);
	f = popen(cmd, "r");
	if (!f)
		return -1;
	if (out && size) {
		n = fread(out, 1, size - 1, f);
		out[n] = 0;
	} else {
		char sink[256];

		while (fread(sink, 1, sizeof(sink), f) > 0)
			;
	}
	status = pclose(f);
	return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

/*
 * The id of a map, for bpftool: names may be ambiguous while the maps of
 * an earlier test are still being freed
 */
static __u32 map_id(struct bpf_map *map)
{
	struct bpf_map_info info = {};
	__u32 len = sizeof(info);

	if (bpf_map_get_info_by_fd(bpf_map__fd(map), &info, &len))
		return 0;
	return info.id;
}

/* "key hex .." of bpftool map update for fpt_allow (struct fpt_key) */
static void key_hex(char *buf, __u64 cookie, __u32 uid, const char *name)
{
	unsigned char raw[sizeof(struct fpt_key)] = {};
	struct fpt_key key = { .cookie = cookie, .uid = uid };
	size_t i;

	snprintf(key.name, sizeof(key.name), "%s", name);
	memcpy(raw, &key, sizeof(key));
	buf += sprintf(buf, "hex");
	for (i = 0; i < sizeof(raw); i++)
		buf += sprintf(buf, " %02x", raw[i]);
}

FIXTURE(filter) {
	struct ftd *d;
	struct fuse_filter_bpf *skel;
	struct bpf_link *link;
	char back[64];
	char path[2][PATH_MAX];
	char bpath[2][PATH_MAX];
	__u64 data;
	int data_id;
};

#define mp(rel)		join(self->path[0], ftd_mnt(self->d), rel)
#define mp2(rel)	join(self->path[1], ftd_mnt(self->d), rel)
#define bp(rel)		join(self->bpath[0], self->back, rel)

static int bind_filtered(struct ftd *d, __u64 node, const char *dir,
			 __u64 cookie)
{
	struct fuse_entry_backing_out out = {
		.flags = FUSE_ENTRY_BACKING_SUBTREE | FUSE_ENTRY_BACKING_FILTER,
		.filter_cookie = cookie,
	};

	out.backing_id = ftd_backing_open_path(d, dir, O_PATH | O_DIRECTORY);
	if (out.backing_id <= 0)
		return -1;
	return ftd_set_entry_extra(d, node, &out, sizeof(out));
}

FIXTURE_SETUP(filter)
{
	struct ftd_opts opts;
	int err;

	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/fft-back.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->back));
	ASSERT_EQ(0, chmod(self->back, 0777));
	ASSERT_EQ(0, mkdir(bp("app1"), 0700));
	ASSERT_EQ(0, put_file(bp("app1/file"), "one\n", 0644));
	ASSERT_EQ(0, mkdir(bp("app2"), 0700));
	ASSERT_EQ(0, put_file(bp("app2/file"), "two\n", 0644));
	ASSERT_EQ(0, put_file(bp("secret"), "root's\n", 0644));
	ASSERT_EQ(0, mkdir(bp("shared"), 0755));
	ASSERT_EQ(0, chown(bp("app1/file"), UID1, UID1));
	ASSERT_EQ(0, chown(bp("app1"), UID1, UID1));
	ASSERT_EQ(0, chown(bp("app2/file"), UID2, UID2));
	ASSERT_EQ(0, chown(bp("app2"), UID2, UID2));

	ftd_opts_init(&opts);
	opts.init_flags = FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR;
	opts.max_stack_depth = 1;
	opts.allow_other = true;
	opts.entry_timeout_ms = 3600 * 1000;
	opts.attr_timeout_ms = 3600 * 1000;
	self->d = ftd_new(&opts);
	ASSERT_NE(NULL, self->d);
	self->data = ftd_add_dir(self->d, FUSE_ROOT_ID, "data", 0777);
	ASSERT_NE(0, self->data);
	ASSERT_EQ(0, ftd_mount(self->d, NULL));
	if (!ftd_kernel_offers(self->d, FUSE_PASSTHROUGH_DIR)) {
		ftd_destroy(self->d);
		SKIP(return, "kernel does not offer FUSE_PASSTHROUGH_DIR");
	}
	ASSERT_EQ(0, bind_filtered(self->d, self->data, self->back, COOKIE));

	err = filter_attach(ftd_devfd(self->d), &self->skel, &self->link);
	if (err == -ENOENT || err == -ESRCH) {
		ftd_destroy(self->d);
		SKIP(return, "kernel has no fuse_pt_filter_ops struct_ops");
	}
	ASSERT_EQ(0, err);
	ASSERT_EQ(0, allow(self->skel, COOKIE, UID1, "app1"));
	ASSERT_EQ(0, allow(self->skel, COOKIE, UID1, "shared"));
	ASSERT_EQ(0, allow(self->skel, COOKIE, UID2, "app2"));
	ASSERT_EQ(0, allow(self->skel, COOKIE, UID2, "shared"));

	/* the subtree root itself is the server's: look it up once */
	ASSERT_EQ(0, access(mp("data"), F_OK));
	ftd_log_reset(self->d);
}

FIXTURE_TEARDOWN(filter)
{
	char cmd[PATH_MAX];

	/* the connection goes first: the filter outlives it, bound to nothing */
	if (self->d)
		ftd_destroy(self->d);
	filter_detach(self->skel, self->link);
	snprintf(cmd, sizeof(cmd), "rm -rf %s", self->back);
	if (system(cmd))
		TH_LOG("could not remove %s", self->back);
}

/* The caller-facing steps compared on hidden and missing names */
enum step {
	S_STAT, S_LSTAT, S_ACCESS, S_OPEN, S_OPEN_DIR, S_OPEN_CREAT,
	S_OPEN_EXCL, S_OPEN_TRUNC, S_MKDIR, S_MKNOD, S_SYMLINK, S_LINK_TO,
	S_RENAME_TO, S_RENAME_FROM, S_UNLINK, S_RMDIR, S_CHDIR, S_CHMOD,
	S_TRUNCATE, S_GETXATTR, S_SETXATTR, S_UTIMES, S_READLINK,
	S_STAT_BELOW, S_CREATE_BELOW, S_NSTEPS
};

static const char *const step_names[] = {
	"stat", "lstat", "access", "open", "open(O_DIRECTORY)", "open(O_CREAT)",
	"open(O_CREAT|O_EXCL)", "open(O_TRUNC)", "mkdir", "mknod", "symlink",
	"link onto", "rename onto", "rename from", "unlink", "rmdir", "chdir",
	"chmod", "truncate", "getxattr", "setxattr", "utimes", "readlink",
	"stat below", "create below",
};

/*
 * One step on path (in the top directory); own is a file of the caller
 * (for link and rename onto the name).  Returns the errno, 0 on success.
 */
static int do_step(int step, const char *path, const char *own)
{
	char buf[PATH_MAX];
	int fd, ret = 0;

	errno = 0;
	switch (step) {
	case S_STAT: {
		struct stat st;

		ret = stat(path, &st);
		break;
	}
	case S_LSTAT: {
		struct stat st;

		ret = lstat(path, &st);
		break;
	}
	case S_ACCESS:
		ret = access(path, F_OK);
		break;
	case S_OPEN:
	case S_OPEN_DIR:
	case S_OPEN_CREAT:
	case S_OPEN_EXCL:
	case S_OPEN_TRUNC: {
		static const int flags[] = {
			[S_OPEN] = O_RDONLY,
			[S_OPEN_DIR] = O_RDONLY | O_DIRECTORY,
			[S_OPEN_CREAT] = O_WRONLY | O_CREAT,
			[S_OPEN_EXCL] = O_WRONLY | O_CREAT | O_EXCL,
			[S_OPEN_TRUNC] = O_WRONLY | O_TRUNC,
		};

		fd = open(path, flags[step], 0644);
		if (fd >= 0)
			close(fd);
		ret = fd < 0 ? -1 : 0;
		break;
	}
	case S_MKDIR:
		ret = mkdir(path, 0755);
		break;
	case S_MKNOD:
		ret = mknod(path, S_IFIFO | 0644, 0);
		break;
	case S_SYMLINK:
		ret = symlink("target", path);
		break;
	case S_LINK_TO:
		ret = link(own, path);
		break;
	case S_RENAME_TO:
		ret = rename(own, path);
		break;
	case S_RENAME_FROM:
		snprintf(buf, sizeof(buf), "%s.moved", own);
		ret = rename(path, buf);
		break;
	case S_UNLINK:
		ret = unlink(path);
		break;
	case S_RMDIR:
		ret = rmdir(path);
		break;
	case S_CHDIR:
		ret = chdir(path);
		break;
	case S_CHMOD:
		ret = chmod(path, 0777);
		break;
	case S_TRUNCATE:
		ret = truncate(path, 0);
		break;
	case S_GETXATTR:
		ret = getxattr(path, "user.x", buf, sizeof(buf)) < 0 ? -1 : 0;
		break;
	case S_SETXATTR:
		ret = setxattr(path, "user.x", "v", 1, 0);
		break;
	case S_UTIMES:
		ret = utimensat(AT_FDCWD, path, NULL, 0);
		break;
	case S_READLINK:
		ret = readlink(path, buf, sizeof(buf)) < 0 ? -1 : 0;
		break;
	case S_STAT_BELOW: {
		struct stat st;

		snprintf(buf, sizeof(buf), "%s/file", path);
		ret = stat(buf, &st);
		break;
	}
	case S_CREATE_BELOW:
		snprintf(buf, sizeof(buf), "%s/new", path);
		fd = open(buf, O_WRONLY | O_CREAT | O_EXCL, 0644);
		if (fd >= 0)
			close(fd);
		ret = fd < 0 ? -1 : 0;
		break;
	}
	return ret ? errno : 0;
}

/* do_step() as uid/gid, in a child; own made first, in app1 (the uid's) */
static int step_as(__u32 uid, int step, const char *path, const char *own)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			_exit(255);
		if (own) {
			int fd = open(own, O_WRONLY | O_CREAT, 0644);

			if (fd < 0)
				_exit(254);
			close(fd);
		}
		_exit(do_step(step, path, own));
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Every step on each hidden name gives uid 1001 what it gives on a name
 * that does not exist, and changes nothing on the backing directory.
 */
static void hidden_as_missing(struct __test_metadata *_metadata,
			      struct _test_data_filter *self)
{
	static const char *const hidden[] = { "app2", "secret" };
	char own[PATH_MAX], buf[64];
	struct stat st;
	int i, s;

	snprintf(own, sizeof(own), "%s/data/app1/own", ftd_mnt(self->d));
	for (i = 0; i < 2; i++) {
		for (s = 0; s < S_NSTEPS; s++) {
			int missing, hid;

			missing = step_as(UID1, s, mp("data/nothere"), own);
			snprintf(buf, sizeof(buf), "data/%s", hidden[i]);
			hid = step_as(UID1, s, mp(buf), own);
			if (missing != hid)
				TH_LOG("%s of %s: errno %d, of a missing name %d",
				       step_names[s], hidden[i], hid, missing);
			EXPECT_EQ(missing, hid);
		}
	}
	/* nothing was made, moved or removed */
	ASSERT_EQ(0, stat(bp("app2/file"), &st));
	ASSERT_EQ(UID2, st.st_uid);
	ASSERT_EQ(0, stat(bp("app2"), &st));
	ASSERT_TRUE(S_ISDIR(st.st_mode));
	ASSERT_EQ(0700, st.st_mode & 07777);
	ASSERT_EQ(0, stat(bp("secret"), &st));
	ASSERT_EQ(7, st.st_size);
	ASSERT_EQ(0644, st.st_mode & 07777);
	ASSERT_FALSE(exists(bp("nothere")));
}

TEST_F_TIMEOUT(filter, hidden_names_answer_as_missing_names, 300)
{
	hidden_as_missing(_metadata, self);
	ASSERT_NO_REQUESTS();
}

/*
 * The same while root (whom the filter lets see everything) has both
 * names cached and in use: the dentries are shared, the answers are not.
 */
TEST_F_TIMEOUT(filter, hidden_names_in_use_by_others_answer_as_missing_names, 300)
{
	int dfd, ffd, cfd;

	dfd = open(mp("data/app2"), O_RDONLY | O_DIRECTORY);
	ASSERT_LE(0, dfd);
	ffd = open(mp("data/secret"), O_RDONLY);
	ASSERT_LE(0, ffd);
	cfd = open(mp("data/app2/file"), O_RDONLY);
	ASSERT_LE(0, cfd);
	hidden_as_missing(_metadata, self);
	/* and the holder's view is unchanged */
	ASSERT_EQ(0, access(mp("data/app2/file"), F_OK));
	ASSERT_EQ(0, faccessat(dfd, "file", F_OK, 0));
	close(cfd);
	close(ffd);
	close(dfd);
	ASSERT_NO_REQUESTS();
}

static int cmp_str(const void *a, const void *b)
{
	return strcmp(*(char *const *)a, *(char *const *)b);
}

/* The names in dir listed as uid, sorted and joined with ' ', in buf */
static int list_as(__u32 uid, const char *dir, char *buf, size_t size)
{
	int pfd[2], status;
	ssize_t n;
	pid_t pid;

	if (pipe(pfd))
		return -1;
	pid = fork();
	if (!pid) {
		char *names[64], out[2048] = "";
		struct dirent *de;
		int count = 0, i;
		DIR *d;

		close(pfd[0]);
		if (setgroups(0, NULL) || setgid(uid) || setuid(uid))
			_exit(255);
		d = opendir(dir);
		if (!d)
			_exit(errno);
		errno = 0;
		while ((de = readdir(d)) && count < 64)
			if (strcmp(de->d_name, ".") && strcmp(de->d_name, ".."))
				names[count++] = strdup(de->d_name);
		if (errno)
			_exit(errno);
		qsort(names, count, sizeof(names[0]), cmp_str);
		for (i = 0; i < count; i++) {
			strcat(out, i ? " " : "");
			strcat(out, names[i]);
		}
		if (write(pfd[1], out, strlen(out)) < 0)
			_exit(254);
		_exit(0);
	}
	close(pfd[1]);
	n = read(pfd[0], buf, size - 1);
	buf[n > 0 ? n : 0] = 0;
	close(pfd[0]);
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/* A listing shows each caller what its lookups see; root all of it */
TEST_F_TIMEOUT(filter, listings_show_what_lookups_show, 300)
{
	char got[2048], native[2048];

	ASSERT_EQ(0, list_as(UID1, mp("data"), got, sizeof(got)));
	ASSERT_STREQ("app1 shared", got);
	ASSERT_EQ(0, list_as(UID2, mp("data"), got, sizeof(got)));
	ASSERT_STREQ("app2 shared", got);
	ASSERT_EQ(0, list_as(0, mp("data"), got, sizeof(got)));
	ASSERT_EQ(0, list_as(0, self->back, native, sizeof(native)));
	ASSERT_STREQ(native, got);
	/* below the top directory the program lets everything through */
	ASSERT_EQ(0, list_as(UID1, mp("data/app1"), got, sizeof(got)));
	ASSERT_EQ(0, list_as(UID1, bp("app1"), native, sizeof(native)));
	ASSERT_STREQ(native, got);
	ASSERT_LT(0, calls(self->skel, FUSE_PT_FILTER_READDIR));
	/* names of every length, one after the other: no byte left over */
	ASSERT_EQ(0, calls(self->skel, 15));
	ASSERT_NO_REQUESTS();
}

/* What a caller may see, it sees and does as natively */
TEST_F_TIMEOUT(filter, allowed_names_answer_as_natively, 300)
{
	static const int steps[] = {
		S_STAT, S_OPEN_DIR, S_STAT_BELOW, S_CREATE_BELOW, S_CHMOD,
		S_UTIMES, S_GETXATTR, S_RMDIR,
	};
	struct stat st, nst;
	unsigned int i;

	/* app1 through the mount, a copy of it natively */
	ASSERT_EQ(0, mkdir(bp("native1"), 0700));
	ASSERT_EQ(0, put_file(bp("native1/file"), "one\n", 0644));
	ASSERT_EQ(0, chown(bp("native1/file"), UID1, UID1));
	ASSERT_EQ(0, chown(bp("native1"), UID1, UID1));
	for (i = 0; i < ARRAY_SIZE(steps); i++) {
		int native = step_as(UID1, steps[i], bp("native1"), NULL);
		int got = step_as(UID1, steps[i], mp("data/app1"), NULL);

		if (native != got)
			TH_LOG("%s: errno %d, natively %d", step_names[steps[i]],
			       got, native);
		EXPECT_EQ(native, got);
	}
	ASSERT_EQ(0, stat(bp("native1/new"), &nst));
	ASSERT_EQ(0, stat(mp("data/app1/new"), &st));
	ASSERT_EQ(nst.st_uid, st.st_uid);
	ASSERT_EQ(nst.st_gid, st.st_gid);
	ASSERT_EQ(nst.st_mode, st.st_mode);
	ASSERT_EQ(0, stat(bp("native1"), &nst));
	ASSERT_EQ(0, stat(mp("data/app1"), &st));
	ASSERT_EQ(nst.st_mode, st.st_mode);
	ASSERT_EQ(nst.st_uid, st.st_uid);
	/* uid 1002 is let through to shared, and checked natively there */
	ASSERT_EQ(step_as(UID2, S_CREATE_BELOW, bp("shared"), NULL),
		  step_as(UID2, S_CREATE_BELOW, mp("data/shared"), NULL));
	ASSERT_LT(0, calls(self->skel, FUSE_PT_FILTER_OPEN));
	ASSERT_LT(0, calls(self->skel, FUSE_PT_FILTER_CREATE));
	ASSERT_NO_REQUESTS();
}

/* The program's refusals: making, moving and removing names in the top */
TEST_F_TIMEOUT(filter, top_directory_changes_need_the_program, 300)
{
	/* natively all of these would succeed: the directory is 0777 */
	ASSERT_EQ(EACCES, AS_USER_ID(UID1, UID1, mkdir(mp("data/newapp"), 0755)));
	ASSERT_EQ(EACCES, AS_USER_ID(UID1, UID1,
				     rename(mp("data/app1"), mp2("data/app1x"))));
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1,
				rename(mp("data/app1/file"), mp2("data/app1/f2"))));
	ASSERT_EQ(0, allow(self->skel, COOKIE, UID1, "newapp"));
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1, mkdir(mp("data/newapp"), 0755)));
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1, rmdir(mp("data/newapp"))));
	ASSERT_FALSE(exists(bp("newapp")));
	ASSERT_TRUE(exists(bp("app1/f2")));
	ASSERT_LT(0, calls(self->skel, FUSE_PT_FILTER_MKDIR));
	ASSERT_LT(0, calls(self->skel, FUSE_PT_FILTER_RENAME));
	ASSERT_LT(0, calls(self->skel, FUSE_PT_FILTER_RMDIR));
	ASSERT_NO_REQUESTS();
}

/*
 * A policy that lets a caller make a name it hides from it: the name is
 * not opened, truncated, replaced or reported as existing (EEXIST would
 * tell); making it is refused with EACCES.  Also while root has it cached.
 */
TEST_F_TIMEOUT(filter, creating_a_hidden_name_is_refused, 300)
{
	char own[PATH_MAX], buf[64];
	struct stat st;
	int pass, fd = -1;

	snprintf(own, sizeof(own), "%s/data/app1/own", ftd_mnt(self->d));
	ASSERT_EQ(0, set_setting(self->skel, 1, 1));
	for (pass = 0; pass < 2; pass++) {
		static const int steps[] = {
			S_OPEN_CREAT, S_OPEN_EXCL, S_MKDIR, S_MKNOD, S_SYMLINK,
			S_LINK_TO, S_RENAME_TO,
		};
		static const char *const names[] = { "secret", "app2" };
		unsigned int i, n;

		for (n = 0; n < 2; n++) {
			snprintf(buf, sizeof(buf), "data/%s", names[n]);
			for (i = 0; i < ARRAY_SIZE(steps); i++) {
				int got = step_as(UID1, steps[i], mp(buf), own);

				if (got != EACCES)
					TH_LOG("%s of %s: errno %d",
					       step_names[steps[i]], names[n], got);
				EXPECT_EQ(EACCES, got);
			}
		}
		/* second pass: root holds both */
		fd = open(mp("data/secret"), O_RDONLY);
		ASSERT_LE(0, fd);
		ASSERT_EQ(0, access(mp("data/app2"), F_OK));
	}
	close(fd);
	/* a missing name is made, as the policy says */
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1, mkdir(mp("data/newdir"), 0755)));
	ASSERT_EQ(0, stat(bp("secret"), &st));
	ASSERT_EQ(7, st.st_size);
	ASSERT_TRUE(S_ISREG(st.st_mode));
	ASSERT_EQ(0, stat(bp("app2/file"), &st));
	ASSERT_NO_REQUESTS();
}

/*
 * Links and moves out of (or into) a filtered directory are the filter's
 * to see, both names; a directory does not move between directories
 * filtered differently (its inode keeps the filter of what is below it):
 * EXDEV, and mv copies.  pub is a second subtree, not filtered.
 */
TEST_F_TIMEOUT(filter, links_and_moves_across_the_filter_boundary, 300)
{
	char pub[96], cmd[256];
	__u64 before, node;
	int id;

	snprintf(pub, sizeof(pub), "%s.pub", self->back);
	ASSERT_EQ(0, mkdir(pub, 0777));
	ASSERT_EQ(0, chmod(pub, 0777));
	ASSERT_EQ(0, mkdir(bp("app1/sub"), 0755));
	ASSERT_EQ(0, chown(bp("app1/sub"), UID1, UID1));
	node = ftd_add_dir(self->d, FUSE_ROOT_ID, "pub", 0777);
	ASSERT_NE(0, node);
	id = ftd_backing_open_path(self->d, pub, O_PATH | O_DIRECTORY);
	ASSERT_LT(0, id);
	ASSERT_EQ(0, ftd_set_entry_backing(self->d, node, id,
					   FUSE_ENTRY_BACKING_SUBTREE));
	ASSERT_EQ(0, mkdir(mp("pub/d"), 0755));
	ftd_log_reset(self->d);

	before = calls(self->skel, FUSE_PT_FILTER_LINK);
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1,
				link(mp("data/app1/file"), mp2("pub/x"))));
	ASSERT_LT(before, calls(self->skel, FUSE_PT_FILTER_LINK));
	ASSERT_EQ(0, set_setting(self->skel, 2, -EPERM));
	ASSERT_EQ(EPERM, AS_USER_ID(UID1, UID1,
				    link(mp("data/app1/file"), mp2("pub/y"))));
	ASSERT_EQ(EPERM, AS_USER_ID(UID1, UID1,
				    rename(mp("data/app1/file"), mp2("pub/y"))));
	ASSERT_EQ(0, set_setting(self->skel, 2, 0));
	ASSERT_FALSE(exists(mp("pub/y")));

	ASSERT_EQ(EXDEV, AS_USER_ID(UID1, UID1,
				    rename(mp("data/app1/sub"), mp2("pub/sub"))));
	ASSERT_EQ(EXDEV, rename(mp("pub/d"), mp2("data/app1/d")) ? errno : 0);
	/* within the filtered subtree, and files: as natively */
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1,
				rename(mp("data/app1/sub"), mp2("data/app1/sub2"))));
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1,
				rename(mp("data/app1/file"), mp2("pub/file"))));
	ASSERT_EQ(0, calls(self->skel, 15));
	ASSERT_NO_REQUESTS();
	snprintf(cmd, sizeof(cmd), "rm -rf %s", pub);
	ASSERT_EQ(0, system(cmd));
}

/* bpftool shows the filter and changes its policy while it is in use */
TEST_F_TIMEOUT(filter, bpftool_shows_and_updates_the_filter, 300)
{
	char out[8192], key[1024];
	struct stat nst;
	int native;

	__u32 ops_id = map_id(self->skel->maps.fpt_filter);
	__u32 allow_id = map_id(self->skel->maps.fpt_allow);
	struct bpf_prog_info info = {};
	__u32 len = sizeof(info);

	ASSERT_NE(0, ops_id);
	ASSERT_NE(0, allow_id);
	ASSERT_EQ(0, bpftool(out, sizeof(out), "struct_ops show id %u", ops_id));
	ASSERT_NE(NULL, strstr(out, "fuse_pt_filter_ops"));
	ASSERT_EQ(0, bpf_prog_get_info_by_fd(bpf_program__fd(self->skel->progs.fpt_lookup),
					     &info, &len));
	ASSERT_EQ(0, bpftool(out, sizeof(out), "prog show id %u", info.id));
	ASSERT_NE(NULL, strstr(out, "struct_ops"));
	ASSERT_NE(NULL, strstr(out, "fpt_lookup"));

	ASSERT_EQ(ENOENT, AS_USER_ID(UID1, UID1, access(mp("data/app2"), F_OK)));
	key_hex(key, COOKIE, UID1, "app2");
	ASSERT_EQ(0, bpftool(out, sizeof(out),
			     "map update id %u key %s value hex 01 00 00 00",
			     allow_id, key))
		TH_LOG("%s", out);
	ASSERT_EQ(0, bpftool(out, sizeof(out), "map dump id %u", allow_id));
	ASSERT_NE(NULL, strstr(out, "\"app2\""));
	/* now as natively: app2 exists, and is 1002's (0700) */
	native = AS_USER_ID(UID1, UID1, stat(bp("app2"), &nst));
	ASSERT_EQ(native, AS_USER_ID(UID1, UID1, stat(mp("data/app2"), &nst)));
	ASSERT_EQ(step_as(UID1, S_STAT_BELOW, bp("app2"), NULL),
		  step_as(UID1, S_STAT_BELOW, mp("data/app2"), NULL));
	ASSERT_EQ(0, bpftool(out, sizeof(out), "map delete id %u key %s",
			     allow_id, key));
	ASSERT_EQ(ENOENT, AS_USER_ID(UID1, UID1, access(mp("data/app2"), F_OK)));
	ASSERT_NO_REQUESTS();
}

/* Unregistered while in use: everything below the top is refused */
TEST_F_TIMEOUT(filter, unregistered_filter_fails_closed, 300)
{
	char out[4096];
	int fd;

	fd = open(mp("data/app1/file"), O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(0, bpftool(out, sizeof(out), "struct_ops unregister id %u",
			     map_id(self->skel->maps.fpt_filter)));
	ASSERT_EQ(EACCES, AS_USER_ID(UID1, UID1, access(mp("data/app1"), F_OK)));
	ASSERT_EQ(EACCES, access(mp("data/app1"), F_OK) ? errno : 0);
	ASSERT_EQ(EACCES, access(mp("data/nothere"), F_OK) ? errno : 0);
	ASSERT_EQ(EACCES, mkdir(mp("data/x"), 0755) ? errno : 0);
	ASSERT_EQ(EACCES, list_as(0, mp("data"), out, sizeof(out)));
	/* an open file stays open, as natively after a chmod */
	ASSERT_EQ(4, read(fd, out, sizeof(out)));
	close(fd);

	/* registered again, the policy is back */
	filter_detach(self->skel, self->link);
	ASSERT_EQ(0, filter_attach(ftd_devfd(self->d), &self->skel,
				   &self->link));
	ASSERT_EQ(0, allow(self->skel, COOKIE, UID1, "app1"));
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1, access(mp("data/app1"), F_OK)));
	ASSERT_EQ(ENOENT, AS_USER_ID(UID1, UID1, access(mp("data/app2"), F_OK)));
	ASSERT_NO_REQUESTS();
}

/* Verdicts a filter may not give refuse the operation */
TEST_F_TIMEOUT(filter, bad_verdicts_fail_closed, 300)
{
	static const struct { __s32 verdict; int err; } cases[] = {
		{ 12345, EACCES },	/* unknown */
		{ -ESTALE, EACCES },	/* the VFS would retry */
		{ -ECHILD, EACCES },	/* RCU walk's */
		{ -600, EACCES },	/* outside the uapi's errnos */
		{ -4096, EACCES },
		{ -EPERM, EPERM },	/* a real errno is passed on */
		{ FUSE_PT_FILTER_HIDE, ENOENT },
	};
	char out[4096];
	unsigned int i;

	/* cached first: the verdict is asked again on revalidation */
	ASSERT_EQ(0, access(mp("data/app1"), F_OK));
	for (i = 0; i < ARRAY_SIZE(cases); i++) {
		int err;

		ASSERT_EQ(0, force_verdict(self->skel, cases[i].verdict));
		err = access(mp("data/app1"), F_OK) ? errno : 0;
		if (err != cases[i].err)
			TH_LOG("verdict %d: errno %d", cases[i].verdict, err);
		EXPECT_EQ(cases[i].err, err);
		err = AS_USER_ID(UID1, UID1, access(mp("data/app1"), F_OK));
		EXPECT_EQ(cases[i].err, err);
		/* a listing leaves out every entry it was not let through */
		ASSERT_EQ(0, list_as(0, mp("data"), out, sizeof(out)));
		EXPECT_STREQ("", out);
	}
	ASSERT_EQ(0, force_verdict(self->skel, 0));
	ASSERT_EQ(0, access(mp("data/app1"), F_OK));
	ASSERT_NO_REQUESTS();
}

static int drop_cap_sys_admin(void)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	data[0].effective &= ~(1U << CAP_SYS_ADMIN);
	data[0].permitted &= ~(1U << CAP_SYS_ADMIN);
	data[0].inheritable &= ~(1U << CAP_SYS_ADMIN);
	return syscall(SYS_capset, &hdr, data);
}

/* filter_attach() in a child: after dropping CAP_SYS_ADMIN, or as uid */
static int attach_in_child(int devfd, bool drop_admin, __u32 uid)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		struct fuse_filter_bpf *skel;
		struct bpf_link *link;
		int err;

		if (drop_admin && drop_cap_sys_admin())
			_exit(255);
		if (uid && (setgroups(0, NULL) || setgid(uid) || setuid(uid)))
			_exit(255);
		err = filter_attach(devfd, &skel, &link);
		filter_detach(skel, link);
		_exit(-err);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

/*
 * Who may register a filter, for which connection, and how many.  Seven
 * loads of the object: the verifier takes its time on the debug kernel
 * (nothing is timed).
 */
TEST_F_TIMEOUT(filter, registration_is_checked, 600)
{
	struct fuse_filter_bpf *skel;
	struct bpf_link *link;
	struct ftd_opts opts;
	struct ftd *plain;
	int fd;

	/* one per connection */
	ASSERT_EQ(-EBUSY, filter_attach(ftd_devfd(self->d), &skel, &link));
	/* the fd must be a mounted connection's /dev/fuse */
	ASSERT_EQ(-EBADF, filter_attach(-1, &skel, &link));
	fd = open("/dev/null", O_RDONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EINVAL, filter_attach(fd, &skel, &link));
	close(fd);
	fd = open("/dev/fuse", O_RDWR);
	ASSERT_LE(0, fd);
	ASSERT_EQ(-EINVAL, filter_attach(fd, &skel, &link));
	close(fd);
	/* a connection without directory passthrough has nothing to filter */
	ftd_opts_init(&opts);
	plain = ftd_new(&opts);
	ASSERT_NE(NULL, plain);
	ASSERT_EQ(0, ftd_mount(plain, NULL));
	ASSERT_EQ(-EOPNOTSUPP, filter_attach(ftd_devfd(plain), &skel, &link));
	ftd_destroy(plain);
	/* CAP_SYS_ADMIN, as for registering backing files */
	ASSERT_EQ(EPERM, attach_in_child(ftd_devfd(self->d), true, 0));
	/* an unprivileged user cannot even load it */
	ASSERT_EQ(EPERM, attach_in_child(ftd_devfd(self->d), false, UID1));
	/* the registered filter was not disturbed */
	ASSERT_EQ(ENOENT, AS_USER_ID(UID1, UID1, access(mp("data/app2"), F_OK)));
	ASSERT_EQ(0, AS_USER_ID(UID1, UID1, access(mp("data/app1"), F_OK)));
}

/* Hooks run under RCU: a sleepable program is refused at load */
TEST_F_TIMEOUT(filter, sleepable_programs_are_refused, 300)
{
	struct fuse_filter_bpf *skel = fuse_filter_bpf__open();

	ASSERT_NE(NULL, skel);
	skel->struct_ops.fpt_sleepy->fuse_fd = ftd_devfd(self->d);
	bpf_map__set_autocreate(skel->maps.fpt_filter, false);
	ASSERT_NE(0, fuse_filter_bpf__load(skel));
	fuse_filter_bpf__destroy(skel);
}

/* A reply may not ask for a filter without a subtree */
TEST_F_TIMEOUT(filter, filter_without_subtree_is_refused, 300)
{
	struct fuse_entry_backing_out out = {
		.flags = FUSE_ENTRY_BACKING_FILTER,
		.filter_cookie = 1,
	};
	__u64 node = ftd_add_dir(self->d, FUSE_ROOT_ID, "bad", 0755);

	ASSERT_NE(0, node);
	out.backing_id = ftd_backing_open_path(self->d, self->back,
					       O_PATH | O_DIRECTORY);
	ASSERT_LT(0, out.backing_id);
	ASSERT_EQ(0, ftd_set_entry_extra(self->d, node, &out, sizeof(out)));
	ASSERT_EQ(EIO, access(mp("bad"), F_OK) ? errno : 0);
	/* nor a cookie without the flag */
	out.flags = FUSE_ENTRY_BACKING_SUBTREE;
	ASSERT_EQ(0, ftd_set_entry_extra(self->d, node, &out, sizeof(out)));
	ASSERT_EQ(EIO, access(mp("bad"), F_OK) ? errno : 0);
}

/*
 * In a case-insensitive backing directory the program is passed the
 * folded name, so no other spelling of a name the backing filesystem
 * takes for the same (case, and what the encoding ignores) gets past it.
 */
TEST_F_TIMEOUT(filter, casefolded_names_are_compared_folded, 300)
{
	static const char *const spellings[] = {
		"%s", "%s\xe2\x80\x8b", "\xe2\x80\x8b%s", "%s\xc2\xad",
	};
	static const char *const app1[] = { "App1", "APP1", "app1" };
	static const char *const app2[] = { "App2", "APP2", "app2" };
	char cf[128], img[128], cmd[1024], name[64];
	char rel[128], got[2048];
	unsigned int i, j;
	__u64 node;

	snprintf(img, sizeof(img), "%s.img", self->back);
	snprintf(cf, sizeof(cf), "%s/cf", self->back);
	snprintf(cmd, sizeof(cmd),
		 "truncate -s 32M %s && mkfs.ext4 -q -F -O casefold %s && mkdir %s && mount -o loop %s %s && mkdir %s/d && chattr +F %s/d",
		 img, img, cf, img, cf, cf, cf);
	if (system(cmd)) {
		unlink(img);
		SKIP(return, "no casefolding ext4 (mkfs.ext4 -O casefold)");
	}
	strcat(cf, "/d");
	ASSERT_EQ(0, chmod(cf, 0777));
	snprintf(cmd, sizeof(cmd),
		 "mkdir %s/App1 %s/App2 && chown %d %s/App1 && chown %d %s/App2",
		 cf, cf, UID1, cf, UID2, cf);
	ASSERT_EQ(0, system(cmd));
	node = ftd_add_dir(self->d, FUSE_ROOT_ID, "cf", 0777);
	ASSERT_NE(0, node);
	ASSERT_EQ(0, bind_filtered(self->d, node, cf, 9));
	/* keys of a folded directory are folded names */
	ASSERT_EQ(0, allow(self->skel, 9, UID1, "app1"));

	for (i = 0; i < 3; i++) {
		for (j = 0; j < ARRAY_SIZE(spellings); j++) {
			char bpath[256];
			int native, via, missing;

			snprintf(name, sizeof(name), spellings[j], app1[i]);
			snprintf(rel, sizeof(rel), "cf/%s", name);
			snprintf(bpath, sizeof(bpath), "%s/%s", cf, name);
			native = step_as(UID1, S_STAT, bpath, NULL);
			via = step_as(UID1, S_STAT, mp(rel), NULL);
			if (native != via)
				TH_LOG("%s: %d, natively %d", rel, via, native);
			EXPECT_EQ(native, via);

			snprintf(name, sizeof(name), spellings[j], app2[i]);
			snprintf(rel, sizeof(rel), "cf/%s", name);
			via = step_as(UID1, S_STAT, mp(rel), NULL);
			missing = step_as(UID1, S_STAT, mp("cf/nothere"), NULL);
			if (missing != via)
				TH_LOG("%s: %d, a missing name %d", rel, via,
				       missing);
			EXPECT_EQ(missing, via);
			via = step_as(UID1, S_MKDIR, mp(rel), NULL);
			missing = step_as(UID1, S_MKDIR, mp("cf/nothere"), NULL);
			EXPECT_EQ(missing, via);
		}
	}
	ASSERT_EQ(0, list_as(UID1, mp("cf"), got, sizeof(got)));
	ASSERT_STREQ("App1", got);
	ftd_destroy(self->d);
	self->d = NULL;
	snprintf(cmd, sizeof(cmd), "%s/cf", self->back);
	umount2(cmd, MNT_DETACH);
	unlink(img);
}

TEST_HARNESS_MAIN
