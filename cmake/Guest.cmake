# Guest programs: static, non-PIE, freestanding ELF64 ET_EXEC x86_64 binaries that run the same
# natively on Linux, under qemu-x86_64 and on Eclipse OS. Built by the host C compiler with their
# own flags only: whatever the host targets get (sanitizers, coverage, include paths) never
# reaches a guest.
#
# Include from the top-level CMakeLists.txt (it enables ASM, which must happen at top level),
# then add_subdirectory(services/lib) for the runtime that every guest links.
#
# Defines:
#   ECLIPSE_GUEST_CFLAGS           compile options of every guest object
#   ECLIPSE_GUEST_LDFLAGS          link options of every guest program
#   ECLIPSE_GUEST_LDSCRIPT         the linker script addition those options name
#   eclipse_guest_target(TARGET)   gives a target the guest options and nothing else
#   add_guest_program(NAME SOURCES src...)
#                                  builds ${CMAKE_BINARY_DIR}/guest/NAME linked with eclipse_rt
include_guard(GLOBAL)

enable_language(ASM)

# Freestanding: no host headers, but the compiler's own (stdint.h, stddef.h, stdarg.h, ...).
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
# -isystem is joined to its directory so that CMake's option de-duplication cannot split it.
set(ECLIPSE_GUEST_CFLAGS
  $<$<COMPILE_LANGUAGE:C>:-std=c11>
  -Wall -Wextra -Werror
  -ffreestanding -nostdinc "-isystem${ECLIPSE_GUEST_CC_INCLUDE}"
  -fno-stack-protector -fno-pie -fcf-protection=none
  ${ECLIPSE_GUEST_OPT} -g -fno-omit-frame-pointer)

# Separate R, R+X, R and RW segments at the usual 0x400000, each starting on a page boundary
# (separate-code for the first three, guest.ld for RW); no RWX, no executable stack.
# -static alone links ET_EXEC (the compiler passes no -pie with it; clang would warn that -no-pie
# is unused). norelro: no loader applies PT_GNU_RELRO here, so .got stays in the plain RW segment.
set(ECLIPSE_GUEST_LDSCRIPT "${CMAKE_CURRENT_LIST_DIR}/../services/lib/guest.ld")
set(ECLIPSE_GUEST_LDFLAGS
  -static -nostdlib
  -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,separate-code -Wl,-z,norelro
  -Wl,-z,max-page-size=4096 -Wl,-z,common-page-size=4096 "-Wl,-T,${ECLIPSE_GUEST_LDSCRIPT}")

# Replaces (not appends to) the options a target inherited from its directories, so host-only
# settings made with add_compile_options/include_directories/add_link_options stay out.
function(eclipse_guest_target target)
  set_target_properties(${target} PROPERTIES
    COMPILE_OPTIONS "${ECLIPSE_GUEST_CFLAGS}"
    INCLUDE_DIRECTORIES ""
    LINK_OPTIONS "${ECLIPSE_GUEST_LDFLAGS}"
    POSITION_INDEPENDENT_CODE OFF
    INTERPROCEDURAL_OPTIMIZATION OFF)
endfunction()

function(add_guest_program name)
  cmake_parse_arguments(PARSE_ARGV 1 GUEST "" "" "SOURCES")
  if(NOT GUEST_SOURCES OR GUEST_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: add_guest_program(NAME SOURCES src...)")
  endif()
  add_executable(${name} ${GUEST_SOURCES})
  eclipse_guest_target(${name})
  # eclipse_rt before libgcc: the runtime may need its helpers, never the other way round.
  target_link_libraries(${name} PRIVATE eclipse_rt "${ECLIPSE_GUEST_LIBGCC}")
  set_target_properties(${name} PROPERTIES
    RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}/guest"
    LINK_DEPENDS "${ECLIPSE_GUEST_LDSCRIPT}")
endfunction()
