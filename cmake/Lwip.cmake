# lwIP, the network service's TCP/IP stack: Debian's lwip source package, fetched by
# scripts/setup.sh into .deps/lwip (never committed), built here for the guest as a static
# library with the service's port headers (services/network/port: lwipopts.h, arch/cc.h).
set(ECLIPSE_LWIP_DIR "${PROJECT_SOURCE_DIR}/.deps/lwip" CACHE PATH "lwIP's source (scripts/setup.sh fetches it)")
if(NOT EXISTS "${ECLIPSE_LWIP_DIR}/src/include/lwip/init.h")
  message(FATAL_ERROR "lwIP's source is not in ${ECLIPSE_LWIP_DIR}: run scripts/setup.sh, which "
                      "fetches Debian's lwip source package")
endif()
file(GLOB _lwip_core "${ECLIPSE_LWIP_DIR}/src/core/*.c")
file(GLOB _lwip_ipv4 "${ECLIPSE_LWIP_DIR}/src/core/ipv4/*.c")
set(LWIP_SOURCES ${_lwip_core} ${_lwip_ipv4} "${ECLIPSE_LWIP_DIR}/src/netif/ethernet.c")
add_library(lwip STATIC ${LWIP_SOURCES})
eclipse_guest_target(lwip)
# Its code, not ours: built as it comes, its warnings not ours to fix.
set_property(TARGET lwip APPEND PROPERTY COMPILE_OPTIONS -w)
target_include_directories(lwip SYSTEM PUBLIC "${ECLIPSE_LWIP_DIR}/src/include"
  "${PROJECT_SOURCE_DIR}/services/network/port")
