# Warnings and sanitizers as INTERFACE targets linked PRIVATE into every target of ours.
set(GOMALL_SANITIZE "" CACHE STRING "Sanitizers to enable, e.g. address,undefined")

add_library(gomall_options INTERFACE)
target_compile_options(gomall_options INTERFACE
  -Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor -Werror)
if(GOMALL_SANITIZE)
  target_compile_options(gomall_options INTERFACE -fsanitize=${GOMALL_SANITIZE} -fno-omit-frame-pointer -fno-sanitize-recover=all)
  target_link_options(gomall_options INTERFACE -fsanitize=${GOMALL_SANITIZE})
endif()
