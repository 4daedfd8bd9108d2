# Boot images: cpio "newc" archives that eclipse-sim and the pc kernel boot, written by
# eclipse-mkimage (sim/mkimage.c; `eclipse-mkimage --help`, or README.md). Include from any
# directory that builds an image; the definitions are made once.
#
# Defines:
#   eclipse-mkimage   the host tool that writes an archive
#   eclipse_boot_image(TARGET FILE [CONFIG services.conf] [NO_SYSTEM]
#                      [DIRS /path...] [PROGRAMS /path=program...] [FILES /path=file...]
#                      [LINKS /path=target...] [LISTS file...])
#     builds ${CMAKE_BINARY_DIR}/FILE as part of ALL, and again whenever something in it
#     changes. It holds:
#     - the system, unless NO_SYSTEM: /sbin/init, the five services under /sbin, and
#       /etc/status (the line the display service shows);
#     - CONFIG as /etc/services.conf (required with the system: init reads it);
#     - DIRS: directories, mode 0755 (those that hold an entry are made anyway);
#     - PROGRAMS: each /path=program, mode 0755. A program is the name of a guest program's
#       target (add_guest_program, here or in another directory), stored without debug
#       information, or a file's path, which has a '/' ("./tool", "${dir}/tool"), stored as it is;
#     - FILES: each /path=file, mode 0644;
#     - LINKS: each /path=target, a symbolic link to target as written: relative to the link's
#       directory ("busybox") or absolute in the image ("/bin/busybox");
#     - LISTS: files of eclipse-mkimage entries, one a line (its @LIST), in the image after
#       all of the above: for entries a CMake list cannot hold, such as a link named "[".
#     A relative file path is taken from the calling directory's source directory.
#   Example: eclipse_boot_image(my_image my.cpio CONFIG services.conf
#              PROGRAMS /bin/myservice=myservice FILES /etc/myservice.conf=myservice.conf)
#
# Programs go in without debug information, which names the build directory: so an image
# depends on the sources alone, byte for byte. gdb's symbol files are the ones in build/guest.
include_guard(GLOBAL)

if(NOT CMAKE_OBJCOPY)
  message(FATAL_ERROR "Boot images: no objcopy found (CMAKE_OBJCOPY)")
endif()

add_executable(eclipse-mkimage "${CMAKE_CURRENT_LIST_DIR}/../sim/mkimage.c")
set_target_properties(eclipse-mkimage PROPERTIES RUNTIME_OUTPUT_DIRECTORY "${CMAKE_BINARY_DIR}")
eclipse_host_target(eclipse-mkimage)

function(eclipse_boot_image target file)
  set(usage "usage: eclipse_boot_image(TARGET FILE [CONFIG services.conf] [NO_SYSTEM] [DIRS /path...] [PROGRAMS /path=program...] [FILES /path=file...] [LINKS /path=target...] [LISTS file...])")
  cmake_parse_arguments(PARSE_ARGV 2 IMAGE "NO_SYSTEM" "CONFIG" "DIRS;PROGRAMS;FILES;LINKS;LISTS")
  if(IMAGE_UNPARSED_ARGUMENTS OR (NOT IMAGE_NO_SYSTEM AND NOT IMAGE_CONFIG))
    message(FATAL_ERROR "${target}: ${usage}")
  endif()
  set(staging "${CMAKE_CURRENT_BINARY_DIR}/${file}.d")
  set(commands)
  set(entries)
  set(depends eclipse-mkimage)
  set(programs ${IMAGE_PROGRAMS})
  set(files ${IMAGE_FILES})
  if(NOT IMAGE_NO_SYSTEM)
    # The system: init and the services it starts.
    list(PREPEND programs /sbin/init=init /sbin/filesystem=filesystem /sbin/network=network
         /sbin/display=display /sbin/audio=audio /sbin/input=input)
    list(PREPEND files "/etc/status=${PROJECT_SOURCE_DIR}/services/filesystem/etc/status")
  endif()
  if(IMAGE_CONFIG)
    list(PREPEND files "/etc/services.conf=${IMAGE_CONFIG}")
  endif()

  foreach(dir IN LISTS IMAGE_DIRS)
    if(NOT dir MATCHES "^/")
      message(FATAL_ERROR "${target}: DIRS takes absolute paths in the image, got '${dir}'")
    endif()
    list(APPEND entries "--dir=${dir}")
  endforeach()
  foreach(pair IN LISTS programs)
    if(NOT pair MATCHES "^(/[^=]+)=(.+)$")
      message(FATAL_ERROR "${target}: PROGRAMS takes /path=program, got '${pair}'")
    endif()
    set(path "${CMAKE_MATCH_1}")
    set(program "${CMAKE_MATCH_2}")
    # Not if(TARGET): a target of a directory added later does not exist yet.
    if(NOT program MATCHES "/")
      list(APPEND commands
        COMMAND "${CMAKE_OBJCOPY}" --strip-debug "$<TARGET_FILE:${program}>" "${staging}/${program}")
      list(APPEND entries "${path}=${staging}/${program}")
      list(APPEND depends "${program}")
    else()
      get_filename_component(program "${program}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
      list(APPEND entries "${path}=${program}")
      list(APPEND depends "${program}")
    endif()
  endforeach()
  foreach(pair IN LISTS files)
    if(NOT pair MATCHES "^(/[^=]+)=(.+)$")
      message(FATAL_ERROR "${target}: FILES takes /path=file, got '${pair}'")
    endif()
    get_filename_component(host "${CMAKE_MATCH_2}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND entries --mode=0644 "${CMAKE_MATCH_1}=${host}")
    list(APPEND depends "${host}")
  endforeach()
  foreach(pair IN LISTS IMAGE_LINKS)
    if(NOT pair MATCHES "^/[^=]+=.+$")
      message(FATAL_ERROR "${target}: LINKS takes /path=target, got '${pair}'")
    endif()
    list(APPEND entries "--link=${pair}")
  endforeach()
  foreach(list_file IN LISTS IMAGE_LISTS)
    get_filename_component(list_file "${list_file}" ABSOLUTE BASE_DIR "${CMAKE_CURRENT_SOURCE_DIR}")
    list(APPEND entries "@${list_file}")
    list(APPEND depends "${list_file}")
  endforeach()

  set(output "${CMAKE_BINARY_DIR}/${file}")
  add_custom_command(OUTPUT "${output}"
    COMMAND "${CMAKE_COMMAND}" -E make_directory "${staging}"
    ${commands}
    COMMAND eclipse-mkimage "${output}" ${entries}
    DEPENDS ${depends}
    COMMENT "Building boot image ${file}"
    VERBATIM)
  add_custom_target(${target} ALL DEPENDS "${output}")
endfunction()
