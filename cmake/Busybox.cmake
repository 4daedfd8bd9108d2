# Busybox: the shell and the Unix tools of the default boot image. Debian's busybox-static, a
# static x86_64 program that runs on Eclipse OS unmodified, as it is.
#
# Defines:
#   ECLIPSE_BUSYBOX          the busybox binary (cache path; /bin/busybox by default)
#   ECLIPSE_BUSYBOX_LINKS    a file of eclipse-mkimage entries, for LISTS of eclipse_boot_image:
#                            a link /PATH -> /bin/busybox for each PATH `busybox --list-full`
#                            gives, except /sbin/init (Eclipse's own) and /linuxrc
#
# The applet list is read when CMake configures; a new busybox needs a new configure (CMake
# does that itself: the binary is a configure dependency).
include_guard(GLOBAL)

set(ECLIPSE_BUSYBOX "/bin/busybox" CACHE FILEPATH "A static x86_64 busybox (Debian: busybox-static)")
if(NOT EXISTS "${ECLIPSE_BUSYBOX}")
  message(FATAL_ERROR "Busybox: no ${ECLIPSE_BUSYBOX}: the boot image's shell and tools are busybox "
                      "(Debian: apt-get install busybox-static; or set ECLIPSE_BUSYBOX)")
endif()

# Static: no PT_INTERP, and so no "interpreter" line in readelf's program headers. Debian's
# dynamic busybox package installs the same path.
find_program(ECLIPSE_READELF NAMES readelf REQUIRED)
execute_process(COMMAND "${ECLIPSE_READELF}" -lW "${ECLIPSE_BUSYBOX}"
  OUTPUT_VARIABLE _busybox_phdrs RESULT_VARIABLE _busybox_rc ERROR_QUIET)
if(NOT _busybox_rc EQUAL 0 OR NOT _busybox_phdrs MATCHES "Elf file type is (EXEC|DYN)"
   OR _busybox_phdrs MATCHES "program interpreter")
  message(FATAL_ERROR "Busybox: ${ECLIPSE_BUSYBOX} is not a static ELF program "
                      "(Debian: apt-get install busybox-static, which replaces the dynamic busybox)")
endif()

execute_process(COMMAND "${ECLIPSE_BUSYBOX}" --list-full
  OUTPUT_VARIABLE _busybox_list RESULT_VARIABLE _busybox_rc ERROR_QUIET)
if(NOT _busybox_rc EQUAL 0)
  message(FATAL_ERROR "Busybox: '${ECLIPSE_BUSYBOX} --list-full' failed")
endif()
set_property(DIRECTORY APPEND PROPERTY CMAKE_CONFIGURE_DEPENDS "${ECLIPSE_BUSYBOX}")

# One "--link=/PATH=/bin/busybox" line an applet, for eclipse-mkimage's @LIST; not a CMake list,
# which the applets "[" and "[[" would break: the text is only ever replaced in as a whole.
set(_busybox_links "\n${_busybox_list}\n")
foreach(skip linuxrc sbin/init bin/busybox)
  string(REPLACE "\n${skip}\n" "\n" _busybox_links "${_busybox_links}")
endforeach()
string(REGEX REPLACE "\n([^\n]+)" "\n--link=/\\1=/bin/busybox" _busybox_links "${_busybox_links}")
string(REGEX MATCHALL "\n--link=" _busybox_count "${_busybox_links}")
list(LENGTH _busybox_count _busybox_count)
# Internal cache: seen by every directory that includes this file, the first one only running it.
set(ECLIPSE_BUSYBOX_LINKS "${CMAKE_BINARY_DIR}/busybox-links.list" CACHE INTERNAL
  "eclipse-mkimage entries of busybox's applets")
set(_busybox_text
  "# The applets of ${ECLIPSE_BUSYBOX}: eclipse-mkimage @LIST entries (cmake/Busybox.cmake)${_busybox_links}")
# Rewritten only when it changes, so that a new configure does not rebuild the image.
set(_busybox_old "")
if(EXISTS "${ECLIPSE_BUSYBOX_LINKS}")
  file(READ "${ECLIPSE_BUSYBOX_LINKS}" _busybox_old)
endif()
if(NOT _busybox_old STREQUAL _busybox_text)
  file(WRITE "${ECLIPSE_BUSYBOX_LINKS}" "${_busybox_text}")
endif()
message(STATUS "Busybox: ${ECLIPSE_BUSYBOX}, ${_busybox_count} applets")
