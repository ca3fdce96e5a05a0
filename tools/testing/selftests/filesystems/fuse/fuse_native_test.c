// SPDX-License-Identifier: GPL-2.0
/*
 * Directory passthrough against the native result: every test does the
 * same steps twice, as the same unprivileged user, once on the backing
 * filesystem directly ("n", below the backing directory) and once through
 * the mount ("m", below the subtree root, whose backing directory sits
 * beside "n"), and compares what each step returned and what is left on
 * the backing filesystem.  Nothing here states an expected value of its
 * own: the backing filesystem is the oracle.
 *
 * A test runs in four phases, the same for both sides:
 *   prep   (root, on the backing path)   make the starting state;
 *   warm   (user, on the path tested)    look things up, so that the fuse
 *                                        side has cached dentries/inodes;
 *   change (root, on the backing path)   change the backing tree behind
 *                                        the mount's back;
 *   steps  (user, on the path tested)    the operations compared.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <pthread.h>
#include <sched.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <linux/capability.h>
#include <linux/falloc.h>
#include <linux/fs.h>
#include <linux/fscrypt.h>
#include <sys/ioctl.h>
#include <sys/mman.h>
#include <sys/mount.h>
#include <sys/stat.h>
#include <sys/statvfs.h>
#include <sys/sysmacros.h>
#include <sys/syscall.h>
#include <sys/time.h>
#include <sys/wait.h>
#include <sys/xattr.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"
#include "fuse_test_util.h"

#define MAX_STEPS	24
#define MAX_FILES	4

/* What one side's steps returned and left behind */
struct outcome {
	int n;
	int err[MAX_STEPS];		/* errno of each step, 0: success */
	long val[MAX_STEPS];		/* a value a step recorded */
};

/* Record the errno of one step (expr non-zero on failure) */
#define STEP(o, expr) do {						\
	struct outcome *__o = (o);					\
	errno = 0;							\
	__o->err[__o->n++] = (expr) ? (errno ? errno : -1) : 0;		\
} while (0)

/* Record a value (a mode, a size, a lock type...) of the last step */
static inline void record(struct outcome *o, long v)
{
	o->val[o->n - 1] = v;
}

#define VALUE(o, v)	record(o, (long)(v))

typedef void (*phase_fn)(const char *base, struct outcome *o);

/* The backing path of the side being run (for steps acting behind it) */
static const char *cur_backing;

struct scenario {
	phase_fn prep;			/* root, backing path */
	phase_fn warm;			/* user, tested path */
	phase_fn change;		/* root, backing path */
	phase_fn steps;			/* user, tested path */
	/* files (relative to base) whose backing state is compared after */
	const char *files[MAX_FILES];
	/* run warm and steps as root instead of the user */
	bool as_root;
	/* both sides are one backing directory: prep and change once */
	bool one_backing;
};

static char *path_in(const char *base, const char *rel)
{
	static char buf[4][PATH_MAX];
	static int i;

	i = (i + 1) % 4;
	snprintf(buf[i], PATH_MAX, "%s/%s", base, rel);
	return buf[i];
}

#define P(rel)	path_in(base, rel)

/* Run fn(base, o) in a child as the user (or root), o shared with us */
static int run_phase(phase_fn fn, const char *base, struct outcome *o,
		     bool as_user)
{
	pid_t pid;
	int status;

	if (!fn)
		return 0;
	pid = fork();
	if (pid < 0)
		return -1;
	if (!pid) {
		if (as_user && (setgroups(0, NULL) || setgid(GROUP_ID) ||
				setuid(USER_ID)))
			_exit(255);
		umask(022);
		fn(base, o);
		_exit(0);
	}
	if (waitpid(pid, &status, 0) != pid || !WIFEXITED(status) ||
	    WEXITSTATUS(status))
		return -1;
	return 0;
}

FIXTURE(native) {
	struct ftd *d;
	char back[64];
	char robind[64];
	char rbind[64];
	char xbind[64];
	char path[4][PATH_MAX];
	__u64 tree, rotree, rtree, xtree;
	struct outcome *out;		/* shared: [0] native, [1] mount */
};

#define mp(rel)		join(self->path[0], ftd_mnt(self->d), rel)
#define bp(rel)		join(self->path[1], self->back, rel)

static int bind_subtree(struct ftd *d, __u64 node, const char *dir)
{
	int id = ftd_backing_open_path(d, dir, O_PATH | O_DIRECTORY);

	if (id <= 0)
		return -1;
	return ftd_set_entry_backing(d, node, id, FUSE_ENTRY_BACKING_SUBTREE);
}

/* back/sub bind-mounted on a new /tmp directory (tmpl) with flags */
static int restricted_bind(const char *back, const char *sub, char *tmpl,
			   unsigned long flags)
{
	char dir[PATH_MAX];

	snprintf(dir, sizeof(dir), "%s/%s", back, sub);
	snprintf(tmpl, 64, "/tmp/fnt-%s.XXXXXX", sub);
	if (mkdir(dir, 0777) || chmod(dir, 0777) || !mkdtemp(tmpl))
		return -1;
	if (mount(dir, tmpl, NULL, MS_BIND, NULL))
		return -1;
	return mount(NULL, tmpl, NULL, MS_BIND | MS_REMOUNT | flags, NULL);
}

FIXTURE_SETUP(native)
{
	struct ftd_opts opts;

	ASSERT_EQ(0, ftd_private_mntns());
	snprintf(self->back, sizeof(self->back), "/tmp/fnt-back.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->back));
	ASSERT_EQ(0, chmod(self->back, 0777));
	ASSERT_EQ(0, mkdir(bp("ro"), 0777));
	snprintf(self->robind, sizeof(self->robind), "/tmp/fnt-ro.XXXXXX");
	ASSERT_NE(NULL, mkdtemp(self->robind));
	ASSERT_EQ(0, mount(bp("ro"), self->robind, NULL, MS_BIND, NULL));
	ASSERT_EQ(0, mount(NULL, self->robind, NULL,
			   MS_BIND | MS_REMOUNT | MS_RDONLY, NULL));
	/* a nodev,nosuid one of back/r and a noexec one of back/x */
	ASSERT_EQ(0, restricted_bind(self->back, "r", self->rbind,
				     MS_NODEV | MS_NOSUID));
	ASSERT_EQ(0, restricted_bind(self->back, "x", self->xbind, MS_NOEXEC));

	self->out = mmap(NULL, 2 * sizeof(struct outcome),
			 PROT_READ | PROT_WRITE, MAP_SHARED | MAP_ANONYMOUS,
			 -1, 0);
	ASSERT_NE(MAP_FAILED, self->out);

	ftd_opts_init(&opts);
	/* KILLPRIV_V2 makes the sb SB_NOSEC: S_NOSEC must be mirrored */
	opts.init_flags = FUSE_PASSTHROUGH | FUSE_PASSTHROUGH_DIR |
			  FUSE_HANDLE_KILLPRIV_V2;
	opts.max_stack_depth = 1;
	opts.allow_other = true;
	opts.root_mode = 0777;
	opts.entry_timeout_ms = 3600 * 1000;
	opts.attr_timeout_ms = 3600 * 1000;
	self->d = ftd_new(&opts);
	ASSERT_NE(NULL, self->d);
	self->tree = ftd_add_dir(self->d, FUSE_ROOT_ID, "tree", 0777);
	self->rotree = ftd_add_dir(self->d, FUSE_ROOT_ID, "rotree", 0777);
	self->rtree = ftd_add_dir(self->d, FUSE_ROOT_ID, "rtree", 0777);
	self->xtree = ftd_add_dir(self->d, FUSE_ROOT_ID, "xtree", 0777);
	ASSERT_EQ(0, ftd_mount(self->d, NULL));
	if (!ftd_kernel_offers(self->d, FUSE_PASSTHROUGH_DIR)) {
		ftd_destroy(self->d);
		SKIP(return, "kernel does not offer FUSE_PASSTHROUGH_DIR");
	}
	ASSERT_EQ(0, bind_subtree(self->d, self->tree, self->back));
	ASSERT_EQ(0, bind_subtree(self->d, self->rotree, self->robind));
	ASSERT_EQ(0, bind_subtree(self->d, self->rtree, self->rbind));
	ASSERT_EQ(0, bind_subtree(self->d, self->xtree, self->xbind));
	ASSERT_TRUE(exists(mp("tree")));
	ASSERT_TRUE(exists(mp("rotree")));
	ASSERT_TRUE(exists(mp("rtree")));
	ASSERT_TRUE(exists(mp("xtree")));
	ftd_log_reset(self->d);
}

FIXTURE_TEARDOWN(native)
{
	char cmd[PATH_MAX + 64];

	ftd_destroy(self->d);
	umount2(self->robind, MNT_DETACH);
	rmdir(self->robind);
	umount2(self->rbind, MNT_DETACH);
	rmdir(self->rbind);
	umount2(self->xbind, MNT_DETACH);
	rmdir(self->xbind);
	/* append-only and immutable files would stop rm */
	snprintf(cmd, sizeof(cmd),
		 "chattr -R -a -i %s 2>/dev/null; rm -rf %s", self->back,
		 self->back);
	if (system(cmd))
		TH_LOG("could not remove %s", self->back);
}

static void log_outcome(struct __test_metadata *_metadata, const char *who,
			const struct outcome *o)
{
	char line[512];
	int i, len = 0;

	for (i = 0; i < o->n; i++)
		len += snprintf(line + len, sizeof(line) - len, " %d:%s/%ld", i,
				o->err[i] ? strerror(o->err[i]) : "ok",
				o->val[i]);
	TH_LOG("%s:%s", who, line);
}

/*
 * Run a scenario on both sides: natively below nbase (a backing path),
 * through the mount below mbase, whose backing path is mback.
 */
/* FIXTURE_DATA(native) */
static void compare_native(struct __test_metadata *_metadata,
			   struct _test_data_native *self,
			   const struct scenario *s, const char *nbase,
			   const char *mbase, const char *mback)
{
	struct outcome *nat = &self->out[0], *mnt = &self->out[1];
	struct stat nst, mst;
	bool user = !s->as_root;
	int i;

	memset(self->out, 0, 2 * sizeof(*self->out));
	if (!s->one_backing)
		ASSERT_EQ(0, run_phase(s->prep, nbase, nat, false));
	ASSERT_EQ(0, run_phase(s->prep, mback, mnt, false));
	ASSERT_EQ(0, run_phase(s->warm, nbase, nat, user));
	ASSERT_EQ(0, run_phase(s->warm, mbase, mnt, user));
	if (!s->one_backing)
		ASSERT_EQ(0, run_phase(s->change, nbase, nat, false));
	ASSERT_EQ(0, run_phase(s->change, mback, mnt, false));
	memset(self->out, 0, 2 * sizeof(*self->out));
	cur_backing = nbase;
	ASSERT_EQ(0, run_phase(s->steps, nbase, nat, user));
	cur_backing = mback;
	ASSERT_EQ(0, run_phase(s->steps, mbase, mnt, user));

	if (memcmp(nat, mnt, sizeof(*nat))) {
		log_outcome(_metadata, "native", nat);
		log_outcome(_metadata, "mount ", mnt);
	}
	ASSERT_EQ(nat->n, mnt->n);
	for (i = 0; i < nat->n; i++) {
		EXPECT_EQ(nat->err[i], mnt->err[i]) TH_LOG("step %d", i);
		EXPECT_EQ(nat->val[i], mnt->val[i]) TH_LOG("step %d value", i);
	}
	for (i = 0; i < MAX_FILES && s->files[i]; i++) {
		char npath[PATH_MAX], mpath[PATH_MAX];
		int nerr, merr;

		snprintf(npath, sizeof(npath), "%s/%s", nbase, s->files[i]);
		snprintf(mpath, sizeof(mpath), "%s/%s", mback, s->files[i]);
		nerr = lstat(npath, &nst) ? errno : 0;
		merr = lstat(mpath, &mst) ? errno : 0;
		EXPECT_EQ(nerr, merr) TH_LOG("%s exists", s->files[i]);
		if (nerr || merr)
			continue;
		EXPECT_EQ(nst.st_mode, mst.st_mode) TH_LOG("%s mode", s->files[i]);
		EXPECT_EQ(nst.st_uid, mst.st_uid) TH_LOG("%s owner", s->files[i]);
		EXPECT_EQ(nst.st_gid, mst.st_gid) TH_LOG("%s group", s->files[i]);
		EXPECT_EQ(nst.st_size, mst.st_size) TH_LOG("%s size", s->files[i]);
	}
}

/* Both sides in the read-write subtree: n and m below the backing dir */
#define COMPARE(s) do {							\
	char __n[PATH_MAX], __m[PATH_MAX], __b[PATH_MAX];		\
	snprintf(__n, PATH_MAX, "%s", bp("n"));				\
	snprintf(__m, PATH_MAX, "%s", mp("tree/m"));			\
	snprintf(__b, PATH_MAX, "%s", bp("m"));				\
	compare_native(_metadata, self, &(s), __n, __m, __b);		\
	ASSERT_NO_REQUESTS();						\
} while (0)

/*
 * Both sides below one bind mount of back/sub: natively through the bind
 * mount at bind, through the mount below the subtree tree bound to it.
 */
static void compare_bound(struct __test_metadata *_metadata,
			  struct _test_data_native *self,
			  const struct scenario *s, const char *bind,
			  const char *tree, const char *sub)
{
	char m[PATH_MAX], b[PATH_MAX];

	snprintf(m, sizeof(m), "%s", mp(tree));
	snprintf(b, sizeof(b), "%s", bp(sub));
	compare_native(_metadata, self, s, bind, m, b);
	ASSERT_NO_REQUESTS();
}

/*
 * Natively below back/n, through the mount below tree/m (backing back/m):
 * both sides in the read-write subtree.
 */
static void compare_in_tree(struct __test_metadata *_metadata,
			    struct _test_data_native *self,
			    const struct scenario *s, const char *n,
			    const char *m)
{
	char nb[PATH_MAX], mt[PATH_MAX], mb[PATH_MAX], rel[PATH_MAX];

	snprintf(rel, sizeof(rel), "tree/%s", m);
	snprintf(nb, sizeof(nb), "%s", bp(n));
	snprintf(mt, sizeof(mt), "%s", mp(rel));
	snprintf(mb, sizeof(mb), "%s", bp(m));
	compare_native(_metadata, self, s, nb, mt, mb);
}

static long file_mode(const char *path)
{
	struct stat st;

	return lstat(path, &st) ? -1 : (long)st.st_mode;
}

/* -- setgid of a file whose group the caller is not in (issue 9.1) -- */

static void sgid_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || chown(base, 0, 500) || chmod(base, 02777))
		_exit(1);
}

static void sgid_chmod_steps(const char *base, struct outcome *o)
{
	STEP(o, put_file(P("f"), "f\n", 0644));
	VALUE(o, file_mode(P("f")));
	STEP(o, chmod(P("f"), 02755));
	VALUE(o, file_mode(P("f")));
	STEP(o, chmod(P("f"), 02700));
	VALUE(o, file_mode(P("f")));
}

TEST_F(native, chmod_by_non_member_clears_setgid)
{
	struct scenario s = {
		.prep = sgid_prep, .steps = sgid_chmod_steps, .files = { "f" },
	};

	COMPARE(s);
}

/* system.posix_acl_access: user::rwx group::rwx other::r-x */
static const unsigned char acl_775[] = {
	2, 0, 0, 0,
	0x01, 0, 0x07, 0, 0xff, 0xff, 0xff, 0xff,
	0x04, 0, 0x07, 0, 0xff, 0xff, 0xff, 0xff,
	0x20, 0, 0x05, 0, 0xff, 0xff, 0xff, 0xff,
};

static void sgid_acl_prep(const char *base, struct outcome *o)
{
	sgid_prep(base, o);
	if (put_file(P("f"), "f\n", 0644) || chown(P("f"), USER_ID, 500) ||
	    chmod(P("f"), 02770))
		_exit(1);
}

static void sgid_acl_steps(const char *base, struct outcome *o)
{
	STEP(o, setxattr(P("f"), "system.posix_acl_access", acl_775,
			 sizeof(acl_775), 0));
	VALUE(o, file_mode(P("f")));
}

TEST_F(native, setfacl_by_non_member_clears_setgid)
{
	struct scenario s = {
		.prep = sgid_acl_prep, .steps = sgid_acl_steps,
		.files = { "f" },
	};

	COMPARE(s);
}

/* -- append-only and immutable backing files (issue 9.2) -- */

static int set_iflags(const char *path, int flags)
{
	int fd = open(path, O_RDONLY), ret;

	if (fd < 0)
		return -1;
	ret = ioctl(fd, FS_IOC_SETFLAGS, &flags);
	close(fd);
	return ret;
}

static void flags_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || put_file(P("a"), "append\n", 0666) ||
	    put_file(P("i"), "immutable\n", 0666) || chmod(P("a"), 0666) ||
	    chmod(P("i"), 0666))
		_exit(1);
}

static void flags_warm(const char *base, struct outcome *o)
{
	file_mode(P("a"));
	file_mode(P("i"));
}

static void flags_change(const char *base, struct outcome *o)
{
	if (set_iflags(P("a"), FS_APPEND_FL) ||
	    set_iflags(P("i"), FS_IMMUTABLE_FL))
		_exit(1);
}

static void flags_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, truncate(P("a"), 0));
	STEP(o, (fd = open(P("a"), O_WRONLY)) < 0);
	if (fd >= 0)
		close(fd);
	STEP(o, (fd = open(P("a"), O_WRONLY | O_APPEND)) < 0);
	if (fd >= 0) {
		STEP(o, fcntl(fd, F_SETFL, 0));
		STEP(o, write(fd, "x\n", 2) != 2);
		close(fd);
	}
	STEP(o, unlink(P("a")));
	STEP(o, chmod(P("a"), 0600));
	STEP(o, (fd = open(P("i"), O_WRONLY | O_APPEND)) < 0);
	if (fd >= 0)
		close(fd);
	STEP(o, utimes(P("i"), NULL));
	STEP(o, rename(P("i"), P("i2")));
	STEP(o, setxattr(P("i"), "user.x", "1", 1, 0));
}

TEST_F(native, append_only_and_immutable_hold)
{
	struct scenario s = {
		.prep = flags_prep, .warm = flags_warm, .change = flags_change,
		.steps = flags_steps, .files = { "a", "i", "i2" },
	};

	COMPARE(s);
}

/* -- a backing directory on a read-only mount (issue 9.3) -- */

static void ro_prep(const char *base, struct outcome *o)
{
	if (put_file(P("f"), "f\n", 0666) || mkdir(P("d"), 0777) ||
	    chmod(P("f"), 0666) || chmod(P("d"), 0777))
		_exit(1);
}

static void ro_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, (fd = open(P("new"), O_WRONLY | O_CREAT, 0644)) < 0);
	if (fd >= 0)
		close(fd);
	STEP(o, mkdir(P("newdir"), 0755));
	STEP(o, unlink(P("f")));
	STEP(o, rmdir(P("d")));
	STEP(o, rename(P("f"), P("g")));
	STEP(o, link(P("f"), P("h")));
	STEP(o, symlink("f", P("s")));
	STEP(o, mknod(P("fifo"), S_IFIFO | 0644, 0));
	STEP(o, chmod(P("f"), 0600));
	STEP(o, chown(P("f"), 0, 0));
	STEP(o, truncate(P("f"), 0));
	STEP(o, utimes(P("f"), NULL));
	STEP(o, setxattr(P("f"), "user.x", "1", 1, 0));
	STEP(o, removexattr(P("f"), "user.x"));
	STEP(o, (fd = open(P("f"), O_WRONLY)) < 0);
	if (fd >= 0)
		close(fd);
	STEP(o, (fd = open(P("."), O_TMPFILE | O_WRONLY, 0600)) < 0);
	if (fd >= 0)
		close(fd);
}

TEST_F(native, read_only_backing_mount_is_read_only)
{
	struct scenario s = {
		.prep = ro_prep, .steps = ro_steps, .as_root = true,
		.one_backing = true,
		.files = { "f", "d", "new", "g" },
	};

	compare_bound(_metadata, self, &s, self->robind, "rotree", "ro");
}

/* -- decisions on attributes changed behind the mount's back (9.4) -- */

static void sticky_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || chmod(base, 01777))
		_exit(1);
}

static void sticky_warm(const char *base, struct outcome *o)
{
	put_file(P("mine"), "m\n", 0666);
	put_file(P("mine2"), "m\n", 0666);
	mkdir(P("mydir"), 0777);
}

static void sticky_change(const char *base, struct outcome *o)
{
	if (chown(P("mine"), 0, 0) || chown(P("mine2"), 0, 0) ||
	    chown(P("mydir"), 0, 0) || chmod(P("mydir"), 0755))
		_exit(1);
}

static void sticky_steps(const char *base, struct outcome *o)
{
	STEP(o, unlink(P("mine")));
	STEP(o, rename(P("mine2"), P("moved")));
	STEP(o, chmod(P("mydir"), 0777));
	STEP(o, setxattr(P("mydir"), "system.posix_acl_access", acl_775,
			 sizeof(acl_775), 0));
	STEP(o, mkdir(P("mydir/sub"), 0755));
}

TEST_F(native, sticky_and_owner_checks_see_backing_changes)
{
	struct scenario s = {
		.prep = sticky_prep, .warm = sticky_warm,
		.change = sticky_change, .steps = sticky_steps,
		.files = { "mine", "mine2", "moved", "mydir" },
	};

	COMPARE(s);
}

/* -- setuid/setgid and fallocate (issue 9.5) -- */

static void suid_prep(const char *base, struct outcome *o)
{
	char buf[16384];

	memset(buf, 'x', sizeof(buf) - 1);
	buf[sizeof(buf) - 1] = 0;
	if (mkdir(base, 0777) || put_file(P("f"), buf, 0666) ||
	    chmod(P("f"), 06777) || put_file(P("g"), buf, 0666) ||
	    chmod(P("g"), 06777))
		_exit(1);
}

static void suid_fallocate_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, (fd = open(P("f"), O_RDWR)) < 0);
	STEP(o, fallocate(fd, FALLOC_FL_PUNCH_HOLE | FALLOC_FL_KEEP_SIZE,
			  0, 4096));
	VALUE(o, file_mode(P("f")));
	close(fd);
	STEP(o, (fd = open(P("g"), O_RDWR)) < 0);
	STEP(o, fallocate(fd, FALLOC_FL_ZERO_RANGE, 0, 4096));
	VALUE(o, file_mode(P("g")));
	close(fd);
}

TEST_F(native, fallocate_by_user_clears_setuid_as_natively)
{
	struct scenario s = {
		.prep = suid_prep, .steps = suid_fallocate_steps,
		.files = { "f", "g" },
	};

	COMPARE(s);
}

/* -- F_GETLK reports, it does not lock (issue 9.9) -- */

static void lock_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || put_file(P("f"), "lock me\n", 0666) ||
	    chmod(P("f"), 0666))
		_exit(1);
}

/* In a child: F_SETLK of the whole file; its errno */
static int try_lock_elsewhere(const char *path, short type)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		struct flock fl = { .l_type = type, .l_whence = SEEK_SET };
		int fd = open(path, O_RDWR);

		_exit(fd < 0 ? 100 : fcntl(fd, F_SETLK, &fl) ? errno : 0);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status);
}

static void getlk_steps(const char *base, struct outcome *o)
{
	struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET };
	int fd, err;

	STEP(o, (fd = open(P("f"), O_RDWR)) < 0);
	STEP(o, fcntl(fd, F_GETLK, &fl));
	VALUE(o, fl.l_type);
	/* nobody holds a lock: another process can take one */
	err = try_lock_elsewhere(P("f"), F_WRLCK);
	STEP(o, err);
	VALUE(o, err);
	fl = (struct flock){ .l_type = F_WRLCK, .l_whence = SEEK_SET };
	STEP(o, fcntl(fd, F_OFD_GETLK, &fl));
	VALUE(o, fl.l_type);
	err = try_lock_elsewhere(P("f"), F_WRLCK);
	STEP(o, err);
	VALUE(o, err);
	/* now hold one and ask from elsewhere */
	fl = (struct flock){ .l_type = F_RDLCK, .l_whence = SEEK_SET };
	STEP(o, fcntl(fd, F_SETLK, &fl));
	err = try_lock_elsewhere(P("f"), F_WRLCK);
	STEP(o, err);
	VALUE(o, err);
	err = try_lock_elsewhere(P("f"), F_RDLCK);
	STEP(o, err);
	VALUE(o, err);
	close(fd);
	err = try_lock_elsewhere(P("f"), F_WRLCK);
	STEP(o, err);
	VALUE(o, err);
}

TEST_F(native, getlk_tests_and_takes_no_lock)
{
	struct scenario s = { .prep = lock_prep, .steps = getlk_steps };

	COMPARE(s);
}

/* -- POSIX locks racing close (issue 9.12) -- */

struct lock_race {
	int fd;
	int spare;
	int stop;		/* __atomic */
};

static void *lock_loop(void *arg)
{
	struct lock_race *r = arg;
	int i;

	for (i = 0; i < 3000 && !__atomic_load_n(&r->stop, __ATOMIC_RELAXED);
	     i++) {
		struct flock fl = { .l_type = F_WRLCK, .l_whence = SEEK_SET,
				    .l_len = 1 };

		fcntl(r->fd, F_SETLK, &fl);
	}
	__atomic_store_n(&r->stop, 1, __ATOMIC_RELAXED);
	return NULL;
}

static void lock_race_steps(const char *base, struct outcome *o)
{
	struct lock_race r = { 0 };
	pthread_t t;
	int i, err;

	r.fd = open(P("f"), O_RDWR);
	STEP(o, r.fd < 0);
	STEP(o, pthread_create(&t, NULL, lock_loop, &r));
	for (i = 0; i < 3000 && !__atomic_load_n(&r.stop, __ATOMIC_RELAXED);
	     i++) {
		int fd = open(P("f"), O_RDWR);

		if (fd < 0)
			break;
		/* replaces, and so closes, the file the other thread locks */
		dup2(fd, r.fd);
		close(fd);
	}
	__atomic_store_n(&r.stop, 1, __ATOMIC_RELAXED);
	pthread_join(t, NULL);
	close(r.fd);
	/* every file is closed: no lock of ours may be left */
	err = try_lock_elsewhere(P("f"), F_WRLCK);
	STEP(o, err);
	VALUE(o, err);
	STEP(o, system("cat /proc/locks > /dev/null"));
}

/* bounded loops; the debug kernel is slow */
TEST_F_TIMEOUT(native, posix_locks_racing_close_are_not_leaked, 300)
{
	struct scenario s = { .prep = lock_prep, .steps = lock_race_steps };

	COMPARE(s);
}

/* -- unlink frees the space (issue 9.10) -- */

#define BIG_MB	32

static void space_steps(const char *base, struct outcome *o)
{
	static char buf[1 << 20];
	struct statvfs before, full, after;
	int fd, i;

	memset(buf, 'z', sizeof(buf));
	STEP(o, statvfs(base, &before));
	STEP(o, (fd = open(P("big"), O_WRONLY | O_CREAT, 0644)) < 0);
	for (i = 0; i < BIG_MB && fd >= 0; i++)
		if (write(fd, buf, sizeof(buf)) != sizeof(buf))
			break;
	VALUE(o, i);
	if (fd >= 0)
		close(fd);
	STEP(o, statvfs(base, &full));
	/* the data took the space */
	VALUE(o, (before.f_bfree - full.f_bfree) * before.f_bsize >=
		 (BIG_MB - 1) << 20);
	STEP(o, unlink(P("big")));
	STEP(o, statvfs(base, &after));
	/* and unlink gave it back */
	VALUE(o, (after.f_bfree - full.f_bfree) * before.f_bsize >=
		 (BIG_MB - 1) << 20);
}

static void space_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777))
		_exit(1);
}

TEST_F(native, unlink_frees_the_space)
{
	struct scenario s = { .prep = space_prep, .steps = space_steps,
			      .files = { "big" } };

	COMPARE(s);
}

/* -- smaller results (issue 9.16) -- */

static void dir_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || put_file(P("x"), "x", 0644) ||
	    put_file(P("y"), "y", 0644) || mkdir(P("z"), 0755))
		_exit(1);
}

static int count_entries(int fd)
{
	char buf[4096];
	long n, total = 0;

	while ((n = syscall(SYS_getdents64, fd, buf, sizeof(buf))) > 0) {
		long off;

		for (off = 0; off < n;
		     off += ((unsigned short *)(buf + off + 16))[0])
			total++;
	}
	return n < 0 ? -1 : total;
}

static void rewind_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, (fd = open(base, O_RDONLY | O_DIRECTORY)) < 0);
	STEP(o, 0);
	VALUE(o, count_entries(fd));
	STEP(o, lseek(fd, 0, SEEK_SET) != 0);
	VALUE(o, count_entries(fd));
	close(fd);
}

TEST_F(native, rewinddir_lists_again)
{
	struct scenario s = { .prep = dir_prep, .steps = rewind_steps };

	COMPARE(s);
}

/* -- ftruncate() of a file made append-only after open (review) -- */

static void ftrunc_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, (fd = open(P("a"), O_WRONLY)) < 0);
	/* behind the mount's back, with the file open */
	STEP(o, set_iflags(path_in(cur_backing, "a"), FS_APPEND_FL));
	STEP(o, ftruncate(fd, 0));
	STEP(o, ftruncate(fd, 100));
	close(fd);
}

TEST_F(native, ftruncate_after_chattr_append_fails)
{
	struct scenario s = {
		.prep = flags_prep, .steps = ftrunc_steps, .as_root = true,
		.files = { "a" },
	};

	COMPARE(s);
}

/* -- writes clear setuid set behind the mount's back (review: S_NOSEC) -- */

static void nosec_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || put_file(P("f"), "data\n", 0666) ||
	    chmod(P("f"), 0666))
		_exit(1);
}

static void nosec_warm(const char *base, struct outcome *o)
{
	/* a write finds nothing to clear: the fuse inode may get S_NOSEC */
	put_file(P("f"), "warm\n", 0666);
}

static void nosec_change(const char *base, struct outcome *o)
{
	if (chmod(P("f"), 06777))
		_exit(1);
}

static void nosec_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, (fd = open(P("f"), O_WRONLY | O_APPEND)) < 0);
	STEP(o, write(fd, "x\n", 2) != 2);
	close(fd);
	VALUE(o, file_mode(P("f")));
}

TEST_F(native, write_clears_setuid_set_behind_the_mount)
{
	struct scenario s = {
		.prep = nosec_prep, .warm = nosec_warm,
		.change = nosec_change, .steps = nosec_steps,
		.files = { "f" },
	};

	COMPARE(s);
}

/* -- noexec, nodev of the backing mount hold (review) -- */

static int exec_errno(const char *path)
{
	pid_t pid = fork();
	int status;

	if (!pid) {
		int fd = open("/dev/null", O_WRONLY);

		dup2(fd, 1);
		execl(path, path, (char *)NULL);
		_exit(100 + errno);
	}
	if (pid < 0 || waitpid(pid, &status, 0) != pid || !WIFEXITED(status))
		return -1;
	return WEXITSTATUS(status) >= 100 ? WEXITSTATUS(status) - 100 : 0;
}

static void noexec_prep(const char *base, struct outcome *o)
{
	char cmd[PATH_MAX * 3];

	snprintf(cmd, sizeof(cmd), "cp /bin/true %s/true && chmod 755 %s/true",
		 base, base);
	if (system(cmd))
		_exit(1);
}

static void noexec_steps(const char *base, struct outcome *o)
{
	int fd, err;

	STEP(o, access(P("true"), X_OK));
	err = exec_errno(P("true"));
	STEP(o, err);
	VALUE(o, err);
	STEP(o, (fd = open(P("true"), O_RDONLY)) < 0);
	if (fd >= 0) {
		void *p = mmap(NULL, 4096, PROT_READ | PROT_EXEC, MAP_PRIVATE,
			       fd, 0);

		STEP(o, p == MAP_FAILED);
		if (p != MAP_FAILED)
			munmap(p, 4096);
		p = mmap(NULL, 4096, PROT_READ, MAP_PRIVATE, fd, 0);
		STEP(o, p == MAP_FAILED);
		if (p != MAP_FAILED) {
			STEP(o, mprotect(p, 4096, PROT_READ | PROT_EXEC));
			munmap(p, 4096);
		}
		close(fd);
	}
}

TEST_F(native, noexec_of_the_backing_mount_holds)
{
	struct scenario s = {
		.prep = noexec_prep, .steps = noexec_steps, .one_backing = true,
	};

	compare_bound(_metadata, self, &s, self->xbind, "xtree", "x");
}

static void nodev_prep(const char *base, struct outcome *o)
{
	if (mknod(P("null"), S_IFCHR | 0666, makedev(1, 3)) ||
	    chmod(P("null"), 0666))
		_exit(1);
}

static void nodev_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, (fd = open(P("null"), O_RDONLY)) < 0);
	if (fd >= 0)
		close(fd);
	STEP(o, (fd = open(P("null"), O_WRONLY)) < 0);
	if (fd >= 0)
		close(fd);
	VALUE(o, file_mode(P("null")));
}

TEST_F(native, nodev_of_the_backing_mount_holds)
{
	struct scenario s = {
		.prep = nodev_prep, .steps = nodev_steps, .one_backing = true,
	};

	compare_bound(_metadata, self, &s, self->rbind, "rtree", "r");
}

/*
 * nosuid of the backing mount: natively a setuid file runs without the
 * privilege; the fuse mount's exec path cannot be told, so it is refused
 * there.  Either way the caller never runs with another euid.
 */
TEST_F(native, setuid_file_of_a_nosuid_backing_mount_gives_no_privilege)
{
	char cmd[PATH_MAX * 3];
	int nat, mnt;

	snprintf(cmd, sizeof(cmd), "cp /usr/bin/id %s/id && chmod 4755 %s/id",
		 bp("r"), bp("r"));
	ASSERT_EQ(0, system(cmd));
	snprintf(cmd, sizeof(cmd), "test \"$(%s/id -u)\" = %d", self->rbind,
		 USER_ID);
	nat = AS_USER(system(cmd));
	EXPECT_EQ(0, nat);
	snprintf(cmd, sizeof(cmd), "%s/id -u > /dev/null 2>&1", mp("rtree"));
	mnt = AS_USER(system(cmd));
	/* refused (exit status of the shell: 126), never run as root */
	EXPECT_NE(0, mnt);
	snprintf(cmd, sizeof(cmd), "test \"$(%s/id -u 2>/dev/null)\" != 0",
		 mp("rtree"));
	EXPECT_EQ(0, AS_USER(system(cmd)));
	ASSERT_NO_REQUESTS();
}

/* The same for file capabilities (cap_net_bind_service, effective) */
TEST_F(native, file_caps_of_a_nosuid_backing_mount_give_no_privilege)
{
	/* struct vfs_cap_data, revision 2, effective, CAP_NET_BIND_SERVICE */
	const unsigned int caps[5] = { 0x02000001, 1 << 10, 0, 0, 0 };
	char cmd[PATH_MAX * 3];

	snprintf(cmd, sizeof(cmd), "cp /bin/true %s/captrue", bp("r"));
	ASSERT_EQ(0, system(cmd));
	if (setxattr(bp("r/captrue"), "security.capability", caps,
		     sizeof(caps), 0))
		SKIP(return, "no security.capability on the backing fs");
	/* natively it runs, without the capability */
	snprintf(cmd, sizeof(cmd), "%s/captrue", self->rbind);
	EXPECT_EQ(0, AS_USER((errno = exec_errno(cmd)) != 0));
	/* through the mount it is refused, never run with it */
	snprintf(cmd, sizeof(cmd), "%s", mp("rtree/captrue"));
	EXPECT_EQ(EPERM, AS_USER((errno = exec_errno(cmd)) != 0));
	ASSERT_NO_REQUESTS();
}

/* -- a file executing from the backing tree cannot be written (review) -- */

static void txt_prep(const char *base, struct outcome *o)
{
	char cmd[PATH_MAX * 3];

	snprintf(cmd, sizeof(cmd),
		 "mkdir -m 777 %s && cp /bin/cat %s/prog && chmod 777 %s/prog",
		 base, base, base);
	if (system(cmd))
		_exit(1);
}

static void txt_steps(const char *base, struct outcome *o)
{
	int pipefd[2], fd;
	pid_t pid;

	/* run it from the backing path; it waits on the pipe */
	if (pipe(pipefd))
		_exit(1);
	pid = fork();
	if (!pid) {
		dup2(pipefd[0], 0);
		close(pipefd[1]);
		execl(path_in(cur_backing, "prog"), "prog", (char *)NULL);
		_exit(1);
	}
	close(pipefd[0]);
	/* wait until it runs the program: its exe link names it */
	for (int i = 0; i < 100000; i++) {
		char exe[64], target[PATH_MAX] = "";

		snprintf(exe, sizeof(exe), "/proc/%d/exe", pid);
		if (readlink(exe, target, sizeof(target) - 1) > 0 &&
		    strstr(target, "/prog"))
			break;
		sched_yield();
	}
	STEP(o, truncate(P("prog"), 0));
	STEP(o, (fd = open(P("prog"), O_WRONLY)) < 0);
	if (fd >= 0)
		close(fd);
	close(pipefd[1]);
	waitpid(pid, NULL, 0);
}

TEST_F_TIMEOUT(native, file_executing_natively_is_not_writable, 180)
{
	struct scenario s = { .prep = txt_prep, .steps = txt_steps,
			      .as_root = true, .files = { "prog" } };

	COMPARE(s);
}

/* -- other backing filesystems: quota, reserved blocks, casefold (9.7, 9.18) -- */

/*
 * A directory of the mount bound, as a subtree, to dir (the root of a
 * filesystem mounted by the test); its path in the mount in buf.
 */
static int extra_subtree(struct _test_data_native *self, const char *name,
			 const char *dir, char *buf)
{
	__u64 node = ftd_add_dir(self->d, FUSE_ROOT_ID, name, 0777);

	if (!node || bind_subtree(self->d, node, dir))
		return -1;
	snprintf(buf, PATH_MAX, "%s/%s", ftd_mnt(self->d), name);
	if (!exists(buf))
		return -1;
	/* the steps are to reach the server no more than those of the fixture */
	ftd_log_reset(self->d);
	return 0;
}

/* Mount a filesystem (mount(8) options, loop images...) at back/where */
static int mount_at(struct _test_data_native *self, const char *where,
		    const char *how)
{
	char cmd[3 * PATH_MAX];

	if (mkdir(bp(where), 0755))
		return -1;
	snprintf(cmd, sizeof(cmd), "%s %s && chmod 0777 %s", how, bp(where),
		 bp(where));
	return system(cmd) ? -1 : 0;
}

static void unmount_at(struct _test_data_native *self, const char *where)
{
	umount2(bp(where), MNT_DETACH);
}

/*
 * A fresh ext4 image with mkfs options, loop-mounted at back/where.  Tests
 * that make and fill images get a 180 s harness timeout: the debug kernel
 * on a loaded host needs more than the default 30 s (nothing is timed).
 */
static int ext4_at(struct _test_data_native *self, const char *where,
		   const char *mkfs)
{
	char how[4 * PATH_MAX + 256], img[PATH_MAX + 8];

	snprintf(img, sizeof(img), "%s.img", bp(where));
	snprintf(how, sizeof(how),
		 "truncate -s 32M %s && mkfs.ext4 -q -F -b 4096 %s %s && mount -o loop %s",
		 img, mkfs, img, img);
	return mount_at(self, where, how);
}

/* compare_native() with both backing paths below back */
static void compare_on(struct __test_metadata *_metadata,
		       struct _test_data_native *self, const struct scenario *s,
		       const char *n, const char *mbase, const char *m)
{
	char nb[PATH_MAX], mb[PATH_MAX];

	snprintf(nb, sizeof(nb), "%s", bp(n));
	snprintf(mb, sizeof(mb), "%s", bp(m));
	compare_native(_metadata, self, s, nb, mbase, mb);
}

/*
 * The scenario natively on ext4 image n and through a subtree bound onto
 * image m, both made with the same mkfs options, at sub ("" for the
 * image's root, else a directory the scenario's prep makes); both are
 * unmounted after.  -1, and nothing run, if an image could not be made.
 */
static int compare_on_ext4(struct __test_metadata *_metadata,
			   struct _test_data_native *self,
			   const struct scenario *s, const char *n,
			   const char *m, const char *mkfs, const char *sub)
{
	char tree[PATH_MAX], name[64], nsub[PATH_MAX], msub[PATH_MAX];
	const char *slash = *sub ? "/" : "";

	if (ext4_at(self, n, mkfs) || ext4_at(self, m, mkfs))
		return -1;
	snprintf(name, sizeof(name), "%stree", m);
	ASSERT_EQ(0, extra_subtree(self, name, bp(m), tree));
	strcat(tree, slash);
	strcat(tree, sub);
	snprintf(nsub, sizeof(nsub), "%s%s%s", n, slash, sub);
	snprintf(msub, sizeof(msub), "%s%s%s", m, slash, sub);
	compare_on(_metadata, self, s, nsub, tree, msub);
	unmount_at(self, n);
	unmount_at(self, m);
	return 0;
}

/* Write len bytes to fd; the value is what was written, in KiB */
static void write_fd(struct outcome *o, int fd, long len)
{
	static char buf[65536];
	long done = 0;
	ssize_t n = 0;
	int err;

	memset(buf, 'q', sizeof(buf));
	while (done < len) {
		n = write(fd, buf, len - done < (long)sizeof(buf) ?
			  len - done : (long)sizeof(buf));
		if (n <= 0)
			break;
		done += n;
	}
	err = n < 0 ? errno : 0;
	/* the write's errno, or fsync's: delayed allocation may fail there */
	STEP(o, (errno = err) || fsync(fd));
	VALUE(o, done / 1024);
}

/* Write len bytes to a new file; the value is what was written, in KiB */
static void write_len(struct outcome *o, const char *path, long len)
{
	int fd;

	STEP(o, (fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0644)) < 0);
	if (fd < 0)
		return;
	write_fd(o, fd, len);
	close(fd);
}

static void quota_steps(const char *base, struct outcome *o)
{
	char name[32];
	int i;

	write_len(o, P("big"), 2 << 20);
	for (i = 0; i < 8; i++) {
		snprintf(name, sizeof(name), "f%d", i);
		STEP(o, put_file(P(name), "x", 0644));
		if (o->err[o->n - 1])
			break;
	}
	VALUE(o, i);
}

#define TMPFS_QUOTA "usrquota,usrquota_block_hardlimit=1M,usrquota_inode_hardlimit=6"

TEST_F_TIMEOUT(native, quota_limits_the_caller_as_natively, 180)
{
	/* limits that apply to every user (not to CAP_SYS_RESOURCE) */
	const char *opts = "mount -t tmpfs -o " TMPFS_QUOTA " none";
	struct scenario s = { .steps = quota_steps, .files = { "big", "f4" } };
	char tree[PATH_MAX];

	ASSERT_EQ(0, mount_at(self, "qn", opts));
	ASSERT_EQ(0, mount_at(self, "qm", opts));
	ASSERT_EQ(0, extra_subtree(self, "qtree", bp("qm"), tree));
	compare_on(_metadata, self, &s, "qn", tree, "qm");
	ASSERT_NO_REQUESTS();
	unmount_at(self, "qn");
	unmount_at(self, "qm");
}

static void reserved_steps(const char *base, struct outcome *o)
{
	struct statvfs st;
	long avail, kib;

	STEP(o, statvfs(base, &st));
	avail = (long)st.f_bavail * st.f_bsize / 1024;
	/* what the user may have, and then some of the reserved blocks */
	write_len(o, P("fill"), avail * 1024 + (4 << 20));
	kib = o->val[o->n - 1];
	fprintf(stderr, "# reserved: wrote %ld KiB of %ld KiB available\n",
		kib, avail);
	/*
	 * Delayed allocation reserves metadata blocks, so how much fits
	 * varies by a few blocks with writeback: did the user get most of
	 * what it may have, and did it get into the reserved blocks?
	 */
	o->val[o->n - 1] = kib >= avail - 2048;
	STEP(o, 0);
	VALUE(o, kib >= avail + 2048);
}

TEST_F_TIMEOUT(native, reserved_blocks_stay_reserved, 180)
{
	struct scenario s = { .steps = reserved_steps };

	ASSERT_EQ(0, compare_on_ext4(_metadata, self, &s, "rn", "rm",
				     "-m 50 -O ^has_journal", ""));
	ASSERT_NO_REQUESTS();
}

/* Raise or lower one capability in the effective set */
static int effective_cap(int cap, bool on)
{
	struct __user_cap_header_struct hdr = {
		.version = _LINUX_CAPABILITY_VERSION_3,
	};
	struct __user_cap_data_struct data[2];

	if (syscall(SYS_capget, &hdr, data))
		return -1;
	if (on)
		data[cap / 32].effective |= 1U << (cap % 32);
	else
		data[cap / 32].effective &= ~(1U << (cap % 32));
	return syscall(SYS_capset, &hdr, data);
}

/*
 * -- Reserved blocks are the writer's, not the opener's: a descriptor
 * opened by the user and written by root, one opened by root and written
 * by the user, and one opened by root and written by root without
 * CAP_SYS_RESOURCE.  Root changes only its effective ids (and with them
 * its effective capabilities) or one capability between open() and
 * write().  The reserved blocks are for no uid root has (resuid), so that
 * CAP_SYS_RESOURCE decides. --
 */

static void reserved_fd_prep(const char *base, struct outcome *o)
{
	char cmd[PATH_MAX + 64];

	snprintf(cmd, sizeof(cmd), "mount -o remount,resuid=65534 %s", base);
	if (system(cmd))
		_exit(1);
}

/* open base/name as uid (creating it), write len bytes as root or uid */
static void open_as_write_as(struct outcome *o, const char *path,
			     uid_t open_uid, uid_t write_uid, long len)
{
	int fd;

	STEP(o, seteuid(open_uid));
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0666);
	STEP(o, fd < 0);
	STEP(o, seteuid(0) || seteuid(write_uid));
	if (fd >= 0) {
		write_fd(o, fd, len);
		close(fd);
	}
	STEP(o, seteuid(0));
}

static void reserved_fd_steps(const char *base, struct outcome *o)
{
	struct statvfs st;
	long avail;
	int fd;

	STEP(o, statvfs(base, &st));
	avail = (long)st.f_bavail * st.f_bsize;
	/* root, natively, may write into the reserved blocks */
	open_as_write_as(o, P("by_root"), USER_ID, 0, avail + (4 << 20));
	o->val[o->n - 2] = o->val[o->n - 2] >= avail / 1024 + 4096;
	/* and now the user, natively, cannot write at all */
	open_as_write_as(o, P("by_user"), 0, USER_ID, 4 << 20);
	o->val[o->n - 2] = o->val[o->n - 2] > 0;
	/* nor root without CAP_SYS_RESOURCE */
	fd = open(P("by_capless"), O_WRONLY | O_CREAT | O_TRUNC, 0666);
	STEP(o, fd < 0);
	STEP(o, effective_cap(CAP_SYS_RESOURCE, false));
	if (fd >= 0) {
		write_fd(o, fd, 4 << 20);
		o->val[o->n - 1] = o->val[o->n - 1] > 0;
		close(fd);
	}
	STEP(o, effective_cap(CAP_SYS_RESOURCE, true));
}

TEST_F_TIMEOUT(native, reserved_blocks_are_the_writers_not_the_openers, 180)
{
	struct scenario s = {
		.prep = reserved_fd_prep, .steps = reserved_fd_steps,
		.as_root = true,
		.files = { "by_root", "by_user", "by_capless" },
	};
	const struct outcome *nat = &self->out[0];

	ASSERT_EQ(0, compare_on_ext4(_metadata, self, &s, "rfn", "rfm",
				     "-m 50 -O ^has_journal", ""));
	/* what natively holds, lest both sides agree by failing alike */
	ASSERT_EQ(15, nat->n);
	EXPECT_EQ(1, nat->val[4]);
	EXPECT_EQ(0, nat->val[9]);
	EXPECT_EQ(0, nat->val[13]);
	ASSERT_NO_REQUESTS();
}

/* A value for a directory listing: its sorted names, hashed */
static long list_hash(const char *dir)
{
	struct dirent **names;
	unsigned long h = 5381;
	int i, n;

	n = scandir(dir, &names, NULL, alphasort);
	if (n < 0)
		return -errno;
	for (i = 0; i < n; i++) {
		const char *c;

		for (c = names[i]->d_name; *c; c++)
			h = h * 33 + (unsigned char)*c;
		h = h * 33 + '/';
		free(names[i]);
	}
	free(names);
	return (long)(h & 0x7fffffff);
}

static void casefold_prep(const char *base, struct outcome *o)
{
	int fd, flags;

	if (mkdir(base, 0777) || chmod(base, 0777))
		_exit(1);
	fd = open(base, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || ioctl(fd, FS_IOC_GETFLAGS, &flags))
		_exit(1);
	flags |= FS_CASEFOLD_FL;
	if (ioctl(fd, FS_IOC_SETFLAGS, &flags))
		_exit(1);
	close(fd);
}

static void casefold_warm(const char *base, struct outcome *o)
{
	put_file(P("Foo"), "foo\n", 0644);
	mkdir(P("Dir"), 0755);
	put_file(P("Dir/Inner"), "inner\n", 0644);
	exists(P("foo"));
	exists(P("DIR/INNER"));
}

static void casefold_steps(const char *base, struct outcome *o)
{
	char buf[64];
	struct stat st;

	STEP(o, stat(P("FOO"), &st));
	VALUE(o, st.st_size);
	STEP(o, get_file(P("fOo"), buf, sizeof(buf)) < 0);
	STEP(o, stat(P("Foo"), &st));
	STEP(o, open(P("FOO"), O_CREAT | O_EXCL | O_WRONLY, 0644) < 0);
	STEP(o, mkdir(P("dir"), 0755));
	STEP(o, stat(P("dir/inner"), &st));
	VALUE(o, st.st_size);
	STEP(o, rename(P("foo"), P("Bar")));
	STEP(o, stat(P("BAR"), &st));
	STEP(o, stat(P("Foo"), &st));
	STEP(o, rename(P("DIR"), P("dir")));
	VALUE(o, list_hash(base));
	STEP(o, link(P("bar"), P("dir/Linked")));
	STEP(o, unlink(P("dir/LINKED")));
	STEP(o, unlink(P("BaR")));
	STEP(o, stat(P("bar"), &st));
	VALUE(o, list_hash(base));
}

TEST_F_TIMEOUT(native, casefolded_backing_directory_is_case_insensitive, 180)
{
	struct scenario s = {
		.prep = casefold_prep, .warm = casefold_warm,
		.steps = casefold_steps, .files = { "Dir", "Dir/Inner", "Bar" },
		.one_backing = false,
	};
	char tree[PATH_MAX];

	if (ext4_at(self, "cf", "-O casefold"))
		SKIP(return, "no casefolding ext4 (mkfs.ext4 -O casefold)");
	ASSERT_EQ(0, extra_subtree(self, "cftree", bp("cf"), tree));
	snprintf(tree + strlen(tree), PATH_MAX - strlen(tree), "/m");
	compare_on(_metadata, self, &s, "cf/n", tree, "cf/m");
	ASSERT_NO_REQUESTS();
	unmount_at(self, "cf");
}

/* KiB written to the ext4 filesystem holding path, from its sysfs */
static long ext4_written_kb(const char *path)
{
	char link[PATH_MAX], sysfs[PATH_MAX], *dev;
	struct stat st;
	long kb = -1;
	ssize_t len;
	FILE *f;

	if (stat(path, &st))
		return -1;
	snprintf(sysfs, sizeof(sysfs), "/sys/dev/block/%u:%u",
		 major(st.st_dev), minor(st.st_dev));
	len = readlink(sysfs, link, sizeof(link) - 1);
	if (len < 0)
		return -1;
	link[len] = '\0';
	dev = strrchr(link, '/');
	snprintf(sysfs, sizeof(sysfs), "/sys/fs/ext4/%.64s/lifetime_write_kbytes",
		 dev ? dev + 1 : link);
	f = fopen(sysfs, "r");
	if (!f)
		return -1;
	if (fscanf(f, "%ld", &kb) != 1)
		kb = -1;
	fclose(f);
	return kb;
}

static void syncfs_steps(const char *base, struct outcome *o)
{
	static char buf[1 << 20];
	long before;
	int fd, dfd;

	memset(buf, 's', sizeof(buf));
	/* where the data go: the backing filesystem on both sides */
	before = ext4_written_kb(cur_backing);
	STEP(o, (fd = open(P("data"), O_WRONLY | O_CREAT, 0644)) < 0);
	STEP(o, write(fd, buf, sizeof(buf)) != sizeof(buf));
	STEP(o, (dfd = open(base, O_RDONLY | O_DIRECTORY)) < 0);
	STEP(o, syncfs(dfd));
	/* written back by syncfs(), not 30 s later by the flusher */
	VALUE(o, ext4_written_kb(cur_backing) - before >= 1024);
	close(dfd);
	close(fd);
}

TEST_F_TIMEOUT(native, syncfs_reaches_the_backing_filesystem, 180)
{
	struct scenario s = { .steps = syncfs_steps, .files = { "data" } };

	ASSERT_EQ(0, compare_on_ext4(_metadata, self, &s, "sn", "sm",
				     "-O ^has_journal", ""));
	ASSERT_NO_REQUESTS();
}

/* -- an encrypted backing directory (fscrypt v2 policy), key present and not -- */

/* The filesystem root of a test's ext4 image: base's parent */
static int fs_root_fd(const char *base)
{
	char root[PATH_MAX], *slash;

	snprintf(root, sizeof(root), "%s", base);
	slash = strrchr(root, '/');
	if (!slash)
		return -1;
	*slash = '\0';
	return open(root, O_RDONLY | O_DIRECTORY);
}

static const __u8 test_key[FSCRYPT_MAX_KEY_SIZE] = "fuse-dir-passthrough test key 0";

static int add_key(int rootfd, __u8 id[FSCRYPT_KEY_IDENTIFIER_SIZE])
{
	struct {
		struct fscrypt_add_key_arg arg;
		__u8 raw[FSCRYPT_MAX_KEY_SIZE];
	} k = { 0 };

	k.arg.key_spec.type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER;
	k.arg.raw_size = FSCRYPT_MAX_KEY_SIZE;
	memcpy(k.raw, test_key, sizeof(test_key));
	if (ioctl(rootfd, FS_IOC_ADD_ENCRYPTION_KEY, &k.arg))
		return -1;
	memcpy(id, k.arg.key_spec.u.identifier, FSCRYPT_KEY_IDENTIFIER_SIZE);
	return 0;
}

static void crypt_prep(const char *base, struct outcome *o)
{
	struct fscrypt_policy_v2 policy = {
		.version = FSCRYPT_POLICY_V2,
		.contents_encryption_mode = FSCRYPT_MODE_AES_256_XTS,
		.filenames_encryption_mode = FSCRYPT_MODE_AES_256_CTS,
		.flags = FSCRYPT_POLICY_FLAGS_PAD_32,
	};
	int rootfd = fs_root_fd(base), fd;

	if (rootfd < 0 || add_key(rootfd, policy.master_key_identifier) ||
	    mkdir(base, 0777) || chmod(base, 0777))
		_exit(1);
	fd = open(base, O_RDONLY | O_DIRECTORY);
	if (fd < 0 || ioctl(fd, FS_IOC_SET_ENCRYPTION_POLICY, &policy))
		_exit(1);
	close(fd);
	close(rootfd);
	if (put_file(P("kept"), "kept\n", 0666) || mkdir(P("keptdir"), 0777))
		_exit(1);
}

static void crypt_warm(const char *base, struct outcome *o)
{
	exists(P("kept"));
	exists(P("keptdir"));
	list_hash(base);
}

static void crypt_key_steps(const char *base, struct outcome *o)
{
	char buf[64];
	struct stat st;

	STEP(o, put_file(P("secret"), "secret\n", 0644));
	STEP(o, get_file(P("secret"), buf, sizeof(buf)) < 0);
	STEP(o, mkdir(P("sub"), 0755));
	STEP(o, rename(P("secret"), P("sub/moved")));
	STEP(o, stat(P("sub/moved"), &st));
	VALUE(o, st.st_size);
	STEP(o, symlink("sub/moved", P("link")));
	STEP(o, get_file(P("link"), buf, sizeof(buf)) < 0);
	VALUE(o, list_hash(base));
}

TEST_F_TIMEOUT(native, encrypted_backing_directory_with_its_key, 180)
{
	struct scenario s = {
		.prep = crypt_prep, .warm = crypt_warm,
		.steps = crypt_key_steps, .files = { "sub", "link", "kept" },
	};

	if (compare_on_ext4(_metadata, self, &s, "en", "em", "-O encrypt", "d"))
		SKIP(return, "no encrypting ext4 (mkfs.ext4 -O encrypt)");
	ASSERT_NO_REQUESTS();
}

/* The key goes, as when a user's profile is locked */
static void crypt_nokey_change(const char *base, struct outcome *o)
{
	struct fscrypt_remove_key_arg arg = {
		.key_spec.type = FSCRYPT_KEY_SPEC_TYPE_IDENTIFIER,
	};
	int rootfd = fs_root_fd(base);
	int fd = open("/proc/sys/vm/drop_caches", O_WRONLY);

	if (rootfd < 0 || fd < 0 || add_key(rootfd, arg.key_spec.u.identifier))
		_exit(1);
	/* unused cached names go first, as they would under memory pressure */
	if (write(fd, "2", 1) != 1 ||
	    ioctl(rootfd, FS_IOC_REMOVE_ENCRYPTION_KEY_ALL_USERS, &arg))
		_exit(1);
	close(fd);
	close(rootfd);
}

static int by_type(const struct dirent **a, const struct dirent **b)
{
	return (int)(*a)->d_type - (int)(*b)->d_type;
}

static void crypt_nokey_steps(const char *base, struct outcome *o)
{
	struct dirent **names;
	struct stat st;
	char buf[64];
	int i, n;

	STEP(o, stat(P("kept"), &st));
	STEP(o, get_file(P("kept"), buf, sizeof(buf)) < 0);
	STEP(o, put_file(P("new"), "new\n", 0644));
	STEP(o, mkdir(P("newdir"), 0755));
	/* the names the backing fs gives without the key, and their errors */
	/* no-key names differ between the sides: files first, then dirs */
	STEP(o, (n = scandir(base, &names, NULL, by_type)) < 0);
	VALUE(o, n);
	for (i = 0; i < n; i++) {
		char path[PATH_MAX];

		if (names[i]->d_name[0] != '.') {
			snprintf(path, sizeof(path), "%s/%s", base,
				 names[i]->d_name);
			STEP(o, get_file(path, buf, sizeof(buf)) < 0);
			STEP(o, unlink(path) && rmdir(path));
		}
		free(names[i]);
	}
	if (n >= 0)
		free(names);
}

TEST_F_TIMEOUT(native, encrypted_backing_directory_without_its_key, 180)
{
	struct scenario s = {
		.prep = crypt_prep, .warm = crypt_warm,
		.change = crypt_nokey_change, .steps = crypt_nokey_steps,
	};

	if (compare_on_ext4(_metadata, self, &s, "en", "em", "-O encrypt", "d"))
		SKIP(return, "no encrypting ext4 (mkfs.ext4 -O encrypt)");
}

/* -- inode numbers of two backing filesystems (9.17) -- */

static bool same_file(const struct stat *a, const struct stat *b)
{
	return a->st_dev == b->st_dev && a->st_ino == b->st_ino;
}

/* d_ino of name in dir, 0 if not listed */
static ino_t listed_ino(const char *dir, const char *name)
{
	struct dirent *de;
	ino_t ino = 0;
	DIR *d = opendir(dir);

	if (!d)
		return 0;
	while ((de = readdir(d)))
		if (!strcmp(de->d_name, name))
			ino = de->d_ino;
	closedir(d);
	return ino;
}

/*
 * What tar, rsync -H, cp -a and find -samefile decide on: (st_dev, st_ino)
 * names one file.  Two fresh tmpfs give their first files the same
 * number; natively their st_dev differ.
 */
TEST_F(native, inode_numbers_of_two_backing_filesystems_stay_apart)
{
	char ta[PATH_MAX], tb[PATH_MAX], p[4][PATH_MAX];
	struct stat na, nb, nl, ma, mb, ml, mroot;

	ASSERT_EQ(0, mount_at(self, "xa", "mount -t tmpfs none"));
	ASSERT_EQ(0, mount_at(self, "xb", "mount -t tmpfs none"));
	ASSERT_EQ(0, put_file(bp("xa/f"), "a\n", 0644));
	ASSERT_EQ(0, put_file(bp("xb/f"), "b\n", 0644));
	ASSERT_EQ(0, link(join(p[0], self->back, "xb/f"),
			  join(p[1], self->back, "xb/g")));
	ASSERT_EQ(0, stat(bp("xa/f"), &na));
	ASSERT_EQ(0, stat(bp("xb/f"), &nb));
	ASSERT_EQ(0, stat(bp("xb/g"), &nl));
	/* the server's own node: asked before the log is reset */
	ASSERT_EQ(0, stat(ftd_mnt(self->d), &mroot));
	ASSERT_EQ(0, extra_subtree(self, "xatree", bp("xa"), ta));
	ASSERT_EQ(0, extra_subtree(self, "xbtree", bp("xb"), tb));
	ASSERT_EQ(0, stat(join(p[0], ta, "f"), &ma));
	ASSERT_EQ(0, stat(join(p[1], tb, "f"), &mb));
	ASSERT_EQ(0, stat(join(p[2], tb, "g"), &ml));

	/* the precondition: equal numbers on the backing filesystems */
	ASSERT_EQ(na.st_ino, nb.st_ino);
	EXPECT_EQ(same_file(&na, &nb), same_file(&ma, &mb));
	EXPECT_EQ(same_file(&nb, &nl), same_file(&mb, &ml));
	/* one st_dev for the tree, as for any directory tree */
	EXPECT_EQ(mroot.st_dev, ma.st_dev);
	EXPECT_EQ(mroot.st_dev, mb.st_dev);
	/* readdir says what stat says, natively and through the mount */
	EXPECT_EQ(listed_ino(bp("xb"), "f") == nb.st_ino,
		  listed_ino(tb, "f") == mb.st_ino);
	EXPECT_EQ(listed_ino(bp("xa"), "f") == na.st_ino,
		  listed_ino(ta, "f") == ma.st_ino);
	ASSERT_NO_REQUESTS();
	unmount_at(self, "xa");
	unmount_at(self, "xb");
}

/* -- a frozen backing filesystem (9.3) -- */

/*
 * Is pid waiting for the freeze to end (asleep uninterruptibly, in
 * sb_start_write() or on a lock an earlier step holds while it waits
 * there, as overlayfs' ovl_want_write() does)?  0 if it finished.
 */
static int waits_for_thaw(pid_t pid)
{
	char path[64], stat[256], *state;
	int i, status;

	snprintf(path, sizeof(path), "/proc/%d/stat", pid);
	/* bounded, not timed: the child either finishes or parks */
	for (i = 0; i < 2000; i++) {
		FILE *f;

		if (waitpid(pid, &status, WNOHANG) == pid)
			return 0;
		f = fopen(path, "r");
		if (f) {
			stat[0] = '\0';
			state = fgets(stat, sizeof(stat), f) ?
				strrchr(stat, ')') : NULL;
			fclose(f);
			if (state && state[1] == ' ' && state[2] == 'D')
				return 1;
		}
		usleep(2500);
	}
	return -1;
}

static void freeze_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || put_file(P("f"), "f\n", 0666) ||
	    put_file(P("g"), "g\n", 0666) || put_file(P("w"), "w\n", 0666))
		_exit(1);
}

/* The changes tried while frozen, each in its own process */
static int freeze_op(const char *base, int i, int wfd)
{
	switch (i) {
	case 0:
		return mkdir(P("d"), 0755);
	case 1:
		return put_file(P("new"), "n\n", 0644);
	case 2:
		return chmod(P("f"), 0600);
	case 3:
		return setxattr(P("f"), "user.x", "1", 1, 0);
	case 4:
		return unlink(P("g"));
	case 5:
		return rename(P("f"), P("h"));
	default:
		return write(wfd, "more\n", 5) != 5;
	}
}

static void freeze_steps(const char *base, struct outcome *o)
{
	pid_t pids[8];
	/* the backing filesystem is frozen on both sides */
	int rootfd = fs_root_fd(cur_backing), wfd, i, n = 0, status;

	wfd = open(P("w"), O_WRONLY);
	STEP(o, rootfd < 0 || wfd < 0 || ioctl(rootfd, FIFREEZE, 0));
	for (i = 0; i < 7; i++) {
		pids[n] = fork();
		if (!pids[n]) {
			int err = freeze_op(base, i, wfd);

			_exit(err ? 1 : 0);
		}
		STEP(o, pids[n] < 0);
		if (pids[n] > 0)
			VALUE(o, waits_for_thaw(pids[n++]));
	}
	STEP(o, ioctl(rootfd, FITHAW, 0));
	/* and each finishes once thawed */
	for (i = 0; i < n; i++) {
		STEP(o, waitpid(pids[i], &status, 0) != pids[i]);
		VALUE(o, WIFEXITED(status) ? WEXITSTATUS(status) : -1);
	}
	close(wfd);
	close(rootfd);
}

TEST_F_TIMEOUT(native, frozen_backing_filesystem_makes_changes_wait, 120)
{
	struct scenario s = {
		.prep = freeze_prep, .steps = freeze_steps, .as_root = true,
		.files = { "d", "new", "h", "w" },
	};

	ASSERT_EQ(0, compare_on_ext4(_metadata, self, &s, "zn", "zm", "", "d"));
	ASSERT_NO_REQUESTS();
}

/* -- truncate by a group writer of a file made setuid behind the mount -- */

static void gw_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || chmod(base, 0777) ||
	    put_file(P("f"), "0123456789\n", 0664) ||
	    chown(P("f"), 0, GROUP_ID) || chmod(P("f"), 0664) ||
	    put_file(P("g"), "0123456789\n", 0664) ||
	    chown(P("g"), 0, GROUP_ID) || chmod(P("g"), 0664))
		_exit(1);
}

static void gw_warm(const char *base, struct outcome *o)
{
	exists(P("f"));
	exists(P("g"));
}

static void gw_change(const char *base, struct outcome *o)
{
	if (chmod(P("f"), 06775) || chmod(P("g"), 06775))
		_exit(1);
}

static void gw_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, truncate(P("f"), 4));
	VALUE(o, file_mode(P("f")));
	STEP(o, (fd = open(P("g"), O_WRONLY | O_TRUNC)) < 0);
	VALUE(o, file_mode(P("g")));
	if (fd >= 0)
		close(fd);
}

TEST_F(native, truncate_by_group_writer_clears_setuid_set_behind_the_mount)
{
	struct scenario s = {
		.prep = gw_prep, .warm = gw_warm, .change = gw_change,
		.steps = gw_steps, .files = { "f", "g" },
	};

	compare_in_tree(_metadata, self, &s, "gwn", "gwm");
	ASSERT_NO_REQUESTS();
}

/* -- a write clears file capabilities (fstests generic/093) -- */

static void fcaps_prep(const char *base, struct outcome *o)
{
	/* struct vfs_cap_data, revision 2: cap_chown, effective */
	const __u32 caps[5] = { 0x02000001, 1 << 0, 0, 0, 0 };

	if (mkdir(base, 0777) || chmod(base, 0777) ||
	    put_file(P("c"), "c\n", 0666) || chmod(P("c"), 0666) ||
	    setxattr(P("c"), "security.capability", caps, sizeof(caps), 0) ||
	    put_file(P("t"), "t\n", 0666) || chmod(P("t"), 0666) ||
	    setxattr(P("t"), "security.capability", caps, sizeof(caps), 0) ||
	    put_file(P("ft"), "ft\n", 0666) || chmod(P("ft"), 0666) ||
	    setxattr(P("ft"), "security.capability", caps, sizeof(caps), 0) ||
	    put_file(P("g"), "g\n", 0644) || chown(P("g"), USER_ID, 0) ||
	    setxattr(P("g"), "security.capability", caps, sizeof(caps), 0))
		_exit(1);
}

static void fcaps_steps(const char *base, struct outcome *o)
{
	int fd;

	STEP(o, (fd = open(P("c"), O_WRONLY | O_APPEND)) < 0);
	STEP(o, write(fd, "more\n", 5) != 5);
	if (fd >= 0)
		close(fd);
	STEP(o, getxattr(P("c"), "security.capability", NULL, 0) < 0);
	STEP(o, truncate(P("t"), 1));
	STEP(o, getxattr(P("t"), "security.capability", NULL, 0) < 0);
	STEP(o, (fd = open(P("ft"), O_WRONLY)) < 0);
	STEP(o, ftruncate(fd, 2));
	if (fd >= 0)
		close(fd);
	STEP(o, getxattr(P("ft"), "security.capability", NULL, 0) < 0);
	/* chgrp by the owner, to its own group */
	STEP(o, chown(P("g"), -1, getegid()));
	STEP(o, getxattr(P("g"), "security.capability", NULL, 0) < 0);
}

/*
 * -- an open file made setuid, or given file capabilities, on the backing
 * tree between two writes through the same descriptor --
 */

static void open_nosec_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || chmod(base, 0777) ||
	    put_file(P("s"), "s\n", 0666) || chown(P("s"), USER_ID, GROUP_ID) ||
	    chmod(P("s"), 0777) ||
	    put_file(P("c"), "c\n", 0666) || chmod(P("c"), 0666))
		_exit(1);
}

/* two writes first: the backing inode is S_NOSEC from the first one on */
static int two_writes(struct outcome *o, const char *path)
{
	int fd = open(path, O_WRONLY);

	STEP(o, fd < 0);
	STEP(o, pwrite(fd, "ab", 2, 0) != 2);
	STEP(o, pwrite(fd, "cd", 2, 2) != 2);
	return fd;
}

static void open_nosec_steps(const char *base, struct outcome *o)
{
	struct stat st;
	int fd;

	/* the owner, natively or on the backing file behind the mount */
	fd = two_writes(o, P("s"));
	STEP(o, chmod(path_in(cur_backing, "s"), 06777));
	STEP(o, pwrite(fd, "ef", 2, 4) != 2);
	STEP(o, fstat(fd, &st));
	VALUE(o, st.st_mode);
	if (fd >= 0)
		close(fd);
}

static void open_nosec_caps_steps(const char *base, struct outcome *o)
{
	/* struct vfs_cap_data, revision 2: cap_chown, effective */
	const __u32 caps[5] = { 0x02000001, 1 << 0, 0, 0, 0 };
	int fd;

	fd = two_writes(o, P("c"));
	STEP(o, setxattr(path_in(cur_backing, "c"), "security.capability",
			 caps, sizeof(caps), 0));
	STEP(o, pwrite(fd, "ef", 2, 4) != 2);
	STEP(o, getxattr(P("c"), "security.capability", NULL, 0) < 0);
	if (fd >= 0)
		close(fd);
}

TEST_F(native, write_clears_setuid_and_capabilities_set_behind_an_open_file)
{
	struct scenario s = {
		.prep = open_nosec_prep, .steps = open_nosec_steps,
		.files = { "s", "c" },
	};

	compare_in_tree(_metadata, self, &s, "nsn", "nsm");
	/* setting file capabilities takes root, who keeps none on write */
	s.steps = open_nosec_caps_steps;
	s.as_root = true;
	compare_in_tree(_metadata, self, &s, "ncn", "ncm");
	ASSERT_NO_REQUESTS();
}

/*
 * -- CAP_FSETID is the writer's, not the opener's: a descriptor opened
 * with it and written without it, and the other way round --
 */

static void fsetid_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || chmod(base, 0777) ||
	    put_file(P("a"), "a\n", 0666) || chown(P("a"), USER_ID, GROUP_ID) ||
	    chmod(P("a"), 06777) ||
	    put_file(P("b"), "b\n", 0666) || chown(P("b"), USER_ID, GROUP_ID) ||
	    chmod(P("b"), 06777) ||
	    put_file(P("c"), "c\n", 0666) || chown(P("c"), USER_ID, GROUP_ID) ||
	    chmod(P("c"), 06777))
		_exit(1);
}

/* open with CAP_FSETID on or off, write (or allocate) with it the other way */
static void fsetid_write(struct outcome *o, const char *path, bool at_open,
			 bool allocate)
{
	struct stat st;
	int fd;

	STEP(o, effective_cap(CAP_FSETID, at_open));
	fd = open(path, O_WRONLY);
	STEP(o, fd < 0);
	STEP(o, effective_cap(CAP_FSETID, !at_open));
	if (allocate)
		STEP(o, fallocate(fd, 0, 0, 4096));
	else
		STEP(o, pwrite(fd, "xy", 2, 0) != 2);
	STEP(o, fstat(fd, &st));
	VALUE(o, st.st_mode);
	if (fd >= 0)
		close(fd);
	STEP(o, effective_cap(CAP_FSETID, true));
}

static void fsetid_steps(const char *base, struct outcome *o)
{
	fsetid_write(o, P("a"), false, false);
	fsetid_write(o, P("b"), false, true);
	fsetid_write(o, P("c"), true, false);
}

TEST_F(native, cap_fsetid_of_the_writer_not_the_opener_decides)
{
	struct scenario s = {
		.prep = fsetid_prep, .steps = fsetid_steps,
		.files = { "a", "b", "c" },
		.as_root = true,
	};

	compare_in_tree(_metadata, self, &s, "fsn", "fsm");
	ASSERT_NO_REQUESTS();
}

TEST_F(native, write_and_truncate_clear_file_capabilities)
{
	struct scenario s = { .prep = fcaps_prep, .steps = fcaps_steps,
			      .files = { "c", "t", "ft", "g" } };

	compare_in_tree(_metadata, self, &s, "fcn", "fcm");
	/* and as root, who keeps nothing either */
	s.as_root = true;
	compare_in_tree(_metadata, self, &s, "fcrn", "fcrm");
	ASSERT_NO_REQUESTS();
}

/*
 * -- copy_file_range() copies what the file holds now: the VFS clamps it
 * to the size it knows (generic_copy_file_checks()), so a size grown on
 * the backing tree since the last stat must be seen --
 */

static void grown_prep(const char *base, struct outcome *o)
{
	if (mkdir(base, 0777) || chmod(base, 0777) ||
	    put_file(P("f"), "small\n", 0666) || chmod(P("f"), 0666))
		_exit(1);
}

static void grown_warm(const char *base, struct outcome *o)
{
	struct stat st;

	stat(P("f"), &st);
}

static void grown_change(const char *base, struct outcome *o)
{
	static char buf[8192];
	int fd = open(P("f"), O_WRONLY | O_APPEND);

	memset(buf, 'g', sizeof(buf));
	if (fd < 0 || write(fd, buf, sizeof(buf)) != sizeof(buf))
		_exit(1);
	close(fd);
}

static void grown_steps(const char *base, struct outcome *o)
{
	int in, out;
	ssize_t n;

	in = open(P("f"), O_RDONLY);
	STEP(o, in < 0);
	out = open(P("copy"), O_WRONLY | O_CREAT | O_TRUNC, 0644);
	STEP(o, out < 0);
	n = copy_file_range(in, NULL, out, NULL, 1 << 20, 0);
	STEP(o, n < 0);
	VALUE(o, n);
	close(in);
	close(out);
}

TEST_F(native, copy_file_range_sees_a_size_grown_on_the_backing_tree)
{
	struct scenario s = {
		.prep = grown_prep, .warm = grown_warm, .change = grown_change,
		.steps = grown_steps, .files = { "f", "copy" },
	};

	compare_in_tree(_metadata, self, &s, "cgn", "cgm");
	ASSERT_NO_REQUESTS();
}

TEST_HARNESS_MAIN
