# The pc platform: eclipse-pc, the kernel core on bare metal, a multiboot image that QEMU boots
# with -kernel (kernel_core/pc/boot.S says how an ELF64 file gets past QEMU's loader).
#
# Built from KERNEL_CORE_SOURCES, the same list as the simulator's core, and the files of
# kernel_core/pc, with kernel flags of its own that replace whatever the directory gives host
# targets: freestanding, no red zone, no SSE in the kernel, the kernel code model, not PIC, no
# stack protector, always -O2 (a Debug or sanitizer build of the host parts changes nothing here).
#
# Include from the top-level CMakeLists.txt after KERNEL_CORE_SOURCES and cmake/Guest.cmake.
# Defines:
#   eclipse-pc              ${CMAKE_BINARY_DIR}/eclipse-pc: the image for -kernel, and gdb's
#                           symbol file for it
#   ECLIPSE_QEMU_SYSTEM     the qemu-system-x86_64 program, or ...-NOTFOUND
include_guard(GLOBAL)
include(CheckLinkerFlag)

set(_pc_dir "${PROJECT_SOURCE_DIR}/kernel_core/pc")
set(_pc_sources boot.S entry.S main.c cpu.c multiboot.c serial.c timer.c libc.c strerror.c pci.c)
list(TRANSFORM _pc_sources PREPEND "${_pc_dir}/")
# The one duration parser, freestanding, which eclipse-sim and the guests share.
list(APPEND _pc_sources "${PROJECT_SOURCE_DIR}/services/lib/duration.c")
list(TRANSFORM KERNEL_CORE_SOURCES PREPEND "${PROJECT_SOURCE_DIR}/" OUTPUT_VARIABLE _pc_core_sources)

set(ECLIPSE_PC_CFLAGS
  $<$<COMPILE_LANGUAGE:C>:-std=c11>
  -Wall -Wextra -Werror
  -ffreestanding -fno-builtin -fno-strict-aliasing -nostdinc "-isystem${ECLIPSE_GUEST_CC_INCLUDE}"
  -mno-red-zone -mgeneral-regs-only -mcmodel=kernel -fno-pic -fno-pie -fno-stack-protector
  -fcf-protection=none -fno-asynchronous-unwind-tables -fno-omit-frame-pointer
  -O2 -g)
set(ECLIPSE_PC_LDFLAGS
  -static -nostdlib
  -Wl,--build-id=none -Wl,-z,noexecstack -Wl,-z,max-page-size=4096
  "-Wl,-T,${_pc_dir}/kernel.ld")
# One writable and executable segment on purpose (kernel.ld): newer linkers would warn.
check_linker_flag(C -Wl,--no-warn-rwx-segments ECLIPSE_PC_LD_NO_RWX_WARNING)
if(ECLIPSE_PC_LD_NO_RWX_WARNING)
  list(APPEND ECLIPSE_PC_LDFLAGS -Wl,--no-warn-rwx-segments)
endif()

# The platform's own files see the kernel through core.h only (CORE_INCLUDE_DIR, see the
# top-level CMakeLists.txt), and besides it klib.h, the freestanding C library they share with
# the core, and the uapi headers; the core's files see all of kernel_core/include.
set(_pc_klib_dir "${CMAKE_BINARY_DIR}/pc-include")
file(MAKE_DIRECTORY "${_pc_klib_dir}/kernel")
file(CREATE_LINK "${PROJECT_SOURCE_DIR}/kernel_core/include/kernel/klib.h"
  "${_pc_klib_dir}/kernel/klib.h" SYMBOLIC)
file(CREATE_LINK "${PROJECT_SOURCE_DIR}/kernel_core/include/uapi" "${_pc_klib_dir}/uapi" SYMBOLIC)
set_source_files_properties(${_pc_sources} PROPERTIES
  INCLUDE_DIRECTORIES "${CORE_INCLUDE_DIR};${_pc_klib_dir};${PROJECT_SOURCE_DIR}/kernel_core/include/uapi;${PROJECT_SOURCE_DIR}/services/lib/include")
set_source_files_properties(${_pc_core_sources} PROPERTIES
  INCLUDE_DIRECTORIES "${PROJECT_SOURCE_DIR}/kernel_core/include;${PROJECT_SOURCE_DIR}/kernel_core/include/uapi;${PROJECT_SOURCE_DIR}/services/lib/include")

add_executable(eclipse-pc ${_pc_core_sources} ${_pc_sources})
set_target_properties(eclipse-pc PROPERTIES
  COMPILE_OPTIONS "${ECLIPSE_PC_CFLAGS}"
  LINK_OPTIONS "${ECLIPSE_PC_LDFLAGS}"
  LINK_DEPENDS "${_pc_dir}/kernel.ld"
  POSITION_INDEPENDENT_CODE OFF
  INTERPROCEDURAL_OPTIMIZATION OFF
  RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}")

find_program(ECLIPSE_QEMU_SYSTEM qemu-system-x86_64)
