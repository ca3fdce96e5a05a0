# Sourced by prepare, prepare-libfuse and refresh-patches: a source tree
# kept as git (tag "pristine") with a quilt-style series of git
# format-patch files applied as commits.  The caller sets:
#   top   the repository      who   the name in messages (prepare, ...)
#   tree  the git tree        pdir  the directory of the series
#   hint  the make target that regenerates the series from the tree

git_t() { git -C "$tree" -c user.name=prepare -c user.email=prepare@localhost "$@"; }

# A hash of the series and of every patch it names
series_stamp() {
	{
		if [ -f "$pdir/series" ]; then
			cat "$pdir/series"
			grep -v '^#' "$pdir/series" | while read -r p _; do
				if [ -n "$p" ]; then cat "$pdir/$p"; fi
			done || true
		fi
	} | sha1sum | cut -d' ' -f1
}

# series_pristine SRC VERSION LABEL: (re)make tree from SRC unless it
# already is VERSION
series_pristine() {
	local src=$1 version=$2 label=$3
	[ -d "$tree/.git" ] && [ "$(cat "$tree/.pristine-version" 2>/dev/null)" = "$version" ] &&
		return 0
	echo "$who: copying pristine $version to ${tree#$top/}"
	rm -rf "$tree"
	mkdir -p "$(dirname "$tree")"
	cp -a "$src" "$tree"
	echo "$version" > "$tree/.pristine-version"
	git_t init -q
	git_t config core.autocrlf false
	git_t config gc.auto 0
	printf '/.pristine-version\n/.prepared\n' >> "$tree/.git/info/exclude"
	git_t add -A -f
	git_t commit -q -m "$label $version (pristine)"
	git_t tag pristine
}

# Re-apply the series to pristine if it changed since the tree was made
series_apply() {
	local want p err=$tree/../am.err
	want=$(series_stamp)
	[ "$want" = "$(cat "$tree/.prepared" 2>/dev/null || true)" ] && return 0
	if [ -n "$(git_t status --porcelain --untracked-files=no)" ]; then
		echo "$who: ${tree#$top/} has uncommitted changes and ${pdir#$top/}/ changed;" >&2
		echo "$who: commit them and run 'make $hint', or 'git -C ${tree#$top/} reset --hard'" >&2
		exit 1
	fi
	echo "$who: applying ${pdir#$top/}/series to pristine $(cat "$tree/.pristine-version")"
	git_t am --abort >/dev/null 2>&1 || true
	git_t reset -q --hard pristine
	if [ -f "$pdir/series" ]; then
		while read -r p _; do
			case "$p" in ''|'#'*) continue ;; esac
			if ! git_t am -q --keep-cr --committer-date-is-author-date "$pdir/$p" >/dev/null 2>"$err"; then
				git_t am --abort >/dev/null 2>&1 || true
				cat "$err" >&2
				echo "$who: patch does not apply: ${pdir#$top/}/$p" >&2
				exit 1
			fi
			echo "  applied $p"
		done < "$pdir/series"
	fi
	echo "$want" > "$tree/.prepared"
}

# The number of patches in the series
series_count() { grep -c '^[^#]' "$pdir/series" 2>/dev/null || true; }

# Regenerate the series from the commits on top of pristine
series_refresh() {
	[ -d "$tree/.git" ] || { echo "$who: no ${tree#$top/} (run make prepare / make libfuse)" >&2; exit 1; }
	if [ -n "$(git_t status --porcelain --untracked-files=no)" ]; then
		echo "$who: ${tree#$top/} has uncommitted changes; commit them first" >&2
		exit 1
	fi
	local old
	old=$(grep -v '^#' "$pdir/series" 2>/dev/null || true)
	rm -f "$pdir"/*.patch
	mkdir -p "$pdir"
	git -C "$tree" format-patch -q --zero-commit --no-signature --no-numbered \
		-o "$pdir" pristine..HEAD
	# A line may name, after the patch, the new files it brings
	# (harness/mail-series): kept for a patch of the same name, else for
	# the patch at the same place in the series.
	(cd "$pdir" && ls -1 [0-9]*.patch 2>/dev/null) |
		awk -v old="$old" '
			# a patch name without its number: patches move
			function key(name) { sub(/^[0-9]+-/, "", name); return name }
			BEGIN {
				n = split(old, l, "\n")
				for (i = 1; i <= n; i++) {
					k = split(l[i], f, /[ \t]+/)
					rest = ""
					for (j = 2; j <= k; j++)
						rest = rest " " f[j]
					byname[key(f[1])] = rest
					oldkey[i] = key(f[1]); byidx[i] = rest
				}
			}
			{ name[NR] = $1; seen[key($1)] = 1 }
			END {
				# by name, else (a patch renamed in place) by position
				for (i = 1; i <= NR; i++) {
					k = key(name[i])
					if (k in byname)
						r = byname[k]
					else if (!(oldkey[i] in seen))
						r = byidx[i]
					else
						r = ""
					print name[i] r
				}
			}
		' > "$pdir/series" || true
	# the tree now matches the series: record it so it is not re-applied
	series_stamp > "$tree/.prepared"
	echo "$who: $(wc -l < "$pdir/series") patches in ${pdir#$top/}/"
}
