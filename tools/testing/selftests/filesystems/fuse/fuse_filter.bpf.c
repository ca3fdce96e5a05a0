// SPDX-License-Identifier: GPL-2.0
/*
 * A passthrough subtree filter (struct fuse_pt_filter_ops): Android's
 * per-app directories.  In the top directory of a filtered subtree (the
 * one the server bound, Android/data), a caller other than root sees,
 * makes, removes and renames only the names the server put in fpt_allow
 * for its uid and the binding's cookie; below that, everything goes on
 * (as the backing filesystem checks it).  fpt_calls counts the hook
 * calls per operation; fpt_settings[0], when not 0, is returned by every
 * hook instead (for the fail-closed tests); fpt_settings[1] set lets every
 * create through (a policy that hides names it lets be made);
 * fpt_settings[2], when not 0, is what the rename hook returns.
 * fpt_calls[15] counts names whose bytes after the NUL are not zero.
 *
 * Names are compared as the kernel passes them: case-folded in a
 * case-insensitive directory, so keys of such directories are folded
 * names (lower case, for ASCII).
 */
#include "vmlinux.h"
#include <bpf/bpf_helpers.h>
#include <bpf/bpf_tracing.h>

char LICENSE[] SEC("license") = "GPL";

#define EACCES		13
#define FPT_ALLOW_MAX	4096

/* fpt_key, fpt_allow, allowed(): the policy fuse-passthrough runs */
#include "../../../../fuse/fuse-passthrough-filter.bpf.h"

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 16);
	__type(key, __u32);
	__type(value, __u64);
} fpt_calls SEC(".maps");

struct {
	__uint(type, BPF_MAP_TYPE_ARRAY);
	__uint(max_entries, 3);
	__type(key, __u32);
	__type(value, __s32);
} fpt_settings SEC(".maps");

static __always_inline void count(__u32 op)
{
	__u64 *n = bpf_map_lookup_elem(&fpt_calls, &op);

	if (n)
		__sync_fetch_and_add(n, 1);
}

/* The kernel passes nothing after a name's NUL (the first 64 bytes) */
static __always_inline void check_tail(const struct fuse_pt_filter_args *args)
{
	__u32 len = args->name_len;
	bool dirty = false;
	int i;

#pragma unroll
	for (i = 0; i < FPT_NAME_LEN; i++)
		if (i >= len && args->name[i])
			dirty = true;
	if (dirty)
		count(15);
}

static __always_inline int setting(__u32 i)
{
	__s32 *v = bpf_map_lookup_elem(&fpt_settings, &i);

	return v ? *v : 0;
}

/* the test's forced verdict, or 0 */
static __always_inline int forced(void)
{
	return setting(0);
}

SEC("struct_ops/fpt_lookup")
int BPF_PROG(fpt_lookup, const struct fuse_pt_filter_args *args)
{
	count(args->op);
	check_tail(args);
	if (forced())
		return forced();
	return allowed(args) ? FUSE_PT_FILTER_CONTINUE : FUSE_PT_FILTER_HIDE;
}

SEC("struct_ops/fpt_create")
int BPF_PROG(fpt_create, const struct fuse_pt_filter_args *args)
{
	count(args->op);
	if (forced())
		return forced();
	if (setting(1))
		return FUSE_PT_FILTER_CONTINUE;
	return allowed(args) ? FUSE_PT_FILTER_CONTINUE : -EACCES;
}

SEC("struct_ops/fpt_remove")
int BPF_PROG(fpt_remove, const struct fuse_pt_filter_args *args)
{
	count(args->op);
	if (forced())
		return forced();
	return allowed(args) ? FUSE_PT_FILTER_CONTINUE : -EACCES;
}

SEC("struct_ops/fpt_rename")
int BPF_PROG(fpt_rename, const struct fuse_pt_filter_args *from,
	     const struct fuse_pt_filter_args *to)
{
	count(from->op);
	check_tail(from);
	check_tail(to);
	if (forced())
		return forced();
	if (setting(2))
		return setting(2);
	return allowed(from) && allowed(to) ? FUSE_PT_FILTER_CONTINUE :
		-EACCES;
}

SEC("struct_ops/fpt_open")
int BPF_PROG(fpt_open, const struct fuse_pt_filter_args *args)
{
	count(args->op);
	return forced();
}

/* fuse_fd is set by the loader, before load */
SEC(".struct_ops")
struct fuse_pt_filter_ops fpt_filter = {
	.lookup = (void *)fpt_lookup,
	.create = (void *)fpt_create,
	.remove = (void *)fpt_remove,
	.rename = (void *)fpt_rename,
	.open = (void *)fpt_open,
	.fuse_fd = -1,
};

/* A sleepable hook: the kernel refuses it (loaded only by that test) */
SEC("struct_ops.s/fpt_sleepy_lookup")
int BPF_PROG(fpt_sleepy_lookup, const struct fuse_pt_filter_args *args)
{
	return FUSE_PT_FILTER_CONTINUE;
}

SEC(".struct_ops")
struct fuse_pt_filter_ops fpt_sleepy = {
	.lookup = (void *)fpt_sleepy_lookup,
	.fuse_fd = -1,
};
