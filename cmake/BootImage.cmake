# Boot images: cpio "newc" archives that eclipse-sim boots (see sim/mkimage.c for the format).
# Include from any directory that builds an image; the definitions are made once.
#
# Defines:
#   eclipse-mkimage               the host tool that writes an archive
#   eclipse_boot_image(TARGET FILE CONFIG services.conf)
#                                 builds ${CMAKE_BINARY_DIR}/FILE (as part of ALL) holding init
#                                 and the five services under /sbin, the examples under /bin,
#                                 CONFIG as /etc/services.conf and /etc/status; it is rebuilt
#                                 when any of them changes.
# The programs go in without debug information, which names the build directory: so an image
# depends on the sources alone, byte for byte. gdb's symbol files are the ones in build/guest.
include_guard(GLOBAL)

if(NOT CMAKE_OBJCOPY)
  message(FATAL_ERROR "Boot images: no objcopy found (CMAKE_OBJCOPY)")
endif()

add_executable(eclipse-mkimage "${CMAKE_CURRENT_LIST_DIR}/../sim/mkimage.c")
set_target_properties(eclipse-mkimage PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}")
eclipse_host_target(eclipse-mkimage)

function(eclipse_boot_image target file)
  cmake_parse_arguments(PARSE_ARGV 2 IMAGE "" "CONFIG" "")
  if(NOT IMAGE_CONFIG OR IMAGE_UNPARSED_ARGUMENTS)
    message(FATAL_ERROR "usage: eclipse_boot_image(TARGET FILE CONFIG services.conf)")
  endif()
  # Every image: the system, then the examples; a new example gets its line here.
  set(pairs
    /sbin/init=init
    /sbin/filesystem=filesystem
    /sbin/network=network
    /sbin/display=display
    /sbin/audio=audio
    /sbin/input=input
    /bin/hello=hello
    /bin/forkexec=forkexec
    /bin/crasher=crasher
    /bin/ticker=ticker)
  get_filename_component(config "${IMAGE_CONFIG}" ABSOLUTE)
  # The status line the display service shows, read through the filesystem service.
  set(status "${PROJECT_SOURCE_DIR}/services/filesystem/etc/status")
  set(staging "${CMAKE_CURRENT_BINARY_DIR}/${file}.d")
  set(strip_commands)
  set(entries)
  set(programs)
  foreach(pair IN LISTS pairs)
    string(REGEX MATCH "^([^=]+)=([^=]+)$" matched "${pair}")
    set(program ${CMAKE_MATCH_2})
    list(APPEND strip_commands
      COMMAND "${CMAKE_OBJCOPY}" --strip-debug "$<TARGET_FILE:${program}>" "${staging}/${program}")
    list(APPEND entries "${CMAKE_MATCH_1}=${staging}/${program}")
    list(APPEND programs ${program})
  endforeach()
  set(output "${CMAKE_BINARY_DIR}/${file}")
  add_custom_command(OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${staging}"
    ${strip_commands}
    COMMAND eclipse-mkimage "${output}" ${entries} "/etc/services.conf=${config}"
            "/etc/status=${status}"
    DEPENDS eclipse-mkimage ${programs} "${config}" "${status}"
    COMMENT "Building boot image ${file}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${output}")
endfunction()
