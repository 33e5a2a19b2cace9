# Warnings and sanitizers as INTERFACE targets linked PRIVATE into every target of ours.
set(GOMALL_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")

add_library(gomall_options INTERFACE)
target_compile_options(gomall_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Werror)
if(GOMALL_SANITIZE)
  target_compile_options(gomall_options INTERFACE -fsanitize=${GOMALL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(gomall_options INTERFACE -fsanitize=${GOMALL_SANITIZE})
  if(GOMALL_SANITIZE MATCHES "undefined")
    # UBSan's vptr check needs the typeinfo of every polymorphic class it sees; Debian's SOCI does
    # not export it for its internal statement classes, so the check cannot link. The rest of UBSan stays on.
    target_compile_options(gomall_options INTERFACE -fno-sanitize=vptr)
    target_link_options(gomall_options INTERFACE -fno-sanitize=vptr)
  endif()
endif()
