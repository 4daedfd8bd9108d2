# Guest programs: static ELF64 x86_64 binaries in ordinary C, linked with musl, that run the same
# natively on Linux, under qemu-x86_64 and on Eclipse OS. ET_EXEC at the usual 0x400000 by
# default, or static PIE (ET_DYN without an interpreter, which relocates itself). Built by the
# host C compiler, gcc or clang, with their own flags only: whatever the host targets get
# (sanitizers, coverage, include paths, the host C library) never reaches a guest.
#
# Include from the top-level CMakeLists.txt, then add_subdirectory(services/lib) for libecl,
# Eclipse's own library (message passing, the service helpers), which every guest links.
#
# Defines:
#   ECLIPSE_MUSL_INCLUDE, ECLIPSE_MUSL_LIB
#                                  musl's headers, and its crt files and libc.a (cache paths;
#                                  Debian's musl-dev by default)
#   ECLIPSE_GUEST_CC_INCLUDE       the compiler's own headers (stddef.h, stdarg.h, cpuid.h...)
#   eclipse_guest_target(TARGET [PIE])
#                                  gives a target the guest options and nothing else
#   add_guest_program(NAME [PIE] SOURCES src...)
#                                  builds ${CMAKE_BINARY_DIR}/guest/NAME linked with libecl and
#                                  musl; PIE makes it a static PIE
include_guard(GLOBAL)

set(ECLIPSE_MUSL_INCLUDE "/usr/include/x86_64-linux-musl" CACHE PATH "musl's headers")
set(ECLIPSE_MUSL_LIB "/usr/lib/x86_64-linux-musl" CACHE PATH "musl's crt1.o, rcrt1.o, crti.o, crtn.o and libc.a")
foreach(file "${ECLIPSE_MUSL_INCLUDE}/stdio.h" "${ECLIPSE_MUSL_LIB}/crt1.o" "${ECLIPSE_MUSL_LIB}/rcrt1.o"
             "${ECLIPSE_MUSL_LIB}/crti.o" "${ECLIPSE_MUSL_LIB}/crtn.o" "${ECLIPSE_MUSL_LIB}/libc.a")
  if(NOT EXISTS "${file}")
    message(FATAL_ERROR "Guest build: no ${file}: guests are linked with musl "
                        "(Debian: apt-get install musl-tools; or set ECLIPSE_MUSL_INCLUDE and ECLIPSE_MUSL_LIB)")
  endif()
endforeach()

# The compiler's own headers come after musl's, as musl-gcc puts them: musl's limits.h, stddef.h
# and the like win, and the compiler's add what musl leaves to it (stdatomic.h, cpuid.h, the x86
# intrinsics).
if(CMAKE_C_COMPILER_ID MATCHES "Clang")
  execute_process(COMMAND "${CMAKE_C_COMPILER}" -print-resource-dir
    OUTPUT_VARIABLE _guest_resource_dir OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
  set(ECLIPSE_GUEST_CC_INCLUDE "${_guest_resource_dir}/include")
else()
  execute_process(COMMAND "${CMAKE_C_COMPILER}" -print-file-name=include
    OUTPUT_VARIABLE ECLIPSE_GUEST_CC_INCLUDE OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)
endif()
if(NOT EXISTS "${ECLIPSE_GUEST_CC_INCLUDE}/stddef.h")
  message(FATAL_ERROR "Guest build: no compiler include directory with stddef.h at '${ECLIPSE_GUEST_CC_INCLUDE}'")
endif()
# The compiler's helper library (division and the like for code it emits), linked by path
# because -nostdlib drops it; -print-libgcc-file-name works for gcc and clang alike.
execute_process(COMMAND "${CMAKE_C_COMPILER}" -print-libgcc-file-name
  OUTPUT_VARIABLE ECLIPSE_GUEST_LIBGCC OUTPUT_STRIP_TRAILING_WHITESPACE COMMAND_ERROR_IS_FATAL ANY)

# Guests are optimized (-O2); -DECLIPSE_GUEST_OPT=-Og builds them for the debugger, which then
# sees every local variable (docs/debugging.md). One target alone: append -Og to its
# COMPILE_OPTIONS, as tests/gdb does.
set(ECLIPSE_GUEST_OPT "-O2" CACHE STRING "Optimization flag of guest programs (-Og for debugging)")
# musl's headers instead of the host's: musl-gcc's specs file does the same for gcc alone, so
# the flags are spelled out for clang too. _GNU_SOURCE, as the host targets have it: musl's
# whole API (POSIX, BSD and GNU calls) under -std=c11. -isystem is joined to its directory so
# that CMake's option de-duplication cannot split it.
set(_guest_cflags
  $<$<COMPILE_LANGUAGE:C>:-std=c11> -D_GNU_SOURCE
  -Wall -Wextra -Werror
  -nostdinc "-isystem${ECLIPSE_MUSL_INCLUDE}" "-isystem${ECLIPSE_GUEST_CC_INCLUDE}"
  -fno-stack-protector -fcf-protection=none
  ${ECLIPSE_GUEST_OPT} -g -fno-omit-frame-pointer)

# Separate R, R+X, R and RW segments, each starting on a page boundary (separate-code for the
# first three, guest.ld for RW); no RWX, no executable stack. norelro: nothing applies
# PT_GNU_RELRO in a static program, so .got stays in the plain RW segment. -nostdlib keeps the
# host's crt files and C library out; musl's start files come first, crtn.o last
# (add_guest_program).
set(ECLIPSE_GUEST_LDSCRIPT "${CMAKE_CURRENT_LIST_DIR}/../services/lib/guest.ld")
set(_guest_ldflags
  -nostdlib
  -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,separate-code -Wl,-z,norelro
  -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 "-Wl,-T,${ECLIPSE_GUEST_LDSCRIPT}")
# ET_EXEC at 0x400000: -static alone (the compiler passes no -pie with it; clang would warn that
# -no-pie is unused), and crt1.o.
set(_guest_exec_cflags -fno-pie)
set(_guest_exec_ldflags -static ${_guest_ldflags} "${ECLIPSE_MUSL_LIB}/crt1.o" "${ECLIPSE_MUSL_LIB}/crti.o")
# Static PIE: ET_DYN with its own relocations and no interpreter; rcrt1.o applies them before
# anything else runs. The kernel loads it at 0x555555554000, as Linux does.
set(_guest_pie_cflags -fPIE)
set(_guest_pie_ldflags -static-pie ${_guest_ldflags} "${ECLIPSE_MUSL_LIB}/rcrt1.o" "${ECLIPSE_MUSL_LIB}/crti.o")

# Replaces (not appends to) the options a target inherited from its directories, so host-only
# settings made with add_compile_options/include_directories/add_link_options stay out, and
# the host's build rpath (Unicorn's library directory) stays out of a static PIE's dynamic
# section.
function(eclipse_guest_target target)
  cmake_parse_arguments(PARSE_ARGV 1 GUEST "PIE" "" "")
  if(GUEST_PIE)
    set(cflags ${_guest_cflags} ${_guest_pie_cflags})
    set(ldflags ${_guest_pie_ldflags})
  else()
    set(cflags ${_guest_cflags} ${_guest_exec_cflags})
    set(ldflags ${_guest_exec_ldflags})
  endif()
  set_target_properties(${target} PROPERTIES
    COMPILE_OPTIONS "${cflags}"
    INCLUDE_DIRECTORIES ""
    LINK_OPTIONS "${ldflags}"
    SKIP_BUILD_RPATH ON
    POSITION_INDEPENDENT_CODE OFF
    INTERPROCEDURAL_OPTIMIZATION OFF)
endfunction()

function(add_guest_program name)
  cmake_parse_arguments(PARSE_ARGV 1 GUEST "PIE" "" "SOURCES;LIBS")
  if(NOT GUEST_SOURCES OR GUEST_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: add_guest_program(NAME [PIE] SOURCES src... [LIBS guest-lib...])")
  endif()
  set(pie)
  if(GUEST_PIE)
    set(pie PIE)
  endif()
  add_executable(${name} ${GUEST_SOURCES})
  eclipse_guest_target(${name} ${pie})
  # LIBS and libecl, then musl's libc and the compiler's helpers, which may need each other; crtn.o ends
  # the .init and .fini sections that crti.o began.
  target_link_libraries(${name} PRIVATE ${GUEST_LIBS} ecl
    -Wl,--start-group "${ECLIPSE_MUSL_LIB}/libc.a" "${ECLIPSE_GUEST_LIBGCC}" -Wl,--end-group
    "${ECLIPSE_MUSL_LIB}/crtn.o")
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/guest"
    LINK_DEPENDS "${ECLIPSE_GUEST_LDSCRIPT}")
endfunction()
