/* SPDX-License-Identifier: GPL-2.0 */
/*
 * The per-app policy of fuse-passthrough's filter, shared with the
 * selftests' filter (tools/testing/selftests/filesystems/fuse/
 * fuse_filter.bpf.c): in the top directory of a filtered subtree a caller
 * other than root may have only the names that fpt_allow has for it,
 * key { cookie of the subtree, uid, name }; uid FPT_ANY_UID stands for
 * every caller.  Below the top directory, and on the side of a move that
 * is not filtered, everything goes on, as the backing filesystem checks
 * it.  Names come as the kernel passes them: folded in a case-insensitive
 * backing directory, so keys of such directories hold folded names.
 *
 * Include after vmlinux.h and bpf_helpers.h; FPT_ALLOW_MAX sizes the map.
 */
#ifndef FUSE_PASSTHROUGH_FILTER_BPF_H
#define FUSE_PASSTHROUGH_FILTER_BPF_H

#define FPT_NAME_LEN	64
#define FPT_ANY_UID	0xffffffffU
#ifndef FPT_ALLOW_MAX
#define FPT_ALLOW_MAX	65536
#endif

/* 80 bytes: the uid is followed by the name, then 4 bytes of padding */
struct fpt_key {
	__u64 cookie;
	__u32 uid;
	char name[FPT_NAME_LEN];
};

struct {
	__uint(type, BPF_MAP_TYPE_HASH);
	__uint(max_entries, FPT_ALLOW_MAX);
	__type(key, struct fpt_key);
	__type(value, __u32);
} fpt_allow SEC(".maps");

/* May args' caller have args' name? */
static __always_inline bool allowed(const struct fuse_pt_filter_args *args)
{
	struct fpt_key key = {};
	__u32 len = args->name_len;
	int i;

	if (!args->uid || !(args->flags & FUSE_PT_FILTER_TOP))
		return true;
	if (!len || len >= FPT_NAME_LEN)
		return false;
	key.cookie = args->cookie;
#pragma unroll
	for (i = 0; i < FPT_NAME_LEN; i++)
		if (i < len)
			key.name[i] = args->name[i];
	key.uid = args->uid;
	if (bpf_map_lookup_elem(&fpt_allow, &key))
		return true;
	key.uid = FPT_ANY_UID;
	return bpf_map_lookup_elem(&fpt_allow, &key);
}

#endif /* FUSE_PASSTHROUGH_FILTER_BPF_H */
