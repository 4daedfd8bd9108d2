#!/usr/bin/env bash
# Every document the project's files mention (a name ending in .md, in a comment, a script or a
# Markdown link) is in the repository: a reader must never be sent to notes that are not there.
# A mention resolves against the mentioning file's directory, then the repository root; a bare
# file name may also be any file of that name in the tree.
# Usage: links_test.sh SOURCE_DIR
set -uo pipefail
root=$(cd "${1:?usage: $0 SOURCE_DIR}" && pwd)
cd "$root" || exit 2

mapfile -t files < <(find . \( -path ./.git -o -path './build*' -o -path ./.deps \) -prune -o \
	-type f \( -name '*.md' -o -name '*.c' -o -name '*.h' -o -name '*.S' -o -name '*.sh' \
	-o -name '*.cmake' -o -name CMakeLists.txt -o -name Makefile -o -name '*.py' \
	-o -name '*.conf' -o -name '*.gdb' -o -name '*.ld' -o -path ./.ci/run \) -print | sort)
mapfile -t names < <(printf '%s\n' "${files[@]##*/}" | sort -u)
declare -A known
for name in "${names[@]}"; do
	known[$name]=1
done

failures=0 mentions=0
for file in "${files[@]}"; do
	dir=$(dirname "$file")
	# URLs name other sites' documents: left out.
	while IFS=: read -r line mention; do
		# A path in a shell or CMake variable is the program's business.
		[[ $mention == \$* ]] && continue
		mentions=$((mentions + 1))
		mention=${mention#./}
		if [[ -f $dir/$mention || -f ./$mention ]] || [[ $mention != */* && -n ${known[$mention]-} ]]; then
			continue
		fi
		echo "FAIL: ${file#./}:$line mentions $mention, which is not in the repository"
		failures=$((failures + 1))
	done < <(sed -E 's#[a-z]+://[^ )>"]*##g' "$file" | grep -noE '(\$\{?)?(\.\./)*[A-Za-z0-9_][A-Za-z0-9_.-]*(/[A-Za-z0-9_.-]+)*\.md\b')
done
((mentions > 0)) || { echo "FAIL: no mentions found at all"; exit 1; }
((failures == 0)) && echo "PASS: $mentions mentions of documents, each in the repository"
((failures == 0))
