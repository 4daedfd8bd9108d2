#!/usr/bin/env bash
# Installs the host packages the build needs, provides Unicorn >= 2.1 and fetches busybox's
# testsuite.
#
# Debian 12 ships libunicorn 2.0.1, which ignores x86 paging (docs/unicorn.md section 1).
# When the system has no Unicorn >= 2.1, Debian 13's libunicorn2t64 and libunicorn-dev are
# downloaded through a private apt configuration on the machine's own Debian mirror, verified
# with the machine's debian-archive-keyring, and unpacked into .deps/unicorn/ (read by
# cmake/Unicorn.cmake). The system's apt sources are never modified.
#
# busybox's own testsuite (tests/busybox/) comes from Debian's busybox source package, the version
# the installed busybox-static was built from: apt-get source, through a second private apt
# configuration whose deb-src entries are the machine's own Debian entries for this release, puts
# testsuite/, the .config of the busybox-static flavour and a VERSION file in .deps/busybox/.
# Without it (no network) setup only warns: the busybox tests then report SKIP. lwIP, the network
# service's TCP/IP stack, comes the same way from Debian's lwip source package: its src/ tree
# and COPYING in .deps/lwip/, built for the guest by cmake/Lwip.cmake; without it setup fails.
#
# Idempotent: when everything is present it only checks, without touching the network.
set -euo pipefail
shopt -s inherit_errexit

ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)
readonly ROOT
# .deps may be a symbolic link to a prefix that several checkouts share: the paths written into
# unicorn.pc, and checked against it, are the ones it resolves to.
DEPS=$(realpath -m "$ROOT/.deps")
readonly DEPS
readonly APT_DIR="$DEPS/apt"
readonly UNICORN_DIR="$DEPS/unicorn"
readonly UNICORN_PC_DIR="$UNICORN_DIR/pkgconfig"
readonly UNICORN_MIN_VERSION=2.1
readonly UNICORN_SUITE=trixie
readonly UNICORN_DEBS=(libunicorn2t64 libunicorn-dev)
readonly KEYRING=/usr/share/keyrings/debian-archive-keyring.gpg
readonly BUSYBOX_DIR="$DEPS/busybox"
readonly SRC_APT_DIR="$DEPS/apt-src"
readonly LWIP_DIR="$DEPS/lwip"
readonly PACKAGES=(build-essential cmake pkg-config libelf-dev check qemu-user cpio gdb
                   python3 clang libclang-rt-14-dev file qemu-system-x86 busybox-static
                   musl-tools strace e2fsprogs libslirp-dev curl
                   libpng-dev libsdl2-dev xvfb libxtst6 console-setup-linux qemu-system-gui sox)

die() {
    echo "setup.sh: error: $*" >&2
    exit 1
}

report_failure() {
    local status=$?
    ((status == 0)) || echo "setup.sh: failed (exit status $status)" >&2
}
trap report_failure EXIT

as_root() {
    if ((EUID == 0)); then
        "$@"
    elif command -v sudo >/dev/null; then
        sudo "$@"
    else
        die "not root and no sudo: cannot run $*"
    fi
}

# Runs a command with its output kept in a log; shows the log only when the command fails.
run_logged() {
    local log=$1
    shift
    if ! "$@" >"$log" 2>&1; then
        cat "$log" >&2
        die "failed: $* (log: $log)"
    fi
}

missing_packages() {
    local pkg
    for pkg in "${PACKAGES[@]}"; do
        [[ $(dpkg-query -W -f='${db:Status-Abbrev}' "$pkg" 2>/dev/null) == ii* ]] || echo "$pkg"
    done
}

install_packages() {
    local missing
    mapfile -t missing < <(missing_packages)
    ((${#missing[@]} > 0)) || return 0
    mkdir -p "$DEPS"
    local log="$DEPS/apt-install.log"
    run_logged "$log" as_root apt-get -o DPkg::Lock::Timeout=300 update
    run_logged "$log.2" as_root env DEBIAN_FRONTEND=noninteractive \
        apt-get -o DPkg::Lock::Timeout=300 install -y --no-install-recommends "${missing[@]}"
    rm -f "$log" "$log.2"
    echo "installed ${missing[*]}; "
}

# The URI of the machine's Debian mirror: the entry whose suite is this release's codename.
# Read from apt's one-line (*.list) and deb822 (*.sources) files; never stored in the project.
debian_mirror_uri() {
    local codename uri lists=() sources=() f
    # shellcheck source=/dev/null
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release"
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] && lists+=("$f")
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && sources+=("$f")
    done
    uri=""
    if ((${#sources[@]} > 0)); then
        uri=$(awk -v suite="$codename" '
            BEGIN { RS = ""; FS = "\n" }
            {
                delete field
                key = ""
                for (i = 1; i <= NF; i++) {
                    line = $i
                    if (line ~ /^#/) continue
                    if (line ~ /^[ \t]/) {
                        if (key != "") field[key] = field[key] " " line
                        continue
                    }
                    colon = index(line, ":")
                    if (colon == 0) continue
                    key = tolower(substr(line, 1, colon - 1))
                    field[key] = substr(line, colon + 1)
                }
                if (tolower(field["enabled"]) ~ /no/) next
                if (field["types"] !~ /(^|[ \t])deb([ \t]|$)/) next
                n = split(field["suites"], suites, /[ \t]+/)
                matched = 0
                for (i = 1; i <= n; i++) if (suites[i] == suite) matched = 1
                if (!matched) next
                n = split(field["uris"], uris, /[ \t]+/)
                for (i = 1; i <= n; i++) if (uris[i] != "") { print uris[i]; exit }
            }' "${sources[@]}")
    fi
    if [[ -z $uri ]] && ((${#lists[@]} > 0)); then
        uri=$(awk -v suite="$codename" '
            { sub(/#.*/, ""); gsub(/\[[^]]*\]/, "") }
            $1 == "deb" && $3 == suite { print $2; exit }' "${lists[@]}")
    fi
    [[ -n $uri ]] || die "no apt source for Debian '$codename' found in /etc/apt"
    echo "${uri%/}"
}

apt_private() {
    apt-get -q \
        -o "Dir::Etc::SourceList=$APT_DIR/sources.list" \
        -o "Dir::Etc::SourceParts=$APT_DIR/sources.list.d" \
        -o "Dir::State=$APT_DIR/state" \
        -o "Dir::State::Lists=$APT_DIR/lists" \
        -o "Dir::State::status=$APT_DIR/state/status" \
        -o "Dir::Cache=$APT_DIR/cache" \
        -o "APT::Architectures=$(dpkg --print-architecture)" \
        -o "Acquire::Languages=none" \
        "$@"
}

# Downloads the Unicorn packages and unpacks them into $UNICORN_DIR/root.
download_unicorn() {
    [[ -r $KEYRING ]] || die "$KEYRING missing (package debian-archive-keyring)"
    local uri
    uri=$(debian_mirror_uri)
    rm -rf "$APT_DIR"
    mkdir -p "$APT_DIR/sources.list.d" "$APT_DIR/state" "$APT_DIR/lists/partial" \
             "$APT_DIR/cache/archives/partial" "$APT_DIR/debs"
    : >"$APT_DIR/state/status"
    echo "deb [signed-by=$KEYRING] $uri $UNICORN_SUITE main" >"$APT_DIR/sources.list"
    # apt downloads as the unprivileged _apt user when run as root; let it write the .debs.
    if ((EUID == 0)) && id _apt >/dev/null 2>&1; then
        chown _apt "$APT_DIR/debs"
    fi

    run_logged "$APT_DIR/update.log" apt_private update
    (cd "$APT_DIR/debs" && run_logged "$APT_DIR/download.log" apt_private download "${UNICORN_DEBS[@]}")

    local stage="$UNICORN_DIR.partial" deb
    rm -rf "$stage"
    mkdir -p "$stage/root"
    for deb in "$APT_DIR"/debs/*.deb; do
        dpkg -x "$deb" "$stage/root" || die "cannot unpack $deb"
    done
    rm -rf "$UNICORN_DIR"
    mv "$stage" "$UNICORN_DIR"
}

# The multiarch library directory of the unpacked prefix, or nothing if it is incomplete.
unicorn_libdir() {
    local lib
    lib=$(find "$UNICORN_DIR/root/usr/lib" -name libunicorn.so.2 -print -quit 2>/dev/null || :)
    [[ -n $lib && -f $(dirname "$lib")/pkgconfig/unicorn.pc && -f $UNICORN_DIR/root/usr/include/unicorn/unicorn.h ]] \
        && dirname "$lib"
}

# Makes libunicorn.so a relative link inside the prefix and writes a relocated unicorn.pc.
configure_unicorn() {
    local libdir=$1 prefix="$UNICORN_DIR/root/usr" multiarch
    multiarch=$(basename "$libdir")
    local link="$libdir/libunicorn.so"
    if [[ ! -e $link || $(readlink "$link" || :) == /* ]]; then
        rm -f "$link"
        ln -s libunicorn.so.2 "$link"
    fi
    [[ $(realpath "$link") == "$prefix"/* ]] || die "$link does not resolve inside $prefix"
    local deps
    deps=$(ldd "$libdir/libunicorn.so.2")
    [[ $deps != *"not found"* ]] || die "libunicorn.so.2 needs libraries this system lacks: $deps"

    mkdir -p "$UNICORN_PC_DIR"
    {
        cat <<EOF
prefix=$prefix
exec_prefix=\${prefix}
libdir=\${prefix}/lib/$multiarch
includedir=\${prefix}/include

EOF
        grep -Ev '^(prefix|exec_prefix|libdir|includedir)=' "$libdir/pkgconfig/unicorn.pc"
    } >"$UNICORN_PC_DIR/unicorn.pc.tmp"
    mv "$UNICORN_PC_DIR/unicorn.pc.tmp" "$UNICORN_PC_DIR/unicorn.pc"
}

local_unicorn_ok() {
    [[ -f $UNICORN_PC_DIR/unicorn.pc ]] || return 1
    PKG_CONFIG_LIBDIR=$UNICORN_PC_DIR pkg-config --atleast-version="$UNICORN_MIN_VERSION" unicorn \
        || return 1
    local libdir
    libdir=$(PKG_CONFIG_LIBDIR=$UNICORN_PC_DIR pkg-config --variable=libdir unicorn)
    [[ $libdir == "$UNICORN_DIR/root/usr/"* && -e $libdir/libunicorn.so ]]
}

provide_unicorn() {
    if pkg-config --atleast-version="$UNICORN_MIN_VERSION" unicorn; then
        echo "unicorn $(pkg-config --modversion unicorn) from the system"
        return
    fi
    if local_unicorn_ok; then
        echo "unicorn $(PKG_CONFIG_LIBDIR=$UNICORN_PC_DIR pkg-config --modversion unicorn) in .deps/unicorn"
        return
    fi
    mkdir -p "$DEPS"
    exec 9>"$DEPS/setup.lock"
    flock 9
    local libdir action="configured"
    if ! libdir=$(unicorn_libdir); then
        download_unicorn
        libdir=$(unicorn_libdir) || die "the downloaded packages lack libunicorn.so.2, unicorn.pc or unicorn.h"
        action="downloaded"
    fi
    configure_unicorn "$libdir"
    local_unicorn_ok || die "unicorn in .deps/unicorn is not >= $UNICORN_MIN_VERSION" \
        "(found $(PKG_CONFIG_LIBDIR=$UNICORN_PC_DIR pkg-config --modversion unicorn || echo none))"
    echo "unicorn $(PKG_CONFIG_LIBDIR=$UNICORN_PC_DIR pkg-config --modversion unicorn) $action into .deps/unicorn"
    exec 9>&-
}

# The machine's Debian entries for this release (its codename and codename-updates, -security,
# ...) as deb-src lines, one a line: "URI SUITE COMPONENTS...". Read from the same files as
# debian_mirror_uri; never stored in the project.
debian_source_entries() {
    local codename lists=() sources=() f
    # shellcheck source=/dev/null
    codename=$(. /etc/os-release && echo "${VERSION_CODENAME:-}")
    [[ -n $codename ]] || die "no VERSION_CODENAME in /etc/os-release"
    for f in /etc/apt/sources.list /etc/apt/sources.list.d/*.list; do
        [[ -f $f ]] && lists+=("$f")
    done
    for f in /etc/apt/sources.list.d/*.sources; do
        [[ -f $f ]] && sources+=("$f")
    done
    {
        if ((${#sources[@]} > 0)); then
            awk -v release="$codename" '
                BEGIN { RS = ""; FS = "\n" }
                {
                    delete field
                    key = ""
                    for (i = 1; i <= NF; i++) {
                        line = $i
                        if (line ~ /^#/) continue
                        if (line ~ /^[ \t]/) {
                            if (key != "") field[key] = field[key] " " line
                            continue
                        }
                        colon = index(line, ":")
                        if (colon == 0) continue
                        key = tolower(substr(line, 1, colon - 1))
                        field[key] = substr(line, colon + 1)
                    }
                    if (tolower(field["enabled"]) ~ /no/) next
                    if (field["types"] !~ /(^|[ \t])deb(-src)?([ \t]|$)/) next
                    comps = field["components"]
                    gsub(/^[ \t]+|[ \t]+$/, "", comps)
                    if (comps == "") next
                    ns = split(field["suites"], suites, /[ \t]+/)
                    nu = split(field["uris"], uris, /[ \t]+/)
                    for (i = 1; i <= ns; i++) {
                        if (suites[i] != release && index(suites[i], release "-") != 1) continue
                        for (j = 1; j <= nu; j++) if (uris[j] != "") print uris[j], suites[i], comps
                    }
                }' "${sources[@]}"
        fi
        if ((${#lists[@]} > 0)); then
            awk -v release="$codename" '
                { sub(/#.*/, ""); gsub(/\[[^]]*\]/, "") }
                ($1 == "deb" || $1 == "deb-src") && NF >= 4 &&
                ($3 == release || index($3, release "-") == 1) {
                    line = $2 " " $3
                    for (i = 4; i <= NF; i++) line = line " " $i
                    print line
                }' "${lists[@]}"
        fi
    } | sed 's|/ | |' | sort -u
}

apt_source_private() {
    apt-get -q \
        -o "Dir::Etc::SourceList=$SRC_APT_DIR/sources.list" \
        -o "Dir::Etc::SourceParts=$SRC_APT_DIR/sources.list.d" \
        -o "Dir::State=$SRC_APT_DIR/state" \
        -o "Dir::State::Lists=$SRC_APT_DIR/lists" \
        -o "Dir::State::status=$SRC_APT_DIR/state/status" \
        -o "Dir::Cache=$SRC_APT_DIR/cache" \
        -o "Acquire::Languages=none" \
        "$@"
}

# The source version of the installed busybox-static ("1:1.35.0-4+deb12u1"): a binNMU's
# "+b1" belongs to the binary package alone.
busybox_source_version() {
    dpkg-query -W -f='${source:Version}' busybox-static 2>/dev/null
}

# Downloads Debian's source package $1 (version $2 if the mirror has it, else its newest)
# through the private deb-src configuration and unpacks it at $SRC_APT_DIR/src/tree; the caller
# keeps what it needs and removes $SRC_APT_DIR.
fetch_source_package() {
    local package=$1 version=${2-} entries line
    [[ -r $KEYRING ]] || die "$KEYRING missing (package debian-archive-keyring)"
    command -v dpkg-source >/dev/null || die "dpkg-source missing (package dpkg-dev)"
    entries=$(debian_source_entries)
    [[ -n $entries ]] || die "no apt source for this Debian release found in /etc/apt"
    rm -rf "$SRC_APT_DIR"
    mkdir -p "$SRC_APT_DIR/sources.list.d" "$SRC_APT_DIR/state" \
             "$SRC_APT_DIR/lists/partial" "$SRC_APT_DIR/cache/archives/partial" \
             "$SRC_APT_DIR/src"
    : >"$SRC_APT_DIR/state/status"
    while read -r line; do
        echo "deb-src [signed-by=$KEYRING] $line"
    done <<<"$entries" >"$SRC_APT_DIR/sources.list"
    if ((EUID == 0)) && id _apt >/dev/null 2>&1; then
        chown _apt "$SRC_APT_DIR/src"
    fi
    run_logged "$SRC_APT_DIR/update.log" apt_source_private update
    if [[ -z $version ]] || ! (cd "$SRC_APT_DIR/src" &&
          apt_source_private source --download-only "$package=$version" >"$SRC_APT_DIR/source.log" 2>&1); then
        (cd "$SRC_APT_DIR/src" &&
         run_logged "$SRC_APT_DIR/source.log" apt_source_private source --download-only "$package")
    fi
    local dsc
    dsc=$(find "$SRC_APT_DIR/src" -maxdepth 1 -name "${package}_*.dsc" -print -quit)
    [[ -n $dsc ]] || die "apt-get source $package left no .dsc"
    # apt checked the files against the signed Sources index; dpkg-source checks them against
    # the .dsc.
    run_logged "$SRC_APT_DIR/extract.log" dpkg-source -x "$dsc" "$SRC_APT_DIR/src/tree"
    dpkg-parsechangelog -l "$SRC_APT_DIR/src/tree/debian/changelog" -S Version \
        >"$SRC_APT_DIR/src/VERSION" 2>/dev/null ||
        basename "$dsc" .dsc | sed "s/^${package}_//" >"$SRC_APT_DIR/src/VERSION"
}

# Downloads Debian's busybox source package and keeps what the testsuite's runner needs.
download_busybox_testsuite() {
    local version=$1
    fetch_source_package busybox "$version"
    local tree="$SRC_APT_DIR/src/tree" stage="$BUSYBOX_DIR.partial"
    [[ -d $tree/testsuite && -f $tree/debian/config/pkg/static ]] \
        || die "the busybox source package lacks testsuite/ or debian/config/pkg/static"
    rm -rf "$stage"
    mkdir -p "$stage"
    cp -a "$tree/testsuite" "$stage/testsuite"
    # As debian/rules does before it runs the suite: mdev's tests need a real /sys.
    rm -f "$stage/testsuite/mdev.tests"
    cp "$tree/debian/config/pkg/static" "$stage/.config"
    cp "$tree/LICENSE" "$stage/LICENSE"
    cp "$SRC_APT_DIR/src/VERSION" "$stage/VERSION"
    rm -rf "$BUSYBOX_DIR"
    mv "$stage" "$BUSYBOX_DIR"
    rm -rf "$SRC_APT_DIR"
}

# Downloads Debian's lwip source package and keeps its stack (src/: core, IPv4, the Ethernet
# layer, headers) for the network service, which builds it for the guest (cmake/Lwip.cmake).
download_lwip() {
    fetch_source_package lwip
    local tree="$SRC_APT_DIR/src/tree" stage="$LWIP_DIR.partial"
    [[ -d $tree/src/core/ipv4 && -f $tree/src/include/lwip/init.h ]] \
        || die "the lwip source package lacks src/core/ipv4 or src/include/lwip/init.h"
    rm -rf "$stage"
    mkdir -p "$stage"
    cp -a "$tree/src" "$stage/src"
    cp "$tree/COPYING" "$stage/COPYING"
    cp "$SRC_APT_DIR/src/VERSION" "$stage/VERSION"
    rm -rf "$LWIP_DIR"
    mv "$stage" "$LWIP_DIR"
    rm -rf "$SRC_APT_DIR"
}

# Provides .deps/lwip: the network service needs it, so setup fails without it.
provide_lwip() {
    if [[ -f $LWIP_DIR/src/include/lwip/init.h && -f $LWIP_DIR/VERSION ]]; then
        echo "lwip $(cat "$LWIP_DIR/VERSION") in .deps/lwip"
        return
    fi
    mkdir -p "$DEPS"
    exec 9>"$DEPS/setup.lock"
    flock 9
    download_lwip >&2
    exec 9>&-
    echo "lwip $(cat "$LWIP_DIR/VERSION") fetched into .deps/lwip"
}

# Provides .deps/busybox; says what it did, or warns and goes on when it cannot.
provide_busybox_testsuite() {
    local version
    version=$(busybox_source_version)
    if [[ -z $version ]]; then
        echo "no busybox-static, no busybox testsuite"
        return
    fi
    if [[ -d $BUSYBOX_DIR/testsuite && -f $BUSYBOX_DIR/.config && -f $BUSYBOX_DIR/VERSION ]]; then
        echo "busybox testsuite $(cat "$BUSYBOX_DIR/VERSION") in .deps/busybox"
        return
    fi
    mkdir -p "$DEPS"
    exec 9>"$DEPS/setup.lock"
    flock 9
    # In a subshell: die only ends it, and the tests skip what is missing. Not as an if's
    # condition, where bash would ignore set -e inside it.
    local status=0
    set +e
    (set -e; download_busybox_testsuite "$version") >&2
    status=$?
    set -e
    if ((status == 0)); then
        echo "busybox testsuite $(cat "$BUSYBOX_DIR/VERSION") fetched into .deps/busybox"
    else
        echo "setup.sh: warning: busybox testsuite not fetched; the busybox tests will be skipped" >&2
        echo "no busybox testsuite"
    fi
    exec 9>&-
}

main() {
    local installed unicorn testsuite lwip
    installed=$(install_packages)
    unicorn=$(provide_unicorn)
    lwip=$(provide_lwip)
    testsuite=$(provide_busybox_testsuite)
    echo "setup.sh: ${installed:-packages present; }$unicorn; $lwip; $testsuite"
}

main "$@"
