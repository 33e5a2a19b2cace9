# Warnings and sanitizers as INTERFACE targets linked PRIVATE into every target of ours.
set(GOMALL_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")

add_library(gomall_options INTERFACE)
target_compile_options(gomall_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Werror
  # GCC 12 at -O3 reports std::string copies as overlapping memcpy (a known false positive in
  # libstdc++'s inlined code, GCC bug 105329); it stays a warning there, never an error.
  $<$<AND:$<CXX_COMPILER_ID:GNU>,$<VERSION_LESS:$<CXX_COMPILER_VERSION>,13>>:-Wno-error=restrict>)
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
