# Compiler flags shared by every tockctl target.
add_library(tockctl_warnings INTERFACE)
target_compile_options(tockctl_warnings INTERFACE
  $<$<COMPILE_LANGUAGE:CXX>:-Wall -Wextra -Wpedantic -Wshadow -Wnon-virtual-dtor>
  $<$<BOOL:${TOCKCTL_WERROR}>:-Werror>)
if(TOCKCTL_SANITIZE)
  # GCC's -Wmaybe-uninitialized misfires on sanitizer-instrumented libstdc++ code (<regex>, GCC 12).
  target_compile_options(tockctl_warnings INTERFACE
    $<$<AND:$<COMPILE_LANG_AND_ID:CXX,GNU>,$<BOOL:${TOCKCTL_WERROR}>>:-Wno-error=maybe-uninitialized>)
  add_compile_options(-fsanitize=address,undefined -fno-omit-frame-pointer -fno-sanitize-recover=all)
  add_link_options(-fsanitize=address,undefined)
  # Position-dependent executables: with ASan a PIE tockctl spent a fifth of every start applying
  # 385,000 relative relocations, and the tests start it and their own binaries thousands of
  # times (docs/development.md, "Build time"). Release builds stay PIE.
  add_compile_options(-fno-pie)
  add_link_options(-no-pie)
endif()
