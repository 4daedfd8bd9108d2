# Finds Unicorn >= 2.1 (docs/unicorn.md section 1: 2.0.x ignores x86 paging) and defines
# the imported target unicorn::unicorn.
#
# Looks first in the project-local prefix made by scripts/setup.sh (.deps/unicorn/pkgconfig in
# the repository root, found from this file's location), then in the system's pkg-config path.
# Include it before defining the targets that link unicorn::unicorn: it appends the library's
# directory to CMAKE_BUILD_RPATH so those binaries load the local libunicorn.so.2 without
# LD_LIBRARY_PATH.
#
# Sets: UNICORN_VERSION, UNICORN_LIBRARY (full path), UNICORN_INCLUDE_DIRS.
include_guard(GLOBAL)

set(UNICORN_MIN_VERSION 2.1)
get_filename_component(_unicorn_local_pc_dir "${CMAKE_CURRENT_LIST_DIR}/../.deps/unicorn/pkgconfig" ABSOLUTE)
set(_unicorn_setup_hint "Run scripts/setup.sh, which provides Unicorn ${UNICORN_MIN_VERSION} in .deps/unicorn.")

find_package(PkgConfig QUIET)
if(NOT PKG_CONFIG_FOUND)
  message(FATAL_ERROR "pkg-config not found; it is needed to find Unicorn. ${_unicorn_setup_hint}")
endif()

if(EXISTS "${_unicorn_local_pc_dir}")
  if("$ENV{PKG_CONFIG_PATH}" STREQUAL "")
    set(ENV{PKG_CONFIG_PATH} "${_unicorn_local_pc_dir}")
  else()
    set(ENV{PKG_CONFIG_PATH} "${_unicorn_local_pc_dir}:$ENV{PKG_CONFIG_PATH}")
  endif()
endif()

# The version goes into the module spec so a failed check is retried at the next configure.
pkg_check_modules(UNICORN QUIET "unicorn>=${UNICORN_MIN_VERSION}")
if(NOT UNICORN_FOUND)
  execute_process(
    COMMAND "${PKG_CONFIG_EXECUTABLE}" --modversion unicorn
    OUTPUT_VARIABLE _unicorn_found_version
    OUTPUT_STRIP_TRAILING_WHITESPACE
    ERROR_QUIET
    RESULT_VARIABLE _unicorn_pc_result)
  if(_unicorn_pc_result EQUAL 0)
    set(_unicorn_found "Found Unicorn ${_unicorn_found_version}")
  else()
    set(_unicorn_found "Found no Unicorn")
  endif()
  message(FATAL_ERROR
    "${_unicorn_found}; Eclipse OS needs Unicorn >= ${UNICORN_MIN_VERSION} "
    "(older versions ignore x86 paging). ${_unicorn_setup_hint}")
endif()

set(UNICORN_LIBRARY "")
foreach(_unicorn_lib IN LISTS UNICORN_LINK_LIBRARIES)
  if(_unicorn_lib MATCHES "/libunicorn\\.so$")
    set(UNICORN_LIBRARY "${_unicorn_lib}")
  endif()
endforeach()
if(NOT UNICORN_LIBRARY)
  message(FATAL_ERROR
    "Unicorn ${UNICORN_VERSION} found by pkg-config, but no libunicorn.so among "
    "'${UNICORN_LINK_LIBRARIES}'. ${_unicorn_setup_hint}")
endif()

# The static archive, when the package has one, is what eclipse-sim links: the dynamic loader
# then has no 1.1 MiB of libunicorn's relocations to apply at every start (about 10 ms of a
# 12 ms difference measured on a 2-core machine; docs/sim-internals.md, "Start-up").
string(REGEX REPLACE "\\.so$" ".a" UNICORN_STATIC_LIBRARY "${UNICORN_LIBRARY}")
if(NOT EXISTS "${UNICORN_STATIC_LIBRARY}")
  set(UNICORN_STATIC_LIBRARY "")
endif()

add_library(unicorn::unicorn INTERFACE IMPORTED GLOBAL)
if(UNICORN_STATIC_LIBRARY)
  find_package(Threads REQUIRED)
  set_target_properties(unicorn::unicorn PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${UNICORN_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${UNICORN_STATIC_LIBRARY};Threads::Threads;m")
else()
  set_target_properties(unicorn::unicorn PROPERTIES
    INTERFACE_INCLUDE_DIRECTORIES "${UNICORN_INCLUDE_DIRS}"
    INTERFACE_LINK_LIBRARIES "${UNICORN_LIBRARY}")
endif()

get_filename_component(_unicorn_lib_dir "${UNICORN_LIBRARY}" DIRECTORY)
if(NOT _unicorn_lib_dir MATCHES "^/(usr/)?lib(64|/[^/]+-linux-gnu[^/]*)?$")
  list(APPEND CMAKE_BUILD_RPATH "${_unicorn_lib_dir}")
endif()

if(UNICORN_STATIC_LIBRARY)
  message(STATUS "Unicorn ${UNICORN_VERSION}: ${UNICORN_STATIC_LIBRARY} (static)")
else()
  message(STATUS "Unicorn ${UNICORN_VERSION}: ${UNICORN_LIBRARY}")
endif()
