// SPDX-License-Identifier: GPL-2.0
/*
 * Basic checks of the FUSE test server and of upstream per-file
 * passthrough, the ground the directory passthrough tests stand on.
 */
#define _GNU_SOURCE
#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>
#include <sys/stat.h>

#include "../../kselftest_harness.h"
#include "fuse_test_daemon.h"

static const char hello[] = "hello from the fuse test server\n";
static const char backing_data[] = "content of the backing file\n";

/* Path of name in the mounted file system (a static buffer) */
static const char *mpath(struct ftd *d, const char *name)
{
	static char path[PATH_MAX];

	snprintf(path, sizeof(path), "%s/%s", ftd_mnt(d), name);
	return path;
}

/* An unlinked regular file in /tmp holding data; its fd, or -1 */
static int make_backing(const char *data)
{
	char path[] = "/tmp/ftd-backing.XXXXXX";
	size_t len = strlen(data);
	int fd = mkstemp(path);

	if (fd < 0)
		return -1;
	unlink(path);
	if (pwrite(fd, data, len, 0) != (ssize_t)len) {
		close(fd);
		return -1;
	}
	return fd;
}

static struct ftd *new_server(__u64 init_flags)
{
	struct ftd_opts opts;

	ftd_opts_init(&opts);
	opts.init_flags = init_flags;
	if (init_flags & FUSE_PASSTHROUGH)
		opts.max_stack_depth = 1;
	return ftd_new(&opts);
}

/* Mount, then forget INIT: tests count what they cause themselves. */
static int start_server(struct ftd *d)
{
	int ret = ftd_mount(d, NULL);

	if (!ret)
		ftd_log_reset(d);
	return ret;
}

FIXTURE(fuse) {
	struct ftd *d;
};

FIXTURE_SETUP(fuse)
{
	/* Mounts go away with the test process, even when it is killed. */
	ASSERT_EQ(0, ftd_private_mntns());
	self->d = NULL;
}

FIXTURE_TEARDOWN(fuse)
{
	ftd_destroy(self->d);
}

TEST_F(fuse, stat_file_sends_lookup_and_getattr)
{
	struct stat st;
	__u64 ino;

	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ino = ftd_add_file(self->d, FUSE_ROOT_ID, "hello", 0640, hello,
			   strlen(hello));
	ASSERT_NE(0, ino);
	ASSERT_EQ(0, start_server(self->d));
	/* attributes expire at once, so stat() asks for fresh ones */
	ftd_set_timeouts(self->d, 1000, 0);

	ASSERT_EQ(0, stat(mpath(self->d, "hello"), &st));
	EXPECT_EQ(S_IFREG | 0640, st.st_mode);
	EXPECT_EQ(strlen(hello), st.st_size);
	EXPECT_EQ(ino, st.st_ino);
	EXPECT_EQ(1, ftd_count_name(self->d, FUSE_LOOKUP, "hello"));
	EXPECT_LE(1, ftd_count(self->d, FUSE_GETATTR) +
		     ftd_count(self->d, FUSE_STATX));
	EXPECT_LE(1, ftd_count_nodeid(self->d, ino));
	if (_metadata->exit_code)
		ftd_log_dump(self->d, stderr);
}

TEST_F(fuse, lookup_of_missing_name_fails_enoent)
{
	struct stat st;

	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ASSERT_EQ(0, start_server(self->d));

	ASSERT_EQ(-1, stat(mpath(self->d, "missing"), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(1, ftd_count_name(self->d, FUSE_LOOKUP, "missing"));
}

TEST_F(fuse, read_file_returns_server_content)
{
	char buf[256];
	ssize_t n;
	int fd;

	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ASSERT_NE(0, ftd_add_file(self->d, FUSE_ROOT_ID, "hello", 0644,
				  hello, strlen(hello)));
	ASSERT_EQ(0, start_server(self->d));

	fd = open(mpath(self->d, "hello"), O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ASSERT_EQ(strlen(hello), n);
	EXPECT_EQ(0, memcmp(buf, hello, n));
	EXPECT_EQ(1, ftd_count(self->d, FUSE_OPEN));
	EXPECT_LE(1, ftd_count(self->d, FUSE_READ));
}

TEST_F(fuse, readdir_of_root_lists_entries)
{
	static const char * const names[] = { "a_file", "b_dir", "c_link" };
	static const unsigned char types[] = { DT_REG, DT_DIR, DT_LNK };
	unsigned int i, seen = 0, dots = 0, other = 0;
	struct dirent *de;
	DIR *dir;

	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ASSERT_NE(0, ftd_add_file(self->d, FUSE_ROOT_ID, names[0], 0644,
				  NULL, 0));
	ASSERT_NE(0, ftd_add_dir(self->d, FUSE_ROOT_ID, names[1], 0755));
	ASSERT_NE(0, ftd_add_symlink(self->d, FUSE_ROOT_ID, names[2],
				     "a_file"));
	ASSERT_EQ(0, start_server(self->d));

	dir = opendir(ftd_mnt(self->d));
	ASSERT_NE(NULL, dir);
	while ((de = readdir(dir))) {
		if (!strcmp(de->d_name, ".") || !strcmp(de->d_name, "..")) {
			dots++;
			continue;
		}
		for (i = 0; i < 3; i++)
			if (!strcmp(de->d_name, names[i]))
				break;
		if (i == 3) {
			TH_LOG("unexpected entry %s", de->d_name);
			other++;
			continue;
		}
		EXPECT_EQ(0, seen & (1 << i));
		EXPECT_EQ(types[i], de->d_type);
		seen |= 1 << i;
	}
	closedir(dir);
	EXPECT_EQ(2, dots);
	EXPECT_EQ(0, other);
	EXPECT_EQ(7, seen);
	EXPECT_EQ(1, ftd_count(self->d, FUSE_OPENDIR));
	EXPECT_LE(1, ftd_count(self->d, FUSE_READDIR));
}

TEST_F(fuse, readlink_returns_server_target)
{
	static const char target[] = "some/target";
	char buf[64];

	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ASSERT_NE(0, ftd_add_symlink(self->d, FUSE_ROOT_ID, "link", target));
	ASSERT_EQ(0, start_server(self->d));

	ASSERT_EQ(strlen(target),
		  readlink(mpath(self->d, "link"), buf, sizeof(buf)));
	EXPECT_EQ(0, memcmp(buf, target, strlen(target)));
	EXPECT_EQ(1, ftd_count(self->d, FUSE_READLINK));
}

/* LOOKUP hook: "alias" is another name of the node priv points to */
static bool lookup_alias(struct ftd *d, const struct fuse_in_header *in,
			 const void *arg, size_t arglen, void *priv)
{
	if (strcmp(arg, "alias"))
		return false;
	ftd_reply_entry(d, in, *(__u64 *)priv, NULL, 0);
	return true;
}

TEST_F(fuse, hook_replaces_default_reply)
{
	struct stat st;
	__u64 ino;

	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ino = ftd_add_file(self->d, FUSE_ROOT_ID, "hello", 0644, hello,
			   strlen(hello));
	ASSERT_NE(0, ino);
	ftd_set_hook(self->d, FUSE_LOOKUP, lookup_alias, &ino);
	ASSERT_EQ(0, start_server(self->d));

	ASSERT_EQ(0, stat(mpath(self->d, "alias"), &st));
	EXPECT_EQ(ino, st.st_ino);
	EXPECT_EQ(strlen(hello), st.st_size);
	ASSERT_EQ(-1, stat(mpath(self->d, "other"), &st));
	EXPECT_EQ(ENOENT, errno);
	EXPECT_EQ(2, ftd_count(self->d, FUSE_LOOKUP));
}

TEST_F(fuse, backing_open_without_passthrough_fails_eperm)
{
	int fd = make_backing(backing_data);

	ASSERT_LE(0, fd);
	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ASSERT_EQ(0, start_server(self->d));

	EXPECT_EQ(-EPERM, ftd_backing_open(self->d, fd, 0));
	close(fd);
}

TEST_F(fuse, init_offers_passthrough_dir)
{
	self->d = new_server(0);
	ASSERT_NE(NULL, self->d);
	ASSERT_EQ(0, start_server(self->d));

	TH_LOG("kernel 7.%u offers INIT flags 0x%llx",
	       ftd_kernel_minor(self->d),
	       (unsigned long long)ftd_kernel_flags(self->d));
	ASSERT_TRUE(ftd_kernel_offers(self->d, FUSE_INIT_EXT));
	if (!ftd_kernel_offers(self->d, FUSE_PASSTHROUGH_DIR))
		SKIP(return, "kernel does not offer FUSE_PASSTHROUGH_DIR");
	EXPECT_TRUE(ftd_kernel_offers(self->d, FUSE_PASSTHROUGH));
}

/*
 * Upstream per-file passthrough: FUSE_PASSTHROUGH negotiated, and the one
 * file "pt" is opened with FOPEN_PASSTHROUGH onto a backing file in /tmp
 * that holds backing_data.
 */
FIXTURE(passthrough) {
	struct ftd *d;
	int backing_fd;
};

FIXTURE_SETUP(passthrough)
{
	bool offered;
	__u64 ino;
	int id;

	ASSERT_EQ(0, ftd_private_mntns());
	self->backing_fd = make_backing(backing_data);
	ASSERT_LE(0, self->backing_fd);
	self->d = new_server(FUSE_PASSTHROUGH);
	ASSERT_NE(NULL, self->d);
	/* the server reports the size of the backing file */
	ino = ftd_add_file(self->d, FUSE_ROOT_ID, "pt", 0644, backing_data,
			   strlen(backing_data));
	ASSERT_NE(0, ino);
	ASSERT_EQ(0, start_server(self->d));

	offered = ftd_kernel_offers(self->d, FUSE_PASSTHROUGH);
	if (!offered) {
		/* teardown does not run after a skipped setup */
		ftd_destroy(self->d);
		close(self->backing_fd);
		SKIP(return, "kernel does not offer FUSE_PASSTHROUGH");
	}
	id = ftd_backing_open(self->d, self->backing_fd, 0);
	ASSERT_LT(0, id) TH_LOG("FUSE_DEV_IOC_BACKING_OPEN: %s",
				strerror(-id));
	ASSERT_EQ(0, ftd_set_open_backing(self->d, ino, id));
}

FIXTURE_TEARDOWN(passthrough)
{
	ftd_destroy(self->d);
	close(self->backing_fd);
}

TEST_F(passthrough, read_bypasses_server)
{
	char buf[256];
	ssize_t n;
	int fd;

	fd = open(mpath(self->d, "pt"), O_RDONLY);
	ASSERT_LE(0, fd);
	n = read(fd, buf, sizeof(buf));
	close(fd);
	ASSERT_EQ(strlen(backing_data), n);
	EXPECT_EQ(0, memcmp(buf, backing_data, n));
	EXPECT_EQ(1, ftd_count(self->d, FUSE_OPEN));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_READ));
	if (_metadata->exit_code)
		ftd_log_dump(self->d, stderr);
}

TEST_F(passthrough, write_reaches_backing_file)
{
	static const char data[] = "PASSTHROUGH";
	size_t len = strlen(data);
	char buf[256];
	int fd;

	fd = open(mpath(self->d, "pt"), O_WRONLY);
	ASSERT_LE(0, fd);
	ASSERT_EQ(len, pwrite(fd, data, len, 0));
	close(fd);

	ASSERT_EQ(strlen(backing_data),
		  pread(self->backing_fd, buf, sizeof(buf), 0));
	EXPECT_EQ(0, memcmp(buf, data, len));
	EXPECT_EQ(0, memcmp(buf + len, backing_data + len,
			    strlen(backing_data) - len));
	EXPECT_EQ(1, ftd_count(self->d, FUSE_OPEN));
	EXPECT_EQ(0, ftd_count(self->d, FUSE_WRITE));
	if (_metadata->exit_code)
		ftd_log_dump(self->d, stderr);
}

TEST_HARNESS_MAIN
